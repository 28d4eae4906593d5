#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/geometry/cuboid.hpp"

// Box-level evaluation of predicted tracks against ground truth (`pcanno eval`, the automation
// benchmark of docs/automation.md). Boxes are matched by track id and frame only, never by
// overlap: the prediction of a track is judged as that track, so a box swapped onto the wrong
// object scores low instead of being re-matched.

namespace pcanno::plugin {

struct EvalOptions {
  /// Frames to evaluate, any order; empty: every frame.
  std::vector<std::int64_t> frames;
  /// Skip the ground-truth boxes whose predicted box is a keyframe (BoxState::keyframe), and
  /// keyframe predictions without ground truth: a tracker gets its keyframes as input, so only the
  /// boxes it made are scored.
  bool exclude_keyframes = false;
  /// Skip the ground-truth boxes that are the exact midpoint of their track's boxes in the frames
  /// before and after (centre, size and rotation, to `derived_tolerance`). An annotation tool made
  /// them by interpolation (KITTI tracking labels are piecewise linear between the annotators'
  /// keyframes), so scoring them measures agreement with that tool, not with the object.
  bool exclude_derived_gt = false;
  double derived_tolerance = 1e-5;  ///< [m] on centre and size, [rad] on rotation
};

/// One ground-truth box and its prediction.
struct BoxResult {
  std::int64_t track_id = 0;
  std::int64_t frame = 0;
  std::string label;       ///< ground-truth class
  bool predicted = false;  ///< false: no predicted box at (track, frame), scored IoU 0
  bool same_label = true;  ///< the predicted track has the ground truth's class
  double iou_3d = 0.0;     ///< in [0, 1]
  double iou_bev = 0.0;    ///< in [0, 1], footprints on the xy-plane of the common frame
  /// Frames from `frame` to the nearest keyframe of the predicted track (how far the tracker or
  /// interpolator had to reach); -1 when that track has no keyframe.
  std::int64_t keyframe_distance = -1;
};

/// Aggregate over a set of ground-truth boxes; every mean counts a missed box as 0.
struct IouSummary {
  std::size_t boxes = 0;   ///< ground-truth boxes
  std::size_t missed = 0;  ///< of which without a prediction
  double mean_iou_3d = 0.0;
  double mean_iou_bev = 0.0;
  double fraction_3d_50 = 0.0;   ///< share of boxes with 3D IoU >= 0.5
  double fraction_3d_70 = 0.0;   ///< share of boxes with 3D IoU >= 0.7
  double fraction_bev_50 = 0.0;  ///< share of boxes with BEV IoU >= 0.5
  double fraction_bev_70 = 0.0;  ///< share of boxes with BEV IoU >= 0.7
};

struct ClassResult {
  std::string label;
  IouSummary iou;
};

struct TrackResult {
  std::int64_t track_id = 0;
  std::string label;
  IouSummary iou;
  double min_iou_3d = 0.0;
  std::int64_t worst_frame = -1;  ///< frame of min_iou_3d (the first such frame)
};

struct KeyframeDistanceResult {
  std::int64_t distance = 0;  ///< [frames] to the nearest keyframe
  IouSummary iou;
};

struct FrameResult {
  std::int64_t frame = 0;
  IouSummary iou;
};

/// A predicted box at a (track, frame) where the ground truth has none.
struct UnmatchedPrediction {
  std::int64_t track_id = 0;
  std::int64_t frame = 0;
  std::string label;
};

struct EvalReport {
  std::vector<BoxResult> boxes;      ///< by track id, then frame
  std::vector<ClassResult> classes;  ///< by class name
  std::vector<TrackResult> tracks;   ///< by track id
  std::vector<FrameResult> frames;   ///< frames with at least one evaluated box, ascending
  /// Boxes grouped by BoxResult::keyframe_distance, ascending (boxes without one are left out):
  /// how quality falls with the distance a propagation or interpolation spans.
  std::vector<KeyframeDistanceResult> by_keyframe_distance;
  IouSummary overall;
  std::vector<UnmatchedPrediction> unmatched;  ///< by track id, then frame
  std::size_t excluded_keyframes = 0;          ///< ground-truth boxes skipped by exclude_keyframes
  std::size_t excluded_derived = 0;            ///< ground-truth boxes skipped by exclude_derived_gt
  std::size_t label_mismatches = 0;            ///< predicted boxes whose track has another class
};

/// Matches `pred` to `gt` by track id and frame and scores every ground-truth box. Boxes stored in
/// the same shape frame are compared as stored; otherwise both are moved to the LiDAR frame of
/// their frame, which needs that frame's pose from `sequence` (kUnsupported naming the frame when
/// it is missing). `sequence` may be null when no pair mixes frames.
formats::Expected<EvalReport> evaluate(const formats::Annotations& pred,
                                       const formats::Annotations& gt,
                                       const formats::Sequence* sequence,
                                       const EvalOptions& options = {});

/// True when `box` is the midpoint of `before` and `after` (all in one frame): centres and sizes
/// within `tolerance` [m] of their means, rotation within `tolerance` [rad] of the half-way slerp.
/// Linear interpolation of position and angle between two keyframes produces exactly such boxes.
bool is_interpolated_midpoint(const geometry::Cuboid& before, const geometry::Cuboid& box,
                              const geometry::Cuboid& after, double tolerance);

/// Summary of a set of box results (missed ones count as IoU 0).
IouSummary summarize(const std::vector<const BoxResult*>& boxes);

}  // namespace pcanno::plugin
