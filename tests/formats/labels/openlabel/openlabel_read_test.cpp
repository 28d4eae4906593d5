#include "pcanno/formats/labels/openlabel/codec.hpp"

#include <cmath>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "openlabel_fixtures.hpp"

namespace pcanno::formats {
namespace {

using namespace openlabel_test;

TEST(OpenlabelRead, ForeignFileLandsInLidarAndWorldFrames) {
  const Annotations a = must_parse(kForeignFile);
  EXPECT_EQ(a.sequence.name, "handmade");
  ASSERT_EQ(a.frames.size(), 4u);
  EXPECT_EQ(a.frames[0].name, "000000");
  EXPECT_EQ(a.frames[0].timestamp_us, 1600000000250000);
  EXPECT_EQ(a.frames[2].timestamp_us, -1);  // a date string is not kept

  // T_vehicle_velodyne is the static matrix; the box given in the vehicle frame goes to the LiDAR.
  Eigen::Matrix4d m;
  m << 0, -1, 0, 1.5, 1, 0, 0, 0.25, 0, 0, 1, 1.75, 0, 0, 0, 1;
  const geometry::Pose T_vehicle_lidar(m);
  const geometry::Pose T_lidar_vehicle = T_vehicle_lidar.inverse();
  const Track* car = a.track(0);
  ASSERT_NE(car, nullptr);
  EXPECT_EQ(car->label, "Car");
  EXPECT_EQ(
      car->attributes,
      (AttributeMap{{"colour", "blue"}, {"doors", "4"}, {"length", "4.25"}, {"parked", "false"}}));
  ASSERT_EQ(car->boxes.size(), 2u);
  const BoxState& b0 = car->boxes[0];
  EXPECT_EQ(b0.shape_frame, ShapeFrame::kLidar);
  expect_near(b0.box.center, T_lidar_vehicle * Eigen::Vector3d(10, 1, 0.5), 1e-12, "center");
  const Eigen::Quaterniond expected_rotation(T_lidar_vehicle.linear() *
                                             Eigen::AngleAxisd(0.3, Eigen::Vector3d::UnitZ()));
  EXPECT_NEAR(b0.box.rotation.angularDistance(expected_rotation), 0.0, 1e-12);
  expect_near(b0.box.size, Eigen::Vector3d(4.2, 1.8, 1.5), 0.0, "size");
  EXPECT_EQ(b0.score, 0.75);
  EXPECT_EQ(b0.provenance, Provenance::kImported);
  EXPECT_TRUE(b0.keyframe);
  EXPECT_EQ(b0.attributes, (AttributeMap{{"lidar_points", "312"}, {"occlusion", "none"}}));
  // In "odom", the world: kept as written.
  const BoxState& b2 = car->boxes[1];
  EXPECT_EQ(b2.frame, 2);
  EXPECT_EQ(b2.shape_frame, ShapeFrame::kWorld);
  expect_near(b2.box.center, Eigen::Vector3d(30, 4, 0.6), 0.0, "center");

  // Euler form: R = Rz(rz) Ry(ry) Rx(rx), in the object's coordinate system (the LiDAR).
  const Track* pedestrian = a.track(3);
  ASSERT_NE(pedestrian, nullptr);
  ASSERT_EQ(pedestrian->boxes.size(), 2u);
  const Eigen::Quaterniond zyx = geometry::quaternion_from_yaw_pitch_roll({1.2, -0.02, 0.01});
  EXPECT_EQ(pedestrian->boxes[0].shape_frame, ShapeFrame::kLidar);
  EXPECT_NEAR(pedestrian->boxes[0].box.rotation.angularDistance(zyx), 0.0, 1e-12);
  const Eigen::Vector3d tilted_x = pedestrian->boxes[0].box.rotation * Eigen::Vector3d::UnitX();
  EXPECT_NEAR(tilted_x.z(), std::sin(0.02), 1e-12);  // pitch -0.02 lifts the nose
  // Camera (x right, y down, z forward) 8 m ahead of a camera 2 m in front of the vehicle origin.
  const BoxState& in_camera = pedestrian->boxes[1];
  EXPECT_EQ(in_camera.shape_frame, ShapeFrame::kLidar);
  expect_near(in_camera.box.center, T_lidar_vehicle * Eigen::Vector3d(10.0, -0.5, 1.25), 1e-12,
              "camera box");
  EXPECT_EQ(in_camera.provenance, Provenance::kManual);
  EXPECT_FALSE(in_camera.keyframe);

  // The UUID object is a polyline in the world, with the next free id; the UUID is its source.
  ASSERT_EQ(a.polylines.size(), 1u);
  EXPECT_EQ(a.polylines[0].id, 4);
  EXPECT_EQ(a.polylines[0].label, "LaneLine");
  EXPECT_EQ(a.polylines[0].states[0].shape_frame, ShapeFrame::kWorld);
  EXPECT_EQ(a.polylines[0].states[0].line.vertices.size(), 3u);
  EXPECT_EQ(a.tracks.size(), 2u);  // the polyline object made no box track
}

TEST(OpenlabelRead, ForeignFileRoundTripIsStable) {
  const Annotations first = must_parse(kForeignFile);
  const std::string second_text = must_serialize(first);
  const Annotations second = must_parse(second_text);
  expect_same(first, second, 1e-12);
  const std::string third_text = must_serialize(second);
  EXPECT_SAME_TEXT(second_text, third_text);
  EXPECT_EQ(Json::parse(second_text), Json::parse(third_text));
}

TEST(OpenlabelRead, SequenceFillsFramesTheFileDoesNotDescribe) {
  const Sequence seq = posed_sequence();
  LabelContext context;
  context.sequence = &seq;
  const Annotations a = must_parse(kForeignFile, context);
  ASSERT_EQ(a.frames.size(), 4u);
  EXPECT_EQ(a.frames[0].name, "000000");  // the file's own
  EXPECT_EQ(a.frames[1].name, "scan_1");
  EXPECT_EQ(a.frames[2].timestamp_us, seq.frames[2].timestamp_us);
  EXPECT_EQ(a.sequence.name, "handmade");
}

}  // namespace
}  // namespace pcanno::formats
