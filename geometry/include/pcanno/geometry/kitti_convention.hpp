#pragma once
#include <Eigen/Core>

#include "pcanno/geometry/cuboid.hpp"

namespace pcanno::geometry {

/// A KITTI object box as label_2 / label_02 store it: rectified camera 0 (x right, y down, z
/// forward).
struct KittiCameraBox {
  Eigen::Vector3d location =
      Eigen::Vector3d::Zero();                    ///< bottom-face centre [m], rectified camera 0
  Eigen::Vector3d hwl = Eigen::Vector3d::Ones();  ///< height, width, length [m], label order
  double rotation_y = 0.0;                        ///< yaw about camera +y [rad]; 0 faces camera +x
};

/// `T_rect_velo = R0_rect * Tr_velo_to_cam`, each padded to 4x4: Velodyne -> rectified camera 0.
Eigen::Matrix4d kitti_T_rect_velo(const Eigen::Matrix3d& R0_rect,
                                  const Eigen::Matrix<double, 3, 4>& Tr_velo_to_cam);

/// KITTI label -> LiDAR box (geometric centre, l/w/h, yaw about +z), by the convention that inverts
/// exactly (formats.md section 3.2, "Convention A", as in OpenPCDet): centre = T_rect_velo^-1 *
/// location, raised by h/2 along LiDAR +z; yaw = wrap(-rotation_y - pi/2). `T_rect_velo` is used as
/// a general 4x4 matrix: KITTI's calibration is not exactly orthonormal, and a rigid approximation
/// would break the round trip.
Cuboid kitti_camera_to_lidar(const KittiCameraBox& box, const Eigen::Matrix4d& T_rect_velo);

/// LiDAR box -> KITTI label, the exact inverse of kitti_camera_to_lidar. Only the box's yaw is
/// kept: KITTI boxes cannot tilt.
KittiCameraBox kitti_lidar_to_camera(const Cuboid& box_in_lidar,
                                     const Eigen::Matrix4d& T_rect_velo);

/// Observation angle [rad]: wrap(rotation_y - atan2(x, z)) for a location in rectified camera 0.
/// Official labels agree with it to about 0.015 rad, so compare with a tolerance.
double kitti_alpha(const Eigen::Vector3d& location, double rotation_y);

}  // namespace pcanno::geometry
