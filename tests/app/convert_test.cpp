// `pcanno convert` end to end on sample_data: KITTI tracking -> pcanno -> KITTI tracking and ->
// nuScenes.

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "files.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

namespace {

namespace fs = std::filesystem;

using pcanno::test::CommandResult;
using pcanno::test::slurp;

CommandResult pcanno(const std::string& args) {
  return pcanno::test::run_command(std::string(PCANNO_BINARY) + " " + args + " 2>&1");
}

class ConvertTest : public ::testing::Test {
 protected:
  pcanno::test::TempDir temp_;
  const fs::path dir_ = temp_.path();
  const fs::path training_ = fs::path(PCANNO_SAMPLE_DATA_DIR) / "kitti_tracking/training";
  const fs::path labels_ = training_ / "label_02/0000.txt";
};

TEST_F(ConvertTest, KittiTrackingThroughNativeDocumentIsExact) {
  const fs::path doc = dir_ / "0000.pcanno.json";
  const CommandResult to_doc =
      pcanno("convert " + labels_.string() + " --to pcanno --out " + doc.string());
  ASSERT_EQ(to_doc.exit_code, 0) << to_doc.out;
  const auto j = nlohmann::json::parse(slurp(doc));
  EXPECT_EQ(j["format"], "pcanno");
  std::size_t boxes = 0;
  for (const auto& t : j["tracks"]) boxes += t["boxes"].size();
  EXPECT_EQ(boxes, 15u);  // frames 0-4 of sequence 0000: 3 objects each (and 10 DontCare rows)
  EXPECT_EQ(j["ignore_regions"].size(), 10u);

  const fs::path back = dir_ / "0000.txt";
  const CommandResult to_kitti = pcanno("convert " + doc.string() + " --to kitti-tracking --out " +
                                        back.string() + " --sequence " + training_.string());
  ASSERT_EQ(to_kitti.exit_code, 0) << to_kitti.out;
  EXPECT_EQ(slurp(back), slurp(labels_));  // every column at the printed precision
  EXPECT_NE(to_kitti.out.find("wrote 15 boxes"), std::string::npos) << to_kitti.out;

  // The output exists now: replacing it needs --force.
  const CommandResult again = pcanno("convert " + doc.string() + " --to kitti-tracking --out " +
                                     back.string() + " --sequence " + training_.string());
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.out.find("--force"), std::string::npos) << again.out;
  EXPECT_EQ(pcanno("convert " + doc.string() + " --to kitti-tracking --force --out " +
                   back.string() + " --sequence " + training_.string())
                .exit_code,
            0);
}

TEST_F(ConvertTest, KittiTrackingToNuscenesWritesEveryTable) {
  const fs::path out = dir_ / "nuscenes";
  const CommandResult r =
      pcanno("convert " + labels_.string() + " --to nuscenes --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::size_t tables = 0;
  for (const auto& version : fs::directory_iterator(out)) {
    if (!version.is_directory() || version.path().filename().string().rfind("v", 0) != 0) continue;
    for (const auto& table : fs::directory_iterator(version.path())) {
      const auto j = nlohmann::json::parse(slurp(table.path()));
      EXPECT_TRUE(j.is_array()) << table.path();
      if (table.path().filename() == "sample_annotation.json") {
        EXPECT_EQ(j.size(), 15u);
      }
      if (table.path().filename() == "sample.json") {
        EXPECT_EQ(j.size(), 5u);
      }
      ++tables;
    }
  }
  EXPECT_EQ(tables, 13u);
}

/// Columns 10-16 of a tracking row: h w l, x y z, rotation_y.
std::vector<std::vector<double>> boxes_3d(const std::string& text) {
  std::vector<std::vector<double>> rows;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string s; fields >> s;) f.push_back(s);
    if (f.size() < 17 || f[2] == "DontCare") continue;
    std::vector<double> row{std::stod(f[0]), std::stod(f[1])};
    for (int k = 10; k <= 16; ++k) row.push_back(std::stod(f[k]));
    rows.push_back(row);
  }
  return rows;
}

TEST_F(ConvertTest, KittiTrackingToNuscenesAndBackKeepsThe3dBoxes) {
  const fs::path nus = dir_ / "nuscenes";
  ASSERT_EQ(
      pcanno("convert " + labels_.string() + " --to nuscenes --out " + nus.string()).exit_code, 0);
  const fs::path back = dir_ / "0000.txt";
  const CommandResult r = pcanno("convert " + nus.string() + " --to kitti-tracking --out " +
                                 back.string() + " --sequence " + training_.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto original = boxes_3d(slurp(labels_));
  const auto returned = boxes_3d(slurp(back));
  ASSERT_EQ(original.size(), 15u);
  ASSERT_EQ(returned.size(), original.size());
  for (std::size_t i = 0; i < original.size(); ++i) {
    EXPECT_EQ(returned[i][0], original[i][0]);  // frame
    EXPECT_EQ(returned[i][1], original[i][1]);  // track id
    for (std::size_t k = 2; k < original[i].size(); ++k) {
      EXPECT_NEAR(returned[i][k], original[i][k], 1e-6) << "row " << i << " column " << k + 8;
    }
  }
}

/// Rows of a KITTI label file other than DontCare (which OpenLABEL has no counterpart for).
std::vector<std::string> object_rows(const std::string& text) {
  std::vector<std::string> rows;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(" DontCare ") == std::string::npos) rows.push_back(line);
  }
  return rows;
}

TEST_F(ConvertTest, KittiTrackingThroughOpenlabelKeepsEveryObjectRow) {
  const fs::path openlabel = dir_ / "0000.json";
  const std::string to_openlabel =
      "convert " + labels_.string() + " --to openlabel --out " + openlabel.string();
  const CommandResult to_ol = pcanno(to_openlabel);
  ASSERT_EQ(to_ol.exit_code, 0) << to_ol.out;
  EXPECT_NE(to_ol.out.find("wrote 15 boxes as openlabel"), std::string::npos) << to_ol.out;
  EXPECT_NE(to_ol.out.find("dropped 10: ignore regions"), std::string::npos) << to_ol.out;
  const auto j = nlohmann::json::parse(slurp(openlabel));
  EXPECT_EQ(j["openlabel"]["metadata"]["schema_version"], "1.0.0");
  std::size_t cuboids = 0;
  for (const auto& frame : j["openlabel"]["frames"]) {
    for (const auto& object : frame["objects"]) {
      const auto& cuboid = object["object_data"]["cuboid"];
      ASSERT_EQ(cuboid.size(), 1u);
      EXPECT_EQ(cuboid[0]["val"].size(), 10u);
      EXPECT_EQ(cuboid[0]["coordinate_system"], "lidar");
      ++cuboids;
    }
  }
  EXPECT_EQ(cuboids, 15u);

  // Detected as OpenLABEL without --from; the calibration comes from --sequence.
  const fs::path back = dir_ / "0000.txt";
  const CommandResult to_kitti =
      pcanno("convert " + openlabel.string() + " --to kitti-tracking --out " + back.string() +
             " --sequence " + training_.string());
  ASSERT_EQ(to_kitti.exit_code, 0) << to_kitti.out;
  EXPECT_NE(to_kitti.out.find("(openlabel)"), std::string::npos) << to_kitti.out;
  const auto original = object_rows(slurp(labels_));
  ASSERT_EQ(original.size(), 15u);
  EXPECT_EQ(object_rows(slurp(back)), original);  // every column at the printed precision

  const CommandResult again = pcanno(to_openlabel);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.out.find("--force"), std::string::npos) << again.out;
  EXPECT_EQ(pcanno(to_openlabel + " --force").exit_code, 0);
}

TEST_F(ConvertTest, KittiExportWarnsAboutAndCountsTiltedBoxes) {
  const fs::path doc = dir_ / "0000.pcanno.json";
  ASSERT_EQ(pcanno("convert " + labels_.string() + " --to pcanno --out " + doc.string()).exit_code,
            0);
  // Two boxes get a pitch of 0.1 rad (a rotation about box +y); KITTI can keep only the yaw.
  auto j = nlohmann::json::parse(slurp(doc));
  const double half = 0.05;
  j["tracks"][0]["boxes"][0]["rotation_wxyz"] = {std::cos(half), 0.0, std::sin(half), 0.0};
  j["tracks"][1]["boxes"][2]["rotation_wxyz"] = {std::cos(half), 0.0, std::sin(half), 0.0};
  std::ofstream(doc) << j.dump();
  const CommandResult r =
      pcanno("convert " + doc.string() + " --to kitti-tracking --out " +
             (dir_ / "0000.txt").string() + " --sequence " + training_.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("wrote 15 boxes"), std::string::npos) << r.out;  // written, not dropped
  EXPECT_NE(
      r.out.find("warning: 2 boxes with pitch or roll written upright: KITTI stores yaw only"),
      std::string::npos)
      << r.out;
  // The untouched document warns about nothing.
  const CommandResult plain =
      pcanno("convert " + labels_.string() + " --to kitti-object --out " +
             (dir_ / "label_2").string() + " --sequence " + training_.string());
  ASSERT_EQ(plain.exit_code, 0) << plain.out;
  EXPECT_EQ(plain.out.find("warning"), std::string::npos) << plain.out;
}

TEST_F(ConvertTest, UsageAndInputErrors) {
  EXPECT_EQ(pcanno("convert " + labels_.string() + " --to bogus --out x").exit_code, 2);
  EXPECT_EQ(pcanno("convert " + labels_.string() + " --out x").exit_code, 2);  // --to is required
  const CommandResult missing =
      pcanno("convert /no/such/labels.txt --to pcanno --out " + (dir_ / "x.json").string());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_FALSE(fs::exists(dir_ / "x.json"));
  // A class with no nuScenes category fails before anything is written.
  std::ofstream(dir_ / "map.json") << R"({"Car": "vehicle.car"})";
  std::string text = slurp(labels_);
  for (std::size_t at = text.find("Van"); at != std::string::npos; at = text.find("Van", at)) {
    text.replace(at, 3, "Zebra");
  }
  fs::create_directories(dir_ / "training/label_02");
  std::ofstream(dir_ / "training/label_02/0000.txt") << text;
  const CommandResult unmapped =
      pcanno("convert " + (dir_ / "training/label_02/0000.txt").string() +
             " --to nuscenes --class-map " + (dir_ / "map.json").string() + " --sequence " +
             training_.string() + " --out " + (dir_ / "nus").string());
  EXPECT_EQ(unmapped.exit_code, 1);
  EXPECT_NE(unmapped.out.find("Zebra"), std::string::npos) << unmapped.out;
  EXPECT_FALSE(fs::exists(dir_ / "nus"));
}

}  // namespace
