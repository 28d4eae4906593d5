#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

// The "prelabel" automation service: runs a registered detector over frames of the session's
// sequence, associates its detections into tracks (automation/association.hpp) and adds them as
// model boxes (provenance "model", the detection's score, not keyframes) in ONE undo step.
// Parameters:
// - detector: a detector id of the session's registry (default "classical");
// - frames: "A-B" or "A" (default: every frame);
// - min_score: detections below are dropped (default 0: keep all; the workstation hides low
//   scores instead, so that a threshold can be changed without running the detector again);
// - min_hits: matched frames before a track is born (default 3; a single frame takes 1);
// - detector.<key>: parameter <key> of the detector (`--detector-param key=value`).
// A re-run replaces the model boxes of earlier runs in its frames (not keyframes: a model box a
// person marked as a keyframe, or edited, which makes it manual, stays). Manual, fitted, tracked
// and interpolated boxes are never touched, and a pre-label that overlaps one is left out.
// Sequences without poses get their ego motion estimated (and cached) first when the range has
// more than one frame. Detections of classes the document's schema lacks (the default schema's
// when it declares none) are left out and reported in the outcome's notes.

namespace pcanno::plugin {

class Registry;

/// What the last successful run of "prelabel" did.
struct PrelabelOutcome {
  std::int64_t first_frame = 0;
  std::int64_t last_frame = 0;
  std::size_t detections = 0;      ///< returned by the detector in the range
  std::size_t tracks = 0;          ///< model tracks added
  std::size_t boxes = 0;           ///< model boxes added
  std::size_t replaced = 0;        ///< model boxes of earlier runs removed
  std::vector<std::string> notes;  ///< unknown classes, overlaps, below min_score
};

/// nullptr before the first successful run of this registry's (or its copies') service.
const PrelabelOutcome* last_prelabel_outcome(const Registry& registry);

namespace detail {
void add_prelabel_service(Registry& registry);
}  // namespace detail

}  // namespace pcanno::plugin
