#include "pcanno/geometry/polyline_trace.hpp"

namespace pcanno::geometry {

std::optional<Polyline> trace_polyline(const LineScan&, const Eigen::Vector3d&, LineFeature,
                                       const TraceOptions&) {
  return std::nullopt;
}

RefinedPolyline refine_polyline(const LineScan&, const Polyline& line, LineFeature,
                                const LineRefineOptions&) {
  return RefinedPolyline{line, 0, 0.0};
}

Polyline simplify(const Polyline& line, double) { return line; }

}  // namespace pcanno::geometry
