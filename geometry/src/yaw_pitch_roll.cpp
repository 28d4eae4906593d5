#include "pcanno/geometry/yaw_pitch_roll.hpp"

#include <cmath>
#include <limits>

namespace pcanno::geometry {

double tilt_angle(const Eigen::Quaterniond& rotation) {
  if (!rotation.coeffs().allFinite() || !(rotation.norm() > 0.0)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  const Eigen::Vector3d up = rotation.normalized() * Eigen::Vector3d::UnitZ();
  // From the horizontal component: accurate near zero, unlike acos(up.z()).
  return std::atan2(up.head<2>().norm(), up.z());
}

}  // namespace pcanno::geometry
