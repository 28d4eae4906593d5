#include "pcanno/geometry/points_in_cuboid.hpp"

#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "random_boxes.hpp"

namespace pcanno::geometry {
namespace {

/// A synthetic scan: interleaved x, y, z, intensity like a KITTI .bin, dense around a few boxes.
struct Scan {
  std::vector<float> xyzi;
  std::size_t size() const { return xyzi.size() / 4; }
  PointView view() const { return PointView::interleaved(xyzi.data(), size(), 4); }
  Eigen::Vector3d point(std::size_t i) const {
    return Eigen::Vector3d(xyzi[4 * i], xyzi[4 * i + 1], xyzi[4 * i + 2]);
  }
};

Scan make_scan(std::mt19937_64& rng, const std::vector<Cuboid>& boxes, std::size_t n) {
  std::uniform_real_distribution<double> wide(-60.0, 60.0), height(-3.0, 3.0), u(-0.6, 0.6);
  Scan scan;
  for (std::size_t i = 0; i < n; ++i) {
    Eigen::Vector3d p;
    if (i % 3 == 0 && !boxes.empty()) {
      const Cuboid& b = boxes[i % boxes.size()];
      p = b.center + b.rotation * Eigen::Vector3d(u(rng) * b.size.x(), u(rng) * b.size.y(),
                                                  u(rng) * b.size.z());
    } else {
      p = Eigen::Vector3d(wide(rng), wide(rng), height(rng));
    }
    scan.xyzi.insert(scan.xyzi.end(), {float(p.x()), float(p.y()), float(p.z()), 0.5f});
  }
  // Non-finite points appear in organised clouds; they are inside nothing.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  scan.xyzi.insert(scan.xyzi.end(), {nan, nan, nan, 0.f});
  return scan;
}

std::vector<Cuboid> make_boxes(std::mt19937_64& rng, int n, bool upright) {
  std::vector<Cuboid> boxes;
  for (int i = 0; i < n; ++i)
    boxes.push_back(test::random_box(rng, Eigen::Vector3d::Zero(), 40.0, upright));
  return boxes;
}

TEST(PointsInCuboid, SingleBoxAgreesWithPerPointTest) {
  std::mt19937_64 rng(31);
  for (bool upright : {true, false}) {
    const auto boxes = make_boxes(rng, 5, upright);
    const Scan scan = make_scan(rng, boxes, 30000);
    for (const Cuboid& box : boxes) {
      for (double margin : {0.0, 0.25, -0.1}) {
        const auto idx = points_in_cuboid(scan.view(), box, margin);
        const auto mask = points_in_cuboid_mask(scan.view(), box, margin);
        ASSERT_EQ(mask.size(), scan.size());
        std::vector<std::uint32_t> expected;
        for (std::size_t i = 0; i < scan.size(); ++i) {
          const bool in = box.contains(scan.point(i), margin);
          if (in) expected.push_back(static_cast<std::uint32_t>(i));
          EXPECT_EQ(mask[i], in ? 1 : 0);
        }
        EXPECT_EQ(idx, expected);
        if (margin == 0.0) {
          EXPECT_GT(idx.size(), 100u);  // the scan really puts points in the boxes
        }
      }
    }
  }
}

TEST(PointsInCuboid, BatchedAgreesWithSingleBox) {
  std::mt19937_64 rng(32);
  for (bool upright : {true, false}) {
    const auto boxes = make_boxes(rng, 50, upright);
    const Scan scan = make_scan(rng, boxes, 60000);
    for (double margin : {0.0, 0.3}) {
      const auto batched = points_in_cuboids(scan.view(), boxes, margin);
      ASSERT_EQ(batched.size(), boxes.size());
      for (std::size_t b = 0; b < boxes.size(); ++b) {
        EXPECT_EQ(batched[b], points_in_cuboid(scan.view(), boxes[b], margin)) << "box " << b;
      }
    }
  }
}

TEST(PointsInCuboid, BoundaryPointsCountAsInsideEverywhere) {
  const Cuboid box{Eigen::Vector3d(0, 0, 0), Eigen::Vector3d(2, 2, 2),
                   Eigen::Quaterniond::Identity()};
  const std::vector<float> xs{1.f, -1.f, 0.f, 1.0001f}, ys{0.f, 1.f, -1.f, 0.f},
      zs{1.f, 0.f, -1.f, 0.f};
  const PointView view = PointView::soa(xs.data(), ys.data(), zs.data(), xs.size());
  const std::vector<std::uint32_t> expected{0, 1, 2};
  EXPECT_EQ(points_in_cuboid(view, box), expected);
  EXPECT_EQ(points_in_cuboids(view, {box})[0], expected);
}

TEST(PointsInCuboid, LabelsPickFirstContainingBox) {
  const Cuboid a{Eigen::Vector3d(0, 0, 0), Eigen::Vector3d(2, 2, 2),
                 Eigen::Quaterniond::Identity()};
  const Cuboid b{Eigen::Vector3d(1, 0, 0), Eigen::Vector3d(2, 2, 2),
                 Eigen::Quaterniond::Identity()};
  const std::vector<float> xs{0.5f, 1.5f, -0.5f, 5.f}, ys(4, 0.f), zs(4, 0.f);
  const PointView view = PointView::soa(xs.data(), ys.data(), zs.data(), xs.size());
  const std::vector<std::int32_t> expected{0, 1, 0, -1};
  EXPECT_EQ(box_index_per_point(view, {a, b}), expected);
}

TEST(PointsInCuboid, EmptyInputs) {
  const PointView empty;
  EXPECT_TRUE(points_in_cuboid(empty, Cuboid{}).empty());
  EXPECT_TRUE(points_in_cuboids(empty, {Cuboid{}, Cuboid{}})[1].empty());
  const std::vector<float> xs{0.f}, ys{0.f}, zs{0.f};
  EXPECT_TRUE(points_in_cuboids(PointView::soa(xs.data(), ys.data(), zs.data(), 1), {}).empty());
}

TEST(PointsInCuboid, FarApartBoxesUseCoarserGridCorrectly) {
  // Boxes kilometres apart force the grid to coarsen; results must not change.
  std::mt19937_64 rng(33);
  std::vector<Cuboid> boxes{test::random_box(rng, Eigen::Vector3d(-3000, 0, 0), 1.0, true),
                            test::random_box(rng, Eigen::Vector3d(3000, 2500, 0), 1.0, false)};
  Scan scan = make_scan(rng, boxes, 9000);
  const auto batched = points_in_cuboids(scan.view(), boxes);
  for (std::size_t b = 0; b < boxes.size(); ++b) {
    EXPECT_EQ(batched[b], points_in_cuboid(scan.view(), boxes[b]));
    EXPECT_GT(batched[b].size(), 100u);
  }
}

}  // namespace
}  // namespace pcanno::geometry
