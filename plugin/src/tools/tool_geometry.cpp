#include "pcanno/plugin/tools/tool_geometry.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "pcanno/geometry/angles.hpp"

namespace pcanno::plugin {
namespace {

/// Distance of the orthographic cameras from what they look at [m]: far enough to be outside any
/// box, so that rays start in front of everything.
constexpr double kOrthoCameraDistance = 100.0;

ViewInfo view_from_axes(ViewKind kind, const Eigen::Vector3d& x, const Eigen::Vector3d& y,
                        const Eigen::Vector3d& z, const Eigen::Vector3d& focus,
                        double meters_per_pixel) {
  ViewInfo v;
  v.kind = kind;
  v.T_world_camera.linear().col(0) = x;
  v.T_world_camera.linear().col(1) = y;
  v.T_world_camera.linear().col(2) = z;
  v.T_world_camera.translation() = focus + kOrthoCameraDistance * z;
  v.meters_per_pixel = meters_per_pixel;
  v.focus = focus;
  return v;
}

}  // namespace

std::optional<Eigen::Vector3d> intersect_plane(const Ray& ray, const Eigen::Vector3d& point,
                                               const Eigen::Vector3d& normal) {
  const double denom = ray.direction.dot(normal);
  if (std::abs(denom) < 1e-12) return std::nullopt;
  const double t = (point - ray.origin).dot(normal) / denom;
  if (t < 0.0) return std::nullopt;
  return Eigen::Vector3d(ray.origin + t * ray.direction);
}

std::optional<Eigen::Vector3d> intersect_ground(const Ray& ray, double ground_z) {
  std::optional<Eigen::Vector3d> p =
      intersect_plane(ray, Eigen::Vector3d(0.0, 0.0, ground_z), Eigen::Vector3d::UnitZ());
  // Pin z: t * d.z may round away from the plane, and callers rely on "on the ground".
  if (p) p->z() = ground_z;
  return p;
}

double depth_along_ray(const Ray& ray, const Eigen::Vector3d& p) {
  return (p - ray.origin).dot(ray.direction);
}

const Eigen::Vector3d* nearest_to_ray(const std::vector<Eigen::Vector3d>& points, const Ray& ray,
                                      double tolerance,
                                      const std::function<bool(const Eigen::Vector3d&)>& keep) {
  const Eigen::Vector3d* best = nullptr;
  double best_distance = std::numeric_limits<double>::infinity();
  double best_depth = std::numeric_limits<double>::infinity();
  for (const Eigen::Vector3d& p : points) {
    const double depth = depth_along_ray(ray, p);
    if (depth <= 0.0 || (keep && !keep(p))) continue;
    const double d = distance_to_ray(ray, p);
    if (d <= tolerance && (d < best_distance || (d == best_distance && depth < best_depth))) {
      best = &p;
      best_distance = d;
      best_depth = depth;
    }
  }
  return best;
}

double distance_to_ray(const Ray& ray, const Eigen::Vector3d& p) {
  const double t = std::max(0.0, depth_along_ray(ray, p));
  return (p - (ray.origin + t * ray.direction)).norm();
}

SegmentHit closest_on_segment(const Ray& ray, const Eigen::Vector3d& a, const Eigen::Vector3d& b) {
  // The distance from a + s (b - a) to the ray's line is convex in s, so clamping the line-line
  // minimiser to [0, 1] gives the segment's nearest point.
  const Eigen::Vector3d v = b - a;
  const Eigen::Vector3d w = ray.origin - a;
  const double uv = ray.direction.dot(v);
  const double vv = v.dot(v);
  const double uw = ray.direction.dot(w);
  const double vw = v.dot(w);
  const double denom = vv - uv * uv;  // |u| = 1
  double s = 0.0;
  if (vv > 0.0 && denom > 1e-12 * vv) s = std::clamp((vw - uv * uw) / denom, 0.0, 1.0);
  SegmentHit hit;
  hit.s = s;
  hit.point = s == 1.0 ? b : Eigen::Vector3d(a + s * v);
  hit.distance = distance_to_ray(ray, hit.point);
  return hit;
}

std::optional<double> ray_box_entry(const Ray& ray, const geometry::Cuboid& box) {
  // Slab test in the box frame.
  const Eigen::Matrix3d R_world_box = box.rotation.toRotationMatrix();
  const Eigen::Vector3d o = R_world_box.transpose() * (ray.origin - box.center);
  const Eigen::Vector3d d = R_world_box.transpose() * ray.direction;
  const Eigen::Vector3d half = 0.5 * box.size;
  double t_in = 0.0;
  double t_out = std::numeric_limits<double>::infinity();
  for (int k = 0; k < 3; ++k) {
    if (std::abs(d[k]) < 1e-15) {
      if (std::abs(o[k]) > half[k]) return std::nullopt;
      continue;
    }
    double t0 = (-half[k] - o[k]) / d[k];
    double t1 = (half[k] - o[k]) / d[k];
    if (t0 > t1) std::swap(t0, t1);
    t_in = std::max(t_in, t0);
    t_out = std::min(t_out, t1);
    if (t_in > t_out) return std::nullopt;
  }
  return t_in;
}

double screen_yaw(const ViewInfo& view) {
  const Eigen::Vector3d x = screen_right(view);
  if (std::hypot(x.x(), x.y()) > 1e-9) return std::atan2(x.y(), x.x());
  const Eigen::Vector3d y = screen_up(view);
  return std::atan2(y.y(), y.x()) - 0.5 * geometry::kPi;
}

ViewInfo make_top_view(const Eigen::Vector3d& center, double meters_per_pixel, double yaw) {
  const double c = std::cos(yaw);
  const double s = std::sin(yaw);
  return view_from_axes(ViewKind::kTop, Eigen::Vector3d(c, s, 0.0), Eigen::Vector3d(-s, c, 0.0),
                        Eigen::Vector3d::UnitZ(), center, meters_per_pixel);
}

ViewInfo make_side_view(const geometry::Cuboid& box, double meters_per_pixel) {
  const Eigen::Matrix3d R = box.rotation.toRotationMatrix();
  return view_from_axes(ViewKind::kSide, R.col(0), R.col(2), -R.col(1), box.center,
                        meters_per_pixel);
}

ViewInfo make_front_view(const geometry::Cuboid& box, double meters_per_pixel) {
  const Eigen::Matrix3d R = box.rotation.toRotationMatrix();
  return view_from_axes(ViewKind::kFront, -R.col(1), R.col(2), -R.col(0), box.center,
                        meters_per_pixel);
}

Ray ray_through(const ViewInfo& view, const Eigen::Vector3d& p) {
  Ray ray;
  if (view.kind == ViewKind::kPerspective) {
    ray.origin = view.T_world_camera.translation();
    ray.direction = (p - ray.origin).normalized();
  } else {
    ray.direction = -towards_viewer(view);
    ray.origin = p - kOrthoCameraDistance * ray.direction;
  }
  return ray;
}

}  // namespace pcanno::plugin
