#include "pcanno/formats/labels/document/edit.hpp"

#include <algorithm>
#include <utility>

namespace pcanno::formats {
namespace {

// Slots are found by binary search: tracks and polylines are sorted by id, and their states by
// frame (Annotations::normalize()); every edit keeps that order.
template <typename Item, typename Key, typename KeyOf>
auto find_slot(std::vector<Item>& items, Key key, KeyOf key_of) {
  return std::lower_bound(items.begin(), items.end(), key,
                          [&](const Item& item, Key k) { return key_of(item) < k; });
}

/// Replaces, inserts or erases the item with `key`; returns what was there.
template <typename Item, typename Key, typename KeyOf>
std::optional<Item> put_slot(std::vector<Item>& items, Key key, KeyOf key_of,
                             const std::optional<Item>& value) {
  auto it = find_slot(items, key, key_of);
  const bool present = it != items.end() && key_of(*it) == key;
  std::optional<Item> before;
  if (present) before = std::move(*it);
  if (value && present) {
    *it = *value;
  } else if (value) {
    items.insert(it, *value);
  } else if (present) {
    items.erase(it);
  }
  return before;
}

Error inconsistent(const std::string& what) {
  return Error{ErrorCode::kMalformed, "inconsistent edit: " + what, ""};
}

const auto track_id_of = [](const Track& t) { return t.id; };
const auto polyline_id_of = [](const PolylineTrack& p) { return p.id; };
const auto box_frame_of = [](const BoxState& b) { return b.frame; };
const auto state_frame_of = [](const PolylineState& s) { return s.frame; };

struct Applier {
  Annotations& doc;

  Expected<DocumentEdit> operator()(const ClassEdit& e) const {
    if (e.spec && e.spec->name != e.name) return inconsistent("class payload is not " + e.name);
    auto it = std::find_if(doc.classes.begin(), doc.classes.end(),
                           [&](const ClassSpec& c) { return c.name == e.name; });
    ClassEdit undo{e.name, std::nullopt, -1};
    if (it != doc.classes.end()) {
      undo.spec = *it;
      undo.position = it - doc.classes.begin();
    }
    if (e.spec && it != doc.classes.end()) {
      *it = *e.spec;
    } else if (e.spec) {
      const auto n = static_cast<std::int64_t>(doc.classes.size());
      const std::int64_t at = e.position >= 0 && e.position < n ? e.position : n;
      doc.classes.insert(doc.classes.begin() + at, *e.spec);
    } else if (it != doc.classes.end()) {
      doc.classes.erase(it);
    }
    return DocumentEdit{std::move(undo)};
  }

  Expected<DocumentEdit> operator()(const TrackEdit& e) const {
    if (e.track && e.track->id != e.track_id) {
      return inconsistent("track payload has id " + std::to_string(e.track->id) + ", not " +
                          std::to_string(e.track_id));
    }
    return DocumentEdit{
        TrackEdit{e.track_id, put_slot(doc.tracks, e.track_id, track_id_of, e.track)}};
  }

  Expected<DocumentEdit> operator()(const BoxEdit& e) const {
    if (e.box && e.box->frame != e.frame) {
      return inconsistent("box payload is for frame " + std::to_string(e.box->frame) + ", not " +
                          std::to_string(e.frame));
    }
    auto track = find_slot(doc.tracks, e.track_id, track_id_of);
    if (track == doc.tracks.end() || track->id != e.track_id) {
      return inconsistent("no track " + std::to_string(e.track_id) + " for a box in frame " +
                          std::to_string(e.frame));
    }
    return DocumentEdit{
        BoxEdit{e.track_id, e.frame, put_slot(track->boxes, e.frame, box_frame_of, e.box)}};
  }

  Expected<DocumentEdit> operator()(const PolylineEdit& e) const {
    if (e.polyline && e.polyline->id != e.polyline_id) {
      return inconsistent("polyline payload has id " + std::to_string(e.polyline->id) + ", not " +
                          std::to_string(e.polyline_id));
    }
    return DocumentEdit{PolylineEdit{
        e.polyline_id, put_slot(doc.polylines, e.polyline_id, polyline_id_of, e.polyline)}};
  }

  Expected<DocumentEdit> operator()(const PolylineStateEdit& e) const {
    if (e.state && e.state->frame != e.frame) {
      return inconsistent("polyline state is for frame " + std::to_string(e.state->frame) +
                          ", not " + std::to_string(e.frame));
    }
    auto line = find_slot(doc.polylines, e.polyline_id, polyline_id_of);
    if (line == doc.polylines.end() || line->id != e.polyline_id) {
      return inconsistent("no polyline " + std::to_string(e.polyline_id) +
                          " for a state in frame " + std::to_string(e.frame));
    }
    return DocumentEdit{PolylineStateEdit{
        e.polyline_id, e.frame, put_slot(line->states, e.frame, state_frame_of, e.state)}};
  }

  Expected<DocumentEdit> operator()(const TagEdit& e) const {
    if (e.key.empty()) return inconsistent("a tag needs a name");
    if (e.frame < -1 || e.frame >= static_cast<std::int64_t>(doc.frames.size())) {
      return inconsistent("no frame " + std::to_string(e.frame) + " for tag \"" + e.key + "\"");
    }
    AttributeMap& tags =
        e.frame < 0 ? doc.attributes : doc.frames[static_cast<std::size_t>(e.frame)].attributes;
    TagEdit undo{e.frame, e.key, std::nullopt};
    if (const auto it = tags.find(e.key); it != tags.end()) {
      undo.value = std::move(it->second);
      tags.erase(it);
    }
    if (e.value) tags.emplace(e.key, *e.value);
    return DocumentEdit{std::move(undo)};
  }

  Expected<DocumentEdit> operator()(const TagSpecsEdit& e) const {
    std::vector<AttributeSpec>& specs = e.frame_tags ? doc.frame_tags : doc.scene_tags;
    TagSpecsEdit undo{e.frame_tags, std::move(specs)};
    specs = e.specs;
    return DocumentEdit{std::move(undo)};
  }
};

}  // namespace

Expected<DocumentEdit> apply_edit(Annotations& doc, const DocumentEdit& edit) {
  return std::visit(Applier{doc}, edit);
}

Expected<std::vector<DocumentEdit>> apply_edits(Annotations& doc,
                                                const std::vector<DocumentEdit>& edits) {
  std::vector<DocumentEdit> undo;
  undo.reserve(edits.size());
  for (std::size_t i = 0; i < edits.size(); ++i) {
    Expected<DocumentEdit> inverse = apply_edit(doc, edits[i]);
    if (!inverse) {
      // Undo edits are consistent by construction: they restore what was there.
      for (auto it = undo.rbegin(); it != undo.rend(); ++it) (void)apply_edit(doc, *it);
      Error e = std::move(inverse).error();
      e.message = "edit " + std::to_string(i) + ": " + e.message;
      return e;
    }
    undo.push_back(std::move(*inverse));
  }
  std::reverse(undo.begin(), undo.end());
  return undo;
}

}  // namespace pcanno::formats
