#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pcanno/formats/clouds/las.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;
using test::shared_data_dir;

fs::path las_file(const std::string& name) { return shared_data_dir() / "las" / name; }

template <typename T>
T get(const std::string& bytes, std::size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

template <typename T>
void put(std::string& bytes, std::size_t offset, T value) {
  std::memcpy(&bytes[offset], &value, sizeof(T));
}

/// A deliberately naive decoder written from the offsets in formats.md 9, independent of las.cpp.
struct RawLas {
  std::string bytes;
  int minor = 0;
  int format = 0;
  std::size_t record_length = 0;
  std::size_t points_at = 0;
  std::uint64_t count = 0;
  double scale[3] = {};
  double offset[3] = {};

  explicit RawLas(std::string b) : bytes(std::move(b)) {
    minor = static_cast<unsigned char>(bytes[25]);
    format = static_cast<unsigned char>(bytes[104]) & 0x3f;
    record_length = get<std::uint16_t>(bytes, 105);
    points_at = get<std::uint32_t>(bytes, 96);
    count = get<std::uint32_t>(bytes, 107);
    if (minor >= 4) count = get<std::uint64_t>(bytes, 247);
    for (int k = 0; k < 3; ++k) {
      scale[k] = get<double>(bytes, 131 + 8 * k);
      offset[k] = get<double>(bytes, 155 + 8 * k);
    }
  }
  std::size_t at(std::uint64_t i) const { return points_at + i * record_length; }
  std::int32_t integer(std::uint64_t i, int k) const {
    return get<std::int32_t>(bytes, at(i) + 4 * k);
  }
  double coordinate(std::uint64_t i, int k) const { return integer(i, k) * scale[k] + offset[k]; }
  /// True when `p` [units] is point i's coordinate to within a tenth of the scale, so that it
  /// rounds back to the stored integers; for scales finer than a millimetre (test1_4.las: 1.2e-6)
  /// to 0.1 mm, what float offsets across a tile can hold.
  bool exact(std::uint64_t i, const Eigen::Vector3d& p) const {
    for (int k = 0; k < 3; ++k) {
      const double tolerance = std::max(0.1 * scale[k], 1e-4);
      if (std::abs(p[k] - coordinate(i, k)) > tolerance) return false;
    }
    return true;
  }
  unsigned intensity(std::uint64_t i) const { return get<std::uint16_t>(bytes, at(i) + 12); }
  unsigned return_number(std::uint64_t i) const {
    const unsigned b = static_cast<unsigned char>(bytes[at(i) + 14]);
    return format >= 6 ? (b & 0x0f) : (b & 0x07);
  }
  unsigned classification(std::uint64_t i) const {
    return format >= 6 ? static_cast<unsigned char>(bytes[at(i) + 16])
                       : static_cast<unsigned char>(bytes[at(i) + 15]) & 0x1f;
  }
};

struct DataFile {
  const char* name;
  std::uint64_t points;
  int minor;
  int format;
  int record_length;
};

// The data README's las/ table.
const DataFile kDataFiles[] = {
    {"simple1_1.las", 1065, 1, 1, 28},  {"simple.las", 1065, 2, 3, 34},
    {"autzen.las", 106, 2, 1, 28},      {"simple1_3.las", 999, 3, 4, 57},
    {"test1_4.las", 1000, 4, 6, 30},    {"1_4_w_evlr.las", 1000, 4, 6, 30},
    {"simple1_4.las", 22600, 4, 7, 36}, {"extrabytes.las", 1065, 4, 3, 61},
};

void expect_columns_consistent(const PointCloud& cloud) {
  EXPECT_EQ(cloud.y.size(), cloud.size());
  EXPECT_EQ(cloud.z.size(), cloud.size());
  for (const PointAttribute& a : cloud.attributes)
    EXPECT_EQ(a.values.size(), cloud.size()) << a.name;
}

TEST(LasRead, EveryDataFileHasTheReadmeCountVersionAndFormat) {
  for (const DataFile& f : kDataFiles) {
    SCOPED_TRACE(f.name);
    const fs::path file = las_file(f.name);
    PCANNO_REQUIRE_DATA(file);
    const Expected<LasCloud> las = read_las_cloud(file, LasReadOptions{});
    ASSERT_TRUE(las) << las.error().describe();
    EXPECT_EQ(las->file.cloud.size(), f.points);
    EXPECT_EQ(las->header.point_count, f.points);
    EXPECT_EQ(las->header.version_major, 1);
    EXPECT_EQ(las->header.version_minor, f.minor);
    EXPECT_EQ(las->header.point_format, f.format);
    EXPECT_EQ(las->header.record_length, f.record_length);
    EXPECT_FALSE(las->header.is_laz);
    EXPECT_EQ(las->file.info.format, "las");
    EXPECT_EQ(las->file.info.variant,
              "1." + std::to_string(f.minor) + " format " + std::to_string(f.format));
    expect_columns_consistent(las->file.cloud);
    EXPECT_NE(las->file.cloud.attribute("intensity"), nullptr);
    EXPECT_NE(las->file.cloud.attribute("classification"), nullptr);
    EXPECT_NE(las->file.cloud.attribute("return_number"), nullptr);
    const bool has_time = f.format != 0 && f.format != 2;
    EXPECT_EQ(las->file.cloud.attribute("time") != nullptr, has_time);
    const bool has_rgb = f.format == 3 || f.format == 5 || f.format == 7;
    EXPECT_EQ(las->file.cloud.attribute("red") != nullptr, has_rgb);
    EXPECT_EQ(las->file.cloud.attribute("blue") != nullptr, has_rgb);

    const Expected<LasHeader> header = read_las_header(file);
    ASSERT_TRUE(header) << header.error().describe();
    EXPECT_EQ(header->point_count, f.points);
    EXPECT_EQ(header->offset_to_points, las->header.offset_to_points);

    // The plain API agrees with the detailed one.
    const Expected<CloudFile> plain = read_las(file);
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->cloud.x, las->file.cloud.x);
  }
}

TEST(LasRead, SimpleFirstPointMatchesTheDocumentedValues) {
  const fs::path file = las_file("simple.las");
  PCANNO_REQUIRE_DATA(file);
  const Expected<CloudFile> las = read_las(file);
  ASSERT_TRUE(las) << las.error().describe();
  const PointCloud& c = las->cloud;
  // Relative to a local origin, in double: exact to the file's 0.01 scale.
  EXPECT_NEAR(c.point(0).x(), 637012.24, 1e-4);
  EXPECT_NEAR(c.point(0).y(), 849028.31, 1e-4);
  EXPECT_NEAR(c.point(0).z(), 431.66, 1e-4);
  EXPECT_EQ((*c.attribute("intensity"))[0], 143.0f);
  EXPECT_EQ((*c.attribute("red"))[0], 68.0f);
  EXPECT_EQ((*c.attribute("green"))[0], 77.0f);
  EXPECT_EQ((*c.attribute("blue"))[0], 88.0f);
  EXPECT_EQ((*c.attribute("time"))[0], 0.0f);  // relative to the first point
}

TEST(LasRead, LocalOriginKeepsEveryCoordinateExact) {
  const fs::path file = las_file("simple.las");
  PCANNO_REQUIRE_DATA(file);
  const Expected<LasCloud> las = read_las_cloud(file, LasReadOptions{});
  ASSERT_TRUE(las) << las.error().describe();
  const RawLas raw(test::slurp(file));
  const PointCloud& c = las->file.cloud;
  // Default origin: the middle of the data's x and y rounded to a metre (the README's bounds
  // 635619.85..638982.55, 848899.70..853535.43); z (406.59..586.38) stays absolute.
  EXPECT_EQ(c.origin, Eigen::Vector3d(637301.0, 851218.0, 0.0));
  for (std::uint64_t i = 0; i < raw.count; ++i) {
    ASSERT_TRUE(raw.exact(i, c.point(i))) << i << ": " << c.point(i).transpose();
  }
  // The exact bounds, and the header's as written.
  EXPECT_NEAR(las->bounds.min.x(), 635619.85, 1e-6);
  EXPECT_NEAR(las->bounds.max.y(), 853535.43, 1e-6);
  ASSERT_TRUE(las->file.info.declared_bounds);
  EXPECT_EQ(las->file.info.declared_bounds->min, las->header.min);
  // The GPS time of point 0 is kept in double for the relative "time" column.
  EXPECT_EQ(las->time_origin, get<double>(raw.bytes, raw.at(0) + 20));

  // An explicit origin (shared by neighbouring tiles) is used as given.
  LasReadOptions shared_origin;
  shared_origin.origin = Eigen::Vector3d(637000.0, 849000.0, 0.0);
  const Expected<LasCloud> shared = read_las_cloud(file, shared_origin);
  ASSERT_TRUE(shared);
  EXPECT_EQ(shared->file.cloud.origin, *shared_origin.origin);
  EXPECT_NEAR(shared->file.cloud.x[0], 12.24, 1e-5);
  EXPECT_NEAR(shared->file.cloud.y[0], 28.31, 1e-5);
}

TEST(LasRead, FieldsAgreeWithAnIndependentDecoder) {
  for (const DataFile& f : kDataFiles) {
    SCOPED_TRACE(f.name);
    const fs::path file = las_file(f.name);
    PCANNO_REQUIRE_DATA(file);
    const RawLas raw(test::slurp(file));
    const Expected<CloudFile> las = read_las(file);
    ASSERT_TRUE(las) << las.error().describe();
    const PointCloud& c = las->cloud;
    ASSERT_EQ(c.size(), raw.count);
    std::uint64_t sums[3] = {}, expected[3] = {};
    for (std::uint64_t i = 0; i < raw.count; ++i) {
      ASSERT_TRUE(raw.exact(i, c.point(i))) << i << ": " << c.point(i).transpose();
      sums[0] += static_cast<std::uint64_t>((*c.attribute("intensity"))[i]);
      sums[1] += static_cast<std::uint64_t>((*c.attribute("classification"))[i]);
      sums[2] += static_cast<std::uint64_t>((*c.attribute("return_number"))[i]);
      expected[0] += raw.intensity(i);
      expected[1] += raw.classification(i);
      expected[2] += raw.return_number(i);
    }
    EXPECT_EQ(sums[0], expected[0]) << "intensity";
    EXPECT_EQ(sums[1], expected[1]) << "classification";
    EXPECT_EQ(sums[2], expected[2]) << "return_number";
  }
}

TEST(LasRead, Las14WithEvlrUsesThe64BitCount) {
  const fs::path file = las_file("1_4_w_evlr.las");
  const fs::path twin = las_file("test1_4.las");
  PCANNO_REQUIRE_DATA(file);
  PCANNO_REQUIRE_DATA(twin);
  const Expected<LasHeader> header = read_las_header(file);
  ASSERT_TRUE(header) << header.error().describe();
  EXPECT_EQ(header->legacy_point_count, 0u);  // formats.md 9
  EXPECT_EQ(header->point_count, 1000u);
  EXPECT_EQ(header->evlr_count, 1u);
  EXPECT_GT(header->evlr_start, 0u);
  // The same 1000 point records as test1_4.las, followed by one EVLR.
  const Expected<CloudFile> a = read_las(file);
  const Expected<CloudFile> b = read_las(twin);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->cloud.x, b->cloud.x);
  EXPECT_EQ(a->cloud.z, b->cloud.z);
  EXPECT_EQ(*a->cloud.attribute("time"), *b->cloud.attribute("time"));
}

// Checked against the data first: all 1065 records of extrabytes.las start with the same 34 bytes
// as simple.las's records, with the same scale and offset (0.0 instead of -0.0).
TEST(LasRead, ExtraBytesAreSkipped) {
  const fs::path file = las_file("extrabytes.las");
  const fs::path simple = las_file("simple.las");
  PCANNO_REQUIRE_DATA(file);
  PCANNO_REQUIRE_DATA(simple);
  const Expected<LasCloud> extra = read_las_cloud(file, LasReadOptions{});
  const Expected<CloudFile> plain = read_las(simple);
  ASSERT_TRUE(extra && plain);
  EXPECT_EQ(extra->header.record_length, 61);
  EXPECT_EQ(extra->header.extra_bytes(), 27u);
  const PointCloud& e = extra->file.cloud;
  const PointCloud& p = plain->cloud;
  EXPECT_EQ(e.x, p.x);
  EXPECT_EQ(e.y, p.y);
  EXPECT_EQ(e.z, p.z);
  for (const char* name :
       {"intensity", "classification", "return_number", "time", "red", "green", "blue"}) {
    EXPECT_EQ(*e.attribute(name), *p.attribute(name)) << name;
  }
}

TEST(LasRead, LazIsUnsupportedWithAClearMessage) {
  const fs::path file = las_file("simple.laz");
  PCANNO_REQUIRE_DATA(file);
  const Expected<CloudFile> las = read_las(file);
  ASSERT_FALSE(las);
  EXPECT_EQ(las.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(las.error().message.find("LAZ (compressed LAS) is not supported"), std::string::npos);
  EXPECT_NE(las.error().message.find("laszip or PDAL"), std::string::npos);
  EXPECT_EQ(las.error().offset, 104);
  // The header itself is valid and says what the file is.
  const Expected<LasHeader> header = read_las_header(file);
  ASSERT_TRUE(header) << header.error().describe();
  EXPECT_TRUE(header->is_laz);
  EXPECT_EQ(header->point_format, 3);
  EXPECT_EQ(header->point_count, 1065u);

  // Without the format-byte bit the LASzip VLR still gives it away.
  std::string bytes = test::slurp(file);
  bytes[104] = 3;
  const Expected<CloudFile> unmarked = parse_las(bytes.data(), bytes.size(), {}, "unmarked.laz");
  ASSERT_FALSE(unmarked);
  EXPECT_EQ(unmarked.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(unmarked.error().message.find("LAZ"), std::string::npos);
  EXPECT_NE(unmarked.error().message.find("VLR"), std::string::npos);
}

TEST(LasRead, RegistryEntrySniffsAndReads) {
  const fs::path file = las_file("autzen.las");
  PCANNO_REQUIRE_DATA(file);
  const CloudReader reader = make_las_reader();
  EXPECT_EQ(reader.id, "las");
  EXPECT_EQ(reader.suffixes, (std::vector<std::string>{".las", ".laz"}));
  const std::uint8_t las_head[] = {'L', 'A', 'S', 'F', 0};
  const std::uint8_t pcd_head[] = {'#', ' ', '.', 'P', 'C'};
  EXPECT_EQ(reader.sniff(las_head, sizeof(las_head)), 100);
  EXPECT_EQ(reader.sniff(pcd_head, sizeof(pcd_head)), 0);
  EXPECT_EQ(reader.sniff(las_head, 3), 0);
  CloudReaderRegistry registry;
  registry.add(make_las_reader());
  const Expected<CloudFile> las = registry.read(file);
  ASSERT_TRUE(las) << las.error().describe();
  EXPECT_EQ(las->cloud.size(), 106u);
  EXPECT_EQ(las->info.variant, "1.2 format 1");
}

TEST(LasRead, PointSizesFollowTheSpecification) {
  const std::size_t sizes[] = {20, 28, 26, 34, 57, 63, 30, 36, 38, 59, 67};  // formats.md 9
  for (int f = 0; f <= 10; ++f) EXPECT_EQ(las_point_size(f), sizes[f]) << f;
  EXPECT_EQ(las_point_size(11), 0u);
  EXPECT_EQ(las_point_size(-1), 0u);
}

// --- Synthetic files: every point format, with values chosen by the test -------------------------

const std::size_t kSpecSize[] = {20, 28, 26, 34, 57, 63, 30, 36, 38, 59, 67};

/// A LAS file of `n` points whose fields are functions of the index, so the expected values need no
/// decoder. Bytes the reader must ignore (scan angle, user data, flags, extra bytes) are 0xab.
std::string synthetic_las(int minor, int format, std::size_t n, std::size_t extra = 0) {
  const std::size_t header_size = minor <= 2 ? 227 : minor == 3 ? 235 : 375;
  const std::size_t record = kSpecSize[format] + extra;
  std::string b(header_size, '\0');
  std::memcpy(&b[0], "LASF", 4);
  b[24] = 1;
  b[25] = static_cast<char>(minor);
  put<std::uint16_t>(b, 94, static_cast<std::uint16_t>(header_size));
  put<std::uint32_t>(b, 96, static_cast<std::uint32_t>(header_size));
  b[104] = static_cast<char>(format);
  put<std::uint16_t>(b, 105, static_cast<std::uint16_t>(record));
  put<std::uint32_t>(b, 107, format < 6 ? static_cast<std::uint32_t>(n) : 0u);
  for (int k = 0; k < 3; ++k) {
    put<double>(b, 131 + 8 * k, 0.01);
    put<double>(b, 155 + 8 * k, 1000.0 * (k + 1));
  }
  if (minor >= 4) put<std::uint64_t>(b, 247, n);
  for (std::size_t i = 0; i < n; ++i) {
    std::string p(record, '\xab');
    const int v = static_cast<int>(i);
    put<std::int32_t>(p, 0, v * 100 - 5000);
    put<std::int32_t>(p, 4, -v * 7);
    put<std::int32_t>(p, 8, v);
    put<std::uint16_t>(p, 12, static_cast<std::uint16_t>(1000 + v));
    const int return_number = v % 5 + 1;
    if (format >= 6) {
      p[14] = static_cast<char>(return_number | (5 << 4));
      p[16] = static_cast<char>(v % 256);
      put<double>(p, 22, 1e9 + 0.5 * v);
    } else {
      p[14] = static_cast<char>(return_number | (5 << 3));
      p[15] = static_cast<char>((v % 32) | 0xe0);  // class flags set
      if (format == 1 || format >= 3) put<double>(p, 20, 1e9 + 0.5 * v);
    }
    const int rgb_at = format == 2                    ? 20
                       : (format == 3 || format == 5) ? 28
                       : format >= 7 && format != 9   ? 30
                                                      : -1;
    if (rgb_at >= 0) {
      put<std::uint16_t>(p, static_cast<std::size_t>(rgb_at), static_cast<std::uint16_t>(256 * v));
      put<std::uint16_t>(p, static_cast<std::size_t>(rgb_at) + 2,
                         static_cast<std::uint16_t>(2 * v));
      put<std::uint16_t>(p, static_cast<std::size_t>(rgb_at) + 4,
                         static_cast<std::uint16_t>(65535 - v));
    }
    b += p;
  }
  return b;
}

TEST(LasSynthetic, EveryPointFormatDecodes) {
  struct Case {
    int minor, format;
    std::size_t extra;
  };
  const Case cases[] = {{0, 0, 0}, {0, 1, 0}, {1, 0, 3}, {1, 1, 0}, {2, 2, 0}, {2, 3, 5}, {3, 4, 0},
                        {3, 5, 0}, {4, 6, 0}, {4, 7, 2}, {4, 8, 0}, {4, 9, 0}, {4, 10, 1}};
  const std::size_t n = 200;
  for (const Case& t : cases) {
    SCOPED_TRACE("1." + std::to_string(t.minor) + " format " + std::to_string(t.format));
    const std::string bytes = synthetic_las(t.minor, t.format, n, t.extra);
    // Odd start address: the decoder must not assume alignment.
    std::string shifted = " " + bytes;
    const Expected<LasCloud> las =
        parse_las_cloud(shifted.data() + 1, bytes.size(), LasReadOptions{}, {}, "synthetic.las");
    ASSERT_TRUE(las) << las.error().describe();
    const PointCloud& c = las->file.cloud;
    ASSERT_EQ(c.size(), n);
    expect_columns_consistent(c);
    const bool has_time = t.format == 1 || t.format >= 3;
    const bool has_rgb = t.format == 2 || t.format == 3 || t.format == 5 || t.format == 7 ||
                         t.format == 8 || t.format == 10;
    ASSERT_EQ(c.attribute("time") != nullptr, has_time);
    ASSERT_EQ(c.attribute("red") != nullptr, has_rgb);
    EXPECT_EQ(las->time_origin, has_time ? 1e9 : 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      const int v = static_cast<int>(i);
      ASSERT_EQ(c.x[i], static_cast<float>((v * 100 - 5000) * 0.01 + 1000.0)) << i;
      ASSERT_EQ(c.y[i], static_cast<float>(-v * 7 * 0.01 + 2000.0)) << i;
      ASSERT_EQ(c.z[i], static_cast<float>(v * 0.01 + 3000.0)) << i;
      ASSERT_EQ((*c.attribute("intensity"))[i], 1000.0f + v);
      ASSERT_EQ((*c.attribute("return_number"))[i], static_cast<float>(v % 5 + 1));
      const int expected_class = t.format >= 6 ? v % 256 : t.minor == 0 ? (v % 32) | 0xe0 : v % 32;
      ASSERT_EQ((*c.attribute("classification"))[i], static_cast<float>(expected_class)) << i;
      if (has_time) {
        ASSERT_EQ((*c.attribute("time"))[i], 0.5f * static_cast<float>(v));
      }
      if (has_rgb) {
        ASSERT_EQ((*c.attribute("red"))[i], 256.0f * static_cast<float>(v));
        ASSERT_EQ((*c.attribute("green"))[i], 2.0f * static_cast<float>(v));
        ASSERT_EQ((*c.attribute("blue"))[i], 65535.0f - static_cast<float>(v));
      }
    }
  }
}

TEST(LasSynthetic, EmptyPointSetIsAnEmptyCloudWithColumns) {
  const std::string bytes = synthetic_las(2, 3, 0);
  const Expected<CloudFile> las = parse_las(bytes.data(), bytes.size(), {}, "none.las");
  ASSERT_TRUE(las) << las.error().describe();
  EXPECT_EQ(las->cloud.size(), 0u);
  EXPECT_NE(las->cloud.attribute("red"), nullptr);
}

TEST(LasSynthetic, ProgressIsReportedAndCanCancel) {
  const std::size_t n = 300000;  // 6 MB of format-0 records: more than one progress step
  const std::string bytes = synthetic_las(2, 0, n);
  std::vector<double> seen;
  ReadOptions options;
  options.progress = [&](double f) {
    seen.push_back(f);
    return true;
  };
  const Expected<CloudFile> las = parse_las(bytes.data(), bytes.size(), options, "big.las");
  ASSERT_TRUE(las) << las.error().describe();
  ASSERT_GE(seen.size(), 3u);
  EXPECT_EQ(seen.front(), 0.0);
  EXPECT_EQ(seen.back(), 1.0);
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_GT(seen[i], seen[i - 1]);

  int calls = 0;
  options.progress = [&](double) { return ++calls < 2; };  // stop at the first step inside
  const Expected<CloudFile> stopped = parse_las(bytes.data(), bytes.size(), options, "big.las");
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().code, ErrorCode::kCancelled);

  options.progress = [](double) { return false; };
  test::TempDir dir;
  const Expected<CloudFile> at_start = read_las(dir.write("big.las", bytes), options);
  ASSERT_FALSE(at_start);
  EXPECT_EQ(at_start.error().code, ErrorCode::kCancelled);
}

TEST(LasSynthetic, NonFiniteCoordinatesCanBeDropped) {
  std::string bytes = synthetic_las(2, 0, 60);
  put<double>(bytes, 131, 1e300);  // x overflows float for every point but point 50 (X = 0)
  ReadOptions options;
  options.drop_non_finite = true;
  const Expected<CloudFile> las = parse_las(bytes.data(), bytes.size(), options, "huge.las");
  ASSERT_TRUE(las) << las.error().describe();
  EXPECT_EQ(las->info.dropped_non_finite, 59u);
  ASSERT_EQ(las->cloud.size(), 1u);
  EXPECT_EQ(las->cloud.x[0], 1000.0f);
  EXPECT_EQ((*las->cloud.attribute("intensity"))[0], 1050.0f);
  expect_columns_consistent(las->cloud);
}

// --- Corrupt files ------------------------------------------------------------------------------

struct Corruption {
  const char* name;
  ErrorCode code;
  std::int64_t offset;
};

Expected<CloudFile> read_bytes(const test::TempDir& dir, const std::string& name,
                               const std::string& bytes) {
  return read_las(dir.write(name, bytes));
}

TEST(LasCorrupt, GeneratedCorpusGivesLocatedErrors) {
  const fs::path simple = las_file("simple.las");
  PCANNO_REQUIRE_DATA(simple);
  const std::string good = test::slurp(simple);
  ASSERT_EQ(good.size(), 36437u);
  test::TempDir dir;

  auto check = [&](const std::string& name, const std::string& bytes, ErrorCode code,
                   std::int64_t offset, const std::string& fragment) {
    SCOPED_TRACE(name);
    const Expected<CloudFile> from_file = read_bytes(dir, name, bytes);
    ASSERT_FALSE(from_file);
    EXPECT_EQ(from_file.error().code, code) << from_file.error().describe();
    EXPECT_EQ(from_file.error().offset, offset) << from_file.error().describe();
    EXPECT_EQ(from_file.error().path, (dir.path() / name).string());
    EXPECT_NE(from_file.error().message.find(fragment), std::string::npos)
        << from_file.error().message;
    // Reading from memory reports the same.
    const Expected<CloudFile> from_memory = parse_las(bytes.data(), bytes.size(), {}, name);
    ASSERT_FALSE(from_memory);
    EXPECT_EQ(from_memory.error().code, code);
    EXPECT_EQ(from_memory.error().offset, offset);
    EXPECT_EQ(from_memory.error().message, from_file.error().message);
  };

  std::string b = good;
  std::memcpy(&b[0], "PK\x03\x04", 4);
  check("zip.las", b, ErrorCode::kUnknownFormat, 0, "\"LASF\"");

  b = good;
  put<std::uint32_t>(b, 107, 2000);
  check("count.las", b, ErrorCode::kTruncated, 36437,
        "header promises 2000 points of 34 bytes (68000 bytes) from offset 227, but the file ends "
        "at 36437 (room for 1065 points)");

  check("cut_points.las", good.substr(0, good.size() - 10), ErrorCode::kTruncated, 227 + 1064 * 34,
        "room for 1064 points");
  check("header_only.las", good.substr(0, 100), ErrorCode::kTruncated, 100, "needs at least 227");
  check("empty.las", "", ErrorCode::kTruncated, 0, "file is empty");

  b = good;
  put<std::uint16_t>(b, 105, 20);
  check("record.las", b, ErrorCode::kMalformed, 105,
        "record length 20 is smaller than the 34 bytes of point format 3");

  b = good;
  b[104] = 11;
  check("format11.las", b, ErrorCode::kUnsupported, 104, "point format 11 is not supported");

  b = good;
  put<std::uint32_t>(b, 96, 40000);
  check("offset.las", b, ErrorCode::kTruncated, 96,
        "point data offset 40000 is beyond the end of the file (36437 bytes)");

  b = good;
  put<std::uint32_t>(b, 96, 100);
  check("inside.las", b, ErrorCode::kMalformed, 96, "lies inside the 227-byte header");

  b = good;
  b[25] = 4;  // claims 1.4 with a 1.2 header
  check("v14.las", b, ErrorCode::kMalformed, 94,
        "header size 227 is smaller than the 375 bytes LAS 1.4 requires");

  b = good;
  b[24] = 2;
  check("v20.las", b, ErrorCode::kUnsupported, 24, "LAS version 2.2 is not supported");

  b = good;
  put<double>(b, 139, std::nan(""));
  check("nan_scale.las", b, ErrorCode::kMalformed, 139, "y scale factor is not a finite number");

  // The describe() line names the file, the byte and what was expected.
  const Expected<CloudFile> count =
      parse_las(b.data(), 150, {}, "simple.las");  // shorter than any header
  ASSERT_FALSE(count);
  EXPECT_EQ(count.error().describe(),
            "simple.las: byte 150: the file ends after 150 bytes, but a LAS header needs at least "
            "227");
}

TEST(LasCorrupt, HeaderOfACutFileIsStillChecked) {
  const fs::path simple = las_file("simple.las");
  PCANNO_REQUIRE_DATA(simple);
  test::TempDir dir;
  const Expected<LasHeader> header =
      read_las_header(dir.write("cut.las", test::slurp(simple).substr(0, 5000)));
  ASSERT_FALSE(header);
  EXPECT_EQ(header.error().code, ErrorCode::kTruncated);
  const Expected<LasHeader> missing = read_las_header(dir.path() / "nope.las");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

/// Either a consistent cloud or an error that stays inside the file.
void expect_sane(const Expected<LasCloud>& result, std::size_t size, const std::string& path) {
  if (result) {
    const LasHeader& h = result->header;
    ASSERT_EQ(result->file.cloud.size(), h.point_count);
    expect_columns_consistent(result->file.cloud);
    ASSERT_LE(h.offset_to_points + h.point_count * h.record_length, size);
    return;
  }
  const Error& e = result.error();
  ASSERT_TRUE(e.code == ErrorCode::kUnknownFormat || e.code == ErrorCode::kMalformed ||
              e.code == ErrorCode::kTruncated || e.code == ErrorCode::kUnsupported)
      << e.describe();
  ASSERT_EQ(e.path, path);
  ASSERT_FALSE(e.message.empty());
  ASSERT_GE(e.offset, 0) << e.describe();
  ASSERT_LE(static_cast<std::size_t>(e.offset), size) << e.describe();
}

TEST(LasRobustness, CutAndFlippedRealFilesNeverCrash) {
  std::mt19937 rng(20240611);
  test::TempDir dir;
  int through_files = 0, accepted = 0, rejected = 0;
  for (const char* name :
       {"simple.las", "simple1_1.las", "autzen.las", "simple1_3.las", "test1_4.las",
        "1_4_w_evlr.las", "simple1_4.las", "extrabytes.las", "simple.laz"}) {
    SCOPED_TRACE(name);
    const fs::path file = las_file(name);
    PCANNO_REQUIRE_DATA(file);
    const std::string original = test::slurp(file);
    for (int i = 0; i < 40; ++i) {
      // Cuts spread over the header and VLRs (where the branches are) and the whole file.
      const std::size_t cut = i < 10  ? rng() % std::min<std::size_t>(original.size() + 1, 2400)
                              : i % 2 ? original.size() * static_cast<std::size_t>(i) / 40
                                      : original.size() - rng() % 64;
      std::string bytes = original.substr(0, cut);
      if (i % 3 != 0 && !bytes.empty()) {
        const int flips = 1 + static_cast<int>(rng() % 6);
        for (int f = 0; f < flips; ++f) {
          // Mostly header bytes: a flipped point record is still a valid point.
          const std::size_t span =
              rng() % 4 == 0 ? bytes.size() : std::min<std::size_t>(bytes.size(), 400);
          bytes[rng() % span] = static_cast<char>(rng());
        }
      }
      const std::string label = "damaged_" + std::to_string(i) + ".las";
      std::string shifted = "x" + bytes;  // unaligned start
      const Expected<LasCloud> parsed =
          parse_las_cloud(shifted.data() + 1, bytes.size(), LasReadOptions{}, {}, label);
      expect_sane(parsed, bytes.size(), label);
      ++(parsed ? accepted : rejected);
      if (i % 4 == 0) {
        ++through_files;
        const fs::path path = dir.write(label, bytes);
        const Expected<LasCloud> read = read_las_cloud(path, LasReadOptions{});
        ASSERT_EQ(read.has_value(), parsed.has_value());
        if (!read) {
          ASSERT_EQ(read.error().code, parsed.error().code);
          ASSERT_EQ(read.error().message, parsed.error().message);
          ASSERT_EQ(read.error().offset, parsed.error().offset);
        }
        // Whatever the full read accepts, the header read accepts too.
        const Expected<LasHeader> header = read_las_header(path);
        ASSERT_TRUE(!read || header.has_value());
      }
    }
  }
  EXPECT_EQ(through_files, 90);
  // The corpus reaches both the decoder and the error paths.
  EXPECT_GT(accepted, 20);
  EXPECT_GT(rejected, 100);
}

TEST(LasRobustness, RandomHeadersNeverCrash) {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    const int format = static_cast<int>(rng() % 11);
    std::string bytes = synthetic_las(static_cast<int>(rng() % 5), format, rng() % 4);
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f)
      bytes[4 + rng() % std::min<std::size_t>(bytes.size() - 4, 260)] = static_cast<char>(rng());
    const Expected<LasCloud> las =
        parse_las_cloud(bytes.data(), bytes.size(), LasReadOptions{}, {}, "r");
    expect_sane(las, bytes.size(), "r");
  }
}

}  // namespace
}  // namespace pcanno::formats
