// OpenLABEL files: detection, text <-> tree, atomic writing; the mapping itself is in
// openlabel_read.cpp and openlabel_write.cpp.
#include "pcanno/formats/labels/openlabel/codec.hpp"

#include <algorithm>
#include <fstream>
#include <new>
#include <stdexcept>
#include <utility>

#include "labels/openlabel/json.hpp"
#include "pcanno/formats/support/atomic_write.hpp"
#include "pcanno/formats/support/output_folder.hpp"
#include "support/input_file.hpp"
#include "support/json_errors.hpp"
#include "support/text_scan.hpp"

namespace pcanno::formats {
namespace fs = std::filesystem;
namespace ol = detail::openlabel;

namespace {

bool looks_like_openlabel(const fs::path& path) {
  constexpr std::size_t kHeadBytes = 4096;
  std::error_code ec;
  if (detail::lower_ascii(path.extension().string()) != ".json" || !fs::is_regular_file(path, ec)) {
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  std::string head(kHeadBytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  std::size_t i = head.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  const auto skip_space = [&] {
    while (i < head.size() &&
           (head[i] == ' ' || head[i] == '\t' || head[i] == '\n' || head[i] == '\r')) {
      ++i;
    }
  };
  // The standard's root has one member, "openlabel"; looking for it as the first member keeps
  // files that merely mention the word (a pcanno document's attributes) out.
  skip_space();
  if (i >= head.size() || head[i] != '{') return false;
  ++i;
  skip_space();
  const std::string_view key = "\"openlabel\"";
  if (head.compare(i, key.size(), key) != 0) return false;
  i += key.size();
  skip_space();
  return i < head.size() && head[i] == ':';
}

Expected<Annotations> parse_text(std::string_view text, const std::string& path,
                                 const LabelContext& context) {
  Expected<ol::Json> root = detail::parse_json<ol::Json>(text, path);
  if (!root) return std::move(root).error();
  return ol::annotations_from_openlabel(*root, path, context);
}

fs::path output_file(const Annotations& annotations, const fs::path& out,
                     const LabelContext& context) {
  if (detail::lower_ascii(out.extension().string()) == ".json") return out;
  std::string name = context.sequence != nullptr ? context.sequence->name : "";
  if (name.empty()) name = annotations.sequence.name;
  if (name.empty()) name = "labels";
  std::replace(name.begin(), name.end(), '/', '_');  // a name, not a path
  return out / (name + ".json");
}

Expected<WriteReport> write_file(const Annotations& annotations, const fs::path& out,
                                 const LabelContext& context) {
  const fs::path file = output_file(annotations, out, context);
  if (context.progress && !context.progress(0.0)) {
    return Error{ErrorCode::kCancelled, "cancelled before writing", file.string()};
  }
  std::error_code ec;
  // Refused before the work, not only by the atomic write at its end.
  if (!context.overwrite && fs::exists(file, ec)) {
    return Error{ErrorCode::kPermission,
                 "exists already; pass the overwrite option (--force) to replace it",
                 file.string()};
  }
  WriteReport report;
  Expected<std::string> text = serialize_openlabel(annotations, context, &report);
  if (!text) {
    Error error = std::move(text).error();
    error.path = file.string();
    return error;
  }
  if (context.progress && !context.progress(0.5)) {
    return Error{ErrorCode::kCancelled, "cancelled before writing", file.string()};
  }
  OutputFolders folders;
  if (Status made = folders.create(file.parent_path()); !made) return std::move(made).error();
  Status written = write_file_atomic(file, *text, context.overwrite);
  if (!written) return std::move(written).error();
  folders.keep();
  report.written.push_back(file);
  if (context.progress) context.progress(1.0);
  return report;
}

}  // namespace

Expected<std::string> serialize_openlabel(const Annotations& annotations,
                                          const LabelContext& context, WriteReport* report) {
  return detail::guard_allocation("", [&]() -> Expected<std::string> {
    WriteReport local;
    Expected<ol::OrderedJson> tree =
        ol::openlabel_from_annotations(annotations, context, report ? *report : local);
    if (!tree) return std::move(tree).error();
    Expected<std::string> text = detail::pcanno_document_text(*tree, true, "");
    if (!text) {
      Error error = std::move(text).error();
      error.message += " (not written)";
      return error;
    }
    return text;
  });
}

Expected<Annotations> parse_openlabel(std::string_view json_text,
                                      const std::string& path_for_errors,
                                      const LabelContext& context) {
  try {
    return parse_text(json_text, path_for_errors, context);
  } catch (const std::bad_alloc&) {
    return Error{ErrorCode::kOutOfMemory, "out of memory", path_for_errors};
  } catch (const std::length_error&) {
    return Error{ErrorCode::kOutOfMemory, "size exceeds what a container can hold",
                 path_for_errors};
  } catch (const std::exception& e) {
    // Every access is type-checked first; reaching this is a bug, still not worth a crash.
    return Error{ErrorCode::kMalformed, detail::readable_json_exception(e.what()), path_for_errors};
  }
}

Expected<Annotations> read_openlabel(const fs::path& path, const LabelContext& context) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return Error{ErrorCode::kUnknownFormat, "a folder; an OpenLABEL file is one .json file",
                 path.string()};
  }
  if (context.progress && !context.progress(0.0)) {
    return Error{ErrorCode::kCancelled, "cancelled before reading", path.string()};
  }
  Expected<std::string> text = detail::read_file_text(path);
  if (!text) return std::move(text).error();
  Expected<Annotations> annotations = parse_openlabel(*text, path.string(), context);
  if (annotations && context.progress && !context.progress(1.0)) {
    return Error{ErrorCode::kCancelled, "cancelled", path.string()};
  }
  return annotations;
}

Expected<WriteReport> write_openlabel(const Annotations& annotations, const fs::path& out,
                                      const LabelContext& context) {
  try {
    return write_file(annotations, out, context);
  } catch (const std::bad_alloc&) {
    return Error{ErrorCode::kOutOfMemory, "out of memory", out.string()};
  } catch (const std::exception& e) {
    return Error{ErrorCode::kIo, detail::readable_json_exception(e.what()), out.string()};
  }
}

LabelCodec make_openlabel_codec() {
  LabelCodec codec;
  codec.id = "openlabel";
  codec.description =
      "ASAM OpenLABEL 1.0 JSON (.json): cuboids and poly3d per frame; poses from --sequence";
  // Detection checks the root member itself, so it may outrank generic JSON formats.
  codec.priority = 10;
  codec.detect = [](const fs::path& path) {
    try {
      return looks_like_openlabel(path);
    } catch (const std::exception&) {
      return false;
    }
  };
  codec.read = [](const fs::path& path, const LabelContext& context) {
    return read_openlabel(path, context);
  };
  codec.write = [](const Annotations& annotations, const fs::path& out,
                   const LabelContext& context) {
    return write_openlabel(annotations, out, context);
  };
  return codec;
}

}  // namespace pcanno::formats
