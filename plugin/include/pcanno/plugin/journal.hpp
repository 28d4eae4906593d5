#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "pcanno/formats/labels/document/edit.hpp"
#include "pcanno/formats/support/expected.hpp"

// The crash journal: every applied edit list is appended to the journal before the session
// acknowledges it, so a crash loses no acknowledged edit. A session with a document journals to
// `<document>.journal`; one without to a recovery journal (recovery.hpp).
//
// File: a header line `pcanno-journal 1 <base>` naming the hash of the saved document bytes the
// journal applies to ("none" for a document never saved), then one line per applied command, undo
// or redo: `<crc32 as 8 hex digits> <serialize_edits() JSON>`. A crash mid-append leaves a last
// line without its newline or with a bad checksum; reading drops it (it was never acknowledged).
//
// Durability: with JournalSync::kData (the default) each append is followed by fdatasync(), and
// creating the journal also syncs its folder, so an acknowledged edit survives power loss. With
// kNone the bytes are in the kernel when append() returns: they survive the process being killed,
// not the machine losing power.

namespace pcanno::plugin {

enum class JournalSync { kNone, kData };

/// Hash of saved document bytes as 16 hex digits (FNV-1a, 64 bit).
std::string content_hash(std::string_view bytes);

/// `<document>.journal`.
std::filesystem::path journal_path_for(const std::filesystem::path& document);

/// What a journal holds.
struct JournalContents {
  std::string base;  ///< content_hash() of the document it applies to, or "none"
  std::vector<std::vector<formats::DocumentEdit>> entries;
  std::uint64_t valid_bytes = 0;  ///< length of the header and the intact entries
  /// Set when lines after the intact entries were dropped: a torn last append (normal after a
  /// crash), or damage in the middle (reported to the user; the file is kept aside).
  std::string dropped;
  bool damaged = false;  ///< a bad line that was not the last one
};

class Journal {
 public:
  /// Starts a new journal at `path` (replacing any) for a document whose bytes hash to `base`.
  /// A journal holds an exclusive lock on its file while it lives: create() and resume() fail
  /// with kPermission when another session (in any process) holds it.
  static formats::Expected<Journal> create(const std::filesystem::path& path,
                                           const std::string& base, JournalSync sync);
  /// Continues the journal at `path` after its first `valid_bytes` (a torn tail is cut off).
  static formats::Expected<Journal> resume(const std::filesystem::path& path,
                                           std::uint64_t valid_bytes, JournalSync sync);
  /// True when a live session holds the journal at `path`.
  static bool in_use(const std::filesystem::path& path);
  /// Reads a journal; kNotFound when there is none, kMalformed when the header is not one.
  static formats::Expected<JournalContents> read(const std::filesystem::path& path);

  Journal(Journal&& other) noexcept;
  Journal& operator=(Journal&& other) noexcept;
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  ~Journal();

  /// Appends one entry and makes it durable to the configured level; kIo names the file.
  formats::Status append(const std::vector<formats::DocumentEdit>& edits);
  const std::filesystem::path& path() const { return path_; }

 private:
  Journal(std::filesystem::path path, int fd, JournalSync sync)
      : path_(std::move(path)), fd_(fd), sync_(sync) {}

  std::filesystem::path path_;
  int fd_ = -1;
  JournalSync sync_ = JournalSync::kData;
};

}  // namespace pcanno::plugin
