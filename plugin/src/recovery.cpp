#include "pcanno/plugin/recovery.hpp"

#include <unistd.h>

#include <cctype>
#include <cstdlib>

#include "pcanno/plugin/journal.hpp"

namespace pcanno::plugin {
namespace fs = std::filesystem;

fs::path default_recovery_folder() {
  // XDG Base Directory: unsaved work is state, not cache (it must not be cleaned up as cache).
  if (const char* state = std::getenv("XDG_STATE_HOME"); state != nullptr && *state == '/') {
    return fs::path(state) / "pcanno" / "recovery";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/') {
    return fs::path(home) / ".local" / "state" / "pcanno" / "recovery";
  }
  return fs::temp_directory_path() / ("pcanno-recovery-" + std::to_string(::getuid()));
}

fs::path recovery_journal_path(const fs::path& folder, const fs::path& dataset,
                               const std::string& sequence_name, const std::string& labels_source,
                               int slot) {
  std::error_code ec;
  fs::path absolute = dataset.empty() ? fs::path() : fs::weakly_canonical(dataset, ec);
  if (ec) absolute = fs::absolute(dataset, ec);
  // '\n' cannot appear in the sequence name or codec id, so the parts cannot run together.
  const std::string key = absolute.string() + '\n' + sequence_name + '\n' + labels_source;
  // A readable prefix, so that a person looking in the folder sees which dataset it is.
  std::string prefix;
  for (const char c : absolute.filename().string()) {
    prefix += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  }
  if (prefix.empty()) prefix = "no-dataset";
  if (!sequence_name.empty() && sequence_name != absolute.filename().string()) {
    prefix += '_';
    for (const char c : sequence_name) {
      prefix += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    }
  }
  std::string name = prefix.substr(0, 48) + "-" + content_hash(key);
  if (slot > 1) name += "-" + std::to_string(slot);
  return folder / (name + ".journal");
}

}  // namespace pcanno::plugin
