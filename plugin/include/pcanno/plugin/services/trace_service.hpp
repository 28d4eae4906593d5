#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <Eigen/Core>

#include "pcanno/formats/support/expected.hpp"
#include "pcanno/geometry/polyline_trace.hpp"

// One-click polylines. The "trace" automation service (Registry::with_builtins()) and the
// "polyline-trace" tool both call trace_polyline_at(). Service parameters, as text:
// - seed = "x,y,z" [m, the session's world frame] (required), frame (default: the session's),
//   class (default: the document's default polyline class), feature = marking | curb (default:
//   the class's evidence; a class whose evidence is none needs it).
// The traced line becomes a new polyline track (provenance "fitted", a keyframe) as one undo step;
// nothing found near the seed is kNotFound. last_service_outcome(registry, "trace") holds the new
// polyline's id.

namespace pcanno::plugin {

class Registry;
class Session;

struct TraceRequest {
  Eigen::Vector3d seed_in_world = Eigen::Vector3d::Zero();  ///< [m] session world frame
  std::int64_t frame = 0;
  std::string label;  ///< class; empty: the document's default polyline class
  /// What to follow; nullopt: the class's evidence.
  std::optional<geometry::LineFeature> feature;
  geometry::TraceOptions options;
};

/// What a trace created.
struct TraceOutcome {
  std::int64_t polyline = -1;  ///< the new polyline track
  std::int64_t frame = 0;
  std::string label;
  geometry::LineFeature feature = geometry::LineFeature::kMarking;
  std::size_t vertices = 0;
  double length = 0.0;  ///< [m]
};

/// Traces the feature nearest the seed in the frame's cloud and stores it as a new polyline
/// track, stored the way the session stores new shapes at that frame. kInvalidArgument for a frame
/// without a cloud or a class that follows nothing; kNotFound when there is no such feature near
/// the seed; kCancelled when `progress` returns false (while the frame loads).
formats::Expected<TraceOutcome> trace_polyline_at(Session& session, const TraceRequest& request,
                                                  const std::function<bool(double)>& progress = {});

/// The same on `scan`, the request's frame as frame_line_scan() prepared it: hosts and tools that
/// trace several times in one frame keep it rather than read the frame again.
formats::Expected<TraceOutcome> trace_polyline_at(Session& session, const TraceRequest& request,
                                                  const geometry::LineScan& scan);

/// Frame `frame`'s cloud prepared for tracing, in its LiDAR frame (line_scan_of()).
formats::Expected<geometry::LineScan> frame_line_scan(
    const Session& session, std::int64_t frame, const std::function<bool(double)>& progress = {});

namespace detail {
void add_trace_service(Registry& registry);
}  // namespace detail

}  // namespace pcanno::plugin
