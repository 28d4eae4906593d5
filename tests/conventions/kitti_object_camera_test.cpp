// KITTI object cameras on the three real training frames: each ground-truth 3D box, moved into the
// LiDAR frame by the KITTI convention and projected with the frame's image_2 CameraImage, gives
// back the official label_2 2D box.
#include <algorithm>
#include <array>
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kitti_fixtures.hpp"
#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/kitti/label.hpp"
#include "pcanno/geometry/camera.hpp"
#include "pcanno/geometry/kitti_convention.hpp"
#include "test_data.hpp"

namespace pcanno {
namespace {

using test::kitti_object_root;

// KITTI's benchmark counts an object as "easy" up to 15 % truncation; beyond that the label's 2D
// box is the annotator's visible part, which the clipped projection of the whole 3D box need not
// reproduce. The three shared frames have no truncated object, so all 6 non-DontCare rows count.
constexpr double kMaxTruncation = 0.15;
constexpr double kTolerancePx = 3.0;
// Our boxes are upright about LiDAR +z (the KITTI convention code), the label's about the
// rectified camera's -y; the two verticals differ by about 0.6 degrees (mostly R0_rect's roll), so
// a 1.9 m pedestrian 8.5 m away leans by about 2 px. Measured worst here: 1.9 px.
constexpr double kConventionPx = 2.5;

/// The 2D box the KITTI devkit makes from a label (compute_box_3d: corners in the rectified camera,
/// rotated by ry about +y, through P2), clipped to the image; written out here on its own.
geometry::PixelBox devkit_box(const formats::KittiLabelRow& row, const formats::KittiCalib& calib,
                              int width, int height) {
  const double h = row.box.hwl.x(), w = row.box.hwl.y(), l = row.box.hwl.z();
  const double c = std::cos(row.box.rotation_y), s = std::sin(row.box.rotation_y);
  const double xs[8] = {l / 2, l / 2, -l / 2, -l / 2, l / 2, l / 2, -l / 2, -l / 2};
  const double ys[8] = {0, 0, 0, 0, -h, -h, -h, -h};
  const double zs[8] = {w / 2, -w / 2, -w / 2, w / 2, w / 2, -w / 2, -w / 2, w / 2};
  geometry::PixelBox b{1e18, 1e18, -1e18, -1e18};
  for (int k = 0; k < 8; ++k) {
    const Eigen::Vector3d p =
        row.box.location + Eigen::Vector3d(c * xs[k] + s * zs[k], ys[k], -s * xs[k] + c * zs[k]);
    const Eigen::Vector3d q = calib.P[2] * p.homogeneous();
    b.left = std::min(b.left, q.x() / q.z());
    b.right = std::max(b.right, q.x() / q.z());
    b.top = std::min(b.top, q.y() / q.z());
    b.bottom = std::max(b.bottom, q.y() / q.z());
  }
  return b.clipped(width, height);
}

std::array<double, 4> sides_of(const geometry::PixelBox& b) {
  return {b.left, b.top, b.right, b.bottom};
}

double worst_side(const std::array<double, 4>& a, const std::array<double, 4>& b) {
  double worst = 0.0;
  for (int i = 0; i < 4; ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

// The issue asks for every ground-truth box within 3 px of label_2. On these frames one object
// cannot meet that whatever the projection: the 000000 pedestrian's label_2 box is 9.6 px narrower
// on the right than the devkit's own projection of its 3D box (a 1.20 m long box around a walking
// person whose 2D box was drawn around the body). So: every object whose label_2 box agrees with
// its own 3D box (the devkit's projection within 3 px) must come out within 3 px; the others are
// listed exactly, and must miss label_2 by no more than the devkit does plus kConventionPx.
TEST(KittiObjectCamera, ProjectedGroundTruthBoxesMatchLabel2Boxes) {
  PCANNO_REQUIRE_DATA(kitti_object_root() / "image_2/000002.png");
  const auto seq = formats::open_sequence(kitti_object_root());
  ASSERT_TRUE(seq) << seq.error().describe();
  ASSERT_EQ(seq->frames.size(), 3u);
  EXPECT_EQ(seq->cameras, std::vector<std::string>{"image_2"});

  std::size_t checked = 0;
  double worst = 0.0, worst_agreeing = 0.0, worst_vs_devkit = 0.0;
  std::string worst_at;
  std::vector<std::string> label_disagrees_with_3d;
  for (const formats::FrameRef& frame : seq->frames) {
    const formats::CameraImage* image = frame.image("image_2");
    ASSERT_NE(image, nullptr) << frame.name;
    ASSERT_GT(image->camera.width, 0);
    // The calibration read on its own, so that the LiDAR boxes do not come from the layout.
    const auto calib =
        formats::read_kitti_calib(kitti_object_root() / "calib" / (frame.name + ".txt"));
    ASSERT_TRUE(calib) << calib.error().describe();
    const auto rows =
        formats::read_kitti_object_labels(kitti_object_root() / "label_2" / (frame.name + ".txt"));
    ASSERT_TRUE(rows) << rows.error().describe();
    for (const formats::KittiLabelRow& row : *rows) {
      if (row.is_dont_care() || row.truncated > kMaxTruncation) continue;
      const std::string what = frame.name + " " + row.type;
      const geometry::Cuboid box_in_lidar =
          geometry::kitti_camera_to_lidar(row.box, calib->T_rect_velo());
      const geometry::ProjectedCuboid projected =
          geometry::project_cuboid(image->camera, image->T_cam_lidar, box_in_lidar);
      ASSERT_TRUE(projected.projects()) << what;
      const auto ours =
          sides_of(projected.bounds.clipped(image->camera.width, image->camera.height));
      const auto devkit =
          sides_of(devkit_box(row, *calib, image->camera.width, image->camera.height));
      const std::array<double, 4> label = row.bbox;
      const double miss = worst_side(ours, label);
      const double devkit_miss = worst_side(devkit, label);
      worst_vs_devkit = std::max(worst_vs_devkit, worst_side(ours, devkit));
      EXPECT_LE(worst_side(ours, devkit), kConventionPx) << what;
      if (devkit_miss <= kTolerancePx) {
        EXPECT_LE(miss, kTolerancePx)
            << what << ": got [" << ours[0] << ", " << ours[1] << ", " << ours[2] << ", " << ours[3]
            << "], label_2 [" << label[0] << ", " << label[1] << ", " << label[2] << ", "
            << label[3] << "]";
        worst_agreeing = std::max(worst_agreeing, miss);
      } else {
        label_disagrees_with_3d.push_back(what);
        EXPECT_LE(miss, devkit_miss + kConventionPx) << what;
      }
      if (miss > worst) {
        worst = miss;
        worst_at = what;
      }
      ++checked;
    }
  }
  // label_2: 000000 Pedestrian; 000001 Truck, Car, Cyclist; 000002 Misc, Car.
  EXPECT_EQ(checked, 6u);
  EXPECT_EQ(label_disagrees_with_3d, std::vector<std::string>{"000000 Pedestrian"});
  std::cout << "[ info     ] worst 2D box side error versus label_2 " << worst << " px ("
            << worst_at << "), " << worst_agreeing
            << " px where label_2 agrees with its 3D box, versus the "
            << "devkit's projection " << worst_vs_devkit << " px\n";
}

}  // namespace
}  // namespace pcanno
