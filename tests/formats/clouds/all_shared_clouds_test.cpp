// Every point-cloud file of the shared real-data set reads through the registry with the point
// count the data README documents. The table must name every cloud file there, so a new file cannot
// slip by.
#include <map>

#include <gtest/gtest.h>

#include "pcanno/formats/clouds/reader.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;

struct Expectation {
  Expectation(std::size_t p, std::string f = "", bool u = false)
      : points(p), format(std::move(f)), unsupported(u) {}
  std::size_t points = 0;
  std::string format;  ///< forced reader id; empty = detect
  bool unsupported = false;
};

const std::map<std::string, Expectation>& documented() {
  static const std::map<std::string, Expectation> table{
      {"pcd/bunny.pcd", {397}},
      {"pcd/bun0.pcd", {397}},
      {"pcd/nhood_test.pcd", {36}},
      {"pcd/octants.pcd", {8}},
      {"pcd/colored_cloud.pcd", {1000}},
      {"pcd/curve_close.pcd", {110}},
      {"pcd/office1_keypoints.pcd", {1318}},
      {"pcd/car6.pcd", {10031}},
      {"pcd/milk_color.pcd", {13704}},
      {"pcd/cturtle.pcd", {167198}},
      {"pcd/table_scene_mug_stereo_textured.pcd", {640 * 480}},
      {"pcd/kitti_trk0000_f000000_binary_compressed.pcd", {123398}},
      {"pcd/kitti_trk0000_f000000_ascii.pcd", {123398}},
      {"ply/cube_pcl_test.ply", {24}},
      {"ply/bunny_ascii_from_pcl.ply", {397}},
      {"ply/kitti_trk0000_f000000_binary_from_pcl.ply", {123398}},
      {"ply/exemplary_labelcloud.ply", {86357}},
      {"las/simple1_1.las", {1065}},
      {"las/simple.las", {1065}},
      {"las/simple.laz", {0, "", true}},
      {"las/autzen.las", {106}},
      {"las/simple1_3.las", {999}},
      {"las/test1_4.las", {1000}},
      {"las/1_4_w_evlr.las", {1000}},
      {"las/simple1_4.las", {22600}},
      {"las/extrabytes.las", {1065}},
      {"kitti_object/training/velodyne/000000.bin", {115384}},
      {"kitti_object/training/velodyne/000001.bin", {120268}},
      {"kitti_object/training/velodyne/000002.bin", {126891}},
      {"nuscenes/v1.0-mini-scene0061/samples/LIDAR_TOP/"
       "n015-2018-07-24-11-22-45+0800__LIDAR_TOP__1532402927647951.pcd.bin",
       {34688}},
      // Lyft's lidar .bin files are nuScenes-style records (5 floats), not KITTI's 4.
      {"nuscenes/lyft-tiny/lidar/host-a017_lidar1_1236118886501000046.bin", {5, "nuscenes-bin"}},
      {"nuscenes/lyft-tiny/lidar/host-a017_lidar1_1236118886701083686.bin", {5, "nuscenes-bin"}},
      {"nuscenes/lyft-tiny/lidar/host-a017_lidar1_1236118886901125926.bin", {5, "nuscenes-bin"}},
  };
  return table;
}

bool is_cloud_file(const fs::path& p) {
  const std::string name = p.filename().string();
  for (const char* suffix : {".pcd", ".ply", ".las", ".laz", ".bin"}) {
    const std::string s(suffix);
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0)
      return true;
  }
  return false;
}

TEST(SharedClouds, EveryFileReadsWithItsDocumentedPointCount) {
  const fs::path root = test::shared_data_dir();
  PCANNO_REQUIRE_DATA(root / "las/simple.las");
  for (const auto& [relative, expected] : documented()) {
    SCOPED_TRACE(relative);
    const auto file = read_cloud(root / relative, {}, expected.format);
    if (expected.unsupported) {
      ASSERT_FALSE(file);
      EXPECT_EQ(file.error().code, ErrorCode::kUnsupported);
      continue;
    }
    ASSERT_TRUE(file) << file.error().describe();
    EXPECT_EQ(file->cloud.size(), expected.points);
    for (const auto& a : file->cloud.attributes)
      EXPECT_EQ(a.values.size(), file->cloud.size()) << a.name;
  }
}

TEST(SharedClouds, TrackingFramesHoldTheDocumentedTotal) {
  const fs::path dir = test::shared_data_dir() / "kitti_tracking/training/velodyne/0000";
  PCANNO_REQUIRE_DATA(dir / "000019.bin");
  std::size_t total = 0, files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const auto file = read_cloud(entry.path());
    ASSERT_TRUE(file) << file.error().describe();
    total += file->cloud.size();
    ++files;
  }
  EXPECT_EQ(files, 20u);
  EXPECT_EQ(total, 2465573u);  // data README
}

TEST(SharedClouds, TableCoversEveryCloudFile) {
  const fs::path root = test::shared_data_dir();
  PCANNO_REQUIRE_DATA(root / "pcd");
  for (const char* folder : {"pcd", "ply", "las", "kitti_object", "nuscenes"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / folder)) {
      if (!entry.is_regular_file() || !is_cloud_file(entry.path())) continue;
      const std::string relative = entry.path().lexically_relative(root).generic_string();
      EXPECT_TRUE(documented().count(relative)) << relative << " is not in the table";
    }
  }
}

}  // namespace
}  // namespace pcanno::formats
