#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <Eigen/Core>

#include "pcanno/formats/clouds/point_cloud.hpp"
#include "pcanno/formats/clouds/reader.hpp"
#include "pcanno/formats/support/expected.hpp"

namespace pcanno::formats {

/// The public header block of a LAS 1.0-1.4 file (formats.md 9), decoded and validated. Offsets in
/// the comments are byte positions in the file. Coordinates are in the file's CRS units (usually
/// metres, sometimes US feet; the VLRs that say which are not interpreted).
struct LasHeader {
  std::uint8_t version_major = 0;  ///< byte 24; always 1 after validation
  std::uint8_t version_minor = 0;  ///< byte 25; 0-4
  /// Byte 6. Bit 0 set: GPS times are adjusted standard GPS time (seconds since the GPS epoch
  /// minus 1e9); clear: seconds of the GPS week.
  std::uint16_t global_encoding = 0;
  std::string system_identifier;       ///< byte 26, 32 chars with the NUL padding removed
  std::string generating_software;     ///< byte 58, 32 chars with the NUL padding removed
  std::uint16_t header_size = 0;       ///< [bytes] byte 94: 227 (1.0-1.2), 235 (1.3), 375 (1.4)
  std::uint32_t offset_to_points = 0;  ///< [bytes] byte 96, from the start of the file
  std::uint32_t vlr_count = 0;         ///< byte 100; VLRs are skipped, not interpreted
  std::uint8_t point_format = 0;       ///< byte 104 without the compression bits: 0-10
  std::uint16_t record_length = 0;  ///< [bytes] per point, byte 105; may exceed the format's size
  std::uint32_t legacy_point_count =
      0;  ///< byte 107; 0 in 1.4 files with formats 6-10 or > 2^32 points
  /// Points in the file: for 1.4 the 64-bit field (byte 247) unless it is 0; else the legacy count.
  std::uint64_t point_count = 0;
  Eigen::Vector3d scale = Eigen::Vector3d::Ones();   ///< [units per integer step] byte 131
  Eigen::Vector3d offset = Eigen::Vector3d::Zero();  ///< [units] byte 155
  /// [units] byte 179, as the writer claimed. Not trusted for anything: some writers store them
  /// unscaled (simple1_3.las in the shared data holds the raw integers).
  Eigen::Vector3d min = Eigen::Vector3d::Zero();
  Eigen::Vector3d max = Eigen::Vector3d::Zero();  ///< [units] byte 179, see min
  std::uint64_t waveform_start = 0;               ///< [bytes] byte 227, 1.3+; 0 = none
  std::uint64_t evlr_start = 0;                   ///< [bytes] byte 235, 1.4; 0 = none
  std::uint32_t evlr_count = 0;                   ///< byte 243, 1.4
  /// Points are LASzip-compressed: bit 7 or 6 of byte 104, or a "laszip encoded" VLR. Such files
  /// have a valid header but read_las() rejects them (kUnsupported).
  bool is_laz = false;

  /// [bytes] per point beyond the standard fields of point_format (LAS "extra bytes"); skipped.
  std::size_t extra_bytes() const;
};

/// [bytes] of the standard fields of LAS point format 0-10 (20, 28, 26, 34, 57, 63, 30, 36, 38, 59,
/// 67); 0 for any other number.
std::size_t las_point_size(int point_format);

/// How read_las_cloud() converts LAS coordinates to PointCloud's float x/y/z.
///
/// Precision: a float has 24 significant bits, so an absolute coordinate like the UTM easting
/// 637012.24 (between 2^19 and 2^20) would be stored in steps of 1/16 m, and northings in the
/// millions in steps of 0.5 m. So x/y/z hold the coordinate minus PointCloud::origin, subtracted in
/// double from the exact scaled integers: a 2 km tile keeps sub-millimetre steps, and origin +
/// x/y/z (PointCloud::point()) gives the file's coordinate back to its scale.
struct LasReadOptions {
  /// [units] The origin to subtract; tiles that must share one frame pass the same value.
  /// Default: local_origin_for() of the exact bounds of the decoded coordinates (zero for data
  /// near the CRS origin; taken from the points because the header bounds are unreliable, see
  /// LasHeader::min).
  std::optional<Eigen::Vector3d> origin;
};

/// A decoded LAS file with what the float columns cannot carry.
///
/// Columns: x, y, z [units] relative to file.cloud.origin; attributes "intensity" (uint16 as
/// stored, 0..65535), "return_number" (1-based; 3 bits in formats 0-5, 4 bits in 6-10),
/// "classification" (the class code: 8 bits in formats 6-10, the low 5 bits in 0-5 of LAS 1.1+, the
/// whole byte in LAS 1.0), "time" for formats with GPS time (1, 3-10), and "red", "green", "blue"
/// (uint16 as stored) for formats with colour (2, 3, 5, 7, 8, 10). Extra bytes, scan angle, user
/// data, point source id, NIR and waveform packets are not decoded.
struct LasCloud {
  CloudFile file;  ///< info.format "las", info.variant e.g. "1.2 format 3"
  LasHeader header;
  /// [units] Exact bounds of the decoded coordinates (scaled integers plus offset, in double),
  /// over every point record, before ReadOptions::drop_non_finite.
  Bounds3d bounds;
  /// [s] GPS time of point 0 (0 for formats without time). "time" holds GPS time minus this: as a
  /// float, an absolute adjusted standard GPS time (~1e8 s) would be quantised to 8 s and a GPS
  /// week time to 1/16 s, while relative to the first point a one-hour strip resolves 0.25 ms.
  double time_origin = 0.0;
};

/// Reads the header (and scans the VLRs for LASzip) without decoding points. Validates what
/// read_las() validates except decoding, so a LAZ file has a valid header with is_laz set. File
/// errors as in raw_bin.hpp; format errors below.
Expected<LasHeader> read_las_header(const std::filesystem::path& path);

/// Reads a LAS file. Errors, each with the byte offset of the field at fault: a file too short
/// for a header (kTruncated); no "LASF" signature (kUnknownFormat, byte 0); a version other than
/// 1.0-1.4, a point format above 10, LAZ (kUnsupported); a header size smaller than the version
/// requires, a point offset inside the header, a record length smaller than the point format, a
/// non-finite scale or offset (kMalformed); a point offset beyond the end of the file, or more
/// points than the file holds (kTruncated). Reads the header, VLRs and point records only
/// (waveform data and EVLRs after the points are neither read nor checked).
Expected<LasCloud> read_las_cloud(const std::filesystem::path& path,
                                  const LasReadOptions& las_options,
                                  const ReadOptions& options = {});

/// read_las_cloud() on bytes already in memory (any alignment); `path_for_errors` only labels
/// messages.
Expected<LasCloud> parse_las_cloud(const void* bytes, std::size_t byte_count,
                                   const LasReadOptions& las_options, const ReadOptions& options,
                                   const std::string& path_for_errors);

/// read_las_cloud() with the default origin, keeping only the CloudFile.
Expected<CloudFile> read_las(const std::filesystem::path& path, const ReadOptions& options = {});

/// parse_las_cloud() with the default origin, keeping only the CloudFile.
Expected<CloudFile> parse_las(const void* bytes, std::size_t byte_count, const ReadOptions& options,
                              const std::string& path_for_errors);

/// Registry entry: id "las", suffixes ".las" and ".laz" (so a .laz gets the clear kUnsupported
/// message rather than "unknown format"), sniff 100 on "LASF".
CloudReader make_las_reader();

}  // namespace pcanno::formats
