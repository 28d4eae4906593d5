#include "pcanno/viewer/camera_follow.hpp"

#include <algorithm>

#include "pcanno/plugin/tools/tool_geometry.hpp"

namespace pcanno::viewer {

geometry::Pose CameraFollow::ego_pose(const std::optional<geometry::Pose>& T_world_lidar,
                                      const Eigen::Vector3d& viewpoint_in_lidar) {
  geometry::Pose ego = T_world_lidar.value_or(geometry::Pose::Identity());
  ego.translation() += ego.linear() * viewpoint_in_lidar;
  return ego;
}

FollowMoves CameraFollow::update(const FollowInput& input) {
  FollowMoves moves;
  const geometry::Pose delta = input.ego * ego_.inverse();
  if (!delta.isApprox(geometry::Pose::Identity())) {
    moves.main_delta = delta;
    if (!input.selected) moves.top_delta = delta;
  }
  ego_ = input.ego;

  const bool new_selection = input.selected != shown_selection_;
  const bool recentre_top = new_selection || input.frame != shown_frame_;
  shown_selection_ = input.selected;
  shown_frame_ = input.frame;
  if (!input.box) return moves;

  const geometry::Cuboid& box = *input.box;
  const auto fit = [](int pixels, double a, double b) {
    return std::max(a, b) * kOrthoMargin / std::max(kMinPixels, pixels);
  };
  moves.side = OrthoCamera{
      plugin::make_side_view(box, fit(input.side_pixels, box.size.x(), box.size.z())),
      0.5 * box.size.y() + kSlabMargin};
  moves.front = OrthoCamera{
      plugin::make_front_view(box, fit(input.front_pixels, box.size.y(), box.size.z())),
      0.5 * box.size.x() + kSlabMargin};
  if (recentre_top) {
    // A newly selected box fills about a third of the top view, its neighbours around it;
    // stepping frames keeps whatever zoom the annotator chose since. Heading to the right: the
    // length runs along the screen's x, so drags and nudges go along and across the object.
    const double meters_per_pixel =
        new_selection ? std::max(kTopSelectedSpan, kTopSelectedZoom * box.size.head<2>().norm()) /
                            std::max(kMinPixels, input.top_pixels)
                      : input.top.meters_per_pixel;
    moves.top = plugin::make_top_view(box.center, meters_per_pixel, top_yaw(box));
  }
  return moves;
}

plugin::ViewInfo CameraFollow::turned(const plugin::ViewInfo& top,
                                      const std::optional<geometry::Cuboid>& box) const {
  return plugin::make_top_view(top.focus, top.meters_per_pixel, box ? top_yaw(*box) : 0.0);
}

void CameraFollow::forget_shown() {
  shown_selection_.reset();
  shown_frame_ = -1;
}

}  // namespace pcanno::viewer
