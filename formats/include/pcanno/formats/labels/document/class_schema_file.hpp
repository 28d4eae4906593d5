#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/class_schema.hpp"
#include "pcanno/formats/support/expected.hpp"

// A class schema file (docs/class_schema.md, docs/class_schema.schema.json): the classes of a
// labelling project with their colours, size priors, motion profiles and typed attributes, and the
// project's scene and frame tags, kept apart from any document so that every sequence of the
// project is labelled against the same ontology. The members are spelled as in the native
// document, which stores the same schema.

namespace pcanno::formats {

/// The newest class schema file version this build reads and the one it writes.
inline constexpr int kClassSchemaVersion = 1;

struct ClassSchema {
  std::vector<ClassSpec>
      classes;  ///< in the order the palette offers them; the first is the default
  std::vector<AttributeSpec> scene_tags;
  std::vector<AttributeSpec> frame_tags;
};

/// Parses a schema file's text. Errors name `path_for_errors`, then the JSON pointer of the bad
/// value and what was expected (`/classes/2/attributes/0/type: expected one of enum, bool, number,
/// text, found "colour"`), or the byte offset and line of a JSON syntax error.
Expected<ClassSchema> parse_class_schema(std::string_view json_text,
                                         const std::string& path_for_errors);
Expected<ClassSchema> read_class_schema(const std::filesystem::path& path);

/// The file's text: pretty JSON with a trailing newline; empty only when memory runs out.
std::string serialize_class_schema(const ClassSchema& schema);
/// Writes atomically (write_file_atomic); a schema the reader would refuse (an enum without
/// values, a default outside the allowed values, ...) is refused with the pointer of the problem.
Status write_class_schema(const ClassSchema& schema, const std::filesystem::path& path,
                          bool overwrite);

/// The schema a document carries.
ClassSchema class_schema_of(const Annotations& doc);

/// Puts `schema` into `doc`; the file wins. Classes and tags are matched by name: the file's
/// replace the document's of the same name, the document's others are kept after them (their
/// tracks still use them). The file's classes come first, so its first class is the default of a
/// new box. Values already set are not touched (QA reports those the schema refuses).
void apply_class_schema(Annotations& doc, const ClassSchema& schema);

}  // namespace pcanno::formats
