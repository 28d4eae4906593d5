#pragma once
#include <optional>
#include <vector>

#include "pcanno/geometry/pose.hpp"

// How far an estimated sensor trajectory (ego motion) is from a reference one (oxts, ego_pose):
// the drift report of the ego-motion estimator. Both trajectories are taken relative to their own
// first pose, so their world frames need not agree.

namespace pcanno::geometry {

struct TrajectoryError {
  /// Per frame: distance [m] between the estimated and the reference pose relative to frame 0
  /// (the absolute trajectory error anchored at the first frame; 0 at frame 0).
  std::vector<double> translation;
  std::vector<double> rotation;    ///< [rad] per frame, the same for the orientation
  double path_length = 0.0;        ///< [m] travelled along the reference
  double final_translation = 0.0;  ///< [m] at the last frame
  double final_rotation = 0.0;     ///< [rad] at the last frame
  double max_translation = 0.0;    ///< [m] over all frames
  double max_rotation = 0.0;       ///< [rad] over all frames
  /// The final translation error per metre travelled, in percent (the KITTI odometry measure);
  /// 0 for a reference that does not move.
  double drift_percent = 0.0;
  /// Mean error [m] of the frame-to-frame motion (the relative pose error of consecutive frames).
  double mean_step_translation = 0.0;
  double mean_step_rotation = 0.0;  ///< [rad], the same for the rotation
};

/// Compares `T_world_sensor` sequences of equal length; nullopt when they are empty or differ in
/// length.
std::optional<TrajectoryError> trajectory_error(const std::vector<Pose>& estimated,
                                                const std::vector<Pose>& reference);

}  // namespace pcanno::geometry
