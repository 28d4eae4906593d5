#pragma once
#include <filesystem>
#include <string>
#include <string_view>

#include "pcanno/formats/support/expected.hpp"

namespace pcanno::formats {

/// Writes `bytes` to a temporary sibling of `path`, flushes it to disk, then renames it into place,
/// so that a reader (or a crash) never sees a half-written file. An existing `path` is only
/// replaced when `overwrite` is set; otherwise the call fails with kPermission naming the file.
Status write_file_atomic(const std::filesystem::path& path, std::string_view bytes, bool overwrite);

/// Writes a new file inside a StagedDirectory's folder, without flushing it: commit() makes the
/// whole folder durable with one filesystem sync before renaming it into place, which is far
/// cheaper than a flush per file for exports of thousands of files. Fails if the file exists.
Status write_staged_file(const std::filesystem::path& path, std::string_view bytes);

/// A dataset export built in a temporary sibling folder and renamed into place by commit(). Until
/// then the destination is untouched; a StagedDirectory destroyed without commit() removes its
/// temporary folder, so an export that fails halfway leaves nothing behind.
class StagedDirectory {
 public:
  /// Prepares `<parent>/.<name>.tmp-XXXX`. An existing destination is an error unless `overwrite`.
  static Expected<StagedDirectory> begin(const std::filesystem::path& destination, bool overwrite);

  StagedDirectory(StagedDirectory&& other) noexcept;
  StagedDirectory& operator=(StagedDirectory&& other) noexcept;
  StagedDirectory(const StagedDirectory&) = delete;
  StagedDirectory& operator=(const StagedDirectory&) = delete;
  ~StagedDirectory();

  /// Where to write the files now.
  const std::filesystem::path& path() const { return staging_; }
  const std::filesystem::path& destination() const { return destination_; }

  /// Flushes the staged folder to disk, then moves it to the destination (replacing an existing one
  /// when allowed).
  Status commit();

 private:
  StagedDirectory() = default;
  std::filesystem::path destination_;
  std::filesystem::path staging_;
  bool overwrite_ = false;
  bool committed_ = false;
};

}  // namespace pcanno::formats
