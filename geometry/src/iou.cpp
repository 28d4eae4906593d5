#include "pcanno/geometry/iou.hpp"

#include <algorithm>
#include <cmath>

#include "polygon_clip.hpp"
#include "small_vector.hpp"

namespace pcanno::geometry {
namespace {

using detail::SmallVector;
// Two convex polygons of at most 8 vertices (projected hulls) intersect in at most 16; margin for rounding.
using Poly2 = SmallVector<Eigen::Vector2d, 24>;

/// Squared sine of the tilt of box z from parent z is 4 (x^2 + y^2)(z^2 + w^2); this bound keeps the tilt
/// under ~2e-9 rad, where the fast path's error is far below double rounding of typical coordinates.
bool z_axis_vertical(const Eigen::Quaterniond& q_in) {
  const Eigen::Quaterniond q = q_in.normalized();
  return (q.x() * q.x() + q.y() * q.y()) * (q.z() * q.z() + q.w() * q.w()) <= 1e-18;
}

double tolerance_for(const Cuboid& a, const Cuboid& b) {
  const double scale = 1.0 + a.center.cwiseAbs().maxCoeff() + b.center.cwiseAbs().maxCoeff() +
                       a.size.maxCoeff() + b.size.maxCoeff();
  return 1e-12 * scale;
}

/// Upright-box footprint, counter-clockwise, from the box axes (no corners() or hull needed).
void upright_rectangle(const Cuboid& box, Poly2& out) {
  const Eigen::Matrix3d R = box.rotation.normalized().toRotationMatrix();
  Eigen::Vector2d ax(R(0, 0), R(1, 0));
  Eigen::Vector2d ay(R(0, 1), R(1, 1));
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

// ---- General path: convex polyhedron clipping -------------------------------------------------------

// A box clipped by up to six planes keeps at most 6 + 6 faces; a face of a convex polyhedron with at most
// 12 faces has at most 11 edges. Capacities leave margin for near-duplicate vertices.
using Face = SmallVector<Eigen::Vector3d, 24>;
using Polyhedron = SmallVector<Face, 16>;

void box_polyhedron(const Cuboid& box, Polyhedron& out) {
  // Outward-facing, counter-clockwise seen from outside (corner numbering from cuboid.hpp).
  static constexpr int kFaces[6][4] = {{4, 5, 6, 7}, {0, 3, 2, 1}, {0, 4, 7, 3},
                                       {1, 2, 6, 5}, {0, 1, 5, 4}, {3, 7, 6, 2}};
  const auto c = box.corners();
  out.clear();
  for (const auto& f : kFaces) {
    Face face;
    for (int k : f) face.push_back(c[k]);
    out.push_back(face);
  }
}

/// Keeps the part of `poly` where n.p <= d. Returns false when nothing with volume is left.
bool clip_polyhedron(Polyhedron& poly, const Eigen::Vector3d& n, double d, double eps) {
  bool any_inside = false, any_outside = false;
  for (const Face& f : poly) {
    for (const Eigen::Vector3d& v : f) {
      const double s = n.dot(v) - d;
      any_inside |= s < -eps;
      any_outside |= s > eps;
    }
  }
  if (!any_outside) return true;
  if (!any_inside) return false;

  Polyhedron clipped;
  SmallVector<Eigen::Vector3d, 48> on_plane;
  auto add_on_plane = [&](const Eigen::Vector3d& p) {
    for (const Eigen::Vector3d& q : on_plane) {
      if ((q - p).squaredNorm() <= 16.0 * eps * eps) return;
    }
    on_plane.push_back(p);
  };
  for (const Face& f : poly) {
    Face out;
    const std::size_t m = f.size();
    double s_prev = n.dot(f[m - 1]) - d;
    for (std::size_t i = 0; i < m; ++i) {
      const Eigen::Vector3d& prev = f[(i + m - 1) % m];
      const Eigen::Vector3d& cur = f[i];
      const double s_cur = n.dot(cur) - d;
      if ((s_prev > eps && s_cur < -eps) || (s_prev < -eps && s_cur > eps)) {
        const Eigen::Vector3d x = prev + (s_prev / (s_prev - s_cur)) * (cur - prev);
        out.push_back(x);
        add_on_plane(x);
      }
      if (s_cur <= eps) {
        out.push_back(cur);
        if (s_cur >= -eps) add_on_plane(cur);
      }
      s_prev = s_cur;
    }
    if (out.size() >= 3) clipped.push_back(out);
  }

  if (on_plane.size() >= 3) {
    // The cap closes the cut; ordered counter-clockwise about n, which points out of the kept part.
    Eigen::Vector3d centroid = Eigen::Vector3d::Zero();
    for (const auto& p : on_plane) centroid += p;
    centroid /= static_cast<double>(on_plane.size());
    const Eigen::Vector3d u = n.unitOrthogonal();
    const Eigen::Vector3d v = n.cross(u);
    SmallVector<std::pair<double, Eigen::Vector3d>, 48> by_angle;
    for (const auto& p : on_plane) {
      const Eigen::Vector3d r = p - centroid;
      by_angle.push_back({std::atan2(v.dot(r), u.dot(r)), p});
    }
    std::sort(by_angle.begin(), by_angle.end(),
              [](const auto& l, const auto& r) { return l.first < r.first; });
    Face cap;
    for (const auto& entry : by_angle) cap.push_back(entry.second);
    clipped.push_back(cap);
  }
  poly = clipped;
  return poly.size() >= 4;
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
  Polyhedron poly;
  box_polyhedron(a, poly);
  const Eigen::Matrix3d Rb = b.rotation.normalized().toRotationMatrix();
  for (int k = 0; k < 3; ++k) {
    const Eigen::Vector3d axis = Rb.col(k);
    const double centre = axis.dot(b.center);
    const double half = 0.5 * b.size[k];
    if (!clip_polyhedron(poly, axis, centre + half, eps)) return 0.0;
    if (!clip_polyhedron(poly, -axis, -centre + half, eps)) return 0.0;
  }
  return polyhedron_volume(poly, a.center);
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
  // Bounding the intersection by the smaller box absorbs rounding so identical boxes give exactly 1.
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
