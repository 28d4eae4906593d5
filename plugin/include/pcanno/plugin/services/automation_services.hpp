#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// The automation services a host or the workstation runs on a Session, registered by
// Registry::with_builtins(). Each applies its boxes as ONE undoable transaction, never replaces a
// keyframe, and works on sequences without poses (the ego motion is estimated and cached first).
// Parameters are text, as AttributeMap entries:
// - "fit": seed = "x,y,z" [m, the session's world frame: the frame tools use], frame (default:
//   the session's), class (default: the document's default class, Annotations::default_class();
//   its size prior completes a sparse object), track (optional: add the box to this track instead
//   of a new one). The box gets provenance "fitted" and is a keyframe.
// - "propagate": track (required), from (default: the session's frame; the track needs a box
//   there), direction = forward | backward (default forward), to (default: the frame before the
//   track's next keyframe that way, else the sequence's end). Boxes get provenance "tracked", the
//   registration's confidence as score; an object lost on the way is a note, not an error.
// - "interpolate": track (required), refine = true | false (default true). Every frame between
//   the track's keyframes gets a world-frame interpolated box; old non-keyframe boxes there are
//   replaced.
// Polylines: "propagate" and "interpolate" take polyline = <id> instead of track.
// - "propagate" with polyline: from, direction and to as for a track (the polyline needs a line at
//   `from`; `to` stops before its next keyframe). The line is carried through the world frame and
//   refined each frame onto the evidence its class follows (ClassSpec::evidence: an intensity
//   ridge for markings, a height step for curbs; none: carried only): its vertices within range
//   look for the feature across the line (at most 0.3 m away) and the line moves as a whole onto
//   what they find, keeping its drawn shape (polyline_propagation.hpp). Each stored line is
//   clipped to `range` [m, default 40] from the sensor in xy. Lines get provenance "tracked"; a
//   line that leaves the range ends propagation with a note.
// - "interpolate" with polyline: refine = true | false (default true). Every frame between the
//   polyline's keyframes gets the world-frame blend of the two keyframe lines by arc-length
//   correspondence (geometry/polyline_interpolation.hpp), refined as above when `refine`;
//   provenance "interpolated"; old non-keyframe lines there are replaced.

namespace pcanno::plugin {

class Registry;

/// What the last run of an automation service did.
struct ServiceOutcome {
  std::size_t boxes = 0;                 ///< boxes added or replaced
  std::optional<std::int64_t> track;     ///< the track worked on (fit: the new track)
  std::optional<std::int64_t> polyline;  ///< the polyline worked on (trace: the new one)
  std::size_t polyline_states = 0;       ///< polyline states added or replaced
  std::vector<std::string> notes;        ///< "lost at frame 12: 4 points", ...
};

/// The outcome of the last successful run of service `id` ("fit", "propagate", "interpolate",
/// "trace") in
/// this registry (and its copies); nullptr before the first.
const ServiceOutcome* last_service_outcome(const Registry& registry, const std::string& id);

namespace detail {
void add_automation_services(Registry& registry);
}  // namespace detail

}  // namespace pcanno::plugin
