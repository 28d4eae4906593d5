#pragma once
#include <filesystem>
#include <string>
#include <string_view>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/formats/support/expected.hpp"

namespace pcanno::formats {

/// The newest native document version this build reads and the one it writes.
inline constexpr int kPcannoDocumentVersion = 1;

/// The native document (docs/document-format.md, docs/document-format.schema.json) as pretty JSON
/// with a fixed member order and a trailing newline. Every double is written so that it parses back
/// to the same bits; quaternions are written as stored, never normalised. Text that is not valid
/// UTF-8 is replaced by U+FFFD here (write_pcanno_document refuses it instead). Returns an empty
/// string only when memory runs out.
std::string serialize_pcanno_document(const Annotations& annotations);

/// Parses and validates a native document. Errors are kMalformed with the JSON pointer of the
/// offending value first in the message (`/tracks/3/boxes/0/size/1: expected a positive number,
/// found -2`), kTruncated with the byte offset for text that ends early, kUnsupported for a newer
/// version. Tracks and polylines come back sorted by id and their states by frame; a label missing
/// from the classes adds that class with default colour and size. `path_for_errors` only names the
/// source in errors.
Expected<Annotations> parse_pcanno_document(std::string_view json_text,
                                            const std::string& path_for_errors);

Expected<Annotations> read_pcanno_document(const std::filesystem::path& path);

/// Writes atomically (write_file_atomic). Content that the reader would reject (a non-finite
/// coordinate, a zero-size box, two boxes of one track in one frame, invalid UTF-8, ...) is refused
/// with kMalformed naming the JSON pointer, so a saved document always loads again.
Status write_pcanno_document(const Annotations& annotations, const std::filesystem::path& path,
                             bool overwrite);

/// Codec "pcanno": detects a .json file whose first 4 KiB hold `"format": "pcanno"`; read ignores
/// the context; write writes the one file named by the output path.
LabelCodec make_pcanno_codec();

}  // namespace pcanno::formats
