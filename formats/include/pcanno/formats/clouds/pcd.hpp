#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "pcanno/formats/clouds/reader.hpp"
#include "pcanno/formats/support/expected.hpp"

namespace pcanno::formats {

/// How a PCD file stores its points (the DATA line, formats.md 7).
enum class PcdDataKind {
  kAscii,             ///< one point per line, `nan` allowed
  kBinary,            ///< packed records, array of structures
  kBinaryCompressed,  ///< uint32 compressed size, uint32 raw size, LZF; raw is structure of arrays
};

/// "ascii", "binary", "binary_compressed": the DATA keyword, also CloudFileInfo::variant.
const char* to_string(PcdDataKind kind);

/// One FIELDS entry with its SIZE, TYPE and COUNT.
struct PcdField {
  std::string name;
  std::size_t size = 4;   ///< bytes per element: F 4/8, I and U 1/2/4/8
  char type = 'F';        ///< 'F' floating point, 'I' signed, 'U' unsigned integer
  std::size_t count = 1;  ///< elements per point (descriptors have dozens)
};

/// A parsed PCD header. Every field has a supported TYPE/SIZE pair and COUNT >= 1.
struct PcdHeader {
  std::string version;  ///< as written: ".5", "0.7", ...
  std::vector<PcdField> fields;
  std::uint64_t width = 0;
  std::uint64_t height = 1;  ///< > 1: organised (image-like) cloud
  /// tx ty tz qw qx qy qz; old `VERSION .5` files lack the line, and get the identity pose.
  std::array<double, 7> viewpoint = {0, 0, 0, 1, 0, 0, 0};
  std::uint64_t points = 0;  ///< POINTS, or WIDTH * HEIGHT when the line is missing
  PcdDataKind data = PcdDataKind::kAscii;
  std::size_t data_offset = 0;  ///< first byte after the newline of the DATA line

  /// Bytes per point in binary data: the sum of SIZE * COUNT.
  std::size_t point_stride() const;
};

/// Parses the header at the start of `bytes` (the data after it is not touched). Errors name the
/// line: kMalformed for broken lines, missing FIELDS/SIZE/TYPE/DATA or lists whose lengths differ;
/// kUnsupported for an unknown TYPE/SIZE pair (e.g. `F 2`), DATA kind or VERSION.
Expected<PcdHeader> parse_pcd_header(const void* bytes, std::size_t n,
                                     const std::string& path_for_errors);

/// Reads a PCD v0.5-0.7 file (ascii, binary or binary_compressed) into a cloud:
/// - x, y, z become the coordinates (as float; double and integer fields are converted). A file
///   without all three is kUnsupported.
/// - Every other field becomes a float attribute under its own name ("intensity", "normal_x",
///   "curvature", "ring", "label", ...), integers converted exactly up to 2^24.
/// - COUNT > 1: element 0 keeps the field name, element k > 0 is named "<name>_<k>" (a 3-element
///   "normal" gives "normal", "normal_1", "normal_2").
/// - `rgb` (F or U/I, 4 bytes, packed 0x00RRGGBB) becomes "red", "green", "blue" in 0..255; `rgba`
///   (0xAARRGGBB) adds "alpha". The packed value is not kept: a float holding colour bits is
///   meaningless to every consumer, and the three columns are what PLY and LAS give too.
/// - Fields named "_" are PCL's alignment padding and are skipped.
/// - The point count is POINTS (else WIDTH * HEIGHT); reads stop there and trailing bytes are
///   accepted (real files carry thousands). Data shorter than promised is kTruncated at the byte
///   where it ran out, naming the bytes expected. A corrupt LZF block is kMalformed at its byte.
/// - info.width/height are set for organised clouds (HEIGHT > 1), whose NaN points are kept.
/// options.progress is called at the start, the end and every few MB; false cancels (kCancelled).
Expected<CloudFile> read_pcd(const std::filesystem::path& path, const ReadOptions& options = {});

/// read_pcd() on bytes already in memory (any alignment). `path_for_errors` only labels messages.
Expected<CloudFile> parse_pcd(const void* bytes, std::size_t n, const ReadOptions& options,
                              const std::string& path_for_errors);

/// Registry entry: id "pcd", suffix ".pcd", sniffs "# .PCD" or a leading VERSION / FIELDS line.
CloudReader make_pcd_reader();

}  // namespace pcanno::formats
