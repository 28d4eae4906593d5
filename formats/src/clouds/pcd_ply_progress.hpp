#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "pcanno/formats/clouds/reader.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "support/input_file.hpp"

namespace pcanno::formats::detail {

inline Error cancelled_error(const std::string& path) {
  return Error{ErrorCode::kCancelled, "cancelled by the progress callback", path};
}

/// One stage of a read (file input, decoding) mapped onto the slice [begin, end] of
/// ReadOptions::progress. The callback runs at most once per kStepBytes, so tight decode loops can
/// call update() per chunk without paying for a std::function call each time.
class ProgressSlice {
 public:
  static constexpr std::size_t kStepBytes = std::size_t{4} << 20;

  ProgressSlice(const std::function<bool(double)>& callback, double begin, double end,
                std::size_t total)
      : callback_(callback ? &callback : nullptr), begin_(begin), end_(end), total_(total) {}

  /// False when the callback asked to stop.
  bool start() { return report(0); }
  bool finish() { return report(total_); }
  bool update(std::size_t done) {
    if (callback_ == nullptr || done < next_) return true;
    return report(done);
  }

 private:
  bool report(std::size_t done) {
    if (callback_ == nullptr) return true;
    next_ = done + kStepBytes;
    const double part =
        total_ == 0 ? 1.0
                    : static_cast<double>(std::min(done, total_)) / static_cast<double>(total_);
    return (*callback_)(begin_ + (end_ - begin_) * part);
  }

  const std::function<bool(double)>* callback_;
  double begin_;
  double end_;
  std::size_t total_;
  std::size_t next_ = 0;
};

/// A whole file in memory, left uninitialised before the read: zero-filling a large cloud first
/// would cost a second pass over memory.
struct FileBytes {
  std::unique_ptr<std::uint8_t[]> data;
  std::size_t size = 0;
};

/// Reads `path` in chunks so that progress moves (within [begin, end]) and cancelling works while a
/// large file comes in.
inline Expected<FileBytes> read_file_bytes(const std::filesystem::path& path,
                                           const std::function<bool(double)>& progress,
                                           double begin, double end) {
  const std::string path_string = path.string();
  Expected<InputFile> file = InputFile::open(path);
  if (!file) return std::move(file).error();
  FileBytes bytes;
  bytes.size = file->size();
  bytes.data.reset(new std::uint8_t[std::max<std::size_t>(bytes.size, 1)]);
  ProgressSlice slice(progress, begin, end, bytes.size);
  if (!slice.start()) return cancelled_error(path_string);
  constexpr std::size_t kChunk = std::size_t{8} << 20;
  for (std::size_t done = 0; done < bytes.size;) {
    const std::size_t n = std::min(kChunk, bytes.size - done);
    if (Status read = file->read_exact(bytes.data.get() + done, n); !read) {
      return std::move(read).error();
    }
    done += n;
    if (!slice.update(done)) return cancelled_error(path_string);
  }
  return bytes;
}

/// The entry points every decoder of a whole in-memory file shares: `decode(bytes, size, progress,
/// begin_fraction, path)` does the format's work; these add allocation guarding, cancellation and
/// the file read (which gets the first fifth of the progress bar: reading is cheap next to decoding
/// text).
template <typename Decode>
Expected<CloudFile> parse_whole(const void* bytes, std::size_t n, const ReadOptions& options,
                                const std::string& path, Decode decode) {
  return guard_allocation(path, [&]() -> Expected<CloudFile> {
    if (options.progress && !options.progress(0.0)) return cancelled_error(path);
    return decode(static_cast<const std::uint8_t*>(bytes), n, options.progress, 0.0, path);
  });
}

template <typename Decode>
Expected<CloudFile> read_whole(const std::filesystem::path& path, const ReadOptions& options,
                               Decode decode) {
  const std::string path_string = path.string();
  return guard_allocation(path_string, [&]() -> Expected<CloudFile> {
    constexpr double kReadShare = 0.2;
    Expected<FileBytes> bytes = read_file_bytes(path, options.progress, 0.0, kReadShare);
    if (!bytes) return std::move(bytes).error();
    return decode(bytes->data.get(), bytes->size, options.progress, kReadShare, path_string);
  });
}

}  // namespace pcanno::formats::detail
