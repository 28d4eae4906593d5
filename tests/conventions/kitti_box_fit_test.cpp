// One-click fitting on the official KITTI ground truth: every Car, Van, Cyclist and Pedestrian box
// with at least 50 points, in tracking sequence 0000 frames 0-19 and the three object frames, is
// seeded at its centre moved by up to 0.5 m and fitted; the IoU with the truth is compared with an
// axis-aligned min/max box around the same cluster (the baseline tools without fitting draw).
// These 62 boxes are every labelled box of the four classes with 50 points or more that the shared
// real data holds: tracking 0000 frames 0-19 has no Car row (Van 35, Cyclist 20, Pedestrian 6),
// object frame 000001's Car holds 9 points at 61 m, and nuScenes scene-0061's cars hold at most 45
// (its num_lidar_pts). So Car is one box: object frame 000002's, beside a hedge taller than it.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "kitti_fixtures.hpp"
#include "pcanno/formats/clouds/raw_bin.hpp"
#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "pcanno/formats/labels/class_schema.hpp"
#include "pcanno/formats/labels/kitti/label.hpp"
#include "pcanno/geometry/box_fit.hpp"
#include "pcanno/geometry/iou.hpp"
#include "pcanno/geometry/kitti_convention.hpp"
#include "pcanno/geometry/points_in_cuboid.hpp"
#include "pcanno/plugin/automation/class_fit.hpp"
#include "test_data.hpp"

namespace pcanno {
namespace {

namespace fs = std::filesystem;

/// PCANNO_TEST_VERBOSE=1 prints every box (and every box left out for too few points).
bool verbose() { return std::getenv("PCANNO_TEST_VERBOSE") != nullptr; }

struct Scores {
  std::vector<double> fit_bev, fit_3d, aabb_bev, aabb_3d;
};

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// The min/max box of the cluster the fitter found, axis-aligned in the LiDAR frame.
geometry::Cuboid aabb(const geometry::PointView& view, const std::vector<std::size_t>& ids) {
  Eigen::Vector3d lo = Eigen::Vector3d::Constant(1e9);
  Eigen::Vector3d hi = -lo;
  for (const std::size_t i : ids) {
    const std::size_t k = i * view.stride;
    const Eigen::Vector3d p(view.x[k], view.y[k], view.z[k]);
    lo = lo.cwiseMin(p);
    hi = hi.cwiseMax(p);
  }
  return geometry::Cuboid::from_yaw(0.5 * (lo + hi), (hi - lo).cwiseMax(0.05), 0.0);
}

/// Fits every eligible box of one frame and records both IoUs per class.
/// With `hinted`, the heading of the track's box in the previous frame is the fitter's heading
/// hint, as the cuboid tool passes it when a person clicks an object already labelled a frame
/// earlier.
void score_frame(const fs::path& bin, const Eigen::Matrix4d& T_rect_velo,
                 const std::vector<formats::KittiLabelRow>& rows, int frame, bool hinted,
                 std::mt19937& rng, std::map<std::string, Scores>& by_class) {
  const auto cloud = formats::read_kitti_bin(bin);
  ASSERT_TRUE(cloud) << bin;
  const auto ground = geometry::GroundModel::fit(cloud->view());
  ASSERT_TRUE(ground) << bin;
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  for (const auto& row : rows) {
    if (row.frame != frame) continue;
    if (row.type != "Car" && row.type != "Van" && row.type != "Cyclist" &&
        row.type != "Pedestrian") {
      continue;
    }
    const geometry::Cuboid truth = geometry::kitti_camera_to_lidar(row.box, T_rect_velo);
    const std::size_t n_in = geometry::points_in_cuboid(cloud->view(), truth).size();
    if (verbose() && !hinted && n_in < 50) {
      std::printf("skip %s frame %d track %d: %zu points, %.1f m\n", row.type.c_str(), frame,
                  row.track_id, n_in, truth.center.head<2>().norm());
    }
    if (n_in < 50) continue;
    Eigen::Vector2d offset;  // up to 0.5 m from the centre, in bird's-eye view
    do {
      offset = Eigen::Vector2d(unit(rng), unit(rng)) * 0.5;
    } while (offset.norm() > 0.5);
    // The class's prior and kind from the default schema, through the tools' own path.
    geometry::FitOptions options = plugin::class_fit_options(formats::make_class_spec(row.type));
    for (const auto& before : rows) {
      if (hinted && frame > 0 && before.frame == frame - 1 && before.track_id == row.track_id) {
        options.heading_hint = geometry::kitti_camera_to_lidar(before.box, T_rect_velo).yaw();
      }
    }
    const auto fit =
        geometry::fit_box(cloud->view(), *ground,
                          truth.center + Eigen::Vector3d(offset.x(), offset.y(), 0.0), options);
    Scores& s = by_class[row.type];
    if (verbose()) {
      std::printf("%s %s frame %d track %d: %zu points, %.1f m, truth %.2fx%.2fx%.2f, fit "
                  "%.2fx%.2fx%.2f dyaw %.0f, bev %.3f, cut %d prior %d\n",
                  hinted ? "H" : "-", row.type.c_str(), frame, row.track_id, n_in,
                  truth.center.head<2>().norm(), truth.size.x(), truth.size.y(), truth.size.z(),
                  fit ? fit->box.size.x() : 0.0, fit ? fit->box.size.y() : 0.0,
                  fit ? fit->box.size.z() : 0.0,
                  fit ? std::remainder(fit->box.yaw() - truth.yaw(), M_PI) * 180 / M_PI : 0.0,
                  fit ? geometry::iou_bev(fit->box, truth) : 0.0, fit && fit->cut_to_prior ? 1 : 0,
                  fit && fit->used_prior ? 1 : 0);
    }
    s.fit_bev.push_back(fit ? geometry::iou_bev(fit->box, truth) : 0.0);
    s.fit_3d.push_back(fit ? geometry::iou_3d(fit->box, truth) : 0.0);
    const geometry::Cuboid base = fit ? aabb(cloud->view(), fit->point_ids) : geometry::Cuboid{};
    s.aabb_bev.push_back(fit ? geometry::iou_bev(base, truth) : 0.0);
    s.aabb_3d.push_back(fit ? geometry::iou_3d(base, truth) : 0.0);
  }
}

std::map<std::string, Scores> score_all(bool hinted) {
  const fs::path tracking = test::kitti_tracking_root();
  const fs::path object = test::kitti_object_root();
  std::mt19937 rng(42);
  std::map<std::string, Scores> by_class;

  const auto calib = formats::read_kitti_calib(tracking / "calib/0000.txt");
  const auto rows = formats::read_kitti_tracking_labels(tracking / "label_02/0000.txt");
  EXPECT_TRUE(calib && rows);
  if (!calib || !rows) return by_class;
  for (int frame = 0; frame < 20; ++frame) {
    char name[32];
    std::snprintf(name, sizeof(name), "velodyne/0000/%06d.bin", frame);
    score_frame(tracking / name, calib->T_rect_velo(), *rows, frame, hinted, rng, by_class);
  }
  for (int frame = 0; frame < 3; ++frame) {
    char stem[16];
    std::snprintf(stem, sizeof(stem), "%06d", frame);
    const auto object_calib =
        formats::read_kitti_calib(object / "calib" / (stem + std::string(".txt")));
    const auto object_rows =
        formats::read_kitti_object_labels(object / "label_2" / (stem + std::string(".txt")));
    EXPECT_TRUE(object_calib && object_rows) << stem;
    if (!object_calib || !object_rows) continue;
    score_frame(object / "velodyne" / (stem + std::string(".bin")), object_calib->T_rect_velo(),
                *object_rows, -1, hinted, rng, by_class);
  }

  return by_class;
}

TEST(KittiBoxFit, SeededFitsRecoverGroundTruthBoxesBetterThanMinMaxBoxes) {
  const fs::path tracking = test::kitti_tracking_root();
  const fs::path object = test::kitti_object_root();
  PCANNO_REQUIRE_DATA(tracking / "velodyne/0000/000019.bin");
  PCANNO_REQUIRE_DATA(object / "velodyne/000002.bin");
  for (const bool hinted : {false, true}) {
    SCOPED_TRACE(hinted ? "heading hint from the previous frame" : "no hint");
    const std::map<std::string, Scores> by_class = score_all(hinted);
    std::printf("%s\n%-10s %4s | %-17s | %-17s\n",
                hinted ? "heading hint from the previous frame:" : "no heading hint:", "class", "n",
                "fit median BEV/3D", "min/max BEV/3D");
    std::size_t total = 0;
    for (const auto& [type, s] : by_class) {
      total += s.fit_3d.size();
      std::printf("%-10s %4zu | %.3f / %.3f     | %.3f / %.3f\n", type.c_str(), s.fit_3d.size(),
                  median(s.fit_bev), median(s.fit_3d), median(s.aabb_bev), median(s.aabb_3d));
    }
    EXPECT_EQ(total, 62u);
    // Vans, cyclists and pedestrians show their heading in their points (a van's faces, the
    // wheels and legs below half a rider's or walker's height): the fit beats the min/max box.
    for (const char* type : {"Van", "Cyclist", "Pedestrian"}) {
      const Scores& s = by_class.at(type);
      EXPECT_GT(median(s.fit_bev), median(s.aabb_bev)) << type;
      EXPECT_GT(median(s.fit_3d), median(s.aabb_3d)) << type;
    }
    // Regression floors a little below the figures in docs/automation.md ("One-click fit"):
    // vans 0.863 either way; cyclists 0.818 / 0.821 without / with the hint; pedestrians 0.692 /
    // 0.749. The single Car (0.538 since the fit leaves out what rises above a car; 0.341 before)
    // is no class median, but its floor guards the car-beside-a-taller-hedge case.
    EXPECT_GE(median(by_class.at("Van").fit_bev), 0.84);
    EXPECT_GE(median(by_class.at("Cyclist").fit_bev), 0.79);
    EXPECT_GE(median(by_class.at("Pedestrian").fit_bev), hinted ? 0.72 : 0.67);
    ASSERT_EQ(by_class.at("Car").fit_bev.size(), 1u);
    EXPECT_GE(by_class.at("Car").fit_bev.front(), 0.50);
  }
}

}  // namespace
}  // namespace pcanno
