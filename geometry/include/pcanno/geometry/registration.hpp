#pragma once
#include <cstddef>
#include <functional>
#include <vector>

#include <Eigen/Core>

#include "pcanno/geometry/point_view.hpp"
#include "pcanno/geometry/pose.hpp"

// Scan registration for ego-motion and for refining a tracked object: point-to-plane ICP with a
// robust (Geman-McClure) kernel, nearest neighbours from a voxel hash (the KISS-ICP recipe).

namespace pcanno::geometry {

/// One point per occupied voxel of side `voxel` [m] (the first point that fell in it, so the result
/// is a subset of the input), skipping non-finite points and points farther than `max_range` [m]
/// from the origin (0: no limit).
std::vector<Eigen::Vector3d> voxel_downsample(const PointView& points, double voxel,
                                              double max_range = 0.0);
std::vector<Eigen::Vector3d> voxel_downsample(const std::vector<Eigen::Vector3d>& points,
                                              double voxel);

struct IcpOptions {
  double max_correspondence = 1.0;  ///< [m] pairs farther apart are ignored
  int max_iterations = 40;
  double convergence = 1e-4;   ///< stop when the update's translation [m] + rotation [rad] is below
  double normal_radius = 1.0;  ///< [m] neighbourhood of the target's normal estimate
  std::size_t min_pairs = 10;  ///< fewer inlier pairs: the result is not converged
  /// Polled before every iteration and every few thousand normal estimates: returning true stops
  /// the registration at once (IcpResult::stopped), so that a cancelled job does not wait for a
  /// whole scan-to-scan alignment. Empty: never stops early.
  std::function<bool()> stop;
};

struct IcpResult {
  Pose T_target_source = Pose::Identity();
  double rmse = 0.0;      ///< [m] point-to-plane residual of the inlier pairs
  std::size_t pairs = 0;  ///< inlier correspondences at the last iteration
  int iterations = 0;
  bool converged = false;
  /// Inlier pairs / source points: how much of the source found the target (a confidence).
  double fitness = 0.0;
  bool stopped = false;  ///< IcpOptions::stop ended it; the pose is the last iterate
};

/// Aligns `source` to `target`, starting from `initial` (a motion prior): the returned
/// T_target_source maps source points onto the target's surfaces.
IcpResult register_point_to_plane(const std::vector<Eigen::Vector3d>& source,
                                  const std::vector<Eigen::Vector3d>& target, const Pose& initial,
                                  const IcpOptions& options = {});

/// Point-to-point ICP restricted to what a road user's motion between scans can be: a translation
/// and a turn about the vertical (4 DoF; roll and pitch of `initial` are kept). Unlike
/// point-to-plane it needs no planar neighbourhoods, so it holds on the few, scattered returns of a
/// pedestrian or a cyclist. The turn is taken about the centroid of the matched source points,
/// which keeps the problem well conditioned far from the origin. `normal_radius` is unused.
IcpResult register_point_to_point_yaw(const std::vector<Eigen::Vector3d>& source,
                                      const std::vector<Eigen::Vector3d>& target,
                                      const Pose& initial, const IcpOptions& options = {});

/// Share of `points` with a `reference` point within `radius` [m] (0 for no points): how much of
/// a scan a model explains.
double fraction_within(const std::vector<Eigen::Vector3d>& points,
                       const std::vector<Eigen::Vector3d>& reference, double radius);

struct GridSearchOptions {
  double extent = 1.0;      ///< [m] candidate shifts in x and y, either way from the initial pose
  double step = 0.2;        ///< [m], rounded to a whole number of voxels
  double yaw_extent = 0.1;  ///< [rad] candidate turns either way
  double yaw_step = 0.05;   ///< [rad]
  double voxel = 0.2;       ///< [m] occupancy grid of the target
};

struct GridSearchResult {
  Pose T_target_source = Pose::Identity();
  double score = 0.0;  ///< share of the (thinned) source in occupied target voxels
};

/// Exhaustive search over shifts in x, y and turns about the vertical through the source's
/// centroid, around `initial`, for the pose that puts most of the source into voxels the target
/// occupies. ICP only finds the nearest minimum; this finds the basin when the prior is a metre
/// off, as it is for a moving object seen from a standstill guess. Ties go to the candidate closest
/// to `initial`.
GridSearchResult grid_search_xy_yaw(const std::vector<Eigen::Vector3d>& source,
                                    const std::vector<Eigen::Vector3d>& target, const Pose& initial,
                                    const GridSearchOptions& options = {});

}  // namespace pcanno::geometry
