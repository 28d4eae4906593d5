#include "pcanno/geometry/registration.hpp"

#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace pcanno::geometry {
namespace {

/// A street: road, two building fronts, a few parked boxes; 10 cm sampling, 1 cm noise.
std::vector<Eigen::Vector3d> street(std::mt19937& rng) {
  std::normal_distribution<double> noise(0.0, 0.01);
  std::vector<Eigen::Vector3d> out;
  const auto add = [&](const Eigen::Vector3d& p) {
    out.push_back(p + Eigen::Vector3d(noise(rng), noise(rng), noise(rng)));
  };
  for (double x = -30; x <= 30; x += 0.2) {
    for (double y = -8; y <= 8; y += 0.2) add({x, y, -1.7});
    for (double z = -1.7; z <= 4; z += 0.2) {
      add({x, -8, z});
      add({x, 8 + 0.05 * x, z});  // not parallel: constrains x as well
    }
  }
  for (const double cx : {-12.0, 3.0, 17.0}) {
    for (double x = cx - 2; x <= cx + 2; x += 0.1) {
      for (double z = -1.7; z <= -0.2; z += 0.1) add({x, 5.0, z});
    }
    for (double y = 5.0; y <= 6.8; y += 0.1) {
      for (double z = -1.7; z <= -0.2; z += 0.1) add({cx - 2, y, z});
    }
  }
  return out;
}

TEST(Registration, RecoversAKnownMotion) {
  std::mt19937 rng(11);
  const std::vector<Eigen::Vector3d> target = voxel_downsample(street(rng), 0.3);
  // The car drove 1.2 m forward, 0.1 m left, and turned 3 degrees: the new scan sees the same
  // street from there.
  const Pose T_target_source =
      make_pose(Eigen::Quaterniond(Eigen::AngleAxisd(3.0 * M_PI / 180, Eigen::Vector3d::UnitZ())),
                Eigen::Vector3d(1.2, 0.1, 0.02));
  std::vector<Eigen::Vector3d> source;
  for (const Eigen::Vector3d& p : street(rng)) source.push_back(T_target_source.inverse() * p);
  source = voxel_downsample(source, 0.3);

  // Started from a constant-velocity guess 30 cm and 1 degree off.
  const Pose prior =
      make_pose(Eigen::Quaterniond(Eigen::AngleAxisd(2.0 * M_PI / 180, Eigen::Vector3d::UnitZ())),
                Eigen::Vector3d(0.9, 0.0, 0.0));
  const IcpResult r = register_point_to_plane(source, target, prior);
  ASSERT_TRUE(r.converged);
  const Pose error = T_target_source.inverse() * r.T_target_source;
  EXPECT_LT(error.translation().norm(), 0.02);
  EXPECT_LT(Eigen::AngleAxisd(error.linear()).angle(), 0.1 * M_PI / 180);
  EXPECT_GT(r.fitness, 0.8);
  EXPECT_LT(r.rmse, 0.05);
}

TEST(Registration, NoOverlapIsNotConverged) {
  std::mt19937 rng(12);
  const std::vector<Eigen::Vector3d> target = voxel_downsample(street(rng), 0.3);
  std::vector<Eigen::Vector3d> far;
  for (const Eigen::Vector3d& p : target) far.push_back(p + Eigen::Vector3d(500, 0, 0));
  const IcpResult r = register_point_to_plane(far, target, Pose::Identity());
  EXPECT_FALSE(r.converged);
  EXPECT_EQ(r.pairs, 0u);
}

TEST(Registration, AStopPredicateEndsItAtOnce) {
  std::mt19937 rng(13);
  const std::vector<Eigen::Vector3d> target = voxel_downsample(street(rng), 0.3);
  std::vector<Eigen::Vector3d> source;
  for (const Eigen::Vector3d& p : target) source.push_back(p + Eigen::Vector3d(0.5, 0.2, 0.0));
  const Pose prior = Pose::Identity();
  // Unstopped, it takes several iterations from a prior half a metre off.
  const IcpResult full = register_point_to_plane(source, target, prior);
  ASSERT_TRUE(full.converged);
  ASSERT_GT(full.iterations, 2);
  EXPECT_FALSE(full.stopped);
  // Asked to stop at the third poll (normals, then iterations): it returns there, unconverged.
  int polls = 0;
  IcpOptions options;
  options.stop = [&] { return ++polls >= 3; };
  const IcpResult stopped = register_point_to_plane(source, target, prior, options);
  EXPECT_TRUE(stopped.stopped);
  EXPECT_FALSE(stopped.converged);
  EXPECT_EQ(polls, 3);
  EXPECT_LT(stopped.iterations, full.iterations);
  // The point-to-point variant polls before every iteration too.
  polls = 0;
  const IcpResult yaw = register_point_to_point_yaw(source, target, prior, options);
  EXPECT_TRUE(yaw.stopped);
  EXPECT_EQ(yaw.iterations, 2);
}

/// A pedestrian seen by a 64-beam scanner at 15 m: a few dozen returns on a body with no planes.
std::vector<Eigen::Vector3d> pedestrian(std::mt19937& rng, std::size_t n) {
  std::uniform_real_distribution<double> angle(-M_PI / 2, M_PI / 2);  // the side facing the sensor
  std::uniform_real_distribution<double> height(0.0, 1.7);
  std::normal_distribution<double> noise(0.0, 0.01);
  std::vector<Eigen::Vector3d> out;
  for (std::size_t i = 0; i < n; ++i) {
    const double z = height(rng);
    const double r = z > 1.45 ? 0.1 : (z > 0.8 ? 0.22 : 0.15);  // head, torso, legs
    const double a = angle(rng);
    out.push_back(Eigen::Vector3d(15.0 - r * std::cos(a), 2.0 + r * std::sin(a), z - 1.7) +
                  Eigen::Vector3d(noise(rng), noise(rng), noise(rng)));
  }
  return out;
}

TEST(Registration, PointToPointYawFollowsASparseObjectWithoutPlanes) {
  std::mt19937 rng(21);
  const std::vector<Eigen::Vector3d> source = pedestrian(rng, 40);
  // One scan later: 15 cm forward, 5 cm aside, a 4 degree turn about the body's axis, and the
  // scanner hits other spots on the body.
  const Eigen::Vector3d axis(15.0, 2.0, 0.0);
  Pose T_target_source = Pose::Identity();
  T_target_source.linear() =
      Eigen::AngleAxisd(4.0 * M_PI / 180, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  T_target_source.translation() =
      axis + Eigen::Vector3d(0.15, 0.05, 0.0) - T_target_source.linear() * axis;
  std::vector<Eigen::Vector3d> target;
  for (const Eigen::Vector3d& p : pedestrian(rng, 60)) target.push_back(T_target_source * p);

  IcpOptions options;
  options.max_correspondence = 0.5;
  const IcpResult r = register_point_to_point_yaw(source, target, Pose::Identity(), options);
  ASSERT_GE(r.pairs, 30u);
  EXPECT_GT(r.fitness, 0.9);
  // Different samples of a body are only a few centimetres apart, so that is the accuracy.
  const Eigen::Vector3d centre = axis;
  EXPECT_LT((r.T_target_source * centre - T_target_source * centre).head<2>().norm(), 0.06);
  // Roll and pitch are never introduced.
  EXPECT_NEAR(r.T_target_source.linear()(2, 2), 1.0, 1e-12);

  // The same cloud moved exactly: recovered exactly.
  std::vector<Eigen::Vector3d> exact;
  for (const Eigen::Vector3d& p : source) exact.push_back(T_target_source * p);
  const IcpResult e = register_point_to_point_yaw(source, exact, Pose::Identity(), options);
  ASSERT_TRUE(e.converged);
  EXPECT_LT((e.T_target_source.matrix() - T_target_source.matrix()).norm(), 1e-4);
  EXPECT_NEAR(e.fitness, 1.0, 1e-12);
  EXPECT_LT(e.rmse, 1e-4);
}

TEST(Registration, PointToPointYawWithoutOverlapReportsNoPairs) {
  std::mt19937 rng(22);
  const std::vector<Eigen::Vector3d> source = pedestrian(rng, 40);
  std::vector<Eigen::Vector3d> far;
  for (const Eigen::Vector3d& p : source) far.push_back(p + Eigen::Vector3d(0, 30, 0));
  const IcpResult r = register_point_to_point_yaw(source, far, Pose::Identity());
  EXPECT_FALSE(r.converged);
  EXPECT_EQ(r.pairs, 0u);
  EXPECT_EQ(register_point_to_point_yaw({}, far, Pose::Identity()).pairs, 0u);
}

TEST(Registration, VoxelDownsampleKeepsOnePointPerVoxel) {
  std::vector<float> x = {0.01f, 0.02f, 0.6f, 100.f, NAN};
  std::vector<float> y = {0.f, 0.f, 0.f, 0.f, 0.f};
  std::vector<float> z = {0.f, 0.f, 0.f, 0.f, 0.f};
  const auto kept = voxel_downsample(PointView::soa(x.data(), y.data(), z.data(), 5), 0.5, 50.0);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_FLOAT_EQ(static_cast<float>(kept[0].x()), 0.01f);
  EXPECT_FLOAT_EQ(static_cast<float>(kept[1].x()), 0.6f);
}

}  // namespace
}  // namespace pcanno::geometry
