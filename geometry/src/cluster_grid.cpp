#include "cluster_grid.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pcanno::geometry {

namespace {

/// Dense grids beyond this many cells cost more to clear than the search saves.
constexpr double kMaxCells = 2e6;

/// Cells of radius / sqrt(3) when the grid stays small enough (whole-cell growing), else cells
/// at least the radius wide (point-by-point growing; neighbours still lie in the 27 cells).
double cell_size(const detail::Bounds& bounds, double radius, bool& whole_cells) {
  const Eigen::Vector3d extent = bounds.extent();
  // Slightly under radius / sqrt(3), so that rounding never lets a cell's diagonal exceed the
  // radius.
  const double fine = radius / std::sqrt(3.0) * 0.999;
  double cells = 1.0;
  for (int a = 0; a < 3; ++a) cells *= std::floor(extent[a] / fine) + 1.0;
  whole_cells = cells <= kMaxCells;
  if (whole_cells) return fine;
  return std::max(radius, std::cbrt((extent.array() + radius).prod() / kMaxCells));
}

detail::DenseGrid make_grid(const std::vector<Eigen::Vector3d>& points, double radius,
                            bool& whole_cells) {
  const detail::Bounds bounds = detail::finite_bounds(points);
  return detail::DenseGrid(points, bounds, cell_size(bounds, radius, whole_cells));
}

}  // namespace

ClusterGrid::ClusterGrid(const std::vector<Eigen::Vector3d>& points, double radius)
    : points_(points),
      radius_(radius),
      grid_(make_grid(points, radius, whole_cells_)),
      taken_(points.size(), 0) {
  if (!whole_cells_) live_end_.assign(grid_.begin.begin() + 1, grid_.begin.end());
}

std::vector<std::size_t> ClusterGrid::grow(std::size_t start) {
  if (taken_[start]) return {};
  if (!points_[start].allFinite()) {
    taken_[start] = 1;
    return {start};
  }
  std::vector<std::size_t> cluster =
      whole_cells_ ? grow_cells(grid_.cell_of(points_[start])) : grow_points(start);
  std::sort(cluster.begin(), cluster.end());
  return cluster;
}

bool ClusterGrid::cells_touch(std::size_t a, std::size_t b) const {
  const double r2 = radius_ * radius_;
  for (std::uint32_t i = grid_.begin[a]; i < grid_.begin[a + 1]; ++i) {
    const Eigen::Vector3d& p = points_[grid_.order[i]];
    for (std::uint32_t j = grid_.begin[b]; j < grid_.begin[b + 1]; ++j) {
      if ((points_[grid_.order[j]] - p).squaredNorm() <= r2) return true;
    }
  }
  return false;
}

std::vector<std::size_t> ClusterGrid::grow_cells(std::size_t start_cell) {
  const auto take = [&](std::size_t c) {
    for (std::uint32_t k = grid_.begin[c]; k < grid_.begin[c + 1]; ++k) taken_[grid_.order[k]] = 1;
  };
  const auto open = [&](std::size_t c) {
    return grid_.begin[c] < grid_.begin[c + 1] && !taken_[grid_.order[grid_.begin[c]]];
  };
  std::vector<std::size_t> cells{start_cell};
  take(start_cell);
  // Cells are radius / sqrt(3) wide, so neighbours lie up to two cells away on each axis.
  constexpr long kReach = 2;
  for (std::size_t head = 0; head < cells.size(); ++head) {
    const std::size_t a = cells[head];
    const long ax = static_cast<long>(a) % grid_.dim(0);
    const long ay = static_cast<long>(a) / grid_.dim(0) % grid_.dim(1);
    const long az = static_cast<long>(a) / (grid_.dim(0) * grid_.dim(1));
    for (long z = std::max(0L, az - kReach); z <= std::min(grid_.dim(2) - 1, az + kReach); ++z) {
      for (long y = std::max(0L, ay - kReach); y <= std::min(grid_.dim(1) - 1, ay + kReach); ++y) {
        const long row = (z * grid_.dim(1) + y) * grid_.dim(0);
        for (long x = std::max(0L, ax - kReach); x <= std::min(grid_.dim(0) - 1, ax + kReach);
             ++x) {
          const auto b = static_cast<std::size_t>(row + x);
          if (!open(b) || !cells_touch(a, b)) continue;
          take(b);
          cells.push_back(b);
        }
      }
    }
  }
  std::vector<std::size_t> cluster;
  for (const std::size_t c : cells) {
    for (std::uint32_t k = grid_.begin[c]; k < grid_.begin[c + 1]; ++k)
      cluster.push_back(grid_.order[k]);
  }
  return cluster;
}

std::vector<std::size_t> ClusterGrid::grow_points(std::size_t start) {
  std::vector<std::size_t> cluster{start};
  taken_[start] = 1;
  const double r2 = radius_ * radius_;
  for (std::size_t head = 0; head < cluster.size(); ++head) {
    const Eigen::Vector3d& p = points_[cluster[head]];
    // Only the cells the neighbourhood's bounding box overlaps: 2 or 3 per axis, not always 3.
    long lo[3];
    long hi[3];
    for (int a = 0; a < 3; ++a) {
      lo[a] = std::max(
          0L, static_cast<long>(std::floor((p[a] - radius_ - grid_.lo()[a]) / grid_.cell())));
      hi[a] = std::min(grid_.dim(a) - 1,
                       static_cast<long>((p[a] + radius_ - grid_.lo()[a]) / grid_.cell()));
    }
    for (long z = lo[2]; z <= hi[2]; ++z) {
      for (long y = lo[1]; y <= hi[1]; ++y) {
        for (long x = lo[0]; x <= hi[0]; ++x) {
          const auto cell = static_cast<std::size_t>((z * grid_.dim(1) + y) * grid_.dim(0) + x);
          // A taken point is swapped out of its cell's live range, so dense objects are not
          // scanned over and over.
          for (std::uint32_t k = grid_.begin[cell]; k < live_end_[cell];) {
            const std::uint32_t j = grid_.order[k];
            if (taken_[j] || (points_[j] - p).squaredNorm() <= r2) {
              if (!taken_[j]) {
                taken_[j] = 1;
                cluster.push_back(j);
              }
              grid_.order[k] = grid_.order[--live_end_[cell]];
            } else {
              ++k;
            }
          }
        }
      }
    }
  }
  return cluster;
}

}  // namespace pcanno::geometry
