#include "pcanno/plugin/attribute_rules.hpp"

#include <utility>

#include "pcanno/plugin/polyline_commands.hpp"

namespace pcanno::plugin {
namespace {

using formats::AttributeScope;

Status refused(std::string message) { return Error{ErrorCode::kMalformed, std::move(message), ""}; }

Status check_class(const Annotations& doc, const std::string& label, AttributeScope scope,
                   const std::string& key, const std::optional<std::string>& value) {
  if (key.empty()) return refused("an attribute needs a name");
  if (!value) return {};
  const formats::ClassSpec spec = doc.class_or_default(label);
  if (auto problem = formats::class_attribute_problem(spec, scope, key, *value)) {
    return refused(std::move(*problem));
  }
  return {};
}

const formats::PolylineTrack* find_polyline(const Annotations& doc, std::int64_t id) {
  for (const formats::PolylineTrack& p : doc.polylines) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

Status not_found(const std::string& what) { return Error{ErrorCode::kNotFound, what, ""}; }

}  // namespace

Status check_track_attribute(const Annotations& doc, std::int64_t track_id, const std::string& key,
                             const std::optional<std::string>& value) {
  const formats::Track* t = doc.track(track_id);
  if (t == nullptr) return not_found("no track " + std::to_string(track_id));
  return check_class(doc, t->label, AttributeScope::kTrack, key, value);
}

Status check_box_attribute(const Annotations& doc, std::int64_t track_id, std::int64_t frame,
                           const std::string& key, const std::optional<std::string>& value) {
  const formats::Track* t = doc.track(track_id);
  if (t == nullptr) return not_found("no track " + std::to_string(track_id));
  if (t->at(frame) == nullptr) {
    return not_found("track " + std::to_string(track_id) + " has no box in frame " +
                     std::to_string(frame));
  }
  return check_class(doc, t->label, AttributeScope::kFrame, key, value);
}

Status check_polyline_attribute(const Annotations& doc, std::int64_t polyline_id,
                                const std::string& key, const std::optional<std::string>& value) {
  const formats::PolylineTrack* p = find_polyline(doc, polyline_id);
  if (p == nullptr) return not_found("no polyline " + std::to_string(polyline_id));
  return check_class(doc, p->label, AttributeScope::kTrack, key, value);
}

Status check_tag(const Annotations& doc, std::int64_t frame, const std::string& key,
                 const std::optional<std::string>& value) {
  if (key.empty()) return refused("a tag needs a name");
  if (frame < -1 || frame >= static_cast<std::int64_t>(doc.frames.size())) {
    return not_found("no frame " + std::to_string(frame) + " (the document has " +
                     std::to_string(doc.frames.size()) + ")");
  }
  if (!value) return {};
  const formats::AttributeSpec* spec =
      formats::find_attribute(frame < 0 ? doc.scene_tags : doc.frame_tags, key);
  if (spec == nullptr) return {};
  if (auto problem = formats::attribute_value_problem(*spec, *value)) {
    return refused(std::string(frame < 0 ? "scene" : "frame") + " tag \"" + key +
                   "\": " + *problem);
  }
  return {};
}

Expected<Command> set_track_attribute_checked(const Annotations& doc, std::int64_t track_id,
                                              const std::string& key,
                                              const std::optional<std::string>& value) {
  if (Status s = check_track_attribute(doc, track_id, key, value); !s) return std::move(s).error();
  return set_track_attribute(doc, track_id, key, value);
}

Expected<Command> set_box_attribute_checked(const Annotations& doc, std::int64_t track_id,
                                            std::int64_t frame, const std::string& key,
                                            const std::optional<std::string>& value) {
  if (Status s = check_box_attribute(doc, track_id, frame, key, value); !s) {
    return std::move(s).error();
  }
  return set_box_attribute(doc, track_id, frame, key, value);
}

Expected<Command> set_polyline_attribute_checked(const Annotations& doc, std::int64_t polyline_id,
                                                 const std::string& key,
                                                 const std::optional<std::string>& value) {
  if (Status s = check_polyline_attribute(doc, polyline_id, key, value); !s) {
    return std::move(s).error();
  }
  return set_polyline_attribute(doc, polyline_id, key, value);
}

Expected<Command> set_tag(const Annotations& doc, std::int64_t frame, const std::string& key,
                          const std::optional<std::string>& value) {
  if (Status s = check_tag(doc, frame, key, value); !s) return std::move(s).error();
  return Command{frame < 0 ? "Set scene tag" : "Set frame tag",
                 {formats::TagEdit{frame, key, value}}};
}

Command load_class_schema(const Annotations& doc, const formats::ClassSchema& schema) {
  Annotations merged;
  merged.classes = doc.classes;
  merged.scene_tags = doc.scene_tags;
  merged.frame_tags = doc.frame_tags;
  formats::apply_class_schema(merged, schema);
  Command cmd{"Load class schema", {}};
  // Removed and added again in the merged order: a class edit replaces in place, and the file's
  // first class must come first (the default of a new box).
  for (const formats::ClassSpec& c : doc.classes) {
    cmd.edits.push_back(formats::ClassEdit{c.name, std::nullopt, -1});
  }
  for (formats::ClassSpec& c : merged.classes) {
    std::string name = c.name;
    cmd.edits.push_back(formats::ClassEdit{std::move(name), std::move(c), -1});
  }
  cmd.edits.push_back(formats::TagSpecsEdit{false, std::move(merged.scene_tags)});
  cmd.edits.push_back(formats::TagSpecsEdit{true, std::move(merged.frame_tags)});
  return cmd;
}

}  // namespace pcanno::plugin
