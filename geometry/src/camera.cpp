#include "pcanno/geometry/camera.hpp"

#include <algorithm>
#include <cmath>

namespace pcanno::geometry {

PinholeCamera PinholeCamera::from_intrinsics(const Eigen::Matrix3d& K, int width, int height) {
  PinholeCamera camera;
  camera.P.setZero();
  camera.P.leftCols<3>() = K;
  camera.width = width;
  camera.height = height;
  return camera;
}

PixelBox PixelBox::clipped(int width, int height) const {
  PixelBox out;
  // No pixel to clip to (a size still unknown); std::clamp with hi < lo would be undefined.
  if (empty() || width <= 0 || height <= 0) return out;
  out.left = std::clamp(left, 0.0, static_cast<double>(width - 1));
  out.right = std::clamp(right, 0.0, static_cast<double>(width - 1));
  out.top = std::clamp(top, 0.0, static_cast<double>(height - 1));
  out.bottom = std::clamp(bottom, 0.0, static_cast<double>(height - 1));
  return out;
}

double depth_of(const PinholeCamera& camera, const Eigen::Vector3d& p_cam) {
  return camera.P.row(2).head<3>().dot(p_cam) + camera.P(2, 3);
}

namespace {

Eigen::Vector2d divide(const PinholeCamera& camera, const Eigen::Vector3d& p_cam) {
  const Eigen::Vector3d uvw = camera.P * p_cam.homogeneous();
  return uvw.head<2>() / uvw.z();
}

void grow(PixelBox& box, const Eigen::Vector2d& uv) {
  if (box.empty()) {
    box = PixelBox{uv.x(), uv.y(), uv.x(), uv.y()};
    return;
  }
  box.left = std::min(box.left, uv.x());
  box.right = std::max(box.right, uv.x());
  box.top = std::min(box.top, uv.y());
  box.bottom = std::max(box.bottom, uv.y());
}

}  // namespace

std::optional<Eigen::Vector2d> project(const PinholeCamera& camera, const Eigen::Vector3d& p_cam) {
  // The near plane is positive, so the division below never meets a zero or negative depth.
  if (!(depth_of(camera, p_cam) >= camera.near)) return std::nullopt;
  return divide(camera, p_cam);
}

std::optional<PixelSegment> project_segment(const PinholeCamera& camera, const Eigen::Vector3d& a,
                                            const Eigen::Vector3d& b) {
  const double da = depth_of(camera, a), db = depth_of(camera, b);
  const bool a_in = da >= camera.near, b_in = db >= camera.near;
  if (!a_in && !b_in) return std::nullopt;
  Eigen::Vector3d a3 = a, b3 = b;
  if (!a_in) a3 = a + (camera.near - da) / (db - da) * (b - a);
  if (!b_in) b3 = b + (camera.near - db) / (da - db) * (a - b);
  return PixelSegment{divide(camera, a3), divide(camera, b3)};
}

ProjectedCuboid project_cuboid(const PinholeCamera& camera, const Pose& T_cam_f,
                               const Cuboid& box_in_f) {
  ProjectedCuboid out;
  out.centre_in_front = depth_of(camera, T_cam_f * box_in_f.center) >= camera.near;
  std::array<Eigen::Vector3d, 8> corners = box_in_f.corners();
  for (auto& c : corners) c = T_cam_f * c;
  for (std::size_t e = 0; e < kCuboidEdges.size(); ++e) {
    const auto& edge = kCuboidEdges[e];
    out.edges[e] = project_segment(camera, corners[static_cast<std::size_t>(edge[0])],
                                   corners[static_cast<std::size_t>(edge[1])]);
    // The visible part of a convex box is bounded by its visible edges' end points: corners in
    // front and the points where edges cross the near plane.
    if (out.edges[e]) {
      grow(out.bounds, out.edges[e]->a);
      grow(out.bounds, out.edges[e]->b);
    }
  }
  return out;
}

std::vector<PixelSegment> project_polyline(const PinholeCamera& camera, const Pose& T_cam_f,
                                           const std::vector<Eigen::Vector3d>& vertices_in_f,
                                           bool closed) {
  std::vector<PixelSegment> out;
  const std::size_t n = vertices_in_f.size();
  if (n < 2) return out;
  const std::size_t segments = closed && n > 2 ? n : n - 1;
  out.reserve(segments);
  for (std::size_t i = 0; i < segments; ++i) {
    const auto s =
        project_segment(camera, T_cam_f * vertices_in_f[i], T_cam_f * vertices_in_f[(i + 1) % n]);
    if (s) out.push_back(*s);
  }
  return out;
}

ProjectedPoints project_points(const PinholeCamera& camera, const Pose& T_cam_f,
                               const PointView& points_in_f) {
  const Eigen::Matrix<double, 3, 4> M = camera.P * T_cam_f.matrix();
  const Eigen::Matrix<float, 3, 4> Mf = M.cast<float>();
  const float near = static_cast<float>(camera.near);
  const bool bounded = camera.width > 0 && camera.height > 0;
  const float w = static_cast<float>(camera.width), h = static_cast<float>(camera.height);
  ProjectedPoints out;
  for (std::size_t i = 0; i < points_in_f.size; ++i) {
    const std::size_t k = i * points_in_f.stride;
    const float x = points_in_f.x[k], y = points_in_f.y[k], z = points_in_f.z[k];
    const float d = Mf(2, 0) * x + Mf(2, 1) * y + Mf(2, 2) * z + Mf(2, 3);
    if (!(d >= near)) continue;  // also drops NaN
    const float u = (Mf(0, 0) * x + Mf(0, 1) * y + Mf(0, 2) * z + Mf(0, 3)) / d;
    const float v = (Mf(1, 0) * x + Mf(1, 1) * y + Mf(1, 2) * z + Mf(1, 3)) / d;
    // Pixel centres sit at integers, so pixel j covers [j - 0.5, j + 0.5).
    if (bounded && !(u >= -0.5f && u < w - 0.5f && v >= -0.5f && v < h - 0.5f)) continue;
    out.u.push_back(u);
    out.v.push_back(v);
    out.depth.push_back(d);
    out.index.push_back(static_cast<std::uint32_t>(i));
  }
  return out;
}

}  // namespace pcanno::geometry
