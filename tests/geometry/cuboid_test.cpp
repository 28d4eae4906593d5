#include "pcanno/geometry/cuboid.hpp"

#include <random>

#include <gtest/gtest.h>

#include "pcanno/geometry/angles.hpp"
#include "random_boxes.hpp"

namespace pcanno::geometry {
namespace {

TEST(Cuboid, CornersFollowDocumentedOrder) {
  const Cuboid box{Eigen::Vector3d(1, 2, 3), Eigen::Vector3d(4, 2, 1),
                   Eigen::Quaterniond::Identity()};
  const auto c = box.corners();
  EXPECT_TRUE(c[0].isApprox(Eigen::Vector3d(3, 3, 2.5)));   // front-left bottom
  EXPECT_TRUE(c[1].isApprox(Eigen::Vector3d(-1, 3, 2.5)));  // back-left bottom
  EXPECT_TRUE(c[2].isApprox(Eigen::Vector3d(-1, 1, 2.5)));  // back-right bottom
  EXPECT_TRUE(c[3].isApprox(Eigen::Vector3d(3, 1, 2.5)));   // front-right bottom
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE((c[i + 4] - c[i]).isApprox(Eigen::Vector3d(0, 0, 1)));  // i+4 above i
  }
  // Bottom face counter-clockwise seen from above: positive signed area.
  double twice_area = 0.0;
  for (int i = 0; i < 4; ++i) {
    const auto& p = c[i];
    const auto& q = c[(i + 1) % 4];
    twice_area += p.x() * q.y() - q.x() * p.y();
  }
  EXPECT_NEAR(twice_area, 2.0 * 8.0, 1e-12);
}

TEST(Cuboid, FromYawTurnsCounterClockwise) {
  const Cuboid box = Cuboid::from_yaw(Eigen::Vector3d::Zero(), Eigen::Vector3d(4, 2, 1), kPi / 2);
  // The front-left corner of a box facing +y sits at (-w/2, +l/2).
  EXPECT_TRUE(box.corners()[0].isApprox(Eigen::Vector3d(-1, 2, -0.5), 1e-12));
  EXPECT_NEAR(box.yaw(), kPi / 2, 1e-15);
  EXPECT_TRUE(box.is_upright());
}

TEST(Cuboid, YawRoundTripsOverFullCircle) {
  for (double yaw = -kPi + 1e-9; yaw < kPi; yaw += 0.01) {
    const Cuboid box = Cuboid::from_yaw(Eigen::Vector3d::Zero(), Eigen::Vector3d::Ones(), yaw);
    EXPECT_NEAR(angle_difference(box.yaw(), yaw), 0.0, 1e-14);
  }
}

TEST(Cuboid, UprightDetection) {
  Cuboid box = Cuboid::from_yaw(Eigen::Vector3d::Zero(), Eigen::Vector3d::Ones(), 1.0);
  EXPECT_TRUE(box.is_upright());
  box.rotation = box.rotation * Eigen::AngleAxisd(1e-6, Eigen::Vector3d::UnitX());
  EXPECT_FALSE(box.is_upright());
  EXPECT_TRUE(box.is_upright(1e-5));
  box.rotation = Eigen::AngleAxisd(kPi, Eigen::Vector3d::UnitX());  // upside down
  EXPECT_FALSE(box.is_upright(0.1));
}

TEST(Cuboid, CornersFollowTransform) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 200; ++i) {
    const Cuboid box = test::random_box(rng, Eigen::Vector3d::Zero(), 20.0, i % 2 == 0);
    const Pose T = test::random_pose(rng, 100.0);
    const Cuboid moved = transform(T, box);
    const auto before = box.corners();
    const auto after = moved.corners();
    for (int k = 0; k < 8; ++k) EXPECT_TRUE((T * before[k]).isApprox(after[k], 1e-12));
    // And back again.
    const Cuboid back = transform(invert(T), moved);
    EXPECT_TRUE(back.center.isApprox(box.center, 1e-12));
    EXPECT_LT(rotation_angle_between(back.rotation, box.rotation), 1e-12);
    EXPECT_EQ(back.size, box.size);
  }
}

TEST(Cuboid, ContainsMatchesBoxFrameBounds) {
  std::mt19937_64 rng(12);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (int i = 0; i < 50; ++i) {
    const Cuboid box = test::random_box(rng, Eigen::Vector3d::Zero(), 5.0, false);
    for (int k = 0; k < 200; ++k) {
      // Sample in box coordinates so the expected answer is independent of contains().
      const Eigen::Vector3d local(u(rng) * 0.6 * box.size.x(), u(rng) * 0.6 * box.size.y(),
                                  u(rng) * 0.6 * box.size.z());
      const bool expected = (local.cwiseAbs().array() <= 0.5 * box.size.array()).all();
      const Eigen::Vector3d p = box.center + box.rotation * local;
      if (((local.cwiseAbs() - 0.5 * box.size).cwiseAbs().array() < 1e-9).any()) continue;
      EXPECT_EQ(box.contains(p), expected);
    }
  }
}

TEST(Cuboid, ContainsBoundaryAndMargin) {
  const Cuboid box{Eigen::Vector3d::Zero(), Eigen::Vector3d(2, 2, 2),
                   Eigen::Quaterniond::Identity()};
  EXPECT_TRUE(box.contains(Eigen::Vector3d(1, 1, 1)));  // corner is inside
  EXPECT_FALSE(box.contains(Eigen::Vector3d(1.1, 0, 0)));
  EXPECT_TRUE(box.contains(Eigen::Vector3d(1.1, 0, 0), 0.2));
  EXPECT_FALSE(box.contains(Eigen::Vector3d(0.9, 0, 0), -0.2));
  EXPECT_FALSE(box.contains(Eigen::Vector3d(std::nan(""), 0, 0)));
}

TEST(Cuboid, FlippedHeadingKeepsShape) {
  const Cuboid box = Cuboid::from_yaw(Eigen::Vector3d(3, 4, 5), Eigen::Vector3d(4, 2, 1.5), 0.3);
  const Cuboid flipped = flipped_heading(box);
  EXPECT_NEAR(angle_difference(flipped.yaw(), 0.3 + kPi), 0.0, 1e-12);
  EXPECT_TRUE(flipped.is_upright());
  // Same set of corners, renumbered.
  for (const auto& c : flipped.corners()) {
    bool found = false;
    for (const auto& d : box.corners()) found |= c.isApprox(d, 1e-12);
    EXPECT_TRUE(found);
  }
}

}  // namespace
}  // namespace pcanno::geometry
