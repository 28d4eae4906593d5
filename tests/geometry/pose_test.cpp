#include "pcanno/geometry/pose.hpp"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "pcanno/geometry/angles.hpp"
#include "random_boxes.hpp"

namespace pcanno::geometry {
namespace {

constexpr double kTol = 1e-12;

TEST(Angles, WrapIntoHalfOpenRange) {
  EXPECT_DOUBLE_EQ(wrap_angle(0.0), 0.0);
  EXPECT_NEAR(wrap_angle(3.0 * kPi / 2.0), -kPi / 2.0, kTol);
  EXPECT_NEAR(wrap_angle(-3.0 * kPi / 2.0), kPi / 2.0, kTol);
  EXPECT_NEAR(wrap_angle(kPi), -kPi, kTol);
  EXPECT_NEAR(wrap_angle(101.0 * kPi + 0.25), -kPi + 0.25, 1e-9);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-100.0, 100.0);
  for (int i = 0; i < 1000; ++i) {
    const double a = u(rng);
    const double w = wrap_angle(a);
    EXPECT_GE(w, -kPi);
    EXPECT_LT(w, kPi);
    EXPECT_NEAR(std::remainder(a - w, 2.0 * kPi), 0.0, 1e-12);
  }
  EXPECT_TRUE(std::isnan(wrap_angle(std::nan(""))));
}

TEST(Angles, DifferenceTakesShortWay) {
  EXPECT_NEAR(angle_difference(kPi - 0.1, -kPi + 0.1), -0.2, kTol);
  EXPECT_NEAR(angle_difference(-kPi + 0.1, kPi - 0.1), 0.2, kTol);
}

TEST(Pose, ComposeWithInverseIsIdentity) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 200; ++i) {
    const Pose T = test::random_pose(rng, 500.0);
    EXPECT_TRUE(compose(T, invert(T)).isApprox(Pose::Identity(), 1e-12));
    EXPECT_TRUE(compose(invert(T), T).isApprox(Pose::Identity(), 1e-12));
    EXPECT_TRUE(invert(invert(T)).isApprox(T, 1e-12));
  }
}

TEST(Pose, ComposeIsAssociativeAndMapsPoints) {
  std::mt19937_64 rng(2);
  for (int i = 0; i < 100; ++i) {
    const Pose A = test::random_pose(rng, 50.0), B = test::random_pose(rng, 50.0),
               C = test::random_pose(rng, 50.0);
    EXPECT_TRUE(compose(compose(A, B), C).isApprox(compose(A, compose(B, C)), 1e-12));
    const Eigen::Vector3d p = test::random_vector(rng, -10, 10);
    EXPECT_TRUE((compose(A, B) * p).isApprox(A * (B * p), 1e-12));
    // The inverse undoes the point mapping.
    EXPECT_TRUE((invert(A) * (A * p)).isApprox(p, 1e-12));
  }
}

TEST(Pose, InterpolateHitsEndpointsAndSlerpsMidway) {
  const Pose a = make_pose(quaternion_from_yaw(0.2), Eigen::Vector3d(0, 0, 0));
  const Pose b = make_pose(quaternion_from_yaw(1.4), Eigen::Vector3d(10, -4, 2));
  EXPECT_TRUE(interpolate(a, b, 0.0).isApprox(a, 1e-12));
  EXPECT_TRUE(interpolate(a, b, 1.0).isApprox(b, 1e-12));
  const Pose mid = interpolate(a, b, 0.5);
  EXPECT_NEAR(yaw_pitch_roll(Eigen::Quaterniond(mid.linear())).yaw, 0.8, 1e-12);
  EXPECT_TRUE(mid.translation().isApprox(Eigen::Vector3d(5, -2, 1), 1e-12));
}

TEST(Pose, InterpolateTakesShortestArcAcrossPi) {
  const Pose a = make_pose(quaternion_from_yaw(kPi - 0.1), Eigen::Vector3d::Zero());
  const Pose b = make_pose(quaternion_from_yaw(-kPi + 0.1), Eigen::Vector3d::Zero());
  const double mid_yaw = yaw_pitch_roll(Eigen::Quaterniond(interpolate(a, b, 0.5).linear())).yaw;
  EXPECT_NEAR(std::abs(mid_yaw), kPi, 1e-12);  // through pi, not through 0
}

TEST(Pose, YawPitchRollRoundTrip) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> yaw(-3.1, 3.1), pitch(-1.5, 1.5), roll(-3.1, 3.1);
  for (int i = 0; i < 500; ++i) {
    const YawPitchRoll in{yaw(rng), pitch(rng), roll(rng)};
    const Eigen::Quaterniond q = quaternion_from_yaw_pitch_roll(in);
    const YawPitchRoll out = yaw_pitch_roll(q);
    EXPECT_NEAR(out.yaw, in.yaw, 1e-9);
    EXPECT_NEAR(out.pitch, in.pitch, 1e-9);
    EXPECT_NEAR(out.roll, in.roll, 1e-9);
  }
}

TEST(Pose, YawPitchRollMatchesAxisConvention) {
  // A pure yaw turns +x toward +y; a positive pitch about +y turns +x toward -z.
  const Eigen::Quaterniond q_yaw = quaternion_from_yaw_pitch_roll({kPi / 2, 0, 0});
  EXPECT_TRUE((q_yaw * Eigen::Vector3d::UnitX()).isApprox(Eigen::Vector3d::UnitY(), 1e-12));
  const Eigen::Quaterniond q_pitch = quaternion_from_yaw_pitch_roll({0, kPi / 2, 0});
  EXPECT_TRUE((q_pitch * Eigen::Vector3d::UnitX()).isApprox(-Eigen::Vector3d::UnitZ(), 1e-12));
  EXPECT_TRUE(
      quaternion_from_yaw(0.7).isApprox(quaternion_from_yaw_pitch_roll({0.7, 0, 0}), 1e-15));
}

TEST(Pose, QuaternionStorageOrdersAreExplicit) {
  const Eigen::Quaterniond q = Eigen::Quaterniond(0.5, -0.5, 0.5, 0.5).normalized();
  const auto wxyz = quaternion_to_array(q, QuaternionOrder::kWXYZ);
  const auto xyzw = quaternion_to_array(q, QuaternionOrder::kXYZW);
  EXPECT_EQ(wxyz[0], q.w());
  EXPECT_EQ(wxyz[1], q.x());
  EXPECT_EQ(xyzw[0], q.x());
  EXPECT_EQ(xyzw[3], q.w());
  EXPECT_TRUE(quaternion_from_array(wxyz, QuaternionOrder::kWXYZ).isApprox(q, 1e-15));
  EXPECT_TRUE(quaternion_from_array(xyzw, QuaternionOrder::kXYZW).isApprox(q, 1e-15));
  // Reading in the wrong order gives a different rotation: the order matters.
  EXPECT_GT(rotation_angle_between(quaternion_from_array(wxyz, QuaternionOrder::kXYZW), q), 0.1);
  // nuScenes LIDAR_TOP calibration (w,x,y,z) is about -90 degrees about z.
  const auto lidar = quaternion_from_array(
      {0.7077955162816508, -0.006492242208333184, 0.01064621441113813, -0.7063073042356348},
      QuaternionOrder::kWXYZ);
  EXPECT_NEAR(yaw_pitch_roll(lidar).yaw, -kPi / 2, 0.01);
  EXPECT_TRUE(quaternion_from_array({0, 0, 0, 0}, QuaternionOrder::kWXYZ)
                  .isApprox(Eigen::Quaterniond::Identity()));
}

}  // namespace
}  // namespace pcanno::geometry
