#include "pcanno/geometry/cuboid.hpp"

#include <cmath>

#include "box_test.hpp"
#include "pcanno/geometry/yaw_pitch_roll.hpp"

namespace pcanno::geometry {

Cuboid Cuboid::from_yaw(const Eigen::Vector3d& center, const Eigen::Vector3d& size, double yaw) {
  return Cuboid{center, size, quaternion_from_yaw(yaw)};
}

double Cuboid::yaw() const {
  const Eigen::Vector3d heading = rotation * Eigen::Vector3d::UnitX();
  if (heading.x() == 0.0 && heading.y() == 0.0) return 0.0;
  return std::atan2(heading.y(), heading.x());
}

bool Cuboid::is_upright(double tol_rad) const { return tilt_angle(rotation) <= tol_rad; }

std::array<Eigen::Vector3d, 8> Cuboid::corners() const {
  static constexpr double kSigns[8][3] = {{+1, +1, -1}, {-1, +1, -1}, {-1, -1, -1}, {+1, -1, -1},
                                          {+1, +1, +1}, {-1, +1, +1}, {-1, -1, +1}, {+1, -1, +1}};
  const Eigen::Matrix3d R = rotation.normalized().toRotationMatrix();
  const Eigen::Vector3d half = 0.5 * size;
  std::array<Eigen::Vector3d, 8> out;
  for (int i = 0; i < 8; ++i) {
    const Eigen::Vector3d local(kSigns[i][0] * half.x(), kSigns[i][1] * half.y(),
                                kSigns[i][2] * half.z());
    out[i] = center + R * local;
  }
  return out;
}

bool Cuboid::contains(const Eigen::Vector3d& p, double margin) const {
  return detail::BoxTest(*this, margin).inside(p.x(), p.y(), p.z());
}

Cuboid transform(const Pose& T_a_b, const Cuboid& box_in_b) {
  Cuboid out = box_in_b;
  out.center = T_a_b * box_in_b.center;
  out.rotation = (Eigen::Quaterniond(T_a_b.linear()) * box_in_b.rotation).normalized();
  return out;
}

Cuboid flipped_heading(const Cuboid& box) {
  Cuboid out = box;
  out.rotation = (box.rotation * Eigen::Quaterniond(0.0, 0.0, 0.0, 1.0)).normalized();
  return out;
}

}  // namespace pcanno::geometry
