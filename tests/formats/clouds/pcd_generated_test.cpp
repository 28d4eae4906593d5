#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "files.hpp"
#include "pcanno/formats/clouds/pcd.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

// Generated PCD files (every value known by construction), corrupt ones, and damaged real files.

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;

fs::path pcd_file(const std::string& name) { return test::shared_data_dir() / "pcd" / name; }

// ---- generated files ---------------------------------------------------------------------------

template <typename T>
void put(std::string& s, T v) {
  s.append(reinterpret_cast<const char*>(&v), sizeof(v));
}

std::string header(const std::string& fields, const std::string& sizes, const std::string& types,
                   const std::string& counts, std::size_t points, const std::string& data) {
  const std::string n = std::to_string(points);
  return "# .PCD v0.7 - Point Cloud Data file format\nVERSION 0.7\nFIELDS " + fields + "\nSIZE " +
         sizes + "\nTYPE " + types + "\nCOUNT " + counts + "\nWIDTH " + n +
         "\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS " + n + "\nDATA " + data + "\n";
}

/// Literal runs only: valid LZF that any decoder must accept.
std::string lzf_literals(const std::string& raw) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); i += 32) {
    const std::size_t n = std::min<std::size_t>(32, raw.size() - i);
    out += static_cast<char>(n - 1);
    out += raw.substr(i, n);
  }
  return out;
}

std::string compressed_block(const std::string& lzf, std::uint32_t raw_size) {
  std::string s;
  put(s, static_cast<std::uint32_t>(lzf.size()));
  put(s, raw_size);
  return s + lzf;
}

/// Writes the bytes to a file in a temporary directory and reads it back as a user would.
Expected<CloudFile> parse(const std::string& bytes, const std::string& name = "gen.pcd") {
  static const test::TempDir dir;
  return read_pcd(dir.write(name, bytes));
}

std::size_t data_offset(const std::string& bytes, const std::string& data_line) {
  return bytes.find(data_line) + data_line.size();
}

// ---- generated files ---------------------------------------------------------------------------

TEST(PcdGenerated, CountAboveOneNamesElementsKAfterTheFirst) {
  // Two points; "normal" has 3 elements. Same values in all three encodings.
  const float xyz[2][3] = {{1, 2, 3}, {4, 5, 6}};
  const float normal[2][3] = {{0.5f, -0.25f, 0.125f}, {7, 8, 9}};
  const std::string h = "x y z normal", sizes = "4 4 4 4", types = "F F F F", counts = "1 1 1 3";
  std::string aos, soa;
  for (int i = 0; i < 2; ++i) {
    for (float v : xyz[i]) put(aos, v);
    for (float v : normal[i]) put(aos, v);
  }
  for (int f = 0; f < 3; ++f) {
    for (int i = 0; i < 2; ++i) put(soa, xyz[i][f]);
  }
  for (int i = 0; i < 2; ++i) {
    for (float v : normal[i]) put(soa, v);
  }
  const std::string files[] = {
      header(h, sizes, types, counts, 2, "ascii") + "1 2 3 0.5 -0.25 0.125\n4 5 6 7 8 9\n",
      header(h, sizes, types, counts, 2, "binary") + aos,
      header(h, sizes, types, counts, 2, "binary_compressed") +
          compressed_block(lzf_literals(soa), static_cast<std::uint32_t>(soa.size())),
  };
  for (const std::string& bytes : files) {
    const Expected<CloudFile> got = parse(bytes);
    ASSERT_TRUE(got) << got.error().describe();
    ASSERT_EQ(got->cloud.size(), 2u);
    ASSERT_EQ(got->cloud.attributes.size(), 3u);
    EXPECT_EQ(got->cloud.attributes[0].name, "normal");
    EXPECT_EQ(got->cloud.attributes[1].name, "normal_1");
    EXPECT_EQ(got->cloud.attributes[2].name, "normal_2");
    for (int i = 0; i < 2; ++i) {
      EXPECT_EQ(got->cloud.x[i], xyz[i][0]);
      EXPECT_EQ(got->cloud.z[i], xyz[i][2]);
      for (int k = 0; k < 3; ++k) EXPECT_EQ(got->cloud.attributes[k].values[i], normal[i][k]);
    }
  }
}

TEST(PcdGenerated, EveryTypeAndSizeDecodes) {
  const std::string fields = "x y z a b c d e f g h w";
  const std::string sizes = "4 4 8 1 1 2 2 4 4 8 8 1";
  const std::string types = "F F F I U I U I U I U U";
  const std::string counts = "1 1 1 1 1 1 1 1 1 1 1 1";
  std::string bin;
  put(bin, 1.5f);
  put(bin, -2.0f);
  put(bin, 1e300);  // beyond float: inf, never undefined behaviour
  put(bin, std::int8_t{-5});
  put(bin, std::uint8_t{200});
  put(bin, std::int16_t{-30000});
  put(bin, std::uint16_t{60000});
  put(bin, std::int32_t{-2000000});
  put(bin, std::uint32_t{4000000});
  put(bin, -(std::int64_t{1} << 40));
  put(bin, std::uint64_t{1} << 60);
  put(bin, std::uint8_t{7});
  const std::vector<float> expected = {1.5f,  -2.0f,    INFINITY, -5,       200,     -30000,
                                       60000, -2000000, 4000000,  -0x1p40f, 0x1p60f, 7};
  const std::string text =
      "1.5 -2 1e300 -5 200 -30000 60000 -2000000 4000000 -1099511627776 "
      "1152921504606846976 7.0\n";
  for (const std::string& bytes : {header(fields, sizes, types, counts, 1, "binary") + bin,
                                   header(fields, sizes, types, counts, 1, "ascii") + text}) {
    const Expected<CloudFile> got = parse(bytes);
    ASSERT_TRUE(got) << got.error().describe();
    ASSERT_EQ(got->cloud.size(), 1u);
    std::vector<float> values = {got->cloud.x[0], got->cloud.y[0], got->cloud.z[0]};
    for (const PointAttribute& a : got->cloud.attributes) values.push_back(a.values[0]);
    EXPECT_EQ(values, expected);
  }
}

TEST(PcdGenerated, PaddingFieldsAndAsciiColoursDecode) {
  // PCL pads with fields named "_" and prints an F rgb as its uint32 bits in ASCII.
  const std::string ascii =
      header("x y z _ rgb rgba", "4 4 4 1 4 4", "F F F U F U", "1 1 1 3 1 1", 2, "ascii") +
      "1 2 3 0 0 0 16744576 4278255360\nnan nan nan 9 9 9 0 2164195328\n";
  const Expected<CloudFile> got = parse(ascii);
  ASSERT_FALSE(got);  // rgb and rgba would both make red, green and blue
  EXPECT_EQ(got.error().code, ErrorCode::kMalformed);
  EXPECT_NE(got.error().message.find("'red'"), std::string::npos) << got.error().message;

  const std::string fixed =
      header("x y z _ rgb", "4 4 4 1 4", "F F F U F", "1 1 1 3 1", 2, "ascii") +
      "1 2 3 0 0 0 16744576\nnan nan nan 9 9 9 1.1754942e-38\n";
  const Expected<CloudFile> ok = parse(fixed);
  ASSERT_TRUE(ok) << ok.error().describe();
  ASSERT_EQ(ok->cloud.attributes.size(), 3u);  // the padding made no column
  // 16744576 = 0xFF8080; the float 1.1754942e-38 has the bits 0x007FFFFF.
  EXPECT_EQ(
      (std::vector<float>{(*ok->cloud.attribute("red"))[0], (*ok->cloud.attribute("green"))[0],
                          (*ok->cloud.attribute("blue"))[0]}),
      (std::vector<float>{255, 128, 128}));
  EXPECT_EQ(
      (std::vector<float>{(*ok->cloud.attribute("red"))[1], (*ok->cloud.attribute("green"))[1],
                          (*ok->cloud.attribute("blue"))[1]}),
      (std::vector<float>{127, 255, 255}));
  EXPECT_TRUE(std::isnan(ok->cloud.x[1]));

  std::string bin = header("x y z rgba", "4 4 4 4", "F F F U", "1 1 1 1", 1, "binary");
  put(bin, 0.0f), put(bin, 0.0f), put(bin, 0.0f), put(bin, std::uint32_t{0x80102030});
  const Expected<CloudFile> rgba = parse(bin);
  ASSERT_TRUE(rgba) << rgba.error().describe();
  EXPECT_EQ((*rgba->cloud.attribute("red"))[0], 0x10);
  EXPECT_EQ((*rgba->cloud.attribute("green"))[0], 0x20);
  EXPECT_EQ((*rgba->cloud.attribute("blue"))[0], 0x30);
  EXPECT_EQ((*rgba->cloud.attribute("alpha"))[0], 0x80);
}

TEST(PcdGenerated, LzfOverlappingBackReferenceRepeatsBytes) {
  // Literal 1.0f, then a back-reference of 20 bytes from 4 back: six copies of 1.0f.
  const std::string lzf = std::string("\x03\x00\x00\x80\x3f\xe0\x0b\x03", 8);
  const Expected<CloudFile> got =
      parse(header("x y z", "4 4 4", "F F F", "1 1 1", 2, "binary_compressed") +
            compressed_block(lzf, 24));
  ASSERT_TRUE(got) << got.error().describe();
  EXPECT_EQ(got->cloud.x, (std::vector<float>{1, 1}));
  EXPECT_EQ(got->cloud.z, (std::vector<float>{1, 1}));
}

// ---- corrupt files -----------------------------------------------------------------------------

TEST(PcdCorrupt, MorePointsThanDataIsTruncatedAtTheEnd) {
  const std::string h = header("x y z", "4 4 4", "F F F", "1 1 1", 10, "binary");
  const std::string bytes = h + std::string(7 * 12, '\0');
  const Expected<CloudFile> got = parse(bytes, "short.pcd");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kTruncated);
  EXPECT_EQ(got.error().offset, static_cast<std::int64_t>(bytes.size()));
  EXPECT_NE(got.error().message.find("10 points x 12 B = 120 bytes"), std::string::npos)
      << got.error().describe();
  EXPECT_EQ(fs::path(got.error().path).filename(), "short.pcd");
  EXPECT_EQ(got.error().describe().rfind(
                got.error().path + ": byte " + std::to_string(bytes.size()) + ": binary data", 0),
            0u);

  // Blank lines (skipped, as PCL does) make the text long enough for 3 points, but only 2 are
  // there.
  const std::string ascii =
      header("x y z", "4 4 4", "F F F", "1 1 1", 3, "ascii") + "1 2 3\n4 5 6\n\n\n\n\n\n\n\n";
  const Expected<CloudFile> a = parse(ascii);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, ErrorCode::kTruncated);
  EXPECT_EQ(a.error().offset, static_cast<std::int64_t>(ascii.size()));
  EXPECT_NE(a.error().message.find("2 of the 3 points"), std::string::npos) << a.error().message;
  // Too short for 3 points at all: rejected before decoding, naming the bytes needed.
  const std::string shorter = header("x y z", "4 4 4", "F F F", "1 1 1", 3, "ascii") + "1 2 3\n";
  const Expected<CloudFile> s = parse(shorter);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kTruncated);
  EXPECT_EQ(s.error().offset, static_cast<std::int64_t>(shorter.size()));
  EXPECT_NE(s.error().message.find("at least 17 bytes"), std::string::npos) << s.error().message;

  // A lying count is rejected before anything is allocated for it.
  const std::string huge =
      header("x y z", "4 4 4", "F F F", "1 1 1", 1ull << 60, "ascii") + "1 2 3\n";
  EXPECT_EQ(parse(huge).error().code, ErrorCode::kTruncated);

  const std::string soa(36, '\0');
  const std::string lzf = lzf_literals(soa);
  const std::string cut = header("x y z", "4 4 4", "F F F", "1 1 1", 3, "binary_compressed") +
                          compressed_block(lzf, 36).substr(0, 8 + lzf.size() - 5);
  const Expected<CloudFile> c = parse(cut);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kTruncated);
  EXPECT_EQ(c.error().offset, static_cast<std::int64_t>(cut.size()));
}

TEST(PcdCorrupt, UnknownTypeSizePairIsUnsupportedOnTheTypeLine) {
  const Expected<CloudFile> f2 = parse(header("x y z", "4 4 2", "F F F", "1 1 1", 0, "ascii"));
  ASSERT_FALSE(f2);
  EXPECT_EQ(f2.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(f2.error().line, 5);  // the TYPE line of header()
  EXPECT_NE(f2.error().message.find("'z': TYPE 'F' with SIZE 2"), std::string::npos)
      << f2.error().message;
  const Expected<CloudFile> q = parse(header("x y z", "4 4 4", "F F Q", "1 1 1", 0, "ascii"));
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().code, ErrorCode::kUnsupported);
}

TEST(PcdCorrupt, BadLzfIsMalformedAtItsByte) {
  const std::string h = header("x y z", "4 4 4", "F F F", "1 1 1", 1, "binary_compressed");
  // First instruction: a 3-byte back-reference 6 bytes back, with nothing decoded yet.
  const Expected<CloudFile> back = parse(h + compressed_block(std::string("\x20\x05\x00", 3), 12));
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(back.error().offset, static_cast<std::int64_t>(h.size() + 8));
  EXPECT_NE(back.error().message.find("back-reference 6 bytes before the start of the output"),
            std::string::npos)
      << back.error().message;
  // A literal run promising more bytes than the block holds.
  const Expected<CloudFile> lit = parse(h + compressed_block(std::string("\x1f\x00\x00", 3), 12));
  ASSERT_FALSE(lit);
  EXPECT_EQ(lit.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(lit.error().offset, static_cast<std::int64_t>(h.size() + 8));
  // A stream that decodes fewer bytes than its raw size.
  const Expected<CloudFile> few =
      parse(h + compressed_block(lzf_literals(std::string(8, 'a')), 12));
  ASSERT_FALSE(few);
  EXPECT_EQ(few.error().code, ErrorCode::kMalformed);
  EXPECT_NE(few.error().message.find("8 of 12"), std::string::npos) << few.error().message;
}

TEST(PcdCorrupt, LzfRawSizeDisagreeingWithTheHeaderIsMalformed) {
  const fs::path file = pcd_file("kitti_trk0000_f000000_binary_compressed.pcd");
  PCANNO_REQUIRE_DATA(file);
  std::string bytes = test::slurp(file);
  const std::size_t at = data_offset(bytes, "DATA binary_compressed\n");
  std::uint32_t raw = 0;
  std::memcpy(&raw, bytes.data() + at + 4, 4);
  ASSERT_EQ(raw, 1974368u);  // formats.md 7
  raw -= 16;
  std::memcpy(bytes.data() + at + 4, &raw, 4);
  const Expected<CloudFile> got = parse(bytes);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(got.error().offset, static_cast<std::int64_t>(at + 4));
  EXPECT_NE(got.error().message.find("1974352"), std::string::npos) << got.error().message;
}

TEST(PcdCorrupt, HeaderProblemsNameTheirLine) {
  struct Case {
    std::string text;
    ErrorCode code;
    std::int64_t line;
  };
  const std::string ok = header("x y z", "4 4 4", "F F F", "1 1 1", 0, "ascii");
  const std::vector<Case> cases = {
      {"VERSION .7\nFIELDS x y z\nBOGUS 1\n", ErrorCode::kMalformed, 3},
      {"VERSION .7\nFIELDS x y z\nSIZE 4 4\nTYPE F F F\nWIDTH 1\nDATA ascii\n",
       ErrorCode::kMalformed, 3},
      {"FIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nPOINTS 1\nDATA binary_lzf\n", ErrorCode::kUnsupported,
       5},
      {"FIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nPOINTS 1\n", ErrorCode::kMalformed, 4},
      {"FIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nPOINTS -1\nDATA ascii\n", ErrorCode::kMalformed, 4},
      {"FIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nVIEWPOINT 0 0\nPOINTS 1\nDATA ascii\n",
       ErrorCode::kMalformed, 4},
      {"VERSION 2.0\nFIELDS x y\nSIZE 4 4\nTYPE F F\nPOINTS 0\nDATA ascii\n",
       ErrorCode::kUnsupported, 1},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Expected<CloudFile> got = parse(cases[i].text);
    ASSERT_FALSE(got) << i;
    EXPECT_EQ(got.error().code, cases[i].code) << got.error().describe();
    EXPECT_EQ(got.error().line, cases[i].line) << got.error().describe();
  }
  EXPECT_TRUE(parse(ok + "1 2 3\n"));  // data beyond POINTS is trailing bytes, accepted
  const Expected<CloudFile> no_xyz = parse(header("a b", "4 4", "F F", "1 1", 0, "ascii"));
  ASSERT_FALSE(no_xyz);
  EXPECT_EQ(no_xyz.error().code, ErrorCode::kUnsupported);
  const Expected<CloudFile> bad_value =
      parse(header("x y z", "4 4 4", "F F F", "1 1 1", 2, "ascii") + "1 2 3\n1 2 zz\n");
  ASSERT_FALSE(bad_value);
  EXPECT_EQ(bad_value.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(bad_value.error().line, 13);  // header() has 11 lines
  EXPECT_NE(bad_value.error().message.find("'zz'"), std::string::npos);
}

// ---- registry entry, files on disk, progress ---------------------------------------------------

TEST(PcdReader, RegistryEntrySniffsAndReads) {
  const CloudReader r = make_pcd_reader();
  EXPECT_EQ(r.id, "pcd");
  EXPECT_EQ(r.suffixes, std::vector<std::string>{".pcd"});
  const auto sniff = [&](const std::string& head) {
    return r.sniff(reinterpret_cast<const std::uint8_t*>(head.data()), head.size());
  };
  EXPECT_EQ(sniff("# .PCD v0.7 - Point Cloud Data file format\n"), 100);
  EXPECT_EQ(sniff("VERSION .7\nFIELDS x y z\n"), 100);
  EXPECT_EQ(sniff("# written by hand\nFIELDS x y z\n"), 100);
  EXPECT_EQ(sniff("ply\nformat ascii 1.0\n"), 0);
  EXPECT_EQ(sniff(std::string("\x00\x01\x02", 3)), 0);
  EXPECT_EQ(sniff(""), 0);

  test::TempDir dir;
  const fs::path file = dir.write(
      "two.pcd", header("x y z", "4 4 4", "F F F", "1 1 1", 2, "ascii") + "1 2 3\n4 5 6\n");
  const Expected<CloudFile> got = r.read(file, {});
  ASSERT_TRUE(got) << got.error().describe();
  EXPECT_EQ(got->cloud.y, (std::vector<float>{2, 5}));
  const Expected<CloudFile> missing = read_pcd(dir.path() / "none.pcd");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(PcdReader, ProgressRunsFromZeroToOneAndCancels) {
  const fs::path file = pcd_file("kitti_trk0000_f000000_binary_compressed.pcd");
  PCANNO_REQUIRE_DATA(file);
  std::vector<double> seen;
  ReadOptions options;
  options.progress = [&](double f) {
    seen.push_back(f);
    return true;
  };
  ASSERT_TRUE(read_pcd(file, options));
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen.front(), 0.0);
  EXPECT_EQ(seen.back(), 1.0);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  for (const double stop_at : {0.0, 0.5}) {
    options.progress = [&](double f) { return f < stop_at; };
    const Expected<CloudFile> got = read_pcd(file, options);
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, ErrorCode::kCancelled);
  }
}

// ---- damaged real files ------------------------------------------------------------------------

TEST(PcdRobustness, CutAndFlippedRealFilesNeverCrash) {
  PCANNO_REQUIRE_DATA(pcd_file("car6.pcd"));
  std::mt19937 rng(7);
  int values = 0, errors = 0;
  for (const char* name : {"bunny.pcd", "colored_cloud.pcd", "curve_close.pcd", "car6.pcd",
                           "milk_color.pcd", "nhood_test.pcd", "office1_keypoints.pcd"}) {
    const std::string original = test::slurp(pcd_file(name));
    for (int i = 0; i < 50; ++i) {
      std::string v = original.substr(0, i % 2 ? rng() % (original.size() + 1) : original.size());
      const int flips = i % 5 == 0 ? 0 : 1 + static_cast<int>(rng() % 6);
      for (int f = 0; f < flips && !v.empty(); ++f) {
        // Half the flips land in the header, where they hurt most.
        const std::size_t at = rng() % (f % 2 ? std::min<std::size_t>(v.size(), 300) : v.size());
        v[at] = static_cast<char>(rng());
      }
      const Expected<CloudFile> got = parse_pcd(v.data(), v.size(), {}, name);
      if (got) {
        ++values;
        for (const PointAttribute& a : got->cloud.attributes)
          ASSERT_EQ(a.values.size(), got->cloud.size());
      } else {
        ++errors;
        EXPECT_EQ(got.error().path, name);
        EXPECT_FALSE(got.error().message.empty());
        EXPECT_NE(got.error().code, ErrorCode::kOutOfMemory) << got.error().describe();
      }
    }
  }
  EXPECT_GT(values, 0);
  EXPECT_GT(errors, 0);
}

}  // namespace
}  // namespace pcanno::formats
