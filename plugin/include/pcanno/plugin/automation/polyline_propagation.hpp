#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pcanno/formats/support/expected.hpp"
#include "pcanno/geometry/line_evidence.hpp"
#include "pcanno/geometry/polyline.hpp"
#include "pcanno/geometry/polyline_trace.hpp"
#include "pcanno/plugin/automation/line_feature.hpp"
#include "pcanno/plugin/automation/propagation.hpp"

// Polyline propagation: a lane line or curb carried from its frame to the next ones (or the
// previous ones) through the world frame. Road features do not move, so the carried line is the
// prediction; each frame then refines its vertices onto that scan's evidence (the class's
// feature: an intensity ridge or a height step), each vertex moving at most a bounded distance
// across the line, and the refined line is what the next frame starts from, so that a pose error
// does not accumulate along a curb. The stored line is clipped to the sensor's range at each frame
// (farther, the scan holds too little to check it against); the carried line is not, so that a
// part that comes back into range comes back into the label.

namespace pcanno::plugin {

struct PolylinePropagationOptions {
  /// [m] xy distance from the sensor (the origin of the frame's LiDAR frame): lines are clipped
  /// there, and vertices farther out are not refined.
  double range = 40.0;
  geometry::LineScanOptions scan;
  geometry::LineRefineOptions refine;  ///< max_shift bounds each vertex's move per frame
  /// true: the line moves as a whole (a turn about z, a shift and a height change fitted to the
  /// vertices that found the feature), keeping the shape it was drawn with; a road feature does
  /// not change shape, the pose's error moves it. false: each vertex moves on its own.
  bool rigid = true;
};

struct PropagatedPolyline {
  std::int64_t frame = 0;
  geometry::Polyline line_in_world;  ///< clipped to the frame's range
  std::size_t supported = 0;         ///< vertices that found the feature in this frame's scan
  double mean_shift = 0.0;           ///< [m] of the supported vertices' refinement
};

struct PolylinePropagationResult {
  std::vector<PropagatedPolyline> lines;  ///< in the order propagated
  /// Set when propagation stopped before `to`: "left the sensor's range at frame 31" and the like.
  std::optional<std::string> ended;
  std::int64_t ended_at = -1;
};

/// The part of `line` (in a sensor's frame) within `range` [m] of the origin in xy: segments are
/// cut where they cross the range circle. An open line that leaves and comes back keeps its
/// longest part inside; a closed line (an area) keeps every part, joined by the chords where its
/// boundary leaves and re-enters the range. nullopt when nothing of the line is in range.
std::optional<geometry::Polyline> clip_to_range(const geometry::Polyline& line, double range);

/// Refines `line_in_world` onto `scan` (a frame's, in its LiDAR frame, placed by
/// `T_world_lidar`): the vertices within the options' range look for `feature` across the line
/// (geometry::refine_polyline(), bounded by refine.max_shift); the line then moves as a whole onto
/// what they found (options.rigid), or each of them onto its own find. Nothing moves when no vertex
/// finds the feature or `feature` is nullopt. Returned in the world frame, unclipped.
geometry::RefinedPolyline refine_in_range(const geometry::LineScan& scan,
                                          const geometry::Pose& T_world_lidar,
                                          const geometry::Polyline& line_in_world,
                                          const std::optional<geometry::LineFeature>& feature,
                                          const PolylinePropagationOptions& options = {});

/// One frame of propagation: the line refined (refine_in_range()) is `carried`, what the next
/// frame starts from; `stored` is it clipped to the frame's range, nullopt when no part of the line
/// is in range. `scan` may be null when `feature` is nullopt (nothing to refine onto).
struct PolylineStep {
  geometry::RefinedPolyline carried;         ///< [world]
  std::optional<geometry::Polyline> stored;  ///< [world]
};
PolylineStep propagate_polyline_step(const geometry::LineScan* scan,
                                     const geometry::Pose& T_world_lidar,
                                     const geometry::Polyline& line_in_world,
                                     const std::optional<geometry::LineFeature>& feature,
                                     const PolylinePropagationOptions& options = {});

/// Carries `line_in_world` (at frame `from`) frame by frame towards `to` (inclusive; `to` < `from`
/// goes backward), refining it onto `feature` in each frame's scan (nullopt: carried only, no
/// cloud is read). The sequence needs poses for the frames visited (see ensure_poses()). Stops
/// early, with `ended` set, when a frame has no pose, its cloud cannot be read, or no part of the
/// line is within range. `progress` gets the fraction done, per frame and while a frame loads;
/// returning false cancels (kCancelled).
formats::Expected<PolylinePropagationResult> propagate_polyline(
    SequenceClouds& clouds, std::int64_t from, const geometry::Polyline& line_in_world,
    std::int64_t to, const std::optional<geometry::LineFeature>& feature,
    const PolylinePropagationOptions& options = {},
    const std::function<bool(double)>& progress = {});

}  // namespace pcanno::plugin
