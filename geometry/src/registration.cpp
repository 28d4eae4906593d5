#include "pcanno/geometry/registration.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <unordered_set>

#include <Eigen/Cholesky>

#include "dense_grid.hpp"
#include "plane_map.hpp"

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

/// The voxels seen so far. Thinning inserts every point of a scan (>100 000), and
/// std::unordered_set's allocation per voxel took most of that time: voxels within 2^20 of the
/// origin on every axis (500 km at 0.5 m) go to an open-addressing table of packed 64-bit keys,
/// the rest to an unordered_set.
class VoxelSet {
 public:
  /// True when `v` was not in the set yet (it is now).
  bool insert(const Voxel& v) {
    constexpr long kHalf = 1L << 20;
    if (std::max({std::abs(v.x), std::abs(v.y), std::abs(v.z)}) >= kHalf) {
      return far_.insert(v).second;
    }
    // 0 marks an empty slot, so keys start at 1.
    const std::uint64_t key = ((static_cast<std::uint64_t>(v.x + kHalf) << 42) |
                               (static_cast<std::uint64_t>(v.y + kHalf) << 21) |
                               static_cast<std::uint64_t>(v.z + kHalf)) +
                              1;
    if (2 * (size_ + 1) > slots_.size()) grow();
    return insert_key(key);
  }

 private:
  bool insert_key(std::uint64_t key) {
    const std::size_t mask = slots_.size() - 1;
    // Fibonacci hashing: the multiply spreads the key over the top bits, which pick the slot.
    for (std::size_t i = static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> (64 - bits_));;
         i = (i + 1) & mask) {
      if (slots_[i] == key) return false;
      if (slots_[i] == 0) {
        slots_[i] = key;
        ++size_;
        return true;
      }
    }
  }
  void grow() {
    std::vector<std::uint64_t> old(std::move(slots_));
    ++bits_;
    slots_.assign(std::size_t{1} << bits_, 0);
    size_ = 0;
    for (const std::uint64_t key : old) {
      if (key != 0) insert_key(key);
    }
  }

  int bits_ = 11;  ///< log2 of the slot count (the first insert grows the empty table)
  std::vector<std::uint64_t> slots_;
  std::size_t size_ = 0;
  std::unordered_set<Voxel, VoxelHash> far_;
};

Voxel voxel_of(const Eigen::Vector3d& p, double size) {
  return Voxel{static_cast<long>(std::floor(p.x() / size)),
               static_cast<long>(std::floor(p.y() / size)),
               static_cast<long>(std::floor(p.z() / size))};
}

/// Target points bucketed in a dense grid, for neighbour queries within `radius` (point-to-point
/// registration and coverage; point-to-plane ICP has its PlaneMap). Cells are as wide as the
/// radius, so a query visits the 2 or 3 cells per axis its neighbourhood overlaps: array lookups
/// and few candidates, no hashing.
class TargetMap {
 public:
  TargetMap(const std::vector<Eigen::Vector3d>& points, double radius)
      : grid_(detail::scan_grid(points, radius)), points_(points) {
    reach_ = radius / grid_.cell();
    // nearest() runs over each row of cells in turn: a copy in cell order reads them sequentially.
    sorted_.reserve(grid_.order.size());
    for (const std::uint32_t i : grid_.order) sorted_.push_back(points[i]);
  }

  /// Nearest target point within `max_distance` of `p`, or npos.
  std::size_t nearest(const Eigen::Vector3d& p, double max_distance) const {
    std::size_t best = npos;
    double best_d2 = max_distance * max_distance;
    for_neighbour_ranges(p, [&](std::size_t from, std::size_t to) {
      for (std::size_t k = from; k < to; ++k) {
        const double d2 = (sorted_[k] - p).squaredNorm();
        if (d2 < best_d2) {
          best_d2 = d2;
          best = k;
        }
      }
    });
    return best == npos ? npos : grid_.order[best];
  }

  /// Whether any target point lies within `max_distance` of `p`.
  bool any_within(const Eigen::Vector3d& p, double max_distance) const {
    const double r2 = max_distance * max_distance;
    bool found = false;
    for_neighbours(p, [&](std::size_t j) {
      found = found || (points_[j] - p).squaredNorm() <= r2;
    });
    return found;
  }

  const Eigen::Vector3d& point(std::size_t i) const { return points_[i]; }
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

  detail::DenseGrid grid_;
  double reach_ = 1.0;                   ///< the radius in cells
  std::vector<Eigen::Vector3d> sorted_;  ///< the points in the grid's order
  const std::vector<Eigen::Vector3d>& points_;
};

/// True, with `result.stopped` set, when `options.stop` asks the registration to end now.
bool stop_now(const IcpOptions& options, IcpResult& result) {
  result.stopped = options.stop && options.stop();
  return result.stopped;
}

}  // namespace

std::vector<Eigen::Vector3d> voxel_downsample(const PointView& points, double voxel,
                                              double max_range) {
  VoxelSet seen;
  std::vector<Eigen::Vector3d> out;
  const double r2 = max_range * max_range;
  for (std::size_t i = 0; i < points.size; ++i) {
    const std::size_t k = i * points.stride;
    const Eigen::Vector3d p(points.x[k], points.y[k], points.z[k]);
    if (!p.allFinite() || (max_range > 0 && p.squaredNorm() > r2)) continue;
    if (seen.insert(voxel_of(p, voxel))) out.push_back(p);
  }
  return out;
}

std::vector<Eigen::Vector3d> voxel_downsample(const std::vector<Eigen::Vector3d>& points,
                                              double voxel) {
  VoxelSet seen;
  std::vector<Eigen::Vector3d> out;
  for (const Eigen::Vector3d& p : points) {
    if (p.allFinite() && seen.insert(voxel_of(p, voxel))) out.push_back(p);
  }
  return out;
}

IcpResult register_point_to_plane(const std::vector<Eigen::Vector3d>& source,
                                  const std::vector<Eigen::Vector3d>& target, const Pose& initial,
                                  const IcpOptions& options) {
  IcpResult result;
  result.T_target_source = initial;
  if (source.empty() || target.size() < 5) return result;
  const detail::PlaneMap map(target, options.normal_radius, options.max_correspondence,
                            options.stop);
  if (map.stopped()) {
    result.stopped = true;
    return result;
  }
  // The source cell by cell: consecutive queries then read the same few cells of the map, and
  // the search is bound by memory, not arithmetic.
  const detail::DenseGrid by_cell = detail::scan_grid(source, options.max_correspondence);
  std::vector<std::size_t> match(source.size(), detail::PlaneMap::npos);  // last iteration's
  double sigma = options.max_correspondence / 3.0;
  for (int it = 0; it < options.max_iterations; ++it) {
    if (stop_now(options, result)) return result;
    Eigen::Matrix<double, 6, 6> H = Eigen::Matrix<double, 6, 6>::Zero();
    Eigen::Matrix<double, 6, 1> g = Eigen::Matrix<double, 6, 1>::Zero();
    double squared = 0.0;
    std::size_t pairs = 0;
    for (const std::uint32_t i : by_cell.order) {
      const Eigen::Vector3d p = result.T_target_source * source[i];
      const std::size_t j = map.nearest(p, match[i]);
      match[i] = j;
      if (j == detail::PlaneMap::npos) continue;
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
  const TargetMap map(target, options.max_correspondence);
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
  const TargetMap map(reference, radius);
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
