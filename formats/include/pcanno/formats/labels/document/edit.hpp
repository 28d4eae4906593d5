#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/support/expected.hpp"

// Every change to an Annotations is a list of keyed "slot := content" edits. Each edit names one
// slot (a class, a whole track, one box of a track, a whole polyline track, one polyline state) and
// the slot's content afterwards, std::nullopt meaning "absent". This is what the engine's commands,
// undo stack and crash journal are made of:
// applying an edit returns the edit that restores the slot, so undo is exact, bit for bit, and an
// edit list serialises to one line, which is what the crash journal appends.

namespace pcanno::formats {

/// A class of the label schema: added, replaced, or removed (nullopt).
struct ClassEdit {
  std::string name;
  std::optional<ClassSpec> spec;
  /// Where an added class goes, -1 for last; the undo of a removal puts the class back in place.
  std::int64_t position = -1;
};

/// A whole track, boxes included: created, replaced (class, attributes, merge, split) or deleted.
struct TrackEdit {
  std::int64_t track_id = 0;
  std::optional<Track> track;  ///< its id must be track_id
};

/// One box of an existing track: created, replaced or removed.
struct BoxEdit {
  std::int64_t track_id = 0;
  std::int64_t frame = 0;
  std::optional<BoxState> box;  ///< its frame must be `frame`
};

/// A whole polyline track, states included.
struct PolylineEdit {
  std::int64_t polyline_id = 0;
  std::optional<PolylineTrack> polyline;  ///< its id must be polyline_id
};

/// One state of an existing polyline track.
struct PolylineStateEdit {
  std::int64_t polyline_id = 0;
  std::int64_t frame = 0;
  std::optional<PolylineState> state;  ///< its frame must be `frame`
};

/// One scene tag (Annotations::attributes, `frame` -1) or frame tag (FrameInfo::attributes of
/// `frame`): set, or removed (nullopt). The key need not be declared in Annotations::scene_tags or
/// frame_tags; callers that enforce the schema check that first (plugin/attribute_rules.hpp).
struct TagEdit {
  std::int64_t frame = -1;  ///< -1: the scene (the document); else an index into frames
  std::string key;
  std::optional<std::string> value;
};

/// The schema's declared scene tags (`frame_tags` false: Annotations::scene_tags) or frame tags,
/// the whole list replaced (loading a class schema file).
struct TagSpecsEdit {
  bool frame_tags = false;
  std::vector<AttributeSpec> specs;
};

using DocumentEdit = std::variant<ClassEdit, TrackEdit, BoxEdit, PolylineEdit, PolylineStateEdit,
                                  TagEdit, TagSpecsEdit>;

/// Applies `edit` to `doc`, keeping tracks sorted by id and boxes by frame, and returns the edit
/// that undoes it. kMalformed, with `doc` unchanged, when the edit is inconsistent: a box or state
/// for a track that does not exist, or a payload whose id or frame differs from the edit's.
Expected<DocumentEdit> apply_edit(Annotations& doc, const DocumentEdit& edit);

/// Applies `edits` in order and returns their undo list (already reversed: apply it in order to
/// undo). On an error, the edits applied so far are undone, so `doc` is unchanged.
Expected<std::vector<DocumentEdit>> apply_edits(Annotations& doc,
                                                const std::vector<DocumentEdit>& edits);

/// One line of JSON (no newline) holding `edits`, with the native document's field spellings, so
/// doubles round-trip exactly. Never throws except std::bad_alloc.
std::string serialize_edits(const std::vector<DocumentEdit>& edits);

/// Parses serialize_edits() output; errors give `where` and the JSON pointer of the bad member.
Expected<std::vector<DocumentEdit>> parse_edits(std::string_view line, const std::string& where);

}  // namespace pcanno::formats
