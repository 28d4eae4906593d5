// Whole label sets and honest exports: KITTI tracking label folders and label-only sequences,
// labels past the clouds, several scenes in one nuScenes dataroot, and every writer accounting for
// what it could not write (polylines, ignore regions, attributes) in WriteReport.
#include <filesystem>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "files.hpp"
#include "nuscenes_link_rules.hpp"
#include "pcanno/formats/datasets/nuscenes_db.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "pcanno/formats/labels/kitti/label.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/formats/labels/nuscenes/codec.hpp"
#include "pcanno/formats/labels/openlabel/codec.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;
using test::slurp;
using test::TempDir;
using test_nuscenes::join;
using test_nuscenes::link_problems;

fs::path sample_training() { return test::sample_data_dir() / "kitti_tracking/training"; }
fs::path sample_labels() { return sample_training() / "label_02/0000.txt"; }

/// Object and DontCare rows of a label file, counted from its parsed rows.
std::pair<std::size_t, std::size_t> row_kinds(const fs::path& file) {
  const auto rows = read_kitti_tracking_labels(file);
  EXPECT_TRUE(rows) << rows.error().describe();
  std::size_t objects = 0, dont_care = 0;
  if (rows) {
    for (const KittiLabelRow& r : *rows) (r.is_dont_care() ? dont_care : objects) += 1;
  }
  return {objects, dont_care};
}

/// A training folder with the sample labels under `names`, calibration for each, no clouds.
fs::path label_only_set(const TempDir& dir, const std::vector<std::string>& names) {
  const fs::path root = dir.path() / "training";
  fs::create_directories(root / "label_02");
  fs::create_directories(root / "calib");
  for (const std::string& name : names) {
    fs::copy_file(sample_labels(), root / "label_02" / (name + ".txt"));
    fs::copy_file(sample_training() / "calib/0000.txt", root / "calib" / (name + ".txt"));
  }
  return root;
}

TEST(KittiTrackingLabelSet, LabelFolderListsAndReadsEverySequence) {
  TempDir dir;
  const fs::path root = label_only_set(dir, {"0003", "0001", "0010"});
  for (const fs::path& given : {root, root / "label_02", fs::path(root.string() + "/label_02/")}) {
    const std::vector<fs::path> files = list_kitti_tracking_label_files(given);
    ASSERT_EQ(files.size(), 3u) << given;
    EXPECT_EQ(files[0].filename(), "0001.txt");
    EXPECT_EQ(files[2].filename(), "0010.txt");
    EXPECT_TRUE(make_kitti_tracking_codec().detect(given)) << given;
  }
  EXPECT_EQ(list_kitti_tracking_label_files(root / "label_02/0003.txt").size(), 1u);
  EXPECT_TRUE(list_kitti_tracking_label_files(dir.path() / "nowhere").empty());

  // A label_02 folder reads like its training root: the first sequence, calibration beside it.
  const Expected<Annotations> doc = read_kitti_tracking_annotations(root / "label_02");
  ASSERT_TRUE(doc) << doc.error().describe();
  EXPECT_EQ(doc->sequence.name, "0001");
  EXPECT_EQ(doc->box_count(), row_kinds(sample_labels()).first);
}

TEST(KittiTrackingLabelSet, MissingCalibrationNamesTheSequenceAndFile) {
  TempDir dir;
  const fs::path root = label_only_set(dir, {"0004"});
  fs::remove(root / "calib/0004.txt");
  const Expected<Annotations> doc = read_kitti_tracking_annotations(root / "label_02/0004.txt");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(doc.error().message.find("sequence 0004"), std::string::npos) << doc.error().message;
  EXPECT_NE(doc.error().message.find((root / "calib/0004.txt").string()), std::string::npos)
      << doc.error().message;
}

TEST(KittiTrackingLabelSet, LabelsPastTheCloudsExtendTheSequenceOnlyWhenAsked) {
  const Expected<Sequence> seq = open_sequence(sample_training());
  ASSERT_TRUE(seq) << seq.error().describe();
  ASSERT_EQ(seq->size(), 5u);
  TempDir dir;
  // The sample rows plus one Van row moved to frame 12, in a folder with nothing beside it.
  std::string text = slurp(sample_labels());
  const std::size_t van = text.rfind('\n', text.find(" Van ")) + 1;
  const std::string row = text.substr(van, text.find('\n', van) - van);
  text += "12" + row.substr(row.find(' ')) + "\n";
  const fs::path keys = dir.write("keys.txt", text);

  LabelContext context;
  context.sequence = &*seq;
  const Expected<Annotations> strict = read_kitti_tracking_annotations(keys, context);
  ASSERT_FALSE(strict);
  EXPECT_NE(strict.error().message.find("frame 12 is beyond"), std::string::npos);

  context.frames_beyond_sequence = true;
  const Expected<Annotations> doc = read_kitti_tracking_annotations(keys, context);
  ASSERT_TRUE(doc) << doc.error().describe();
  ASSERT_EQ(doc->frames.size(), 13u);
  EXPECT_EQ(doc->frames[12].name, "000012");
  EXPECT_EQ(doc->box_count(), row_kinds(keys).first);
  // Frame 12's box went through the same calibration as the row it copies (frame of `row`).
  const Track* track = doc->track(std::stoll(row.substr(row.find(' ') + 1)));
  ASSERT_NE(track, nullptr);
  const BoxState* copied = track->at(12);
  const BoxState* original = track->at(std::stoll(row.substr(0, row.find(' '))));
  ASSERT_TRUE(copied != nullptr && original != nullptr);
  EXPECT_LT((copied->box.center - original->box.center).norm(), 1e-9);
}

/// Two scenes: the sample sequence with its clouds, and the same labels as a label-only sequence.
struct TwoScenes {
  Sequence clouds;
  Annotations with_clouds, label_only;
};

void make_two_scenes(const TempDir& dir, TwoScenes& s) {
  Expected<Sequence> seq = open_sequence(sample_training());
  ASSERT_TRUE(seq) << seq.error().describe();
  s.clouds = std::move(*seq);
  LabelContext context;
  context.sequence = &s.clouds;
  Expected<Annotations> a = read_kitti_tracking_annotations(sample_labels(), context);
  ASSERT_TRUE(a) << a.error().describe();
  s.with_clouds = std::move(*a);
  const fs::path root = label_only_set(dir, {"0007"});
  Expected<Annotations> b = read_kitti_tracking_annotations(root / "label_02/0007.txt");
  ASSERT_TRUE(b) << b.error().describe();
  s.label_only = std::move(*b);
}

TEST(NuscenesScenes, SeveralScenesMakeOneConsistentDataroot) {
  TempDir dir;
  TwoScenes s;
  ASSERT_NO_FATAL_FAILURE(make_two_scenes(dir, s));
  const std::vector<NuscenesSceneExport> scenes = {{&s.with_clouds, &s.clouds},
                                                   {&s.label_only, nullptr}};
  const fs::path out = dir.path() / "made/for/it/nus";
  const Expected<std::vector<WriteReport>> reports = write_nuscenes_scenes(scenes, out, {});
  ASSERT_TRUE(reports) << reports.error().describe();
  ASSERT_EQ(reports->size(), 2u);
  const auto [objects, dont_care] = row_kinds(sample_labels());
  for (const WriteReport& r : *reports) {
    EXPECT_EQ(r.boxes_written, objects);
    EXPECT_EQ(r.dropped.size(), 1u);
    EXPECT_EQ(r.dropped.begin()->second, dont_care);  // DontCare: no nuScenes counterpart
    EXPECT_EQ(r.dropped.begin()->first.rfind("ignore regions", 0), 0u) << r.dropped.begin()->first;
  }
  const auto problems = link_problems(out, "v1.0-pcanno");
  EXPECT_TRUE(problems.empty()) << join(problems);

  const Expected<NuscenesDb> db = load_nuscenes_db(out);
  ASSERT_TRUE(db) << db.error().describe();
  ASSERT_EQ(db->scenes.size(), 2u);
  EXPECT_EQ(db->logs.size(), 2u);
  EXPECT_EQ(db->maps.size(), 2u);
  EXPECT_EQ(db->sensors.size(), 1u);  // shared
  EXPECT_EQ(db->sample_annotations.size(), 2 * objects);
  for (const std::string name : {"0000", "0007"}) {
    const NuscenesScene* scene = db->scene_by_name(name);
    ASSERT_NE(scene, nullptr) << name;
    EXPECT_EQ(scene->nbr_samples, 5);
    Sequence named;
    named.name = name;
    LabelContext context;
    context.sequence = &named;
    const Expected<Annotations> back = read_nuscenes_annotations(out, context);
    ASSERT_TRUE(back) << back.error().describe();
    EXPECT_EQ(back->box_count(), objects) << name;
    EXPECT_EQ(back->tracks.size(), s.with_clouds.tracks.size()) << name;
  }
  // Scene 0000 has clouds: its LiDAR files hold them; 0007 has none: empty files.
  for (const NuscenesSampleData& sd : db->sample_data) {
    const NuscenesSample* sample = db->sample(sd.sample_token);
    ASSERT_NE(sample, nullptr);
    const bool clouds = db->scene(sample->scene_token)->name == "0000";
    EXPECT_EQ(fs::file_size(out / sd.filename) > 0, clouds) << sd.filename;
  }

  // Deterministic: the same scenes give the same bytes.
  const fs::path again = dir.path() / "again";
  ASSERT_TRUE(write_nuscenes_scenes(scenes, again, {}));
  for (const char* table : test_nuscenes::kTables) {
    const fs::path file = fs::path("v1.0-pcanno") / (std::string(table) + ".json");
    EXPECT_EQ(slurp(out / file), slurp(again / file)) << table;
  }
}

TEST(NuscenesScenes, SceneNamesMustDifferAndFailuresLeaveNothing) {
  TempDir dir;
  TwoScenes s;
  ASSERT_NO_FATAL_FAILURE(make_two_scenes(dir, s));
  const fs::path out = dir.path() / "new/nus";
  Annotations twin = s.label_only;
  twin.sequence.name = "0000";
  const auto r = write_nuscenes_scenes({{&s.with_clouds, &s.clouds}, {&twin, nullptr}}, out, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kMalformed);
  EXPECT_NE(r.error().message.find("'0000'"), std::string::npos) << r.error().message;
  EXPECT_FALSE(fs::exists(dir.path() / "new"));

  // A cloud that vanished fails the export after its folders were made: they go again.
  fs::copy(sample_training(), dir.path() / "copy", fs::copy_options::recursive);
  Expected<Sequence> copy = open_sequence(dir.path() / "copy");
  ASSERT_TRUE(copy) << copy.error().describe();
  fs::remove(copy->frames[3].cloud_path);
  const auto lost =
      write_nuscenes_scenes({{&s.with_clouds, &*copy}, {&s.label_only, nullptr}}, out, {});
  ASSERT_FALSE(lost);
  EXPECT_NE(lost.error().describe().find("000003.bin"), std::string::npos)
      << lost.error().describe();
  EXPECT_FALSE(fs::exists(dir.path() / "new"));
}

/// The sample labels (read with their dataset) plus a two-frame lane line and attributes.
Annotations with_extras(const Sequence& seq) {
  LabelContext context;
  context.sequence = &seq;
  Expected<Annotations> doc = read_kitti_tracking_annotations(sample_labels(), context);
  EXPECT_TRUE(doc) << doc.error().describe();
  if (!doc) return {};
  PolylineTrack line;
  line.id = 0;
  line.label = "lane_line";
  for (std::int64_t f : {0, 1}) {
    PolylineState state;
    state.frame = f;
    state.line.vertices = {Eigen::Vector3d(0, 2, -1.7), Eigen::Vector3d(20, 2, -1.7)};
    line.states.push_back(state);
  }
  doc->polylines.push_back(line);
  doc->tracks[0].attributes["colour"] = "red";                    // a track attribute
  doc->tracks[0].boxes[0].attributes["occlusion"] = "partly";     // a box attribute, not a flag
  doc->tracks[0].boxes[1].attributes["vehicle.moving"] = "true";  // a nuScenes flag
  doc->frames[0].attributes["weather"] = "sunny";                 // a frame attribute
  return std::move(*doc);
}

TEST(WriteReports, EveryWriterAccountsForWhatItCannotHold) {
  const Expected<Sequence> seq = open_sequence(sample_training());
  ASSERT_TRUE(seq) << seq.error().describe();
  const Annotations doc = with_extras(*seq);
  const auto [objects, dont_care] = row_kinds(sample_labels());
  LabelContext context;
  context.sequence = &*seq;
  TempDir dir;

  // KITTI: boxes and DontCare rows written; the lane line's 2 states and all 4 attributes not.
  const Expected<WriteReport> tracking =
      write_kitti_tracking_annotations(doc, dir.path() / "t", context);
  ASSERT_TRUE(tracking) << tracking.error().describe();
  EXPECT_EQ(tracking->boxes_written, objects);
  EXPECT_EQ(tracking->ignore_regions_written, dont_care);
  EXPECT_EQ(tracking->polyline_states_written, 0u);
  std::map<std::string, std::size_t> first_words;
  for (const auto& [reason, n] : tracking->dropped) first_words[reason.substr(0, 8)] += n;
  EXPECT_EQ(first_words, (std::map<std::string, std::size_t>{{"attribut", 4}, {"polyline", 2}}));
  const Expected<WriteReport> object =
      write_kitti_object_annotations(doc, dir.path() / "o/label_2", context);
  ASSERT_TRUE(object) << object.error().describe();
  EXPECT_EQ(object->dropped, tracking->dropped);
  EXPECT_EQ(object->ignore_regions_written, dont_care);

  // nuScenes: ignore regions too; the flag goes out as an attribute, the others are counted.
  const Expected<WriteReport> nus = write_nuscenes_dataset(doc, dir.path() / "n", context);
  ASSERT_TRUE(nus) << nus.error().describe();
  EXPECT_EQ(nus->boxes_written, objects);
  first_words.clear();
  for (const auto& [reason, n] : nus->dropped) first_words[reason.substr(0, 8)] += n;
  // Track attributes survive in the instance's pcanno_attributes; box "occlusion" and frame
  // "weather" do not.
  EXPECT_EQ(first_words, (std::map<std::string, std::size_t>{
                             {"attribut", 2}, {"ignore r", dont_care}, {"polyline", 2}}));

  // OpenLABEL keeps the polyline; pcanno keeps everything.
  const Expected<WriteReport> ol = write_openlabel(doc, dir.path() / "x.json", context);
  ASSERT_TRUE(ol) << ol.error().describe();
  EXPECT_EQ(ol->polyline_states_written, 2u);
  const LabelCodec* native = default_label_codecs().find("pcanno");
  ASSERT_NE(native, nullptr);
  const Expected<WriteReport> all = native->write(doc, dir.path() / "p/doc.json", context);
  ASSERT_TRUE(all) << all.error().describe();
  EXPECT_TRUE(all->dropped.empty());
  EXPECT_EQ(all->polyline_states_written, 2u);
  EXPECT_EQ(all->ignore_regions_written, dont_care);

  // The one-line summary names each count.
  const std::string line = summarize(*tracking);
  EXPECT_NE(line.find("wrote " + std::to_string(objects) + " boxes, " + std::to_string(dont_care) +
                      " ignore regions"),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("dropped 2 polyline states"), std::string::npos) << line;
  EXPECT_NE(line.find("dropped 4 attributes"), std::string::npos) << line;
}

/// Every file under `root` by its relative path, with its bytes.
std::map<std::string, std::string> tree(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) out[fs::relative(e.path(), root).string()] = slurp(e.path());
  }
  return out;
}

// KITTI and nuScenes have no polyline: each polyline state is counted as dropped, and the files
// are byte for byte those of the same document without its polylines.
TEST(WriteReports, PolylinesAreCountedAndNeverWritten) {
  const Expected<Sequence> seq = open_sequence(sample_training());
  ASSERT_TRUE(seq) << seq.error().describe();
  LabelContext context;
  context.sequence = &*seq;
  Expected<Annotations> plain = read_kitti_tracking_annotations(sample_labels(), context);
  ASSERT_TRUE(plain) << plain.error().describe();
  Annotations doc = *plain;
  const auto line = [](std::int64_t id, std::vector<std::int64_t> frames, bool closed) {
    PolylineTrack t;
    t.id = id;
    t.label = "curb";
    for (std::int64_t f : frames) {
      PolylineState s;
      s.frame = f;
      s.line.closed = closed;
      for (std::int64_t k = 0; k <= f; ++k) s.line.vertices.emplace_back(k, 2.0 + f, -1.7);
      t.states.push_back(s);
    }
    return t;
  };
  // Open and closed lines, one with the id of a box track, one with no state: 6 states.
  doc.polylines = {line(0, {0, 1, 2}, false), line(5, {1, 3}, true), line(9, {4}, false),
                   line(11, {}, false)};
  std::size_t states = 0;
  for (const PolylineTrack& t : doc.polylines) states += t.states.size();
  ASSERT_EQ(states, 6u);
  const auto polyline_drops = [](const WriteReport& r) {
    std::size_t n = 0, reasons = 0;
    for (const auto& [reason, count] : r.dropped) {
      if (reason.rfind("polyline states", 0) == 0) n += count, ++reasons;
    }
    EXPECT_LE(reasons, 1u);
    return n;
  };
  TempDir dir;
  struct Export {
    const char* name;
    std::function<Expected<WriteReport>(const Annotations&, const fs::path&)> write;
  };
  const std::vector<Export> exports = {
      {"kitti-tracking",
       [&](const Annotations& a, const fs::path& out) {
         return write_kitti_tracking_annotations(a, out / "0000.txt", context);
       }},
      {"kitti-object",
       [&](const Annotations& a, const fs::path& out) {
         return write_kitti_object_annotations(a, out / "label_2", context);
       }},
      {"nuscenes", [&](const Annotations& a, const fs::path& out) {
         return write_nuscenes_dataset(a, out / "n", context);
       }}};
  for (const Export& e : exports) {
    const fs::path with = dir.path() / e.name / "with", without = dir.path() / e.name / "without";
    const Expected<WriteReport> lines = e.write(doc, with);
    ASSERT_TRUE(lines) << e.name << ": " << lines.error().describe();
    const Expected<WriteReport> none = e.write(*plain, without);
    ASSERT_TRUE(none) << e.name << ": " << none.error().describe();
    EXPECT_EQ(polyline_drops(*lines), states) << e.name;
    EXPECT_EQ(polyline_drops(*none), 0u) << e.name;
    EXPECT_EQ(lines->polyline_states_written, 0u) << e.name;
    EXPECT_EQ(lines->boxes_written, none->boxes_written) << e.name;
    // Apart from the polyline count, the same report; the same files, byte for byte.
    std::map<std::string, std::size_t> rest = lines->dropped;
    for (auto it = rest.begin(); it != rest.end();) {
      it = it->first.rfind("polyline states", 0) == 0 ? rest.erase(it) : std::next(it);
    }
    EXPECT_EQ(rest, none->dropped) << e.name;
    const auto written = tree(with), reference = tree(without);
    EXPECT_FALSE(written.empty()) << e.name;
    EXPECT_TRUE(written == reference) << e.name << ": the polylines changed the output";
  }
}

TEST(WriteReports, FailedWritesRemoveTheFoldersTheyMade) {
  const Expected<Sequence> seq = open_sequence(sample_training());
  ASSERT_TRUE(seq) << seq.error().describe();
  Annotations doc = with_extras(*seq);
  // Frame 4's box is broken: frames 0-3 are written into the staged folder before the failure.
  doc.tracks.back().boxes.back().box.center.x() = std::numeric_limits<double>::quiet_NaN();
  LabelContext context;
  context.sequence = &*seq;
  TempDir dir;
  const Expected<WriteReport> object =
      write_kitti_object_annotations(doc, dir.path() / "c/d/label_2", context);
  ASSERT_FALSE(object);
  EXPECT_NE(object.error().message.find("non-finite"), std::string::npos);
  EXPECT_TRUE(fs::is_empty(dir.path()));
  EXPECT_FALSE(write_kitti_tracking_annotations(doc, dir.path() / "a/b", context));
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

}  // namespace
}  // namespace pcanno::formats
