#include "pcanno/formats/clouds/las.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "support/input_file.hpp"
#include "support/text_scan.hpp"

// LAS is little-endian; a big-endian port needs byte swaps in load().
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "LAS decoding assumes a little-endian host");

namespace pcanno::formats {
namespace {

constexpr std::size_t kMinHeaderSize = 227;       // LAS 1.0-1.2
constexpr std::size_t kMaxFixedHeaderSize = 375;  // LAS 1.4
constexpr std::size_t kVlrHeaderSize = 54;
constexpr std::uint16_t kLaszipRecordId = 22204;
// LASzip marks compressed points with bit 7 of the format byte; some writers used bit 6.
constexpr unsigned kCompressionBits = 0xC0;
constexpr std::size_t kProgressBytes = std::size_t{4} << 20;
constexpr const char* kLazMessage =
    "LAZ (compressed LAS) is not supported; decompress it with laszip or PDAL first";

/// memcpy, not a cast: the fields are unaligned in the file and must not be type-punned.
template <typename T>
T load(const unsigned char* bytes, std::size_t offset) {
  T value;
  std::memcpy(&value, bytes + offset, sizeof(T));
  return value;
}

Error located(ErrorCode code, std::string message, const std::string& path, std::uint64_t offset) {
  Error error{code, std::move(message), path};
  error.offset = static_cast<std::int64_t>(std::min<std::uint64_t>(
      offset, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())));
  return error;
}

Error cancelled(const std::string& path) {
  return Error{ErrorCode::kCancelled, "cancelled by the progress callback", path};
}

std::string padded_string(const unsigned char* bytes, std::size_t n) {
  std::size_t length = 0;
  while (length < n && bytes[length] != 0) ++length;
  return std::string(reinterpret_cast<const char*>(bytes), length);
}

std::size_t required_header_size(int version_minor) {
  if (version_minor <= 2) return kMinHeaderSize;
  return version_minor == 3 ? 235 : kMaxFixedHeaderSize;
}

/// IEEE conversion of an out-of-range double would give +-inf anyway, but the C++ standard leaves
/// it undefined, and damaged scale factors do produce such values.
float to_float(double value) {
  constexpr double kMax = std::numeric_limits<float>::max();
  if (value > kMax) return std::numeric_limits<float>::infinity();
  if (value < -kMax) return -std::numeric_limits<float>::infinity();
  return static_cast<float>(value);
}

/// A validated header plus where the evidence of compression is, for the error message.
struct HeaderScan {
  LasHeader header;
  std::uint64_t laz_offset = 0;
  bool laz_from_vlr = false;
};

/// Looks for the LASzip VLR, because a .laz written without the format-byte bits is only
/// recognisable by it. VLR counts and lengths are not trusted: the walk stops at the point data or
/// at the last byte available.
void scan_vlrs_for_laszip(const unsigned char* bytes, std::size_t available, HeaderScan& scan) {
  const LasHeader& h = scan.header;
  const std::size_t end = std::min<std::size_t>(h.offset_to_points, available);
  std::size_t pos = h.header_size;
  for (std::uint32_t i = 0; i < h.vlr_count && pos <= end && end - pos >= kVlrHeaderSize; ++i) {
    const std::string user_id = padded_string(bytes + pos + 2, 16);
    if (user_id == "laszip encoded" && load<std::uint16_t>(bytes, pos + 18) == kLaszipRecordId) {
      scan.header.is_laz = true;
      scan.laz_offset = pos;
      scan.laz_from_vlr = true;
      return;
    }
    pos += kVlrHeaderSize + load<std::uint16_t>(bytes, pos + 20);
  }
}

/// Validates the header in `bytes[0, available)`; `file_size` is the size of the whole file (the
/// caller may hold only its start).
Expected<HeaderScan> decode_header(const unsigned char* bytes, std::size_t available,
                                   std::uint64_t file_size, const std::string& path) {
  if (file_size == 0) return detail::empty_file_error(path, "a LAS header");
  const std::size_t signature_bytes = std::min<std::size_t>(available, 4);
  if (signature_bytes != 0 && std::memcmp(bytes, "LASF", signature_bytes) != 0) {
    return located(
        ErrorCode::kUnknownFormat,
        "expected the LAS signature \"LASF\", found \"" +
            detail::escape_bytes(
                std::string_view(reinterpret_cast<const char*>(bytes), signature_bytes), "\\\"") +
            "\"",
        path, 0);
  }
  if (available < kMinHeaderSize) {
    return located(ErrorCode::kTruncated,
                   "the file ends after " + std::to_string(available) +
                       " bytes, but a LAS header needs at least " + std::to_string(kMinHeaderSize),
                   path, available);
  }

  HeaderScan scan;
  LasHeader& h = scan.header;
  h.version_major = bytes[24];
  h.version_minor = bytes[25];
  const std::string version =
      std::to_string(h.version_major) + "." + std::to_string(h.version_minor);
  if (h.version_major != 1 || h.version_minor > 4) {
    return located(ErrorCode::kUnsupported,
                   "LAS version " + version + " is not supported (expected 1.0-1.4)", path, 24);
  }
  const std::size_t required = required_header_size(h.version_minor);
  if (available < required) {
    return located(ErrorCode::kTruncated,
                   "the file ends after " + std::to_string(available) + " bytes, but a LAS " +
                       version + " header needs " + std::to_string(required),
                   path, available);
  }
  h.global_encoding = load<std::uint16_t>(bytes, 6);
  h.system_identifier = padded_string(bytes + 26, 32);
  h.generating_software = padded_string(bytes + 58, 32);
  h.header_size = load<std::uint16_t>(bytes, 94);
  if (h.header_size < required) {
    return located(ErrorCode::kMalformed,
                   "header size " + std::to_string(h.header_size) + " is smaller than the " +
                       std::to_string(required) + " bytes LAS " + version + " requires",
                   path, 94);
  }
  if (h.header_size > file_size) {
    return located(ErrorCode::kTruncated,
                   "header size " + std::to_string(h.header_size) + " exceeds the file size " +
                       std::to_string(file_size),
                   path, 94);
  }
  h.offset_to_points = load<std::uint32_t>(bytes, 96);
  if (h.offset_to_points < h.header_size) {
    return located(ErrorCode::kMalformed,
                   "point data offset " + std::to_string(h.offset_to_points) + " lies inside the " +
                       std::to_string(h.header_size) + "-byte header",
                   path, 96);
  }
  if (h.offset_to_points > file_size) {
    return located(ErrorCode::kTruncated,
                   "point data offset " + std::to_string(h.offset_to_points) +
                       " is beyond the end of the file (" + std::to_string(file_size) + " bytes)",
                   path, 96);
  }
  h.vlr_count = load<std::uint32_t>(bytes, 100);

  const unsigned format_byte = bytes[104];
  h.point_format = static_cast<std::uint8_t>(format_byte & ~kCompressionBits);
  const std::size_t point_size = las_point_size(h.point_format);
  if (point_size == 0) {
    return located(
        ErrorCode::kUnsupported,
        "point format " + std::to_string(h.point_format) + " is not supported (expected 0-10)",
        path, 104);
  }
  if ((format_byte & kCompressionBits) != 0) {
    h.is_laz = true;
    scan.laz_offset = 104;
  }
  h.record_length = load<std::uint16_t>(bytes, 105);
  if (h.record_length < point_size) {
    return located(ErrorCode::kMalformed,
                   "record length " + std::to_string(h.record_length) + " is smaller than the " +
                       std::to_string(point_size) + " bytes of point format " +
                       std::to_string(h.point_format),
                   path, 105);
  }
  h.legacy_point_count = load<std::uint32_t>(bytes, 107);

  static const char* const kAxis[] = {"x", "y", "z"};
  for (int k = 0; k < 3; ++k) {
    h.scale[k] = load<double>(bytes, 131 + 8 * k);
    h.offset[k] = load<double>(bytes, 155 + 8 * k);
    h.max[k] = load<double>(bytes, 179 + 16 * k);
    h.min[k] = load<double>(bytes, 187 + 16 * k);
    if (!std::isfinite(h.scale[k])) {
      return located(ErrorCode::kMalformed,
                     std::string(kAxis[k]) + " scale factor is not a finite number", path,
                     131 + 8 * k);
    }
    if (!std::isfinite(h.offset[k])) {
      return located(ErrorCode::kMalformed,
                     std::string(kAxis[k]) + " offset is not a finite number", path, 155 + 8 * k);
    }
  }

  h.point_count = h.legacy_point_count;
  if (h.version_minor >= 3) h.waveform_start = load<std::uint64_t>(bytes, 227);
  if (h.version_minor >= 4) {
    h.evlr_start = load<std::uint64_t>(bytes, 235);
    h.evlr_count = load<std::uint32_t>(bytes, 243);
    const std::uint64_t count64 = load<std::uint64_t>(bytes, 247);
    // 1.4 deprecates the legacy count (0 for formats 6-10); a writer that left the new field 0
    // still meant the legacy one.
    if (count64 != 0) h.point_count = count64;
  }

  if (!h.is_laz) scan_vlrs_for_laszip(bytes, available, scan);
  if (h.is_laz) return scan;  // compressed points have no fixed size to check

  const std::uint64_t room = file_size - h.offset_to_points;
  const std::uint64_t fits = room / h.record_length;
  if (h.point_count > fits) {
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    const std::string promised = h.point_count <= kMax / h.record_length
                                     ? std::to_string(h.point_count * h.record_length)
                                     : "more than " + std::to_string(kMax);
    return located(ErrorCode::kTruncated,
                   "header promises " + std::to_string(h.point_count) + " points of " +
                       std::to_string(h.record_length) + " bytes (" + promised +
                       " bytes) from offset " + std::to_string(h.offset_to_points) +
                       ", but the file ends at " + std::to_string(file_size) + " (room for " +
                       std::to_string(fits) + " points)",
                   path, h.offset_to_points + fits * h.record_length);
  }
  return scan;
}

Error laz_error(const HeaderScan& scan, const std::string& path) {
  const std::string evidence = scan.laz_from_vlr
                                   ? " (a \"laszip encoded\" VLR is present)"
                                   : " (the point format byte has a compression bit set)";
  return located(ErrorCode::kUnsupported, kLazMessage + evidence, path, scan.laz_offset);
}

/// Where a point format keeps the decoded fields, as byte offsets into the record (-1: absent).
struct PointLayout {
  std::size_t class_offset = 15;
  unsigned return_mask = 0x07;
  unsigned class_mask = 0x1f;
  int time_offset = -1;
  int rgb_offset = -1;
};

PointLayout layout_for(const LasHeader& h) {
  const int f = h.point_format;
  PointLayout layout;
  if (f >= 6) {
    layout.class_offset = 16;
    layout.return_mask = 0x0f;
    layout.class_mask = 0xff;
    layout.time_offset = 22;
    if (f == 7 || f == 8 || f == 10) layout.rgb_offset = 30;
    return layout;
  }
  // LAS 1.0 had no classification flag bits; the whole byte was the class.
  if (h.version_minor == 0) layout.class_mask = 0xff;
  if (f == 1 || f >= 3) layout.time_offset = 20;
  if (f == 2) layout.rgb_offset = 20;
  if (f == 3 || f == 5) layout.rgb_offset = 28;
  return layout;
}

/// The exact bounds of the coordinates, from the scaled integers in double.
Bounds3d data_bounds(const unsigned char* points, const LasHeader& h) {
  Bounds3d bounds;
  for (std::uint64_t i = 0; i < h.point_count; ++i) {
    const unsigned char* record = points + i * h.record_length;
    Eigen::Vector3d p;
    for (int k = 0; k < 3; ++k) p[k] = load<std::int32_t>(record, 4 * k) * h.scale[k] + h.offset[k];
    bounds.add(p);
  }
  return bounds;
}

/// Decodes the records at `points`; decode_header() has checked that they lie inside the buffer.
Expected<LasCloud> decode_points(const unsigned char* points, LasHeader header,
                                 const LasReadOptions& las_options, const ReadOptions& options,
                                 const std::string& path) {
  LasCloud out;
  const std::size_t n = static_cast<std::size_t>(header.point_count);
  const std::size_t stride = header.record_length;
  const PointLayout layout = layout_for(header);
  out.bounds = data_bounds(points, header);
  PointCloud& cloud = out.file.cloud;
  cloud.origin = las_options.origin ? *las_options.origin : local_origin_for(out.bounds);
  out.file.info.declared_bounds.emplace();
  out.file.info.declared_bounds->min = header.min;
  out.file.info.declared_bounds->max = header.max;
  if (layout.time_offset >= 0 && n > 0) {
    out.time_origin = load<double>(points, static_cast<std::size_t>(layout.time_offset));
  }

  cloud.add_attribute(std::string(attribute_names::kIntensity));
  cloud.add_attribute(std::string(attribute_names::kReturnNumber));
  cloud.add_attribute(std::string(attribute_names::kClassification));
  if (layout.time_offset >= 0) cloud.add_attribute(std::string(attribute_names::kTime));
  if (layout.rgb_offset >= 0) {
    cloud.add_attribute("red");
    cloud.add_attribute("green");
    cloud.add_attribute("blue");
  }
  cloud.resize(n);
  float* const xyz[3] = {cloud.x.data(), cloud.y.data(), cloud.z.data()};
  float* const intensity = cloud.attribute(attribute_names::kIntensity)->data();
  float* const return_number = cloud.attribute(attribute_names::kReturnNumber)->data();
  float* const classification = cloud.attribute(attribute_names::kClassification)->data();
  float* const time =
      layout.time_offset >= 0 ? cloud.attribute(attribute_names::kTime)->data() : nullptr;
  float* const rgb[3] = {
      layout.rgb_offset >= 0 ? cloud.attribute("red")->data() : nullptr,
      layout.rgb_offset >= 0 ? cloud.attribute("green")->data() : nullptr,
      layout.rgb_offset >= 0 ? cloud.attribute("blue")->data() : nullptr,
  };

  const std::size_t points_per_report = std::max<std::size_t>(1, kProgressBytes / stride);
  for (std::size_t i = 0; i < n; ++i) {
    if (i != 0 && i % points_per_report == 0 && options.progress &&
        !options.progress(static_cast<double>(i) / static_cast<double>(n))) {
      return cancelled(path);
    }
    const unsigned char* record = points + i * stride;
    for (int k = 0; k < 3; ++k) {
      const double v = load<std::int32_t>(record, 4 * k) * header.scale[k] + header.offset[k];
      xyz[k][i] = to_float(v - cloud.origin[k]);
    }
    intensity[i] = load<std::uint16_t>(record, 12);
    return_number[i] = static_cast<float>(record[14] & layout.return_mask);
    classification[i] = static_cast<float>(record[layout.class_offset] & layout.class_mask);
    if (time != nullptr) {
      time[i] = to_float(load<double>(record, static_cast<std::size_t>(layout.time_offset)) -
                         out.time_origin);
    }
    if (rgb[0] != nullptr) {
      for (int c = 0; c < 3; ++c) {
        rgb[c][i] =
            load<std::uint16_t>(record, static_cast<std::size_t>(layout.rgb_offset) + 2 * c);
      }
    }
  }

  out.file.info.format = "las";
  out.file.info.variant = std::to_string(header.version_major) + "." +
                          std::to_string(header.version_minor) + " format " +
                          std::to_string(header.point_format);
  if (options.drop_non_finite) out.file.info.dropped_non_finite = remove_non_finite(cloud);
  out.header = std::move(header);
  if (options.progress && !options.progress(1.0)) return cancelled(path);
  return out;
}

/// Grows `buffer` to `size` bytes with the next bytes of `file`.
Status read_more(detail::InputFile& file, std::vector<unsigned char>& buffer, std::size_t size) {
  if (size <= buffer.size()) return {};
  const std::size_t have = buffer.size();
  buffer.resize(size);
  return file.read_exact(buffer.data() + have, size - have);
}

/// Reads the header and the VLRs (but no points) of `file` into `buffer`.
Expected<HeaderScan> read_header_bytes(detail::InputFile& file, std::vector<unsigned char>& buffer,
                                       const std::string& path) {
  const std::size_t size = file.size();
  if (Status read = read_more(file, buffer, std::min(size, kMaxFixedHeaderSize)); !read) {
    return std::move(read).error();
  }
  // The VLRs sit between the header and the points; they are needed to recognise LASzip.
  if (buffer.size() >= 100 && std::memcmp(buffer.data(), "LASF", 4) == 0) {
    const std::size_t points_at = load<std::uint32_t>(buffer.data(), 96);
    if (points_at <= size) {
      if (Status read = read_more(file, buffer, points_at); !read) return std::move(read).error();
    }
  }
  return decode_header(buffer.data(), buffer.size(), size, path);
}

}  // namespace

std::size_t LasHeader::extra_bytes() const {
  const std::size_t standard = las_point_size(point_format);
  return record_length > standard ? record_length - standard : 0;
}

std::size_t las_point_size(int point_format) {
  static const std::size_t kSizes[] = {20, 28, 26, 34, 57, 63, 30, 36, 38, 59, 67};
  if (point_format < 0 || point_format > 10) return 0;
  return kSizes[point_format];
}

Expected<LasHeader> read_las_header(const std::filesystem::path& path) {
  const std::string path_string = path.string();
  return detail::guard_allocation(path_string, [&]() -> Expected<LasHeader> {
    Expected<detail::InputFile> file = detail::InputFile::open(path);
    if (!file) return std::move(file).error();
    std::vector<unsigned char> buffer;
    Expected<HeaderScan> scan = read_header_bytes(*file, buffer, path_string);
    if (!scan) return std::move(scan).error();
    return std::move(scan->header);
  });
}

Expected<LasCloud> read_las_cloud(const std::filesystem::path& path,
                                  const LasReadOptions& las_options, const ReadOptions& options) {
  const std::string path_string = path.string();
  return detail::guard_allocation(path_string, [&]() -> Expected<LasCloud> {
    if (options.progress && !options.progress(0.0)) return cancelled(path_string);
    Expected<detail::InputFile> file = detail::InputFile::open(path);
    if (!file) return std::move(file).error();
    std::vector<unsigned char> buffer;
    Expected<HeaderScan> scan = read_header_bytes(*file, buffer, path_string);
    if (!scan) return std::move(scan).error();
    if (scan->header.is_laz) return laz_error(*scan, path_string);
    // decode_header() checked that the points end inside the file, so this cannot overflow.
    const LasHeader& h = scan->header;
    const std::size_t points_end = h.offset_to_points + h.point_count * h.record_length;
    if (Status read = read_more(*file, buffer, points_end); !read) return std::move(read).error();
    return decode_points(buffer.data() + h.offset_to_points, std::move(scan->header), las_options,
                         options, path_string);
  });
}

Expected<LasCloud> parse_las_cloud(const void* bytes, std::size_t byte_count,
                                   const LasReadOptions& las_options, const ReadOptions& options,
                                   const std::string& path_for_errors) {
  return detail::guard_allocation(path_for_errors, [&]() -> Expected<LasCloud> {
    if (options.progress && !options.progress(0.0)) return cancelled(path_for_errors);
    static const unsigned char kNothing = 0;
    const unsigned char* data =
        byte_count == 0 ? &kNothing : static_cast<const unsigned char*>(bytes);
    Expected<HeaderScan> scan = decode_header(data, byte_count, byte_count, path_for_errors);
    if (!scan) return std::move(scan).error();
    if (scan->header.is_laz) return laz_error(*scan, path_for_errors);
    return decode_points(data + scan->header.offset_to_points, std::move(scan->header), las_options,
                         options, path_for_errors);
  });
}

Expected<CloudFile> read_las(const std::filesystem::path& path, const ReadOptions& options) {
  Expected<LasCloud> las = read_las_cloud(path, LasReadOptions{}, options);
  if (!las) return std::move(las).error();
  return std::move(las->file);
}

Expected<CloudFile> parse_las(const void* bytes, std::size_t byte_count, const ReadOptions& options,
                              const std::string& path_for_errors) {
  Expected<LasCloud> las =
      parse_las_cloud(bytes, byte_count, LasReadOptions{}, options, path_for_errors);
  if (!las) return std::move(las).error();
  return std::move(las->file);
}

CloudReader make_las_reader() {
  CloudReader reader;
  reader.id = "las";
  reader.description = "ASPRS LAS 1.0-1.4, point formats 0-10 (LAZ is recognised, not decoded)";
  reader.suffixes = {".las", ".laz"};
  reader.sniff = [](const std::uint8_t* head, std::size_t n) {
    return n >= 4 && std::memcmp(head, "LASF", 4) == 0 ? 100 : 0;
  };
  reader.read = [](const std::filesystem::path& path, const ReadOptions& options) {
    return read_las(path, options);
  };
  return reader;
}

}  // namespace pcanno::formats
