#include "pcanno/formats/datasets/oxts.hpp"

#include <cmath>

#include "pcanno/geometry/angles.hpp"
#include "support/input_file.hpp"
#include "support/text_scan.hpp"

namespace pcanno::formats {

Expected<std::vector<OxtsRecord>> parse_oxts(std::string_view text, const std::string& path) {
  return detail::guard_allocation(path, [&]() -> Expected<std::vector<OxtsRecord>> {
    std::vector<OxtsRecord> records;
    detail::LineScanner lines(text);
    std::string_view line;
    std::vector<std::string_view> tokens;
    while (lines.next(line)) {
      if (line.empty()) continue;
      detail::split_tokens(line, tokens);
      if (tokens.size() != 30) {
        return Error{ErrorCode::kMalformed,
                     "expected 30 oxts values, found " + std::to_string(tokens.size()), path,
                     lines.line_number()};
      }
      OxtsRecord r;
      for (std::size_t i = 0; i < 30; ++i) {
        if (!detail::parse_double(tokens[i], r.values[i])) {
          return Error{ErrorCode::kMalformed,
                       "column " + std::to_string(i + 1) + ": expected a number, found " +
                           detail::quote_token(tokens[i]),
                       path, lines.line_number()};
        }
      }
      r.lat = r.values[0];
      r.lon = r.values[1];
      r.alt = r.values[2];
      r.roll = r.values[3];
      r.pitch = r.values[4];
      r.yaw = r.values[5];
      records.push_back(r);
    }
    return records;
  });
}

Expected<std::vector<OxtsRecord>> read_oxts(const std::filesystem::path& path) {
  auto text = detail::read_file_text(path);
  if (!text) return text.error();
  return parse_oxts(*text, path.string());
}

geometry::Pose oxts_mercator_pose(const OxtsRecord& r, double scale) {
  constexpr double kEarthRadius = 6378137.0;  // [m], as the KITTI devkit
  const double tx = scale * r.lon * geometry::kPi * kEarthRadius / 180.0;
  const double ty =
      scale * kEarthRadius * std::log(std::tan((90.0 + r.lat) * geometry::kPi / 360.0));
  const auto q = geometry::quaternion_from_yaw_pitch_roll({r.yaw, r.pitch, r.roll});
  return geometry::make_pose(q, Eigen::Vector3d(tx, ty, r.alt));
}

std::vector<geometry::Pose> oxts_to_poses(const std::vector<OxtsRecord>& records,
                                          OxtsOrigin origin) {
  std::vector<geometry::Pose> poses;
  if (records.empty()) return poses;
  const double scale = std::cos(records.front().lat * geometry::kPi / 180.0);
  poses.reserve(records.size());
  for (const OxtsRecord& r : records) poses.push_back(oxts_mercator_pose(r, scale));
  if (origin == OxtsOrigin::kFirstFrame) {
    const geometry::Pose T_first_world = geometry::invert(poses.front());
    for (geometry::Pose& T : poses) T = T_first_world * T;
  }
  return poses;
}

}  // namespace pcanno::formats
