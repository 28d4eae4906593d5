#include "pcanno/formats/support/error.hpp"

namespace pcanno::formats {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kPermission:
      return "permission";
    case ErrorCode::kUnknownFormat:
      return "unknown_format";
    case ErrorCode::kMalformed:
      return "malformed";
    case ErrorCode::kTruncated:
      return "truncated";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kCancelled:
      return "cancelled";
    case ErrorCode::kOutOfMemory:
      return "out_of_memory";
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kBusy:
      return "busy";
    case ErrorCode::kConflict:
      return "conflict";
  }
  // Reachable only through a cast from an out-of-range integer.
  return "unknown";
}

std::string Error::describe() const {
  std::string out;
  if (!path.empty()) {
    out += path;
    if (line >= 0) {
      out += ':';
      out += std::to_string(line);
    }
    out += ": ";
  } else if (line >= 0) {
    out += "line " + std::to_string(line) + ": ";
  }
  if (offset >= 0) out += "byte " + std::to_string(offset) + ": ";
  out += message;
  return out;
}

}  // namespace pcanno::formats
