#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/document/edit.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/geometry/cuboid.hpp"

// Commands are made against the current document by the free functions below and applied by
// Session::apply(). A command is a named list of document edits (formats/labels/document/edit.hpp), so
// applying, undoing, journaling and replaying it need no per-command code. The functions check
// their arguments against `doc` and fail with kNotFound (unknown track, frame or vertex) or
// kMalformed (a request that cannot be honoured), naming what was wrong.

namespace pcanno::plugin {

using formats::Annotations;
using formats::Error;
using formats::ErrorCode;
using formats::Expected;
using formats::Status;

/// One undoable user action.
struct Command {
  std::string name;                          ///< for the undo menu: "Create box", "Merge tracks"
  std::vector<formats::DocumentEdit> edits;  ///< applied in order
};

/// The smallest id above every track's (0 for an empty document).
std::int64_t next_track_id(const Annotations& doc);
/// The smallest id above every polyline track's.
std::int64_t next_polyline_id(const Annotations& doc);

/// A new box, as a tool or a host creates it.
struct NewBox {
  /// Class name; empty: the document's default class (Annotations::default_class()).
  std::string label;
  std::int64_t frame = 0;
  geometry::Cuboid box;  ///< in `shape_frame`
  formats::ShapeFrame shape_frame = formats::ShapeFrame::kLidar;
  formats::Provenance provenance = formats::Provenance::kManual;
  bool keyframe = true;
};

/// A new track holding one box; the class is added to the schema when missing. `track_id` -1 takes
/// next_track_id(); an id in use is kMalformed.
Expected<Command> create_track(const Annotations& doc, const NewBox& box,
                               std::int64_t track_id = -1);

/// Adds or replaces the box of an existing track at `state.frame`.
Expected<Command> put_box(const Annotations& doc, std::int64_t track_id, formats::BoxState state);

/// Moves, turns or resizes a box. An edited box becomes a manual keyframe, as in established
/// tools: a person has looked at it.
Expected<Command> modify_box(const Annotations& doc, std::int64_t track_id, std::int64_t frame,
                             const geometry::Cuboid& box);

/// Removes one box; removing a track's last box removes the track.
Expected<Command> delete_box(const Annotations& doc, std::int64_t track_id, std::int64_t frame);
Expected<Command> delete_track(const Annotations& doc, std::int64_t track_id);

/// Changes a track's class (added to the schema when missing).
Expected<Command> set_class(const Annotations& doc, std::int64_t track_id,
                            const std::string& label);

/// Sets (value) or removes (nullopt) a track-level attribute.
Expected<Command> set_track_attribute(const Annotations& doc, std::int64_t track_id,
                                      const std::string& key,
                                      const std::optional<std::string>& value);

/// Sets or removes a frame-level attribute of one box.
Expected<Command> set_box_attribute(const Annotations& doc, std::int64_t track_id,
                                    std::int64_t frame, const std::string& key,
                                    const std::optional<std::string>& value);

Expected<Command> set_keyframe(const Annotations& doc, std::int64_t track_id, std::int64_t frame,
                               bool keyframe);

/// Moves every box of `absorbed_id` into `kept_id` and removes `absorbed_id`. Tracks with boxes in
/// the same frame are kConflict, naming every such frame ("tracks 3 and 7 both have boxes at
/// frames 4, 5, 9"): a track has one box per frame. track_overlap() (track_edits.hpp) lists them
/// beforehand. More repairs (relink, frame ranges, whole-track edits) are in track_edits.hpp.
Expected<Command> merge_tracks(const Annotations& doc, std::int64_t kept_id,
                               std::int64_t absorbed_id);

/// Moves the boxes of `track_id` from `first_frame` on into a new track (same class and
/// attributes), id `new_id` or next_track_id(). Both parts must keep at least one box.
Expected<Command> split_track(const Annotations& doc, std::int64_t track_id,
                              std::int64_t first_frame, std::int64_t new_id = -1);

}  // namespace pcanno::plugin
