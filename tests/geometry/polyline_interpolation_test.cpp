#include "pcanno/geometry/polyline_interpolation.hpp"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

namespace pcanno::geometry {
namespace {

Polyline open_line(std::vector<Eigen::Vector3d> v) { return Polyline{std::move(v), false}; }

/// Every vertex of `expected` is a vertex of `got`, and every vertex of `got` lies on `expected`:
/// the same shape, whatever vertices were added along its segments (and whichever way round).
void expect_same_shape(const Polyline& got, const Polyline& expected, double tol = 1e-9) {
  for (const Eigen::Vector3d& v : expected.vertices) {
    bool found = false;
    for (const Eigen::Vector3d& g : got.vertices) found = found || (g - v).norm() <= tol;
    EXPECT_TRUE(found) << "vertex " << v.transpose() << " missing";
  }
  for (const Eigen::Vector3d& v : got.vertices) {
    EXPECT_LE(closest_point(expected, v)->distance, tol) << v.transpose() << " is off the line";
  }
}

TEST(PolylineInterpolation, EndsAreTheKeyframesShapesWithDifferentVertexCounts) {
  const Polyline a = open_line({{0, 0, 0}, {4, 1, 0}, {9, 0, 0.5}});
  const Polyline b = open_line({{1, 3, 0}, {2, 4, 0}, {5, 4.5, 0}, {7, 4, 0.2}, {11, 2, 0}});
  const Polyline at0 = interpolate_polyline(a, b, 0.0);
  const Polyline at1 = interpolate_polyline(a, b, 1.0);
  EXPECT_EQ(at0.vertices.size(), 6u);  // 3 + 5 - the two shared ends
  expect_same_shape(at0, a);
  expect_same_shape(at1, b);
  EXPECT_FALSE(at0.closed);
}

TEST(PolylineInterpolation, MidpointOfParallelOffsetLinesIsTheMiddleLine) {
  // Two parallel lines 2 m apart along a bend, the second with its vertices elsewhere along it:
  // halfway is the line 1 m from both, at every vertex.
  const Polyline a = open_line({{0, 0, 0}, {10, 0, 0}, {20, 0, 0}});
  const Polyline b = open_line({{0, 2, 0}, {3, 2, 0}, {17, 2, 0}, {20, 2, 0}});
  const Polyline mid = interpolate_polyline(a, b, 0.5);
  ASSERT_GE(mid.vertices.size(), 4u);
  for (const Eigen::Vector3d& v : mid.vertices) EXPECT_NEAR(v.y(), 1.0, 1e-12) << v.transpose();
  EXPECT_NEAR(mid.vertices.front().x(), 0.0, 1e-12);
  EXPECT_NEAR(mid.vertices.back().x(), 20.0, 1e-12);
  const Polyline middle = open_line({{0, 1, 0}, {20, 1, 0}});
  expect_same_shape(mid, middle);
  // A quarter of the way: 0.5 m from the first.
  for (const Eigen::Vector3d& v : interpolate_polyline(a, b, 0.25).vertices) {
    EXPECT_NEAR(v.y(), 0.5, 1e-12);
  }
}

TEST(PolylineInterpolation, ReversedDrawingIsTurnedRound) {
  const Polyline a = open_line({{0, 0, 0}, {5, 0, 0}, {10, 0, 0}});
  Polyline b = open_line({{10, 2, 0}, {0, 2, 0}});  // drawn the other way
  const PolylineCorrespondence c = correspond(a, b);
  EXPECT_TRUE(c.reversed);
  const Polyline mid = blend(c, 0.5);
  // Not collapsed onto the middle: the ends stay apart, each halfway between matching ends.
  EXPECT_LT((mid.vertices.front() - Eigen::Vector3d(0, 1, 0)).norm(), 1e-12);
  EXPECT_LT((mid.vertices.back() - Eigen::Vector3d(10, 1, 0)).norm(), 1e-12);
  expect_same_shape(blend(c, 1.0), b);
  // The same direction is not turned.
  std::reverse(b.vertices.begin(), b.vertices.end());
  EXPECT_FALSE(correspond(a, b).reversed);
}

TEST(PolylineInterpolation, ClosedLinesAlignTheirStartAndDirection) {
  // A 4 x 2 rectangle, and the same rectangle 1 m up in y drawn clockwise (the first runs
  // anticlockwise) with 8 vertices: halfway is the rectangle 0.5 m up.
  const Polyline a{{{0, 0, 0}, {4, 0, 0}, {4, 2, 0}, {0, 2, 0}}, true};
  const Polyline b{
      {{0, 1, 0}, {0, 2, 0}, {0, 3, 0}, {2, 3, 0}, {4, 3, 0}, {4, 2, 0}, {4, 1, 0}, {2, 1, 0}},
      true};
  const PolylineCorrespondence c = correspond(a, b);
  EXPECT_TRUE(c.closed);
  EXPECT_TRUE(c.reversed);
  const Polyline mid = blend(c, 0.5);
  EXPECT_TRUE(mid.closed);
  Polyline expected = a;
  for (Eigen::Vector3d& v : expected.vertices) v.y() += 0.5;
  expect_same_shape(mid, expected);
  for (const Eigen::Vector3d& v : mid.vertices) {
    // On the moved rectangle: no vertex cuts across it.
    EXPECT_LE(closest_point(expected, v)->distance, 1e-12);
  }
  expect_same_shape(blend(c, 0.0), a);
  expect_same_shape(blend(c, 1.0), b);
}

TEST(PolylineInterpolation, ClosedStartBetweenVerticesIsFound) {
  // A square and the same square shifted 10 m in x, listed from the middle of a side: the start
  // of the second is placed at the point nearest the first's start.
  const Polyline a{{{0, 0, 0}, {2, 0, 0}, {2, 2, 0}, {0, 2, 0}}, true};
  const Polyline b{{{11, 0, 0}, {12, 0, 0}, {12, 2, 0}, {10, 2, 0}, {10, 0, 0}}, true};
  const Polyline mid = interpolate_polyline(a, b, 0.5);
  Polyline expected = a;
  for (Eigen::Vector3d& v : expected.vertices) v.x() += 5.0;
  expect_same_shape(mid, expected);
}

/// A closed line as the open line that returns to its first vertex.
Polyline opened(const Polyline& line) {
  Polyline out{line.vertices, false};
  if (line.closed) out.vertices.push_back(line.vertices.front());
  return out;
}

TEST(PolylineInterpolation, RandomLinesKeepTheirShapesAtTheEnds) {
  std::mt19937 rng(17);
  std::uniform_real_distribution<double> u(-20.0, 20.0);
  std::uniform_int_distribution<int> count(1, 9);
  for (int trial = 0; trial < 200; ++trial) {
    Polyline a;
    Polyline b;
    a.closed = trial % 3 == 0;
    b.closed = trial % 3 == 0 || trial % 5 == 0;
    for (int i = count(rng); i > 0; --i) a.vertices.emplace_back(u(rng), u(rng), u(rng) / 10);
    for (int i = count(rng); i > 0; --i) b.vertices.emplace_back(u(rng), u(rng), u(rng) / 10);
    const PolylineCorrespondence c = correspond(a, b);
    ASSERT_EQ(c.a.size(), c.b.size());
    const bool both_closed = a.closed && b.closed;
    EXPECT_EQ(c.closed, both_closed);
    expect_same_shape(blend(c, 0.0), both_closed ? a : opened(a));
    expect_same_shape(blend(c, 1.0), both_closed ? b : opened(b));
  }
}

TEST(PolylineInterpolation, PointAtFollowsArcLength) {
  const Polyline line = open_line({{0, 0, 0}, {3, 0, 0}, {3, 1, 0}});
  EXPECT_LT((point_at(line, 0.5) - Eigen::Vector3d(2, 0, 0)).norm(), 1e-12);
  EXPECT_LT((point_at(line, 0.875) - Eigen::Vector3d(3, 0.5, 0)).norm(), 1e-12);
  EXPECT_LT((point_at(line, 1.0) - Eigen::Vector3d(3, 1, 0)).norm(), 1e-12);
  const Polyline square{{{0, 0, 0}, {1, 0, 0}, {1, 1, 0}, {0, 1, 0}}, true};
  EXPECT_LT((point_at(square, 0.875) - Eigen::Vector3d(0, 0.5, 0)).norm(), 1e-12);
  EXPECT_LT((point_at(square, 1.0) - Eigen::Vector3d(0, 0, 0)).norm(), 1e-12);
  const Polyline dot = open_line({{2, 2, 2}, {2, 2, 2}});  // no length: by index
  EXPECT_LT((point_at(dot, 0.3) - Eigen::Vector3d(2, 2, 2)).norm(), 1e-12);
}

}  // namespace
}  // namespace pcanno::geometry
