// The scan-to-map odometry (geometry::ScanOdometry) on a generated street: every frame rendered in
// memory and fed to it, its poses compared with the scenario's truth. Minutes faster than writing
// the sequence and running `pcanno ego-motion` on it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include <Eigen/Geometry>

#include "pcanno/geometry/point_view.hpp"
#include "pcanno/geometry/scan_registration.hpp"
#include "pcanno/geometry/voxel_hash_map.hpp"
#include "synthetic/lidar_sequence.hpp"

namespace pcanno::synthetic {
namespace {

constexpr double kDeg = M_PI / 180.0;

geometry::PointView view_of(const ScanFrame& scan) {
  geometry::PointView view;
  if (scan.points.empty()) return view;
  view.x = &scan.points.front().x();
  view.y = view.x + 1;
  view.z = view.x + 2;
  view.stride = 4;  // Eigen::Vector4f: x, y, z, reflectance
  view.size = scan.points.size();
  return view;
}

/// T_lidar0_lidarf: the truth in the odometry's world frame (the first scan's LiDAR frame).
Eigen::Isometry3d truth_of(const Scenario& scenario, int frame) {
  return scenario.T_world_lidar.front().inverse() *
         scenario.T_world_lidar[static_cast<std::size_t>(frame)];
}

double angle_of(const Eigen::Isometry3d& T) { return Eigen::AngleAxisd(T.linear()).angle(); }

// The objective the odometry minimises is sound on this street: a map of the scans at their true
// poses, built as ScanOdometry builds it (its default voxels, gate and kernel at sigma's floor),
// holds every next scan at its true pose. Measured: at most 6.3 mm and 0.010 degrees.
TEST(ScanOdometryStreet, AMapBuiltAtTheTruthHoldsEveryScanAtTheTruth) {
  ScenarioOptions options;
  options.frames = 50;
  options.seed = 7;
  const Scenario scenario = make_scenario(options);
  const geometry::ScanOdometryOptions o;
  geometry::VoxelHashMap map(o.map_voxel, o.max_points_per_voxel,
                             o.map_voxel / std::sqrt(static_cast<double>(o.max_points_per_voxel)));
  geometry::MapIcpOptions icp;
  icp.max_correspondence = 3.0 * o.min_motion;
  icp.kernel = o.min_motion / 3.0;
  double worst_translation = 0.0;
  double worst_angle = 0.0;
  for (int f = 0; f < options.frames; ++f) {
    const ScanFrame scan = render_frame(scenario, f);
    const geometry::DoubleDownsampled thinned = geometry::double_downsample(
        view_of(scan), o.voxel / o.fine_factor, o.fine_factor, o.max_range);
    const Eigen::Isometry3d truth = truth_of(scenario, f);
    if (f > 0) {
      const geometry::IcpResult r = geometry::register_to_map(thinned.coarse, map, truth, icp);
      const Eigen::Isometry3d error = truth.inverse() * r.T_target_source;
      worst_translation = std::max(worst_translation, error.translation().norm());
      worst_angle = std::max(worst_angle, angle_of(error));
    }
    map.add(thinned.fine, truth);
    map.remove_far(truth.translation(), o.max_range);
    map.update_planes();
  }
  std::printf("from the truth on a truth map: worst %.4f m, %.4f deg\n", worst_translation,
              worst_angle / kDeg);
  EXPECT_LT(worst_translation, 0.02);
  EXPECT_LT(worst_angle, 0.02 * kDeg);
}

// The drive that ran away (issue 20): 90 m along the street, a stop of 3 s at the crossing, every
// scan with its actors. The street constrains a tilt paired with a shift along the road least;
// while the constant-velocity prediction carried the last motion's pitch and roll, the tilt the
// registration left in place came back doubled in the next prediction, and from frame 36 the pose
// ran off (25 m and 180 degrees by frame 60). Measured since the prediction carries yaw only:
// worst 0.050 m and 0.086 degrees.
TEST(ScanOdometryStreet, FollowsAGeneratedStreetOf120Frames) {
  ScenarioOptions options;
  options.frames = 120;
  options.seed = 7;
  const Scenario scenario = make_scenario(options);
  geometry::ScanOdometry odometry;
  double worst_translation = 0.0;
  double worst_angle = 0.0;
  for (int f = 0; f < options.frames; ++f) {
    const geometry::OdometryStep step = odometry.add_scan(view_of(render_frame(scenario, f)));
    const Eigen::Isometry3d error = truth_of(scenario, f).inverse() * step.T_world_lidar;
    worst_translation = std::max(worst_translation, error.translation().norm());
    worst_angle = std::max(worst_angle, angle_of(error));
  }
  std::printf("120 frames, seed 7: worst %.3f m, %.3f deg\n", worst_translation,
              worst_angle / kDeg);
  EXPECT_LT(worst_translation, 0.08);
  EXPECT_LT(worst_angle, 0.12 * kDeg);
}

}  // namespace
}  // namespace pcanno::synthetic
