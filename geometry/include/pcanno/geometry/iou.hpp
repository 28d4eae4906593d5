#pragma once
#include <optional>

#include "pcanno/geometry/convex_polygon.hpp"
#include "pcanno/geometry/cuboid.hpp"

namespace pcanno::geometry {

/// Exact intersection-over-union of two boxes in the same parent frame, in [0, 1].
/// Boxes whose z axes are both parallel to parent z (yaw-only, as in KITTI and nuScenes, including
/// boxes turned upside down) take a fast path: rectangle clipping times the height overlap. Any
/// other pair is intersected as convex polyhedra (half-space clipping) and the volume is exact up
/// to rounding. Degenerate input (zero or non-finite union) gives 0.
double iou_3d(const Cuboid& a, const Cuboid& b);

/// Intersection-over-union of the boxes' footprints on the parent xy-plane (bird's-eye view):
/// rectangles for upright boxes, the convex hull of the projected corners otherwise.
double iou_bev(const Cuboid& a, const Cuboid& b);

/// Volume [m^3] of the intersection of two boxes (same paths as iou_3d).
double intersection_volume(const Cuboid& a, const Cuboid& b);

/// Footprint of a box on the parent xy-plane, counter-clockwise.
Polygon2 bev_footprint(const Cuboid& box);

}  // namespace pcanno::geometry
