#include "support/input_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

namespace pcanno::formats::detail {
namespace {

ErrorCode code_for_errno(int err) {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return ErrorCode::kNotFound;
    case EACCES:
    case EPERM:
      return ErrorCode::kPermission;
    case ENOMEM:
      return ErrorCode::kOutOfMemory;
    default:
      return ErrorCode::kIo;
  }
}

}  // namespace

Expected<InputFile> InputFile::open(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  const std::string path_string = path.string();
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (status.type() == fs::file_type::not_found) {
    return Error{ErrorCode::kNotFound, "no such file", path_string};
  }
  if (ec) {
    return Error{code_for_errno(ec.value()), ec.message(), path_string};
  }
  if (status.type() == fs::file_type::directory) {
    return Error{ErrorCode::kIo, "is a directory, expected a file", path_string};
  }
  if (status.type() != fs::file_type::regular) {
    // Pipes and devices have no size to validate against the record length up front.
    return Error{ErrorCode::kUnsupported, "not a regular file", path_string};
  }

  errno = 0;
  std::FILE* raw = std::fopen(path.c_str(), "rb");
  if (raw == nullptr) {
    const int err = errno;
    return Error{code_for_errno(err), std::error_code(err, std::generic_category()).message(),
                 path_string};
  }
  InputFile file;
  file.file_.reset(raw);
  file.path_ = path_string;

  // Size from the open handle, not from the earlier stat, so a file replaced in between is measured
  // as read.
  if (std::fseek(raw, 0, SEEK_END) != 0) {
    return Error{ErrorCode::kIo, "cannot seek to the end", path_string};
  }
  const long end = std::ftell(raw);
  if (end < 0 || std::fseek(raw, 0, SEEK_SET) != 0) {
    return Error{ErrorCode::kIo, "cannot determine the file size", path_string};
  }
  file.size_ = static_cast<std::size_t>(end);
  return file;
}

Expected<MappedFile> MappedFile::open(const std::filesystem::path& path) {
  // Fast path: one open, one fstat, one mmap. Anything unusual (missing, directory, pipe, empty,
  // mmap refused) goes through InputFile, which gives the same checks and messages as every reader.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      const auto size = static_cast<std::size_t>(st.st_size);
      void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      ::close(fd);  // the mapping keeps the file alive
      if (p != MAP_FAILED) {
        MappedFile mapped;
        mapped.data_ = static_cast<const unsigned char*>(p);
        mapped.size_ = size;
        mapped.mapped_ = true;
        return mapped;
      }
    } else {
      ::close(fd);
    }
  }
  Expected<InputFile> file = InputFile::open(path);
  if (!file) return std::move(file).error();
  MappedFile read;
  read.size_ = file->size();
  read.fallback_.resize(read.size_);
  if (Status status = file->read_exact(read.fallback_.data(), read.size_); !status) {
    return std::move(status).error();
  }
  read.data_ = read.fallback_.data();
  return read;
}

MappedFile::MappedFile(MappedFile&& other) noexcept { *this = std::move(other); }

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (mapped_) ::munmap(const_cast<unsigned char*>(data_), size_);
    size_ = other.size_;
    mapped_ = other.mapped_;
    fallback_ = std::move(other.fallback_);
    data_ = mapped_ ? other.data_ : fallback_.data();
    other.data_ = nullptr;
    other.size_ = 0;
    other.mapped_ = false;
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (mapped_) ::munmap(const_cast<unsigned char*>(data_), size_);
}

Status InputFile::read_exact(void* destination, std::size_t n) {
  if (n == 0) return {};
  const std::size_t got = std::fread(destination, 1, n, file_.get());
  position_ += got;
  if (got != n) {
    Error error{ErrorCode::kIo, "", path_};
    error.offset = static_cast<std::int64_t>(position_);
    error.message = std::ferror(file_.get()) != 0
                        ? "read failed"
                        : "file ended early (it shrank while being read): read " +
                              std::to_string(got) + " of " + std::to_string(n) + " bytes";
    return error;
  }
  return {};
}

Expected<std::string> read_file_text(const std::filesystem::path& path) {
  return guard_allocation(path.string(), [&]() -> Expected<std::string> {
    Expected<InputFile> file = InputFile::open(path);
    if (!file) return std::move(file).error();
    std::string text(file->size(), '\0');
    if (Status read = file->read_exact(text.data(), text.size()); !read) {
      return std::move(read).error();
    }
    return text;
  });
}

}  // namespace pcanno::formats::detail
