#include "pcanno/plugin/services/box_points.hpp"

#include "pcanno/formats/labels/shape_frames.hpp"
#include "pcanno/geometry/points_in_cuboid.hpp"

namespace pcanno::plugin {

std::vector<std::size_t> count_points_in_boxes(
    const formats::PointCloud& cloud, const std::vector<geometry::Cuboid>& boxes_in_lidar) {
  // Into the cloud's float frame: a georeferenced cloud's floats are relative to its origin, and
  // moving the box there keeps the test in the precision the points have.
  const geometry::Pose T_cloud_lidar = cloud.T_lidar_cloud().inverse();
  std::vector<geometry::Cuboid> boxes;
  boxes.reserve(boxes_in_lidar.size());
  for (const geometry::Cuboid& box : boxes_in_lidar) {
    boxes.push_back(geometry::transform(T_cloud_lidar, box));
  }
  const std::vector<std::vector<std::uint32_t>> inside =
      geometry::points_in_cuboids(cloud.view(), boxes);
  std::vector<std::size_t> counts;
  counts.reserve(inside.size());
  for (const std::vector<std::uint32_t>& in : inside) counts.push_back(in.size());
  return counts;
}

formats::Expected<BoxPoints> box_points(const formats::BoxState& state,
                                        const formats::Sequence* sequence,
                                        const formats::PointCloud& cloud) {
  formats::Expected<geometry::Cuboid> lidar = formats::box_in_lidar(state, sequence);
  if (!lidar) return std::move(lidar).error();
  BoxPoints result;
  result.points = count_points_in_boxes(cloud, {*lidar}).front();
  result.range = lidar->center.norm();  // the sensor sits at the LiDAR frame's origin
  return result;
}

}  // namespace pcanno::plugin
