#include "pcanno/geometry/registration.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <unordered_map>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>

#include "dense_grid.hpp"

namespace pcanno::geometry {
namespace {

struct Voxel {
  long x, y, z;
  bool operator==(const Voxel& o) const { return x == o.x && y == o.y && z == o.z; }
};
struct VoxelHash {
  std::size_t operator()(const Voxel& v) const {
    return static_cast<std::size_t>(v.x * 73856093L ^ v.y * 19349663L ^ v.z * 83492791L);
  }
};

Voxel voxel_of(const Eigen::Vector3d& p, double size) {
  return Voxel{static_cast<long>(std::floor(p.x() / size)),
               static_cast<long>(std::floor(p.y() / size)),
               static_cast<long>(std::floor(p.z() / size))};
}

/// Target points bucketed in a dense grid, for neighbour queries within `radius`, with normals when
/// `normal_radius` > 0 (then only points on a plane are matched; it must not exceed `radius`).
/// Cells are as wide as the radius, so a query visits the 2 or 3 cells per axis its neighbourhood
/// overlaps: array lookups and few candidates, no hashing.
class TargetMap {
 public:
  /// `stop` (may be empty) is polled while the normals are estimated; stopped() tells whether it
  /// cut them short.
  TargetMap(const std::vector<Eigen::Vector3d>& points, double radius, double normal_radius,
            const std::function<bool()>& stop = {})
      : grid_(make_grid(points, radius)), points_(points) {
    reach_ = radius / grid_.cell();
    normals_.resize(points.size(), Eigen::Vector3d::Zero());
    valid_.resize(points.size(), normal_radius <= 0.0);
    // nearest() runs over each row of cells in turn: a copy in cell order reads them sequentially.
    sorted_.reserve(grid_.order.size());
    for (const std::uint32_t i : grid_.order) sorted_.push_back(points[i]);
    sorted_valid_.assign(grid_.order.size(), normal_radius <= 0.0 ? 1 : 0);
    if (normal_radius <= 0.0) return;
    const double r2 = normal_radius * normal_radius;
    constexpr std::size_t kStopEvery = 2048;  // normals between polls: a few milliseconds
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (stop && i % kStopEvery == 0 && stop()) {
        stopped_ = true;
        return;
      }
      Eigen::Vector3d mean = Eigen::Vector3d::Zero();
      Eigen::Matrix3d second = Eigen::Matrix3d::Zero();
      int n = 0;
      for_neighbours(points[i], [&](std::size_t j) {
        const Eigen::Vector3d d = points_[j] - points[i];
        if (d.squaredNorm() > r2) return;
        mean += points_[j];
        second += points_[j] * points_[j].transpose();
        ++n;
      });
      if (n < 5) continue;
      mean /= n;
      const Eigen::Matrix3d cov = second / n - mean * mean.transpose();
      const Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> eig(cov);
      // A plane: one direction much flatter than the other two.
      if (eig.eigenvalues()(0) > 0.3 * eig.eigenvalues()(1)) continue;
      normals_[i] = eig.eigenvectors().col(0);
      valid_[i] = true;
    }
    for (std::size_t k = 0; k < grid_.order.size(); ++k) {
      sorted_valid_[k] = valid_[grid_.order[k]] ? 1 : 0;
    }
  }

  /// Nearest target point with a normal within `max_distance` of `p`, or npos.
  std::size_t nearest(const Eigen::Vector3d& p, double max_distance) const {
    std::size_t best = npos;
    double best_d2 = max_distance * max_distance;
    for_neighbour_ranges(p, [&](std::size_t from, std::size_t to) {
      for (std::size_t k = from; k < to; ++k) {
        const double d2 = (sorted_[k] - p).squaredNorm();
        if (d2 < best_d2 && sorted_valid_[k]) {
          best_d2 = d2;
          best = k;
        }
      }
    });
    return best == npos ? npos : grid_.order[best];
  }

  /// Whether any target point with a normal lies within `max_distance` of `p`.
  bool any_within(const Eigen::Vector3d& p, double max_distance) const {
    const double r2 = max_distance * max_distance;
    bool found = false;
    for_neighbours(p, [&](std::size_t j) {
      found = found || (valid_[j] && (points_[j] - p).squaredNorm() <= r2);
    });
    return found;
  }

  const Eigen::Vector3d& point(std::size_t i) const { return points_[i]; }
  const Eigen::Vector3d& normal(std::size_t i) const { return normals_[i]; }
  bool stopped() const { return stopped_; }
  static constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();

 private:
  template <typename Visit>
  void for_neighbours(const Eigen::Vector3d& p, Visit&& visit) const {
    for_neighbour_ranges(p, [&](std::size_t from, std::size_t to) {
      for (std::size_t k = from; k < to; ++k) visit(grid_.order[k]);
    });
  }

  /// The neighbourhood of `p` as ranges [from, to) of the grid's order (and sorted_): one per row
  /// of cells.
  template <typename VisitRange>
  void for_neighbour_ranges(const Eigen::Vector3d& p, VisitRange&& visit) const {
    const Eigen::Vector3d from = (p - grid_.lo()).array() / grid_.cell() - reach_;
    const Eigen::Vector3d to = (p - grid_.lo()).array() / grid_.cell() + reach_;
    // Outside the grid (or not finite): no neighbours, and no overflow in the casts below.
    if (!(to.minCoeff() >= 0.0) ||
        !(from.x() < grid_.dim(0) && from.y() < grid_.dim(1) && from.z() < grid_.dim(2))) {
      return;
    }
    long lo[3];
    long hi[3];
    for (int a = 0; a < 3; ++a) {
      lo[a] = static_cast<long>(std::max(0.0, std::floor(from[a])));
      hi[a] = static_cast<long>(std::min(static_cast<double>(grid_.dim(a) - 1), to[a]));
    }
    for (long z = lo[2]; z <= hi[2]; ++z) {
      for (long y = lo[1]; y <= hi[1]; ++y) {
        const std::size_t row = grid_.index(lo[0], y, z);
        const std::size_t end = grid_.begin[row + static_cast<std::size_t>(hi[0] - lo[0]) + 1];
        // Cells of a row are consecutive, and so are their points.
        visit(grid_.begin[row], end);
      }
    }
  }

  /// Cells at least `radius` wide; wider for a spread-out target (a whole scan), so that the
  /// grid stays small.
  static detail::DenseGrid make_grid(const std::vector<Eigen::Vector3d>& points, double radius) {
    constexpr double kMaxCells = 4e6;
    const detail::Bounds bounds = detail::finite_bounds(points);
    // The floor keeps a zero radius from making zero-width cells.
    const double cell =
        std::max({radius, std::cbrt((bounds.extent().array() + radius).prod() / kMaxCells), 1e-3});
    return detail::DenseGrid(points, bounds, cell);
  }

  detail::DenseGrid grid_;
  double reach_ = 1.0;                      ///< the radius in cells
  std::vector<Eigen::Vector3d> sorted_;     ///< the points in the grid's order
  std::vector<std::uint8_t> sorted_valid_;  ///< valid_ in the grid's order
  const std::vector<Eigen::Vector3d>& points_;
  std::vector<Eigen::Vector3d> normals_;
  std::vector<bool> valid_;
  bool stopped_ = false;
};

/// True, with `result.stopped` set, when `options.stop` asks the registration to end now.
bool stop_now(const IcpOptions& options, IcpResult& result) {
  result.stopped = options.stop && options.stop();
  return result.stopped;
}

}  // namespace

std::vector<Eigen::Vector3d> voxel_downsample(const PointView& points, double voxel,
                                              double max_range) {
  std::unordered_map<Voxel, bool, VoxelHash> seen;
  std::vector<Eigen::Vector3d> out;
  const double r2 = max_range * max_range;
  for (std::size_t i = 0; i < points.size; ++i) {
    const std::size_t k = i * points.stride;
    const Eigen::Vector3d p(points.x[k], points.y[k], points.z[k]);
    if (!p.allFinite() || (max_range > 0 && p.squaredNorm() > r2)) continue;
    if (seen.emplace(voxel_of(p, voxel), true).second) out.push_back(p);
  }
  return out;
}

std::vector<Eigen::Vector3d> voxel_downsample(const std::vector<Eigen::Vector3d>& points,
                                              double voxel) {
  std::unordered_map<Voxel, bool, VoxelHash> seen;
  std::vector<Eigen::Vector3d> out;
  for (const Eigen::Vector3d& p : points) {
    if (p.allFinite() && seen.emplace(voxel_of(p, voxel), true).second) out.push_back(p);
  }
  return out;
}

IcpResult register_point_to_plane(const std::vector<Eigen::Vector3d>& source,
                                  const std::vector<Eigen::Vector3d>& target, const Pose& initial,
                                  const IcpOptions& options) {
  IcpResult result;
  result.T_target_source = initial;
  if (source.empty() || target.size() < 5) return result;
  const TargetMap map(target, std::max(options.max_correspondence, options.normal_radius),
                      options.normal_radius, options.stop);
  if (map.stopped()) {
    result.stopped = true;
    return result;
  }
  double sigma = options.max_correspondence / 3.0;
  for (int it = 0; it < options.max_iterations; ++it) {
    if (stop_now(options, result)) return result;
    Eigen::Matrix<double, 6, 6> H = Eigen::Matrix<double, 6, 6>::Zero();
    Eigen::Matrix<double, 6, 1> g = Eigen::Matrix<double, 6, 1>::Zero();
    double squared = 0.0;
    std::size_t pairs = 0;
    for (const Eigen::Vector3d& s : source) {
      const Eigen::Vector3d p = result.T_target_source * s;
      const std::size_t j = map.nearest(p, options.max_correspondence);
      if (j == TargetMap::npos) continue;
      const Eigen::Vector3d& n = map.normal(j);
      const double r = n.dot(p - map.point(j));
      // Geman-McClure weight: large residuals (moving objects, new surfaces) fade out.
      const double w = sigma * sigma / std::pow(sigma + r * r, 2);
      Eigen::Matrix<double, 1, 6> J;
      J.head<3>() = n.transpose();
      J.tail<3>() = (p.cross(n)).transpose();
      H += w * J.transpose() * J;
      g += w * J.transpose() * r;
      squared += r * r;
      ++pairs;
    }
    result.pairs = pairs;
    result.iterations = it + 1;
    if (pairs < options.min_pairs) return result;
    result.rmse = std::sqrt(squared / static_cast<double>(pairs));
    const Eigen::Matrix<double, 6, 1> dx = -H.ldlt().solve(g);
    if (!dx.allFinite()) return result;
    Pose update = Pose::Identity();
    const double angle = dx.tail<3>().norm();
    if (angle > 0) {
      update.linear() = Eigen::AngleAxisd(angle, dx.tail<3>() / angle).toRotationMatrix();
    }
    update.translation() = dx.head<3>();
    result.T_target_source = update * result.T_target_source;
    // The kernel tightens as the alignment improves, down to a few centimetres.
    sigma = std::max(0.05, std::min(sigma, 3.0 * result.rmse));
    if (dx.head<3>().norm() + angle < options.convergence) {
      result.converged = true;
      break;
    }
  }
  result.fitness = static_cast<double>(result.pairs) / static_cast<double>(source.size());
  return result;
}

IcpResult register_point_to_point_yaw(const std::vector<Eigen::Vector3d>& source,
                                      const std::vector<Eigen::Vector3d>& target,
                                      const Pose& initial, const IcpOptions& options) {
  IcpResult result;
  result.T_target_source = initial;
  if (source.empty() || target.empty()) return result;
  const TargetMap map(target, options.max_correspondence, 0.0);
  double sigma = options.max_correspondence / 3.0;
  std::vector<Eigen::Vector3d> moved(source.size());
  std::vector<std::size_t> match(source.size());
  for (int it = 0; it < options.max_iterations; ++it) {
    if (stop_now(options, result)) return result;
    Eigen::Vector3d pivot = Eigen::Vector3d::Zero();
    std::size_t pairs = 0;
    for (std::size_t i = 0; i < source.size(); ++i) {
      moved[i] = result.T_target_source * source[i];
      match[i] = map.nearest(moved[i], options.max_correspondence);
      if (match[i] == TargetMap::npos) continue;
      pivot += moved[i];
      ++pairs;
    }
    result.pairs = pairs;
    result.iterations = it + 1;
    if (pairs < options.min_pairs) return result;
    pivot /= static_cast<double>(pairs);
    // Unknowns: translation (3) and a turn about the vertical through the pivot.
    Eigen::Matrix4d H = Eigen::Matrix4d::Zero();
    Eigen::Vector4d g = Eigen::Vector4d::Zero();
    double squared = 0.0;
    for (std::size_t i = 0; i < source.size(); ++i) {
      if (match[i] == TargetMap::npos) continue;
      const Eigen::Vector3d r = moved[i] - map.point(match[i]);
      const Eigen::Vector3d arm = moved[i] - pivot;
      const double r2 = r.squaredNorm();
      const double w = sigma * sigma / std::pow(sigma + r2, 2);
      Eigen::Matrix<double, 3, 4> J = Eigen::Matrix<double, 3, 4>::Zero();
      J.leftCols<3>().setIdentity();
      J.col(3) = Eigen::Vector3d(-arm.y(), arm.x(), 0.0);
      H += w * J.transpose() * J;
      g += w * J.transpose() * r;
      squared += r2;
    }
    result.rmse = std::sqrt(squared / static_cast<double>(pairs));
    const Eigen::Vector4d dx = -H.ldlt().solve(g);
    if (!dx.allFinite()) return result;
    Pose update = Pose::Identity();
    update.linear() = Eigen::AngleAxisd(dx(3), Eigen::Vector3d::UnitZ()).toRotationMatrix();
    update.translation() = pivot + dx.head<3>() - update.linear() * pivot;
    result.T_target_source = update * result.T_target_source;
    sigma = std::max(0.03, std::min(sigma, 3.0 * result.rmse));
    if (dx.head<3>().norm() + std::abs(dx(3)) < options.convergence) {
      result.converged = true;
      break;
    }
  }
  result.fitness = static_cast<double>(result.pairs) / static_cast<double>(source.size());
  return result;
}

double fraction_within(const std::vector<Eigen::Vector3d>& points,
                       const std::vector<Eigen::Vector3d>& reference, double radius) {
  if (points.empty() || reference.empty() || radius <= 0) return 0.0;
  const TargetMap map(reference, radius, 0.0);
  std::size_t near = 0;
  for (const Eigen::Vector3d& p : points) near += map.any_within(p, radius);
  return static_cast<double>(near) / static_cast<double>(points.size());
}

GridSearchResult grid_search_xy_yaw(const std::vector<Eigen::Vector3d>& source,
                                    const std::vector<Eigen::Vector3d>& target, const Pose& initial,
                                    const GridSearchOptions& options) {
  GridSearchResult best;
  best.T_target_source = initial;
  const std::vector<Eigen::Vector3d> thinned = voxel_downsample(source, options.voxel);
  if (thinned.empty() || target.empty() || options.step <= 0 || options.voxel <= 0) return best;
  // Occupancy as a dense bitmap over the target's bounding box: the search is a few hundred
  // candidates times a few hundred points, and a hash lookup each would dominate.
  Eigen::Vector3d lo = target.front();
  Eigen::Vector3d hi = target.front();
  for (const Eigen::Vector3d& p : target) {
    lo = lo.cwiseMin(p);
    hi = hi.cwiseMax(p);
  }
  // Shifts are whole voxels, so each candidate only offsets the points' precomputed cell indices.
  // The grid is padded in x and y by twice the largest shift: a point that can reach the target
  // under some shift then never indexes outside it.
  const long stride = std::max(1L, std::lround(options.step / options.voxel));
  const int n = static_cast<int>(std::floor(options.extent / (stride * options.voxel) + 1e-9));
  const long reach = n * stride;
  const long pad = 2 * reach;
  const Voxel origin = voxel_of(lo, options.voxel);
  const Voxel top = voxel_of(hi, options.voxel);
  const long nx = top.x - origin.x + 1 + 2 * pad;
  const long ny = top.y - origin.y + 1 + 2 * pad;
  const long nz = top.z - origin.z + 1;
  if (nx * ny * nz > 50'000'000) return best;  // not an object's surroundings
  std::vector<std::uint8_t> occupied(static_cast<std::size_t>(nx * ny * nz), 0);
  // Index of `v`'s cell, or -1 when no shift can bring it into the target's extent.
  const auto cell = [&](const Voxel& v) -> long {
    const long x = v.x - origin.x + pad, y = v.y - origin.y + pad, z = v.z - origin.z;
    if (x < reach || y < reach || z < 0 || x >= nx - reach || y >= ny - reach || z >= nz) {
      return -1;
    }
    return (z * ny + y) * nx + x;
  };
  for (const Eigen::Vector3d& p : target) {
    occupied[static_cast<std::size_t>(cell(voxel_of(p, options.voxel)))] = 1;
  }

  std::vector<Eigen::Vector3d> placed;
  Eigen::Vector3d pivot = Eigen::Vector3d::Zero();
  for (const Eigen::Vector3d& p : thinned) {
    placed.push_back(initial * p);
    pivot += placed.back();
  }
  pivot /= static_cast<double>(placed.size());
  const int m = options.yaw_step > 0
                    ? static_cast<int>(std::floor(options.yaw_extent / options.yaw_step + 1e-9))
                    : 0;
  double best_cost = std::numeric_limits<double>::max();
  std::size_t best_hits = 0;
  std::vector<long> cells;
  cells.reserve(placed.size());
  for (int k = -m; k <= m; ++k) {
    const Eigen::Matrix3d R =
        Eigen::AngleAxisd(k * options.yaw_step, Eigen::Vector3d::UnitZ()).toRotationMatrix();
    cells.clear();
    for (const Eigen::Vector3d& p : placed) {
      if (const long c = cell(voxel_of(R * (p - pivot) + pivot, options.voxel)); c >= 0) {
        cells.push_back(c);
      }
    }
    for (int i = -n; i <= n; ++i) {
      for (int j = -n; j <= n; ++j) {
        const long offset = (j * nx + i) * stride;
        std::size_t hits = 0;
        for (const long c : cells) hits += occupied[static_cast<std::size_t>(c + offset)];
        // Distance from the prior in steps breaks ties: a flat side slides along itself.
        const double cost = static_cast<double>(i * i + j * j + k * k);
        if (hits > best_hits || (hits == best_hits && hits > 0 && cost < best_cost)) {
          best_hits = hits;
          best_cost = cost;
          const Eigen::Vector3d shift(i * stride * options.voxel, j * stride * options.voxel, 0.0);
          Pose update = Pose::Identity();
          update.linear() = R;
          update.translation() = pivot + shift - R * pivot;
          best.T_target_source = update * initial;
        }
      }
    }
  }
  best.score = static_cast<double>(best_hits) / static_cast<double>(placed.size());
  return best;
}

}  // namespace pcanno::geometry
