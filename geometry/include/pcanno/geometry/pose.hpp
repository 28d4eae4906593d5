#pragma once
#include <array>

#include <Eigen/Geometry>

namespace pcanno::geometry {

/// Rigid transform. Name variables `T_<to>_<from>`: `T_world_lidar` maps LiDAR-frame points into
/// the world.
using Pose = Eigen::Isometry3d;

/// Builds a pose from a rotation (normalised here) and a translation [m].
Pose make_pose(const Eigen::Quaterniond& rotation, const Eigen::Vector3d& translation);

/// `T_a_c = T_a_b * T_b_c`.
Pose compose(const Pose& T_a_b, const Pose& T_b_c);

/// `T_b_a` from `T_a_b`, using the rigid structure (transpose, not a general inverse).
Pose invert(const Pose& T_a_b);

/// Pose at `t` in [0, 1] between `a` (t = 0) and `b` (t = 1): slerp on the rotation (shortest arc),
/// linear translation. `t` outside [0, 1] extrapolates.
Pose interpolate(const Pose& a, const Pose& b, double t);

/// Intrinsic Z-Y'-X'' angles, the aerospace and nuScenes-devkit convention: R = Rz(yaw) Ry(pitch)
/// Rx(roll).
struct YawPitchRoll {
  double yaw = 0.0;    ///< about parent +z [rad], (-pi, pi]
  double pitch = 0.0;  ///< about the once-rotated +y [rad], [-pi/2, pi/2]
  double roll = 0.0;   ///< about the twice-rotated +x [rad], (-pi, pi]
};

YawPitchRoll yaw_pitch_roll(const Eigen::Quaterniond& q);
Eigen::Quaterniond quaternion_from_yaw_pitch_roll(const YawPitchRoll& ypr);
Eigen::Quaterniond quaternion_from_yaw(double yaw);

/// Storage order of a quaternion's four numbers in a file or array. Eigen's `coeffs()` is x,y,z,w;
/// nuScenes and OpenLABEL's `quaternion` use different orders, so every conversion names the order
/// explicitly.
enum class QuaternionOrder { kWXYZ, kXYZW };

/// Reads four numbers in `order`; the result is normalised, and a zero quaternion becomes the
/// identity.
Eigen::Quaterniond quaternion_from_array(const std::array<double, 4>& values,
                                         QuaternionOrder order);
std::array<double, 4> quaternion_to_array(const Eigen::Quaterniond& q, QuaternionOrder order);

/// Angle [rad] of the rotation that takes `a` to `b`, in [0, pi].
double rotation_angle_between(const Eigen::Quaterniond& a, const Eigen::Quaterniond& b);

}  // namespace pcanno::geometry
