#pragma once
#include <cstddef>
#include <optional>

#include <Eigen/Core>

#include "pcanno/geometry/line_evidence.hpp"
#include "pcanno/geometry/polyline.hpp"

// One-click polylines: a marking or curb traced from a seed, and an existing line refined onto a
// scan's evidence (propagation carries a line to the next frame and refines it there).

namespace pcanno::geometry {

struct TraceOptions {
  double step = 1.0;         ///< [m] between stations along the line
  double max_gap = 3.0;      ///< [m] the trace stops after this long without evidence
  double max_length = 80.0;  ///< [m] of the whole line (both ways from the seed)
  /// [m] a shorter line is no line (a patch, the edge of a bright area): nullopt
  double min_length = 1.5;
  double seed_radius = 1.0;          ///< [m] the feature must be this close to the seed (xy)
  double max_correction = 0.3;       ///< [m] across the line per station, from the prediction
  double max_turn_deg = 25.0;        ///< per station; a sharper turn ends the line there
  double simplify_tolerance = 0.03;  ///< [m] vertices are dropped while the shape moves less
  CrossSectionOptions section;
};

/// One-click: the line of `feature` found nearest `seed` [scan frame], traced both ways until a gap
/// longer than max_gap [m]; nullopt when there is no such feature near the seed. The result is
/// ordered from one end to the other (open), with vertices on the feature (a curb: at the step, at
/// the lower level's height).
std::optional<Polyline> trace_polyline(const LineScan& scan, const Eigen::Vector3d& seed,
                                       LineFeature feature, const TraceOptions& options = {});

struct LineRefineOptions {
  double max_shift = 0.3;  ///< [m] per vertex, across the line
  /// A vertex's shift is the median of its own and its supported neighbours', so that one noisy
  /// vertex does not kink the line.
  bool smooth = true;
  /// Supported vertices also take the feature's height (else z is kept).
  bool update_height = true;
  CrossSectionOptions section;
};

struct RefinedPolyline {
  Polyline line;  ///< same vertex count and order as the input
  std::size_t supported =
      0;                    ///< vertices that found evidence (the others are kept where they were)
  double mean_shift = 0.0;  ///< [m] over the supported vertices
};

/// Moves each vertex across the line (perpendicular to the local direction, in xy) onto the
/// feature within max_shift; vertices without evidence stay. Total: never fails.
RefinedPolyline refine_polyline(const LineScan& scan, const Polyline& line, LineFeature feature,
                                const LineRefineOptions& options = {});

/// Douglas-Peucker: the fewest vertices (first and last kept) such that every dropped vertex lies
/// within `tolerance` [m] (3D) of the simplified line.
Polyline simplify(const Polyline& line, double tolerance);

}  // namespace pcanno::geometry
