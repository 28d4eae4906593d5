// `pcanno info` on point-cloud files as a new user meets them: a LAS tile at UTM coordinates
// (bounds to the millimetre), files whose name or content mislead (errors that say what to do),
// and a format that only a plugin reads (by --format, by suffix, as a folder dataset).

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "las_writer.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using pcanno::test::CommandResult;

/// Runs pcanno (stderr included) with PCANNO_PLUGIN_PATH set to `plugin_path`, or removed.
CommandResult pcanno(const std::string& args, const std::string& plugin_path = "") {
  const std::string env = plugin_path.empty() ? "env -u PCANNO_PLUGIN_PATH "
                                              : "env PCANNO_PLUGIN_PATH='" + plugin_path + "' ";
  return pcanno::test::run_command(env + PCANNO_BINARY + " " + args + " 2>&1");
}

class CloudInfoTest : public ::testing::Test {
 protected:
  fs::path write(const std::string& name, const std::string& bytes) {
    return temp_.write(name, bytes);
  }

  pcanno::test::TempDir temp_;
  const fs::path dir_ = temp_.path();
};

TEST_F(CloudInfoTest, LasAtUtmCoordinatesReportsBoundsToTheMillimetre) {
  // Float32 would report 5800000.5 for the northing (0.5 m steps) and 500000.125 for the easting.
  const fs::path file =
      write("tile.las", pcanno::test::las_bytes({{500000.123, 5800000.456, 98.765},
                                                 {500300.987, 5800200.001, 101.234},
                                                 {500150.5, 5800100.25, 100.0}}));
  const CommandResult text = pcanno("info " + file.string());
  ASSERT_EQ(text.exit_code, 0) << text.out;
  EXPECT_NE(text.out.find("x [500000.123, 500300.987]  y [5800000.456, 5800200.001]  "
                          "z [98.765, 101.234] m"),
            std::string::npos)
      << text.out;

  const CommandResult json = pcanno("info --json " + file.string());
  ASSERT_EQ(json.exit_code, 0) << json.out;
  const nlohmann::json j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["format"], "las");
  const std::vector<double> lo = j["bounds"]["min"], hi = j["bounds"]["max"];
  EXPECT_NEAR(lo[0], 500000.123, 5e-4);
  EXPECT_NEAR(lo[1], 5800000.456, 5e-4);
  EXPECT_NEAR(hi[0], 500300.987, 5e-4);
  EXPECT_NEAR(hi[1], 5800200.001, 5e-4);
  // The header's own bounds, as the writer declared them.
  EXPECT_NEAR(j["declared_bounds"]["min"][1].get<double>(), 5800000.456, 1e-9);
}

// `pcanno fit` on the same kind of tile: the seed and the box are in the file's coordinates.
TEST_F(CloudInfoTest, FitOnAUtmTileWorksInRealCoordinates) {
  const Eigen::Vector3d utm(500000.0, 5800000.0, 120.0);
  const Eigen::Vector3d car = utm + Eigen::Vector3d(20.0, 10.0, 0.75);  // 4.5 x 1.8 x 1.5 m
  std::vector<Eigen::Vector3d> points;
  for (double x = 0; x <= 40; x += 0.25) {
    for (double y = 0; y <= 20; y += 0.25) points.push_back(utm + Eigen::Vector3d(x, y, 0.0));
  }
  for (double a = -2.25; a <= 2.25; a += 0.05) {
    for (double h = -0.75; h <= 0.75; h += 0.05) {
      points.push_back(car + Eigen::Vector3d(a, -0.9, h));  // the side the sensor sees
      points.push_back(car + Eigen::Vector3d(a, 0.9, h));   // and the other one
    }
  }
  for (double b = -0.9; b <= 0.9; b += 0.05) {
    for (double h = -0.75; h <= 0.75; h += 0.05)
      points.push_back(car + Eigen::Vector3d(-2.25, b, h));
  }
  write("tile/tile.las", pcanno::test::las_bytes(points));
  char seed[96];
  std::snprintf(seed, sizeof(seed), "%.3f,%.3f,%.3f", car.x(), car.y(), car.z());
  const CommandResult r = pcanno("fit " + (dir_ / "tile").string() +
                                 " --frame 0 --class Car --seed " + seed + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  const std::vector<double> center = j["center"];
  EXPECT_NEAR(center[0], car.x(), 0.3) << r.out;
  EXPECT_NEAR(center[1], car.y(), 0.3) << r.out;
}

TEST_F(CloudInfoTest, MisleadingFilesGetErrorsThatSayWhatToDo) {
  struct Case {
    std::string name;
    std::string bytes;
    std::string expected;  ///< in the message
  };
  const std::vector<Case> cases = {
      {"empty.pcd", "", "byte 0: file is empty"},
      {"empty.bin", "", "byte 0: file is empty"},
      {"scan.ply", pcanno::test::las_bytes({{1.0, 2.0, 3.0}}), "use --format las"},
      // A Lyft sweep: 3 points of 5 floats.
      {"lyft.bin", std::string(60, '\0'), "use --format nuscenes-bin"},
  };
  for (const Case& c : cases) {
    const fs::path file = write(c.name, c.bytes);
    const CommandResult r = pcanno("info " + file.string());
    EXPECT_EQ(r.exit_code, 1) << c.name << ": " << r.out;
    EXPECT_NE(r.out.find(file.string() + ": "), std::string::npos) << r.out;  // names the file
    EXPECT_NE(r.out.find(c.expected), std::string::npos) << c.name << ": " << r.out;
  }
  // Following the advice works.
  const CommandResult las = pcanno("info --format las " + (dir_ / "scan.ply").string());
  EXPECT_EQ(las.exit_code, 0) << las.out;
  const CommandResult lyft = pcanno("info --format nuscenes-bin " + (dir_ / "lyft.bin").string());
  EXPECT_EQ(lyft.exit_code, 0) << lyft.out;
  EXPECT_NE(lyft.out.find("points  3"), std::string::npos) << lyft.out;
}

TEST_F(CloudInfoTest, PlyWithABlankAfterTheMagicIsRead) {
  const fs::path file = write("blank.ply",
                              "ply \nformat ascii 1.0\nelement vertex 2\nproperty float x\n"
                              "property float y\nproperty float z\nend_header\n1 2 3\n4 5 6\n");
  const CommandResult r = pcanno("info " + file.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("points  2"), std::string::npos) << r.out;
}

TEST_F(CloudInfoTest, PluginReaderServesInfoByFormatSuffixAndFolder) {
  const std::string plugin = PCANNO_TEST_XYZT_PLUGIN;
  const fs::path file = write("scans/000000.xyzt", "xyzt\n1 2 3 0\n4 5 6 0.1\n");
  write("scans/000001.xyzt", "xyzt\n1 2 3 0\n");
  const fs::path renamed = write("other.txt", "xyzt\n1 2 3 0\n4 5 6 0.1\n7 8 9 0.2\n");

  // Without the plugin the id is unknown.
  const CommandResult without = pcanno("info --format xyzt " + file.string());
  EXPECT_EQ(without.exit_code, 2) << without.out;

  const CommandResult by_id = pcanno("info --format xyzt " + renamed.string(), plugin);
  ASSERT_EQ(by_id.exit_code, 0) << by_id.out;
  EXPECT_NE(by_id.out.find("format  xyzt"), std::string::npos) << by_id.out;
  EXPECT_NE(by_id.out.find("points  3"), std::string::npos) << by_id.out;
  EXPECT_NE(by_id.out.find("x y z time"), std::string::npos) << by_id.out;

  const CommandResult by_suffix = pcanno("info " + file.string(), plugin);
  ASSERT_EQ(by_suffix.exit_code, 0) << by_suffix.out;
  EXPECT_NE(by_suffix.out.find("points  2"), std::string::npos) << by_suffix.out;

  const CommandResult folder = pcanno("info --frames " + (dir_ / "scans").string(), plugin);
  ASSERT_EQ(folder.exit_code, 0) << folder.out;
  EXPECT_NE(folder.out.find("folder sequence"), std::string::npos) << folder.out;
  EXPECT_NE(folder.out.find("frames       2"), std::string::npos) << folder.out;
  EXPECT_NE(folder.out.find("total 3"), std::string::npos) << folder.out;

  const CommandResult listed = pcanno("plugins --json", plugin);
  ASSERT_EQ(listed.exit_code, 0) << listed.out;
  EXPECT_NE(listed.out.find("\"xyzt\""), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find(plugin), std::string::npos) << listed.out;
}

}  // namespace
