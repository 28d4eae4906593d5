#pragma once
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pcanno/geometry/polyline.hpp"
#include "test_data.hpp"

// The curb edges placed by hand in KITTI tracking 0000 (tests/data/kitti_tracking_0000_lines.json;
// how they were placed: the .md beside it), one Reference per line and frame, in that frame's
// LiDAR frame.

namespace pcanno::test {

inline std::filesystem::path kitti_lines_fixture() {
  return sample_data_dir().parent_path() / "tests/data/kitti_tracking_0000_lines.json";
}

struct KittiLineReference {
  std::string name;     ///< "curb_behind", ...
  std::string feature;  ///< "curb" or "marking"
  int frame = 0;
  geometry::Polyline line;  ///< [m] LiDAR frame of `frame`
};

inline std::vector<KittiLineReference> kitti_line_references() {
  std::ifstream in(kitti_lines_fixture());
  const nlohmann::json doc = nlohmann::json::parse(in);
  std::vector<KittiLineReference> out;
  for (const auto& line : doc.at("lines")) {
    for (const auto& [frame, vertices] : line.at("frames").items()) {
      KittiLineReference r;
      r.name = line.at("name").get<std::string>();
      r.feature = line.at("feature").get<std::string>();
      r.frame = std::stoi(frame);
      for (const auto& v : vertices) r.line.vertices.emplace_back(v[0], v[1], v[2]);
      out.push_back(r);
    }
  }
  return out;
}

}  // namespace pcanno::test
