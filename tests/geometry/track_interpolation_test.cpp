#include "pcanno/geometry/track_interpolation.hpp"

#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "pcanno/geometry/angles.hpp"
#include "pcanno/geometry/iou.hpp"

namespace pcanno::geometry {
namespace {

const Eigen::Vector3d kCarSize(4.2, 1.8, 1.6);

/// A car on a circle of radius `r` [m] at `speed` [m/s], heading along the path.
Cuboid on_circle(double t, double r, double speed) {
  const double angle = speed * t / r;
  return Cuboid::from_yaw(Eigen::Vector3d(r * std::sin(angle), r - r * std::cos(angle), -0.8),
                          kCarSize, angle);
}

TEST(TrackInterpolation, ReproducesKeyframesAndClampsOutside) {
  std::vector<BoxKey> keys;
  for (int k = 0; k < 4; ++k) keys.push_back({k * 1.0, on_circle(k * 1.0, 20.0, 8.0)});
  for (const BoxKey& key : keys) {
    const Cuboid at = interpolate_box(keys, key.time);
    EXPECT_LT((at.center - key.box.center).norm(), 1e-12);
    EXPECT_LT(rotation_angle_between(at.rotation, key.box.rotation), 1e-9);
  }
  EXPECT_EQ(interpolate_box(keys, -5.0).center, keys.front().box.center);
  EXPECT_EQ(interpolate_box(keys, 50.0).center, keys.back().box.center);
}

TEST(TrackInterpolation, ConstantVelocityIsExact) {
  // Hermite with finite-difference tangents reproduces any constant-velocity motion, whatever the
  // keyframe spacing.
  const Eigen::Vector3d v(7.5, -1.25, 0.05);
  const auto at = [&](double t) {
    return Cuboid::from_yaw(Eigen::Vector3d(3, 4, -1) + v * t, kCarSize, std::atan2(v.y(), v.x()));
  };
  std::vector<BoxKey> keys = {{0.0, at(0.0)}, {0.3, at(0.3)}, {1.7, at(1.7)}, {2.0, at(2.0)}};
  for (double t = 0.0; t <= 2.0; t += 0.05) {
    EXPECT_LT((interpolate_box(keys, t).center - at(t).center).norm(), 1e-9) << t;
  }
  EXPECT_LT((keyframe_velocity(keys, 1, TangentMode::kFiniteDifference) - v).norm(), 1e-9);
}

TEST(TrackInterpolation, TurningCarBeatsLinearAndHeadingAlignedHelps) {
  // Keyframes 1 s apart on a 15 m-radius turn at 10 m/s (38 degrees per second): the world-frame
  // Hermite curve stays on the arc, the linear baseline cuts the corner.
  const double r = 15.0;
  const double speed = 10.0;
  std::vector<BoxKey> keys;
  for (int k = 0; k <= 4; ++k) keys.push_back({k * 1.0, on_circle(k * 1.0, r, speed)});
  double iou_hermite = 0.0;
  double iou_heading = 0.0;
  double iou_linear = 0.0;
  int n = 0;
  for (double t = 1.05; t < 3.0; t += 0.1, ++n) {
    const Cuboid truth = on_circle(t, r, speed);
    iou_hermite += iou_3d(interpolate_box(keys, t), truth);
    InterpolationOptions heading;
    heading.tangent = TangentMode::kHeadingAligned;
    iou_heading += iou_3d(interpolate_box(keys, t, heading), truth);
    const std::size_t k = static_cast<std::size_t>(t);
    iou_linear += iou_3d(interpolate_box_linear(keys[k], keys[k + 1], t), truth);
  }
  iou_hermite /= n;
  iou_heading /= n;
  iou_linear /= n;
  EXPECT_GT(iou_hermite, 0.9);
  EXPECT_GT(iou_hermite, iou_linear);
  EXPECT_GE(iou_heading, iou_hermite - 1e-3);
}

TEST(TrackInterpolation, RotationTakesTheShortArcAndSizeCanBeHeld) {
  // Yaw from +170 to -170 degrees: the short way is through 180, never through 0.
  const double a = 170.0 * M_PI / 180.0;
  std::vector<BoxKey> keys = {{0.0, Cuboid::from_yaw({0, 0, 0}, kCarSize, a)},
                              {1.0, Cuboid::from_yaw({1, 0, 0}, {4.0, 1.7, 1.5}, -a)}};
  const Cuboid mid = interpolate_box(keys, 0.5);
  EXPECT_NEAR(std::abs(wrap_angle(mid.yaw())), M_PI, 1e-9);
  // The linear baseline, interpolating the numbers, turns the car around through 0.
  EXPECT_NEAR(interpolate_box_linear(keys[0], keys[1], 0.5).yaw(), 0.0, 1e-9);
  InterpolationOptions held;
  held.size = kCarSize;
  EXPECT_EQ(interpolate_box(keys, 0.5, held).size, kCarSize);
  EXPECT_LT((interpolate_box(keys, 0.5).size - Eigen::Vector3d(4.1, 1.75, 1.55)).norm(), 1e-12);
}

TEST(TrackInterpolation, PathIsContinuousAcrossKeyframes) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> jitter(-2.0, 2.0);
  std::vector<BoxKey> keys;
  for (int k = 0; k < 6; ++k) {
    keys.push_back(
        {k * 0.7, Cuboid::from_yaw(Eigen::Vector3d(5.0 * k + jitter(rng), jitter(rng), 0), kCarSize,
                                   0.2 * jitter(rng))});
  }
  // C1: the velocity just before and just after each interior keyframe agree.
  const double eps = 1e-6;
  for (std::size_t k = 1; k + 1 < keys.size(); ++k) {
    const double t = keys[k].time;
    const Eigen::Vector3d before =
        (interpolate_box(keys, t).center - interpolate_box(keys, t - eps).center) / eps;
    const Eigen::Vector3d after =
        (interpolate_box(keys, t + eps).center - interpolate_box(keys, t).center) / eps;
    EXPECT_LT((before - after).norm(), 1e-3 * std::max(1.0, before.norm())) << k;
  }
}

}  // namespace
}  // namespace pcanno::geometry
