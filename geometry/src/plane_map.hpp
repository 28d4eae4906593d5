#pragma once
#include <cstddef>
#include <functional>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "dense_grid.hpp"

namespace pcanno::geometry::detail {

/// `points` in a dense grid of cells at least `radius` [m] wide; wider for a spread-out set (a
/// whole scan), so that the grid stays small.
DenseGrid scan_grid(const std::vector<Eigen::Vector3d>& points, double radius);

/// The target of point-to-plane ICP: the target points that lie on a plane, each with its normal,
/// bucketed for nearest-neighbour queries. Built once per target scan; queried once per source
/// point and iteration, which is where scan registration spends its time. Two things keep the
/// queries cheap without changing their answer:
/// - only points with a normal are stored, so a query never skips over unusable candidates;
/// - a query reads the cell holding the point first and then only the cells whose box is nearer
///   than the best match so far: once ICP has nearly converged, that is one or two cells of the 27
///   a plain neighbourhood scan would read.
class PlaneMap {
 public:
  /// `points` with their normals from the neighbours within `normal_radius` [m] (a point is kept
  /// when one direction of its neighbourhood is much flatter than the other two), ready for
  /// nearest() queries up to `max_distance` [m]. `stop` (may be empty) is polled while the normals
  /// are estimated; stopped() tells whether it cut them short (the map is then empty).
  PlaneMap(const std::vector<Eigen::Vector3d>& points, double normal_radius, double max_distance,
           const std::function<bool()>& stop = {});

  /// The stored point nearest to `p` within the `max_distance` given to the constructor, or npos.
  /// `hint` (a stored point's index, or npos) is a candidate to start from: the answer is the
  /// same, found sooner when the hint is near.
  std::size_t nearest(const Eigen::Vector3d& p, std::size_t hint = npos) const;

  const Eigen::Vector3d& point(std::size_t k) const { return points_[k]; }
  const Eigen::Vector3d& normal(std::size_t k) const { return normals_[k]; }
  std::size_t size() const { return points_.size(); }
  bool stopped() const { return stopped_; }
  static constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();

 private:
  double max_distance_;
  std::vector<Eigen::Vector3d> points_;   ///< points with a normal, in grid order
  std::vector<Eigen::Vector3d> normals_;  ///< beside points_
  DenseGrid grid_;                        ///< over points_ (already in its order)
  bool stopped_ = false;
};

}  // namespace pcanno::geometry::detail
