// `pcanno convert` of whole label sets (every sequence of a KITTI tracking training folder), the
// --out folder rules (made when missing, nothing replaced without --force) and the summary of what
// each format drops. Expected counts come from the raw label files, never from pcanno.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app_test_support.hpp"
#include "pcanno/formats/datasets/nuscenes_db.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/formats/labels/nuscenes/codec.hpp"
#include "test_data.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using pcanno::test::CommandResult;
using pcanno::test::pcanno;
using pcanno::test::slurp;

using ConvertSetTest = pcanno::test::LabelsTest;

fs::path shared_training() { return pcanno::test::shared_data_dir() / "kitti_tracking/training"; }

/// The fields of each line of a KITTI tracking label file.
std::vector<std::vector<std::string>> rows_of(const fs::path& file) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(slurp(file));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream in(line);
    std::vector<std::string> fields;
    for (std::string f; in >> f;) fields.push_back(f);
    if (!fields.empty()) rows.push_back(fields);
  }
  return rows;
}

/// Object rows (every row but DontCare) of a label file: one box each.
std::size_t object_rows(const fs::path& file) {
  std::size_t n = 0;
  for (const auto& row : rows_of(file)) n += row.at(2) != "DontCare" ? 1 : 0;
  return n;
}

/// Sequence name -> object rows, for every file of a label_02 folder.
std::map<std::string, std::size_t> object_rows_per_sequence(const fs::path& label_02) {
  std::map<std::string, std::size_t> out;
  for (const auto& e : fs::directory_iterator(label_02)) {
    if (e.path().extension() == ".txt") out[e.path().stem().string()] = object_rows(e.path());
  }
  return out;
}

bool python3_available() { return std::system("python3 -c 'import json' > /dev/null 2>&1") == 0; }

// The issue's done-when test: all 21 label files, clouds for one sequence only, become ONE
// nuScenes dataset with one annotation per box, read back by pcanno's nuScenes reader and by an
// independent Python walk of the tables' links.
TEST_F(ConvertSetTest, All21KittiTrackingSequencesBecomeOneNuscenesDataset) {
  PCANNO_REQUIRE_DATA(shared_training() / "label_02/0020.txt");
  const std::map<std::string, std::size_t> expected =
      object_rows_per_sequence(shared_training() / "label_02");
  ASSERT_EQ(expected.size(), 21u);
  std::size_t total = 0;
  for (const auto& [name, n] : expected) total += n;
  // shared/data/README.md: 64 300 rows of which 17 688 are DontCare.
  EXPECT_EQ(total, 46612u);

  const fs::path out = dir_ / "nuscenes";
  const CommandResult r = pcanno("convert " + shared_training().string() +
                                 " --to nuscenes --quiet --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;

  // pcanno's own tables: every box of every scene, found through its sample.
  const auto db = pcanno::formats::load_nuscenes_db(out);
  ASSERT_TRUE(db) << db.error().describe();
  EXPECT_EQ(db->scenes.size(), 21u);
  EXPECT_EQ(db->sample_annotations.size(), total);
  std::map<std::string, std::size_t> per_scene;
  for (const auto& a : db->sample_annotations) {
    const auto* sample = db->sample(a.sample_token);
    ASSERT_NE(sample, nullptr) << a.token;
    ASSERT_NE(db->scene(sample->scene_token), nullptr) << sample->token;
    ++per_scene[db->scene(sample->scene_token)->name];
  }
  EXPECT_EQ(per_scene, expected);
  // pcanno's nuScenes reader on scenes with and without clouds (one reading per scene loads every
  // table, so three stand for the 21).
  for (const std::string name : {"0000", "0007", "0019"}) {
    pcanno::formats::Sequence scene;  // names the scene to read; its frames come from the tables
    scene.name = name;
    pcanno::formats::LabelContext context;
    context.sequence = &scene;
    const auto doc = pcanno::formats::read_nuscenes_annotations(out, context);
    ASSERT_TRUE(doc) << name << ": " << doc.error().describe();
    EXPECT_EQ(doc->box_count(), expected.at(name)) << name;
    EXPECT_TRUE(doc->ignore_regions.empty()) << name;  // DontCare has no nuScenes counterpart
  }

  // An independent reader: Python's json module following sample_annotation -> sample -> scene,
  // instance -> category, and every chain.
  if (!python3_available()) {
    if (pcanno::test::running_in_ci()) FAIL() << "python3 is required under CI";
    GTEST_SKIP() << "python3 not available for the independent check";
  }
  const CommandResult py = pcanno::test::run_command(
      "python3 " + std::string(PCANNO_CHECK_NUSCENES) + " " + out.string() + " 2>&1");
  ASSERT_EQ(py.exit_code, 0) << py.out;
  const json check = json::parse(py.out);
  EXPECT_EQ(check["annotations"].get<std::size_t>(), total);
  EXPECT_EQ(check["scene_count"].get<std::size_t>(), 21u);
  for (const auto& [name, n] : expected) {
    EXPECT_EQ(check["scenes"].value(name, std::size_t{0}), n) << name;
  }
}

TEST_F(ConvertSetTest, SummaryCountsEverySequenceAndWhatWasDropped) {
  PCANNO_REQUIRE_DATA(shared_training() / "label_02/0020.txt");
  const fs::path label_02 = shared_training() / "label_02";
  const CommandResult r = pcanno(
      "convert " + label_02.string() + " --to nuscenes --out " + (dir_ / "n").string(), false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("converted 21 of 21 sequences"), std::string::npos) << r.out;
  std::size_t dont_care = 0;
  for (const auto& [name, n] : object_rows_per_sequence(label_02)) {
    const std::size_t rows = rows_of(label_02 / (name + ".txt")).size();
    dont_care += rows - n;
    // "  0005: read N boxes in T tracks, D ignore regions; wrote N boxes; dropped D ignore ..."
    const std::size_t line = r.out.find("\n  " + name + ": read " + std::to_string(n) + " boxes");
    ASSERT_NE(line, std::string::npos) << name << "\n" << r.out;
    const std::string text = r.out.substr(line + 1, r.out.find('\n', line + 1) - line - 1);
    EXPECT_NE(text.find("wrote " + std::to_string(n) + " boxes"), std::string::npos) << text;
    EXPECT_NE(text.find("dropped " + std::to_string(rows - n) + " ignore regions"),
              std::string::npos)
        << text;
  }
  EXPECT_NE(r.out.find("total: read 46612 boxes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dropped " + std::to_string(dont_care) + " ignore regions"),
            std::string::npos)
      << r.out;
}

TEST_F(ConvertSetTest, KittiTrackingSetToKittiWritesEveryFileAndTheSeqmap) {
  PCANNO_REQUIRE_DATA(shared_training() / "label_02/0020.txt");
  const fs::path out = dir_ / "made/for/this";  // none of it exists yet
  const CommandResult r = pcanno("convert " + (shared_training() / "label_02").string() +
                                 " --to kitti-tracking --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  // The seqmap the KITTI devkit reads: `SSSS empty 000000 N`, N = frames (the clouds' count for
  // 0000, else the labels' last frame + 1).
  std::string seqmap;
  for (int s = 0; s <= 20; ++s) {
    char name[8];
    std::snprintf(name, sizeof(name), "%04d", s);
    const fs::path original = shared_training() / "label_02" / (std::string(name) + ".txt");
    EXPECT_EQ(slurp(out / (std::string(name) + ".txt")), slurp(original)) << name;
    int last = -1;
    for (const auto& row : rows_of(original)) last = std::max(last, std::stoi(row[0]));
    if (s == 0) last = 19;  // 20 clouds
    char line[64];
    std::snprintf(line, sizeof(line), "%s empty 000000 %06d\n", name, last + 1);
    seqmap += line;
  }
  EXPECT_EQ(slurp(out / "evaluate_tracking.seqmap"), seqmap);
}

TEST_F(ConvertSetTest, KittiTrackingSetToOpenlabelWritesOneFilePerSequence) {
  PCANNO_REQUIRE_DATA(shared_training() / "label_02/0020.txt");
  const fs::path out = dir_ / "ol";
  const CommandResult r = pcanno("convert " + shared_training().string() +
                                 " --to openlabel --quiet --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  for (const auto& [name, n] : object_rows_per_sequence(shared_training() / "label_02")) {
    const json j = json::parse(slurp(out / (name + ".json")));
    std::size_t cuboids = 0;
    for (const auto& frame : j["openlabel"]["frames"]) {
      if (frame.contains("objects")) cuboids += frame["objects"].size();  // empty frames have none
    }
    EXPECT_EQ(cuboids, n) << name;
  }
}

/// A training folder with sample labels copied under three sequence names; `calibrated` of them
/// get a calib file.
fs::path label_set(const fs::path& dir, const fs::path& sample_training, int calibrated) {
  const fs::path root = dir / "set/training";
  fs::create_directories(root / "label_02");
  fs::create_directories(root / "calib");
  for (int s = 0; s < 3; ++s) {
    const std::string name = "000" + std::to_string(s + 1);
    fs::copy_file(sample_training / "label_02/0000.txt", root / "label_02" / (name + ".txt"));
    if (s < calibrated) {
      fs::copy_file(sample_training / "calib/0000.txt", root / "calib" / (name + ".txt"));
    }
  }
  return root;
}

TEST_F(ConvertSetTest, MissingCalibrationIsNamedPerSequenceAndNothingIsWritten) {
  const fs::path root = label_set(dir_, training_, 1);
  const fs::path out = dir_ / "out";
  const CommandResult r = pcanno("convert " + root.string() + " --to pcanno --out " + out.string());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  for (const char* name : {"0002", "0003"}) {
    EXPECT_NE(r.out.find(std::string("sequence ") + name + " not converted"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find((root / "calib" / (std::string(name) + ".txt")).string()),
              std::string::npos)
        << r.out;
  }
  EXPECT_EQ(r.out.find("sequence 0001 not converted"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nothing was written"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(out));

  const CommandResult skip =
      pcanno("convert " + root.string() + " --to pcanno --skip-failed --out " + out.string());
  ASSERT_EQ(skip.exit_code, 0) << skip.out;
  EXPECT_NE(skip.out.find("converted 1 of 3 sequences"), std::string::npos) << skip.out;
  EXPECT_NE(skip.out.find("0002: not converted"), std::string::npos) << skip.out;
  EXPECT_TRUE(fs::exists(out / "0001.pcanno.json"));
  EXPECT_FALSE(fs::exists(out / "0002.pcanno.json"));
}

TEST_F(ConvertSetTest, ALabelFolderAndOneSequenceOfASetConvert) {
  // `label_02` itself names the set (it used to be "no label_02 folder here").
  const CommandResult folder = pcanno("convert " + (training_ / "label_02").string() +
                                      " --to pcanno --out " + (dir_ / "one.pcanno.json").string());
  ASSERT_EQ(folder.exit_code, 0) << folder.out;
  const json doc = json::parse(slurp(dir_ / "one.pcanno.json"));
  std::size_t boxes = 0;
  for (const auto& t : doc["tracks"]) boxes += t["boxes"].size();
  EXPECT_EQ(boxes, object_rows(labels_));

  // A sequence without clouds, picked out of a set by name.
  const fs::path root = label_set(dir_, training_, 3);
  const CommandResult named =
      pcanno("convert " + root.string() + " --sequence-name 0002 --to kitti-tracking --out " +
             (dir_ / "k").string());
  ASSERT_EQ(named.exit_code, 0) << named.out;
  EXPECT_EQ(slurp(dir_ / "k/0002.txt"), slurp(labels_));
  EXPECT_FALSE(fs::exists(dir_ / "k/0001.txt"));
  const CommandResult unknown =
      pcanno("convert " + root.string() + " --sequence-name 0009 --to pcanno --out " +
             (dir_ / "x.json").string());
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.out.find("0001, 0002, 0003"), std::string::npos) << unknown.out;
}

TEST_F(ConvertSetTest, ExistingOutputsAreNamedAndKeptUnlessForced) {
  const fs::path root = label_set(dir_, training_, 3);
  const fs::path out = dir_ / "kitti";
  fs::create_directories(out);
  std::ofstream(out / "0002.txt") << "mine\n";
  std::ofstream(out / "notes.txt") << "keep me\n";
  std::ofstream(out / "evaluate_tracking.seqmap") << "0042 empty 000000 000007\n";
  const std::string command =
      "convert " + root.string() + " --to kitti-tracking --out " + out.string();
  const CommandResult refused = pcanno(command);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.out.find((out / "0002.txt").string()), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("--force"), std::string::npos) << refused.out;
  EXPECT_EQ(slurp(out / "0002.txt"), "mine\n");
  EXPECT_FALSE(fs::exists(out / "0001.txt"));  // all or nothing

  const CommandResult forced = pcanno(command + " --force");
  ASSERT_EQ(forced.exit_code, 0) << forced.out;
  EXPECT_EQ(slurp(out / "0002.txt"), slurp(labels_));
  EXPECT_EQ(slurp(out / "notes.txt"), "keep me\n");  // not ours: untouched
  // The seqmap keeps the other sequence's line and gains ours (5 frames each).
  EXPECT_EQ(slurp(out / "evaluate_tracking.seqmap"),
            "0001 empty 000000 000005\n0002 empty 000000 000005\n0003 empty 000000 000005\n"
            "0042 empty 000000 000007\n");
  std::size_t leftovers = 0;  // no staging folder left beside --out
  for (const auto& e : fs::directory_iterator(dir_)) {
    leftovers += e.path().filename().string().rfind(".kitti", 0) == 0 ? 1 : 0;
  }
  EXPECT_EQ(leftovers, 0u);
}

TEST_F(ConvertSetTest, OutFoldersAreMadeForEveryWriterAndRemovedOnFailure) {
  for (const auto& [format, out] :
       std::vector<std::pair<std::string, fs::path>>{{"kitti-tracking", dir_ / "a/b"},
                                                     {"kitti-object", dir_ / "c/d/label_2"},
                                                     {"nuscenes", dir_ / "e/f/nus"},
                                                     {"nuscenes", dir_ / "k/l/nus/"},
                                                     {"openlabel", dir_ / "g/h/x.json"},
                                                     {"pcanno", dir_ / "i/j/x.pcanno.json"}}) {
    const std::string command =
        "convert " + labels_.string() + " --to " + format + " --out " + out.string();
    const CommandResult r = pcanno(command);
    ASSERT_EQ(r.exit_code, 0) << format << ": " << r.out;
    EXPECT_TRUE(fs::exists(out)) << format;
    const CommandResult again = pcanno(command);
    EXPECT_EQ(again.exit_code, 1) << format << ": " << again.out;
    EXPECT_NE(again.out.find("--force"), std::string::npos) << format << ": " << again.out;
    EXPECT_EQ(pcanno(command + " --force").exit_code, 0) << format;
  }
  // A conversion that fails (a class with no nuScenes category) leaves no folder behind.
  std::ofstream(dir_ / "map.json") << R"({"Car": "vehicle.car"})";
  std::string text = slurp(labels_);
  for (std::size_t at = text.find("Van"); at != std::string::npos; at = text.find("Van", at)) {
    text.replace(at, 3, "Zebra");
  }
  std::ofstream(dir_ / "zebra.txt") << text;
  const CommandResult failed =
      pcanno("convert " + (dir_ / "zebra.txt").string() + " --to nuscenes --sequence " +
             training_.string() + " --class-map " + (dir_ / "map.json").string() + " --out " +
             (dir_ / "fail/deep/nus").string());
  EXPECT_EQ(failed.exit_code, 1) << failed.out;
  EXPECT_FALSE(fs::exists(dir_ / "fail")) << failed.out;
}

/// The sample labels as a native document with a lane line added (two frames).
fs::path with_polyline(const json& native, const fs::path& dir) {
  json doc = native;
  json line = {{"id", 0}, {"label", "lane_line"}, {"states", json::array()}};
  for (int frame : {0, 1}) {
    line["states"].push_back({{"frame", frame},
                              {"frame_of_reference", "lidar"},
                              {"closed", false},
                              {"vertices", {{0.0, 2.0, -1.7}, {20.0, 2.0, -1.7}}},
                              {"provenance", "manual"},
                              {"keyframe", true}});
  }
  doc["polylines"] = json::array({line});
  const fs::path p = dir / "lane.pcanno.json";
  std::ofstream(p) << doc.dump(1);
  return p;
}

TEST_F(ConvertSetTest, EveryExportSaysWhatItDropped) {
  const fs::path doc = with_polyline(native_labels(), dir_);
  const std::string common = " --sequence " + training_.string() + " --out ";
  const CommandResult kitti =
      pcanno("convert " + doc.string() + " --to kitti-tracking" + common + (dir_ / "k").string());
  ASSERT_EQ(kitti.exit_code, 0) << kitti.out;
  EXPECT_NE(kitti.out.find("wrote 15 boxes, 10 ignore regions as kitti-tracking"),
            std::string::npos)
      << kitti.out;
  EXPECT_NE(kitti.out.find("dropped 2: polyline states: KITTI"), std::string::npos) << kitti.out;

  const CommandResult nus =
      pcanno("convert " + doc.string() + " --to nuscenes" + common + (dir_ / "n").string());
  ASSERT_EQ(nus.exit_code, 0) << nus.out;
  EXPECT_NE(nus.out.find("wrote 15 boxes as nuscenes"), std::string::npos) << nus.out;
  EXPECT_NE(nus.out.find("dropped 2: polyline states: nuScenes"), std::string::npos) << nus.out;
  EXPECT_NE(nus.out.find("dropped 10: ignore regions"), std::string::npos) << nus.out;

  const CommandResult native =
      pcanno("convert " + doc.string() + " --to pcanno" + common + (dir_ / "p.json").string());
  ASSERT_EQ(native.exit_code, 0) << native.out;
  EXPECT_NE(native.out.find("wrote 15 boxes, 2 polyline states, 10 ignore regions as pcanno"),
            std::string::npos)
      << native.out;
  EXPECT_EQ(native.out.find("dropped"), std::string::npos) << native.out;
}

}  // namespace
