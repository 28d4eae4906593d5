#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/plugin/automation/propagation.hpp"

// Completing tracks from keyframes: every frame between a track's keyframes gets a box.
// - kLinear: what today's tools do, kept for comparison: centre, size and yaw interpolated as
//   plain numbers in each frame's own LiDAR frame, ignoring the ego vehicle's motion.
// - kInterpolate: in the world frame (the sequence needs poses; see ensure_poses()), slerp rotation
//   and a C1 Hermite path through the keyframes, with heading-aligned tangents for classes that
//   move along their heading (MotionProfile::moves_along_heading in the document's class schema,
//   else the default schema's: vehicles, cyclists), the size held at the keyframe with the most
//   points (a rigid object does not change size).
// - kPropagate: from each keyframe forward with propagate_box() (propagation.hpp) and the class's
//   motion model; stops at the next keyframe, or where propagation ends the track (out of the
//   sensor's range, unseen for too long). Tracked boxes carry the registration's confidence as
//   their score; boxes coasted through occlusion a lower one (below kReviewScore).
// - kAuto: kInterpolate with refinement between keyframes; kPropagate after the keyframe to the
//   end of the sequence when a track has a single keyframe.

namespace pcanno::plugin {

enum class CompletionMethod { kLinear, kInterpolate, kPropagate, kAuto };

/// "linear", "interpolate", "propagate", "auto".
const char* to_string(CompletionMethod method);
std::optional<CompletionMethod> completion_method_from_string(const std::string& name);

struct CompletionOptions {
  CompletionMethod method = CompletionMethod::kAuto;
  PropagationOptions propagation;
  /// kInterpolate: move each interpolated box towards its frame's points, registered with the
  /// neighbouring keyframes' object points (within `refine_max_shift` and `refine_max_turn`).
  /// The move is weighted by the distance to the nearest keyframe over `refine_ramp_frames`,
  /// because next to a keyframe the curve is as good as the labels. kAuto always refines.
  bool refine = false;
  double refine_ramp_frames = 5.0;
  double refine_max_shift = 0.5;   ///< [m]
  double refine_max_turn = 0.17;   ///< [rad], about 10 degrees
  /// Propagation follows each track with its class's motion model (motion_options_for() of the
  /// document's class schema); false: with propagation.motion.
  bool motion_from_class = true;
  /// Polyline tracks: frames propagated past a single keyframe (kAuto). Box tracks go on to the
  /// end of the sequence; propagation ends them earlier only by its own rules (out of the
  /// sensor's range, unseen for too long; propagation.hpp).
  std::size_t max_propagate = 50;
};

struct CompletionReport {
  std::size_t boxes_added = 0;
  std::size_t tracks_completed = 0;
  std::size_t polyline_states_added = 0;  ///< polyline tracks: see complete_polylines()
  std::size_t polylines_completed = 0;
  /// Of boxes_added, those propagation coasted through frames where the object was not found
  /// (their score starts below kReviewScore), and all tracked boxes scored below kReviewScore.
  std::size_t boxes_coasted = 0;
  std::size_t boxes_to_review = 0;
  /// "track 7 left the sensor's range (80 m) at frame 120" and the like.
  std::vector<std::string> notes;
};

/// Adds the missing boxes to `doc` (existing boxes are kept as they are), and the missing lines of
/// its polyline tracks (complete_polylines() in polyline_completion.hpp, the same method).
/// Interpolated boxes get provenance "interpolated", propagated ones "tracked", both keyframe =
/// false; they are stored in the frame the track's keyframes use. `sequence` supplies timestamps,
/// poses (kInterpolate and kPropagate need them for every frame) and points (kPropagate, size
/// estimation). `progress` gets the fraction done, per frame filled and while a frame loads;
/// returning false cancels (kCancelled). `doc` changes only on success: cancelled or failed, it is
/// left as it was.
formats::Expected<CompletionReport> complete_tracks(
    formats::Annotations& doc, const formats::Sequence& sequence, const CompletionOptions& options,
    const std::function<bool(double)>& progress = {});

/// Removes boxes, polyline states (and ignore regions) at frames >= `frame_count`, and tracks
/// left empty; the document's frame list is cut to `frame_count` too. Returns the number of boxes
/// removed.
std::size_t crop_to_frames(formats::Annotations& doc, std::size_t frame_count);

/// Keeps, per track (and per polyline), the first box (line), every `k`-th after it and (with
/// `keep_last`) the last, marking them keyframes; the others are removed. For measuring completion against full ground
/// truth; k = 0 with keep_last = false keeps only the first box (propagation alone).
void keep_keyframes_every(formats::Annotations& doc, std::size_t k, bool keep_last = true);

}  // namespace pcanno::plugin
