// KITTI keeps a yaw only (rotation_y): a box with pitch or roll is written upright, with a warning
// and a count in the WriteReport and its summary.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kitti_codec_fixtures.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"

namespace pcanno::formats {
namespace {

using namespace kitti_codec_test;

const std::string kTilted = "boxes with pitch or roll written upright: KITTI stores yaw only";

/// The van of tracking 0000, frame 0, turned about its own axis `axis` (0 roll, 1 pitch) by
/// `angle` [rad], as track 7, and an upright copy of it as track 8.
Annotations tilted_document(const Sequence& seq, int axis, double angle) {
  const geometry::Cuboid upright = geometry::kitti_camera_to_lidar(
      van_of_frame_zero(), seq.calibrations[0].kitti->T_rect_velo());
  geometry::Cuboid tilted = upright;
  tilted.rotation =
      (upright.rotation * Eigen::AngleAxisd(angle, Eigen::Vector3d::Unit(axis))).normalized();
  Annotations doc = single_box_document(seq, tilted);
  Track copy = doc.tracks[0];
  copy.id = 8;
  copy.boxes[0].box = upright;
  doc.tracks.push_back(copy);
  return doc;
}

TEST(KittiTiltWrite, TrackingAndObjectExportsCountTiltedBoxes) {
  PCANNO_REQUIRE_DATA(kitti_tracking_root() / "calib/0001.txt");
  const Sequence seq = calibration_only_sequence(1, 1);
  LabelContext context;
  context.sequence = &seq;
  test::TempDir dir;
  for (const int axis : {0, 1}) {
    SCOPED_TRACE(axis == 0 ? "roll" : "pitch");
    const Annotations doc = tilted_document(seq, axis, 0.05);
    const std::string name = std::to_string(axis);
    Expected<WriteReport> tracking =
        write_kitti_tracking_annotations(doc, dir.path() / (name + ".txt"), context);
    ASSERT_TRUE(tracking) << tracking.error().describe();
    EXPECT_EQ(tracking->boxes_written, 2u);  // written (upright), not dropped
    EXPECT_EQ(tracking->warnings, (std::map<std::string, std::size_t>{{kTilted, 1}}));
    EXPECT_TRUE(tracking->dropped.empty());
    EXPECT_NE(summarize(*tracking).find("; warning: 1 " + kTilted), std::string::npos)
        << summarize(*tracking);

    Expected<WriteReport> object =
        write_kitti_object_annotations(doc, dir.path() / ("label_" + name), context);
    ASSERT_TRUE(object) << object.error().describe();
    EXPECT_EQ(object->boxes_written, 2u);
    EXPECT_EQ(object->warnings, (std::map<std::string, std::size_t>{{kTilted, 1}}));
  }
}

TEST(KittiTiltWrite, UprightAndBarelyTiltedBoxesWarnAboutNothing) {
  PCANNO_REQUIRE_DATA(kitti_tracking_root() / "calib/0001.txt");
  const Sequence seq = calibration_only_sequence(1, 1);
  LabelContext context;
  context.sequence = &seq;
  test::TempDir dir;
  // Half a micro-radian is below the tolerance (geometry::kTiltTolerance, 1e-6 rad).
  const Annotations doc = tilted_document(seq, 1, 0.5e-6);
  Expected<WriteReport> report =
      write_kitti_tracking_annotations(doc, dir.path() / "a.txt", context);
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_TRUE(report->warnings.empty());
  EXPECT_EQ(summarize(*report).find("warning"), std::string::npos);
  const Annotations more = tilted_document(seq, 1, 2e-6);
  report = write_kitti_tracking_annotations(more, dir.path() / "b.txt", context);
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->warnings.size(), 1u);
}

}  // namespace
}  // namespace pcanno::formats
