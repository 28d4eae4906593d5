#include "pcanno/formats/datasets/kitti_calib.hpp"

#include <cstdint>
#include <utility>
#include <vector>

#include "pcanno/geometry/kitti_convention.hpp"
#include "support/input_file.hpp"
#include "support/text_scan.hpp"

namespace pcanno::formats {
namespace {

enum class Slot { kP0, kP1, kP2, kP3, kR0Rect, kTrVeloToCam, kTrImuToVelo, kCount };

struct KeySpelling {
  std::string_view key;
  Slot slot;
};

// Object-benchmark spelling first, then the official tracking spelling (formats.md 4.2).
constexpr KeySpelling kKeys[] = {
    {"P0", Slot::kP0},
    {"P1", Slot::kP1},
    {"P2", Slot::kP2},
    {"P3", Slot::kP3},
    {"R0_rect", Slot::kR0Rect},
    {"R_rect", Slot::kR0Rect},
    {"Tr_velo_to_cam", Slot::kTrVeloToCam},
    {"Tr_velo_cam", Slot::kTrVeloToCam},
    {"Tr_imu_to_velo", Slot::kTrImuToVelo},
    {"Tr_imu_velo", Slot::kTrImuToVelo},
};

bool find_slot(std::string_view key, Slot& slot) {
  for (const KeySpelling& k : kKeys) {
    if (k.key == key) {
      slot = k.slot;
      return true;
    }
  }
  return false;
}

std::size_t expected_count(Slot slot) { return slot == Slot::kR0Rect ? 9 : 12; }

const char* canonical_name(Slot slot) {
  switch (slot) {
    case Slot::kP0:
      return "P0";
    case Slot::kP1:
      return "P1";
    case Slot::kP2:
      return "P2";
    case Slot::kP3:
      return "P3";
    case Slot::kR0Rect:
      return "R0_rect' (or 'R_rect";
    case Slot::kTrVeloToCam:
      return "Tr_velo_to_cam' (or 'Tr_velo_cam";
    case Slot::kTrImuToVelo:
      return "Tr_imu_to_velo' (or 'Tr_imu_velo";
    case Slot::kCount:
      break;
  }
  return "?";
}

template <int Rows, int Cols>
Eigen::Matrix<double, Rows, Cols> row_major(const double* values) {
  Eigen::Matrix<double, Rows, Cols> m;
  for (int r = 0; r < Rows; ++r) {
    for (int c = 0; c < Cols; ++c) m(r, c) = values[r * Cols + c];
  }
  return m;
}

Expected<KittiCalib> parse(std::string_view text, const std::string& path) {
  KittiCalib calib;
  std::int64_t seen_on_line[static_cast<int>(Slot::kCount)] = {0, 0, 0, 0, 0, 0, 0};
  std::vector<std::string_view> tokens;
  double values[12];

  detail::LineScanner lines(text);
  std::string_view line;
  while (lines.next(line)) {
    if (line.empty()) continue;
    const auto malformed = [&](std::string message) {
      Error error{ErrorCode::kMalformed, std::move(message), path};
      error.line = lines.line_number();
      return error;
    };

    // The key ends at the first blank or colon; `P2:1.0` and `P2: 1.0` and `R_rect 1.0` all split.
    std::size_t key_end = 0;
    while (key_end < line.size() && line[key_end] != ':' && !detail::is_blank(line[key_end])) {
      ++key_end;
    }
    const std::string_view key = line.substr(0, key_end);
    std::string_view rest = line.substr(key_end);
    const bool has_colon = !rest.empty() && rest.front() == ':';
    if (has_colon) rest.remove_prefix(1);
    if (key.empty()) return malformed("expected a key such as 'P2:' at the start of the line");

    Slot slot{};
    if (!find_slot(key, slot)) continue;  // raw-data and road-plane keys are not ours
    const std::string shown_key = "'" + std::string(key) + (has_colon ? ":'" : "'");

    std::int64_t& seen = seen_on_line[static_cast<int>(slot)];
    if (seen != 0) {
      return malformed("duplicate key " + shown_key + " (already given on line " +
                       std::to_string(seen) + ")");
    }
    seen = lines.line_number();

    detail::split_tokens(rest, tokens);
    const std::size_t want = expected_count(slot);
    if (tokens.size() != want) {
      return malformed("expected " + std::to_string(want) + " numbers after " + shown_key +
                       ", found " + std::to_string(tokens.size()));
    }
    for (std::size_t i = 0; i < want; ++i) {
      if (!detail::parse_double(tokens[i], values[i])) {
        return malformed("value " + std::to_string(i + 1) + " after " + shown_key +
                         ": expected a finite number, found " + detail::quote_token(tokens[i]));
      }
    }

    switch (slot) {
      case Slot::kP0:
      case Slot::kP1:
      case Slot::kP2:
      case Slot::kP3: {
        const auto camera = static_cast<std::size_t>(slot);
        calib.P[camera] = row_major<3, 4>(values);
        calib.has_P[camera] = true;
        break;
      }
      case Slot::kR0Rect:
        calib.R0_rect = row_major<3, 3>(values);
        break;
      case Slot::kTrVeloToCam:
        calib.Tr_velo_to_cam = row_major<3, 4>(values);
        break;
      case Slot::kTrImuToVelo:
        calib.Tr_imu_to_velo = row_major<3, 4>(values);
        calib.has_imu_to_velo = true;
        break;
      case Slot::kCount:
        break;
    }
  }

  for (Slot required : {Slot::kP2, Slot::kR0Rect, Slot::kTrVeloToCam}) {
    if (seen_on_line[static_cast<int>(required)] == 0) {
      return Error{ErrorCode::kMalformed,
                   std::string("missing required key '") + canonical_name(required) + "'", path};
    }
  }
  return calib;
}

}  // namespace

Eigen::Matrix4d KittiCalib::T_rect_velo() const {
  return geometry::kitti_T_rect_velo(R0_rect, Tr_velo_to_cam);
}

Expected<KittiCalib> parse_kitti_calib(std::string_view text, const std::string& path_for_errors) {
  return detail::guard_allocation(
      path_for_errors, [&]() -> Expected<KittiCalib> { return parse(text, path_for_errors); });
}

Expected<KittiCalib> read_kitti_calib(const std::filesystem::path& path) {
  Expected<std::string> text = detail::read_file_text(path);
  if (!text) return std::move(text).error();
  return parse_kitti_calib(*text, path.string());
}

}  // namespace pcanno::formats
