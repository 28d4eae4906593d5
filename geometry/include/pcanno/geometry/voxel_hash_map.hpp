#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "pcanno/geometry/point_view.hpp"
#include "pcanno/geometry/pose.hpp"

// The local map of scan-to-map registration (KISS-ICP, Vizzo et al. 2023): a hash of voxels, each
// holding a few points, so that a map built from many scans answers nearest-neighbour queries by
// looking at the handful of voxels around a point, and forgets what the sensor has left behind.
// Open addressing over packed voxel indices: one multiply and, mostly, one probe per lookup.

namespace pcanno::geometry {

/// A scan thinned twice in one pass: `fine` keeps the first point of every voxel of side
/// `fine_voxel`, `coarse` the first point of every voxel `factor` times as wide. Both are subsets
/// of the input in its order, so `coarse` equals voxel_downsample(points, fine_voxel * factor,
/// max_range) whenever that product is exact in floating point (a power-of-two factor).
struct DoubleDownsampled {
  std::vector<Eigen::Vector3d> fine;    ///< for the map
  std::vector<Eigen::Vector3d> coarse;  ///< for registration
};

/// Skips non-finite points and points farther than `max_range` [m] from the origin (0: no limit).
/// `factor` >= 1.
DoubleDownsampled double_downsample(const PointView& points, double fine_voxel, int factor,
                                    double max_range = 0.0);

class VoxelHashMap {
 public:
  /// `voxel` [m]: side of a voxel; `max_points_per_voxel`: points kept per voxel (the first ones
  /// that are at least `min_spacing` [m] from the others already there).
  explicit VoxelHashMap(double voxel = 1.0, std::size_t max_points_per_voxel = 20,
                        double min_spacing = 0.0);

  /// Adds `points` moved by `T_map_points` into the map frame.
  void add(const std::vector<Eigen::Vector3d>& points, const Pose& T_map_points = Pose::Identity());

  /// Forgets every voxel whose first point lies farther than `max_distance` [m] from `centre`.
  void remove_far(const Eigen::Vector3d& centre, double max_distance);

  /// The stored point nearest to `p` [map frame] within `max_distance` [m], or nullptr. Looks at
  /// every voxel the ball around `p` overlaps, so it is exact; keep `max_distance` within about
  /// a voxel for speed.
  const Eigen::Vector3d* nearest(const Eigen::Vector3d& p, double max_distance) const;

  /// Fits a plane to every voxel whose points changed since the last call: to all points ever
  /// added to it (not only the few it keeps), so that the scans of several poses fill in the
  /// sparse rings of a far road. A voxel is planar when it holds at least 5 points spread along
  /// two directions (second eigenvalue above (voxel / 10)^2) and much less along the third (the
  /// smallest below 0.1 of the second).
  void update_planes();

  /// The packed index of the voxel that holds `p` (for per-point caches in registration).
  std::uint64_t key_of(const Eigen::Vector3d& p) const;

  /// The planar voxel for `p`: its own voxel when planar and its plane within `max_distance` [m]
  /// of `p`, else the planar voxel with the centroid nearest to `p` among those up to
  /// ceil(max_distance / voxel) voxels away (at most 2), its centroid within `max_distance`.
  /// kNone when there is none. Planes are as of the last update_planes().
  std::uint32_t plane_near(const Eigen::Vector3d& p, double max_distance) const;
  const Eigen::Vector3d& plane_point(std::uint32_t block) const { return plane_point_[block]; }
  const Eigen::Vector3d& plane_normal(std::uint32_t block) const { return plane_normal_[block]; }

  static constexpr std::uint32_t kNone = 0xffffffffu;

  std::size_t voxels() const { return count_.size(); }
  std::size_t points() const { return points_total_; }
  bool empty() const { return count_.empty(); }
  double voxel() const { return voxel_; }
  void clear();

 private:
  /// Sums of the points that fell into a voxel, about its first point (small numbers, so that
  /// the covariance does not cancel): count, sum, and the 6 distinct products.
  struct Moments {
    double n = 0.0;
    Eigen::Vector3d sum = Eigen::Vector3d::Zero();
    Eigen::Matrix<double, 6, 1> products = Eigen::Matrix<double, 6, 1>::Zero();
  };

  std::uint32_t find(std::uint64_t key) const;
  std::uint32_t find_or_add(std::uint64_t key);
  void rehash(std::size_t capacity);

  double voxel_;
  double inverse_voxel_;
  std::size_t per_voxel_;
  double min_spacing2_;
  std::size_t points_total_ = 0;
  int shift_ = 64;  ///< 64 - log2(table size): the hash keeps the product's top bits
  /// Open-addressing table (power-of-two size): a packed voxel index and its block, kNone empty.
  std::vector<std::uint64_t> table_keys_;
  std::vector<std::uint32_t> table_blocks_;
  /// Per block (occupied voxel): its key, how many points it holds, and its points at
  /// [block * per_voxel_, block * per_voxel_ + count).
  std::vector<std::uint64_t> block_keys_;
  std::vector<std::uint32_t> count_;
  std::vector<Eigen::Vector3d> points_;
  std::vector<Moments> moments_;
  std::vector<Eigen::Vector3d> plane_point_;   ///< centroid [map frame]
  std::vector<Eigen::Vector3d> plane_normal_;  ///< unit; zero when not planar
  std::vector<std::uint8_t> dirty_;            ///< per block: changed since update_planes()
  std::vector<std::uint32_t> dirty_blocks_;
};

}  // namespace pcanno::geometry
