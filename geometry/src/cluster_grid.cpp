#include "cluster_grid.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pcanno::geometry {

namespace {

/// Dense grids beyond this many cells cost more to clear than the search saves.
constexpr double kMaxCells = 2e6;

}  // namespace

ClusterGrid::ClusterGrid(const std::vector<Eigen::Vector3d>& points, double radius)
    : points_(points), radius_(radius), taken_(points.size(), 0) {
  Eigen::Vector3d lo = Eigen::Vector3d::Constant(std::numeric_limits<double>::infinity());
  Eigen::Vector3d hi = -lo;
  for (const Eigen::Vector3d& p : points) {
    if (!p.allFinite()) continue;
    lo = lo.cwiseMin(p);
    hi = hi.cwiseMax(p);
  }
  if (!(lo.x() <= hi.x())) lo = hi = Eigen::Vector3d::Zero();
  lo_ = lo;
  const Eigen::Vector3d extent = hi - lo;
  // Slightly under radius / sqrt(3), so that rounding never lets a cell's diagonal exceed the
  // radius.
  const double fine = radius / std::sqrt(3.0) * 0.999;
  double cells = 1.0;
  for (int a = 0; a < 3; ++a) cells *= std::floor(extent[a] / fine) + 1.0;
  whole_cells_ = cells <= kMaxCells;
  if (whole_cells_) {
    cell_ = fine;
  } else {
    // Wider cells for a spread-out set keep the grid small; neighbours still lie in the 27 cells.
    const double volume = (extent.array() + radius).prod();
    cell_ = std::max(radius, std::cbrt(volume / kMaxCells));
  }
  for (int a = 0; a < 3; ++a) dims_[a] = static_cast<long>(extent[a] / cell_) + 1;

  const auto n_cells = static_cast<std::size_t>(dims_[0] * dims_[1] * dims_[2]);
  std::vector<std::uint32_t> count(n_cells + 1, 0);
  std::vector<std::uint32_t> cell_index(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!points[i].allFinite()) continue;
    cell_index[i] = static_cast<std::uint32_t>(cell_of(points[i]));
    ++count[cell_index[i] + 1];
  }
  for (std::size_t c = 1; c < count.size(); ++c) count[c] += count[c - 1];
  begin_ = count;
  order_.resize(count.back());
  std::vector<std::uint32_t> fill(count.begin(), count.end() - 1);
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].allFinite()) order_[fill[cell_index[i]]++] = static_cast<std::uint32_t>(i);
  }
  if (!whole_cells_) live_end_ = std::move(fill);
}

std::size_t ClusterGrid::cell_of(const Eigen::Vector3d& p) const {
  long v[3];
  for (int a = 0; a < 3; ++a) {
    const double q = (p[a] - lo_[a]) / cell_;
    v[a] = std::clamp(static_cast<long>(q), 0L, dims_[a] - 1);
  }
  return static_cast<std::size_t>((v[2] * dims_[1] + v[1]) * dims_[0] + v[0]);
}

std::vector<std::size_t> ClusterGrid::grow(std::size_t start) {
  if (taken_[start]) return {};
  if (!points_[start].allFinite()) {
    taken_[start] = 1;
    return {start};
  }
  std::vector<std::size_t> cluster =
      whole_cells_ ? grow_cells(cell_of(points_[start])) : grow_points(start);
  std::sort(cluster.begin(), cluster.end());
  return cluster;
}

bool ClusterGrid::cells_touch(std::size_t a, std::size_t b) const {
  const double r2 = radius_ * radius_;
  for (std::uint32_t i = begin_[a]; i < begin_[a + 1]; ++i) {
    const Eigen::Vector3d& p = points_[order_[i]];
    for (std::uint32_t j = begin_[b]; j < begin_[b + 1]; ++j) {
      if ((points_[order_[j]] - p).squaredNorm() <= r2) return true;
    }
  }
  return false;
}

std::vector<std::size_t> ClusterGrid::grow_cells(std::size_t start_cell) {
  const auto take = [&](std::size_t c) {
    for (std::uint32_t k = begin_[c]; k < begin_[c + 1]; ++k) taken_[order_[k]] = 1;
  };
  const auto open = [&](std::size_t c) {
    return begin_[c] < begin_[c + 1] && !taken_[order_[begin_[c]]];
  };
  std::vector<std::size_t> cells{start_cell};
  take(start_cell);
  // Cells are radius / sqrt(3) wide, so neighbours lie up to two cells away on each axis.
  constexpr long kReach = 2;
  for (std::size_t head = 0; head < cells.size(); ++head) {
    const std::size_t a = cells[head];
    const long ax = static_cast<long>(a) % dims_[0];
    const long ay = static_cast<long>(a) / dims_[0] % dims_[1];
    const long az = static_cast<long>(a) / (dims_[0] * dims_[1]);
    for (long z = std::max(0L, az - kReach); z <= std::min(dims_[2] - 1, az + kReach); ++z) {
      for (long y = std::max(0L, ay - kReach); y <= std::min(dims_[1] - 1, ay + kReach); ++y) {
        const long row = (z * dims_[1] + y) * dims_[0];
        for (long x = std::max(0L, ax - kReach); x <= std::min(dims_[0] - 1, ax + kReach); ++x) {
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
    for (std::uint32_t k = begin_[c]; k < begin_[c + 1]; ++k) cluster.push_back(order_[k]);
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
      lo[a] = std::max(0L, static_cast<long>(std::floor((p[a] - radius_ - lo_[a]) / cell_)));
      hi[a] = std::min(dims_[a] - 1, static_cast<long>((p[a] + radius_ - lo_[a]) / cell_));
    }
    for (long z = lo[2]; z <= hi[2]; ++z) {
      for (long y = lo[1]; y <= hi[1]; ++y) {
        for (long x = lo[0]; x <= hi[0]; ++x) {
          const auto cell = static_cast<std::size_t>((z * dims_[1] + y) * dims_[0] + x);
          // A taken point is swapped out of its cell's live range, so dense objects are not
          // scanned over and over.
          for (std::uint32_t k = begin_[cell]; k < live_end_[cell];) {
            const std::uint32_t j = order_[k];
            if (taken_[j] || (points_[j] - p).squaredNorm() <= r2) {
              if (!taken_[j]) {
                taken_[j] = 1;
                cluster.push_back(j);
              }
              order_[k] = order_[--live_end_[cell]];
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
