#pragma once
#include <cstddef>
#include <optional>
#include <vector>

#include <Eigen/Core>

#include "pcanno/geometry/pose.hpp"

namespace pcanno::geometry {

/// Ordered 3D vertices (lane line, curb, stop line), open or closed.
struct Polyline {
  std::vector<Eigen::Vector3d> vertices;  ///< [m], parent frame
  bool closed = false;  ///< a closed line has a segment from the last vertex to the first

  std::size_t segment_count() const;
  /// Endpoints of segment `i` < segment_count().
  Eigen::Vector3d segment_start(std::size_t i) const { return vertices[i]; }
  Eigen::Vector3d segment_end(std::size_t i) const { return vertices[(i + 1) % vertices.size()]; }
};

/// Total length [m], including the closing segment of a closed line.
double length(const Polyline& line);

/// Vertices placed every `spacing` [m] of arc length from the first vertex, plus the last point of
/// the line (for an open line). The shape is kept: resampled vertices lie on the original segments.
/// A spacing that is not positive, or a line with fewer than two vertices, returns the line
/// unchanged.
Polyline resample(const Polyline& line, double spacing);

/// The point of the line nearest to a query.
struct PolylineProjection {
  Eigen::Vector3d point = Eigen::Vector3d::Zero();  ///< nearest point [m]
  std::size_t segment = 0;                          ///< index of the segment it lies on
  double t = 0.0;                                   ///< position on that segment, in [0, 1]
  double distance = 0.0;                            ///< from the query [m]
  double arc_length = 0.0;                          ///< from the first vertex along the line [m]
};

/// Nearest point on the line; std::nullopt for a line with no vertex. A single vertex is its own
/// nearest point.
std::optional<PolylineProjection> closest_point(const Polyline& line, const Eigen::Vector3d& query);

/// The same line expressed in another frame: `line_in_a = transform(T_a_b, line_in_b)`.
Polyline transform(const Pose& T_a_b, const Polyline& line_in_b);

}  // namespace pcanno::geometry
