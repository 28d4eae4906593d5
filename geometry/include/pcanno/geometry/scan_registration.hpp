#pragma once
#include <cstddef>
#include <functional>
#include <vector>

#include <Eigen/Core>

#include "pcanno/geometry/point_view.hpp"
#include "pcanno/geometry/pose.hpp"
#include "pcanno/geometry/registration.hpp"
#include "pcanno/geometry/voxel_hash_map.hpp"

// LiDAR odometry after KISS-ICP (Vizzo et al., "KISS-ICP: In Defense of Point-to-Point ICP",
// RA-L 2023): each scan is thinned twice, its coarse set registered to a voxel-hash local map of
// the scans before it, starting from a constant-velocity prediction, with a correspondence gate
// and a robust kernel that adapt to how wrong that prediction has been so far. The map is updated,
// not rebuilt, per scan. Unlike KISS-ICP the residual is point-to-plane, against a plane per
// voxel kept up to date from the points that fell into it: point-to-point converges slowly where
// most points lie on the road and on walls along it, and each iteration is a whole pass of
// nearest-neighbour searches, while the planes of the voxels need no search once a point is in
// its voxel.

namespace pcanno::geometry {

/// KISS-ICP's adaptive threshold. The model error of a deviation (prediction^-1 * estimate) is
/// |t| + 2 * max_range * sin(angle / 2): how far the deviation moves a point at `max_range` at
/// most. sigma() is the root mean square of the model errors so far, `initial` before the first.
/// KISS-ICP leaves errors below `min_motion` out, so that a smooth drive keeps the initial, wide
/// sigma; here they count as `min_motion` (the sensor's noise floor), so that sigma settles at it
/// and the kernel tightens, and still never collapses. Registration gates pairs at 3 sigma and
/// uses a Geman-McClure kernel of sigma / 3.
class AdaptiveThreshold {
 public:
  AdaptiveThreshold(double initial = 1.0, double min_motion = 0.1, double max_range = 60.0)
      : initial_(initial), min_motion_(min_motion), max_range_(max_range) {}

  static double model_error(const Pose& deviation, double max_range);
  void update(const Pose& deviation);
  double sigma() const;  ///< [m]
  std::size_t samples() const { return samples_; }

 private:
  double initial_;
  double min_motion_;
  double max_range_;
  double sum_squared_ = 0.0;
  std::size_t samples_ = 0;
};

/// The constant-velocity model's next motion from the last one (T_previous_last): its translation
/// and its turn about the LiDAR's z axis (yaw), without pitch or roll.
Pose predicted_motion(const Pose& velocity);

struct MapIcpOptions {
  double max_correspondence = 1.0;  ///< [m] gate: pairs farther apart are ignored
  double kernel = 0.3;              ///< [m] scale of the Geman-McClure weight
  int max_iterations = 30;
  double convergence = 1e-4;   ///< stop when the update's translation [m] + rotation [rad] is below
  std::size_t min_pairs = 10;  ///< fewer pairs: the result is not converged
  /// Polled before every iteration: returning true stops at once (IcpResult::stopped).
  std::function<bool()> stop;
};

/// Point-to-plane ICP of `source` to the planes of `map` (VoxelHashMap::update_planes()) from
/// `initial` (T_map_source). Each source point is paired with the plane of its voxel, or of the
/// nearest planar voxel when its own is not (VoxelHashMap::plane_near); the pairing is kept while
/// the point stays in the same voxel, so that after the first iterations a step costs no lookups.
/// Each iteration solves the linearised, kernel-weighted least squares in closed form.
/// IcpResult::rmse is the point-to-plane residual of the pairs.
IcpResult register_to_map(const std::vector<Eigen::Vector3d>& source, const VoxelHashMap& map,
                          const Pose& initial, const MapIcpOptions& options = {});

struct ScanOdometryOptions {
  double voxel = 0.5;       ///< [m] thinning of the set that is registered
  int fine_factor = 2;      ///< the map is fed a set thinned at voxel / fine_factor
  double max_range = 60.0;  ///< [m] farther points are dropped, and the map forgets beyond it
  /// [m] the map's voxel: wide enough that one scan's fine set puts a dozen points on a plane in
  /// it, so that its plane is fitted from the first scan on.
  double map_voxel = 1.0;
  std::size_t max_points_per_voxel = 5;
  double initial_sigma = 2.0;       ///< [m] adaptive threshold before its first sample
  double min_motion = 0.1;          ///< [m] smaller prediction errors count as this (sigma's floor)
  double max_correspondence = 1.0;  ///< [m] cap of the gate (3 sigma), which bounds the search
  int max_iterations = 30;
  double convergence = 1e-4;
  std::size_t min_pairs = 10;
};

/// One registered scan.
struct OdometryStep {
  Pose T_world_lidar = Pose::Identity();
  double fitness = 0.0;  ///< share of the registration set paired with the map (0: not registered)
  bool registered = false;  ///< false: the prediction was kept (too few pairs), or the first scan
  bool stopped = false;     ///< the stop predicate ended it; the odometry is unchanged
  int iterations = 0;
};

/// Scan-to-map odometry; the world frame is the LiDAR frame of the first scan.
class ScanOdometry {
 public:
  explicit ScanOdometry(const ScanOdometryOptions& options = {});

  /// Registers the next scan (its raw points; thinned here). `stop` is polled between ICP
  /// iterations; when it stops, the odometry is left as before the call.
  OdometryStep add_scan(const PointView& scan, const std::function<bool()>& stop = {});
  /// The same for a scan already thinned by double_downsample(scan, voxel / fine_factor,
  /// fine_factor, max_range).
  OdometryStep add_scan(const DoubleDownsampled& scan, const std::function<bool()>& stop = {});

  const VoxelHashMap& map() const { return map_; }
  /// The last scan's motion (T_previous_last), from which the next scan's pose is predicted.
  const Pose& velocity() const { return velocity_; }
  const AdaptiveThreshold& threshold() const { return threshold_; }
  std::size_t scans() const { return scans_; }

 private:
  ScanOdometryOptions options_;
  VoxelHashMap map_;
  AdaptiveThreshold threshold_;
  Pose last_ = Pose::Identity();      ///< T_world_lidar of the last scan
  Pose velocity_ = Pose::Identity();  ///< T_previous_last: the last motion, the next prediction
  std::size_t scans_ = 0;
};

}  // namespace pcanno::geometry
