#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pcanno/formats/clouds/ply.hpp"
#include "temp_dir.hpp"

// Generated PLY files: every expected value is known by construction.

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;

/// Appends `v` in the file's byte order.
template <typename T>
void put(std::string& s, T v, bool big_endian) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  if (big_endian) std::reverse(b, b + sizeof(T));
  s.append(b, sizeof(T));
}

std::string ply(const std::string& format, const std::string& body) {
  return "ply\nformat " + format + " 1.0\n" + body + "end_header\n";
}

/// Writes the bytes to a file in a temporary directory and reads it back as a user would.
Expected<CloudFile> parse(const std::string& bytes, const std::string& name = "gen.ply") {
  static const test::TempDir dir;
  return read_ply(dir.write(name, bytes));
}

std::vector<float> row(const CloudFile& f, std::size_t i) {
  std::vector<float> out = {f.cloud.x[i], f.cloud.y[i], f.cloud.z[i]};
  for (const PointAttribute& a : f.cloud.attributes) out.push_back(a.values[i]);
  return out;
}

TEST(PlyGenerated, EveryScalarTypeInBothSpellingsAndByteOrders) {
  const std::string classic =
      "element vertex 1\nproperty float x\nproperty double y\nproperty float z\n"
      "property char a\nproperty uchar b\nproperty short c\nproperty ushort d\nproperty int e\n"
      "property uint f\n";
  const std::string sized =
      "element vertex 1\nproperty float32 x\nproperty float64 y\nproperty float32 z\n"
      "property int8 a\nproperty uint8 b\nproperty int16 c\nproperty uint16 d\nproperty int32 e\n"
      "property uint32 f\n";
  const std::vector<float> expected = {1.5f,   -2.25f, 1e-3f,    -5,     200,
                                       -30000, 60000,  -2000000, 4000000};
  for (const bool big : {false, true}) {
    std::string data;
    put(data, 1.5f, big);
    put(data, -2.25, big);
    put(data, 1e-3f, big);
    put(data, std::int8_t{-5}, big);
    put(data, std::uint8_t{200}, big);
    put(data, std::int16_t{-30000}, big);
    put(data, std::uint16_t{60000}, big);
    put(data, std::int32_t{-2000000}, big);
    put(data, std::uint32_t{4000000}, big);
    const std::string format = big ? "binary_big_endian" : "binary_little_endian";
    for (const std::string& body : {classic, sized}) {
      const Expected<CloudFile> got = parse(ply(format, body) + data);
      ASSERT_TRUE(got) << got.error().describe();
      EXPECT_EQ(row(*got, 0), expected) << format;
      EXPECT_EQ(got->cloud.attributes[5].name, "f");
    }
  }
  const Expected<CloudFile> text =
      parse(ply("ascii", classic) + "1.5 -2.25 1e-3 -5 200 -30000 60000 -2000000 4000000\n");
  ASSERT_TRUE(text) << text.error().describe();
  EXPECT_EQ(row(*text, 0), expected);
}

// Some writers put a blank after the magic (`ply `) and after other header words, or end lines
// with CR LF; PDAL, PCL and Open3D read such files, so must we. Binary data starts right after the
// newline of end_header whatever blanks precede it.
TEST(PlyGenerated, TrailingBlanksOnHeaderLinesAreAccepted) {
  for (const std::string magic : {"ply \n", "ply\t\n", "ply \r\n", "ply\r\n", "ply  \t \n"}) {
    const std::string body =
        "comment written like PDAL's writer \nelement vertex 2 \nproperty double x \n"
        "property double y\t\nproperty double z \r\nproperty uchar class \n";
    const std::string ascii = magic + "format ascii 1.0 \n" + body + "end_header \n" +
                              "12.125 -80.5 101.25 2 \n-1.5 2.5 3.5 7\n";
    const Expected<CloudFile> text = parse(ascii);
    ASSERT_TRUE(text) << text.error().describe();
    ASSERT_EQ(text->cloud.size(), 2u);
    EXPECT_EQ(row(*text, 1), (std::vector<float>{-1.5f, 2.5f, 3.5f, 7.0f}));
    for (const bool big : {false, true}) {
      std::string data;
      for (const double v : {12.125, -80.5, 101.25}) put(data, v, big);
      put(data, std::uint8_t{2}, big);
      for (const double v : {-1.5, 2.5, 3.5}) put(data, v, big);
      put(data, std::uint8_t{7}, big);
      const std::string format = big ? "binary_big_endian" : "binary_little_endian";
      const Expected<CloudFile> binary =
          parse(magic + "format " + format + " 1.0 \n" + body + "end_header \r\n" + data);
      ASSERT_TRUE(binary) << binary.error().describe();
      ASSERT_EQ(binary->cloud.size(), 2u);
      EXPECT_EQ(row(*binary, 1), (std::vector<float>{-1.5f, 2.5f, 3.5f, 7.0f})) << format;
      EXPECT_EQ((*binary->cloud.attribute("class"))[0], 2.0f);
    }
  }
  // Blanks are not letters: these are still refused at line 1.
  for (const std::string bad : {"plyx\n", "ply x\n", " ply\n", "ply"}) {
    const Expected<CloudFile> got = parse(bad + "format ascii 1.0\nend_header\n");
    ASSERT_FALSE(got) << bad;
    EXPECT_EQ(got.error().line, 1);
  }
}

TEST(PlyGenerated, ListPropertiesInsideTheVertexAreSkipped) {
  const std::string body =
      "element vertex 3\nproperty float x\nproperty list uchar int idx\nproperty float y\n"
      "property list ushort float w\nproperty float z\nproperty uchar red\n";
  const std::vector<std::vector<int>> idx = {{}, {7}, {1, 2, 3}};
  const std::vector<std::vector<float>> w = {{0.5f, 0.25f}, {}, {9}};
  std::vector<std::vector<float>> expected;
  for (const bool big : {false, true}) {
    std::string data;
    for (int i = 0; i < 3; ++i) {
      put(data, static_cast<float>(i), big);
      put(data, static_cast<std::uint8_t>(idx[i].size()), big);
      for (int v : idx[i]) put(data, v, big);
      put(data, 10.0f + i, big);
      put(data, static_cast<std::uint16_t>(w[i].size()), big);
      for (float v : w[i]) put(data, v, big);
      put(data, 20.0f + i, big);
      put(data, static_cast<std::uint8_t>(100 + i), big);
    }
    const Expected<CloudFile> got =
        parse(ply(big ? "binary_big_endian" : "binary_little_endian", body) + data);
    ASSERT_TRUE(got) << got.error().describe();
    ASSERT_EQ(got->cloud.size(), 3u);
    ASSERT_EQ(got->cloud.attributes.size(), 1u);  // lists make no column
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(row(*got, i), (std::vector<float>{1.0f * i, 10.0f + i, 20.0f + i, 100.0f + i}));
    }
  }
  const Expected<CloudFile> text =
      parse(ply("ascii", body) +
            "0 0 10 2 0.5 0.25 20 100\n1 1 7 11 0 21 101\n2 3 1 2 3 12 1 9 22 102\n");
  ASSERT_TRUE(text) << text.error().describe();
  EXPECT_EQ(row(*text, 2), (std::vector<float>{2, 12, 22, 102}));
}

TEST(PlyGenerated, OtherElementsBeforeAndAfterTheVerticesAreSkipped) {
  const std::string body =
      "comment faces first, as some mesh writers do\nobj_info ignored too\n"
      "element face 2\nproperty list uchar int vertex_indices\nproperty uchar flags\n"
      "element vertex 2\nproperty float x\nproperty float y\nproperty float z\n"
      "element camera 1\nproperty float focal\nproperty int viewportx\n";
  std::string data;
  put(data, std::uint8_t{3}, false);
  for (int v : {0, 1, 2}) put(data, v, false);
  put(data, std::uint8_t{1}, false);
  put(data, std::uint8_t{0}, false);
  put(data, std::uint8_t{2}, false);
  for (float v : {1.f, 2.f, 3.f, 4.f, 5.f, 6.f}) put(data, v, false);
  put(data, 500.0f, false);
  put(data, 640, false);
  const Expected<CloudFile> bin = parse(ply("binary_little_endian", body) + data + "trailing");
  ASSERT_TRUE(bin) << bin.error().describe();
  EXPECT_EQ(row(*bin, 1), (std::vector<float>{4, 5, 6}));

  // ASCII with CRLF line ends: PLY text is a stream of tokens, so items may even share a line.
  const std::string text = "ply\r\nformat ascii 1.0\r\n" + body + "end_header\r\n" +
                           "3 0 1 2 1\r\n0 2\r\n1 2 3 4 5 6\r\n500 640\r\n";
  const Expected<CloudFile> ascii = parse(text);
  ASSERT_TRUE(ascii) << ascii.error().describe();
  EXPECT_EQ(row(*ascii, 1), (std::vector<float>{4, 5, 6}));
  const Expected<CloudFile> nan = parse(ply("ascii", body) + "0 0 0 0 nan 0 0 0 0 1 5 6\n");
  ASSERT_TRUE(nan) << nan.error().describe();
  EXPECT_TRUE(std::isnan(nan->cloud.x[0]));
}

TEST(PlyCorrupt, HeaderProblemsNameTheirLine) {
  struct Case {
    std::string text;
    ErrorCode code;
    std::int64_t line;
  };
  const std::vector<Case> cases = {
      {"plx\nformat ascii 1.0\nend_header\n", ErrorCode::kMalformed, 1},
      {"ply\nformat binary_middle_endian 1.0\nend_header\n", ErrorCode::kUnsupported, 2},
      {"ply\nformat ascii 2.0\nend_header\n", ErrorCode::kUnsupported, 2},
      {"ply\nformat ascii 1.0\nelement vertex 1\nproperty float128 x\nend_header\n",
       ErrorCode::kMalformed, 4},
      {"ply\nformat ascii 1.0\nelement vertex 1\nproperty list float int x\nend_header\n",
       ErrorCode::kMalformed, 4},
      {"ply\nformat ascii 1.0\nproperty float x\nend_header\n", ErrorCode::kMalformed, 3},
      {"ply\nformat ascii 1.0\nelement vertex -1\nend_header\n", ErrorCode::kMalformed, 3},
      {"ply\nformat ascii 1.0\nvertices 3\nend_header\n", ErrorCode::kMalformed, 3},
      {"ply\nelement vertex 0\nend_header\n", ErrorCode::kMalformed, 3},
      {"ply\nformat ascii 1.0\nelement vertex 0\nproperty float x\n", ErrorCode::kMalformed, 4},
      {"ply\nformat ascii 1.0\nelement vertex 0\nproperty float x\nproperty float x\nend_header\n",
       ErrorCode::kMalformed, 5},
  };
  for (const Case& c : cases) {
    const Expected<CloudFile> got = parse(c.text);
    ASSERT_FALSE(got) << c.text;
    EXPECT_EQ(got.error().code, c.code) << got.error().describe();
    EXPECT_EQ(got.error().line, c.line) << got.error().describe();
  }
  const Expected<CloudFile> no_vertex =
      parse(ply("ascii", "element face 0\nproperty list uchar int vertex_indices\n"));
  ASSERT_FALSE(no_vertex);
  EXPECT_EQ(no_vertex.error().code, ErrorCode::kUnsupported);
  const Expected<CloudFile> no_z = parse(ply("ascii",
                                             "element vertex 0\nproperty float x\n"
                                             "property float y\nproperty list uchar int z\n"));
  ASSERT_FALSE(no_z);
  EXPECT_EQ(no_z.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(no_z.error().message.find("'z'"), std::string::npos);
}

TEST(PlyCorrupt, DataProblemsNameTheirByteOrLine) {
  const std::string xyz =
      "element vertex 2\nproperty float x\nproperty float y\nproperty float z\n";
  // Binary data one byte short.
  const std::string cut = ply("binary_little_endian", xyz) + std::string(23, '\0');
  const Expected<CloudFile> bin = parse(cut, "cut.ply");
  ASSERT_FALSE(bin);
  EXPECT_EQ(bin.error().code, ErrorCode::kTruncated);
  EXPECT_EQ(bin.error().offset, static_cast<std::int64_t>(cut.size()));
  EXPECT_NE(bin.error().message.find("2 items x 12 B = 24 bytes"), std::string::npos)
      << bin.error().message;
  // A count far beyond the file is refused before anything is allocated for it.
  for (const char* format : {"binary_big_endian", "ascii"}) {
    const Expected<CloudFile> huge =
        parse(ply(format,
                  "element vertex 4000000000000\nproperty float x\nproperty float y\n"
                  "property float z\n") +
              "1 2 3\n");
    ASSERT_FALSE(huge);
    EXPECT_EQ(huge.error().code, ErrorCode::kTruncated) << huge.error().describe();
  }
  // ASCII: a bad number and a missing one, each on its line (the header is 7 lines).
  const Expected<CloudFile> word = parse(ply("ascii", xyz) + "1 2 3\n4 five 6\n");
  ASSERT_FALSE(word);
  EXPECT_EQ(word.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(word.error().line, 9);
  EXPECT_NE(word.error().message.find("item 1 of 2, property 'y'"), std::string::npos)
      << word.error().message;
  const std::string short_text = ply("ascii", xyz) + "1 2 3\n4 5 6\n";
  const Expected<CloudFile> shorter =
      parse(ply("ascii", xyz + "element extra 1\nproperty int a\n") + "1 2 3\n4 5 6\n");
  ASSERT_FALSE(shorter);
  EXPECT_EQ(shorter.error().code, ErrorCode::kTruncated);
  EXPECT_NE(shorter.error().message.find("element 'extra'"), std::string::npos);
  EXPECT_TRUE(parse(short_text));
  // A negative list length (signed count type) is malformed at its byte.
  std::string neg =
      ply("binary_little_endian", xyz + "element face 1\nproperty list char int vertex_indices\n");
  const std::size_t list_at = neg.size() + 24;
  neg += std::string(24, '\0') + "\xff";
  const Expected<CloudFile> negative = parse(neg);
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(negative.error().offset, static_cast<std::int64_t>(list_at));
}

TEST(PlyReader, RegistryEntrySniffsReadsAndReportsProgress) {
  const CloudReader r = make_ply_reader();
  EXPECT_EQ(r.id, "ply");
  EXPECT_EQ(r.suffixes, std::vector<std::string>{".ply"});
  const auto sniff = [&](const std::string& head) {
    return r.sniff(reinterpret_cast<const std::uint8_t*>(head.data()), head.size());
  };
  EXPECT_EQ(sniff("ply\nformat ascii 1.0\n"), 100);
  EXPECT_EQ(sniff("ply\r\nformat ascii 1.0\r\n"), 100);
  EXPECT_EQ(sniff("ply \nformat ascii 1.0\n"), 100);
  EXPECT_EQ(sniff("ply\t \r\nformat ascii 1.0\n"), 100);
  EXPECT_EQ(sniff("plyx\n"), 0);
  EXPECT_EQ(sniff("# .PCD v0.7\n"), 0);
  EXPECT_EQ(sniff(""), 0);

  test::TempDir dir;
  const fs::path file = dir.write(
      "one.ply",
      ply("ascii", "element vertex 1\nproperty float x\nproperty float y\nproperty float z\n") +
          "1 2 3\n");
  std::vector<double> seen;
  ReadOptions options;
  options.progress = [&](double f) {
    seen.push_back(f);
    return true;
  };
  const Expected<CloudFile> got = r.read(file, options);
  ASSERT_TRUE(got) << got.error().describe();
  EXPECT_EQ(row(*got, 0), (std::vector<float>{1, 2, 3}));
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen.front(), 0.0);
  EXPECT_EQ(seen.back(), 1.0);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  options.progress = [](double f) { return f < 0.5; };
  const Expected<CloudFile> cancelled = read_ply(file, options);
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(read_ply(dir.path() / "none.ply").error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace pcanno::formats
