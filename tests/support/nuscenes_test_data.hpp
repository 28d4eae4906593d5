#pragma once
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "test_data.hpp"

namespace pcanno::test {

/// The shared nuScenes keyframe and the Lyft tables (see ../shared/data/README.md).
inline std::filesystem::path nuscenes_mini_root() {
  return shared_data_dir() / "nuscenes/v1.0-mini-scene0061";
}
inline std::filesystem::path lyft_root() {
  return shared_data_dir() / "nuscenes/lyft-tiny/v1.01-train";
}

/// True when some line (a warning, say) contains `part`.
inline bool any_contains(const std::vector<std::string>& lines, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(part) != std::string::npos; });
}

}  // namespace pcanno::test
