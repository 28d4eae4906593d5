#pragma once
#include <random>

#include <Eigen/Geometry>

#include "pcanno/geometry/cuboid.hpp"

namespace pcanno::test {

inline Eigen::Quaterniond random_rotation(std::mt19937_64& rng) {
  // Uniform on SO(3): a normalised 4D Gaussian.
  std::normal_distribution<double> g(0.0, 1.0);
  Eigen::Quaterniond q(g(rng), g(rng), g(rng), g(rng));
  return q.normalized();
}

inline Eigen::Vector3d random_vector(std::mt19937_64& rng, double lo, double hi) {
  std::uniform_real_distribution<double> u(lo, hi);
  return Eigen::Vector3d(u(rng), u(rng), u(rng));
}

/// A box of plausible road-object size near `around`, rotated arbitrarily or yaw-only.
inline geometry::Cuboid random_box(std::mt19937_64& rng, const Eigen::Vector3d& around,
                                   double spread, bool upright) {
  std::uniform_real_distribution<double> yaw(-3.2, 3.2);
  geometry::Cuboid box;
  box.center = around + random_vector(rng, -spread, spread);
  box.size = random_vector(rng, 0.3, 5.0);
  box.rotation = upright ? Eigen::Quaterniond(Eigen::AngleAxisd(yaw(rng), Eigen::Vector3d::UnitZ()))
                         : random_rotation(rng);
  return box;
}

inline geometry::Pose random_pose(std::mt19937_64& rng, double translation_range) {
  geometry::Pose T = geometry::Pose::Identity();
  T.linear() = random_rotation(rng).toRotationMatrix();
  T.translation() = random_vector(rng, -translation_range, translation_range);
  return T;
}

}  // namespace pcanno::test
