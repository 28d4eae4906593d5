#include "pcanno/viewer/camera.hpp"

#include <algorithm>
#include <cmath>

#include <vtkCamera.h>

#include "pcanno/plugin/tools/tool_geometry.hpp"

namespace pcanno::viewer {
namespace {

constexpr double kPi = 3.14159265358979323846;

struct Axes {
  Eigen::Vector3d right, up, forward;  // camera x, y and viewing direction (-z)
};

Axes axes_of(const CameraPose& pose) {
  Axes a;
  a.forward = (pose.focal_point - pose.position).normalized();
  a.right = a.forward.cross(pose.view_up).normalized();
  a.up = a.right.cross(a.forward);
  return a;
}

double half_height_tan(const CameraPose& pose) { return std::tan(pose.view_angle * kPi / 360.0); }

CameraPose from_view_info(const plugin::ViewInfo& view, double extent) {
  CameraPose pose;
  pose.parallel = true;
  pose.parallel_scale = extent / 2.0;
  pose.focal_point = view.focus;
  pose.position = view.focus + plugin::towards_viewer(view) * kOrthoCameraDistance;
  pose.view_up = plugin::screen_up(view);
  return pose;
}

}  // namespace

CameraPose make_camera(plugin::ViewKind kind, const Eigen::Vector3d& focus, double extent,
                       double yaw) {
  CameraPose pose;
  pose.focal_point = focus;
  // The heading's frame: forward along `yaw` in the xy-plane, left 90 degrees from it.
  const Eigen::Vector3d forward(std::cos(yaw), std::sin(yaw), 0.0);
  const Eigen::Vector3d left(-std::sin(yaw), std::cos(yaw), 0.0);
  const Eigen::Vector3d up = Eigen::Vector3d::UnitZ();
  switch (kind) {
    case plugin::ViewKind::kPerspective: {
      pose.parallel = false;
      // Distance at which the vertical field of view spans `extent` at the focus.
      const double distance = extent / (2.0 * half_height_tan(pose));
      pose.position = focus + distance * (-0.8 * forward - 0.25 * left + 0.55 * up).normalized();
      pose.view_up = up;
      return pose;
    }
    case plugin::ViewKind::kTop: {
      plugin::ViewInfo view = plugin::make_top_view(focus, 0.02, yaw);
      view.focus = focus;
      return from_view_info(view, extent);
    }
    case plugin::ViewKind::kSide:
      pose.parallel = true;
      pose.parallel_scale = extent / 2.0;
      pose.position = focus - kOrthoCameraDistance * left;
      pose.view_up = up;
      return pose;
    case plugin::ViewKind::kFront:
      pose.parallel = true;
      pose.parallel_scale = extent / 2.0;
      pose.position = focus - kOrthoCameraDistance * forward;
      pose.view_up = up;
      return pose;
  }
  return pose;
}

CameraPose camera_on_box(plugin::ViewKind kind, const geometry::Cuboid& box_in_world,
                         double margin) {
  const Eigen::Vector3d& s = box_in_world.size;
  const double scale = 1.0 + 2.0 * margin;
  switch (kind) {
    case plugin::ViewKind::kPerspective:
      return make_camera(kind, box_in_world.center, s.maxCoeff() * scale * 1.5);
    case plugin::ViewKind::kTop:
      return make_camera(kind, box_in_world.center, std::max(s.x(), s.y()) * scale);
    case plugin::ViewKind::kSide: {
      plugin::ViewInfo view = plugin::make_side_view(box_in_world, 0.02);
      view.focus = box_in_world.center;
      return from_view_info(view, std::max(s.x(), s.z()) * scale);
    }
    case plugin::ViewKind::kFront: {
      plugin::ViewInfo view = plugin::make_front_view(box_in_world, 0.02);
      view.focus = box_in_world.center;
      return from_view_info(view, std::max(s.y(), s.z()) * scale);
    }
  }
  return make_camera(kind, box_in_world.center, s.maxCoeff() * scale);
}

CameraPose ortho_camera(const plugin::ViewInfo& view, int height) {
  return from_view_info(view, view.meters_per_pixel * std::max(1, height));
}

void apply_camera(const CameraPose& pose, vtkCamera* camera) {
  camera->SetPosition(pose.position.data());
  camera->SetFocalPoint(pose.focal_point.data());
  camera->SetViewUp(pose.view_up.data());
  camera->SetParallelProjection(pose.parallel ? 1 : 0);
  camera->SetParallelScale(pose.parallel_scale);
  camera->SetViewAngle(pose.view_angle);
}

CameraPose camera_pose(vtkCamera* camera) {
  CameraPose pose;
  camera->GetPosition(pose.position.data());
  camera->GetFocalPoint(pose.focal_point.data());
  camera->GetViewUp(pose.view_up.data());
  pose.parallel = camera->GetParallelProjection() != 0;
  pose.parallel_scale = camera->GetParallelScale();
  pose.view_angle = camera->GetViewAngle();
  return pose;
}

std::optional<Eigen::Vector2d> project(const CameraPose& pose, const Eigen::Vector3d& p, int width,
                                       int height) {
  const Axes a = axes_of(pose);
  const Eigen::Vector3d d = p - pose.position;
  const double x = d.dot(a.right), y = d.dot(a.up), depth = d.dot(a.forward);
  const double aspect = static_cast<double>(width) / height;
  double ndc_x = 0.0, ndc_y = 0.0;
  if (pose.parallel) {
    ndc_x = x / (pose.parallel_scale * aspect);
    ndc_y = y / pose.parallel_scale;
  } else {
    if (depth <= 0.0) return std::nullopt;
    const double t = half_height_tan(pose);
    ndc_x = x / (depth * t * aspect);
    ndc_y = y / (depth * t);
  }
  // VTK's display origin is the bottom-left corner; images count rows from the top.
  return Eigen::Vector2d((ndc_x + 1.0) * 0.5 * width, height - (ndc_y + 1.0) * 0.5 * height);
}

plugin::Ray pixel_ray(const CameraPose& pose, const Eigen::Vector2d& pixel, int width, int height) {
  const Axes a = axes_of(pose);
  const double aspect = static_cast<double>(width) / height;
  const double ndc_x = 2.0 * pixel.x() / width - 1.0;
  const double ndc_y = 2.0 * (height - pixel.y()) / height - 1.0;
  plugin::Ray ray;
  if (pose.parallel) {
    ray.origin = pose.position + a.right * ndc_x * pose.parallel_scale * aspect +
                 a.up * ndc_y * pose.parallel_scale;
    ray.direction = a.forward;
  } else {
    const double t = half_height_tan(pose);
    ray.origin = pose.position;
    ray.direction = (a.forward + a.right * ndc_x * t * aspect + a.up * ndc_y * t).normalized();
  }
  return ray;
}

plugin::ViewInfo view_info(const CameraPose& pose, plugin::ViewKind kind, int height) {
  const Axes a = axes_of(pose);
  plugin::ViewInfo view;
  view.kind = kind;
  view.T_world_camera.setIdentity();
  view.T_world_camera.linear().col(0) = a.right;
  view.T_world_camera.linear().col(1) = a.up;
  view.T_world_camera.linear().col(2) = -a.forward;
  view.T_world_camera.translation() = pose.position;
  const double focal_distance = (pose.focal_point - pose.position).norm();
  view.meters_per_pixel = pose.parallel ? 2.0 * pose.parallel_scale / height
                                        : 2.0 * focal_distance * half_height_tan(pose) / height;
  view.focus = pose.focal_point;
  return view;
}

}  // namespace pcanno::viewer
