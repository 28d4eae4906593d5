#include "pcanno/formats/labels/document/document.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <new>
#include <stdexcept>
#include <utility>

#include "labels/document/json.hpp"
#include "pcanno/formats/support/atomic_write.hpp"
#include "pcanno/formats/support/output_folder.hpp"
#include "support/json_errors.hpp"
#include "support/json_reader.hpp"

namespace pcanno::formats {
namespace detail {

namespace {

using Json = DocumentJson;

bool looks_like_pcanno_document(const std::filesystem::path& path) {
  constexpr std::size_t kHeadBytes = 4096;
  std::error_code ec;
  if (path.extension() != ".json" || !std::filesystem::is_regular_file(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  std::string head(kHeadBytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  const auto skip_space = [&](std::size_t i) {
    while (i < head.size() &&
           (head[i] == ' ' || head[i] == '\t' || head[i] == '\n' || head[i] == '\r')) {
      ++i;
    }
    return i;
  };
  // The member itself, not just the word: another format may well mention "pcanno" somewhere.
  const std::string_view key = "\"format\"";
  const std::string_view value = "\"pcanno\"";
  for (std::size_t at = head.find(key); at != std::string::npos; at = head.find(key, at + 1)) {
    std::size_t i = skip_space(at + key.size());
    if (i >= head.size() || head[i] != ':') continue;
    i = skip_space(i + 1);
    if (head.compare(i, value.size(), value) == 0) return true;
  }
  return false;
}

Expected<Annotations> parse_text(std::string_view json_text, const std::string& path) {
  Expected<Json> root = parse_json<Json>(json_text, path);
  if (!root) return std::move(root).error();
  return pcanno_document_from_json(*root, path);
}

}  // namespace
}  // namespace detail

std::string serialize_pcanno_document(const Annotations& annotations) {
  try {
    Expected<std::string> text =
        detail::pcanno_document_text(detail::pcanno_document_to_json(annotations), false, "");
    return text ? std::move(*text) : std::string();
  } catch (const std::exception&) {
    // Only allocation can fail here; the header promises an empty string for it.
    return std::string();
  }
}

Status write_pcanno_document(const Annotations& annotations, const std::filesystem::path& path,
                             bool overwrite) {
  try {
    return detail::write_reloadable_json(
        detail::pcanno_document_to_json(annotations),
        [&](const detail::DocumentJson& root) -> Status {
          Expected<Annotations> reloaded = detail::pcanno_document_from_json(root, path.string());
          if (!reloaded) return std::move(reloaded).error();
          return {};
        },
        "document", path, overwrite);
  } catch (const std::bad_alloc&) {
    return Error{ErrorCode::kOutOfMemory, "out of memory", path.string()};
  } catch (const std::exception& e) {
    return Error{ErrorCode::kIo, e.what(), path.string()};
  }
}

namespace detail {

Status write_reloadable_json(const DocumentJson& root,
                             const std::function<Status(const DocumentJson&)>& reloads,
                             const char* what, const std::filesystem::path& path, bool overwrite) {
  try {
    if (Status reloaded = reloads(root); !reloaded) {
      Error error = std::move(reloaded).error();
      error.message += std::string(" (not written: the ") + what + " would not load again)";
      return error;
    }
    Expected<std::string> text = pcanno_document_text(root, true, path.string());
    if (!text) {
      Error error = std::move(text).error();
      error.message += " (not written)";
      return error;
    }
    return write_file_atomic(path, *text, overwrite);
  } catch (const std::bad_alloc&) {
    return Error{ErrorCode::kOutOfMemory, "out of memory", path.string()};
  } catch (const std::exception& e) {
    return Error{ErrorCode::kIo, e.what(), path.string()};
  }
}

}  // namespace detail

LabelCodec make_pcanno_codec() {
  LabelCodec codec;
  codec.id = "pcanno";
  codec.description =
      "pcanno native document (.json): schema, tracks, polylines, provenance; lossless";
  // Detection checks the "format" member itself, so it may outrank generic JSON formats.
  codec.priority = 10;
  codec.detect = [](const std::filesystem::path& path) {
    try {
      return detail::looks_like_pcanno_document(path);
    } catch (const std::exception&) {
      return false;
    }
  };
  codec.read = [](const std::filesystem::path& path, const LabelContext&) {
    return read_pcanno_document(path);
  };
  codec.write = [](const Annotations& annotations, const std::filesystem::path& path,
                   const LabelContext& context) -> Expected<WriteReport> {
    if (context.progress && !context.progress(0.0)) {
      return Error{ErrorCode::kCancelled, "cancelled before writing", path.string()};
    }
    OutputFolders folders;
    if (Status made = folders.create(path.parent_path()); !made) return std::move(made).error();
    Status status = write_pcanno_document(annotations, path, context.overwrite);
    if (!status) return std::move(status).error();
    folders.keep();
    if (context.progress) context.progress(1.0);
    WriteReport report;  // the native document holds everything
    report.written.push_back(path);
    report.boxes_written = annotations.box_count();
    report.polyline_states_written = polyline_state_count(annotations);
    report.ignore_regions_written = annotations.ignore_regions.size();
    return report;
  };
  return codec;
}

Expected<Annotations> parse_pcanno_document(std::string_view json_text,
                                            const std::string& path_for_errors) {
  try {
    return detail::parse_text(json_text, path_for_errors);
  } catch (const std::bad_alloc&) {
    return Error{ErrorCode::kOutOfMemory, "out of memory", path_for_errors};
  } catch (const std::length_error&) {
    return Error{ErrorCode::kOutOfMemory, "size exceeds what a container can hold",
                 path_for_errors};
  } catch (const std::exception& e) {
    return Error{ErrorCode::kMalformed, detail::readable_json_exception(e.what()), path_for_errors};
  }
}

Expected<Annotations> read_pcanno_document(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  try {
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (!fs::exists(status)) return Error{ErrorCode::kNotFound, "no such file", path.string()};
    if (fs::is_directory(status)) {
      return Error{ErrorCode::kUnknownFormat, "a folder; a pcanno document is one .json file",
                   path.string()};
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      const int err = errno;
      return Error{err == EACCES || err == EPERM ? ErrorCode::kPermission : ErrorCode::kIo,
                   std::string("cannot open: ") + std::strerror(err), path.string()};
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return Error{ErrorCode::kIo, "read failed", path.string()};
    return detail::parse_text(text, path.string());
  } catch (const std::bad_alloc&) {
    return Error{ErrorCode::kOutOfMemory, "out of memory", path.string()};
  } catch (const std::exception& e) {
    return Error{ErrorCode::kIo, detail::readable_json_exception(e.what()), path.string()};
  }
}

}  // namespace pcanno::formats
