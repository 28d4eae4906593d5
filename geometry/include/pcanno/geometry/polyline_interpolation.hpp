#pragma once
#include <vector>

#include <Eigen/Core>

#include "pcanno/geometry/polyline.hpp"

// Polylines between two keyframes, by arc-length correspondence of their vertices. Both lines are
// given in one frame (the world frame: in a sensor frame the ego vehicle's motion would bend the
// blend). Each is parameterised by its normalised arc length s in [0, 1]; the blend keeps the
// vertices of both (the union of their s positions), so a corner of either keyframe is a vertex
// at every fraction, and at t = 0 and t = 1 the result has exactly the keyframes' shapes.

namespace pcanno::geometry {

/// Two lines brought onto one parameterisation: `a[i]` corresponds to `b[i]`. Both hold the same
/// number of points, at the union of the two lines' normalised arc-length positions.
struct PolylineCorrespondence {
  std::vector<Eigen::Vector3d> a;  ///< points of the first line [m]
  std::vector<Eigen::Vector3d> b;  ///< the matching points of the second line [m]
  bool closed = false;             ///< both lines are closed: the result closes too
  bool reversed = false;  ///< the second line was drawn the other way round and has been turned
  std::size_t shift = 0;  ///< closed lines: the candidate start of the second line that was chosen
};

/// The correspondence of `a` and `b` (each with at least one vertex). The second line is turned
/// round when it was drawn the other way (the orientation with the smaller summed squared distance
/// between matching points wins). Closed lines: the start of the second line is chosen among its
/// vertices and the point nearest the first line's start, in both directions, by the same
/// distance. When only one of the two is closed, it is taken as an open line that returns to its
/// first vertex. A line of zero length is parameterised by vertex index.
PolylineCorrespondence correspond(const Polyline& a, const Polyline& b);

/// The line at fraction `t` between the correspondence's two lines: (1 - t) a + t b, point by
/// point. t = 0 gives the first line's shape, t = 1 the second's.
Polyline blend(const PolylineCorrespondence& c, double t);

/// correspond() then blend(): the line at `t` in [0, 1] between keyframe lines `a` and `b`.
Polyline interpolate_polyline(const Polyline& a, const Polyline& b, double t);

/// The point at normalised arc length `s` in [0, 1] of `line` (s = 1: the last vertex of an open
/// line, back at the first of a closed one). A line of zero length is parameterised by vertex
/// index; a line with no vertex gives the origin.
Eigen::Vector3d point_at(const Polyline& line, double s);

}  // namespace pcanno::geometry
