#pragma once
#include <filesystem>
#include <vector>

#include "pcanno/formats/support/expected.hpp"

namespace pcanno::formats {

/// Creates the folders an output needs (`--out a/b/c` when only `a` exists) and takes them away
/// again when the write fails, so that a failed export leaves nothing behind, not even empty
/// folders. Folders that existed before are never touched.
class OutputFolders {
 public:
  OutputFolders() = default;
  OutputFolders(const OutputFolders&) = delete;
  OutputFolders& operator=(const OutputFolders&) = delete;
  /// Removes the folders this object created, deepest first, as long as they are still empty,
  /// unless keep() was called.
  ~OutputFolders();

  /// Creates `folder` and its missing parents. kIo naming the folder when that fails, kNotFound
  /// when a part of the path is a file.
  Status create(const std::filesystem::path& folder);
  /// The write succeeded: the folders stay.
  void keep() { created_.clear(); }

 private:
  std::vector<std::filesystem::path> created_;  ///< outermost first
};

}  // namespace pcanno::formats
