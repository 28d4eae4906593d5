#pragma once
#include <filesystem>
#include <string>
#include <string_view>

#include "pcanno/formats/expected.hpp"

namespace pcanno::formats {

/// Writes `bytes` to a temporary sibling of `path`, flushes it to disk, then renames it into place,
/// so that a reader (or a crash) never sees a half-written file. An existing `path` is only
/// replaced when `overwrite` is set; otherwise the call fails with kPermission naming the file.
Status write_file_atomic(const std::filesystem::path& path, std::string_view bytes, bool overwrite);

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

  /// Moves the staged folder to the destination (replacing an existing one when allowed).
  Status commit();

 private:
  StagedDirectory() = default;
  std::filesystem::path destination_;
  std::filesystem::path staging_;
  bool overwrite_ = false;
  bool committed_ = false;
};

}  // namespace pcanno::formats
