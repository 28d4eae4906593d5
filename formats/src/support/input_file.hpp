#pragma once
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "pcanno/formats/support/expected.hpp"

namespace pcanno::formats::detail {

/// A regular file opened for one whole read. Maps the OS's reasons for failure onto ErrorCode so
/// that every reader reports a missing or unreadable file the same way.
class InputFile {
 public:
  static Expected<InputFile> open(const std::filesystem::path& path);

  std::size_t size() const { return size_; }  ///< [bytes], as stat'ed at open()

  /// Reads exactly `n` bytes from the current position; a short read is kIo naming the offset
  /// reached.
  Status read_exact(void* destination, std::size_t n);

 private:
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };

  std::unique_ptr<std::FILE, Closer> file_;
  std::size_t size_ = 0;
  std::size_t position_ = 0;
  std::string path_;
};

/// A regular file mapped read-only into memory, for binary readers that decode straight from the
/// page cache instead of copying the file into a buffer first. Falls back to reading into memory
/// where mapping is not possible. Caveat of every mmap reader: a file truncated by another process
/// while mapped raises SIGBUS; files being written concurrently should be read with InputFile.
class MappedFile {
 public:
  static Expected<MappedFile> open(const std::filesystem::path& path);
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  const unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }  ///< [bytes]

 private:
  MappedFile() = default;
  const unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
  bool mapped_ = false;
  std::vector<unsigned char> fallback_;
};

/// The whole file as bytes (text readers).
Expected<std::string> read_file_text(const std::filesystem::path& path);

/// A 0-byte file: "file is empty", at byte 0, saying what should have been there (`expected`, e.g.
/// "a PCD header"). A copy that failed halfway or a placeholder is the usual cause, and "header
/// ends without a DATA line" would send the user looking for a header problem.
inline Error empty_file_error(const std::string& path, const std::string& expected) {
  Error e{ErrorCode::kTruncated, "file is empty (0 bytes; expected " + expected + ")", path};
  e.offset = 0;
  return e;
}

/// Runs `body` and turns allocation failure into kOutOfMemory, so that no exception leaves the
/// public API.
template <typename Body>
auto guard_allocation(const std::string& path, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return Error{ErrorCode::kOutOfMemory, "out of memory", path};
  } catch (const std::length_error&) {
    return Error{ErrorCode::kOutOfMemory, "size exceeds what a container can hold", path};
  }
}

}  // namespace pcanno::formats::detail
