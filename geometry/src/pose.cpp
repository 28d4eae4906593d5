#include "pcanno/geometry/pose.hpp"

#include <cmath>
#include <limits>

#include "pcanno/geometry/angles.hpp"

namespace pcanno::geometry {

double wrap_angle(double angle) {
  if (!std::isfinite(angle)) return angle;
  if (angle >= -kPi && angle < kPi) return angle;
  double wrapped = std::fmod(angle + kPi, 2.0 * kPi);
  if (wrapped < 0.0) wrapped += 2.0 * kPi;
  wrapped -= kPi;
  // fmod can land exactly on +pi through rounding of angle + pi.
  return wrapped >= kPi ? wrapped - 2.0 * kPi : wrapped;
}

double angle_difference(double a, double b) { return wrap_angle(a - b); }

Pose make_pose(const Eigen::Quaterniond& rotation, const Eigen::Vector3d& translation) {
  Pose pose = Pose::Identity();
  pose.linear() = rotation.normalized().toRotationMatrix();
  pose.translation() = translation;
  return pose;
}

Pose compose(const Pose& T_a_b, const Pose& T_b_c) { return T_a_b * T_b_c; }

Pose invert(const Pose& T_a_b) { return T_a_b.inverse(Eigen::Isometry); }

Pose interpolate(const Pose& a, const Pose& b, double t) {
  const Eigen::Quaterniond qa(a.linear());
  const Eigen::Quaterniond qb(b.linear());
  Pose out = Pose::Identity();
  out.linear() = qa.slerp(t, qb).normalized().toRotationMatrix();
  out.translation() = (1.0 - t) * a.translation() + t * b.translation();
  return out;
}

YawPitchRoll yaw_pitch_roll(const Eigen::Quaterniond& q_in) {
  // Total (geometry/yaw_pitch_roll.hpp documents it for boxes): a zero or non-finite quaternion
  // gives NaN angles, and near gimbal lock the angles still convert back to the same rotation.
  if (!q_in.coeffs().allFinite() || !(q_in.norm() > 0.0)) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    return YawPitchRoll{nan, nan, nan};
  }
  const Eigen::Matrix3d R = q_in.normalized().toRotationMatrix();
  // Column 0 is the heading (cos y cos p, sin y cos p, -sin p): pitch from its elevation (atan2
  // keeps full precision near +-pi/2, unlike asin), yaw from its horizontal direction. Within
  // kGimbal of straight up or down that direction is rounding noise: yaw 0, as Cuboid::yaw() says
  // for a box pointing straight up, costs at most kGimbal * pi of rotation.
  constexpr double kGimbal = 1e-12;
  YawPitchRoll ypr;
  const double horizontal = std::hypot(R(0, 0), R(1, 0));
  ypr.pitch = std::atan2(-R(2, 0), horizontal);
  ypr.yaw = horizontal < kGimbal ? 0.0 : std::atan2(R(1, 0), R(0, 0));
  // Roll from what remains once yaw and pitch are taken out, Rx(roll) = Ry(-p) Rz(-y) R: near
  // gimbal lock any error in yaw lands in roll, not in the rotation.
  const Eigen::Matrix3d rest = (Eigen::AngleAxisd(-ypr.pitch, Eigen::Vector3d::UnitY()) *
                                Eigen::AngleAxisd(-ypr.yaw, Eigen::Vector3d::UnitZ()))
                                   .toRotationMatrix() *
                               R;
  ypr.roll = std::atan2(rest(2, 1), rest(1, 1));
  return ypr;
}

Eigen::Quaterniond quaternion_from_yaw_pitch_roll(const YawPitchRoll& ypr) {
  return (Eigen::AngleAxisd(ypr.yaw, Eigen::Vector3d::UnitZ()) *
          Eigen::AngleAxisd(ypr.pitch, Eigen::Vector3d::UnitY()) *
          Eigen::AngleAxisd(ypr.roll, Eigen::Vector3d::UnitX()))
      .normalized();
}

Eigen::Quaterniond quaternion_from_yaw(double yaw) {
  return Eigen::Quaterniond(std::cos(0.5 * yaw), 0.0, 0.0, std::sin(0.5 * yaw));
}

Eigen::Quaterniond quaternion_from_array(const std::array<double, 4>& v, QuaternionOrder order) {
  Eigen::Quaterniond q = order == QuaternionOrder::kWXYZ
                             ? Eigen::Quaterniond(v[0], v[1], v[2], v[3])
                             : Eigen::Quaterniond(v[3], v[0], v[1], v[2]);
  const double norm = q.norm();
  if (!(norm > 0.0) || !std::isfinite(norm)) return Eigen::Quaterniond::Identity();
  q.coeffs() /= norm;
  return q;
}

std::array<double, 4> quaternion_to_array(const Eigen::Quaterniond& q, QuaternionOrder order) {
  if (order == QuaternionOrder::kWXYZ) return {q.w(), q.x(), q.y(), q.z()};
  return {q.x(), q.y(), q.z(), q.w()};
}

double rotation_angle_between(const Eigen::Quaterniond& a, const Eigen::Quaterniond& b) {
  return a.normalized().angularDistance(b.normalized());
}

}  // namespace pcanno::geometry
