#include "pcanno/formats/support/output_folder.hpp"

#include <string>
#include <system_error>

namespace pcanno::formats {
namespace fs = std::filesystem;

OutputFolders::~OutputFolders() {
  std::error_code ec;
  for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
    if (fs::is_empty(*it, ec) && !ec) fs::remove(*it, ec);
  }
}

Status OutputFolders::create(const fs::path& folder) {
  if (folder.empty()) return {};
  std::error_code ec;
  // The missing part of the path, outermost first: only these are ours to remove later.
  std::vector<fs::path> missing;
  fs::path start = folder.lexically_normal();
  if (!start.has_filename()) start = start.parent_path();  // "a/b/" names "a/b"
  for (fs::path p = start; !p.empty(); p = p.parent_path()) {
    const fs::file_status status = fs::status(p, ec);
    if (fs::is_directory(status)) break;
    if (fs::exists(status)) {
      return Error{ErrorCode::kNotFound, "a file stands where a folder is needed", p.string()};
    }
    missing.insert(missing.begin(), p);
    if (p == p.parent_path()) break;  // the root itself
  }
  for (const fs::path& p : missing) {
    if (!fs::create_directory(p, ec) && ec) {
      return Error{ErrorCode::kIo, "cannot create folder: " + ec.message(), p.string()};
    }
    created_.push_back(p);
  }
  return {};
}

}  // namespace pcanno::formats
