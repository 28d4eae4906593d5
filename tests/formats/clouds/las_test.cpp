#include "pcanno/formats/clouds/las.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "las_fixtures.hpp"

namespace pcanno::formats {
namespace {

using namespace las_test;

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

}  // namespace
}  // namespace pcanno::formats
