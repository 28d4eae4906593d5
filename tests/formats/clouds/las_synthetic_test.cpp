#include "pcanno/formats/clouds/las.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "las_fixtures.hpp"

namespace pcanno::formats {
namespace {

using namespace las_test;

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
  // The foreign bytes are shown escaped, never raw.
  check("zip.las", b, ErrorCode::kUnknownFormat, 0, "\"LASF\", found \"PK\\x03\\x04\"");

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
