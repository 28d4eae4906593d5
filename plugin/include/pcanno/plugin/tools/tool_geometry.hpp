#pragma once
#include <functional>
#include <optional>
#include <vector>

#include <Eigen/Geometry>

#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/plugin/tool.hpp"

// Ray and view geometry shared by the built-in tools, and the canonical cameras of the top, side
// and front views, so that hosts and tests build the same views the tools expect. All in the world
// frame.

namespace pcanno::plugin {

/// Where `ray` meets the plane through `point` with normal `normal`; nullopt when the ray is
/// parallel to the plane or the plane lies behind the ray's origin.
std::optional<Eigen::Vector3d> intersect_plane(const Ray& ray, const Eigen::Vector3d& point,
                                               const Eigen::Vector3d& normal);

/// Where `ray` meets the horizontal plane z = `ground_z` [m].
std::optional<Eigen::Vector3d> intersect_ground(const Ray& ray, double ground_z = 0.0);

/// Distance [m] from `p` to the ray (to its origin for points behind it).
double distance_to_ray(const Ray& ray, const Eigen::Vector3d& p);

/// Position of `p` along the ray [m] (negative behind the origin).
double depth_along_ray(const Ray& ray, const Eigen::Vector3d& p);

/// The point of `points` in front of the ray's origin nearest to the ray, within `tolerance` [m];
/// of equally near ones, the one nearer the viewer (the one visible under the pointer). `keep`,
/// when given, rules candidates out. nullptr when there is none: what a click snaps to.
const Eigen::Vector3d* nearest_to_ray(const std::vector<Eigen::Vector3d>& points, const Ray& ray,
                                      double tolerance,
                                      const std::function<bool(const Eigen::Vector3d&)>& keep = {});

/// The point of segment [a, b] nearest to the ray.
struct SegmentHit {
  Eigen::Vector3d point = Eigen::Vector3d::Zero();  ///< on the segment [m]
  double s = 0.0;                                   ///< position on the segment, in [0, 1]
  double distance = 0.0;                            ///< from the ray [m]
};
SegmentHit closest_on_segment(const Ray& ray, const Eigen::Vector3d& a, const Eigen::Vector3d& b);

/// Distance [m] along the ray to where it enters `box` (0 when the origin is inside); nullopt when
/// it misses.
std::optional<double> ray_box_entry(const Ray& ray, const geometry::Cuboid& box);

/// A pick tolerance of `pixels` in metres at the view's scale.
inline double pixels_to_meters(const ViewInfo& view, double pixels) {
  return pixels * view.meters_per_pixel;
}

/// Heading [rad] of the view's screen x axis in the world xy-plane: the yaw of a box drawn
/// axis-aligned on the screen. Falls back to the screen y axis (minus 90 degrees) when screen x
/// points straight up or down.
double screen_yaw(const ViewInfo& view);

/// The camera axes in the world: x right, y up on the screen, z towards the viewer.
inline Eigen::Vector3d screen_right(const ViewInfo& v) { return v.T_world_camera.linear().col(0); }
inline Eigen::Vector3d screen_up(const ViewInfo& v) { return v.T_world_camera.linear().col(1); }
inline Eigen::Vector3d towards_viewer(const ViewInfo& v) {
  return v.T_world_camera.linear().col(2);
}

/// A top view looking straight down at `center` [m], its screen x axis at `yaw` [rad] from world
/// +x (0: north-up with world +x to the right, world +y up the screen).
ViewInfo make_top_view(const Eigen::Vector3d& center, double meters_per_pixel, double yaw = 0.0);

/// The side view of `box`: looking along box +y from its right, box +x to the right of the screen,
/// box +z up; it shows length x height.
ViewInfo make_side_view(const geometry::Cuboid& box, double meters_per_pixel);

/// The front view of `box`: looking along box +x from behind it, box -y (its right) to the right of
/// the screen, box +z up; it shows width x height.
ViewInfo make_front_view(const geometry::Cuboid& box, double meters_per_pixel);

/// The pointer ray of `view` through the world point `p`: along the view direction for the
/// orthographic views, from the camera centre for the perspective view.
Ray ray_through(const ViewInfo& view, const Eigen::Vector3d& p);

}  // namespace pcanno::plugin
