#include "pcanno/geometry/iou.hpp"

#include <algorithm>
#include <cmath>

#include "polygon_clip.hpp"
#include "small_vector.hpp"

namespace pcanno::geometry {
namespace {

using detail::SmallVector;
// Two convex polygons of at most 8 vertices (projected hulls) intersect in at most 16; margin for
// rounding.
using Poly2 = SmallVector<Eigen::Vector2d, 24>;

/// Squared sine of the tilt of box z from parent z is 4 (x^2 + y^2)(z^2 + w^2); this bound keeps
/// the tilt under ~2e-9 rad, where the fast path's error is far below double rounding of typical
/// coordinates.
bool z_axis_vertical(const Eigen::Quaterniond& q) {
  const double n2 = q.squaredNorm();  // no normalisation needed: compare against n^4
  return (q.x() * q.x() + q.y() * q.y()) * (q.z() * q.z() + q.w() * q.w()) <= 1e-18 * n2 * n2;
}

double tolerance_for(const Cuboid& a, const Cuboid& b) {
  const double scale = 1.0 + a.center.cwiseAbs().maxCoeff() + b.center.cwiseAbs().maxCoeff() +
                       a.size.maxCoeff() + b.size.maxCoeff();
  return 1e-12 * scale;
}

/// Upright-box footprint, counter-clockwise, from the box axes (no corners() or hull needed).
void upright_rectangle(const Cuboid& box, Poly2& out) {
  // The top-left 2x2 of the rotation matrix straight from the quaternion (scaled by its squared
  // norm).
  const Eigen::Quaterniond& q = box.rotation;
  const double inv_n2 = 1.0 / q.squaredNorm();
  const double xx = q.x() * q.x(), yy = q.y() * q.y(), zz = q.z() * q.z();
  const double xy = q.x() * q.y(), wz = q.w() * q.z();
  Eigen::Vector2d ax(1.0 - 2.0 * (yy + zz) * inv_n2, 2.0 * (xy + wz) * inv_n2);
  Eigen::Vector2d ay(2.0 * (xy - wz) * inv_n2, 1.0 - 2.0 * (xx + zz) * inv_n2);
  // With box z pointing down the footprint's axes are mirrored; flip one to stay counter-clockwise.
  if (detail::cross2(ax, ay) < 0.0) ay = -ay;
  ax *= 0.5 * box.size.x();
  ay *= 0.5 * box.size.y();
  const Eigen::Vector2d c = box.center.head<2>();
  out.clear();
  out.push_back(c + ax + ay);
  out.push_back(c - ax + ay);
  out.push_back(c - ax - ay);
  out.push_back(c + ax - ay);
}

void footprint(const Cuboid& box, Poly2& out) {
  if (z_axis_vertical(box.rotation)) {
    upright_rectangle(box, out);
    return;
  }
  SmallVector<Eigen::Vector2d, 8> projected;
  for (const Eigen::Vector3d& c : box.corners()) projected.push_back(c.head<2>());
  detail::convex_hull_into(projected, out);
}

double footprint_intersection_area(const Poly2& a, const Poly2& b, double eps) {
  Poly2 result, scratch;
  detail::clip_convex_into(a, b, eps, result, scratch);
  return std::max(0.0, detail::signed_area_of(result));
}

bool bounding_spheres_disjoint(const Cuboid& a, const Cuboid& b) {
  const double ra = 0.5 * a.size.norm();
  const double rb = 0.5 * b.size.norm();
  return (a.center - b.center).squaredNorm() > (ra + rb) * (ra + rb);
}

// ---- General path: convex polyhedron clipping
// -------------------------------------------------------

// A box clipped by up to six planes keeps at most 6 + 6 faces; a face of a convex polyhedron with
// at most 12 faces has at most 11 edges. Capacities leave margin for near-duplicate vertices.
using Face = SmallVector<Eigen::Vector3d, 24>;
using Polyhedron = SmallVector<Face, 16>;

void box_polyhedron(const Cuboid& box, Polyhedron& out) {
  // Outward-facing, counter-clockwise seen from outside (corner numbering from cuboid.hpp).
  static constexpr int kFaces[6][4] = {{4, 5, 6, 7}, {0, 3, 2, 1}, {0, 4, 7, 3},
                                       {1, 2, 6, 5}, {0, 1, 5, 4}, {3, 7, 6, 2}};
  const auto c = box.corners();
  out.clear();
  for (const auto& f : kFaces) {
    Face& face = out.emplace_back();
    face.clear();
    for (int k : f) face.push_back(c[k]);
  }
}

enum class ClipResult { kUnchanged, kClipped, kEmpty };

/// Writes into `out` the part of `poly` where n.p <= d. `out` is only written for kClipped.
ClipResult clip_polyhedron(const Polyhedron& poly, const Eigen::Vector3d& n, double d, double eps,
                           Polyhedron& out) {
  bool any_inside = false, any_outside = false;
  for (const Face& f : poly) {
    for (const Eigen::Vector3d& v : f) {
      const double s = n.dot(v) - d;
      any_inside |= s < -eps;
      any_outside |= s > eps;
    }
  }
  if (!any_outside) return ClipResult::kUnchanged;
  if (!any_inside) return ClipResult::kEmpty;

  out.clear();
  SmallVector<Eigen::Vector3d, 48> on_plane;
  auto add_on_plane = [&](const Eigen::Vector3d& p) {
    for (const Eigen::Vector3d& q : on_plane) {
      if ((q - p).squaredNorm() <= 16.0 * eps * eps) return;
    }
    on_plane.push_back(p);
  };
  for (const Face& f : poly) {
    Face& face = out.emplace_back();
    face.clear();
    const std::size_t m = f.size();
    double s_prev = n.dot(f[m - 1]) - d;
    for (std::size_t i = 0; i < m; ++i) {
      const Eigen::Vector3d& prev = f[(i + m - 1) % m];
      const Eigen::Vector3d& cur = f[i];
      const double s_cur = n.dot(cur) - d;
      if ((s_prev > eps && s_cur < -eps) || (s_prev < -eps && s_cur > eps)) {
        const Eigen::Vector3d x = prev + (s_prev / (s_prev - s_cur)) * (cur - prev);
        face.push_back(x);
        add_on_plane(x);
      }
      if (s_cur <= eps) {
        face.push_back(cur);
        if (s_cur >= -eps) add_on_plane(cur);
      }
      s_prev = s_cur;
    }
    if (face.size() < 3) out.pop_back();
  }

  if (on_plane.size() >= 3) {
    // The cap closes the cut; ordered counter-clockwise about n, which points out of the kept part.
    Eigen::Vector3d centroid = Eigen::Vector3d::Zero();
    for (const auto& p : on_plane) centroid += p;
    centroid /= static_cast<double>(on_plane.size());
    const Eigen::Vector3d u = n.unitOrthogonal();
    const Eigen::Vector3d v = n.cross(u);
    SmallVector<std::pair<double, int>, 48> by_angle;
    for (std::size_t i = 0; i < on_plane.size(); ++i) {
      const Eigen::Vector3d r = on_plane[i] - centroid;
      by_angle.push_back({std::atan2(v.dot(r), u.dot(r)), static_cast<int>(i)});
    }
    std::sort(by_angle.begin(), by_angle.end(),
              [](const auto& l, const auto& r) { return l.first < r.first; });
    Face& cap = out.emplace_back();
    cap.clear();
    for (const auto& entry : by_angle) cap.push_back(on_plane[entry.second]);
  }
  return out.size() >= 4 ? ClipResult::kClipped : ClipResult::kEmpty;
}

double polyhedron_volume(const Polyhedron& poly, const Eigen::Vector3d& ref) {
  double six_v = 0.0;
  for (const Face& f : poly) {
    const Eigen::Vector3d a = f[0] - ref;
    for (std::size_t i = 1; i + 1 < f.size(); ++i) {
      six_v += a.dot((f[i] - ref).cross(f[i + 1] - ref));
    }
  }
  return std::max(0.0, six_v / 6.0);
}

double general_intersection_volume(const Cuboid& a, const Cuboid& b, double eps) {
  Polyhedron buffers[2];
  int cur = 0;
  box_polyhedron(a, buffers[cur]);
  const Eigen::Matrix3d Rb = b.rotation.normalized().toRotationMatrix();
  for (int plane = 0; plane < 6; ++plane) {
    const double sign = plane % 2 == 0 ? 1.0 : -1.0;
    const Eigen::Vector3d n = sign * Rb.col(plane / 2);
    const double d = n.dot(b.center) + 0.5 * b.size[plane / 2];
    switch (clip_polyhedron(buffers[cur], n, d, eps, buffers[1 - cur])) {
      case ClipResult::kEmpty:
        return 0.0;
      case ClipResult::kClipped:
        cur = 1 - cur;
        break;
      case ClipResult::kUnchanged:
        break;
    }
  }
  return polyhedron_volume(buffers[cur], a.center);
}

double upright_intersection_volume(const Cuboid& a, const Cuboid& b, double eps) {
  const double a_lo = a.center.z() - 0.5 * a.size.z(), a_hi = a.center.z() + 0.5 * a.size.z();
  const double b_lo = b.center.z() - 0.5 * b.size.z(), b_hi = b.center.z() + 0.5 * b.size.z();
  const double dz = std::min(a_hi, b_hi) - std::max(a_lo, b_lo);
  if (!(dz > 0.0)) return 0.0;
  Poly2 fa, fb;
  upright_rectangle(a, fa);
  upright_rectangle(b, fb);
  return footprint_intersection_area(fa, fb, eps) * dz;
}

double ratio(double inter, double va, double vb) {
  const double uni = va + vb - inter;
  if (!(uni > 0.0) || !std::isfinite(uni)) return 0.0;
  return std::clamp(inter / uni, 0.0, 1.0);
}

}  // namespace

double intersection_volume(const Cuboid& a, const Cuboid& b) {
  if (bounding_spheres_disjoint(a, b)) return 0.0;
  const double eps = tolerance_for(a, b);
  if (z_axis_vertical(a.rotation) && z_axis_vertical(b.rotation)) {
    return upright_intersection_volume(a, b, eps);
  }
  return general_intersection_volume(a, b, eps);
}

double iou_3d(const Cuboid& a, const Cuboid& b) {
  const double inter = intersection_volume(a, b);
  // Bounding the intersection by the smaller box absorbs rounding so identical boxes give
  // exactly 1.
  const double va = a.volume(), vb = b.volume();
  return ratio(std::min({inter, va, vb}), va, vb);
}

double iou_bev(const Cuboid& a, const Cuboid& b) {
  Poly2 fa, fb;
  footprint(a, fa);
  footprint(b, fb);
  const double area_a = detail::signed_area_of(fa);
  const double area_b = detail::signed_area_of(fb);
  const double inter = footprint_intersection_area(fa, fb, tolerance_for(a, b));
  return ratio(std::min({inter, area_a, area_b}), area_a, area_b);
}

Polygon2 bev_footprint(const Cuboid& box) {
  Poly2 f;
  footprint(box, f);
  return Polygon2(f.begin(), f.end());
}

}  // namespace pcanno::geometry
