#include "pcanno/formats/clouds/ply.hpp"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "files.hpp"
#include "pcanno/formats/clouds/pcd.hpp"
#include "pcanno/formats/clouds/raw_bin.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

// The shared PLY files against formats.md 8, the data README and a reference decoder written here
// (istringstream header, memcpy per value), plus damaged copies of them.

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;
using test::shared_data_dir;

fs::path ply_file(const std::string& name) { return shared_data_dir() / "ply" / name; }
const fs::path kKittiBin = fs::path("kitti_tracking/training/velodyne/0000/000000.bin");
const char kKittiPly[] = "kitti_trk0000_f000000_binary_from_pcl.ply";

/// The vertex element of a file whose vertex properties are all scalars.
struct RefVertices {
  std::vector<std::string> names, types;
  std::size_t count = 0;
  std::size_t data_offset = 0;
};

RefVertices ref_vertices(const std::string& bytes) {
  RefVertices v;
  std::size_t pos = 0;
  bool in_vertex = false;
  for (;;) {
    const std::size_t eol = bytes.find('\n', pos);
    std::istringstream line(bytes.substr(pos, eol - pos));
    pos = eol + 1;
    std::string key, a, b;
    line >> key >> a >> b;
    if (key == "end_header") break;
    if (key == "element") {
      in_vertex = a == "vertex";
      if (in_vertex) v.count = std::stoul(b);
    }
    if (key == "property" && in_vertex) {
      v.types.push_back(a);
      v.names.push_back(b);
    }
  }
  v.data_offset = pos;
  return v;
}

double ref_value(const char* p, const std::string& type) {
  if (type == "float") {
    float f;
    std::memcpy(&f, p, 4);
    return f;
  }
  if (type == "double") {
    double d;
    std::memcpy(&d, p, 8);
    return static_cast<float>(d);  // the reader's documented rounding
  }
  if (type == "uchar") return static_cast<unsigned char>(*p);
  ADD_FAILURE() << "reference decoder lacks " << type;
  return 0;
}

std::size_t ref_size(const std::string& type) {
  return type == "double" ? 8 : type == "float" ? 4 : 1;
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

double sum(const std::vector<float>& v) {
  double s = 0;
  for (float x : v) s += x;
  return s;
}

TEST(PlySharedFiles, EveryFileHasItsDocumentedVertexCount) {
  struct Row {
    const char* file;
    std::size_t vertices;
    const char* variant;
    std::vector<std::string> attributes;
  };
  const std::vector<Row> rows = {
      // data README, ply/ table
      {"cube_pcl_test.ply", 24, "binary_little_endian", {}},
      {"bunny_ascii_from_pcl.ply", 397, "ascii", {}},
      {kKittiPly, 123398, "binary_little_endian", {"intensity"}},
      {"exemplary_labelcloud.ply", 86357, "binary_little_endian", {"red", "green", "blue"}},
  };
  PCANNO_REQUIRE_DATA(ply_file("cube_pcl_test.ply"));
  for (const Row& row : rows) {
    const Expected<CloudFile> file = read_ply(ply_file(row.file));
    ASSERT_TRUE(file) << file.error().describe();
    EXPECT_EQ(file->cloud.size(), row.vertices) << row.file;
    EXPECT_EQ(file->info.format, "ply");
    EXPECT_EQ(file->info.variant, row.variant) << row.file;
    ASSERT_EQ(file->cloud.attributes.size(), row.attributes.size()) << row.file;
    for (std::size_t i = 0; i < row.attributes.size(); ++i) {
      EXPECT_EQ(file->cloud.attributes[i].name, row.attributes[i]) << row.file;
    }
  }
}

TEST(PlySharedFiles, KittiBinaryEqualsTheBinBitForBit) {
  PCANNO_REQUIRE_DATA(shared_data_dir() / kKittiBin);
  const std::string bytes = test::slurp(ply_file(kKittiPly));
  // formats.md 8: the vertices plus PCL's 84-byte camera element fill the data exactly.
  EXPECT_EQ(bytes.size() - ref_vertices(bytes).data_offset, 1974452u);
  const Expected<PointCloud> bin = read_kitti_bin(shared_data_dir() / kKittiBin);
  const Expected<CloudFile> ply = read_ply(ply_file(kKittiPly));
  ASSERT_TRUE(bin && ply);
  const auto same_bits = [](const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * 4) == 0;
  };
  EXPECT_TRUE(same_bits(ply->cloud.x, bin->x));
  EXPECT_TRUE(same_bits(ply->cloud.y, bin->y));
  EXPECT_TRUE(same_bits(ply->cloud.z, bin->z));
  EXPECT_TRUE(same_bits(*ply->cloud.attribute("intensity"), *bin->attribute("intensity")));
}

TEST(PlySharedFiles, BinaryFilesMatchTheReferenceDecoder) {
  PCANNO_REQUIRE_DATA(ply_file("exemplary_labelcloud.ply"));
  // Cube: mesh faces after the vertices; labelCloud: double x y z + uchar colours (27 B/vertex).
  for (const char* file : {"cube_pcl_test.ply", "exemplary_labelcloud.ply"}) {
    const std::string bytes = test::slurp(ply_file(file));
    const RefVertices ref = ref_vertices(bytes);
    std::size_t stride = 0;
    for (const std::string& t : ref.types) stride += ref_size(t);
    const Expected<CloudFile> got = read_ply(ply_file(file));
    ASSERT_TRUE(got) << got.error().describe();
    ASSERT_EQ(got->cloud.size(), ref.count);
    std::size_t offset = 0;
    for (std::size_t p = 0; p < ref.names.size(); ++p) {
      double expected = 0;
      for (std::size_t i = 0; i < ref.count; ++i) {
        expected += ref_value(bytes.data() + ref.data_offset + i * stride + offset, ref.types[p]);
      }
      offset += ref_size(ref.types[p]);
      EXPECT_EQ(sum(column(got->cloud, ref.names[p])), expected) << file << " " << ref.names[p];
    }
  }
  const Expected<CloudFile> labels = read_ply(ply_file("exemplary_labelcloud.ply"));
  ASSERT_TRUE(labels);
  for (const char* channel : {"red", "green", "blue"}) {
    for (float c : column(labels->cloud, channel)) ASSERT_TRUE(c >= 0 && c <= 255) << c;
  }
}

TEST(PlySharedFiles, BunnyAsciiMatchesStrtodAndTheBunnyPcd) {
  PCANNO_REQUIRE_DATA(ply_file("bunny_ascii_from_pcl.ply"));
  const std::string bytes = test::slurp(ply_file("bunny_ascii_from_pcl.ply"));
  const Expected<CloudFile> ply = read_ply(ply_file("bunny_ascii_from_pcl.ply"));
  ASSERT_TRUE(ply) << ply.error().describe();
  std::istringstream body(bytes.substr(ref_vertices(bytes).data_offset));
  std::string token;
  for (std::size_t i = 0; i < 397 * 3 && body >> token; ++i) {
    const float expected = static_cast<float>(std::strtod(token.c_str(), nullptr));
    ASSERT_EQ(column(ply->cloud, i % 3 == 0 ? "x" : i % 3 == 1 ? "y" : "z")[i / 3], expected) << i;
  }
  // The data README: converted from pcd/bunny.pcd, which prints fewer digits.
  const Expected<CloudFile> pcd = read_pcd(shared_data_dir() / "pcd/bunny.pcd");
  ASSERT_TRUE(pcd);
  ASSERT_EQ(pcd->cloud.size(), ply->cloud.size());
  for (std::size_t i = 0; i < pcd->cloud.size(); ++i) {
    ASSERT_NEAR(pcd->cloud.x[i], ply->cloud.x[i], 1e-6) << i;
    ASSERT_NEAR(pcd->cloud.y[i], ply->cloud.y[i], 1e-6) << i;
    ASSERT_NEAR(pcd->cloud.z[i], ply->cloud.z[i], 1e-6) << i;
  }
}

TEST(PlySharedFiles, BigEndianCopyOfTheKittiFileReadsTheSame) {
  PCANNO_REQUIRE_DATA(ply_file(kKittiPly));
  std::string bytes = test::slurp(ply_file(kKittiPly));
  const std::size_t data = ref_vertices(bytes).data_offset;
  // Every value in this file (vertex floats, camera floats and ints) is 4 bytes wide.
  for (std::size_t i = data; i + 4 <= bytes.size(); i += 4) {
    std::swap(bytes[i], bytes[i + 3]);
    std::swap(bytes[i + 1], bytes[i + 2]);
  }
  const std::string little = "binary_little_endian";
  bytes.replace(bytes.find(little), little.size(), "binary_big_endian   ");  // same length
  const Expected<CloudFile> big = parse_ply(bytes.data(), bytes.size(), {}, "big.ply");
  const Expected<CloudFile> ref = read_ply(ply_file(kKittiPly));
  ASSERT_TRUE(big) << big.error().describe();
  ASSERT_TRUE(ref);
  EXPECT_EQ(big->info.variant, "binary_big_endian");
  ASSERT_EQ(big->cloud.size(), ref->cloud.size());
  EXPECT_EQ(std::memcmp(big->cloud.x.data(), ref->cloud.x.data(), ref->cloud.size() * 4), 0);
  EXPECT_EQ(std::memcmp(big->cloud.z.data(), ref->cloud.z.data(), ref->cloud.size() * 4), 0);
  EXPECT_EQ(std::memcmp(big->cloud.attributes[0].values.data(),
                        ref->cloud.attributes[0].values.data(), ref->cloud.size() * 4),
            0);
}

TEST(PlySharedFiles, CutFilesAreTruncatedAtTheirEnd) {
  PCANNO_REQUIRE_DATA(ply_file(kKittiPly));
  const std::string bytes = test::slurp(ply_file(kKittiPly));
  const std::size_t data = ref_vertices(bytes).data_offset;
  struct Cut {
    std::size_t size;
    const char* expected;
  };
  const Cut cuts[] = {
      {data + 1000, "123398 items x 16 B = 1974368 bytes"},  // inside the vertices
      {bytes.size() - 10, "element 'camera'"},               // inside PCL's camera element
  };
  for (const Cut& cut : cuts) {
    const Expected<CloudFile> got = parse_ply(bytes.data(), cut.size, {}, "cut.ply");
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, ErrorCode::kTruncated);
    EXPECT_EQ(got.error().offset, static_cast<std::int64_t>(cut.size));
    EXPECT_NE(got.error().message.find(cut.expected), std::string::npos) << got.error().describe();
  }
  const std::string cube = test::slurp(ply_file("cube_pcl_test.ply"));
  const Expected<CloudFile> faces = parse_ply(cube.data(), cube.size() - 3, {}, "cube.ply");
  ASSERT_FALSE(faces);
  EXPECT_EQ(faces.error().code, ErrorCode::kTruncated);
  EXPECT_NE(faces.error().message.find("element 'face' item 11 of 12, property 'vertex_indices'"),
            std::string::npos)
      << faces.error().describe();
}

TEST(PlyRobustness, CutAndFlippedRealFilesNeverCrash) {
  PCANNO_REQUIRE_DATA(ply_file("cube_pcl_test.ply"));
  std::mt19937 rng(11);
  int values = 0, errors = 0;
  for (const char* name :
       {"cube_pcl_test.ply", "bunny_ascii_from_pcl.ply", kKittiPly, "exemplary_labelcloud.ply"}) {
    const std::string original = test::slurp(ply_file(name));
    const int rounds = original.size() > 100000 ? 25 : 100;
    for (int i = 0; i < rounds; ++i) {
      std::string v = original.substr(0, i % 2 ? rng() % (original.size() + 1) : original.size());
      const int flips = i % 5 == 0 ? 0 : 1 + static_cast<int>(rng() % 6);
      for (int f = 0; f < flips && !v.empty(); ++f) {
        // Half the flips land in the header, where they hurt most.
        const std::size_t at = rng() % (f % 2 ? std::min<std::size_t>(v.size(), 700) : v.size());
        v[at] = static_cast<char>(rng());
      }
      const Expected<CloudFile> got = parse_ply(v.data(), v.size(), {}, name);
      if (got) {
        ++values;
        for (const PointAttribute& a : got->cloud.attributes) {
          ASSERT_EQ(a.values.size(), got->cloud.size());
        }
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
