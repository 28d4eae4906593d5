#include "pcanno/geometry/nuscenes_convention.hpp"

namespace pcanno::geometry {

Cuboid to_cuboid(const NuscenesBox& box) {
  const Eigen::Vector3d& s = box.size_wlh;
  return Cuboid{box.translation, Eigen::Vector3d(s.y(), s.x(), s.z()), box.rotation.normalized()};
}

NuscenesBox to_nuscenes_box(const Cuboid& box) {
  const Eigen::Vector3d& s = box.size;
  return NuscenesBox{box.center, Eigen::Vector3d(s.y(), s.x(), s.z()), box.rotation.normalized()};
}

Cuboid nuscenes_global_to_lidar(const NuscenesBox& box_in_global, const Pose& T_global_ego,
                                const Pose& T_ego_lidar) {
  const Pose T_lidar_global = invert(compose(T_global_ego, T_ego_lidar));
  return transform(T_lidar_global, to_cuboid(box_in_global));
}

NuscenesBox nuscenes_lidar_to_global(const Cuboid& box_in_lidar, const Pose& T_global_ego,
                                     const Pose& T_ego_lidar) {
  return to_nuscenes_box(transform(compose(T_global_ego, T_ego_lidar), box_in_lidar));
}

}  // namespace pcanno::geometry
