// ClusterShape::skirt_gap (geometry/object_detection.hpp): the share of a cluster's long side under
// which the beams pass (a vehicle's body between its wheels), measured on hand-built side views.
#include <vector>

#include <gtest/gtest.h>

#include "pcanno/geometry/object_detection.hpp"

namespace pcanno::geometry {
namespace {

/// A 4 m long vertical face along x at y = 10 m, sampled every 5 cm along and up. Points lower than
/// 0.25 m go to the foot ids, as scan_clusters passes them (ObjectDetectionOptions::min_height).
struct Face {
  std::vector<Eigen::Vector3d> points;
  std::vector<double> heights;
  std::vector<std::size_t> ids;
  std::vector<std::size_t> foot_ids;

  void add(double x, double h) {
    (h < 0.25 ? foot_ids : ids).push_back(points.size());
    points.emplace_back(x, 10.0, h);
    heights.push_back(h);
  }
  /// Every `x` in [x0, x1) and height in [h0, h1], 5 cm apart.
  void fill(double x0, double x1, double h0, double h1) {
    for (double x = x0; x < x1; x += 0.05) {
      for (double h = h0; h <= h1 + 1e-9; h += 0.05) add(x, h);
    }
  }
  ClusterShape measure(bool with_feet = true) const {
    const auto s =
        measure_cluster(points, heights, ids, with_feet ? foot_ids : std::vector<std::size_t>{},
                        GroundModel::flat(0.0));
    EXPECT_TRUE(s);
    return s ? *s : ClusterShape{};
  }
};

TEST(ObjectDetectorSkirt, ACarsSideIsRaisedBetweenItsWheelsAWallIsNot) {
  Face car;  // body from 0.3 m, wheels 0.6 m long from the ground at 0.7-1.3 and 2.7-3.3 m
  car.fill(0.0, 4.0, 0.3, 1.4);
  car.fill(0.7, 1.3, 0.1, 0.25);
  car.fill(2.7, 3.3, 0.1, 0.25);
  // 10-11 of 16 stretches lie between or beyond the wheels.
  const ClusterShape c = car.measure();
  EXPECT_GT(c.skirt_gap, 0.55);
  EXPECT_LT(c.skirt_gap, 0.75);

  Face wall;  // the same face down to 0.1 m everywhere
  wall.fill(0.0, 4.0, 0.1, 1.4);
  EXPECT_GE(wall.measure().skirt_gap, 0.0);
  EXPECT_LT(wall.measure().skirt_gap, 0.05);
}

TEST(ObjectDetectorSkirt, UnknownWithoutReturnsNearTheGround) {
  Face car;
  car.fill(0.0, 4.0, 0.3, 1.4);
  car.fill(0.7, 1.3, 0.1, 0.25);
  car.fill(2.7, 3.3, 0.1, 0.25);
  // Without the foot points (the public overload without them), nothing is below 0.3 m.
  EXPECT_LT(car.measure(false).skirt_gap, 0.0);
  // A body whose wheels are hidden (a kerb, a low wall in front): no return within 0.2 m of the
  // ground, so it is neither a car's skirt nor a wall's foot.
  Face hidden;
  hidden.fill(0.0, 4.0, 0.3, 1.4);
  EXPECT_LT(hidden.measure().skirt_gap, 0.0);
}

}  // namespace
}  // namespace pcanno::geometry
