#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/plugin/services/qa.hpp"

namespace pcanno::viewer::workstation {

/// What the timeline shows for one frame of one track.
struct TimelineCell {
  std::int64_t frame = 0;
  bool has_box = false;  ///< the track has a box (a polyline: a line) at this frame
  bool keyframe = false;
  formats::Provenance provenance = formats::Provenance::kManual;  ///< when has_box
  std::optional<plugin::Severity> qa;  ///< the worst QA finding of the track at this frame
  std::string qa_text;                 ///< the findings' messages, one a line (tooltip)
  std::optional<double> score;  ///< the box's score (tracked: the registration's confidence)
  /// The box needs a look: propagation made it (provenance `tracked`) with a score below
  /// plugin::kReviewScore, coasted through an occlusion or poorly registered. Derived from the
  /// stored provenance and score; the timeline marks it under the cell.
  bool review = false;
  /// The frame is a LiDAR sweep between keyframes (a nuScenes/Lyft scene opened with its
  /// sweeps); the timeline then marks the keyframes. Not the box's own keyframe flag above.
  bool sweep = false;
};

/// Whether `box` is one to review: tracked (made by propagation) with a score below
/// plugin::kReviewScore. Keyframes and boxes a person drew or moved never are.
bool needs_review(const formats::BoxState& box);

/// One cell per frame 0 .. frame_count - 1 for track `track` (cells without boxes when the track
/// is unknown), QA findings from `qa` (may be null) that name this track and frame, and the boxes
/// to review (TimelineCell::review).
std::vector<TimelineCell> timeline_cells(const formats::Annotations& doc, std::size_t frame_count,
                                         std::optional<std::int64_t> track,
                                         const plugin::QaReport* qa);

/// Marks the cells of frames that are sweeps of `sequence` (may be null: nothing changes).
void mark_sweeps(std::vector<TimelineCell>& cells, const formats::Sequence* sequence);

/// The same for polyline track `polyline`: a cell has_box where the polyline has a line, with its
/// keyframe flag and provenance. QA findings are about box tracks: none here.
std::vector<TimelineCell> polyline_timeline_cells(const formats::Annotations& doc,
                                                  std::size_t frame_count,
                                                  std::optional<std::int64_t> polyline);

}  // namespace pcanno::viewer::workstation
