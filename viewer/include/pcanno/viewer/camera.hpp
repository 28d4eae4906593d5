#pragma once
#include <optional>

#include <Eigen/Geometry>

#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/plugin/tool.hpp"

class vtkCamera;

// Cameras as plain data, so that views, the offscreen renderer and tests agree on the projection
// without a render window: project() reproduces VTK's world -> display transform.

namespace pcanno::viewer {

/// [m] Orthographic cameras sit this far from their focus: far enough that nothing of a LiDAR scene
/// lies behind them (hosts reset or set the clipping range around the data anyway).
constexpr double kOrthoCameraDistance = 200.0;

/// A VTK camera's state. World frame; view up need not be orthogonal to the view direction.
struct CameraPose {
  Eigen::Vector3d position{-20.0, 0.0, 15.0};   ///< [m]
  Eigen::Vector3d focal_point{10.0, 0.0, 0.0};  ///< [m]
  Eigen::Vector3d view_up = Eigen::Vector3d::UnitZ();
  bool parallel = false;         ///< orthographic
  double parallel_scale = 20.0;  ///< [m] half the visible height (orthographic)
  double view_angle = 45.0;      ///< [deg] vertical field of view (perspective)
};

/// The camera of view `kind` around `focus` [m, world], showing about `extent` [m] vertically,
/// oriented by the heading `yaw` [rad] (0: world +x, KITTI's forward; the sensor's yaw with poses):
/// - perspective: from behind and above, looking along the heading;
/// - top: straight down, the heading to the right (plugin::make_top_view with this yaw; at yaw 0
///   world +x right, +y up the screen);
/// - side: looking along the heading's left (+y at yaw 0) from its right, the heading to the right,
///   +z up;
/// - front: looking along the heading from behind, its right (-y at yaw 0) to the right, +z up.
CameraPose make_camera(plugin::ViewKind kind, const Eigen::Vector3d& focus, double extent,
                       double yaw = 0.0);

/// The camera of view `kind` centred on `box_in_world`, the box filling about 1/(1 + 2 margin) of
/// the view. Side and front views look along the box's own axes (plugin::make_side_view /
/// make_front_view).
CameraPose camera_on_box(plugin::ViewKind kind, const geometry::Cuboid& box_in_world,
                         double margin = 0.5);

/// The orthographic camera that shows `view` (its focus in the middle, its screen axes, its metres
/// per pixel) in an image `height` pixels high, kOrthoCameraDistance from the focus.
CameraPose ortho_camera(const plugin::ViewInfo& view, int height);

void apply_camera(const CameraPose& pose, vtkCamera* camera);
CameraPose camera_pose(vtkCamera* camera);

/// Pixel of world point `p` [m] in a `width` x `height` image: x right, y down from the top-left
/// corner, pixel (i, j) covering [i, i+1) x [j, j+1). nullopt behind a perspective camera.
std::optional<Eigen::Vector2d> project(const CameraPose& pose, const Eigen::Vector3d& p, int width,
                                       int height);

/// The pointer ray through image position `pixel` (same convention as project()).
plugin::Ray pixel_ray(const CameraPose& pose, const Eigen::Vector2d& pixel, int width, int height);

/// The tool view of a camera: kind, camera axes, metres per pixel (at the focal point for
/// perspective), focus.
plugin::ViewInfo view_info(const CameraPose& pose, plugin::ViewKind kind, int height);

}  // namespace pcanno::viewer
