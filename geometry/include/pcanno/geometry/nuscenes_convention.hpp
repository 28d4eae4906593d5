#pragma once
#include <Eigen/Geometry>

#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/geometry/pose.hpp"

namespace pcanno::geometry {

/// A nuScenes sample_annotation box: global (map) frame, geometric centre, size in w,l,h order.
struct NuscenesBox {
  Eigen::Vector3d translation = Eigen::Vector3d::Zero();  ///< centre [m], global frame
  Eigen::Vector3d size_wlh = Eigen::Vector3d::Ones();     ///< width, length, height [m]
  Eigen::Quaterniond rotation =
      Eigen::Quaterniond::Identity();  ///< box -> global; tables store w,x,y,z
};

/// Same frame, our size order (l,w,h): box +x is the devkit Box's length axis.
Cuboid to_cuboid(const NuscenesBox& box);
NuscenesBox to_nuscenes_box(const Cuboid& box);

/// Global box -> LiDAR-frame box through the sample_data's ego pose (`T_global_ego`, table
/// ego_pose) and the sensor's calibration (`T_ego_lidar`, table calibrated_sensor), exactly as the
/// devkit moves boxes.
Cuboid nuscenes_global_to_lidar(const NuscenesBox& box_in_global, const Pose& T_global_ego,
                                const Pose& T_ego_lidar);

/// The inverse of nuscenes_global_to_lidar.
NuscenesBox nuscenes_lidar_to_global(const Cuboid& box_in_lidar, const Pose& T_global_ego,
                                     const Pose& T_ego_lidar);

}  // namespace pcanno::geometry
