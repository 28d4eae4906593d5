#pragma once
#include <array>

#include <Eigen/Geometry>

#include "pcanno/geometry/pose.hpp"

namespace pcanno::geometry {

/// Oriented 3D box, the annotation primitive. Full 9-DoF: centre, size and any rotation.
/// Box frame: origin at the geometric centre, +x forward (length), +y left (width), +z up (height).
///
///        7 -------- 6        Corner i+4 sits above corner i (box +z).
///       /|         /|        0..3 is the bottom face, counter-clockwise seen from above (box +z),
///      4 -------- 5 |        starting at front-left:
///      | |        | |          0 = (+l/2, +w/2, -h/2)   1 = (-l/2, +w/2, -h/2)
///      | 3 -------|-2          2 = (-l/2, -w/2, -h/2)   3 = (+l/2, -w/2, -h/2)
///      |/         |/         Front face (box +x): 0, 3, 7, 4.  Back face: 1, 2, 6, 5.
///      0 -------- 1          Left face (box +y): 0, 1, 5, 4.   Right face: 3, 2, 6, 7.
struct Cuboid {
  using Quaternion = Eigen::Quaterniond;
  Eigen::Vector3d center = Eigen::Vector3d::Zero();  ///< geometric centre [m], parent frame
  Eigen::Vector3d size = Eigen::Vector3d::Ones();    ///< length, width, height [m], > 0
  Quaternion rotation = Quaternion::Identity();      ///< box frame -> parent frame, unit

  /// Upright box turned by `yaw` [rad] counter-clockwise about parent +z from parent +x.
  static Cuboid from_yaw(const Eigen::Vector3d& center, const Eigen::Vector3d& size, double yaw);

  /// Heading of box +x projected into the parent xy-plane [rad], in [-pi, pi]. For a box pointing
  /// straight up or down the heading is undefined and 0 is returned.
  double yaw() const;

  /// True when box +z is parallel to parent +z within `tol_rad` (yaw-only boxes, as KITTI and
  /// nuScenes use).
  bool is_upright(double tol_rad = 1e-9) const;

  /// Parent frame, in the order drawn above.
  std::array<Eigen::Vector3d, 8> corners() const;

  /// True when `p` (parent frame) lies inside the box grown by `margin` [m] on every face; the
  /// boundary counts as inside. A negative margin shrinks the box.
  bool contains(const Eigen::Vector3d& p, double margin = 0.0) const;

  double volume() const { return size.prod(); }  ///< [m^3]

  /// `T_parent_box`: maps box-frame coordinates into the parent frame.
  Pose pose() const { return make_pose(rotation, center); }
};

/// The same physical box expressed in another frame: `box_in_a = transform(T_a_b, box_in_b)`.
Cuboid transform(const Pose& T_a_b, const Cuboid& box_in_b);

/// The box with its +x axis reversed (yaw + pi about box +z); the same volume, the opposite
/// heading.
Cuboid flipped_heading(const Cuboid& box);

}  // namespace pcanno::geometry
