#pragma once
#include <optional>
#include <vector>

#include <Eigen/Core>

#include "pcanno/geometry/cuboid.hpp"

// Boxes between keyframes of one rigid object, interpolated in the world frame: interpolating in
// the sensor frame (what most tools do) bends straight paths by the ego vehicle's own motion.

namespace pcanno::geometry {

/// A keyframe of one track.
struct BoxKey {
  double time = 0.0;  ///< [s]
  Cuboid box;         ///< box_in_world
};

/// How the velocity at each keyframe, the tangent of the translation curve, is estimated.
enum class TangentMode {
  /// Three-point finite difference of the neighbouring keyframes (one-sided at the ends).
  kFiniteDifference,
  /// The finite difference projected on the box's heading: a car moves along its x axis, so the
  /// curve leaves each keyframe the way the car points. For vehicles.
  kHeadingAligned,
};

struct InterpolationOptions {
  TangentMode tangent = TangentMode::kFiniteDifference;
  /// Size for every interpolated box (a rigid object keeps its size); nullopt interpolates the
  /// keyframes' sizes linearly.
  std::optional<Eigen::Vector3d> size;
};

/// The box at `time` from keyframes sorted by time (at least one). Rotation: slerp (shortest arc)
/// between the two keyframes around `time`. Translation: cubic Hermite through the keyframes with
/// the tangents of `options`, so the path is C1 and a constant velocity is reproduced exactly.
/// Outside the keyframes the nearest keyframe is returned. Keyframes with equal times: the later
/// one wins.
Cuboid interpolate_box(const std::vector<BoxKey>& keys, double time,
                       const InterpolationOptions& options = {});

/// The tangent [m/s] at keyframe `k` (exposed for tests and for the propagation's motion prior).
Eigen::Vector3d keyframe_velocity(const std::vector<BoxKey>& keys, std::size_t k, TangentMode mode);

/// The baseline other tools use, for comparison: centre, size and yaw interpolated linearly as
/// plain numbers (yaw without unwrapping), in whatever frame the boxes are given.
Cuboid interpolate_box_linear(const BoxKey& a, const BoxKey& b, double time);

}  // namespace pcanno::geometry
