#include <algorithm>
#include <cctype>

#include "datasets/layouts.hpp"
#include "support/text_scan.hpp"

namespace pcanno::formats::detail {
namespace fs = std::filesystem;

bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = std::isdigit(static_cast<unsigned char>(a[i]));
    const bool db = std::isdigit(static_cast<unsigned char>(b[j]));
    if (da && db) {
      std::size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      // Compare by value without overflow: skip leading zeros, then longer is larger.
      std::size_t ia = i, jb = j;
      while (ia + 1 < ie && a[ia] == '0') ++ia;
      while (jb + 1 < je && b[jb] == '0') ++jb;
      if (ie - ia != je - jb) return ie - ia < je - jb;
      const int c = a.compare(ia, ie - ia, b, jb, je - jb);
      if (c != 0) return c < 0;
      if (ie - i != je - j) return ie - i < je - j;  // "01" before "1" to keep the order total
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

std::vector<fs::path> list_files(const fs::path& dir,
                                 const std::function<bool(const fs::path&)>& keep) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && keep(it->path())) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end(), [](const fs::path& x, const fs::path& y) {
    return natural_less(x.filename().string(), y.filename().string());
  });
  return files;
}

std::vector<fs::path> list_dirs(const fs::path& dir) {
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_directory(type_ec)) dirs.push_back(it->path());
  }
  std::sort(dirs.begin(), dirs.end(), [](const fs::path& x, const fs::path& y) {
    return natural_less(x.filename().string(), y.filename().string());
  });
  return dirs;
}

namespace {

/// The reader id for a file name by suffix alone (no sniffing: listing must stay cheap).
std::string format_by_suffix(const fs::path& file, const CloudReaderRegistry& readers) {
  auto reader = readers.select(file);
  return reader ? (*reader)->id : std::string();
}

bool has_cloud_suffix(const fs::path& file, const CloudReaderRegistry& readers) {
  const std::string name = lower_ascii(file.filename().string());
  for (const CloudReader& r : readers.readers()) {
    for (const std::string& suffix : r.suffixes) {
      if (name.size() > suffix.size() && ends_with(name, suffix)) return true;
    }
  }
  return false;
}

}  // namespace

bool looks_like_cloud_folder(const fs::path& dir, const CloudReaderRegistry& readers) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && has_cloud_suffix(it->path(), readers)) return true;
  }
  return false;
}

Expected<Sequence> open_cloud_folder(const fs::path& dir, const SequenceOptions& options) {
  const CloudReaderRegistry& readers = options.readers ? *options.readers : default_cloud_readers();
  const auto is_cloud = [&readers](const fs::path& file) {
    return has_cloud_suffix(file, readers);
  };
  Sequence seq;
  seq.layout = "folder";
  seq.root = dir;
  seq.name = fs::absolute(dir).lexically_normal().filename().string();
  if (seq.name.empty())
    seq.name = fs::absolute(dir).lexically_normal().parent_path().filename().string();
  for (const fs::path& file : list_files(dir, is_cloud)) {
    FrameRef frame;
    frame.cloud_path = file;
    frame.format = format_by_suffix(file, readers);
    frame.name = file.stem().string();
    seq.frames.push_back(std::move(frame));
  }
  if (seq.frames.empty()) {
    return Error{ErrorCode::kNotFound, "no point-cloud files in this folder", dir.string()};
  }
  return seq;
}

}  // namespace pcanno::formats::detail
