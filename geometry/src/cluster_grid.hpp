#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "dense_grid.hpp"

namespace pcanno::geometry {

/// Connected components of a point set under "closer than `radius`", grown one at a time: the
/// region growing of the one-click fit.
///
/// Points are bucketed in a dense grid (a counting sort). When the set is compact enough for cells
/// of radius / sqrt(3), every two points of a cell are neighbours, so a cell joins a component
/// whole, and two cells are joined after the first close pair between them: a dense object costs
/// per cell, not per point pair. A set too spread out for such a grid falls back to cells at least
/// the radius wide and a breadth-first search over points, each tested against the untaken points
/// of the cells its neighbourhood overlaps.
class ClusterGrid {
 public:
  /// `points` must outlive the grid. Non-finite points are never part of a component but their own.
  ClusterGrid(const std::vector<Eigen::Vector3d>& points, double radius);

  /// The component of `start` in ascending index order, and marks its points taken. A taken
  /// `start` gives an empty result.
  std::vector<std::size_t> grow(std::size_t start);

  bool taken(std::size_t i) const { return taken_[i] != 0; }
  bool whole_cells() const { return whole_cells_; }  ///< the per-cell algorithm is in use

 private:
  std::vector<std::size_t> grow_cells(std::size_t start_cell);
  std::vector<std::size_t> grow_points(std::size_t start);
  /// Some point of cell `a` lies within the radius of some point of cell `b`.
  bool cells_touch(std::size_t a, std::size_t b) const;

  const std::vector<Eigen::Vector3d>& points_;
  double radius_;
  bool whole_cells_ = false;
  detail::DenseGrid grid_;               ///< order is reshuffled within cells by grow_points
  std::vector<std::uint8_t> taken_;      ///< per point
  std::vector<std::uint32_t> live_end_;  ///< per cell: end of its untaken points (point search)
};

}  // namespace pcanno::geometry
