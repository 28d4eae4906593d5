// One-click fitting on the official KITTI tracking ground truth (sequence 0000, frames 0-19): every
// Car, Van, Cyclist and Pedestrian box with at least 50 points, seeded at its centre moved by up to
// 0.5 m, must be found again.
#include <cmath>
#include <cstdio>
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "pcanno/formats/kitti_calib.hpp"
#include "pcanno/formats/kitti_label.hpp"
#include "pcanno/formats/raw_bin.hpp"
#include "pcanno/geometry/box_fit.hpp"
#include "pcanno/geometry/iou.hpp"
#include "pcanno/geometry/kitti_convention.hpp"
#include "pcanno/geometry/points_in_cuboid.hpp"
#include "test_data.hpp"

namespace pcanno {
namespace {

namespace fs = std::filesystem;

Eigen::Vector3d class_prior(const std::string& type) {
  if (type == "Pedestrian") return {0.8, 0.6, 1.75};
  if (type == "Cyclist") return {1.8, 0.6, 1.75};
  if (type == "Van") return {5.0, 2.0, 2.1};
  return {4.2, 1.7, 1.55};
}

TEST(KittiBoxFit, SeededFitsRecoverGroundTruthBoxes) {
  const fs::path root = test::shared_data_dir() / "kitti_tracking/training";
  PCANNO_REQUIRE_DATA(root / "velodyne/0000/000019.bin");
  const auto calib = formats::read_kitti_calib(root / "calib/0000.txt");
  const auto rows = formats::read_kitti_tracking_labels(root / "label_02/0000.txt");
  ASSERT_TRUE(calib && rows);
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  std::map<std::string, std::pair<double, int>> by_class;
  double total = 0.0;
  int n = 0;
  int above_07 = 0;
  for (int frame = 0; frame < 20; ++frame) {
    char name[32];
    std::snprintf(name, sizeof(name), "velodyne/0000/%06d.bin", frame);
    const auto cloud = formats::read_kitti_bin(root / name);
    ASSERT_TRUE(cloud);
    const auto ground = geometry::GroundModel::fit(cloud->view());
    ASSERT_TRUE(ground);
    for (const auto& row : *rows) {
      if (row.frame != frame) continue;
      if (row.type != "Car" && row.type != "Van" && row.type != "Cyclist" &&
          row.type != "Pedestrian") {
        continue;
      }
      const geometry::Cuboid truth = geometry::kitti_camera_to_lidar(row.box, calib->T_rect_velo());
      if (geometry::points_in_cuboid(cloud->view(), truth).size() < 50) continue;
      // Up to 0.5 m away from the centre, in bird's-eye view.
      Eigen::Vector2d offset;
      do {
        offset = Eigen::Vector2d(unit(rng), unit(rng)) * 0.5;
      } while (offset.norm() > 0.5);
      geometry::FitOptions options;
      options.size_prior = class_prior(row.type);
      const auto fit =
          geometry::fit_box(cloud->view(), *ground,
                            truth.center + Eigen::Vector3d(offset.x(), offset.y(), 0.0), options);
      const double iou = fit ? geometry::iou_3d(fit->box, truth) : 0.0;
      total += iou;
      ++n;
      above_07 += iou >= 0.7;
      by_class[row.type].first += iou;
      ++by_class[row.type].second;
    }
  }
  ASSERT_GT(n, 0);
  const double mean = total / n;
  for (const auto& [type, sum_count] : by_class) {
    std::printf("fit %-10s n=%3d mean 3D IoU %.3f\n", type.c_str(), sum_count.second,
                sum_count.first / sum_count.second);
  }
  std::printf("fit all        n=%3d mean 3D IoU %.3f, >= 0.7: %.1f%%\n", n, mean,
              100.0 * above_07 / n);
  // Measured 0.656 (Van 0.71, Cyclist 0.63, Pedestrian 0.46); docs/automation.md tracks it.
  EXPECT_GT(mean, 0.6);
}

}  // namespace
}  // namespace pcanno
