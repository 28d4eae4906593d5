#include "pcanno/formats/clouds/raw_bin.hpp"

#include <algorithm>
#if defined(__SSE2__)
#include <xmmintrin.h>
#endif
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "support/input_file.hpp"

// The files are little-endian float32; a big-endian port needs a byte swap in deinterleave().
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "raw .bin decoding assumes a little-endian host");

namespace pcanno::formats {
namespace {

const char* record_description(RawBinLayout layout) {
  return layout == RawBinLayout::kNuscenes ? "x,y,z,intensity,ring float32"
                                           : "x,y,z,intensity float32";
}

/// Checked before any allocation, so a damaged file costs nothing to reject. The error points at
/// the incomplete last record, and when the size fits the other raw layout (a Lyft or nuScenes
/// sweep named .bin is a multiple of 20, not 16) it says how to read it as that.
Status check_record_size(std::size_t byte_count, RawBinLayout layout, const std::string& path) {
  const std::size_t record_bytes = floats_per_point(layout) * sizeof(float);
  if (byte_count % record_bytes == 0) return {};
  std::string message = std::to_string(byte_count) + " bytes is not a multiple of " +
                        std::to_string(record_bytes) + " (" + record_description(layout) + ")";
  const RawBinLayout other =
      layout == RawBinLayout::kKitti ? RawBinLayout::kNuscenes : RawBinLayout::kKitti;
  const std::size_t other_bytes = floats_per_point(other) * sizeof(float);
  if (byte_count % other_bytes == 0) {
    const bool nuscenes = other == RawBinLayout::kNuscenes;
    message += "; it is a multiple of " + std::to_string(other_bytes) + ", as " +
               (nuscenes ? "nuScenes and Lyft sweeps" : "KITTI velodyne scans") + " (" +
               record_description(other) + ") are: use --format " +
               (nuscenes ? "nuscenes-bin" : "kitti-bin");
  }
  Error error{ErrorCode::kTruncated, std::move(message), path};
  error.offset = static_cast<std::int64_t>(byte_count - byte_count % record_bytes);
  return error;
}

/// Copies `n` records starting at `bytes` into the columns from point `first` on. memcpy per
/// record: the source may be unaligned and must not be type-punned; a fixed record length lets the
/// compiler unroll it.
template <std::size_t kFloats>
void deinterleave_into(const unsigned char* bytes, std::size_t first, std::size_t n,
                       float* const* columns) {
  std::size_t i = 0;
#if defined(__SSE2__)
  if constexpr (kFloats == 4) {
    // KITTI records are exactly one SSE register: four records transpose into four columns.
    for (; i + 4 <= n; i += 4) {
      const float* src = reinterpret_cast<const float*>(bytes) + i * 4;
      __m128 r0 = _mm_loadu_ps(src), r1 = _mm_loadu_ps(src + 4);
      __m128 r2 = _mm_loadu_ps(src + 8), r3 = _mm_loadu_ps(src + 12);
      _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
      _mm_storeu_ps(columns[0] + first + i, r0);
      _mm_storeu_ps(columns[1] + first + i, r1);
      _mm_storeu_ps(columns[2] + first + i, r2);
      _mm_storeu_ps(columns[3] + first + i, r3);
    }
  }
#endif
  for (; i < n; ++i) {
    float record[kFloats];
    std::memcpy(record, bytes + i * kFloats * sizeof(float), sizeof(record));
    for (std::size_t k = 0; k < kFloats; ++k) columns[k][first + i] = record[k];
  }
}

void deinterleave_into(const unsigned char* bytes, std::size_t first, std::size_t n,
                       RawBinLayout layout, float* const* columns) {
  if (layout == RawBinLayout::kNuscenes) {
    deinterleave_into<5>(bytes, first, n, columns);
  } else {
    deinterleave_into<4>(bytes, first, n, columns);
  }
}

/// A cloud of `n` points with the layout's columns; `columns` receives their storage.
PointCloud make_cloud(std::size_t n, RawBinLayout layout, float* columns[5]) {
  PointCloud cloud;
  cloud.add_attribute(std::string(attribute_names::kIntensity));
  if (layout == RawBinLayout::kNuscenes) cloud.add_attribute(std::string(attribute_names::kRing));
  cloud.resize(n);
  columns[0] = cloud.x.data();
  columns[1] = cloud.y.data();
  columns[2] = cloud.z.data();
  columns[3] = cloud.attributes[0].values.data();
  columns[4] = layout == RawBinLayout::kNuscenes ? cloud.attributes[1].values.data() : nullptr;
  return cloud;
}

PointCloud deinterleave(const unsigned char* bytes, std::size_t n, RawBinLayout layout) {
  float* columns[5];
  PointCloud cloud = make_cloud(n, layout, columns);
  deinterleave_into(bytes, 0, n, layout, columns);
  return cloud;
}

}  // namespace

std::size_t floats_per_point(RawBinLayout layout) {
  return layout == RawBinLayout::kNuscenes ? 5 : 4;
}

Expected<PointCloud> parse_raw_bin(const void* bytes, std::size_t byte_count, RawBinLayout layout,
                                   const std::string& path_for_errors) {
  return detail::guard_allocation(path_for_errors, [&]() -> Expected<PointCloud> {
    if (Status size_ok = check_record_size(byte_count, layout, path_for_errors); !size_ok) {
      return std::move(size_ok).error();
    }
    if (byte_count == 0) return deinterleave(nullptr, 0, layout);
    const std::size_t n = byte_count / (floats_per_point(layout) * sizeof(float));
    return deinterleave(static_cast<const unsigned char*>(bytes), n, layout);
  });
}

Expected<InterleavedCloud> read_raw_bin_interleaved(const std::filesystem::path& path,
                                                    RawBinLayout layout) {
  const std::string path_string = path.string();
  return detail::guard_allocation(path_string, [&]() -> Expected<InterleavedCloud> {
    Expected<detail::InputFile> file = detail::InputFile::open(path);
    if (!file) return std::move(file).error();
    if (Status size_ok = check_record_size(file->size(), layout, path_string); !size_ok) {
      return std::move(size_ok).error();
    }
    InterleavedCloud cloud;
    cloud.floats_per_point = floats_per_point(layout);
    cloud.data.resize(file->size() / sizeof(float));
    if (Status read = file->read_exact(cloud.data.data(), file->size()); !read) {
      return std::move(read).error();
    }
    return cloud;
  });
}

Expected<PointCloud> read_raw_bin(const std::filesystem::path& path, RawBinLayout layout) {
  // Decoding straight from the mapped page cache skips the copy into a staging buffer, which is
  // what kept this at 3x the cost of a bare fread.
  Expected<detail::MappedFile> file = detail::MappedFile::open(path);
  if (!file) return std::move(file).error();
  return parse_raw_bin(file->data(), file->size(), layout, path.string());
}

Expected<PointCloud> read_kitti_bin(const std::filesystem::path& path) {
  return read_raw_bin(path, RawBinLayout::kKitti);
}

Expected<PointCloud> read_nuscenes_bin(const std::filesystem::path& path) {
  return read_raw_bin(path, RawBinLayout::kNuscenes);
}

}  // namespace pcanno::formats
