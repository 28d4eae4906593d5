// Row formatting for KITTI object (label_2) and tracking (label_02) files, formats.md 2.1 and 4.1.
#include <cmath>
#include <cstdio>
#include <string>

#include "pcanno/formats/labels/kitti/label.hpp"

namespace pcanno::formats {
namespace {

constexpr int kObjectDecimals = 2;
constexpr int kTrackingDecimals = 6;
// Detections are ranked by score; two decimals would turn close scores into ties.
constexpr int kScoreDecimals = 6;

// The DontCare defaults of the two benchmarks differ (formats.md 2.1 vs 4.1), so both are spelled
// out exactly as the official files print them.
constexpr const char* kObjectDontCareHead = "DontCare -1 -1 -10";
constexpr const char* kObjectDontCareTail = " -1 -1 -1 -1000 -1000 -1000 -10";
constexpr const char* kTrackingDontCareHead = "DontCare -1 -1 -10.000000";
constexpr const char* kTrackingDontCareTail =
    " -1000.000000 -1000.000000 -1000.000000 -10.000000 -1.000000 -1.000000 -1.000000";

/// snprintf, not iostreams: printf's "%.*f" is what the official files were written with, and it
/// ignores the C++ locale.
void append_fixed(std::string& out, double value, int decimals) {
  char buffer[64];
  const int n = std::snprintf(buffer, sizeof(buffer), "%.*f", decimals, value);
  if (n < 0) return;
  if (static_cast<std::size_t>(n) < sizeof(buffer)) {
    out.append(buffer, static_cast<std::size_t>(n));
    return;
  }
  std::string large(static_cast<std::size_t>(n) + 1, '\0');
  std::snprintf(large.data(), large.size(), "%.*f", decimals, value);
  large.resize(static_cast<std::size_t>(n));
  out += large;
}

void append_column(std::string& out, double value, int decimals) {
  out += ' ';
  append_fixed(out, value, decimals);
}

void append_bbox(std::string& out, const KittiLabelRow& row, int decimals) {
  for (double v : row.bbox) append_column(out, v, decimals);
}

/// Columns after the 2D box: h w l, x y z, ry and the optional score.
void append_3d(std::string& out, const KittiLabelRow& row, int decimals) {
  for (int i = 0; i < 3; ++i) append_column(out, row.box.hwl[i], decimals);
  for (int i = 0; i < 3; ++i) append_column(out, row.box.location[i], decimals);
  append_column(out, row.box.rotation_y, decimals);
}

void append_score(std::string& out, const KittiLabelRow& row) {
  if (row.score) append_column(out, *row.score, kScoreDecimals);
}

/// Tracking truncation is the integer level 0/1/2; a fractional value (an object label converted
/// to tracking) keeps its decimals rather than being rounded to a different level.
void append_tracking_truncation(std::string& out, double truncated) {
  out += ' ';
  if (std::nearbyint(truncated) == truncated && std::fabs(truncated) < 1e9) {
    out += std::to_string(static_cast<long long>(truncated));
  } else {
    append_fixed(out, truncated, kTrackingDecimals);
  }
}

}  // namespace

std::string format_kitti_object_row(const KittiLabelRow& row) {
  std::string out;
  out.reserve(128);
  if (row.is_dont_care()) {
    out += kObjectDontCareHead;
    append_bbox(out, row, kObjectDecimals);
    out += kObjectDontCareTail;
  } else {
    out += row.type;
    append_column(out, row.truncated, kObjectDecimals);
    out += ' ';
    out += std::to_string(row.occluded);
    append_column(out, row.alpha, kObjectDecimals);
    append_bbox(out, row, kObjectDecimals);
    append_3d(out, row, kObjectDecimals);
  }
  append_score(out, row);
  out += '\n';
  return out;
}

std::string format_kitti_tracking_row(const KittiLabelRow& row) {
  std::string out;
  out.reserve(192);
  out += std::to_string(row.frame);
  out += ' ';
  if (row.is_dont_care()) {
    out += "-1 ";
    out += kTrackingDontCareHead;
    append_bbox(out, row, kTrackingDecimals);
    out += kTrackingDontCareTail;
  } else {
    out += std::to_string(row.track_id);
    out += ' ';
    out += row.type;
    append_tracking_truncation(out, row.truncated);
    out += ' ';
    out += std::to_string(row.occluded);
    append_column(out, row.alpha, kTrackingDecimals);
    append_bbox(out, row, kTrackingDecimals);
    append_3d(out, row, kTrackingDecimals);
  }
  append_score(out, row);
  out += '\n';
  return out;
}

}  // namespace pcanno::formats
