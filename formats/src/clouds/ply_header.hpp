#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "clouds/pcd_ply_scalar.hpp"
#include "pcanno/formats/support/expected.hpp"

namespace pcanno::formats::detail {

enum class PlyEncoding { kAscii, kBinaryLittleEndian, kBinaryBigEndian };

/// "ascii", "binary_little_endian", "binary_big_endian": the format line's word.
const char* to_string(PlyEncoding encoding);

struct PlyProperty {
  std::string name;
  ScalarType type = ScalarType::kFloat32;  ///< the value type; for lists, the item type
  bool is_list = false;
  ScalarType count_type = ScalarType::kUint8;  ///< lists only: type of the length prefix (integral)
  std::int64_t line = 0;
};

struct PlyElement {
  std::string name;
  std::uint64_t count = 0;
  std::vector<PlyProperty> properties;  ///< names unique within the element
  std::int64_t line = 0;

  bool has_lists() const;
  /// Bytes of one binary item counting every list as empty: the exact size without lists, a lower
  /// bound with them.
  std::size_t min_item_bytes() const;
};

struct PlyHeader {
  PlyEncoding encoding = PlyEncoding::kAscii;
  std::vector<PlyElement> elements;
  std::size_t data_offset = 0;  ///< first byte after the newline of `end_header`
  std::int64_t lines = 0;       ///< header lines, so ASCII data starts on line `lines + 1`
};

/// True when `head` starts with the PLY magic line: "ply" then only blanks (spaces, tabs, CR) up to
/// the newline. PDAL, PCL and Open3D accept the trailing blanks, and real writers emit them.
bool is_ply_magic(std::string_view head);

/// Parses `ply`, `format`, `element`, `property` (scalar and list, both type spellings),
/// `comment`/`obj_info` (ignored) up to `end_header`. Errors name the line: kMalformed for a bad
/// magic, an unknown keyword or type, a missing format or end_header; kUnsupported for a format
/// other than ascii / binary_little_endian / binary_big_endian 1.0.
Expected<PlyHeader> parse_ply_header(const std::uint8_t* bytes, std::size_t n,
                                     const std::string& path);

}  // namespace pcanno::formats::detail
