#pragma once
#include <Eigen/Geometry>

#include "pcanno/geometry/pose.hpp"

// A box's rotation as yaw, pitch and roll: the numbers an annotator types, and the one KITTI
// keeps. The rotation itself stays a quaternion (Cuboid::rotation); pose.hpp converts both ways:
// quaternion_from_yaw_pitch_roll() and yaw_pitch_roll(), with the struct YawPitchRoll [rad].
//
// Convention: R = Rz(yaw) * Ry(pitch) * Rx(roll), intrinsic z-y'-x'' (turn about box +z, then
// about the turned box +y, then about the twice-turned box +x). The box frame is Cuboid's: +x
// forward, +y left, +z up. The angles are relative to the frame the box is expressed in (for a
// document box: BoxState::shape_frame, the LiDAR or the world frame), all by the right-hand rule:
// - yaw turns the heading counter-clockwise seen from above (Cuboid::yaw()), in [-pi, pi];
// - positive pitch turns the nose (box +x) down, about box +y, in [-pi/2, pi/2];
// - positive roll lifts the left side (box +y) and lowers the right, about box +x, in [-pi, pi].
// yaw_pitch_roll() is total: yaw is the heading, and 0 within 1e-12 rad of pitch +-pi/2 (gimbal
// lock, where the heading is undefined); roll absorbs the rest, so converting back gives the same
// rotation (within 1e-11 rad) everywhere. A zero or non-finite quaternion gives NaN angles.

namespace pcanno::geometry {

/// [rad] Tilt (pitch or roll) below this counts as none: rounding from frame changes stays far
/// below it, and a box tilted less cannot be told from an upright one by eye. Editors' tilt lock
/// and the warnings of yaw-only exports use it (Cuboid::is_upright(kTiltTolerance)).
inline constexpr double kTiltTolerance = 1e-6;

/// Angle [rad] in [0, pi] between box +z and parent +z: how far `rotation` tilts a box away from
/// upright, whatever its yaw. NaN for a zero or non-finite quaternion.
double tilt_angle(const Eigen::Quaterniond& rotation);

}  // namespace pcanno::geometry
