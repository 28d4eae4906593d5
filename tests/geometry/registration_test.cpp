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
