#include "pcanno/formats/support/atomic_write.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace pcanno::formats {
namespace fs = std::filesystem;

namespace {

std::string random_suffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(8, '0');
  for (char& c : s) c = kHex[rng() % 16];
  return s;
}

fs::path temporary_sibling(const fs::path& path) {
  return path.parent_path() / ("." + path.filename().string() + ".tmp-" + random_suffix());
}

Error io_error(const std::string& what, const fs::path& path, int err) {
  return Error{err == EACCES || err == EPERM ? ErrorCode::kPermission : ErrorCode::kIo,
               what + ": " + std::strerror(err), path.string()};
}

Error exists_error(const fs::path& path) {
  return Error{ErrorCode::kPermission,
               "exists already; pass the overwrite option (--force) to replace it", path.string()};
}

/// Writes every byte, retrying short writes and interruptions.
Status write_all(int fd, std::string_view bytes, const fs::path& path) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("write failed at byte " + std::to_string(written), path, errno);
    }
    written += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace

Status write_file_atomic(const fs::path& path, std::string_view bytes, bool overwrite) {
  std::error_code ec;
  if (!overwrite && fs::exists(path, ec)) return exists_error(path);
  if (!path.parent_path().empty() && !fs::is_directory(path.parent_path(), ec)) {
    return Error{ErrorCode::kNotFound, "folder does not exist", path.parent_path().string()};
  }
  const fs::path tmp = temporary_sibling(path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create temporary file", tmp, errno);
  if (Status all = write_all(fd, bytes, tmp); !all) {
    ::close(fd);
    fs::remove(tmp, ec);
    return all;
  }
  // Durable before visible: the rename must never expose a file whose data is still in flight.
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int err = errno;
    fs::remove(tmp, ec);
    return io_error("cannot flush", tmp, err);
  }
  if (!overwrite && fs::exists(path, ec)) {  // appeared meanwhile
    fs::remove(tmp, ec);
    return exists_error(path);
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return io_error("cannot move into place", path, ec.value());
  }
  // The rename itself is durable only once the folder is: a caller that deletes something next
  // (the engine's journal after a save) must not be reordered before it by the file system.
  const fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return io_error("cannot open the folder to flush it", folder, errno);
  const int synced = ::fsync(dir);
  const int err = errno;
  ::close(dir);
  if (synced != 0) return io_error("cannot flush the folder", folder, err);
  return {};
}

Status write_staged_file(const fs::path& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create file", path, errno);
  if (Status all = write_all(fd, bytes, path); !all) {
    ::close(fd);
    return all;
  }
  if (::close(fd) != 0) return io_error("cannot close", path, errno);
  return {};
}

Expected<StagedDirectory> StagedDirectory::begin(const fs::path& destination, bool overwrite) {
  std::error_code ec;
  if (!overwrite && fs::exists(destination, ec)) return exists_error(destination);
  const fs::path parent =
      destination.parent_path().empty() ? fs::path(".") : destination.parent_path();
  if (!fs::is_directory(parent, ec)) {
    return Error{ErrorCode::kNotFound, "folder does not exist", parent.string()};
  }
  StagedDirectory staged;
  staged.destination_ = destination;
  staged.staging_ = temporary_sibling(destination);
  staged.overwrite_ = overwrite;
  if (!fs::create_directory(staged.staging_, ec)) {
    return io_error("cannot create staging folder", staged.staging_, ec.value());
  }
  return staged;
}

StagedDirectory::StagedDirectory(StagedDirectory&& other) noexcept { *this = std::move(other); }

StagedDirectory& StagedDirectory::operator=(StagedDirectory&& other) noexcept {
  if (this != &other) {
    destination_ = std::move(other.destination_);
    staging_ = std::move(other.staging_);
    overwrite_ = other.overwrite_;
    committed_ = other.committed_;
    other.staging_.clear();
    other.committed_ = true;
  }
  return *this;
}

StagedDirectory::~StagedDirectory() {
  if (!committed_ && !staging_.empty()) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
}

Status StagedDirectory::commit() {
  if (committed_) return Error{ErrorCode::kIo, "already committed", destination_.string()};
  // One sync for every file written with write_staged_file: durable before visible.
  if (const int dir = ::open(staging_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    const int synced = ::syncfs(dir);
    const int err = errno;
    ::close(dir);
    if (synced != 0) return io_error("cannot flush the export", staging_, err);
  }
  std::error_code ec;
  fs::path old;
  if (fs::exists(destination_, ec)) {
    if (!overwrite_) return exists_error(destination_);
    // Keep the previous export until the new one is in place, then drop it.
    old = temporary_sibling(destination_);
    fs::rename(destination_, old, ec);
    if (ec) return io_error("cannot move the previous output aside", destination_, ec.value());
  }
  fs::rename(staging_, destination_, ec);
  if (ec) {
    if (!old.empty()) fs::rename(old, destination_, ec);
    return io_error("cannot move the export into place", destination_, ec.value());
  }
  committed_ = true;
  if (!old.empty()) fs::remove_all(old, ec);
  return {};
}

}  // namespace pcanno::formats
