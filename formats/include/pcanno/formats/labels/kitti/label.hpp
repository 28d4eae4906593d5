#pragma once
#include <array>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pcanno/formats/support/expected.hpp"
#include "pcanno/geometry/kitti_convention.hpp"

namespace pcanno::formats {

/// One line of a KITTI object `label_2` or tracking `label_02` file, read positionally
/// (formats.md 2.1, 4.1). Values are kept as written, sentinels included: DontCare rows use
/// different defaults in the two benchmarks, so no field is checked against a sentinel here.
struct KittiLabelRow {
  int frame = -1;          ///< tracking only: frame index in the sequence; -1 in object labels
  int track_id = -1;       ///< tracking only: -1 for DontCare and in object labels
  std::string type;        ///< class as written, case-sensitive ("Car", "Person", "DontCare", ...)
  double truncated = 0.0;  ///< object: 0..1 share outside the image; tracking: integer 0/1/2
  int occluded = 0;        ///< 0 visible, 1 partly, 2 largely occluded, 3 unknown; -1 DontCare
  double alpha = 0.0;      ///< observation angle [rad]
  std::array<double, 4> bbox{};  ///< 2D box in image_2 [px]: left, top, right, bottom
  geometry::KittiCameraBox
      box;  ///< h w l [m], bottom-face centre [m] and ry [rad], rectified camera 0
  std::optional<double> score;  ///< result files only
  std::size_t source_line = 0;  ///< 1-based line in the file, for messages about this row

  bool is_dont_care() const { return type == "DontCare"; }
};

/// Parses object labels: 15 columns, or 16 with score. Empty lines, trailing blanks and CRLF are
/// fine. Anything else is kMalformed naming the line and the 1-based column, e.g.
/// `label_2/000001.txt:3: column 12 (x): expected a number, found 'abc'`.
Expected<std::vector<KittiLabelRow>> parse_kitti_object_labels(std::string_view text,
                                                               const std::string& path_for_errors);

/// Parses tracking labels: 17 columns, or 18 with score (frame, track id, then the object columns).
Expected<std::vector<KittiLabelRow>> parse_kitti_tracking_labels(
    std::string_view text, const std::string& path_for_errors);

/// Reads and parses a label file; file errors as in raw_bin.hpp.
Expected<std::vector<KittiLabelRow>> read_kitti_object_labels(const std::filesystem::path& path);
Expected<std::vector<KittiLabelRow>> read_kitti_tracking_labels(const std::filesystem::path& path);

/// One row as the official files print it, newline included. Object rows use two decimals (`%.2f`)
/// and tracking rows six (`%.6f`); tracking truncation is printed as an integer when it is one, and
/// occluded always is. DontCare rows get each benchmark's own defaults (formats.md 2.1, 4.1)
/// whatever their other fields hold, and tracking DontCare rows track id -1: only the 2D box of a
/// DontCare row means anything. The score becomes a 16th/18th column only when present, with six
/// decimals in both benchmarks (detections are ranked by it). Values must be finite; the codecs
/// check before formatting.
std::string format_kitti_object_row(const KittiLabelRow& row);
std::string format_kitti_tracking_row(const KittiLabelRow& row);

}  // namespace pcanno::formats
