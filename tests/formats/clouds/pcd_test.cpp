#include "pcanno/formats/clouds/pcd.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "files.hpp"
#include "pcanno/formats/clouds/raw_bin.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

// Expected values come from formats.md 7, the data README or the small reference decoders below,
// which follow formats.md independently of the reader (whole-header istringstream parsing, a
// push_back LZF loop, strtod).

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;
using test::shared_data_dir;

fs::path pcd_file(const std::string& name) { return shared_data_dir() / "pcd" / name; }
const fs::path kKittiBin = fs::path("kitti_tracking/training/velodyne/0000/000000.bin");

// ---- reference decoding, written from formats.md 7 -------------------------------------------

struct RefHeader {
  std::vector<std::string> names;
  std::vector<int> sizes, counts;
  std::vector<char> types;
  std::size_t points = 0;
  std::string data;
  std::size_t data_offset = 0;

  std::size_t stride() const {
    std::size_t s = 0;
    for (std::size_t f = 0; f < sizes.size(); ++f) s += sizes[f] * counts[f];
    return s;
  }
  std::size_t offset_of(std::size_t field) const {
    std::size_t s = 0;
    for (std::size_t f = 0; f < field; ++f) s += sizes[f] * counts[f];
    return s;
  }
};

RefHeader ref_header(const std::string& bytes) {
  RefHeader h;
  std::size_t pos = 0;
  while (h.data.empty()) {
    const std::size_t eol = bytes.find('\n', pos);
    std::istringstream line(bytes.substr(pos, eol - pos));
    pos = eol + 1;
    std::string key, word;
    line >> key;
    while (line >> word) {
      if (key == "FIELDS") h.names.push_back(word);
      if (key == "SIZE") h.sizes.push_back(std::stoi(word));
      if (key == "TYPE") h.types.push_back(word[0]);
      if (key == "COUNT") h.counts.push_back(std::stoi(word));
      if (key == "POINTS") h.points = std::stoul(word);
      if (key == "DATA") h.data = word;
    }
  }
  h.data_offset = pos;
  return h;
}

double ref_value(const unsigned char* p, char type, int size) {
  if (type == 'F' && size == 4) {
    float v;
    std::memcpy(&v, p, 4);
    return v;
  }
  if (type == 'U' && size == 4) {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  ADD_FAILURE() << "reference decoder lacks " << type << size;
  return 0;
}

/// Straight from formats.md: control byte, literal or back-reference copied one byte at a time.
std::vector<unsigned char> ref_lzf(const unsigned char* in, std::size_t n) {
  std::vector<unsigned char> out;
  std::size_t i = 0;
  while (i < n) {
    const unsigned c = in[i++];
    if (c < 32) {
      for (unsigned k = 0; k <= c; ++k) out.push_back(in[i++]);
      continue;
    }
    std::size_t len = c >> 5;
    if (len == 7) len += in[i++];
    len += 2;
    const std::size_t back = ((c & 31u) << 8) + in[i++] + 1;
    for (std::size_t k = 0; k < len; ++k) out.push_back(out[out.size() - back]);
  }
  return out;
}

/// values[field][point] of a binary or binary_compressed file with COUNT 1 fields.
std::vector<std::vector<double>> ref_columns(const std::string& bytes) {
  const RefHeader h = ref_header(bytes);
  const auto* base = reinterpret_cast<const unsigned char*>(bytes.data()) + h.data_offset;
  std::vector<unsigned char> raw;
  if (h.data == "binary_compressed") {
    std::uint32_t sizes[2];
    std::memcpy(sizes, base, 8);
    raw = ref_lzf(base + 8, sizes[0]);
    EXPECT_EQ(raw.size(), sizes[1]);
    base = raw.data();
  }
  std::vector<std::vector<double>> cols(h.names.size());
  for (std::size_t f = 0; f < h.names.size(); ++f) {
    for (std::size_t i = 0; i < h.points; ++i) {
      const std::size_t at = h.data == "binary" ? i * h.stride() + h.offset_of(f)
                                                : h.points * h.offset_of(f) + i * h.sizes[f];
      cols[f].push_back(ref_value(base + at, h.types[f], h.sizes[f]));
    }
  }
  return cols;
}

double finite_sum(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += std::isfinite(x) ? x : 0.0;
  return s;
}
double finite_sum(const std::vector<float>& v) {
  double s = 0;
  for (float x : v) s += std::isfinite(x) ? x : 0.0;
  return s;
}

const std::vector<float>& column(const PointCloud& c, const std::string& name) {
  if (name == "x") return c.x;
  if (name == "y") return c.y;
  if (name == "z") return c.z;
  static const std::vector<float> kMissing;
  const std::vector<float>* a = c.attribute(name);
  EXPECT_NE(a, nullptr) << "no column " << name;
  return a ? *a : kMissing;
}

/// Per-field sums of the reader against the reference; packed colours compared per channel.
void expect_sums_match(const std::string& file) {
  const std::string bytes = test::slurp(pcd_file(file));
  const RefHeader h = ref_header(bytes);
  const auto ref = ref_columns(bytes);
  const Expected<CloudFile> got = read_pcd(pcd_file(file));
  ASSERT_TRUE(got) << got.error().describe();
  ASSERT_EQ(got->cloud.size(), h.points) << file;
  for (std::size_t f = 0; f < h.names.size(); ++f) {
    if (h.names[f] == "rgb" || h.names[f] == "rgba") {
      const int shifts[] = {16, 8, 0, 24};
      const char* names[] = {"red", "green", "blue", "alpha"};
      for (int c = 0; c < (h.names[f] == "rgba" ? 4 : 3); ++c) {
        double expected = 0;
        for (double v : ref[f]) expected += (static_cast<std::uint32_t>(v) >> shifts[c]) & 255u;
        EXPECT_EQ(finite_sum(column(got->cloud, names[c])), expected) << file << " " << names[c];
      }
      continue;
    }
    EXPECT_EQ(finite_sum(column(got->cloud, h.names[f])), finite_sum(ref[f]))
        << file << " " << h.names[f];
  }
}

// ---- the shared files --------------------------------------------------------------------------

TEST(PcdSharedFiles, EveryFileHasItsDocumentedPointCount) {
  struct Row {
    const char* file;
    std::size_t points;
    const char* variant;
    std::uint32_t width, height;
    std::vector<std::string> attributes;
  };
  const std::vector<Row> rows = {
      // data README, pcd/ table
      {"bunny.pcd", 397, "ascii", 0, 0, {}},
      {"bun0.pcd", 397, "ascii", 0, 0, {"normal_x", "normal_y", "normal_z", "curvature"}},
      {"nhood_test.pcd", 36, "ascii", 0, 0, {"intensity"}},
      {"octants.pcd", 8, "ascii", 0, 0, {}},
      {"colored_cloud.pcd",
       1000,
       "binary",
       1,
       1000,
       {"red", "green", "blue", "normal_x", "normal_y", "normal_z", "curvature"}},
      {"curve_close.pcd", 110, "binary", 0, 0, {}},
      {"office1_keypoints.pcd", 1318, "binary", 0, 0, {"intensity"}},
      {"car6.pcd", 10031, "binary_compressed", 0, 0, {}},
      {"milk_color.pcd", 13704, "binary_compressed", 0, 0, {"red", "green", "blue", "alpha"}},
      {"cturtle.pcd", 167198, "binary_compressed", 0, 0, {"intensity"}},
      {"table_scene_mug_stereo_textured.pcd",
       307200,
       "binary_compressed",
       640,
       480,
       {"red", "green", "blue", "alpha"}},
      {"kitti_trk0000_f000000_binary_compressed.pcd",
       123398,
       "binary_compressed",
       0,
       0,
       {"intensity"}},
      {"kitti_trk0000_f000000_ascii.pcd", 123398, "ascii", 0, 0, {"intensity"}},
  };
  PCANNO_REQUIRE_DATA(pcd_file("bunny.pcd"));
  for (const Row& row : rows) {
    const Expected<CloudFile> file = read_pcd(pcd_file(row.file));
    ASSERT_TRUE(file) << file.error().describe();
    EXPECT_EQ(file->cloud.size(), row.points) << row.file;
    EXPECT_EQ(file->info.format, "pcd");
    EXPECT_EQ(file->info.variant, row.variant) << row.file;
    EXPECT_EQ(file->info.width, row.width) << row.file;
    EXPECT_EQ(file->info.height, row.height) << row.file;
    ASSERT_EQ(file->cloud.attributes.size(), row.attributes.size()) << row.file;
    for (std::size_t i = 0; i < row.attributes.size(); ++i) {
      EXPECT_EQ(file->cloud.attributes[i].name, row.attributes[i]) << row.file;
      EXPECT_EQ(file->cloud.attributes[i].values.size(), row.points) << row.file;
    }
  }
}

TEST(PcdSharedFiles, KittiBinaryCompressedEqualsTheBinBitForBit) {
  PCANNO_REQUIRE_DATA(shared_data_dir() / kKittiBin);
  const Expected<PointCloud> bin = read_kitti_bin(shared_data_dir() / kKittiBin);
  const Expected<CloudFile> pcd = read_pcd(pcd_file("kitti_trk0000_f000000_binary_compressed.pcd"));
  ASSERT_TRUE(bin && pcd);
  ASSERT_EQ(pcd->cloud.size(), 123398u);  // formats.md 7
  const auto same_bits = [](const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * 4) == 0;
  };
  EXPECT_TRUE(same_bits(pcd->cloud.x, bin->x));
  EXPECT_TRUE(same_bits(pcd->cloud.y, bin->y));
  EXPECT_TRUE(same_bits(pcd->cloud.z, bin->z));
  EXPECT_TRUE(same_bits(*pcd->cloud.attribute("intensity"), *bin->attribute("intensity")));
}

TEST(PcdSharedFiles, KittiAsciiEqualsTheBinWithinItsPrintedPrecision) {
  PCANNO_REQUIRE_DATA(shared_data_dir() / kKittiBin);
  const Expected<PointCloud> bin = read_kitti_bin(shared_data_dir() / kKittiBin);
  const Expected<CloudFile> pcd = read_pcd(pcd_file("kitti_trk0000_f000000_ascii.pcd"));
  ASSERT_TRUE(bin && pcd);
  ASSERT_EQ(pcd->cloud.size(), bin->size());
  const auto close = [](const std::vector<float>& a, const std::vector<float>& b) {
    // PCL prints 8 significant digits: half a unit there plus the float rounding of the parse.
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (std::abs(a[i] - b[i]) > 1.2e-7 * std::abs(b[i]))
        return ::testing::AssertionFailure() << i;
    }
    return ::testing::AssertionSuccess();
  };
  EXPECT_TRUE(close(pcd->cloud.x, bin->x));
  EXPECT_TRUE(close(pcd->cloud.y, bin->y));
  EXPECT_TRUE(close(pcd->cloud.z, bin->z));
  EXPECT_TRUE(close(*pcd->cloud.attribute("intensity"), *bin->attribute("intensity")));
}

TEST(PcdSharedFiles, BinaryAndCompressedFilesMatchTheReferenceDecoder) {
  PCANNO_REQUIRE_DATA(pcd_file("car6.pcd"));
  for (const char* file : {"office1_keypoints.pcd", "colored_cloud.pcd", "curve_close.pcd",
                           "car6.pcd", "cturtle.pcd", "milk_color.pcd"}) {
    expect_sums_match(file);
  }
}

TEST(PcdSharedFiles, AsciiFilesMatchStrtod) {
  PCANNO_REQUIRE_DATA(pcd_file("bun0.pcd"));
  for (const char* file : {"bun0.pcd", "nhood_test.pcd", "octants.pcd", "bunny.pcd"}) {
    const std::string bytes = test::slurp(pcd_file(file));
    const RefHeader h = ref_header(bytes);
    std::vector<double> sums(h.names.size(), 0.0);
    std::istringstream body(bytes.substr(h.data_offset));
    std::string token;
    for (std::size_t k = 0; body >> token; ++k) {
      sums[k % sums.size()] += static_cast<float>(std::strtod(token.c_str(), nullptr));
    }
    const Expected<CloudFile> got = read_pcd(pcd_file(file));
    ASSERT_TRUE(got) << got.error().describe();
    for (std::size_t f = 0; f < h.names.size(); ++f) {
      EXPECT_EQ(finite_sum(column(got->cloud, h.names[f])), sums[f]) << file << " " << h.names[f];
    }
  }
}

TEST(PcdSharedFiles, OrganisedTableSceneKeepsItsNaNPoints) {
  const fs::path file = pcd_file("table_scene_mug_stereo_textured.pcd");
  PCANNO_REQUIRE_DATA(file);
  const Expected<CloudFile> got = read_pcd(file);
  ASSERT_TRUE(got) << got.error().describe();
  EXPECT_EQ(got->info.width, 640u);
  EXPECT_EQ(got->info.height, 480u);
  ASSERT_EQ(got->cloud.size(), 307200u);
  std::size_t nan_points = 0;
  for (std::size_t i = 0; i < got->cloud.size(); ++i) {
    nan_points +=
        std::isnan(got->cloud.x[i]) || std::isnan(got->cloud.y[i]) || std::isnan(got->cloud.z[i]);
  }
  EXPECT_EQ(nan_points, 97920u);  // formats.md 7
  expect_sums_match("table_scene_mug_stereo_textured.pcd");
  const std::string bytes = test::slurp(file);
  const Expected<PcdHeader> h = parse_pcd_header(bytes.data(), bytes.size(), file.string());
  ASSERT_TRUE(h);
  EXPECT_EQ(h->viewpoint, (std::array<double, 7>{0, 0, 0, 0, 1, 0, 0}));  // data README
}

TEST(PcdSharedFiles, ColourFieldsBecomeRedGreenBlueIn0To255) {
  PCANNO_REQUIRE_DATA(pcd_file("milk_color.pcd"));
  for (const char* file : {"milk_color.pcd", "colored_cloud.pcd"}) {
    const Expected<CloudFile> got = read_pcd(pcd_file(file));
    ASSERT_TRUE(got) << got.error().describe();
    EXPECT_EQ(got->cloud.attribute("rgb"), nullptr);
    EXPECT_EQ(got->cloud.attribute("rgba"), nullptr);
    bool any_colour = false;
    for (const char* channel : {"red", "green", "blue"}) {
      const std::vector<float>& v = column(got->cloud, channel);
      for (float c : v) {
        ASSERT_TRUE(c >= 0 && c <= 255 && c == std::floor(c)) << file << " " << channel << " " << c;
        any_colour |= c > 0;
      }
    }
    EXPECT_TRUE(any_colour) << file;
  }
}

TEST(PcdSharedFiles, VersionPoint5FilesGetTheDefaultViewpoint) {
  PCANNO_REQUIRE_DATA(pcd_file("bunny.pcd"));
  for (const char* file : {"bunny.pcd", "nhood_test.pcd"}) {
    const std::string bytes = test::slurp(pcd_file(file));
    const Expected<PcdHeader> h = parse_pcd_header(bytes.data(), bytes.size(), file);
    ASSERT_TRUE(h) << h.error().describe();
    EXPECT_EQ(h->version, ".5");
    EXPECT_EQ(h->viewpoint, (std::array<double, 7>{0, 0, 0, 1, 0, 0, 0}));  // formats.md 7
    EXPECT_EQ(h->data, PcdDataKind::kAscii);
  }
}

TEST(PcdSharedFiles, TrailingBytesAfterTheDataAreAccepted) {
  const fs::path file = pcd_file("curve_close.pcd");
  PCANNO_REQUIRE_DATA(file);
  const std::string bytes = test::slurp(file);
  EXPECT_EQ(bytes.size() - ref_header(bytes).data_offset - 110 * 12, 3928u);  // formats.md 7
  const Expected<CloudFile> got = read_pcd(file);
  ASSERT_TRUE(got) << got.error().describe();
  EXPECT_EQ(got->cloud.size(), 110u);
}

/// Random valid LZF: literal runs and back-references of every length class, with short periods
/// (overlapping copies) favoured. Returns the stream and sets `raw` to what it decodes to.
std::string random_lzf(std::mt19937& rng, std::size_t target, std::string& raw) {
  std::string stream;
  raw.clear();
  while (raw.size() < target) {
    const std::size_t left = target - raw.size();
    if (raw.empty() || left < 3 || rng() % 3 == 0) {
      const std::size_t len = std::min<std::size_t>(left, 1 + rng() % 32);
      stream += static_cast<char>(len - 1);
      for (std::size_t k = 0; k < len; ++k) {
        const char c = static_cast<char>(rng() % 4 == 0 ? rng() : rng() % 3);
        stream += c;
        raw += c;
      }
      continue;
    }
    const std::size_t len = 3 + rng() % std::min<std::size_t>(262, left - 2);
    const std::size_t most = std::min<std::size_t>(raw.size(), 8192);
    const std::size_t distance =
        1 + (rng() % 2 ? rng() % std::min<std::size_t>(most, 20) : rng() % most);
    const std::size_t d = distance - 1;
    if (len - 2 < 7) {
      stream += static_cast<char>(((len - 2) << 5) | (d >> 8));
    } else {
      stream += static_cast<char>((7 << 5) | (d >> 8));
      stream += static_cast<char>(len - 2 - 7);
    }
    stream += static_cast<char>(d & 255);
    for (std::size_t k = 0; k < len; ++k) raw += raw[raw.size() - distance];
  }
  return stream;
}

TEST(PcdLzf, RandomStreamsDecodeLikeTheReferenceDecoder) {
  std::mt19937 rng(5);
  for (int round = 0; round < 300; ++round) {
    const std::size_t n = 1 + rng() % (round < 250 ? 300 : 6000);
    std::string raw;
    const std::string lzf = random_lzf(rng, n * 12, raw);
    const auto* in = reinterpret_cast<const unsigned char*>(lzf.data());
    ASSERT_EQ(ref_lzf(in, lzf.size()), std::vector<unsigned char>(raw.begin(), raw.end()));
    std::string file = "FIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nPOINTS " + std::to_string(n) +
                       "\nDATA binary_compressed\n";
    const std::uint32_t sizes[2] = {static_cast<std::uint32_t>(lzf.size()),
                                    static_cast<std::uint32_t>(raw.size())};
    file.append(reinterpret_cast<const char*>(sizes), 8);
    file += lzf;
    const Expected<CloudFile> got = parse_pcd(file.data(), file.size(), {}, "random.pcd");
    ASSERT_TRUE(got) << got.error().describe();
    ASSERT_EQ(got->cloud.size(), n);
    // Structure of arrays: all x, then all y, then all z, bit for bit.
    ASSERT_EQ(std::memcmp(got->cloud.x.data(), raw.data(), 4 * n), 0) << round;
    ASSERT_EQ(std::memcmp(got->cloud.y.data(), raw.data() + 4 * n, 4 * n), 0) << round;
    ASSERT_EQ(std::memcmp(got->cloud.z.data(), raw.data() + 8 * n, 4 * n), 0) << round;
  }
}

}  // namespace
}  // namespace pcanno::formats
