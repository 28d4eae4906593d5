// The KITTI camera <-> LiDAR convention on the official tracking ground truth.
#include <cmath>
#include <filesystem>
#include <map>

#include <gtest/gtest.h>

#include "kitti_fixtures.hpp"
#include "pcanno/formats/clouds/raw_bin.hpp"
#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "pcanno/formats/labels/kitti/label.hpp"
#include "pcanno/geometry/angles.hpp"
#include "pcanno/geometry/kitti_convention.hpp"
#include "pcanno/geometry/points_in_cuboid.hpp"
#include "test_data.hpp"

namespace pcanno {
namespace {

namespace fs = std::filesystem;

using test::kitti_tracking_root;

TEST(KittiConvention, AllTrackingLabelsRoundTripThroughLidar) {
  PCANNO_REQUIRE_DATA(kitti_tracking_root() / "label_02/0020.txt");
  std::size_t converted = 0;
  double worst_location = 0.0, worst_dims = 0.0, worst_ry = 0.0;
  for (int seq = 0; seq <= 20; ++seq) {
    char name[16];
    std::snprintf(name, sizeof(name), "%04d.txt", seq);
    const auto calib = formats::read_kitti_calib(kitti_tracking_root() / "calib" / name);
    ASSERT_TRUE(calib) << calib.error().describe();
    const auto rows =
        formats::read_kitti_tracking_labels(kitti_tracking_root() / "label_02" / name);
    ASSERT_TRUE(rows) << rows.error().describe();
    const Eigen::Matrix4d T_rect_velo = calib->T_rect_velo();
    for (const auto& row : *rows) {
      if (row.is_dont_care()) continue;
      const geometry::Cuboid box_in_lidar = geometry::kitti_camera_to_lidar(row.box, T_rect_velo);
      const geometry::KittiCameraBox back =
          geometry::kitti_lidar_to_camera(box_in_lidar, T_rect_velo);
      worst_location =
          std::max(worst_location, (back.location - row.box.location).cwiseAbs().maxCoeff());
      worst_dims = std::max(worst_dims, (back.hwl - row.box.hwl).cwiseAbs().maxCoeff());
      worst_ry = std::max(
          worst_ry, std::abs(geometry::angle_difference(back.rotation_y, row.box.rotation_y)));
      ++converted;
    }
  }
  // 64 300 rows minus 17 688 DontCare in the shared copy of the 21 files.
  EXPECT_EQ(converted, 64300u - 17688u);
  EXPECT_LE(worst_location, 1e-9);
  EXPECT_LE(worst_dims, 1e-9);
  EXPECT_LE(worst_ry, 1e-9);
}

TEST(KittiConvention, WorkedExampleVanOfSequence0000) {
  PCANNO_REQUIRE_DATA(kitti_tracking_root() / "calib/0000.txt");
  const auto calib = formats::read_kitti_calib(kitti_tracking_root() / "calib/0000.txt");
  ASSERT_TRUE(calib) << calib.error().describe();
  // formats.md 3.3: frame 0, track 0, Van.
  geometry::KittiCameraBox van;
  van.hwl = Eigen::Vector3d(2.000000, 1.823255, 4.433886);
  van.location = Eigen::Vector3d(-4.552284, 1.858523, 13.410495);
  van.rotation_y = -2.115488;
  const geometry::Cuboid box = geometry::kitti_camera_to_lidar(van, calib->T_rect_velo());
  EXPECT_NEAR(box.center.x(), 13.7010, 1e-3);
  EXPECT_NEAR(box.center.y(), 4.5714, 1e-3);
  EXPECT_NEAR(box.center.z(), -0.7424, 1e-3);
  EXPECT_NEAR(box.yaw(), 0.544692, 1e-6);
  EXPECT_DOUBLE_EQ(box.size.x(), 4.433886);
  EXPECT_DOUBLE_EQ(box.size.y(), 1.823255);
  EXPECT_DOUBLE_EQ(box.size.z(), 2.0);
  EXPECT_TRUE(box.is_upright());
  // alpha from the formula, and its documented distance from the label's value.
  EXPECT_NEAR(geometry::kitti_alpha(van.location, van.rotation_y), -1.788236, 1e-6);
  EXPECT_NEAR(geometry::kitti_alpha(van.location, van.rotation_y), -1.793451, 0.015);
}

TEST(KittiConvention, LidarYawZeroFacesForward) {
  // LiDAR yaw 0 (forward, +x) is rotation_y = -pi/2 (camera +z); yaw pi/2 (left) is ry = pi or -pi.
  const Eigen::Matrix4d identity = Eigen::Matrix4d::Identity();
  const auto fwd = geometry::kitti_lidar_to_camera(
      geometry::Cuboid::from_yaw(Eigen::Vector3d(10, 0, 0), Eigen::Vector3d(4, 2, 1.5), 0.0),
      identity);
  EXPECT_NEAR(fwd.rotation_y, -geometry::kPi / 2, 1e-15);
  EXPECT_NEAR(fwd.location.z(), -0.75, 1e-15);  // bottom face: centre lowered by h/2 along LiDAR z
  EXPECT_EQ(fwd.hwl, Eigen::Vector3d(1.5, 2, 4));
  const auto left = geometry::kitti_lidar_to_camera(
      geometry::Cuboid::from_yaw(Eigen::Vector3d::Zero(), Eigen::Vector3d::Ones(),
                                 geometry::kPi / 2),
      identity);
  EXPECT_NEAR(std::abs(left.rotation_y), geometry::kPi, 1e-12);
}

/// The camera-frame inside test of formats.md 3.1, written independently of the library: points
/// moved into rectified camera 0, then compared with the label's own box (bottom-face origin, y
/// down).
std::size_t count_in_camera_box(const formats::PointCloud& cloud,
                                const Eigen::Matrix4d& T_rect_velo,
                                const geometry::KittiCameraBox& box) {
  const double h = box.hwl.x(), w = box.hwl.y(), l = box.hwl.z();
  const double c = std::cos(box.rotation_y), s = std::sin(box.rotation_y);
  std::size_t count = 0;
  for (std::size_t i = 0; i < cloud.size(); ++i) {
    const Eigen::Vector4d p =
        T_rect_velo * Eigen::Vector4d(cloud.x[i], cloud.y[i], cloud.z[i], 1.0);
    const Eigen::Vector3d d = p.head<3>() - box.location;
    const double xo = c * d.x() - s * d.z(), zo = s * d.x() + c * d.z();
    if (std::abs(xo) <= l / 2 && std::abs(zo) <= w / 2 && d.y() >= -h && d.y() <= 0) ++count;
  }
  return count;
}

TEST(KittiConvention, Frame0BoxesHoldTheirPoints) {
  const fs::path cloud_path = kitti_tracking_root() / "velodyne/0000/000000.bin";
  PCANNO_REQUIRE_DATA(cloud_path);
  const auto calib = formats::read_kitti_calib(kitti_tracking_root() / "calib/0000.txt");
  const auto rows =
      formats::read_kitti_tracking_labels(kitti_tracking_root() / "label_02/0000.txt");
  const auto cloud = formats::read_kitti_bin(cloud_path);
  ASSERT_TRUE(calib && rows && cloud);
  // formats.md 3.1 (verified with the camera-frame test): Van 1093, Cyclist 883, Pedestrian 309.
  std::map<std::string, std::size_t> documented{
      {"Van", 1093}, {"Cyclist", 883}, {"Pedestrian", 309}};
  int checked = 0;
  for (const auto& row : *rows) {
    if (row.frame != 0 || row.is_dont_care()) continue;
    ASSERT_TRUE(documented.count(row.type)) << row.type;
    EXPECT_EQ(count_in_camera_box(*cloud, calib->T_rect_velo(), row.box), documented[row.type]);
    // The LiDAR box of the exact convention sits within ~1.5 cm of the camera box (the calibration
    // is not a pure axis permutation), which moves a few ground points at the bottom face in or
    // out.
    const auto box = geometry::kitti_camera_to_lidar(row.box, calib->T_rect_velo());
    const double in_lidar_box =
        static_cast<double>(geometry::points_in_cuboid(cloud->view(), box).size());
    EXPECT_NEAR(in_lidar_box, static_cast<double>(documented[row.type]),
                0.05 * documented[row.type])
        << row.type;
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

}  // namespace
}  // namespace pcanno
