#include "plane_map.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <Eigen/Eigenvalues>

namespace pcanno::geometry::detail {
namespace {

/// Cell coordinates [cells, continuous] of `p` in `grid`.
Eigen::Vector3d cell_coordinates(const DenseGrid& grid, const Eigen::Vector3d& p) {
  return (p - grid.lo()) / grid.cell();
}

}  // namespace

DenseGrid scan_grid(const std::vector<Eigen::Vector3d>& points, double radius) {
  constexpr double kMaxCells = 4e6;
  const Bounds bounds = finite_bounds(points);
  // The floor keeps a zero radius from making zero-width cells.
  const double cell =
      std::max({radius, std::cbrt((bounds.extent().array() + radius).prod() / kMaxCells), 1e-3});
  return DenseGrid(points, bounds, cell);
}

PlaneMap::PlaneMap(const std::vector<Eigen::Vector3d>& points, double normal_radius,
                   double max_distance, const std::function<bool()>& stop)
    : max_distance_(max_distance), grid_({}, Bounds{}, 1.0) {
  const DenseGrid all = scan_grid(points, normal_radius);
  const double r2 = normal_radius * normal_radius;
  std::vector<Eigen::Vector3d> planar;
  std::vector<Eigen::Vector3d> normals;
  // The points of the 27 cells around the current one: cells are at least normal_radius wide, so
  // they hold every neighbour of every point in it. Points come cell by cell (the grid's order),
  // so each cell gathers its surroundings once for all its points.
  std::vector<Eigen::Vector3d> around;
  long gathered[3] = {-1, -1, -1};
  constexpr std::size_t kStopEvery = 2048;  // normals between polls: about a millisecond
  for (std::size_t i = 0; i < all.order.size(); ++i) {
    if (stop && i % kStopEvery == 0 && stop()) {
      stopped_ = true;
      return;
    }
    const Eigen::Vector3d& p = points[all.order[i]];
    long cell[3];
    for (int a = 0; a < 3; ++a) {
      cell[a] = std::clamp(static_cast<long>((p[a] - all.lo()[a]) / all.cell()), 0L,
                           all.dim(a) - 1);
    }
    if (!std::equal(cell, cell + 3, gathered)) {
      std::copy(cell, cell + 3, gathered);
      around.clear();
      const long x0 = std::max(0L, cell[0] - 1);
      const long x1 = std::min(all.dim(0) - 1, cell[0] + 1);
      for (long z = std::max(0L, cell[2] - 1); z <= std::min(all.dim(2) - 1, cell[2] + 1); ++z) {
        for (long y = std::max(0L, cell[1] - 1); y <= std::min(all.dim(1) - 1, cell[1] + 1); ++y) {
          // Cells of a row are consecutive, and so are their points.
          const std::uint32_t end = all.begin[all.index(x1, y, z) + 1];
          for (std::uint32_t k = all.begin[all.index(x0, y, z)]; k < end; ++k) {
            around.push_back(points[all.order[k]]);
          }
        }
      }
    }
    Eigen::Vector3d mean = Eigen::Vector3d::Zero();
    Eigen::Matrix3d second = Eigen::Matrix3d::Zero();
    int n = 0;
    for (const Eigen::Vector3d& q : around) {
      if ((q - p).squaredNorm() > r2) continue;
      mean += q;
      second += q * q.transpose();
      ++n;
    }
    if (n < 5) continue;
    mean /= n;
    const Eigen::Matrix3d cov = second / n - mean * mean.transpose();
    // The closed form is several times faster than the iterative solver and as exact for the
    // well-separated smallest eigenvalue of a plane, the only case kept.
    Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> eig;
    eig.computeDirect(cov);
    // A plane: one direction much flatter than the other two.
    if (eig.eigenvalues()(0) > 0.3 * eig.eigenvalues()(1)) continue;
    planar.push_back(p);
    normals.push_back(eig.eigenvectors().col(0).normalized());
  }
  // Stored in the grid's order, so that a cell's points are consecutive in memory.
  grid_ = scan_grid(planar, max_distance);
  points_.reserve(planar.size());
  normals_.reserve(planar.size());
  for (const std::uint32_t k : grid_.order) {
    points_.push_back(planar[k]);
    normals_.push_back(normals[k]);
  }
}

std::size_t PlaneMap::nearest(const Eigen::Vector3d& p, std::size_t hint) const {
  // In cell units: cells are at least max_distance_ wide (scan_grid), so only the point's own
  // cell and the 26 around it can hold a match.
  const Eigen::Vector3d q = cell_coordinates(grid_, p);
  long own[3];
  double below2[3];  // squared distance to the cell below on each axis
  double above2[3];  // ... and to the cell above
  for (int a = 0; a < 3; ++a) {
    // Outside the grid by more than a cell (or not finite): no match, and no overflow below.
    if (!(q[a] >= -1.0 && q[a] < static_cast<double>(grid_.dim(a)) + 1.0)) return npos;
    own[a] = static_cast<long>(std::floor(q[a]));
    const double f = q[a] - static_cast<double>(own[a]);
    below2[a] = f * f;
    above2[a] = (1.0 - f) * (1.0 - f);
  }
  std::size_t best = npos;
  double best_d2 = max_distance_ * max_distance_;
  // The hint (last iteration's match, which ICP has barely moved away from) bounds the search
  // from the start, so that most neighbouring cells are never read.
  if (hint < points_.size()) {
    const double d2 = (points_[hint] - p).squaredNorm();
    if (d2 < best_d2) {
      best_d2 = d2;
      best = hint;
    }
  }
  const double cell2 = grid_.cell() * grid_.cell();
  const auto scan = [&](long x, long y, long z) {
    if (x < 0 || y < 0 || z < 0 || x >= grid_.dim(0) || y >= grid_.dim(1) || z >= grid_.dim(2)) {
      return;
    }
    const std::size_t c = grid_.index(x, y, z);
    for (std::uint32_t k = grid_.begin[c]; k < grid_.begin[c + 1]; ++k) {
      const double d2 = (points_[k] - p).squaredNorm();
      if (d2 < best_d2) {
        best_d2 = d2;
        best = k;
      }
    }
  };
  // The point's own cell first: its nearest point there bounds which other cells can matter.
  scan(own[0], own[1], own[2]);
  const auto axis2 = [&](int a, int offset) {
    return offset < 0 ? below2[a] : (offset > 0 ? above2[a] : 0.0);
  };
  for (int dz = -1; dz <= 1; ++dz) {
    const double z2 = axis2(2, dz) * cell2;
    if (z2 >= best_d2) continue;
    for (int dy = -1; dy <= 1; ++dy) {
      const double yz2 = z2 + axis2(1, dy) * cell2;
      if (yz2 >= best_d2) continue;
      for (int dx = -1; dx <= 1; ++dx) {
        if ((dx | dy | dz) == 0 || yz2 + axis2(0, dx) * cell2 >= best_d2) continue;
        scan(own[0] + dx, own[1] + dy, own[2] + dz);
      }
    }
  }
  return best;
}

}  // namespace pcanno::geometry::detail
