#include "pcanno/formats/labels/document/class_schema_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <new>
#include <utility>

#include "labels/document/attribute_specs.hpp"
#include "labels/document/json.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "support/json_errors.hpp"
#include "support/json_reader.hpp"

namespace pcanno::formats {
namespace {

using Json = detail::DocumentJson;

constexpr const char* kFormat = "pcanno-class-schema";
constexpr const char* kMembers[] = {"format", "version", "classes", "scene_tags", "frame_tags"};

Error malformed(const std::string& pointer, const std::string& what, const std::string& path) {
  return Error{ErrorCode::kMalformed, pointer + ": " + what, path};
}

Expected<ClassSchema> from_json(const Json& root, const std::string& path) {
  if (!root.is_object()) {
    return malformed("", "expected an object (a pcanno class schema), found " + detail::found(root),
                     path);
  }
  const auto format = root.find("format");
  if (format == root.end() || !format->is_string() ||
      format->get_ref<const std::string&>() != kFormat) {
    return malformed("/format",
                     std::string("expected \"") + kFormat + "\"" +
                         (format == root.end() ? ", the member is missing"
                                               : ", found " + detail::found(*format)),
                     path);
  }
  const auto version = root.find("version");
  if (version == root.end() || !version->is_number_integer() || version->get<std::int64_t>() < 1) {
    return malformed("/version", "expected a positive integer", path);
  }
  if (version->get<std::int64_t>() > kClassSchemaVersion) {
    return Error{ErrorCode::kUnsupported,
                 "/version: version " + std::to_string(version->get<std::int64_t>()) +
                     " is newer than this build reads (up to " +
                     std::to_string(kClassSchemaVersion) + "); update pcanno",
                 path};
  }
  for (auto it = root.begin(); it != root.end(); ++it) {
    bool known = false;
    for (const char* m : kMembers) known = known || it.key() == m;
    if (!known) {
      return malformed(detail::pointer_token(it.key()),
                       "unknown member; expected format, version, classes, scene_tags or "
                       "frame_tags",
                       path);
    }
  }
  if (!root.contains("classes")) return malformed("/classes", "required member is missing", path);
  // The classes and tags are read by the document reader itself, at the same pointers, so that a
  // schema file accepts exactly what a document's schema accepts.
  Json document = Json::object();
  document["format"] = "pcanno";
  document["version"] = kPcannoDocumentVersion;
  for (const char* key : {"classes", "scene_tags", "frame_tags"}) {
    if (const auto it = root.find(key); it != root.end()) document[key] = *it;
  }
  Expected<Annotations> doc = detail::pcanno_document_from_json(document, path);
  if (!doc) return std::move(doc).error();
  return class_schema_of(*doc);
}

Json to_json(const ClassSchema& schema) {
  Json root = Json::object();
  root["format"] = kFormat;
  root["version"] = kClassSchemaVersion;
  Json classes = Json::array();
  for (const ClassSpec& spec : schema.classes) classes.push_back(detail::class_to_json(spec));
  root["classes"] = std::move(classes);
  if (!schema.scene_tags.empty()) {
    root["scene_tags"] = detail::attribute_specs_json(schema.scene_tags, detail::SpecKind::kTags);
  }
  if (!schema.frame_tags.empty()) {
    root["frame_tags"] = detail::attribute_specs_json(schema.frame_tags, detail::SpecKind::kTags);
  }
  return root;
}

/// `preferred` first, then the items of `kept` whose name `preferred` lacks.
template <typename Item>
std::vector<Item> merged(const std::vector<Item>& preferred, const std::vector<Item>& kept) {
  std::vector<Item> out = preferred;
  for (const Item& item : kept) {
    bool present = false;
    for (const Item& p : preferred) present = present || p.name == item.name;
    if (!present) out.push_back(item);
  }
  return out;
}

}  // namespace

Expected<ClassSchema> parse_class_schema(std::string_view json_text,
                                         const std::string& path_for_errors) {
  try {
    Expected<Json> root = detail::parse_json<Json>(json_text, path_for_errors);
    if (!root) return std::move(root).error();
    return from_json(*root, path_for_errors);
  } catch (const std::bad_alloc&) {
    return Error{ErrorCode::kOutOfMemory, "out of memory", path_for_errors};
  } catch (const std::exception& e) {
    return Error{ErrorCode::kMalformed, detail::readable_json_exception(e.what()), path_for_errors};
  }
}

Expected<ClassSchema> read_class_schema(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) return Error{ErrorCode::kNotFound, "no such file", path.string()};
  if (fs::is_directory(path, ec)) {
    return Error{ErrorCode::kUnknownFormat, "a folder; a class schema is one .json file",
                 path.string()};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    return Error{err == EACCES || err == EPERM ? ErrorCode::kPermission : ErrorCode::kIo,
                 std::string("cannot open: ") + std::strerror(err), path.string()};
  }
  std::string text;
  try {
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::bad_alloc&) {
    return Error{ErrorCode::kOutOfMemory, "out of memory", path.string()};
  }
  if (in.bad()) return Error{ErrorCode::kIo, "read failed", path.string()};
  return parse_class_schema(text, path.string());
}

std::string serialize_class_schema(const ClassSchema& schema) {
  try {
    Expected<std::string> text = detail::pcanno_document_text(to_json(schema), false, "");
    return text ? std::move(*text) : std::string();
  } catch (const std::exception&) {
    return std::string();
  }
}

Status write_class_schema(const ClassSchema& schema, const std::filesystem::path& path,
                          bool overwrite) {
  try {
    return detail::write_reloadable_json(
        to_json(schema),
        [&](const Json& root) -> Status {
          Expected<ClassSchema> reloaded = from_json(root, path.string());
          if (!reloaded) return std::move(reloaded).error();
          return {};
        },
        "schema", path, overwrite);
  } catch (const std::bad_alloc&) {
    return Error{ErrorCode::kOutOfMemory, "out of memory", path.string()};
  }
}

ClassSchema class_schema_of(const Annotations& doc) {
  return ClassSchema{doc.classes, doc.scene_tags, doc.frame_tags};
}

void apply_class_schema(Annotations& doc, const ClassSchema& schema) {
  doc.classes = merged(schema.classes, doc.classes);
  doc.scene_tags = merged(schema.scene_tags, doc.scene_tags);
  doc.frame_tags = merged(schema.frame_tags, doc.frame_tags);
}

}  // namespace pcanno::formats
