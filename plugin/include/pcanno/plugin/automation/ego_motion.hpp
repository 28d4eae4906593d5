#pragma once
#include <filesystem>
#include <functional>
#include <vector>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/geometry/registration.hpp"
#include "pcanno/geometry/trajectory_error.hpp"

// Ego motion for sequences without poses (KITTI tracking without oxts, a folder of scans):
// scan-to-scan point-to-plane ICP on voxel-downsampled clouds, each pair started from the previous
// pair's motion (constant velocity). The world frame is the LiDAR frame of frame 0.

namespace pcanno::plugin {

struct EgoMotionOptions {
  double voxel = 0.5;       ///< [m] downsampling of both scans
  double max_range = 60.0;  ///< [m] farther points are dropped (sparse, and they weigh rotation)
  geometry::IcpOptions icp;
  /// Folder for cached results, one file per sequence (empty: no cache). Estimating takes about
  /// 30 ms of CPU per KITTI frame, reading included; a cached sequence opens instantly.
  std::filesystem::path cache_dir;
};

struct EgoMotion {
  std::vector<geometry::Pose> T_world_lidar;  ///< per frame
  std::vector<double> fitness;  ///< per frame: share of the scan registered to the previous one
  bool from_cache = false;
};

/// Estimates T_world_lidar for every frame. `progress` gets the fraction done, several times per
/// frame (while it loads and between ICP iterations); returning false cancels (kCancelled) within
/// one ICP iteration. Only a finished estimate is cached.
formats::Expected<EgoMotion> estimate_ego_motion(const formats::Sequence& sequence,
                                                 const EgoMotionOptions& options = {},
                                                 const std::function<bool(double)>& progress = {});

/// True when `options.cache_dir` holds a finished estimate for `sequence` (its frames unchanged
/// since), so that estimate_ego_motion() returns at once.
bool ego_motion_cached(const formats::Sequence& sequence, const EgoMotionOptions& options);

/// Where estimate_ego_motion() caches by default: $XDG_CACHE_HOME/pcanno/ego-motion, else
/// ~/.cache/pcanno/ego-motion.
std::filesystem::path default_ego_motion_cache();

/// The estimate for a sequence that has poses of its own (oxts, nuScenes ego poses), and how far it
/// drifts from them.
struct EgoMotionCheck {
  EgoMotion estimate;
  geometry::TrajectoryError error;
};

/// Estimates the ego motion from the scans alone, as for a sequence without poses, and measures it
/// against the sequence's poses. kUnsupported naming the first frame without a pose when the
/// sequence lacks some.
formats::Expected<EgoMotionCheck> check_ego_motion(
    const formats::Sequence& sequence, const EgoMotionOptions& options = {},
    const std::function<bool(double)>& progress = {});

/// Gives every frame of `sequence` its estimated pose, unless the sequence has poses already.
/// Returns true when poses were estimated.
formats::Expected<bool> ensure_poses(formats::Sequence& sequence, const EgoMotionOptions& options,
                                     const std::function<bool(double)>& progress = {});

}  // namespace pcanno::plugin
