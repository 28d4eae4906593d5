#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "pcanno/formats/clouds/point_cloud.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/geometry/point_view.hpp"

namespace pcanno::formats {

/// Headerless little-endian float32 point files. Nothing in the bytes says which layout a file has,
/// so the caller (suffix or dataset layout) decides.
enum class RawBinLayout {
  kKitti,     ///< `velodyne/*.bin`: x y z reflectance, 16 B/point (formats.md 1)
  kNuscenes,  ///< LIDAR_TOP `.pcd.bin`: x y z intensity ring, 20 B/point (formats.md 6.4)
};

/// 4 for kKitti, 5 for kNuscenes.
std::size_t floats_per_point(RawBinLayout layout);

/// The records exactly as stored, for callers that can use an interleaved view without a copy.
struct InterleavedCloud {
  std::vector<float> data;           ///< point i at data[i * floats_per_point], x y z first [m]
  std::size_t floats_per_point = 4;  ///< record length in floats

  std::size_t size() const { return floats_per_point == 0 ? 0 : data.size() / floats_per_point; }
  geometry::PointView view() const {
    return geometry::PointView::interleaved(data.data(), size(), floats_per_point);
  }
};

/// Reads a KITTI `.bin`. Columns x, y, z [m] (Velodyne frame) and attribute "intensity" (0..1).
/// A 0-byte file is a valid cloud of 0 points (N = size / 16); a size that is not a multiple of 16
/// is kTruncated; a missing file kNotFound; a failed read kIo. Non-finite values are kept as
/// stored.
Expected<PointCloud> read_kitti_bin(const std::filesystem::path& path);

/// Reads a nuScenes LIDAR_TOP `.pcd.bin` (not a PCD file). Columns x, y, z [m] (LiDAR frame) and
/// attributes "intensity" (0..255) and "ring" (0..31, stored as float like the file). Errors as
/// read_kitti_bin, with 20.
Expected<PointCloud> read_nuscenes_bin(const std::filesystem::path& path);

/// Either of the above, by layout.
Expected<PointCloud> read_raw_bin(const std::filesystem::path& path, RawBinLayout layout);

/// One read into interleaved storage, without de-interleaving.
Expected<InterleavedCloud> read_raw_bin_interleaved(const std::filesystem::path& path,
                                                    RawBinLayout layout);

/// Decodes bytes already in memory (any alignment). `path_for_errors` only labels messages.
Expected<PointCloud> parse_raw_bin(const void* bytes, std::size_t byte_count, RawBinLayout layout,
                                   const std::string& path_for_errors);

}  // namespace pcanno::formats
