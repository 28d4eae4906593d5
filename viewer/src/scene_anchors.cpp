// Where the views look from and where track ids stand: plain geometry, apart from the VTK scene.
#include <algorithm>
#include <cmath>
#include <vector>

#include "pcanno/viewer/scene_renderer.hpp"

namespace pcanno::viewer {

Eigen::Vector3d viewpoint_of(const formats::PointCloud& cloud) {
  if (cloud.origin.isZero()) return Eigen::Vector3d::Zero();
  // The median height of a strided sample: a few stray returns above or below do not move it.
  const std::size_t stride = std::max<std::size_t>(1, cloud.size() / 4096);
  std::vector<float> z;
  for (std::size_t i = 0; i < cloud.size(); i += stride) {
    if (std::isfinite(cloud.z[i])) z.push_back(cloud.z[i]);
  }
  Eigen::Vector3d viewpoint = cloud.origin;
  if (!z.empty()) {
    const auto middle = z.begin() + static_cast<std::ptrdiff_t>(z.size() / 2);
    std::nth_element(z.begin(), middle, z.end());
    viewpoint.z() += *middle + kSensorHeight;
  }
  return viewpoint;
}

Eigen::Vector3d label_anchor(const geometry::Cuboid& box_in_world) {
  const Eigen::Vector3d& s = box_in_world.size;
  return box_in_world.center + box_in_world.rotation * Eigen::Vector3d(0.0,
                                                                       s.y() / 2.0 + kLabelOffset,
                                                                       s.z() / 2.0 + kLabelOffset);
}

}  // namespace pcanno::viewer
