#pragma once
#include <memory>
#include <vector>

#include "pcanno/formats/clouds/point_cloud.hpp"
#include "pcanno/formats/datasets/image.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/viewer/scene_style.hpp"

namespace pcanno::viewer {

/// The colour each point of `cloud` (a frame's LiDAR cloud) has in the frame's camera images
/// (ColorBy::kCamera): the pixel it projects to (geometry::project_points through
/// CameraImage::T_cam_lidar, nearest pixel) in the first camera, in `cameras` order, whose image
/// sees it; `none` where no camera does. `images` is parallel to `cameras` (LoadedFrame::images);
/// a null image (not decoded) sees nothing. An image whose size differs from the camera's
/// (unknown size: 0) is taken at its decoded size.
std::vector<Rgb> camera_point_colors(
    const formats::PointCloud& cloud, const std::vector<formats::CameraImage>& cameras,
    const std::vector<std::shared_ptr<const formats::Image>>& images, Rgb none);

}  // namespace pcanno::viewer
