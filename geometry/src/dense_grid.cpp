#include "dense_grid.hpp"

#include <limits>

namespace pcanno::geometry::detail {

Bounds finite_bounds(const std::vector<Eigen::Vector3d>& points) {
  Eigen::Vector3d lo = Eigen::Vector3d::Constant(std::numeric_limits<double>::infinity());
  Eigen::Vector3d hi = -lo;
  for (const Eigen::Vector3d& p : points) {
    if (!p.allFinite()) continue;
    lo = lo.cwiseMin(p);
    hi = hi.cwiseMax(p);
  }
  if (!(lo.x() <= hi.x())) return {};
  return {lo, hi};
}

DenseGrid::DenseGrid(const std::vector<Eigen::Vector3d>& points, const Bounds& bounds, double cell)
    : cell_(cell), lo_(bounds.lo) {
  const Eigen::Vector3d extent = bounds.extent();
  for (int a = 0; a < 3; ++a) dims_[a] = static_cast<long>(extent[a] / cell_) + 1;
  begin.assign(static_cast<std::size_t>(dims_[0] * dims_[1] * dims_[2]) + 1, 0);
  std::vector<std::uint32_t> cell_index(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!points[i].allFinite()) continue;
    cell_index[i] = static_cast<std::uint32_t>(cell_of(points[i]));
    ++begin[cell_index[i] + 1];
  }
  for (std::size_t c = 1; c < begin.size(); ++c) begin[c] += begin[c - 1];
  order.resize(begin.back());
  std::vector<std::uint32_t> next(begin.begin(), begin.end() - 1);
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].allFinite()) order[next[cell_index[i]]++] = static_cast<std::uint32_t>(i);
  }
}

std::size_t DenseGrid::cell_of(const Eigen::Vector3d& p) const {
  const Eigen::Vector3d q = (p - lo_) / cell_;
  return index(static_cast<long>(q.x()), static_cast<long>(q.y()), static_cast<long>(q.z()));
}

}  // namespace pcanno::geometry::detail
