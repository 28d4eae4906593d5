#pragma once
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Core>

namespace pcanno::geometry::detail {

/// The bounds of a footprint along a direction (e1) and across it (e2, e1 turned +90 degrees).
struct AxisExtent {
  Eigen::Vector2d e1;
  Eigen::Vector2d e2;
  double lo1 = std::numeric_limits<double>::infinity();  ///< [m] along e1
  double hi1 = -std::numeric_limits<double>::infinity();
  double lo2 = std::numeric_limits<double>::infinity();  ///< [m] along e2
  double hi2 = -std::numeric_limits<double>::infinity();
};

/// The extent of `xy` along `direction` [rad] and across it; empty (lo > hi) for no points.
inline AxisExtent axis_extent(const std::vector<Eigen::Vector2d>& xy, double direction) {
  AxisExtent a;
  a.e1 = Eigen::Vector2d(std::cos(direction), std::sin(direction));
  a.e2 = Eigen::Vector2d(-a.e1.y(), a.e1.x());
  for (const Eigen::Vector2d& p : xy) {
    a.lo1 = std::min(a.lo1, p.dot(a.e1));
    a.hi1 = std::max(a.hi1, p.dot(a.e1));
    a.lo2 = std::min(a.lo2, p.dot(a.e2));
    a.hi2 = std::max(a.hi2, p.dot(a.e2));
  }
  return a;
}

}  // namespace pcanno::geometry::detail
