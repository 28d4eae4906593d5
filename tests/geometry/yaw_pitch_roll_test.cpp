#include "pcanno/geometry/yaw_pitch_roll.hpp"

#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "pcanno/geometry/angles.hpp"
#include "pcanno/geometry/cuboid.hpp"
#include "random_boxes.hpp"

namespace pcanno::geometry {
namespace {

constexpr double kDeg = kPi / 180.0;

Eigen::Vector3d axis_of(const Eigen::Quaterniond& q, int axis) {
  return q * Eigen::Vector3d::Unit(axis);
}

TEST(YawPitchRollAngles, SignsFollowTheDocumentedConvention) {
  // Yaw 90 deg: the nose points left (parent +y).
  EXPECT_TRUE(axis_of(quaternion_from_yaw_pitch_roll({90 * kDeg, 0, 0}), 0)
                  .isApprox(Eigen::Vector3d(0, 1, 0), 1e-12));
  // Pitch 30 deg: the nose goes down by 30 deg.
  EXPECT_TRUE(axis_of(quaternion_from_yaw_pitch_roll({0, 30 * kDeg, 0}), 0)
                  .isApprox(Eigen::Vector3d(std::sqrt(3.0) / 2, 0, -0.5), 1e-12));
  // Roll 30 deg: the left side goes up by 30 deg.
  EXPECT_TRUE(axis_of(quaternion_from_yaw_pitch_roll({0, 0, 30 * kDeg}), 1)
                  .isApprox(Eigen::Vector3d(0, std::sqrt(3.0) / 2, 0.5), 1e-12));
  // Intrinsic order: pitch is about the yawed box's +y, so a car facing +y pitched nose-down
  // has its nose at (0, cos, -sin).
  EXPECT_TRUE(axis_of(quaternion_from_yaw_pitch_roll({90 * kDeg, 30 * kDeg, 0}), 0)
                  .isApprox(Eigen::Vector3d(0, std::sqrt(3.0) / 2, -0.5), 1e-12));
}

TEST(YawPitchRollAngles, YawAgreesWithTheCuboidHeading) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000; ++i) {
    const Cuboid box{Eigen::Vector3d::Zero(), Eigen::Vector3d::Ones(), test::random_rotation(rng)};
    EXPECT_NEAR(angle_difference(yaw_pitch_roll(box.rotation).yaw, box.yaw()), 0.0, 1e-12);
  }
}

TEST(YawPitchRollAngles, AnglesRoundTripInsideTheirRanges) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> turn(-kPi + 1e-6, kPi - 1e-6);
  std::uniform_real_distribution<double> tilt(-kPi / 2 + 1e-3, kPi / 2 - 1e-3);
  for (int i = 0; i < 2000; ++i) {
    const YawPitchRoll a{turn(rng), tilt(rng), turn(rng)};
    const YawPitchRoll b = yaw_pitch_roll(quaternion_from_yaw_pitch_roll(a));
    EXPECT_NEAR(b.yaw, a.yaw, 1e-9);
    EXPECT_NEAR(b.pitch, a.pitch, 1e-9);
    EXPECT_NEAR(b.roll, a.roll, 1e-9);
  }
}

TEST(YawPitchRollAngles, RotationsRoundTripEverywhereIncludingGimbalLock) {
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<double> turn(-kPi, kPi);
  std::uniform_real_distribution<double> sign(-1.0, 1.0);
  const auto check = [](const Eigen::Quaterniond& q) {
    const YawPitchRoll a = yaw_pitch_roll(q);
    ASSERT_TRUE(std::isfinite(a.yaw) && std::isfinite(a.pitch) && std::isfinite(a.roll));
    EXPECT_GE(a.pitch, -kPi / 2);
    EXPECT_LE(a.pitch, kPi / 2);
    EXPECT_LE(std::abs(a.yaw), kPi);
    EXPECT_LE(std::abs(a.roll), kPi);
    EXPECT_LT(quaternion_from_yaw_pitch_roll(a).angularDistance(q), 1e-9)
        << "yaw " << a.yaw << " pitch " << a.pitch << " roll " << a.roll;
  };
  for (int i = 0; i < 2000; ++i) check(test::random_rotation(rng));
  // At and within a hair of pitch +-90 deg yaw and roll are nearly one axis; the rotation must
  // still come back.
  for (double gap : {0.0, 1e-15, 1e-12, 1e-9, 1e-7, 1e-5}) {
    for (int i = 0; i < 200; ++i) {
      const double pitch = (sign(rng) < 0 ? -1.0 : 1.0) * (kPi / 2 - gap);
      check(quaternion_from_yaw_pitch_roll({turn(rng), pitch, turn(rng)}));
    }
  }
}

TEST(YawPitchRollAngles, StraightUpHasNoYaw) {
  const YawPitchRoll a = yaw_pitch_roll(quaternion_from_yaw_pitch_roll({0.7, -kPi / 2, 0.2}));
  EXPECT_NEAR(a.pitch, -kPi / 2, 1e-12);
  EXPECT_EQ(a.yaw, 0.0);  // the documented choice: roll takes the whole turn
}

TEST(YawPitchRollAngles, NonUnitQuaternionsAreNormalisedAndBadOnesGiveNaN) {
  const Eigen::Quaterniond unit = quaternion_from_yaw_pitch_roll({0.3, 0.2, -0.1});
  Eigen::Quaterniond scaled = unit;
  scaled.coeffs() *= 3.0;
  const YawPitchRoll a = yaw_pitch_roll(scaled);
  EXPECT_NEAR(a.yaw, 0.3, 1e-12);
  EXPECT_NEAR(a.pitch, 0.2, 1e-12);
  EXPECT_NEAR(a.roll, -0.1, 1e-12);
  EXPECT_TRUE(std::isnan(yaw_pitch_roll(Eigen::Quaterniond(0, 0, 0, 0)).yaw));
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(std::isnan(yaw_pitch_roll(Eigen::Quaterniond(inf, 0, 0, 0)).pitch));
  EXPECT_TRUE(std::isnan(tilt_angle(Eigen::Quaterniond(0, 0, 0, 0))));
}

TEST(YawPitchRollAngles, TiltAngleIgnoresYawAndIsExactNearZero) {
  EXPECT_EQ(tilt_angle(quaternion_from_yaw_pitch_roll({2.5, 0, 0})), 0.0);
  EXPECT_NEAR(tilt_angle(quaternion_from_yaw_pitch_roll({2.5, 1e-8, 0})), 1e-8, 1e-15);
  EXPECT_NEAR(tilt_angle(quaternion_from_yaw_pitch_roll({-1.0, 0, -3e-7})), 3e-7, 1e-15);
  EXPECT_NEAR(tilt_angle(quaternion_from_yaw_pitch_roll({0, kPi / 2, 0})), kPi / 2, 1e-12);
}

}  // namespace
}  // namespace pcanno::geometry
