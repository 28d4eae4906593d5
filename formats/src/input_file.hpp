#pragma once
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>

#include "pcanno/formats/expected.hpp"

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

/// The whole file as bytes (text readers).
Expected<std::string> read_file_text(const std::filesystem::path& path);

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
