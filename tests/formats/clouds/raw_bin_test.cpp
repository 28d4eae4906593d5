#include <unistd.h>
#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "files.hpp"
#include "pcanno/formats/clouds/raw_bin.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;
using test::shared_data_dir;

fs::path tracking_frame(int i) {
  char name[32];
  std::snprintf(name, sizeof(name), "%06d.bin", i);
  return shared_data_dir() / "kitti_tracking/training/velodyne/0000" / name;
}

const fs::path kNuscenesBin = fs::path("nuscenes/v1.0-mini-scene0061/samples/LIDAR_TOP") /
                              "n015-2018-07-24-11-22-45+0800__LIDAR_TOP__1532402927647951.pcd.bin";

TEST(ReadKittiBin, TrackingFrameZero) {
  const fs::path file = tracking_frame(0);
  PCANNO_REQUIRE_DATA(file);
  const Expected<PointCloud> cloud = read_kitti_bin(file);
  ASSERT_TRUE(cloud) << cloud.error().describe();
  ASSERT_EQ(cloud->size(), 123398u);  // formats.md 1: 1 974 368 B = 123 398 points
  const std::vector<float>* intensity = cloud->attribute("intensity");
  ASSERT_NE(intensity, nullptr);
  ASSERT_EQ(intensity->size(), 123398u);
  ASSERT_EQ(cloud->y.size(), 123398u);
  ASSERT_EQ(cloud->z.size(), 123398u);
  EXPECT_NEAR(cloud->x[0], 22.719, 1e-3);
  EXPECT_NEAR(cloud->y[0], 0.031, 1e-3);
  EXPECT_NEAR(cloud->z[0], 0.977, 1e-3);
  EXPECT_NEAR((*intensity)[0], 0.32, 1e-3);
  // The data README: each tracking frame ends with one all-zero point.
  const std::size_t last = cloud->size() - 1;
  EXPECT_EQ(cloud->x[last], 0.0f);
  EXPECT_EQ(cloud->y[last], 0.0f);
  EXPECT_EQ(cloud->z[last], 0.0f);
  EXPECT_EQ((*intensity)[last], 0.0f);
  // Reflectance is in [0, 1] and the sweep reaches tens of metres in every horizontal direction.
  for (float v : *intensity) ASSERT_TRUE(v >= 0.0f && v <= 1.0f) << v;
  const Bounds3d b = cloud->bounds();
  EXPECT_LT(b.min.x(), -30.0f);
  EXPECT_GT(b.max.x(), 30.0f);
  EXPECT_GT(b.min.x(), -120.0f);
  EXPECT_LT(b.max.x(), 120.0f);
}

TEST(ReadKittiBin, AllTwentyTrackingFrames) {
  PCANNO_REQUIRE_DATA(tracking_frame(19));
  std::size_t total = 0;
  for (int i = 0; i < 20; ++i) {
    const Expected<PointCloud> cloud = read_kitti_bin(tracking_frame(i));
    ASSERT_TRUE(cloud) << cloud.error().describe();
    EXPECT_GE(cloud->size(), 122635u) << i;
    EXPECT_LE(cloud->size(), 123784u) << i;
    EXPECT_EQ(fs::file_size(tracking_frame(i)), cloud->size() * 16) << i;
    total += cloud->size();
  }
  EXPECT_EQ(total, 2465573u);
}

TEST(ReadKittiBin, ObjectFrames) {
  const fs::path dir = shared_data_dir() / "kitti_object/training/velodyne";
  PCANNO_REQUIRE_DATA(dir / "000002.bin");
  const std::size_t expected[] = {115384, 120268, 126891};  // data README
  for (int i = 0; i < 3; ++i) {
    const Expected<PointCloud> cloud = read_kitti_bin(dir / ("00000" + std::to_string(i) + ".bin"));
    ASSERT_TRUE(cloud) << cloud.error().describe();
    EXPECT_EQ(cloud->size(), expected[i]);
  }
}

TEST(ReadKittiBin, InterleavedMatchesDeinterleaved) {
  const fs::path file = tracking_frame(3);
  PCANNO_REQUIRE_DATA(file);
  const Expected<InterleavedCloud> raw = read_raw_bin_interleaved(file, RawBinLayout::kKitti);
  const Expected<PointCloud> soa = read_kitti_bin(file);
  ASSERT_TRUE(raw && soa);
  ASSERT_EQ(raw->floats_per_point, 4u);
  ASSERT_EQ(raw->size(), soa->size());
  const geometry::PointView v = raw->view();
  EXPECT_EQ(v.stride, 4u);
  for (std::size_t i = 0; i < soa->size(); i += 997) {
    EXPECT_EQ(v.x[i * v.stride], soa->x[i]);
    EXPECT_EQ(v.y[i * v.stride], soa->y[i]);
    EXPECT_EQ(v.z[i * v.stride], soa->z[i]);
    EXPECT_EQ(raw->data[i * 4 + 3], (*soa->attribute("intensity"))[i]);
  }
}

TEST(ReadNuscenesBin, LidarTopKeyframe) {
  const fs::path file = shared_data_dir() / kNuscenesBin;
  PCANNO_REQUIRE_DATA(file);
  const Expected<PointCloud> cloud = read_nuscenes_bin(file);
  ASSERT_TRUE(cloud) << cloud.error().describe();
  ASSERT_EQ(cloud->size(), 34688u);  // formats.md 6.4: 693 760 B / 20
  const std::vector<float>* ring = cloud->attribute("ring");
  const std::vector<float>* intensity = cloud->attribute("intensity");
  ASSERT_NE(ring, nullptr);
  ASSERT_NE(intensity, nullptr);
  ASSERT_EQ(ring->size(), 34688u);
  bool saw_ring_0 = false, saw_ring_31 = false;
  for (float r : *ring) {
    ASSERT_TRUE(r >= 0.0f && r <= 31.0f) << r;
    ASSERT_EQ(r, std::floor(r));
    saw_ring_0 |= r == 0.0f;
    saw_ring_31 |= r == 31.0f;
  }
  EXPECT_TRUE(saw_ring_0 && saw_ring_31);  // an HDL-32E sweep uses every laser
  for (float v : *intensity) ASSERT_TRUE(v >= 0.0f && v <= 255.0f) << v;
}

TEST(ReadRawBin, MissingFileIsNotFound) {
  test::TempDir dir;
  const fs::path missing = dir.path() / "nope.bin";
  const Expected<PointCloud> cloud = read_kitti_bin(missing);
  ASSERT_FALSE(cloud);
  EXPECT_EQ(cloud.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(cloud.error().path, missing.string());
  EXPECT_NE(cloud.error().describe().find("nope.bin"), std::string::npos);
}

TEST(ReadRawBin, SizeNotAMultipleOfTheRecordIsTruncated) {
  test::TempDir dir;
  const fs::path file = dir.write("odd.bin", std::string(33, '\0'));
  const Expected<PointCloud> cloud = read_kitti_bin(file);
  ASSERT_FALSE(cloud);
  EXPECT_EQ(cloud.error().code, ErrorCode::kTruncated);
  EXPECT_EQ(
      cloud.error().describe(),
      file.string() + ": byte 32: 33 bytes is not a multiple of 16 (x,y,z,intensity float32)");

  // The nuScenes message names its own record length.
  const fs::path nu = dir.write("odd.pcd.bin", std::string(30, '\0'));
  const Expected<PointCloud> nu_cloud = read_nuscenes_bin(nu);
  ASSERT_FALSE(nu_cloud);
  EXPECT_EQ(nu_cloud.error().code, ErrorCode::kTruncated);
  EXPECT_NE(nu_cloud.error().message.find("30 bytes"), std::string::npos);
  EXPECT_NE(nu_cloud.error().message.find("20"), std::string::npos);
}

TEST(ReadRawBin, RealFramePlusTwoBytesNamesTheByteCount) {
  const fs::path source = tracking_frame(0);
  PCANNO_REQUIRE_DATA(source);
  test::TempDir dir;
  const fs::path file = dir.write("000042.bin", test::slurp(source) + std::string("\x01\x02", 2));
  const Expected<PointCloud> cloud = read_kitti_bin(file);
  ASSERT_FALSE(cloud);
  EXPECT_EQ(cloud.error().code, ErrorCode::kTruncated);
  EXPECT_NE(cloud.error().message.find("1974370 bytes"), std::string::npos)
      << cloud.error().message;
  EXPECT_NE(cloud.error().message.find("16"), std::string::npos);
}

// Decision: N = size / 16 holds for size 0 too, so the raw decoder gives an empty cloud, not an
// error. read_cloud() (the registry, what users reach) refuses a 0-byte file of any format as
// "file is empty" (reader_hints_test.cpp): there it is nearly always a failed copy.
TEST(ReadRawBin, EmptyFileIsAnEmptyCloud) {
  test::TempDir dir;
  const fs::path file = dir.write("empty.bin", "");
  const Expected<PointCloud> kitti = read_kitti_bin(file);
  ASSERT_TRUE(kitti) << kitti.error().describe();
  EXPECT_EQ(kitti->size(), 0u);
  ASSERT_NE(kitti->attribute("intensity"), nullptr);
  const Expected<PointCloud> nu = read_nuscenes_bin(file);
  ASSERT_TRUE(nu);
  EXPECT_EQ(nu->size(), 0u);
  EXPECT_NE(nu->attribute("ring"), nullptr);
}

TEST(ReadRawBin, DirectoryIsAnErrorNotACrash) {
  test::TempDir dir;
  const Expected<PointCloud> cloud = read_kitti_bin(dir.path());
  ASSERT_FALSE(cloud);
  EXPECT_EQ(cloud.error().code, ErrorCode::kIo);
}

TEST(ReadRawBin, UnreadableFileIsPermission) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores file permissions";
  test::TempDir dir;
  const fs::path file = dir.write("locked.bin", std::string(16, '\0'));
  fs::permissions(file, fs::perms::none);
  const Expected<PointCloud> cloud = read_kitti_bin(file);
  ASSERT_FALSE(cloud);
  EXPECT_EQ(cloud.error().code, ErrorCode::kPermission);
}

TEST(ReadRawBin, KnownValuesRoundTripBitExactly) {
  const float records[2][5] = {{1.5f, -2.25f, 3.0f, 0.5f, 7.0f},
                               {-0.0f, 1e-30f, 6.0e4f, 255.0f, 31.0f}};
  test::TempDir dir;
  const fs::path file = dir.write(
      "two.pcd.bin", std::string(reinterpret_cast<const char*>(records), sizeof(records)));
  const Expected<PointCloud> cloud = read_nuscenes_bin(file);
  ASSERT_TRUE(cloud);
  ASSERT_EQ(cloud->size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(cloud->x[i], records[i][0]);
    EXPECT_EQ(cloud->y[i], records[i][1]);
    EXPECT_EQ(cloud->z[i], records[i][2]);
    EXPECT_EQ((*cloud->attribute("intensity"))[i], records[i][3]);
    EXPECT_EQ((*cloud->attribute("ring"))[i], records[i][4]);
  }
  EXPECT_TRUE(std::signbit(cloud->x[1]));
}

TEST(ParseRawBin, RandomBytesNeverCrash) {
  std::mt19937 rng(12345);
  std::string bytes;
  for (int round = 0; round < 300; ++round) {
    bytes.resize(rng() % 257);
    for (char& c : bytes) c = static_cast<char>(rng());
    // An odd start offset exercises unaligned input.
    const std::size_t skip = bytes.empty() ? 0 : 1;
    const std::size_t n = bytes.size() - skip;
    for (RawBinLayout layout : {RawBinLayout::kKitti, RawBinLayout::kNuscenes}) {
      const std::size_t record = floats_per_point(layout) * 4;
      const Expected<PointCloud> cloud = parse_raw_bin(bytes.data() + skip, n, layout, "garbage");
      ASSERT_EQ(cloud.has_value(), n % record == 0) << n;
      if (cloud) {
        ASSERT_EQ(cloud->size(), n / record);
        if (n >= record) {
          ASSERT_EQ(std::memcmp(&cloud->x[0], bytes.data() + skip, 4), 0);
        }
      } else {
        ASSERT_EQ(cloud.error().code, ErrorCode::kTruncated);
      }
    }
  }
}

}  // namespace
}  // namespace pcanno::formats
