#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/geometry/line_evidence.hpp"
#include "pcanno/geometry/polyline.hpp"
#include "pcanno/plugin/automation/polyline_propagation.hpp"
#include "pcanno/plugin/automation/track_completion.hpp"

// Completing polyline tracks from their keyframes, the polyline side of complete_tracks():
// interpolation between keyframes by arc-length correspondence in the world frame
// (geometry/polyline_interpolation.hpp), refined onto each frame's evidence, and propagation
// (polyline_propagation.hpp) after a single keyframe or, with kPropagate, from each keyframe to the
// next.

namespace pcanno::plugin {

/// The lines at the frames strictly between `from` (line `a`) and `to` (line `b`), both [world]:
/// the blend at each frame's time (formats::frame_time_s() of `doc`), refined onto `feature` in
/// that frame's scan (vertices within the options' range; nullopt: not refined, no cloud is read).
/// A frame whose cloud cannot be read keeps the blend and gets a note. `progress` gets the
/// fraction done; returning false cancels (kCancelled).
struct InterpolatedPolylines {
  std::vector<PropagatedPolyline> lines;
  std::vector<std::string> notes;
};
formats::Expected<InterpolatedPolylines> interpolate_polyline_frames(
    SequenceClouds& clouds, const formats::Annotations& doc, std::int64_t from,
    const geometry::Polyline& a, std::int64_t to, const geometry::Polyline& b,
    const std::optional<geometry::LineFeature>& feature,
    const PolylinePropagationOptions& options = {},
    const std::function<bool(double)>& progress = {});

struct PolylineCompletion {
  std::vector<formats::PolylineTrack> polylines;  ///< the document's, with the states added
  std::size_t states_added = 0;
  std::size_t polylines_completed = 0;
  std::vector<std::string> notes;  ///< "polyline 3 left the sensor's range at frame 31", ...
};

/// The document's polyline tracks completed as `options.method` says (kLinear: the stored lines
/// blended as plain numbers, no poses; kInterpolate: refined when options.refine; kAuto: refined
/// interpolation, and propagation after a single keyframe for at most max_propagate frames;
/// kPropagate: from each keyframe to the next, and after a single one). Lines follow the evidence
/// of their class (ClassSpec::evidence). Existing states are kept; new ones are stored in the
/// frame their keyframe uses, with provenance "interpolated" or "tracked", keyframe false. The
/// sequence of `clouds` needs poses for kInterpolate, kPropagate and kAuto. `doc` is not changed.
formats::Expected<PolylineCompletion> complete_polylines(
    const formats::Annotations& doc, SequenceClouds& clouds, const CompletionOptions& options,
    const std::function<bool(double)>& progress = {});

}  // namespace pcanno::plugin
