#pragma once
#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>

#include "files.hpp"  // slurp, for the tests that include only this

namespace pcanno::test {

/// A fresh directory under the system temp dir, removed with its contents on destruction, so
/// fixtures of parallel test runs never collide. Needs no GoogleTest, so the benchmarks use it too.
class TempDir {
 public:
  TempDir() : TempDir("pcanno_test_") {}
  /// Names the directory `<prefix><random>_<n>`, so that a kept one says whose it is.
  explicit TempDir(const std::string& prefix) {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    const std::string name =
        prefix + std::to_string(rd()) + "_" + std::to_string(counter.fetch_add(1));
    path_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    if (keep_) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  /// Writes `bytes` to `name` inside the directory and returns the full path. `name` may hold
  /// sub-folders ("scans/000000.bin"); they are created.
  std::filesystem::path write(const std::string& name, std::string_view bytes) const {
    const std::filesystem::path file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return file;
  }

  /// Leaves the directory and its files in place on destruction, for a failure to be inspected.
  void keep() { keep_ = true; }

 private:
  std::filesystem::path path_;
  bool keep_ = false;
};

}  // namespace pcanno::test
