#pragma once
#include <algorithm>
#include <cmath>
#include <utility>

#include <Eigen/Core>

namespace pcanno::geometry::detail {

inline double cross2(const Eigen::Vector2d& a, const Eigen::Vector2d& b) {
  return a.x() * b.y() - a.y() * b.x();
}

template <typename Polygon>
double signed_area_of(const Polygon& poly) {
  const std::size_t n = poly.size();
  if (n < 3) return 0.0;
  double twice = 0.0;
  // Relative to the first vertex, which keeps the sum accurate far from the origin.
  for (std::size_t i = 1; i + 1 < n; ++i) twice += cross2(poly[i] - poly[0], poly[i + 1] - poly[0]);
  return 0.5 * twice;
}

/// Clips `subject` by the half-plane left of the directed line p -> q into `out`
/// (Sutherland-Hodgman). Vertices within `eps` of the line count as on it; an intersection is only
/// made where an edge truly crosses, so a polygon clipped by its own edges comes back unchanged.
template <typename Polygon>
void clip_by_line(const Polygon& subject, const Eigen::Vector2d& p, const Eigen::Vector2d& q,
                  double eps, Polygon& out) {
  out.clear();
  const std::size_t n = subject.size();
  if (n == 0) return;
  const Eigen::Vector2d dir = q - p;
  const double len = dir.norm();
  if (!(len > 0.0)) {
    out = subject;
    return;
  }
  const double tol = eps * len;
  auto side = [&](const Eigen::Vector2d& v) { return cross2(dir, v - p); };
  double s_prev = side(subject[n - 1]);
  for (std::size_t i = 0; i < n; ++i) {
    const Eigen::Vector2d& prev = subject[(i + n - 1) % n];
    const Eigen::Vector2d& cur = subject[i];
    const double s_cur = side(cur);
    if ((s_prev > tol && s_cur < -tol) || (s_prev < -tol && s_cur > tol)) {
      const double t = s_prev / (s_prev - s_cur);
      out.push_back(prev + t * (cur - prev));
    }
    if (s_cur >= -tol) out.push_back(cur);
    s_prev = s_cur;
  }
}

/// Intersection of convex counter-clockwise polygons; `scratch` is work space of the same type.
template <typename Polygon>
void clip_convex_into(const Polygon& subject, const Polygon& clip, double eps, Polygon& result,
                      Polygon& scratch) {
  // Ping-pong between the two buffers instead of swapping their contents.
  const Polygon* cur = &subject;
  Polygon* next = &result;
  Polygon* spare = &scratch;
  const std::size_t m = clip.size();
  for (std::size_t i = 0; i < m && cur->size() >= 3; ++i) {
    clip_by_line(*cur, clip[i], clip[(i + 1) % m], eps, *next);
    cur = next;
    std::swap(next, spare);
  }
  if (cur != &result) result = *cur;
  if (result.size() < 3) result.clear();
}

/// Andrew's monotone chain over `pts` (reordered in place) into `hull`, counter-clockwise.
template <typename Points, typename Polygon>
void convex_hull_into(Points& pts, Polygon& hull) {
  hull.clear();
  std::sort(pts.begin(), pts.end(), [](const Eigen::Vector2d& a, const Eigen::Vector2d& b) {
    return a.x() < b.x() || (a.x() == b.x() && a.y() < b.y());
  });
  const std::size_t n = pts.size();
  if (n < 3) {
    for (const auto& p : pts) hull.push_back(p);
    return;
  }
  // Lower hull then upper hull; `hull` doubles as the stack.
  auto turn = [&](const Eigen::Vector2d& a, const Eigen::Vector2d& b, const Eigen::Vector2d& c) {
    return cross2(b - a, c - a);
  };
  for (std::size_t i = 0; i < n; ++i) {
    while (hull.size() >= 2 && turn(hull[hull.size() - 2], hull[hull.size() - 1], pts[i]) <= 0.0) {
      hull.pop_back();
    }
    hull.push_back(pts[i]);
  }
  const std::size_t lower = hull.size() + 1;
  for (std::size_t i = n - 1; i-- > 0;) {
    while (hull.size() >= lower &&
           turn(hull[hull.size() - 2], hull[hull.size() - 1], pts[i]) <= 0.0) {
      hull.pop_back();
    }
    hull.push_back(pts[i]);
  }
  hull.pop_back();  // the first point closes the loop
}

}  // namespace pcanno::geometry::detail
