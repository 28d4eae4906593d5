#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

#include <optional>
#include <vector>

#include "pcanno/formats/clouds/point_cloud.hpp"
#include "pcanno/formats/datasets/nuscenes_db.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/support/expected.hpp"

// Private to the nuScenes writer: vocabularies, and tables, map rasters and LiDAR files as bytes.
namespace pcanno::formats::detail {

/// The 23 categories and 8 attributes of formats.md 6.5, in that order.
extern const char* const kNuscenesCategories[23];
extern const char* const kNuscenesAttributes[8];

/// Visibility tokens "1".."4" with levels v0-40 .. v80-100.
std::vector<NuscenesVisibility> nuscenes_visibilities();

/// YYYY-MM-DD (UTC) of a timestamp [us since the epoch], for log.date_captured.
std::string utc_date(std::int64_t timestamp_us);

/// The 13 table names in file-name order.
extern const char* const kNuscenesTables[13];

/// One table of `db` as the devkit's files hold it: a JSON array with indent 0 (one value per
/// line, like the published v1.0 files), fields in the published order, then each record's
/// `extra` fields in their order. Doubles are written in the shortest form that reads back to
/// the same bits. kMalformed for an unknown table name or an extra field that is not valid JSON.
Expected<std::string> nuscenes_table_json(const NuscenesDb& db, const std::string& table);

/// Writes all 13 tables to `<db.dataroot>/<db.version>/` (the folder must not exist yet).
Status write_nuscenes_tables(const NuscenesDb& db);

/// IEEE 802.3 CRC-32 (PNG chunks, zip).
std::uint32_t crc32(const std::uint8_t* bytes, std::size_t n, std::uint32_t crc = 0);

/// An 8-bit greyscale PNG of one colour, deflated with stored (uncompressed) blocks so that no zlib
/// is needed; valid for any reader. Small sizes only (the raster is a placeholder).
std::string make_grey_png(std::uint32_t width, std::uint32_t height, std::uint8_t grey);

/// A cloud as a LIDAR_TOP `.pcd.bin`: float32 x y z intensity ring per point. Intensity is the
/// "intensity" column, times 255 when `reflectance` (KITTI stores 0..1, nuScenes 0..255); ring is
/// the "ring" column or 0.
std::string to_nuscenes_bin(const PointCloud& cloud, bool reflectance);

/// The map raster of a nuScenes sequence's scene (scene.json -> log -> the first map.json record
/// covering it), when the file exists; std::nullopt for other layouts or on any problem, so the
/// caller falls back to a generated raster.
std::optional<std::filesystem::path> find_nuscenes_map_file(const Sequence& sequence);

}  // namespace pcanno::formats::detail
