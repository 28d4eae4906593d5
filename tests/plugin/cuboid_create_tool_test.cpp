#include "pcanno/plugin/tools/cuboid_create_tool.hpp"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "pcanno/geometry/angles.hpp"
#include "pcanno/geometry/iou.hpp"
#include "tool_test_helpers.hpp"

namespace pcanno::plugin {
namespace {

using namespace tool_test;
using T = PointerEvent::Type;

constexpr double kExact = 1e-9;

TEST(CuboidCreateTool, DragInTheTopViewGivesThatFootprint) {
  auto s = Session::create(frames_only(3));
  ASSERT_TRUE(s->set_frame(1));
  CuboidCreateTool tool;
  const ViewInfo view = top_view();
  EXPECT_EQ(tool.on_pointer(*s, pointer(T::kPress, view, ray_down(10.0, 2.0))),
            kConsumed | kRender);
  EXPECT_EQ(tool.on_pointer(*s, pointer(T::kMove, view, ray_down(13.0, 3.5))), kConsumed | kRender);
  // The rubber band follows the pointer.
  ASSERT_EQ(tool.preview().boxes.size(), 1u);
  EXPECT_NEAR(tool.preview().boxes[0].size.x(), 3.0, kExact);
  EXPECT_NEAR(tool.preview().boxes[0].size.y(), 1.5, kExact);
  EXPECT_EQ(tool.on_pointer(*s, pointer(T::kRelease, view, ray_down(14.0, 4.0))),
            kConsumed | kRender);
  EXPECT_TRUE(tool.preview().boxes.empty());

  ASSERT_EQ(s->document().tracks.size(), 1u);
  const formats::Track& track = s->document().tracks[0];
  EXPECT_EQ(track.label, "Car");
  ASSERT_EQ(track.boxes.size(), 1u);
  const formats::BoxState& state = track.boxes[0];
  EXPECT_EQ(state.frame, 1);
  EXPECT_EQ(state.shape_frame, formats::ShapeFrame::kLidar);  // no poses
  const geometry::Cuboid& box = state.box;
  const double height = formats::ClassSpec{}.default_size.z();
  EXPECT_NEAR(box.center.x(), 12.0, kExact);
  EXPECT_NEAR(box.center.y(), 3.0, kExact);
  EXPECT_NEAR(box.center.z(), 0.5 * height, kExact);  // resting on z = 0 without points
  EXPECT_NEAR(box.size.x(), 4.0, kExact);
  EXPECT_NEAR(box.size.y(), 2.0, kExact);
  EXPECT_NEAR(box.size.z(), height, kExact);
  EXPECT_NEAR(box.yaw(), 0.0, kExact);
  EXPECT_TRUE(box.is_upright());
  EXPECT_EQ(s->selection().track, track.id);
}

TEST(CuboidCreateTool, DragDirectionDoesNotMatterAndTheBoxFollowsARotatedView) {
  auto s = Session::create(frames_only(1));
  CuboidCreateTool tool;
  drag(tool, *s, top_view(), Eigen::Vector3d(14.0, 4.0, 0.0), Eigen::Vector3d(10.0, 2.0, 0.0));
  ASSERT_EQ(s->document().tracks.size(), 1u);
  EXPECT_NEAR(s->document().tracks[0].boxes[0].box.center.x(), 12.0, kExact);
  EXPECT_NEAR(s->document().tracks[0].boxes[0].box.size.x(), 4.0, kExact);

  // A top view turned by 30 degrees: length along its screen x, width along screen y.
  const double yaw = 30.0 * geometry::kPi / 180.0;
  const ViewInfo turned = make_top_view(Eigen::Vector3d::Zero(), 0.02, yaw);
  const Eigen::Vector3d ex(std::cos(yaw), std::sin(yaw), 0.0);
  const Eigen::Vector3d ey(-std::sin(yaw), std::cos(yaw), 0.0);
  const Eigen::Vector3d start(-3.0, 5.0, 0.0);
  drag(tool, *s, turned, start, start + 5.0 * ex + 1.5 * ey);
  ASSERT_EQ(s->document().tracks.size(), 2u);
  const geometry::Cuboid& box = s->document().tracks[1].boxes[0].box;
  EXPECT_NEAR(box.size.x(), 5.0, kExact);
  EXPECT_NEAR(box.size.y(), 1.5, kExact);
  EXPECT_NEAR(box.yaw(), yaw, kExact);
  const Eigen::Vector3d center = start + 2.5 * ex + 0.75 * ey;
  EXPECT_NEAR(box.center.x(), center.x(), kExact);
  EXPECT_NEAR(box.center.y(), center.y(), kExact);
  EXPECT_EQ(s->selection().track, 1);
}

TEST(CuboidCreateTool, AClickGivesTheClassDefaultSizeOnTheGroundOfThePoints) {
  auto s = Session::create(frames_only(1));
  CuboidCreateTool tool;
  tool.set_label("Pedestrian");
  // 100 points under the click from z = -1.73 up; the 5th percentile is the 5th lowest. A lower
  // point outside the footprint must not count.
  std::vector<Eigen::Vector3d> points;
  for (int i = 0; i < 100; ++i) {
    points.emplace_back(5.0 + 0.002 * (i % 10), 5.0 + 0.002 * (i / 10), -1.73 + 0.01 * i);
  }
  points.emplace_back(8.0, 5.0, -5.0);
  tool.set_points(points);
  click(tool, *s, top_view(), Eigen::Vector3d(5.01, 5.01, 0.0));
  ASSERT_EQ(s->document().tracks.size(), 1u);
  const geometry::Cuboid& box = s->document().tracks[0].boxes[0].box;
  const Eigen::Vector3d pedestrian(0.8, 0.7, 1.75);
  EXPECT_NEAR((box.size - pedestrian).norm(), 0.0, kExact);
  EXPECT_NEAR(box.center.x(), 5.01, kExact);
  EXPECT_NEAR(box.center.y(), 5.01, kExact);
  EXPECT_NEAR(box.center.z() - 0.5 * box.size.z(), -1.73 + 0.04, kExact);
  // The new class keeps that size for the next click.
  const formats::ClassSpec* spec = s->document().class_spec("Pedestrian");
  ASSERT_NE(spec, nullptr);
  EXPECT_NEAR((spec->default_size - pedestrian).norm(), 0.0, kExact);
}

TEST(CuboidCreateTool, AClickOnAnObjectFitsItsPoints) {
  auto s = Session::create(frames_only(1));
  CuboidCreateTool tool;
  tool.set_label("Car");
  // Road around the sensor and the two faces of a parked car the sensor sees, 5 cm apart.
  const geometry::Cuboid car = geometry::Cuboid::from_yaw(Eigen::Vector3d(12.0, 4.0, -0.95),
                                                          Eigen::Vector3d(4.4, 1.8, 1.5), 0.2);
  std::vector<Eigen::Vector3d> points;
  for (double x = -20; x <= 30; x += 0.4) {
    for (double y = -15; y <= 15; y += 0.4) points.emplace_back(x, y, -1.7);
  }
  const Eigen::Matrix3d R = car.rotation.toRotationMatrix();
  for (double a = -2.2; a <= 2.2; a += 0.05) {
    for (double h = -0.75; h <= 0.75; h += 0.05) {
      points.push_back(car.center + R.col(0) * a - R.col(1) * 0.9 + R.col(2) * h);  // right side
    }
  }
  for (double b = -0.9; b <= 0.9; b += 0.05) {
    for (double h = -0.75; h <= 0.75; h += 0.05) {
      points.push_back(car.center - R.col(0) * 2.2 + R.col(1) * b + R.col(2) * h);  // rear
    }
  }
  tool.set_points(points);
  click(tool, *s, top_view(), Eigen::Vector3d(12.3, 3.8, 0.0));
  ASSERT_EQ(s->document().tracks.size(), 1u);
  const formats::BoxState& state = s->document().tracks[0].boxes[0];
  EXPECT_EQ(state.provenance, formats::Provenance::kFitted);
  EXPECT_GT(geometry::iou_3d(state.box, car), 0.85);
  EXPECT_LT(std::abs(geometry::angle_difference(state.box.yaw(), 0.2)), 0.02);
}

TEST(CuboidCreateTool, EscapeCancelsTheDragAndNumberKeysChooseTheClass) {
  formats::Annotations doc = frames_only(1);
  doc.ensure_class("Car");
  doc.ensure_class("Cyclist").default_size = Eigen::Vector3d(1.9, 0.6, 1.8);
  auto s = Session::create(doc);
  CuboidCreateTool tool;
  const ViewInfo view = top_view();
  tool.on_pointer(*s, at(T::kPress, view, Eigen::Vector3d(0.0, 0.0, 0.0)));
  tool.on_pointer(*s, at(T::kMove, view, Eigen::Vector3d(3.0, 2.0, 0.0)));
  EXPECT_EQ(tool.preview().boxes.size(), 1u);
  EXPECT_EQ(key(tool, *s, "Escape"), kConsumed | kRender);
  EXPECT_TRUE(tool.preview().boxes.empty());
  EXPECT_EQ(tool.on_pointer(*s, at(T::kRelease, view, Eigen::Vector3d(3.0, 2.0, 0.0))), kIgnored);
  EXPECT_TRUE(s->document().tracks.empty());
  EXPECT_FALSE(s->can_undo());
  EXPECT_EQ(key(tool, *s, "Escape") & kFinished, kFinished);  // idle: leave the tool

  EXPECT_EQ(key(tool, *s, "2"), kConsumed | kRender);
  EXPECT_EQ(tool.label(), "Cyclist");
  EXPECT_EQ(key(tool, *s, "3"), kIgnored);  // no third class
  EXPECT_EQ(tool.label(), "Cyclist");
  click(tool, *s, view, Eigen::Vector3d(1.0, 1.0, 0.0));
  ASSERT_EQ(s->document().tracks.size(), 1u);
  EXPECT_EQ(s->document().tracks[0].label, "Cyclist");
  EXPECT_NEAR(s->document().tracks[0].boxes[0].box.size.x(), 1.9, kExact);
}

TEST(CuboidCreateTool, SideViewsAndOtherButtonsAreLeftToTheView) {
  auto s = Session::create(frames_only(1));
  CuboidCreateTool tool;
  const geometry::Cuboid any;
  EXPECT_EQ(tool.on_pointer(*s, at(T::kPress, make_side_view(any, 0.01), Eigen::Vector3d::Zero())),
            kIgnored);
  EXPECT_EQ(tool.on_pointer(*s, pointer(T::kPress, top_view(), ray_down(0.0, 0.0), kNoModifier,
                                        MouseButton::kRight)),
            kIgnored);
  EXPECT_TRUE(s->document().tracks.empty());
}

TEST(CuboidCreateTool, BoxesAreStoredInTheWorldWhenTheSequenceHasPoses) {
  formats::Sequence seq;
  seq.layout = "folder";
  formats::FrameRef frame;
  frame.cloud_path = "/nonexistent/0.pcd";  // unreadable: no points, the ground is z = 0
  frame.format = "pcd";
  frame.T_world_lidar =
      geometry::make_pose(geometry::quaternion_from_yaw(0.5), Eigen::Vector3d(100.0, -20.0, 3.0));
  seq.frames.push_back(frame);
  auto s = Session::create(frames_only(1), seq);
  ASSERT_EQ(s->shape_frame_for(0), formats::ShapeFrame::kWorld);
  CuboidCreateTool tool;
  drag(tool, *s, top_view(), Eigen::Vector3d(10.0, 2.0, 0.0), Eigen::Vector3d(14.0, 4.0, 0.0));
  ASSERT_EQ(s->document().tracks.size(), 1u);
  const formats::BoxState& state = s->document().tracks[0].boxes[0];
  EXPECT_EQ(state.shape_frame, formats::ShapeFrame::kWorld);
  EXPECT_NEAR(state.box.center.x(), 12.0, kExact);
  EXPECT_NEAR(state.box.center.y(), 3.0, kExact);
}

}  // namespace
}  // namespace pcanno::plugin
