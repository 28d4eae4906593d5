// `pcanno batch`: a local run's outputs equal one direct conversion of the whole set, byte for
// byte; a run file names the inputs; re-runs do only what changed; a failing sequence is retried
// then reported; each operation runs the command it stands for. Expected values come from the
// label files and from the single-sequence commands (tested on their own), never from the batch
// code. Faults (kill -9, cancel) are in batch_fault_test.cpp.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app_test_support.hpp"
#include "batch_test_support.hpp"
#include "display.hpp"
#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "pcanno/formats/datasets/nuscenes_db.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "pcanno/formats/labels/nuscenes/codec.hpp"
#include "test_data.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using pcanno::test::CommandResult;
using pcanno::test::pcanno;
using pcanno::test::run_command;
using pcanno::test::slurp;
using namespace pcanno::test::batch;

using BatchTest = pcanno::test::LabelsTest;

TEST_F(BatchTest, OutputsEqualOneConversionOfTheWholeSet) {
  const fs::path root = label_set(dir_, training_, 4);
  for (const std::string to : {"nuscenes", "kitti-tracking", "openlabel"}) {
    const fs::path out = dir_ / ("batch-" + to);
    const CommandResult r = pcanno("batch --op convert --to " + to + " " + root.string() +
                                   " --out " + out.string() + " -j 2");
    ASSERT_EQ(r.exit_code, 0) << to << ": " << r.out;
    const fs::path direct = dir_ / ("direct-" + to);
    ASSERT_EQ(
        pcanno("convert " + root.string() + " --to " + to + " --out " + direct.string()).exit_code,
        0);
    std::map<std::string, std::string> got = tree(out);
    if (to == "openlabel") {
      // One file per sequence plus the index naming them.
      const json index = json::parse(got.at("index.json"));
      got.erase("index.json");
      ASSERT_EQ(index["sequences"].size(), 4u);
      EXPECT_EQ(index["sequences"][2]["name"], "0002");
      EXPECT_EQ(index["sequences"][2]["files"], json::array({"0002.json"}));
    }
    EXPECT_EQ(got, tree(direct)) << to;
    EXPECT_NE(r.out.find("4 of 4 sequences done"), std::string::npos) << r.out;
  }
  // The status lists every sequence done once.
  const CommandResult status =
      pcanno("batch status " + (dir_ / "batch-nuscenes.batch").string() + " --json", false);
  ASSERT_EQ(status.exit_code, 0) << status.out;
  const json j = json::parse(status.out);
  ASSERT_EQ(j["sequences"].size(), 4u);
  for (const json& s : j["sequences"]) {
    EXPECT_EQ(s["status"], "done") << s;
    EXPECT_EQ(s["attempts"], 1) << s;
  }
}

TEST_F(BatchTest, ARunFileNamesInputsOperationAndOutput) {
  const fs::path root = label_set(dir_, training_, 3);
  // Relative paths are taken from the run file's folder.
  std::ofstream(dir_ / "run.json")
      << R"({"operation": "convert", "options": {"to": "kitti-tracking"},
    "inputs": {"dataset": "set/training", "sequences": ["0000", "0002"]},
    "output": "out/kitti", "jobs": 2})";
  const CommandResult r = pcanno("batch " + (dir_ / "run.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(slurp(dir_ / "out/kitti/0002.txt"), slurp(labels_));
  EXPECT_FALSE(fs::exists(dir_ / "out/kitti/0001.txt"));
  EXPECT_EQ(slurp(dir_ / "out/kitti/evaluate_tracking.seqmap"),
            "0000 empty 000000 000005\n0002 empty 000000 000005\n");
  EXPECT_TRUE(fs::exists(dir_ / "out/kitti.batch/state/0002.json"));
  // status takes the run file too.
  const CommandResult status = pcanno("batch status " + (dir_ / "run.json").string());
  EXPECT_EQ(status.exit_code, 0) << status.out;
  EXPECT_NE(status.out.find("0002      done"), std::string::npos) << status.out;

  // A file an option names is found from the run file's folder too.
  std::ofstream(dir_ / "classes.json")
      << R"({"Van": "vehicle.truck", "Cyclist": "vehicle.bicycle", "Pedestrian": "human.pedestrian.adult"})";
  std::ofstream(dir_ / "nus.json") << R"({"operation": "convert",
    "options": {"to": "nuscenes", "class-map": "classes.json"},
    "inputs": {"dataset": "set/training"}, "output": "out/nus"})";
  const CommandResult mapped = pcanno("batch " + (dir_ / "nus.json").string());
  ASSERT_EQ(mapped.exit_code, 0) << mapped.out;
  EXPECT_NE(slurp(dir_ / "out/nus/v1.0-pcanno/instance.json").find("\"vehicle.truck\""),
            std::string::npos);

  // Usage errors name the problem.
  std::ofstream(dir_ / "bad.json") << R"({"operation": "convert", "options": {"to": "nuscenes",
    "out": "x"}, "inputs": {"dataset": "set/training"}, "output": "o"})";
  const CommandResult reserved = pcanno("batch " + (dir_ / "bad.json").string());
  EXPECT_EQ(reserved.exit_code, 2) << reserved.out;
  EXPECT_NE(reserved.out.find("'out' is set by pcanno batch"), std::string::npos) << reserved.out;
  const CommandResult no_to =
      pcanno("batch --op convert " + root.string() + " --out " + (dir_ / "n").string());
  EXPECT_EQ(no_to.exit_code, 2) << no_to.out;
  const CommandResult unknown =
      pcanno("batch --op frobnicate " + root.string() + " --out " + (dir_ / "n").string());
  EXPECT_EQ(unknown.exit_code, 2) << unknown.out;
  // An output root the run did not make is kept unless --force.
  fs::create_directories(dir_ / "mine");
  const CommandResult refused = pcanno("batch --op convert --to openlabel " + root.string() +
                                       " --out " + (dir_ / "mine").string());
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_NE(refused.out.find("--force"), std::string::npos) << refused.out;
}

// A class map given by a relative path is the same option on every run, and it counts by its
// bytes: editing it redoes every sequence, with the new categories.
TEST_F(BatchTest, AClassMapCountsByItsBytesWhateverPathNamesIt) {
  label_set(dir_, training_, 2);
  const std::string others =
      R"("Cyclist": "vehicle.bicycle", "Pedestrian": "human.pedestrian.adult")";
  std::ofstream(dir_ / "classes.json") << R"({"Van": "vehicle.truck", )" << others << "}";
  const std::string command = "cd " + dir_.string() + " && " + PCANNO_BINARY +
                              " batch --op convert --to nuscenes ./set/training --out nus"
                              " --class-map ./classes.json -j 2 2>&1";
  ASSERT_EQ(run_command(command).exit_code, 0);
  const CommandResult again = run_command(command);
  ASSERT_EQ(again.exit_code, 0) << again.out;
  EXPECT_EQ(read_json(dir_ / "nus.batch/summary.json")["ran"], 0) << again.out;
  std::ofstream(dir_ / "classes.json", std::ios::trunc)
      << R"({"Van": "vehicle.car", )" << others << "}";
  const CommandResult edited = run_command(command);
  ASSERT_EQ(edited.exit_code, 0) << edited.out;
  EXPECT_EQ(read_json(dir_ / "nus.batch/summary.json")["ran"], 2) << edited.out;
  const std::string instances = slurp(dir_ / "nus/v1.0-pcanno/instance.json");
  EXPECT_NE(instances.find("\"vehicle.car\""), std::string::npos);
  EXPECT_EQ(instances.find("\"vehicle.truck\""), std::string::npos);
}

TEST_F(BatchTest, ARerunDoesOnlyWhatChanged) {
  const fs::path root = label_set(dir_, training_, 4);
  const fs::path out = dir_ / "k";
  const fs::path run = dir_ / "k.batch";
  const std::string command = "batch --op convert --to kitti-tracking " + root.string() +
                              " --out " + out.string() + " -j 2";
  ASSERT_EQ(pcanno(command).exit_code, 0);
  std::map<std::string, json> first;
  for (const char* name : {"0000", "0001", "0002", "0003"}) first[name] = state(run, name);
  const std::string merged = slurp(run / "merge.json");

  // Nothing changed: no task runs, no merge.
  const CommandResult again = pcanno(command);
  ASSERT_EQ(again.exit_code, 0) << again.out;
  for (const auto& [name, s] : first) EXPECT_EQ(state(run, name), s) << name;
  const json summary = read_json(run / "summary.json");
  EXPECT_EQ(summary["ran"], 0);
  EXPECT_EQ(summary["up_to_date"], 4);
  EXPECT_EQ(summary["merge"], "up to date");
  EXPECT_EQ(slurp(run / "merge.json"), merged);

  // One input changed (its last row removed): only that sequence is redone.
  std::string text = slurp(root / "label_02/0002.txt");
  text.erase(text.rfind('\n', text.size() - 2) + 1);
  std::ofstream(root / "label_02/0002.txt", std::ios::trunc) << text;
  const CommandResult changed = pcanno(command);
  ASSERT_EQ(changed.exit_code, 0) << changed.out;
  for (const auto& [name, s] : first) {
    if (name == "0002") {
      EXPECT_NE(state(run, name)["finished"], s["finished"]);
      EXPECT_NE(state(run, name)["input_hash"], s["input_hash"]);
    } else {
      EXPECT_EQ(state(run, name), s) << name;
    }
  }
  EXPECT_EQ(read_json(run / "summary.json")["ran"], 1);
  EXPECT_EQ(slurp(out / "0002.txt"), text);
  // A changed option redoes everything.
  const CommandResult other = pcanno(command + " --option all-frames");
  ASSERT_EQ(other.exit_code, 0) << other.out;
  EXPECT_EQ(read_json(run / "summary.json")["ran"], 4);
}

TEST_F(BatchTest, AFailingSequenceIsRetriedThenReported) {
  const fs::path root = label_set(dir_, training_, 3);
  std::ofstream(root / "label_02/0001.txt", std::ios::trunc) << "0 0 Car broken row\n";
  const fs::path out = dir_ / "nus";
  const fs::path run = dir_ / "nus.batch";
  const std::string command = "batch --op convert --to nuscenes " + root.string() + " --out " +
                              out.string() + " -j 2 --retries 2";
  const CommandResult r = pcanno(command);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  const json failed = state(run, "0001");
  EXPECT_EQ(failed["status"], "failed");
  EXPECT_EQ(failed["attempts"], 3);  // the first and two retries
  EXPECT_EQ(failed["exit_code"], 1);
  EXPECT_NE(failed["error"].get<std::string>().find("label_02/0001.txt:1"), std::string::npos)
      << failed;
  const std::string log = slurp(run / "logs/0001.log");
  std::size_t attempts = 0;
  for (std::size_t at = log.find(" attempt "); at != std::string::npos;
       at = log.find(" attempt ", at + 1)) {
    ++attempts;
  }
  EXPECT_EQ(attempts, 3u) << log;
  EXPECT_EQ(state(run, "0000")["status"], "done");
  EXPECT_EQ(state(run, "0002")["status"], "done");
  // The summaries name it; nothing is merged from an incomplete set.
  EXPECT_NE(r.out.find("0001: failed after 3 attempts (exit 1)"), std::string::npos) << r.out;
  const json summary = read_json(run / "summary.json");
  EXPECT_EQ(summary["failed"], 1);
  EXPECT_EQ(summary["sequences"][1]["status"], "failed");
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(empty_folder(run / "staging/0001"));

  // Repaired, the re-run does that one only and merges.
  fs::copy_file(labels_, root / "label_02/0001.txt", fs::copy_options::overwrite_existing);
  const CommandResult fixed = pcanno(command);
  ASSERT_EQ(fixed.exit_code, 0) << fixed.out;
  EXPECT_EQ(read_json(run / "summary.json")["ran"], 1);
  EXPECT_EQ(state(run, "0001")["attempts"], 1);
  EXPECT_TRUE(fs::exists(out / "v1.0-pcanno/scene.json"));
}

TEST_F(BatchTest, CheckWritesOneReportPerSequenceAndAnIndex) {
  const fs::path root = label_set(dir_, training_, 3);
  const fs::path out = dir_ / "qa";
  const CommandResult r =
      pcanno("batch --op check --no-points " + root.string() + " --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const json index = read_json(out / "index.json");
  ASSERT_EQ(index["sequences"].size(), 3u);
  for (const json& s : index["sequences"]) {
    const json report = read_json(out / (s["name"].get<std::string>() + ".json"));
    EXPECT_EQ(report["summary"]["boxes"], 15);  // the sample's 15 object rows
    EXPECT_EQ(s["counts"]["boxes"], 15);
  }
}

// eval scores each sequence's predictions against its ground truth (the same file name in the
// "gt" folder): one report per sequence, the one `pcanno eval --json` gives; and the ground truth
// is an input, so editing one file redoes that sequence alone.
TEST_F(BatchTest, EvalScoresEachSequenceAgainstItsGroundTruth) {
  const fs::path pred = label_set(dir_ / "pred", training_, 3);
  const fs::path gt = label_set(dir_ / "gt", training_, 3) / "label_02";
  // The second sequence's truth moved: its last row 2 m along x.
  std::string text = slurp(gt / "0001.txt");
  const std::size_t row = text.rfind('\n', text.size() - 2) + 1;
  std::istringstream fields(text.substr(row));
  std::vector<std::string> f;
  for (std::string x; fields >> x;) f.push_back(x);
  ASSERT_GE(f.size(), 17u);
  f[13] = std::to_string(std::stod(f[13]) + 2.0);
  std::string moved;
  for (const std::string& x : f) moved += (moved.empty() ? "" : " ") + x;
  std::ofstream(gt / "0001.txt", std::ios::trunc) << text.substr(0, row) << moved << "\n";

  const fs::path out = dir_ / "scores";
  const std::string command = "batch --op eval --option gt=" + gt.string() + " " + pred.string() +
                              " --out " + out.string() + " -j 2";
  const CommandResult r = pcanno(command);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ASSERT_EQ(read_json(out / "index.json")["sequences"].size(), 3u);
  for (const char* name : {"0000", "0001", "0002"}) {
    const std::string file = std::string(name) + ".txt";
    const CommandResult direct = pcanno(
        "eval " + (pred / "label_02" / file).string() + " " + (gt / file).string() + " --json",
        false);
    ASSERT_EQ(direct.exit_code, 0) << direct.out;
    EXPECT_EQ(read_json(out / (std::string(name) + ".json"))["overall"],
              json::parse(direct.out)["overall"])
        << name;
  }
  EXPECT_LT(read_json(out / "0001.json")["overall"]["mean_iou_3d"].get<double>(),
            read_json(out / "0000.json")["overall"]["mean_iou_3d"].get<double>());

  std::ofstream(gt / "0002.txt", std::ios::app) << "\n";
  ASSERT_EQ(pcanno(command).exit_code, 0);
  EXPECT_EQ(read_json(dir_ / "scores.batch/summary.json")["ran"], 1);
}

TEST_F(BatchTest, TrackAndPrelabelRunPerSequenceLikeTheirCommands) {
  const fs::path root = label_set(dir_, training_, 3);
  fs::create_directories(root / "velodyne");
  for (const char* name : {"0000", "0001", "0002"}) {
    fs::create_directory_symlink(training_ / "velodyne/0000", root / "velodyne" / name);
  }
  const CommandResult track = pcanno("batch --op track --option method=linear " + root.string() +
                                     " --out " + (dir_ / "tracked").string() + " -j 2");
  ASSERT_EQ(track.exit_code, 0) << track.out;
  const CommandResult prelabel = pcanno("batch --op prelabel " + root.string() + " --out " +
                                        (dir_ / "pre").string() + " -j 2");
  ASSERT_EQ(prelabel.exit_code, 0) << prelabel.out;
  EXPECT_EQ(read_json(dir_ / "pre/index.json")["sequences"].size(), 3u);
  for (const std::string name : {"0000", "0002"}) {
    const fs::path direct = dir_ / ("direct-" + name);
    ASSERT_EQ(
        pcanno("track " + root.string() + " " + (root / "label_02" / (name + ".txt")).string() +
               " --sequence-name " + name + " --method linear --out " + direct.string())
            .exit_code,
        0);
    EXPECT_EQ(slurp(dir_ / "tracked" / (name + ".txt")), slurp(direct / (name + ".txt")));
    const fs::path doc = dir_ / (name + ".pcanno.json");
    ASSERT_EQ(
        pcanno("prelabel " + root.string() + " --sequence-name " + name + " --out " + doc.string())
            .exit_code,
        0);
    EXPECT_EQ(slurp(dir_ / "pre" / (name + ".pcanno.json")), slurp(doc)) << name;
  }
  EXPECT_TRUE(fs::exists(dir_ / "tracked/evaluate_tracking.seqmap"));
}

TEST_F(BatchTest, RenderMakesOneThumbnailPerSequence) {
  if (pcanno("render --help").exit_code != 0) GTEST_SKIP() << "pcanno built without the viewer";
  PCANNO_REQUIRE_DISPLAY();
  const fs::path root = label_set(dir_, training_, 2);
  fs::create_directories(root / "velodyne");
  for (const char* name : {"0000", "0001"}) {
    fs::create_directory_symlink(training_ / "velodyne/0000", root / "velodyne" / name);
  }
  const CommandResult r = pcanno("batch --op render --option view=top --option size=160x100 " +
                                 root.string() + " --out " + (dir_ / "thumbs").string() + " -j 2");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(read_json(dir_ / "thumbs/index.json")["sequences"].size(), 2u);
  // Each is what pcanno render draws for frame 0 with the sequence's labels.
  const fs::path direct = dir_ / "0001.png";
  ASSERT_EQ(pcanno("render " + root.string() + " --sequence-name 0001 --labels " +
                   (root / "label_02/0001.txt").string() +
                   " --frame 0 --view top --size 160x100 --out " + direct.string())
                .exit_code,
            0);
  const std::string png = slurp(dir_ / "thumbs/0001.png");
  EXPECT_EQ(png.substr(1, 3), "PNG");
  EXPECT_EQ(png, slurp(direct));
}

fs::path shared_training() { return pcanno::test::shared_data_dir() / "kitti_tracking/training"; }

/// frame, track id, type, then height, width, length, x, y, z, rotation_y of each object row.
std::vector<std::vector<std::string>> object_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream in(line);
    std::vector<std::string> f;
    for (std::string x; in >> x;) f.push_back(x);
    if (f.size() < 17 || f[2] == "DontCare") continue;
    std::vector<std::string> row{f[0], f[1], f[2]};
    for (int k = 10; k <= 16; ++k) row.push_back(f[static_cast<std::size_t>(k)]);
    rows.push_back(row);
  }
  return rows;
}

// The issue's done-when: all 21 KITTI tracking label files through the local engine with two
// workers become one nuScenes dataset with one annotation per object row, and back to KITTI.
TEST_F(BatchTest, All21KittiTrackingSequencesBecomeOneNuscenesDataset) {
  PCANNO_REQUIRE_DATA(shared_training() / "label_02/0020.txt");
  std::map<std::string, std::size_t> expected;
  std::size_t total = 0;
  for (const auto& e : fs::directory_iterator(shared_training() / "label_02")) {
    const std::size_t n = object_rows(slurp(e.path())).size();
    expected[e.path().stem().string()] = n;
    total += n;
  }
  ASSERT_EQ(expected.size(), 21u);
  EXPECT_EQ(total, 46612u);  // the issue's figure, counted from the files above

  const fs::path out = dir_ / "nuscenes";
  const CommandResult r = pcanno("batch --op convert --to nuscenes " + shared_training().string() +
                                 " --out " + out.string() + " -j 2");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("21 of 21 sequences done"), std::string::npos) << r.out;

  const auto db = pcanno::formats::load_nuscenes_db(out);
  ASSERT_TRUE(db) << db.error().describe();
  EXPECT_TRUE(db->warnings.empty()) << db->warnings.front();
  EXPECT_EQ(db->scenes.size(), 21u);
  EXPECT_EQ(db->sample_annotations.size(), total);
  std::map<std::string, std::size_t> per_scene;
  for (const auto& a : db->sample_annotations) {
    const auto* sample = db->sample(a.sample_token);
    ASSERT_NE(sample, nullptr) << a.token;
    ++per_scene[db->scene(sample->scene_token)->name];
  }
  EXPECT_EQ(per_scene, expected);

  // The same bytes as one conversion of the whole set.
  const fs::path direct = dir_ / "direct";
  ASSERT_EQ(pcanno("convert " + shared_training().string() + " --to nuscenes --quiet --out " +
                   direct.string())
                .exit_code,
            0);
  EXPECT_TRUE(tree(out) == tree(direct));

  // Back to KITTI with each sequence's calibration: every object row again.
  for (const auto& [name, n] : expected) {
    pcanno::formats::SequenceOptions options;
    options.name = name;
    auto scene = pcanno::formats::open_sequence(out, options);
    ASSERT_TRUE(scene) << name << ": " << scene.error().describe();
    auto calib = pcanno::formats::read_kitti_calib(shared_training() / "calib" / (name + ".txt"));
    ASSERT_TRUE(calib) << name;
    pcanno::formats::Calibration calibration;
    calibration.kitti = *calib;
    scene->calibrations = {calibration};
    for (auto& frame : scene->frames) frame.calibration = 0;
    pcanno::formats::LabelContext context;
    context.sequence = &*scene;
    context.include_outside_fov = true;  // the labels hold a box the FOV test calls outside (0009)
    auto doc = pcanno::formats::read_nuscenes_annotations(out, context);
    ASSERT_TRUE(doc) << name << ": " << doc.error().describe();
    const fs::path back = dir_ / "back" / (name + ".txt");
    fs::create_directories(back.parent_path());
    auto written = pcanno::formats::write_kitti_tracking_annotations(*doc, back, context);
    ASSERT_TRUE(written) << name << ": " << written.error().describe();
    auto original = object_rows(slurp(shared_training() / "label_02" / (name + ".txt")));
    auto returned = object_rows(slurp(back));
    std::sort(original.begin(), original.end());
    std::sort(returned.begin(), returned.end());
    ASSERT_EQ(returned.size(), n) << name << ": " << pcanno::formats::summarize(*written);
    EXPECT_TRUE(returned == original) << name;
  }
}

}  // namespace
