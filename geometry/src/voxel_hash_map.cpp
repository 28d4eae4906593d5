#include "pcanno/geometry/voxel_hash_map.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include <Eigen/Eigenvalues>

namespace pcanno::geometry {
namespace {

// A voxel index is packed into 21 bits per axis: +-2^20 voxels, +-524 km at 0.5 m, far beyond any
// local map. Indices outside wrap around; they only ever share a voxel with points that far away.
constexpr std::int64_t kBias = std::int64_t{1} << 20;
constexpr std::uint64_t kMask = (std::uint64_t{1} << 21) - 1;
constexpr std::uint64_t kEmpty = std::numeric_limits<std::uint64_t>::max();  // top bit never set
constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ull;

/// floor(v) as an integer; clamped first, so that a huge coordinate cannot overflow the cast.
std::int64_t cell(double v) {
  return static_cast<std::int64_t>(std::floor(std::clamp(v, -1e15, 1e15)));
}

std::uint64_t pack(std::int64_t x, std::int64_t y, std::int64_t z) {
  return ((static_cast<std::uint64_t>(x + kBias) & kMask) << 42) |
         ((static_cast<std::uint64_t>(y + kBias) & kMask) << 21) |
         (static_cast<std::uint64_t>(z + kBias) & kMask);
}

/// Rounds towards minus infinity, as the voxel index of a wider voxel must.
std::int64_t floor_div(std::int64_t i, std::int64_t f) {
  return i >= 0 ? i / f : -((-i + f - 1) / f);
}

/// A set of packed voxel indices with open addressing, at most half full (it grows).
class KeySet {
 public:
  explicit KeySet(std::size_t expected) { resize(2 * expected); }

  /// True when `key` was not in the set yet.
  bool insert(std::uint64_t key) {
    if (!place(key)) return false;
    if (2 * ++size_ > keys_.size()) {
      std::vector<std::uint64_t> old;
      old.swap(keys_);
      resize(2 * old.size());
      for (const std::uint64_t k : old) {
        if (k != kEmpty) place(k);
      }
    }
    return true;
  }

 private:
  void resize(std::size_t capacity) {
    std::size_t size = 16;
    int bits = 4;
    while (size < capacity) {
      size *= 2;
      ++bits;
    }
    keys_.assign(size, kEmpty);
    shift_ = 64 - bits;
  }

  bool place(std::uint64_t key) {
    const std::size_t mask = keys_.size() - 1;
    for (std::size_t i = (key * kGolden) >> shift_;; i = (i + 1) & mask) {
      if (keys_[i] == key) return false;
      if (keys_[i] == kEmpty) {
        keys_[i] = key;
        return true;
      }
    }
  }

  std::vector<std::uint64_t> keys_;
  std::size_t size_ = 0;
  int shift_ = 64;
};

}  // namespace

DoubleDownsampled double_downsample(const PointView& points, double fine_voxel, int factor,
                                    double max_range) {
  DoubleDownsampled out;
  factor = std::max(1, factor);
  const double inverse = 1.0 / fine_voxel;
  const double r2 = max_range * max_range;
  KeySet fine(points.size / 2 + 16);
  // Every coarse voxel's first point is also the first of its fine voxel, so only points that open
  // a fine voxel are looked up in the coarse set.
  KeySet coarse(points.size / 8 + 16);
  for (std::size_t i = 0; i < points.size; ++i) {
    const std::size_t k = i * points.stride;
    const Eigen::Vector3d p(points.x[k], points.y[k], points.z[k]);
    if (!p.allFinite() || (max_range > 0 && p.squaredNorm() > r2)) continue;
    const std::int64_t x = cell(p.x() * inverse);
    const std::int64_t y = cell(p.y() * inverse);
    const std::int64_t z = cell(p.z() * inverse);
    if (!fine.insert(pack(x, y, z))) continue;
    out.fine.push_back(p);
    if (coarse.insert(pack(floor_div(x, factor), floor_div(y, factor), floor_div(z, factor)))) {
      out.coarse.push_back(p);
    }
  }
  return out;
}

VoxelHashMap::VoxelHashMap(double voxel, std::size_t max_points_per_voxel, double min_spacing)
    : voxel_(voxel),
      inverse_voxel_(1.0 / voxel),
      per_voxel_(std::max<std::size_t>(1, max_points_per_voxel)),
      min_spacing2_(min_spacing * min_spacing) {
  rehash(1024);
}

void VoxelHashMap::clear() {
  block_keys_.clear();
  count_.clear();
  points_.clear();
  moments_.clear();
  plane_point_.clear();
  plane_normal_.clear();
  dirty_.clear();
  dirty_blocks_.clear();
  points_total_ = 0;
  rehash(1024);
}

void VoxelHashMap::rehash(std::size_t capacity) {
  int bits = 0;
  std::size_t size = 1;
  while (size < capacity) {
    size *= 2;
    ++bits;
  }
  shift_ = 64 - bits;
  table_keys_.assign(size, kEmpty);
  table_blocks_.assign(size, kNone);
  const std::size_t mask = size - 1;
  for (std::size_t b = 0; b < block_keys_.size(); ++b) {
    std::size_t i = (block_keys_[b] * kGolden) >> shift_;
    while (table_keys_[i] != kEmpty) i = (i + 1) & mask;
    table_keys_[i] = block_keys_[b];
    table_blocks_[i] = static_cast<std::uint32_t>(b);
  }
}

std::uint32_t VoxelHashMap::find(std::uint64_t key) const {
  const std::size_t mask = table_keys_.size() - 1;
  for (std::size_t i = (key * kGolden) >> shift_;; i = (i + 1) & mask) {
    if (table_keys_[i] == key) return table_blocks_[i];
    if (table_keys_[i] == kEmpty) return kNone;
  }
}

std::uint32_t VoxelHashMap::find_or_add(std::uint64_t key) {
  const std::size_t mask = table_keys_.size() - 1;
  std::size_t i = (key * kGolden) >> shift_;
  for (;; i = (i + 1) & mask) {
    if (table_keys_[i] == key) return table_blocks_[i];
    if (table_keys_[i] == kEmpty) break;
  }
  const auto block = static_cast<std::uint32_t>(block_keys_.size());
  block_keys_.push_back(key);
  count_.push_back(0);
  points_.resize(points_.size() + per_voxel_);
  moments_.emplace_back();
  plane_point_.emplace_back(Eigen::Vector3d::Zero());
  plane_normal_.emplace_back(Eigen::Vector3d::Zero());
  dirty_.push_back(0);
  // At most half full, so that probes stay short.
  if (2 * block_keys_.size() > table_keys_.size()) {
    rehash(2 * table_keys_.size());
  } else {
    table_keys_[i] = key;
    table_blocks_[i] = block;
  }
  return block;
}

void VoxelHashMap::add(const std::vector<Eigen::Vector3d>& points, const Pose& T_map_points) {
  for (const Eigen::Vector3d& local : points) {
    const Eigen::Vector3d p = T_map_points * local;
    if (!p.allFinite()) continue;
    const Eigen::Vector3d v = p * inverse_voxel_;
    const std::uint32_t b = find_or_add(pack(cell(v.x()), cell(v.y()), cell(v.z())));
    std::uint32_t& n = count_[b];
    Eigen::Vector3d* first = &points_[b * per_voxel_];
    // Every point counts for the voxel's plane; the first is always kept, and is the origin.
    const Eigen::Vector3d d = n == 0 ? Eigen::Vector3d::Zero() : Eigen::Vector3d(p - first[0]);
    Moments& m = moments_[b];
    m.n += 1.0;
    m.sum += d;
    m.products += Eigen::Matrix<double, 6, 1>(d.x() * d.x(), d.x() * d.y(), d.x() * d.z(),
                                              d.y() * d.y(), d.y() * d.z(), d.z() * d.z());
    if (dirty_[b] == 0) {
      dirty_[b] = 1;
      dirty_blocks_.push_back(b);
    }
    if (n >= per_voxel_) continue;
    bool spaced = true;
    for (std::uint32_t k = 0; k < n && spaced; ++k) {
      spaced = (first[k] - p).squaredNorm() >= min_spacing2_;
    }
    if (!spaced) continue;
    first[n++] = p;
    ++points_total_;
  }
}

void VoxelHashMap::remove_far(const Eigen::Vector3d& centre, double max_distance) {
  const double r2 = max_distance * max_distance;
  std::size_t kept = 0;
  points_total_ = 0;
  for (std::size_t b = 0; b < block_keys_.size(); ++b) {
    if (count_[b] == 0 || (points_[b * per_voxel_] - centre).squaredNorm() > r2) continue;
    if (kept != b) {
      block_keys_[kept] = block_keys_[b];
      count_[kept] = count_[b];
      std::copy_n(points_.begin() + static_cast<std::ptrdiff_t>(b * per_voxel_), count_[b],
                  points_.begin() + static_cast<std::ptrdiff_t>(kept * per_voxel_));
      moments_[kept] = moments_[b];
      plane_point_[kept] = plane_point_[b];
      plane_normal_[kept] = plane_normal_[b];
      dirty_[kept] = dirty_[b];
    }
    points_total_ += count_[kept];
    ++kept;
  }
  if (kept == block_keys_.size()) return;
  block_keys_.resize(kept);
  count_.resize(kept);
  points_.resize(kept * per_voxel_);
  moments_.resize(kept);
  plane_point_.resize(kept);
  plane_normal_.resize(kept);
  dirty_.resize(kept);
  dirty_blocks_.clear();
  for (std::size_t b = 0; b < kept; ++b) {
    if (dirty_[b] != 0) dirty_blocks_.push_back(static_cast<std::uint32_t>(b));
  }
  std::size_t capacity = 1024;
  while (capacity < 2 * kept) capacity *= 2;
  rehash(capacity);
}

const Eigen::Vector3d* VoxelHashMap::nearest(const Eigen::Vector3d& p, double max_distance) const {
  const Eigen::Vector3d v = p * inverse_voxel_;
  if (!v.allFinite()) return nullptr;
  const std::int64_t cx = cell(v.x()), cy = cell(v.y()), cz = cell(v.z());
  double best_d2 = max_distance * max_distance;
  const Eigen::Vector3d* best = nullptr;
  const auto scan = [&](std::uint32_t b) {
    const Eigen::Vector3d* first = &points_[b * per_voxel_];
    for (std::uint32_t k = 0; k < count_[b]; ++k) {
      const double d2 = (first[k] - p).squaredNorm();
      if (d2 < best_d2) {
        best_d2 = d2;
        best = first + k;
      }
    }
  };
  // The point's own voxel first: its nearest point there, usually a fraction of a voxel away,
  // bounds which neighbours can hold a nearer one (mostly one or two).
  if (const std::uint32_t own = find(pack(cx, cy, cz)); own != kNone) scan(own);
  const double reach = std::sqrt(best_d2) * inverse_voxel_;
  const std::int64_t x0 = cell(v.x() - reach), x1 = cell(v.x() + reach);
  const std::int64_t y0 = cell(v.y() - reach), y1 = cell(v.y() + reach);
  const std::int64_t z0 = cell(v.z() - reach), z1 = cell(v.z() + reach);
  // Distance [voxels] from the point to a neighbour's slab along one axis.
  const auto gap = [](double at, std::int64_t c) {
    return std::max({0.0, static_cast<double>(c) - at, at - static_cast<double>(c + 1)});
  };
  for (std::int64_t x = x0; x <= x1; ++x) {
    const double dx = gap(v.x(), x);
    for (std::int64_t y = y0; y <= y1; ++y) {
      const double dy = gap(v.y(), y);
      for (std::int64_t z = z0; z <= z1; ++z) {
        if (x == cx && y == cy && z == cz) continue;
        // A voxel farther than the best so far cannot hold a nearer point.
        const double dz = gap(v.z(), z);
        if ((dx * dx + dy * dy + dz * dz) * voxel_ * voxel_ >= best_d2) continue;
        if (const std::uint32_t b = find(pack(x, y, z)); b != kNone) scan(b);
      }
    }
  }
  return best;
}

void VoxelHashMap::update_planes() {
  const double min_spread = 0.01 * voxel_ * voxel_;  // (voxel / 10)^2
  for (const std::uint32_t b : dirty_blocks_) {
    dirty_[b] = 0;
    const Moments& m = moments_[b];
    const Eigen::Vector3d& origin = points_[b * per_voxel_];
    const Eigen::Vector3d mean = m.sum / m.n;
    plane_point_[b] = origin + mean;
    plane_normal_[b].setZero();
    if (m.n < 5.0) continue;
    const Eigen::Matrix<double, 6, 1> e = m.products / m.n;
    Eigen::Matrix3d cov;
    cov << e(0), e(1), e(2), e(1), e(3), e(4), e(2), e(4), e(5);
    cov -= mean * mean.transpose();
    Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> eig;
    eig.computeDirect(cov);
    const Eigen::Vector3d& l = eig.eigenvalues();  // ascending
    if (!(l(1) > min_spread) || !(l(0) < 0.1 * l(1))) continue;
    plane_normal_[b] = eig.eigenvectors().col(0).normalized();
  }
  dirty_blocks_.clear();
}

std::uint64_t VoxelHashMap::key_of(const Eigen::Vector3d& p) const {
  const Eigen::Vector3d v = p * inverse_voxel_;
  return pack(cell(v.x()), cell(v.y()), cell(v.z()));
}

std::uint32_t VoxelHashMap::plane_near(const Eigen::Vector3d& p, double max_distance) const {
  const Eigen::Vector3d v = p * inverse_voxel_;
  if (!v.allFinite()) return kNone;
  const std::int64_t cx = cell(v.x()), cy = cell(v.y()), cz = cell(v.z());
  const std::uint32_t own = find(pack(cx, cy, cz));
  if (own != kNone && !plane_normal_[own].isZero() &&
      std::abs(plane_normal_[own].dot(p - plane_point_[own])) <= max_distance) {
    return own;
  }
  // The point is off every surface the map knows here (a prior a metre off, a new surface): the
  // planar voxel nearest to it, by centroid.
  const auto reach = static_cast<std::int64_t>(
      std::min(2.0, std::ceil(std::max(0.0, max_distance) * inverse_voxel_)));
  std::uint32_t best = kNone;
  double best_d2 = max_distance * max_distance;
  for (std::int64_t x = cx - reach; x <= cx + reach; ++x) {
    for (std::int64_t y = cy - reach; y <= cy + reach; ++y) {
      for (std::int64_t z = cz - reach; z <= cz + reach; ++z) {
        const std::uint32_t b = find(pack(x, y, z));
        if (b == kNone || b == own || plane_normal_[b].isZero()) continue;
        const double d2 = (plane_point_[b] - p).squaredNorm();
        if (d2 < best_d2) {
          best_d2 = d2;
          best = b;
        }
      }
    }
  }
  return best;
}

}  // namespace pcanno::geometry
