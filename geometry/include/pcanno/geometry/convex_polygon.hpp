#pragma once
#include <vector>

#include <Eigen/Core>

namespace pcanno::geometry {

/// Planar polygon helpers behind the bird's-eye-view IoU. Polygons are vertex lists in order,
/// implicitly closed; "convex" inputs are expected counter-clockwise (positive signed area).
using Polygon2 = std::vector<Eigen::Vector2d>;

/// Shoelace area [m^2]: positive for counter-clockwise order.
double signed_area(const Polygon2& polygon);

/// Convex hull, counter-clockwise, without collinear vertices (Andrew's monotone chain).
Polygon2 convex_hull(Polygon2 points);

/// Intersection of two convex counter-clockwise polygons (Sutherland-Hodgman), counter-clockwise.
/// Empty when they do not overlap with positive area.
Polygon2 clip_convex(const Polygon2& subject, const Polygon2& clip);

}  // namespace pcanno::geometry
