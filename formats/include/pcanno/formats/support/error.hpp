#pragma once
#include <cstdint>
#include <string>

namespace pcanno::formats {

/// Why an operation failed. Callers branch on the code; the message is for people. New codes go at
/// the end: hosts and logs keep the numbers.
enum class ErrorCode {
  kNotFound,       ///< the file or directory does not exist
  kPermission,     ///< it exists but may not be opened
  kUnknownFormat,  ///< no reader recognises the content
  kMalformed,      ///< the content breaks the format's rules
  kTruncated,      ///< the content ends early, or its size does not fit the format
  kUnsupported,    ///< valid but uses a feature this build does not implement
  kIo,             ///< the operating system reported a read or write failure
  kCancelled,      ///< a progress callback asked to stop
  kOutOfMemory,    ///< an allocation failed
  // Engine states, so that they stop borrowing file codes:
  kInvalidArgument,  ///< a value the caller passed is out of range or names nothing usable
  kBusy,             ///< a long job owns the session; edits wait until it ends or is cancelled
  kConflict,         ///< the request contradicts the current state (nothing to undo, id in use)
};

/// Stable snake_case name ("not_found", "permission", ...), for logs and machine-readable reports.
const char* to_string(ErrorCode code);

/// A failure with enough context to act on it: which file, and where in it.
struct Error {
  ErrorCode code = ErrorCode::kIo;
  std::string message;       ///< what went wrong, without the location (describe() adds that)
  std::string path;          ///< file as the caller named it; empty when there is none
  std::int64_t line = -1;    ///< 1-based line of a text file; -1 = none
  std::int64_t offset = -1;  ///< byte offset into a binary file; -1 = none

  /// Compiler-style one-liner: `calib/0000.txt:3: expected 12 numbers after 'P2:', found 11`,
  /// `velodyne/000042.bin: byte 1974370: ...`, `path: message`, or just the message.
  std::string describe() const;
};

}  // namespace pcanno::formats
