#include "pcanno/plugin/command.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "command_support.hpp"
#include "pcanno/plugin/track_edits.hpp"

namespace pcanno::plugin {

using formats::BoxEdit;
using formats::BoxState;
using formats::ClassEdit;
using formats::Track;
using formats::TrackEdit;

namespace detail {

Error not_found(const std::string& what) { return Error{ErrorCode::kNotFound, what, ""}; }
Error invalid(const std::string& what) { return Error{ErrorCode::kInvalidArgument, what, ""}; }
Error conflict(const std::string& what) { return Error{ErrorCode::kConflict, what, ""}; }

Expected<const Track*> find_track(const Annotations& doc, std::int64_t id) {
  const Track* t = doc.track(id);
  if (t == nullptr) return not_found("no track " + std::to_string(id));
  return t;
}

Expected<const BoxState*> find_box(const Annotations& doc, std::int64_t id, std::int64_t frame) {
  Expected<const Track*> t = find_track(doc, id);
  if (!t) return std::move(t).error();
  const BoxState* b = (*t)->at(frame);
  if (b == nullptr) {
    return not_found("track " + std::to_string(id) + " has no box in frame " +
                     std::to_string(frame));
  }
  return b;
}

void ensure_class_edit(const Annotations& doc, const std::string& label, Command& cmd) {
  if (doc.class_spec(label) == nullptr) {
    cmd.edits.push_back(ClassEdit{label, formats::make_class_spec(label), -1});
  }
}

Status check_label(const std::string& label) {
  if (label.empty()) return invalid("a class name cannot be empty");
  return {};
}

Status check_box(const geometry::Cuboid& box) {
  const bool finite =
      box.center.allFinite() && box.size.allFinite() && box.rotation.coeffs().allFinite();
  if (!finite) return invalid("the box has a non-finite coordinate");
  if ((box.size.array() <= 0.0).any())
    return invalid("a box needs a positive length, width and height");
  if (std::abs(box.rotation.norm() - 1.0) > 1e-6)
    return invalid("the box rotation is not a unit quaternion");
  return {};
}

}  // namespace detail

using namespace detail;

namespace {
/// `id` + 1, saturating: a document holding the largest id gets that id back, which its users
/// then refuse as in use rather than overflowing.
std::int64_t after(std::int64_t id) {
  return id == std::numeric_limits<std::int64_t>::max() ? id : id + 1;
}
}  // namespace

std::int64_t next_track_id(const Annotations& doc) {
  std::int64_t next = 0;
  for (const Track& t : doc.tracks) next = std::max(next, after(t.id));
  return next;
}

std::int64_t next_polyline_id(const Annotations& doc) {
  std::int64_t next = 0;
  for (const formats::PolylineTrack& p : doc.polylines) next = std::max(next, after(p.id));
  return next;
}

Expected<Command> create_track(const Annotations& doc, const NewBox& box, std::int64_t track_id) {
  const std::string label = box.label.empty() ? doc.default_class() : box.label;
  if (Status ok = check_label(label); !ok) return std::move(ok).error();
  if (Status ok = check_box(box.box); !ok) return std::move(ok).error();
  if (box.frame < 0) return invalid("frame " + std::to_string(box.frame) + " is negative");
  const std::int64_t id = track_id < 0 ? next_track_id(doc) : track_id;
  if (doc.track(id) != nullptr) return conflict("track id " + std::to_string(id) + " is in use");
  Command cmd{"Create box", {}};
  ensure_class_edit(doc, label, cmd);
  Track track;
  track.id = id;
  track.label = label;
  BoxState state;
  state.frame = box.frame;
  state.box = box.box;
  state.shape_frame = box.shape_frame;
  state.provenance = box.provenance;
  state.keyframe = box.keyframe;
  track.boxes.push_back(std::move(state));
  cmd.edits.push_back(TrackEdit{id, std::move(track)});
  return cmd;
}

Expected<Command> put_box(const Annotations& doc, std::int64_t track_id, BoxState state) {
  Expected<const Track*> t = find_track(doc, track_id);
  if (!t) return std::move(t).error();
  if (Status ok = check_box(state.box); !ok) return std::move(ok).error();
  if (state.frame < 0) return invalid("frame " + std::to_string(state.frame) + " is negative");
  const std::int64_t frame = state.frame;
  return Command{"Add box", {BoxEdit{track_id, frame, std::move(state)}}};
}

Expected<Command> modify_box(const Annotations& doc, std::int64_t track_id, std::int64_t frame,
                             const geometry::Cuboid& box) {
  Expected<const BoxState*> b = find_box(doc, track_id, frame);
  if (!b) return std::move(b).error();
  if (Status ok = check_box(box); !ok) return std::move(ok).error();
  BoxState state = **b;
  state.box = box;
  state.provenance = formats::Provenance::kManual;
  state.keyframe = true;
  return Command{"Edit box", {BoxEdit{track_id, frame, std::move(state)}}};
}

Expected<Command> delete_box(const Annotations& doc, std::int64_t track_id, std::int64_t frame) {
  Expected<const BoxState*> b = find_box(doc, track_id, frame);
  if (!b) return std::move(b).error();
  if (doc.track(track_id)->boxes.size() == 1) {
    return Command{"Delete box", {TrackEdit{track_id, std::nullopt}}};
  }
  return Command{"Delete box", {BoxEdit{track_id, frame, std::nullopt}}};
}

Expected<Command> delete_track(const Annotations& doc, std::int64_t track_id) {
  Expected<const Track*> t = find_track(doc, track_id);
  if (!t) return std::move(t).error();
  return Command{"Delete track", {TrackEdit{track_id, std::nullopt}}};
}

Expected<Command> set_class(const Annotations& doc, std::int64_t track_id,
                            const std::string& label) {
  Expected<const Track*> t = find_track(doc, track_id);
  if (!t) return std::move(t).error();
  if (Status ok = check_label(label); !ok) return std::move(ok).error();
  Command cmd{"Change class", {}};
  ensure_class_edit(doc, label, cmd);
  Track track = **t;
  track.label = label;
  cmd.edits.push_back(TrackEdit{track_id, std::move(track)});
  return cmd;
}

namespace {
void put_attribute(formats::AttributeMap& map, const std::string& key,
                   const std::optional<std::string>& value) {
  if (value) {
    map.insert_or_assign(key, *value);
  } else {
    map.erase(key);
  }
}
}  // namespace

Expected<Command> set_track_attribute(const Annotations& doc, std::int64_t track_id,
                                      const std::string& key,
                                      const std::optional<std::string>& value) {
  Expected<const Track*> t = find_track(doc, track_id);
  if (!t) return std::move(t).error();
  if (key.empty()) return invalid("an attribute needs a name");
  Track track = **t;
  put_attribute(track.attributes, key, value);
  return Command{"Set attribute", {TrackEdit{track_id, std::move(track)}}};
}

Expected<Command> set_box_attribute(const Annotations& doc, std::int64_t track_id,
                                    std::int64_t frame, const std::string& key,
                                    const std::optional<std::string>& value) {
  Expected<const BoxState*> b = find_box(doc, track_id, frame);
  if (!b) return std::move(b).error();
  if (key.empty()) return invalid("an attribute needs a name");
  BoxState state = **b;
  put_attribute(state.attributes, key, value);
  return Command{"Set attribute", {BoxEdit{track_id, frame, std::move(state)}}};
}

Expected<Command> set_keyframe(const Annotations& doc, std::int64_t track_id, std::int64_t frame,
                               bool keyframe) {
  Expected<const BoxState*> b = find_box(doc, track_id, frame);
  if (!b) return std::move(b).error();
  BoxState state = **b;
  state.keyframe = keyframe;
  return Command{keyframe ? "Set keyframe" : "Clear keyframe",
                 {BoxEdit{track_id, frame, std::move(state)}}};
}

Expected<Command> merge_tracks(const Annotations& doc, std::int64_t kept_id,
                               std::int64_t absorbed_id) {
  if (kept_id == absorbed_id) return invalid("a track cannot be merged with itself");
  Expected<const Track*> kept = find_track(doc, kept_id);
  if (!kept) return std::move(kept).error();
  Expected<const Track*> absorbed = find_track(doc, absorbed_id);
  if (!absorbed) return std::move(absorbed).error();
  const TrackOverlap overlap = track_overlap(**kept, **absorbed);
  if (!overlap.overlaps.empty()) {
    // Every shared frame, so that one look shows all the boxes to delete or relink first.
    const bool one = overlap.overlaps.size() == 1;
    return conflict("tracks " + std::to_string(kept_id) + " and " + std::to_string(absorbed_id) +
                    (one ? " both have a box in frame " : " both have boxes at frames ") +
                    frame_list(overlap.overlaps) + "; delete or relink one of them first");
  }
  Track merged = **kept;
  merged.boxes.insert(merged.boxes.end(), (*absorbed)->boxes.begin(), (*absorbed)->boxes.end());
  std::sort(merged.boxes.begin(), merged.boxes.end(),
            [](const BoxState& a, const BoxState& b) { return a.frame < b.frame; });
  return Command{"Merge tracks",
                 {TrackEdit{absorbed_id, std::nullopt}, TrackEdit{kept_id, std::move(merged)}}};
}

Expected<Command> split_track(const Annotations& doc, std::int64_t track_id,
                              std::int64_t first_frame, std::int64_t new_id) {
  Expected<const Track*> t = find_track(doc, track_id);
  if (!t) return std::move(t).error();
  const std::int64_t id = new_id < 0 ? next_track_id(doc) : new_id;
  if (doc.track(id) != nullptr) return conflict("track id " + std::to_string(id) + " is in use");
  Track head = **t;
  Track tail = **t;
  tail.id = id;
  tail.source_id.clear();  // the source's id names the original object, which stays with `head`
  const auto split =
      std::lower_bound(head.boxes.begin(), head.boxes.end(), first_frame,
                       [](const BoxState& b, std::int64_t f) { return b.frame < f; });
  const auto n = split - head.boxes.begin();
  if (n == 0 || split == head.boxes.end()) {
    return invalid("splitting track " + std::to_string(track_id) + " at frame " +
                   std::to_string(first_frame) + " would leave one part without boxes");
  }
  head.boxes.erase(split, head.boxes.end());
  tail.boxes.erase(tail.boxes.begin(), tail.boxes.begin() + n);
  return Command{"Split track",
                 {TrackEdit{track_id, std::move(head)}, TrackEdit{id, std::move(tail)}}};
}

}  // namespace pcanno::plugin
