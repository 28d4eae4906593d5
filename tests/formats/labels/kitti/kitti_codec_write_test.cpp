#include "pcanno/formats/labels/kitti/codecs.hpp"

#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kitti_codec_fixtures.hpp"

namespace pcanno::formats {
namespace {

using namespace kitti_codec_test;

TEST(KittiCodecWrite, WorldFrameBoxesUseThePose) {
  PCANNO_REQUIRE_DATA(kitti_tracking_root() / "calib/0001.txt");
  Sequence seq = calibration_only_sequence(1, 1);
  const geometry::Cuboid lidar_box = geometry::kitti_camera_to_lidar(
      van_of_frame_zero(), seq.calibrations[0].kitti->T_rect_velo());
  Annotations doc = single_box_document(seq, lidar_box, 0, "Van");
  test::TempDir dir;
  LabelContext context;
  context.sequence = &seq;
  ASSERT_TRUE(write_kitti_tracking_annotations(doc, dir.path() / "lidar.txt", context));

  const geometry::Pose T_world_lidar =
      geometry::make_pose(geometry::quaternion_from_yaw(0.7), Eigen::Vector3d(100, -20, 3));
  doc.tracks[0].boxes[0].box = geometry::transform(T_world_lidar, lidar_box);
  doc.tracks[0].boxes[0].shape_frame = ShapeFrame::kWorld;
  Expected<WriteReport> no_pose =
      write_kitti_tracking_annotations(doc, dir.path() / "w.txt", context);
  ASSERT_FALSE(no_pose);
  EXPECT_EQ(no_pose.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(no_pose.error().message.find("pose"), std::string::npos);

  seq.frames[0].T_world_lidar = T_world_lidar;
  ASSERT_TRUE(write_kitti_tracking_annotations(doc, dir.path() / "world.txt", context));
  EXPECT_EQ(slurp(dir.path() / "world.txt"), slurp(dir.path() / "lidar.txt"));
}

TEST(KittiCodecWrite, ScoreColumnOnlyWhenPresent) {
  PCANNO_REQUIRE_DATA(kitti_tracking_root() / "calib/0001.txt");
  const Sequence seq = calibration_only_sequence(1, 1);
  const geometry::Cuboid box = geometry::kitti_camera_to_lidar(
      van_of_frame_zero(), seq.calibrations[0].kitti->T_rect_velo());
  Annotations doc = single_box_document(seq, box);
  doc.tracks[0].boxes[0].score = 0.8765432;
  test::TempDir dir;
  LabelContext context;
  context.sequence = &seq;
  ASSERT_TRUE(write_kitti_tracking_annotations(doc, dir.path() / "0001.txt", context));
  const std::vector<std::string> tracking = lines_of(slurp(dir.path() / "0001.txt"));
  ASSERT_EQ(tracking.size(), 1u);
  EXPECT_EQ(tracking[0].substr(tracking[0].rfind(' ')), " 0.876543");
  ASSERT_TRUE(write_kitti_object_annotations(doc, dir.path() / "000000.txt", context));
  Expected<std::vector<KittiLabelRow>> object = read_kitti_object_labels(dir.path() / "000000.txt");
  ASSERT_TRUE(object && object->size() == 1u);
  ASSERT_TRUE(object->front().score);
  EXPECT_EQ(*object->front().score, 0.876543);

  // Read back: the score lands in BoxState::score.
  Expected<Annotations> back = read_kitti_tracking_annotations(dir.path() / "0001.txt", context);
  ASSERT_TRUE(back) << back.error().describe();
  ASSERT_TRUE(back->tracks[0].boxes[0].score);
  EXPECT_EQ(*back->tracks[0].boxes[0].score, 0.876543);
}

TEST(KittiCodecWrite, RefusesToOverwriteExistingOutput) {
  PCANNO_REQUIRE_DATA(kitti_object_root() / "label_2/000000.txt");
  Expected<Annotations> doc = read_kitti_object_annotations(kitti_object_root() / "label_2");
  ASSERT_TRUE(doc) << doc.error().describe();
  test::TempDir dir;
  const fs::path out = dir.path() / "label_2";
  ASSERT_TRUE(write_kitti_object_annotations(*doc, out));
  dir.write("label_2/000000.txt", "mine\n");
  Expected<WriteReport> again = write_kitti_object_annotations(*doc, out);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kPermission);
  EXPECT_EQ(slurp(out / "000000.txt"), "mine\n");
  LabelContext context;
  context.overwrite = true;
  ASSERT_TRUE(write_kitti_object_annotations(*doc, out, context));
  EXPECT_EQ(slurp(out / "000000.txt"), slurp(kitti_object_root() / "label_2/000000.txt"));

  Expected<Annotations> tracks = read_kitti_tracking_annotations(kitti_tracking_labels(0));
  ASSERT_TRUE(tracks) << tracks.error().describe();
  dir.write("0000.txt", "mine\n");
  Expected<WriteReport> refused = write_kitti_tracking_annotations(*tracks, dir.path());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermission);
  EXPECT_EQ(slurp(dir.path() / "0000.txt"), "mine\n");
  EXPECT_FALSE(fs::exists(dir.path() / kKittiTrackingSeqmapName));
}

TEST(KittiCodecWrite, FailingExportLeavesNothing) {
  PCANNO_REQUIRE_DATA(kitti_object_root() / "label_2/000002.txt");
  Expected<Annotations> doc = read_kitti_object_annotations(kitti_object_root() / "label_2");
  ASSERT_TRUE(doc) << doc.error().describe();
  // The last frame's box is broken: frames 0 and 1 are written before the failure.
  doc->tracks.back().boxes[0].box.center.x() = std::numeric_limits<double>::quiet_NaN();
  test::TempDir dir;
  Expected<WriteReport> object = write_kitti_object_annotations(*doc, dir.path() / "label_2");
  ASSERT_FALSE(object);
  EXPECT_EQ(object.error().code, ErrorCode::kMalformed);
  EXPECT_NE(object.error().message.find("track 5"), std::string::npos);
  EXPECT_NE(object.error().message.find("non-finite"), std::string::npos);
  EXPECT_TRUE(fs::is_empty(dir.path()));  // no label_2, no staging folder

  Expected<WriteReport> tracking = write_kitti_tracking_annotations(*doc, dir.path());
  ASSERT_FALSE(tracking);
  EXPECT_TRUE(fs::is_empty(dir.path()));

  // Cancelling through the progress callback also leaves nothing.
  doc->tracks.back().boxes[0].box.center.x() = 1.0;
  LabelContext context;
  int calls = 0;
  context.progress = [&calls](double) { return ++calls < 2; };
  Expected<WriteReport> cancelled =
      write_kitti_object_annotations(*doc, dir.path() / "label_2", context);
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().code, ErrorCode::kCancelled);
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

}  // namespace
}  // namespace pcanno::formats
