#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pcanno/formats/clouds/point_cloud.hpp"
#include "pcanno/plugin/automation/progress.hpp"
#include "pcanno/plugin/command.hpp"

// Track repair and whole-track edits: the commands that fix ID switches (relink one box, delete a
// frame range) and edit every box of a track at once (size, heading, re-fit). Each returns one
// Command, so each is one undo step and journals as one line; merge_tracks and split_track
// (command.hpp) complete the set. Like the other command factories, they check their arguments
// against `doc` and name the track and frames that were wrong.

namespace pcanno::plugin {

class Session;

/// An inclusive range of frame indices.
struct FrameRange {
  std::int64_t first = 0;
  std::int64_t last = 0;  ///< >= first
  bool contains(std::int64_t f) const { return f >= first && f <= last; }
};

/// What stands between two tracks and one merged track.
struct TrackOverlap {
  /// Frames at which both tracks have a box, increasing: any of them makes a merge impossible.
  std::vector<std::int64_t> overlaps;
  /// Runs of frames between the first and last box of either track at which neither has a box:
  /// the merged track would have these holes (not an error; interpolation can fill them).
  std::vector<FrameRange> gaps;
};

/// The overlap frames and the gaps of tracks `a` and `b`.
TrackOverlap track_overlap(const formats::Track& a, const formats::Track& b);

/// "4, 5, 9": every frame, in the given order.
std::string frame_list(const std::vector<std::int64_t>& frames);
/// "3", "3-7"; ranges joined by ", ".
std::string range_text(const FrameRange& range);
std::string range_list(const std::vector<FrameRange>& ranges);

/// Moves the box of `track_id` at `frame` into track `target_id` (kept as it is: keyframe,
/// provenance, attributes). `target_id` -1 (or an unused id) makes a new track of the same class
/// and track attributes. kConflict, naming the frame, when the target has a box there. The source
/// track goes when this was its only box.
Expected<Command> relink_box(const Annotations& doc, std::int64_t track_id, std::int64_t frame,
                             std::int64_t target_id = -1);

/// Removes the boxes of `track_id` in `range`; the whole track when none is left. kNotFound when
/// it has no box there.
Expected<Command> delete_frames(const Annotations& doc, std::int64_t track_id, FrameRange range);

/// Gives every box of `track_id` (in `range`, or all) the size of its box at `from_frame`, each
/// keeping its centre, rotation, keyframe flag and provenance.
Expected<Command> apply_size(const Annotations& doc, std::int64_t track_id, std::int64_t from_frame,
                             std::optional<FrameRange> range = {});

/// Turns every box of `track_id` in `range` by 180 degrees about its own z axis (centre, size and
/// tilt kept): the fix for a heading the detector or the propagation got backwards. kNotFound
/// when it has no box in `range`.
Expected<Command> flip_heading(const Annotations& doc, std::int64_t track_id, FrameRange range);

/// The cloud of a frame, as the host holds it (a FrameCache, Sequence::load_frame).
using CloudOf =
    std::function<Expected<std::shared_ptr<const formats::PointCloud>>(std::int64_t frame)>;

/// Loads frames from the session's sequence (no cache): what a headless host uses.
CloudOf sequence_clouds(const Session& session);

/// What refit_track did.
struct RefitReport {
  std::size_t refitted = 0;               ///< boxes replaced by a fit
  std::vector<std::int64_t> kept_frames;  ///< frames where nothing but ground was found
};

/// Re-fits every box of `track_id` (in `range`, or all) to the points of its frame: the fit of
/// geometry/box_fit.hpp seeded at the box's centre, its heading as the hint and its size as the
/// prior (which completes what the scan cannot see). Fitted boxes keep their frame of reference,
/// keyframe flag and attributes, and get provenance "fitted"; a box where the fit finds nothing
/// stays as it is and is listed in `report`. `progress` sees the fraction of boxes done; false
/// cancels (kCancelled, nothing made). Needs a session with a sequence; reads, never edits it.
Expected<Command> refit_track(const Session& session, std::int64_t track_id,
                              std::optional<FrameRange> range, const CloudOf& clouds,
                              const Progress& progress = {}, RefitReport* report = nullptr);

}  // namespace pcanno::plugin
