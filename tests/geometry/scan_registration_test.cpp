// KISS-ICP-style odometry: the twice-thinned scan, the voxel hash map's nearest-neighbour query
// against brute force, the adaptive threshold against its definition, and known rigid motions of
// random structured scenes (each scan sampled afresh, so that no point repeats between scans).
#include "pcanno/geometry/scan_registration.hpp"

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "pcanno/geometry/registration.hpp"

namespace pcanno::geometry {
namespace {

constexpr double kDeg = M_PI / 180.0;

PointView view_of(const std::vector<float>& xyz) {
  return PointView::interleaved(xyz.data(), xyz.size() / 3, 3);
}

std::vector<float> to_floats(const std::vector<Eigen::Vector3d>& points) {
  std::vector<float> out;
  for (const Eigen::Vector3d& p : points) {
    out.insert(out.end(),
               {static_cast<float>(p.x()), static_cast<float>(p.y()), static_cast<float>(p.z())});
  }
  return out;
}

TEST(DoubleDownsample, CoarseAndFineSetsAreThePlainThinningsAtTheirVoxels) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> u(-70.0, 70.0);
  std::vector<Eigen::Vector3d> points;
  for (int i = 0; i < 20000; ++i) points.emplace_back(u(rng), u(rng), 0.05 * u(rng));
  // Points on voxel boundaries, at the origin's negative side, and returns to skip.
  points.emplace_back(0.0, -0.25, -0.5);
  points.emplace_back(-1e-9, 0.5, 0.25);
  points.emplace_back(std::nan(""), 1.0, 1.0);
  points.emplace_back(std::numeric_limits<double>::infinity(), 1.0, 1.0);
  const std::vector<float> xyz = to_floats(points);
  const PointView view = view_of(xyz);
  const DoubleDownsampled d = double_downsample(view, 0.25, 2, 60.0);
  EXPECT_EQ(d.fine, voxel_downsample(view, 0.25, 60.0));
  EXPECT_EQ(d.coarse, voxel_downsample(view, 0.5, 60.0));
  const DoubleDownsampled wide = double_downsample(view, 0.25, 4, 60.0);
  EXPECT_EQ(wide.coarse, voxel_downsample(view, 1.0, 60.0));
  const DoubleDownsampled everything = double_downsample(view, 0.25, 2, 0.0);
  EXPECT_EQ(everything.coarse, voxel_downsample(view, 0.5, 0.0));
  EXPECT_GT(d.fine.size(), d.coarse.size());
  EXPECT_GT(d.coarse.size(), wide.coarse.size());
}

TEST(VoxelHashMap, NearestIsTheBruteForceNearest) {
  std::mt19937 rng(6);
  std::uniform_real_distribution<double> u(-5.0, 5.0);
  std::vector<Eigen::Vector3d> points;
  for (int i = 0; i < 3000; ++i) points.emplace_back(u(rng), u(rng), u(rng));
  // Room for every point: the map holds exactly the input.
  VoxelHashMap map(0.5, 1000, 0.0);
  const Pose T = make_pose(Eigen::Quaterniond(Eigen::AngleAxisd(0.3, Eigen::Vector3d::UnitZ())),
                           Eigen::Vector3d(100.0, -40.0, 2.0));
  map.add(points, T);
  ASSERT_EQ(map.points(), points.size());
  for (int q = 0; q < 2000; ++q) {
    const Eigen::Vector3d p = T * Eigen::Vector3d(1.2 * u(rng), 1.2 * u(rng), 1.2 * u(rng));
    const double radius = q % 2 == 0 ? 0.3 : 0.9;
    const Eigen::Vector3d* best = nullptr;
    double best_d = radius;
    for (const Eigen::Vector3d& s : points) {
      const double d = (T * s - p).norm();
      if (d < best_d) {
        best_d = d;
        best = &s;
      }
    }
    const Eigen::Vector3d* found = map.nearest(p, radius);
    ASSERT_EQ(found == nullptr, best == nullptr) << q;
    if (best != nullptr) {
      EXPECT_NEAR((*found - p).norm(), best_d, 1e-12) << q;
    }
  }
}

TEST(VoxelHashMap, KeepsAFewSpacedPointsPerVoxelAndForgetsFarVoxels) {
  VoxelHashMap map(1.0, 3, 0.2);
  // Five points in voxel (0, 0, 0), two of them closer than 0.2 m to a kept one.
  map.add({{0.1, 0.1, 0.1}, {0.15, 0.1, 0.1}, {0.5, 0.5, 0.5}, {0.9, 0.9, 0.9}, {0.9, 0.1, 0.1}});
  EXPECT_EQ(map.voxels(), 1u);
  EXPECT_EQ(map.points(), 3u);  // the second is too close; the fifth finds the voxel full
  EXPECT_EQ(map.nearest({0.9, 0.1, 0.1}, 0.3), nullptr);
  map.add({{50.0, 0.5, 0.5}, {-50.2, 0.5, 0.5}});
  EXPECT_EQ(map.voxels(), 3u);
  map.remove_far({49.0, 0.0, 0.0}, 10.0);
  EXPECT_EQ(map.voxels(), 1u);
  EXPECT_EQ(map.points(), 1u);
  EXPECT_EQ(map.nearest({0.1, 0.1, 0.1}, 0.5), nullptr);
  ASSERT_NE(map.nearest({50.1, 0.5, 0.5}, 0.5), nullptr);
  EXPECT_EQ(*map.nearest({50.1, 0.5, 0.5}, 0.5), Eigen::Vector3d(50.0, 0.5, 0.5));
  // Still a working table after the rebuild: new voxels are found.
  map.add({{40.0, 0.0, 0.0}});
  ASSERT_NE(map.nearest({40.0, 0.0, 0.1}, 0.2), nullptr);
}

Pose turn_and_move(double yaw_deg, const Eigen::Vector3d& t) {
  return make_pose(Eigen::Quaterniond(Eigen::AngleAxisd(yaw_deg * kDeg, Eigen::Vector3d::UnitZ())),
                   t);
}

TEST(PredictedMotion, CarriesTheTranslationAndTheYawButNoPitchOrRoll) {
  const Eigen::Vector3d t(0.8, 0.05, -0.01);
  const Pose last = make_pose(
      Eigen::Quaterniond(Eigen::AngleAxisd(1.5 * kDeg, Eigen::Vector3d::UnitZ()) *
                         Eigen::AngleAxisd(0.3 * kDeg, Eigen::Vector3d::UnitY()) *
                         Eigen::AngleAxisd(-0.2 * kDeg, Eigen::Vector3d::UnitX())),
      t);
  const Pose next = predicted_motion(last);
  EXPECT_LT((next.translation() - t).norm(), 1e-12);
  // Upright: the z axis is kept, and the heading of the x axis is the motion's.
  EXPECT_LT((next.linear() * Eigen::Vector3d::UnitZ() - Eigen::Vector3d::UnitZ()).norm(), 1e-12);
  const Eigen::Vector3d x = next.linear() * Eigen::Vector3d::UnitX();
  EXPECT_NEAR(std::atan2(x.y(), x.x()), 1.5 * kDeg, 1e-9);
  // A pure turn is carried whole.
  const Pose turn =
      make_pose(Eigen::Quaterniond(Eigen::AngleAxisd(-2.0 * kDeg, Eigen::Vector3d::UnitZ())), t);
  EXPECT_TRUE(predicted_motion(turn).isApprox(turn, 1e-12));
}

TEST(AdaptiveThreshold, ModelErrorIsTheLargestDisplacementWithinRange) {
  // A pure translation moves every point by its length.
  EXPECT_NEAR(AdaptiveThreshold::model_error(turn_and_move(0, {0.3, 0.4, 0.0}), 50.0), 0.5, 1e-12);
  // A pure turn moves a point at range r along a chord of 2 r sin(angle / 2), whatever the axis.
  const Pose roll = make_pose(Eigen::Quaterniond(Eigen::AngleAxisd(0.02, Eigen::Vector3d::UnitX())),
                              Eigen::Vector3d::Zero());
  const Eigen::Vector3d far(0.0, 50.0, 0.0);
  EXPECT_NEAR(AdaptiveThreshold::model_error(roll, 50.0), (roll * far - far).norm(), 1e-12);
  // Both: their sum, a bound on the displacement of any point within range.
  const Pose both = turn_and_move(1.0, {0.1, 0.0, 0.0});
  EXPECT_NEAR(AdaptiveThreshold::model_error(both, 60.0), 0.1 + 120.0 * std::sin(0.5 * kDeg),
              1e-12);
}

TEST(AdaptiveThreshold, SigmaIsTheRmsOfPredictionErrorsFlooredAtTheMinimumMotion) {
  AdaptiveThreshold threshold(2.0, 0.1, 60.0);
  EXPECT_EQ(threshold.sigma(), 2.0);  // no evidence yet: the initial value
  // Errors within the sensor's noise count as the floor: a smooth drive settles there.
  threshold.update(Pose::Identity());
  threshold.update(turn_and_move(0.0, {0.05, 0.0, 0.0}));
  EXPECT_EQ(threshold.samples(), 2u);
  EXPECT_NEAR(threshold.sigma(), 0.1, 1e-12);
  threshold.update(turn_and_move(0.0, {0.3, 0.0, 0.0}));
  threshold.update(turn_and_move(0.0, {0.0, 0.0, -0.4}));
  EXPECT_NEAR(threshold.sigma(), std::sqrt((0.01 + 0.01 + 0.09 + 0.16) / 4.0), 1e-12);
  // A turn the prediction missed counts by how far it moves the farthest point.
  threshold.update(turn_and_move(0.2, {0.0, 0.0, 0.0}));
  const double turn = 120.0 * std::sin(0.1 * kDeg);
  EXPECT_NEAR(threshold.sigma(), std::sqrt((0.27 + turn * turn) / 5.0), 1e-12);
}

/// A random street-like scene: ground, building fronts, parked boxes and poles at random places
/// and orientations, sampled uniformly at random (a new sample per call) with `noise` [m].
class RandomScene {
 public:
  explicit RandomScene(unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (int i = 0; i < 24; ++i) {
      Box b;
      const bool building = i < 10;
      const double side = i % 2 == 0 ? -1.0 : 1.0;
      b.size = building ? Eigen::Vector3d(6 + 10 * u(rng), 3 + 4 * u(rng), 4 + 8 * u(rng))
                        : Eigen::Vector3d(1.5 + 3 * u(rng), 1.5 + 0.5 * u(rng), 1 + u(rng));
      b.centre = Eigen::Vector3d(-40 + 80 * u(rng), side * (building ? 12 + 6 * u(rng) : 6),
                                 -1.7 + b.size.z() / 2);
      b.yaw = (building ? 0.3 : 0.1) * (u(rng) - 0.5);
      boxes_.push_back(b);
    }
    for (int i = 0; i < 12; ++i) poles_.emplace_back(-40 + 80 * u(rng), (u(rng) - 0.5) * 16);
  }

  /// Points [world] within `range` of `T_world_lidar`, in the LiDAR frame.
  std::vector<Eigen::Vector3d> scan(const Pose& T_world_lidar, unsigned seed, double range = 40.0,
                                    double noise = 0.01) const {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::normal_distribution<double> n(0.0, noise);
    std::vector<Eigen::Vector3d> world;
    const auto sample = [&](const Eigen::Vector3d& o, const Eigen::Vector3d& a,
                            const Eigen::Vector3d& b, double per_m2) {
      const int count = static_cast<int>(a.norm() * b.norm() * per_m2);
      for (int k = 0; k < count; ++k) world.push_back(o + u(rng) * a + u(rng) * b);
    };
    sample({-50, -25, -1.7}, {100, 0, 0}, {0, 50, 0}, 12.0);
    for (const Box& box : boxes_) {
      const Eigen::Matrix3d R = Eigen::AngleAxisd(box.yaw, Eigen::Vector3d::UnitZ()).matrix();
      const Eigen::Vector3d h = box.size / 2;
      const Eigen::Vector3d ex = R.col(0) * box.size.x(), ey = R.col(1) * box.size.y();
      const Eigen::Vector3d ez(0, 0, box.size.z());
      const Eigen::Vector3d corner = box.centre - R * Eigen::Vector3d(h.x(), h.y(), h.z());
      sample(corner, ex, ez, 30.0);
      sample(corner + ey, ex, ez, 30.0);
      sample(corner, ey, ez, 30.0);
      sample(corner + ex, ey, ez, 30.0);
      sample(corner + ez, ex, ey, 30.0);
    }
    for (const Eigen::Vector2d& c : poles_) {
      for (int k = 0; k < 300; ++k) {
        const double a = 2 * M_PI * u(rng);
        world.emplace_back(c.x() + 0.15 * std::cos(a), c.y() + 0.15 * std::sin(a),
                           -1.7 + 5 * u(rng));
      }
    }
    std::vector<Eigen::Vector3d> out;
    const Pose T_lidar_world = T_world_lidar.inverse();
    for (const Eigen::Vector3d& w : world) {
      const Eigen::Vector3d p = T_lidar_world * w + Eigen::Vector3d(n(rng), n(rng), n(rng));
      if (p.head<2>().norm() <= range) out.push_back(p);
    }
    return out;
  }

 private:
  struct Box {
    Eigen::Vector3d centre, size;
    double yaw = 0.0;
  };
  std::vector<Box> boxes_;
  std::vector<Eigen::Vector2d> poles_;
};

double angle_of(const Pose& error) { return Eigen::AngleAxisd(error.linear()).angle(); }

TEST(RegisterToMap, RecoversKnownRigidMotionsOfRandomScenes) {
  for (unsigned seed = 1; seed <= 4; ++seed) {
    const RandomScene scene(seed);
    std::mt19937 rng(100 + seed);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    // A car's motion between scans: up to 1.5 m forward, a little sideways and up, up to 3
    // degrees of yaw and half a degree of pitch and roll.
    const Pose truth = make_pose(
        Eigen::Quaterniond(Eigen::AngleAxisd(3 * kDeg * u(rng), Eigen::Vector3d::UnitZ()) *
                           Eigen::AngleAxisd(0.5 * kDeg * u(rng), Eigen::Vector3d::UnitY()) *
                           Eigen::AngleAxisd(0.5 * kDeg * u(rng), Eigen::Vector3d::UnitX())),
        Eigen::Vector3d(1.5 * u(rng), 0.2 * u(rng), 0.05 * u(rng)));
    const std::vector<float> target = to_floats(scene.scan(Pose::Identity(), 2 * seed));
    const std::vector<float> source = to_floats(scene.scan(truth, 2 * seed + 1));
    const DoubleDownsampled t = double_downsample(view_of(target), 0.25, 2, 60.0);
    const DoubleDownsampled s = double_downsample(view_of(source), 0.25, 2, 60.0);
    VoxelHashMap map(1.0, 5, 0.3);
    map.add(t.fine);
    map.update_planes();
    // From a prior 30 cm and 1 degree off, as a constant-velocity guess is after a sharp brake.
    const Pose prior = truth * turn_and_move(1.0, {0.25, -0.15, 0.05});
    MapIcpOptions options;
    options.max_correspondence = 1.0;
    options.kernel = 0.3;
    const IcpResult r = register_to_map(s.coarse, map, prior, options);
    ASSERT_TRUE(r.converged) << seed;
    const Pose error = truth.inverse() * r.T_target_source;
    EXPECT_LT(error.translation().norm(), 0.01) << seed;
    EXPECT_LT(angle_of(error), 0.05 * kDeg) << seed;
    EXPECT_GT(r.fitness, 0.9) << seed;
  }
}

TEST(RegisterToMap, NoOverlapIsNotConvergedAndAStopEndsItAtOnce) {
  const RandomScene scene(9);
  const std::vector<float> xyz = to_floats(scene.scan(Pose::Identity(), 1));
  const DoubleDownsampled d = double_downsample(view_of(xyz), 0.25, 2, 60.0);
  VoxelHashMap map(1.0, 5);
  map.add(d.fine);
  map.update_planes();
  const IcpResult far = register_to_map(d.coarse, map, turn_and_move(0, {500, 0, 0}));
  EXPECT_FALSE(far.converged);
  EXPECT_EQ(far.pairs, 0u);
  MapIcpOptions options;
  int polls = 0;
  options.stop = [&] { return ++polls > 2; };
  const IcpResult stopped = register_to_map(d.coarse, map, turn_and_move(1, {0.5, 0, 0}), options);
  EXPECT_TRUE(stopped.stopped);
  EXPECT_FALSE(stopped.converged);
  EXPECT_EQ(stopped.iterations, 2);
  EXPECT_EQ(polls, 3);
}

TEST(ScanOdometry, FollowsADriveThroughARandomSceneWithinCentimetres) {
  const RandomScene scene(21);
  // 30 scans, 1.2 m apart along a bend that tightens then straightens (so the constant-velocity
  // prediction is wrong by a little at every scan), with a bump in pitch.
  std::vector<Pose> truth{Pose::Identity()};
  for (int f = 1; f < 30; ++f) {
    const double yaw = 0.8 * std::sin(f * 0.25);
    const Pose step =
        make_pose(Eigen::Quaterniond(
                      Eigen::AngleAxisd(yaw * kDeg, Eigen::Vector3d::UnitZ()) *
                      Eigen::AngleAxisd(0.2 * kDeg * std::cos(f * 0.7), Eigen::Vector3d::UnitY())),
                  Eigen::Vector3d(1.2, 0.0, 0.0));
    truth.push_back(truth.back() * step);
  }
  ScanOdometry odometry;
  double worst_translation = 0.0;
  double worst_angle = 0.0;
  for (int f = 0; f < 30; ++f) {
    const std::vector<float> xyz = to_floats(scene.scan(truth[f], 1000 + f));
    const OdometryStep step = odometry.add_scan(view_of(xyz));
    EXPECT_EQ(step.registered, f > 0) << f;
    const Pose error = truth[f].inverse() * step.T_world_lidar;
    worst_translation = std::max(worst_translation, error.translation().norm());
    worst_angle = std::max(worst_angle, angle_of(error));
    // Most of the scan pairs; not the poles (round, no plane per voxel) and not what lies within
    // the gate of no plane once the gate has tightened to the prediction's error.
    if (f > 0) {
      EXPECT_GT(step.fitness, 0.7) << f;
    }
  }
  std::printf("30 scans, 34.8 m: worst %.4f m, %.4f deg; sigma %.3f m from %zu samples\n",
              worst_translation, worst_angle / kDeg, odometry.threshold().sigma(),
              odometry.threshold().samples());
  EXPECT_LT(worst_translation, 0.05);
  EXPECT_LT(worst_angle, 0.1 * kDeg);
  // The map forgets what is out of range: it spans no more than the range around the last scan.
  EXPECT_EQ(odometry.scans(), 30u);
}

TEST(ScanOdometry, AStoppedScanLeavesTheOdometryAsItWas) {
  const RandomScene scene(22);
  ScanOdometry odometry;
  const std::vector<float> first = to_floats(scene.scan(Pose::Identity(), 1));
  const std::vector<float> second = to_floats(scene.scan(turn_and_move(0.5, {1.0, 0, 0}), 2));
  odometry.add_scan(view_of(first));
  const std::size_t points = odometry.map().points();
  const OdometryStep stopped = odometry.add_scan(view_of(second), [] { return true; });
  EXPECT_TRUE(stopped.stopped);
  EXPECT_EQ(odometry.scans(), 1u);
  EXPECT_EQ(odometry.map().points(), points);
  const OdometryStep step = odometry.add_scan(view_of(second));
  EXPECT_TRUE(step.registered);
  EXPECT_LT((step.T_world_lidar.translation() - Eigen::Vector3d(1.0, 0, 0)).norm(), 0.02);
}

}  // namespace
}  // namespace pcanno::geometry
