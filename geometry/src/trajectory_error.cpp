#include "pcanno/geometry/trajectory_error.hpp"

#include <algorithm>
#include <cmath>

namespace pcanno::geometry {
namespace {

/// Angle [rad] of a rotation matrix, robust to rounding at 0 and pi.
double angle_of(const Eigen::Matrix3d& R) {
  return std::acos(std::clamp((R.trace() - 1.0) / 2.0, -1.0, 1.0));
}

}  // namespace

std::optional<TrajectoryError> trajectory_error(const std::vector<Pose>& estimated,
                                                const std::vector<Pose>& reference) {
  if (estimated.empty() || estimated.size() != reference.size()) return std::nullopt;
  TrajectoryError e;
  const Pose est0_inv = invert(estimated.front());
  const Pose ref0_inv = invert(reference.front());
  double step_translation = 0.0;
  double step_rotation = 0.0;
  for (std::size_t i = 0; i < estimated.size(); ++i) {
    const Pose diff = invert(ref0_inv * reference[i]) * (est0_inv * estimated[i]);
    e.translation.push_back(diff.translation().norm());
    e.rotation.push_back(angle_of(diff.linear()));
    if (i == 0) continue;
    const Pose ref_step = invert(reference[i - 1]) * reference[i];
    const Pose est_step = invert(estimated[i - 1]) * estimated[i];
    const Pose step_diff = invert(ref_step) * est_step;
    step_translation += step_diff.translation().norm();
    step_rotation += angle_of(step_diff.linear());
    e.path_length += ref_step.translation().norm();
  }
  e.final_translation = e.translation.back();
  e.final_rotation = e.rotation.back();
  e.max_translation = *std::max_element(e.translation.begin(), e.translation.end());
  e.max_rotation = *std::max_element(e.rotation.begin(), e.rotation.end());
  if (e.path_length > 0.0) e.drift_percent = 100.0 * e.final_translation / e.path_length;
  if (estimated.size() > 1) {
    const double steps = static_cast<double>(estimated.size() - 1);
    e.mean_step_translation = step_translation / steps;
    e.mean_step_rotation = step_rotation / steps;
  }
  return e;
}

}  // namespace pcanno::geometry
