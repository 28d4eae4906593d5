#pragma once
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "support/json_errors.hpp"
#include "support/json_pointer.hpp"

// Private to the native document codec: nlohmann stays out of the public headers.
namespace pcanno::formats::detail {

/// Ordered, so that the writer controls member order ("format" and "version" first).
using DocumentJson = nlohmann::ordered_json;

/// The document tree of `annotations`; may throw std::bad_alloc.
DocumentJson pcanno_document_to_json(const Annotations& annotations);

/// The members of one class, track (with its boxes) or polyline track, as in the document; the
/// journal of document edits writes its payloads with these. May throw std::bad_alloc.
DocumentJson class_to_json(const ClassSpec& spec);
DocumentJson track_to_json(const Track& track);
DocumentJson polyline_to_json(const PolylineTrack& polyline);

/// Validates `root` and converts it; never throws. Errors name the JSON pointer.
Expected<Annotations> pcanno_document_from_json(const DocumentJson& root, const std::string& path);

/// Pretty text: two-space indent, arrays of scalars on one line, trailing newline. With `strict`,
/// text that is not valid UTF-8 is an error naming its JSON pointer; otherwise it is replaced by
/// U+FFFD. May throw std::bad_alloc.
Expected<std::string> pcanno_document_text(const DocumentJson& root, bool strict,
                                           const std::string& path);

/// Writes `root` to `path` atomically as pcanno_document_text(strict) gives it, once `reloads`
/// has read the tree back: a file that is written but cannot be opened again would lose the work
/// it was meant to keep. `what` names the content in that refusal ("document", "schema"). Never
/// throws.
Status write_reloadable_json(const DocumentJson& root,
                             const std::function<Status(const DocumentJson&)>& reloads,
                             const char* what, const std::filesystem::path& path, bool overwrite);

}  // namespace pcanno::formats::detail
