#include "pcanno/viewer/camera_colors.hpp"

#include <algorithm>
#include <cmath>

#include "pcanno/geometry/camera.hpp"

namespace pcanno::viewer {

std::vector<Rgb> camera_point_colors(
    const formats::PointCloud& cloud, const std::vector<formats::CameraImage>& cameras,
    const std::vector<std::shared_ptr<const formats::Image>>& images, Rgb none) {
  const std::size_t n = cloud.size();
  std::vector<Rgb> colors(n, none);
  std::vector<bool> seen(n, false);
  // The floats are relative to the cloud's origin: the camera takes them through T_lidar_cloud.
  geometry::Pose T_lidar_cloud = geometry::Pose::Identity();
  T_lidar_cloud.translation() = cloud.origin;
  const geometry::PointView view = cloud.view();
  for (std::size_t c = 0; c < cameras.size() && c < images.size(); ++c) {
    const formats::Image* image = images[c].get();
    if (image == nullptr || image->empty()) continue;
    geometry::PinholeCamera camera = cameras[c].camera;
    // Pixels are looked up in the decoded image: its size is the truth.
    camera.width = image->width;
    camera.height = image->height;
    const geometry::ProjectedPoints projected =
        geometry::project_points(camera, cameras[c].T_cam_lidar * T_lidar_cloud, view);
    for (std::size_t k = 0; k < projected.index.size(); ++k) {
      const std::uint32_t i = projected.index[k];
      if (seen[i]) continue;  // an earlier camera has it
      // Pixel centres are integers: the nearest pixel, kept inside at the borders.
      const int u = std::clamp(static_cast<int>(std::lround(projected.u[k])), 0, image->width - 1);
      const int v = std::clamp(static_cast<int>(std::lround(projected.v[k])), 0, image->height - 1);
      const std::uint8_t* p = image->at(u, v);
      colors[i] = {p[0], p[1], p[2]};
      seen[i] = true;
    }
  }
  return colors;
}

}  // namespace pcanno::viewer
