#include "pcanno/geometry/polyline.hpp"

#include <random>

#include <gtest/gtest.h>

#include "random_boxes.hpp"

namespace pcanno::geometry {
namespace {

Polyline l_shape() {
  return Polyline{{Eigen::Vector3d(0, 0, 0), Eigen::Vector3d(3, 0, 0), Eigen::Vector3d(3, 4, 0)},
                  false};
}

TEST(Polyline, LengthOpenAndClosed) {
  Polyline line = l_shape();
  EXPECT_DOUBLE_EQ(length(line), 7.0);
  line.closed = true;
  EXPECT_DOUBLE_EQ(length(line), 12.0);  // 3-4-5 triangle
  EXPECT_DOUBLE_EQ(length(Polyline{}), 0.0);
  EXPECT_DOUBLE_EQ(length(Polyline{{Eigen::Vector3d(1, 2, 3)}, true}), 0.0);
}

TEST(Polyline, ResampleKeepsShapeAndSpacing) {
  const Polyline line = l_shape();
  const Polyline r = resample(line, 0.5);
  ASSERT_EQ(r.vertices.size(), 15u);  // 0, 0.5, ..., 7.0
  for (std::size_t i = 1; i < r.vertices.size(); ++i) {
    // Consecutive samples are 0.5 apart along the line; straight-line distance can only be shorter.
    EXPECT_LE((r.vertices[i] - r.vertices[i - 1]).norm(), 0.5 + 1e-12);
    EXPECT_NEAR(closest_point(line, r.vertices[i])->distance, 0.0, 1e-12);
    EXPECT_NEAR(closest_point(line, r.vertices[i])->arc_length, 0.5 * i, 1e-9);
  }
  EXPECT_TRUE(r.vertices.back().isApprox(line.vertices.back()));
  EXPECT_NEAR(length(r), length(line), 1e-12);
}

TEST(Polyline, ResampleUnevenKeepsLastVertex) {
  const Polyline r = resample(l_shape(), 2.0);  // 0, 2, 4, 6, then the end at 7
  ASSERT_EQ(r.vertices.size(), 5u);
  EXPECT_TRUE(r.vertices[2].isApprox(Eigen::Vector3d(3, 1, 0)));
  EXPECT_TRUE(r.vertices[4].isApprox(Eigen::Vector3d(3, 4, 0)));
}

TEST(Polyline, ResampleClosedDoesNotDuplicateStart) {
  Polyline square{{Eigen::Vector3d(0, 0, 0), Eigen::Vector3d(1, 0, 0), Eigen::Vector3d(1, 1, 0),
                   Eigen::Vector3d(0, 1, 0)},
                  true};
  const Polyline r = resample(square, 0.25);
  EXPECT_EQ(r.vertices.size(), 16u);
  EXPECT_TRUE(r.closed);
  EXPECT_NEAR(length(r), 4.0, 1e-12);
}

TEST(Polyline, ResampleDegenerateInputsUnchanged) {
  EXPECT_EQ(resample(l_shape(), 0.0).vertices.size(), 3u);
  EXPECT_EQ(resample(l_shape(), -1.0).vertices.size(), 3u);
  EXPECT_TRUE(resample(Polyline{}, 1.0).vertices.empty());
}

TEST(Polyline, ClosestPointAndSegment) {
  const Polyline line = l_shape();
  const auto hit = closest_point(line, Eigen::Vector3d(4, 2, 1));
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->segment, 1u);
  EXPECT_NEAR(hit->t, 0.5, 1e-12);
  EXPECT_TRUE(hit->point.isApprox(Eigen::Vector3d(3, 2, 0)));
  EXPECT_NEAR(hit->distance, std::sqrt(2.0), 1e-12);
  EXPECT_NEAR(hit->arc_length, 5.0, 1e-12);
  const auto before_start = closest_point(line, Eigen::Vector3d(-2, -1, 0));
  EXPECT_EQ(before_start->segment, 0u);
  EXPECT_EQ(before_start->t, 0.0);
  EXPECT_FALSE(closest_point(Polyline{}, Eigen::Vector3d::Zero()).has_value());
  EXPECT_EQ(
      closest_point(Polyline{{Eigen::Vector3d(1, 1, 1)}, false}, Eigen::Vector3d::Zero())->distance,
      std::sqrt(3.0));
}

TEST(Polyline, ClosestPointIsNoFartherThanAnySample) {
  std::mt19937_64 rng(5);
  Polyline line;
  for (int i = 0; i < 10; ++i) line.vertices.push_back(test::random_vector(rng, -20, 20));
  const Polyline dense = resample(line, 0.01);
  for (int i = 0; i < 50; ++i) {
    const Eigen::Vector3d q = test::random_vector(rng, -25, 25);
    const double d = closest_point(line, q)->distance;
    double brute = 1e300;
    for (const auto& v : dense.vertices) brute = std::min(brute, (v - q).norm());
    EXPECT_LE(d, brute + 1e-12);
    EXPECT_GE(d, brute - 0.01);
  }
}

TEST(Polyline, TransformMovesEveryVertex) {
  std::mt19937_64 rng(6);
  const Pose T = test::random_pose(rng, 10.0);
  const Polyline line = l_shape();
  const Polyline moved = transform(T, line);
  for (std::size_t i = 0; i < line.vertices.size(); ++i) {
    EXPECT_TRUE(moved.vertices[i].isApprox(T * line.vertices[i], 1e-12));
  }
  EXPECT_NEAR(length(moved), length(line), 1e-12);
}

}  // namespace
}  // namespace pcanno::geometry
