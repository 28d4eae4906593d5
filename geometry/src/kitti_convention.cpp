#include "pcanno/geometry/kitti_convention.hpp"

#include <cmath>

#include <Eigen/LU>

#include "pcanno/geometry/angles.hpp"

namespace pcanno::geometry {

Eigen::Matrix4d kitti_T_rect_velo(const Eigen::Matrix3d& R0_rect,
                                  const Eigen::Matrix<double, 3, 4>& Tr_velo_to_cam) {
  Eigen::Matrix4d R0 = Eigen::Matrix4d::Identity();
  R0.topLeftCorner<3, 3>() = R0_rect;
  Eigen::Matrix4d Tr = Eigen::Matrix4d::Identity();
  Tr.topRows<3>() = Tr_velo_to_cam;
  return R0 * Tr;
}

Cuboid kitti_camera_to_lidar(const KittiCameraBox& box, const Eigen::Matrix4d& T_rect_velo) {
  const Eigen::Matrix4d T_velo_rect = T_rect_velo.inverse();
  const Eigen::Vector4d bottom = T_velo_rect * box.location.homogeneous();
  Eigen::Vector3d center = bottom.head<3>() / bottom.w();
  const double h = box.hwl.x(), w = box.hwl.y(), l = box.hwl.z();
  center.z() += 0.5 * h;
  return Cuboid::from_yaw(center, Eigen::Vector3d(l, w, h),
                          wrap_angle(-box.rotation_y - 0.5 * kPi));
}

KittiCameraBox kitti_lidar_to_camera(const Cuboid& box_in_lidar,
                                     const Eigen::Matrix4d& T_rect_velo) {
  const Eigen::Vector3d& s = box_in_lidar.size;
  Eigen::Vector3d bottom = box_in_lidar.center;
  bottom.z() -= 0.5 * s.z();
  const Eigen::Vector4d loc = T_rect_velo * bottom.homogeneous();
  KittiCameraBox out;
  out.location = loc.head<3>() / loc.w();
  out.hwl = Eigen::Vector3d(s.z(), s.y(), s.x());
  out.rotation_y = wrap_angle(-box_in_lidar.yaw() - 0.5 * kPi);
  return out;
}

double kitti_alpha(const Eigen::Vector3d& location, double rotation_y) {
  return wrap_angle(rotation_y - std::atan2(location.x(), location.z()));
}

}  // namespace pcanno::geometry
