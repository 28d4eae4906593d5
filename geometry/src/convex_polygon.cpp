#include "pcanno/geometry/convex_polygon.hpp"

#include "polygon_clip.hpp"

namespace pcanno::geometry {

double signed_area(const Polygon2& polygon) { return detail::signed_area_of(polygon); }

Polygon2 convex_hull(Polygon2 points) {
  Polygon2 hull;
  hull.reserve(points.size() + 1);
  detail::convex_hull_into(points, hull);
  return hull;
}

Polygon2 clip_convex(const Polygon2& subject, const Polygon2& clip) {
  Polygon2 result, scratch;
  detail::clip_convex_into(subject, clip, 1e-12, result, scratch);
  return result;
}

}  // namespace pcanno::geometry
