#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/document/class_schema_file.hpp"
#include "pcanno/plugin/command.hpp"

// The ontology's rules for setting attributes and tags: a value an attribute declares
// (ClassSpec::attributes, Annotations::scene_tags / frame_tags) must be valid for its type and
// scope. The plain commands (command.hpp, polyline_commands.hpp) set any text; everything a person
// edits (the workstation's attribute panel, the CLI) goes through these checked commands, which
// refuse with kMalformed and a message naming the class, the attribute, the value and what is
// allowed, and leave the document alone. Removing a value (nullopt) is always allowed: QA reports a
// missing mandatory one.

namespace pcanno::plugin {

/// kMalformed when the class of `track_id` refuses `key` := `value` at track scope (kNotFound: no
/// such track).
Status check_track_attribute(const Annotations& doc, std::int64_t track_id, const std::string& key,
                             const std::optional<std::string>& value);
/// The same for the box of `track_id` at `frame` (frame scope).
Status check_box_attribute(const Annotations& doc, std::int64_t track_id, std::int64_t frame,
                           const std::string& key, const std::optional<std::string>& value);
/// The same for a polyline track (its attributes hold for every frame).
Status check_polyline_attribute(const Annotations& doc, std::int64_t polyline_id,
                                const std::string& key, const std::optional<std::string>& value);
/// A scene tag (`frame` -1) or a frame tag: checked against the declared tag of that name
/// (undeclared tags are free-form, as undeclared attributes are).
Status check_tag(const Annotations& doc, std::int64_t frame, const std::string& key,
                 const std::optional<std::string>& value);

/// set_track_attribute, set_box_attribute and set_polyline_attribute after the check above.
Expected<Command> set_track_attribute_checked(const Annotations& doc, std::int64_t track_id,
                                              const std::string& key,
                                              const std::optional<std::string>& value);
Expected<Command> set_box_attribute_checked(const Annotations& doc, std::int64_t track_id,
                                            std::int64_t frame, const std::string& key,
                                            const std::optional<std::string>& value);
Expected<Command> set_polyline_attribute_checked(const Annotations& doc, std::int64_t polyline_id,
                                                 const std::string& key,
                                                 const std::optional<std::string>& value);

/// Sets (value) or removes (nullopt) a scene tag (`frame` -1) or the tag of frame `frame`, after
/// check_tag: one undoable, journaled edit (formats::TagEdit). kNotFound for a frame the document
/// does not have.
Expected<Command> set_tag(const Annotations& doc, std::int64_t frame, const std::string& key,
                          const std::optional<std::string>& value);

/// Loads a class schema file's content into the document as one undoable, journaled command
/// ("Load class schema"), with formats::apply_class_schema's rule: the file wins, matched by name;
/// the document's other classes and tags are kept after the file's.
Command load_class_schema(const Annotations& doc, const formats::ClassSchema& schema);

}  // namespace pcanno::plugin
