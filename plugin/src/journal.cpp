#include "pcanno/plugin/journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace pcanno::plugin {
namespace {

namespace fs = std::filesystem;
using formats::Error;
using formats::ErrorCode;
using formats::Expected;
using formats::Status;

constexpr std::string_view kMagic = "pcanno-journal 1 ";

std::uint32_t crc32(std::string_view bytes) {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  for (const char ch : bytes) c = table[(c ^ static_cast<std::uint8_t>(ch)) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::string hex8(std::uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08x", v);
  return buf;
}

Error io_error(const std::string& what, const fs::path& path, int err) {
  return Error{ErrorCode::kIo, what + ": " + std::strerror(err), path.string()};
}

Status write_all(int fd, std::string_view bytes, const fs::path& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("cannot append to the journal", path, errno);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Status sync_folder(const fs::path& file) {
  const fs::path folder = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open the journal's folder", folder, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("cannot sync the journal's folder", folder, err);
  return {};
}

/// Takes the journal for this process: a second session appending to the same journal would
/// interleave edits made against different states. The kernel drops the lock when the process
/// dies, so a crash never leaves a journal locked.
Status lock_exclusive(int fd, const fs::path& path) {
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return {};
  if (errno == EWOULDBLOCK) {
    return Error{ErrorCode::kPermission,
                 "the journal is in use by another pcanno session (the same document or dataset "
                 "is open twice)",
                 path.string()};
  }
  return io_error("cannot lock the journal", path, errno);
}

}  // namespace

std::string content_hash(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const char c : bytes) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 0x100000001b3ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

fs::path journal_path_for(const fs::path& document) {
  fs::path p = document;
  p += ".journal";
  return p;
}

Expected<Journal> Journal::create(const fs::path& path, const std::string& base, JournalSync sync) {
  // Not O_TRUNC: a journal another session holds must not be emptied before the lock says so.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create the journal", path, errno);
  Journal journal(path, fd, sync);
  if (Status ok = lock_exclusive(fd, path); !ok) return std::move(ok).error();
  if (::ftruncate(fd, 0) != 0) return io_error("cannot empty the journal", path, errno);
  const std::string header = std::string(kMagic) + base + "\n";
  if (Status ok = write_all(fd, header, path); !ok) return std::move(ok).error();
  if (sync == JournalSync::kData) {
    if (::fdatasync(fd) != 0) return io_error("cannot sync the journal", path, errno);
    if (Status ok = sync_folder(path); !ok) return std::move(ok).error();
  }
  return journal;
}

Expected<Journal> Journal::resume(const fs::path& path, std::uint64_t valid_bytes,
                                  JournalSync sync) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open the journal", path, errno);
  Journal journal(path, fd, sync);
  if (Status ok = lock_exclusive(fd, path); !ok) return std::move(ok).error();
  if (::ftruncate(fd, static_cast<off_t>(valid_bytes)) != 0) {
    return io_error("cannot cut the journal's torn tail", path, errno);
  }
  if (sync == JournalSync::kData && ::fdatasync(fd) != 0) {
    return io_error("cannot sync the journal", path, errno);
  }
  return journal;
}

bool Journal::in_use(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool locked = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);  // drops the probe's own lock, if it got one
  return locked;
}

Expected<JournalContents> Journal::read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return Error{ErrorCode::kNotFound, "no journal", path.string()};
    return io_error("cannot read the journal", path, errno);
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();

  JournalContents out;
  std::size_t eol = text.find('\n');
  if (text.compare(0, kMagic.size(), kMagic) != 0 || eol == std::string::npos) {
    return Error{ErrorCode::kMalformed,
                 "not a pcanno journal: expected the line 'pcanno-journal 1 <hash>'", path.string(),
                 1};
  }
  out.base = text.substr(kMagic.size(), eol - kMagic.size());
  out.valid_bytes = eol + 1;
  std::size_t line_no = 1;
  for (std::size_t start = eol + 1; start < text.size(); start = eol + 1) {
    ++line_no;
    eol = text.find('\n', start);
    const std::string where = path.string() + ":" + std::to_string(line_no);
    if (eol == std::string::npos) {
      out.dropped = where + ": the last entry was cut off by a crash; it was never acknowledged";
      break;
    }
    const std::string_view line(text.data() + start, eol - start);
    const bool framed = line.size() > 9 && line[8] == ' ';
    const std::string_view json = framed ? line.substr(9) : std::string_view();
    if (!framed || hex8(crc32(json)) != line.substr(0, 8)) {
      out.damaged = eol + 1 < text.size();
      out.dropped =
          where + (out.damaged ? ": checksum mismatch; this entry and the rest were not replayed"
                               : ": the last entry is incomplete (checksum mismatch); "
                                 "it was never acknowledged");
      break;
    }
    Expected<std::vector<formats::DocumentEdit>> edits = formats::parse_edits(json, where);
    if (!edits) {
      out.damaged = true;
      out.dropped = edits.error().describe() + "; this entry and the rest were not replayed";
      break;
    }
    out.entries.push_back(std::move(*edits));
    out.valid_bytes = eol + 1;
  }
  return out;
}

Journal::Journal(Journal&& other) noexcept { *this = std::move(other); }

Journal& Journal::operator=(Journal&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    sync_ = other.sync_;
  }
  return *this;
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

Status Journal::append(const std::vector<formats::DocumentEdit>& edits) {
  const std::string json = formats::serialize_edits(edits);
  std::string line = hex8(crc32(json));
  line += ' ';
  line += json;
  line += '\n';
  // One write() per entry: O_APPEND keeps it contiguous, and a crash can only tear the last line.
  if (Status ok = write_all(fd_, line, path_); !ok) return ok;
  if (sync_ == JournalSync::kData && ::fdatasync(fd_) != 0) {
    return io_error("cannot sync the journal", path_, errno);
  }
  return {};
}

}  // namespace pcanno::plugin
