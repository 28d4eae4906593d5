#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

namespace pcanno::geometry::detail {

/// Bounding box [m] of the finite points; both corners at the origin when there is none.
struct Bounds {
  Eigen::Vector3d lo = Eigen::Vector3d::Zero();
  Eigen::Vector3d hi = Eigen::Vector3d::Zero();
  Eigen::Vector3d extent() const { return hi - lo; }
};
Bounds finite_bounds(const std::vector<Eigen::Vector3d>& points);

/// The finite points bucketed in a dense grid of `cell`-wide cubes over `bounds`, by a counting
/// sort: cell c holds order[begin[c]] .. order[begin[c + 1] - 1], in ascending point index, and the
/// cells of one row (x varying) are consecutive. The neighbour searches of region growing and ICP
/// use it instead of hash maps. Sets are below 2^32 points (a LiDAR scan).
class DenseGrid {
 public:
  DenseGrid(const std::vector<Eigen::Vector3d>& points, const Bounds& bounds, double cell);

  double cell() const { return cell_; }
  const Eigen::Vector3d& lo() const { return lo_; }
  long dim(int axis) const { return dims_[axis]; }
  /// Cell (x, y, z), each clamped into the grid.
  std::size_t index(long x, long y, long z) const {
    x = std::clamp(x, 0L, dims_[0] - 1);
    y = std::clamp(y, 0L, dims_[1] - 1);
    z = std::clamp(z, 0L, dims_[2] - 1);
    return static_cast<std::size_t>((z * dims_[1] + y) * dims_[0] + x);
  }
  /// The cell of a finite point (clamped into the grid).
  std::size_t cell_of(const Eigen::Vector3d& p) const;

  std::vector<std::uint32_t> begin;  ///< per cell, and one past the last: into order
  std::vector<std::uint32_t> order;  ///< finite point indices grouped by cell

 private:
  double cell_;
  Eigen::Vector3d lo_;
  long dims_[3] = {1, 1, 1};
};

}  // namespace pcanno::geometry::detail
