#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "files.hpp"
#include "nuscenes_test_data.hpp"
#include "pcanno/formats/datasets/nuscenes_db.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;
using test::shared_data_dir;
using test::TempDir;

using test::any_contains;
using test::lyft_root;

fs::path mini_root() { return test::nuscenes_mini_root(); }

// ---------------------------------------------------------------------------------------------
// Real data

TEST(NuscenesDb, MiniLoadsAllThirteenTables) {
  PCANNO_REQUIRE_DATA(mini_root() / "v1.0-mini/sample_data.json");
  const Expected<NuscenesDb> db = load_nuscenes_db(mini_root(), "v1.0-mini");
  ASSERT_TRUE(db) << db.error().describe();
  // Counts from the data README.
  EXPECT_EQ(db->scenes.size(), 1u);
  EXPECT_EQ(db->samples.size(), 1u);
  EXPECT_EQ(db->sample_data.size(), 1u);
  EXPECT_EQ(db->instances.size(), 68u);
  EXPECT_EQ(db->sample_annotations.size(), 68u);
  EXPECT_EQ(db->categories.size(), 23u);
  EXPECT_EQ(db->attributes.size(), 8u);
  EXPECT_EQ(db->visibilities.size(), 4u);
  EXPECT_EQ(db->sensors.size(), 1u);
  EXPECT_EQ(db->calibrated_sensors.size(), 1u);
  EXPECT_EQ(db->ego_poses.size(), 1u);
  EXPECT_EQ(db->logs.size(), 1u);
  EXPECT_EQ(db->maps.size(), 1u);
  EXPECT_EQ(db->version, "v1.0-mini");
  // Every link resolves and the map covers the log.
  EXPECT_TRUE(db->warnings.empty()) << db->warnings.front();
}

TEST(NuscenesDb, WithoutAnnotationsSkipsOnlyTheAnnotationTables) {
  PCANNO_REQUIRE_DATA(mini_root() / "v1.0-mini/sample_data.json");
  const Expected<NuscenesDb> db = load_nuscenes_db(mini_root(), "v1.0-mini", false);
  ASSERT_TRUE(db) << db.error().describe();
  EXPECT_TRUE(db->instances.empty());
  EXPECT_TRUE(db->sample_annotations.empty());
  EXPECT_EQ(db->sample_data.size(), 1u);
  EXPECT_EQ(db->categories.size(), 23u);
  EXPECT_TRUE(db->warnings.empty()) << db->warnings.front();
}

TEST(NuscenesDb, MiniRecordValues) {
  PCANNO_REQUIRE_DATA(mini_root() / "v1.0-mini/sample_data.json");
  const Expected<NuscenesDb> db = load_nuscenes_db(mini_root(), "v1.0-mini");
  ASSERT_TRUE(db) << db.error().describe();

  const NuscenesSample* sample = db->sample("ca9a282c9e77460f8360f564131a8af5");
  ASSERT_NE(sample, nullptr);
  EXPECT_EQ(sample->timestamp_us, 1532402927647951);
  EXPECT_EQ(sample->prev, "");
  EXPECT_EQ(sample->next, "");
  const NuscenesScene* scene = db->scene(sample->scene_token);
  ASSERT_NE(scene, nullptr);
  EXPECT_EQ(scene->name, "scene-0061");
  EXPECT_EQ(db->scene_by_name("scene-0061"), scene);
  const NuscenesLog* log = db->log(scene->log_token);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->logfile, "n015-2018-07-24-11-22-45+0800");
  EXPECT_EQ(log->location, "singapore-onenorth");

  const NuscenesSampleData& sd = db->sample_data.front();
  EXPECT_EQ(sd.fileformat, "pcd");
  EXPECT_TRUE(sd.is_key_frame);
  EXPECT_EQ(sd.timestamp_us, 1532402927647951);
  EXPECT_EQ(db->sample_datum(sd.token), &sd);
  const NuscenesSensor* sensor = db->sensor_of(sd);
  ASSERT_NE(sensor, nullptr);
  EXPECT_EQ(sensor->channel, "LIDAR_TOP");

  // formats.md 6.3: the scene-0061 LIDAR_TOP mount.
  const NuscenesCalibratedSensor* cs = db->calibrated_sensor(sd.calibrated_sensor_token);
  ASSERT_NE(cs, nullptr);
  EXPECT_NEAR(cs->translation.x(), 0.9437, 1e-4);
  EXPECT_NEAR(cs->translation.y(), 0.0, 1e-9);
  EXPECT_NEAR(cs->translation.z(), 1.8402, 1e-4);
  EXPECT_NEAR(cs->rotation.w(), 0.70780, 1e-5);
  EXPECT_NEAR(cs->rotation.x(), -0.00649, 1e-5);
  EXPECT_NEAR(cs->rotation.y(), 0.01065, 1e-5);
  EXPECT_NEAR(cs->rotation.z(), -0.70631, 1e-5);
  EXPECT_FALSE(cs->camera_intrinsic.has_value());

  // README: annotations per category, num_lidar_pts sum 999, no attributes or visibility.
  std::map<std::string, int> per_category;
  int lidar_points = 0;
  for (const NuscenesSampleAnnotation& a : db->sample_annotations) {
    const NuscenesInstance* instance = db->instance(a.instance_token);
    ASSERT_NE(instance, nullptr);
    const NuscenesCategory* category = db->category(instance->category_token);
    ASSERT_NE(category, nullptr);
    ++per_category[category->name];
    lidar_points += a.num_lidar_pts;
    EXPECT_TRUE(a.attribute_tokens.empty());
    EXPECT_EQ(a.visibility_token, "");
    EXPECT_EQ(a.sample_token, sample->token);
  }
  EXPECT_EQ(lidar_points, 999);
  const std::map<std::string, int> expected = {
      {"human.pedestrian.adult", 30},    {"movable_object.barrier", 22}, {"vehicle.car", 8},
      {"movable_object.trafficcone", 3}, {"vehicle.truck", 2},           {"vehicle.bicycle", 1},
      {"vehicle.bus.rigid", 1},          {"vehicle.construction", 1}};
  EXPECT_EQ(per_category, expected);
  for (const NuscenesCategory& c : db->categories) EXPECT_FALSE(c.index.has_value()) << c.name;
  for (const char* token : {"1", "2", "3", "4"}) EXPECT_NE(db->visibility(token), nullptr);
  EXPECT_EQ(db->visibility("4")->level, "v80-100");

  // formats.md 6.3 worked example: the adult pedestrian's published record.
  const auto it = std::find_if(db->sample_annotations.begin(), db->sample_annotations.end(),
                               [](const NuscenesSampleAnnotation& a) {
                                 return std::abs(a.translation.x() - 373.2560) < 1e-3 &&
                                        std::abs(a.translation.y() - 1130.4190) < 1e-3;
                               });
  ASSERT_NE(it, db->sample_annotations.end());
  EXPECT_NEAR(it->translation.z(), 0.8000, 1e-3);
  EXPECT_NEAR(it->size_wlh.x(), 0.621, 1e-9);
  EXPECT_NEAR(it->size_wlh.y(), 0.669, 1e-9);
  EXPECT_NEAR(it->size_wlh.z(), 1.642, 1e-9);
  EXPECT_NEAR(it->rotation.w(), 0.98311, 1e-5);
  EXPECT_NEAR(it->rotation.z(), -0.18301, 1e-5);
  EXPECT_EQ(it->box().size_wlh, it->size_wlh);
}

TEST(NuscenesDb, DetectsTheVersionFolder) {
  PCANNO_REQUIRE_DATA(mini_root() / "v1.0-mini/scene.json");
  const Expected<std::string> version = detect_nuscenes_version(mini_root());
  ASSERT_TRUE(version) << version.error().describe();
  EXPECT_EQ(*version, "v1.0-mini");
  const Expected<NuscenesDb> db = load_nuscenes_db(mini_root(), "");
  ASSERT_TRUE(db) << db.error().describe();
  EXPECT_EQ(db->version, "v1.0-mini");
  EXPECT_EQ(db->table_dir(), mini_root() / "v1.0-mini");

  const Expected<NuscenesDb> wrong = load_nuscenes_db(mini_root(), "v1.0-trainval");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kNotFound);
}

TEST(NuscenesDb, LyftLoadsWithWarnings) {
  PCANNO_REQUIRE_DATA(lyft_root() / "v1.01-train/sample_data.json");
  const Expected<NuscenesDb> db = load_nuscenes_db(lyft_root(), "v1.01-train");
  ASSERT_TRUE(db) << db.error().describe();
  // Counts from the data README.
  EXPECT_EQ(db->scenes.size(), 1u);
  EXPECT_EQ(db->samples.size(), 1u);
  EXPECT_EQ(db->sample_annotations.size(), 4u);
  EXPECT_EQ(db->instances.size(), 4u);
  EXPECT_EQ(db->sample_data.size(), 10u);
  EXPECT_EQ(db->sensors.size(), 10u);
  EXPECT_EQ(db->calibrated_sensors.size(), 10u);
  EXPECT_EQ(db->ego_poses.size(), 7u);
  EXPECT_EQ(db->categories.size(), 9u);
  EXPECT_EQ(db->attributes.size(), 18u);
  EXPECT_EQ(db->visibilities.size(), 4u);
  EXPECT_EQ(db->logs.size(), 1u);
  EXPECT_EQ(db->maps.size(), 1u);
  EXPECT_EQ(db->scenes.front().nbr_samples, 126);

  // Links out of the cut-down set are warnings, one per kind of link.
  EXPECT_TRUE(any_contains(db->warnings, "sample.prev")) << ::testing::PrintToString(db->warnings);
  EXPECT_TRUE(any_contains(db->warnings, "scene.first_sample_token"));
  EXPECT_TRUE(any_contains(db->warnings, "sample_data.next"));
  EXPECT_TRUE(any_contains(db->warnings, "rounded"));

  EXPECT_EQ(db->samples.front().token.size(), 64u);
  EXPECT_EQ(db->maps.front().token.size(), 32u);
  // 1556675185903083.2 in the file.
  EXPECT_EQ(db->samples.front().timestamp_us, 1556675185903083);
  for (const NuscenesEgoPose& e : db->ego_poses) {
    EXPECT_EQ(e.timestamp_us, 1556675185903083);
    EXPECT_NE(e.translation.z(), 0.0);  // Lyft ego z is not 0
  }
  for (const NuscenesSampleAnnotation& a : db->sample_annotations) {
    EXPECT_EQ(a.num_lidar_pts, -1);
    EXPECT_EQ(a.visibility_token, "");
  }
  for (const NuscenesCategory& c : db->categories) {
    EXPECT_EQ(c.name.find('.'), std::string::npos) << c.name;  // flat names
  }
  EXPECT_NE(std::find_if(db->categories.begin(), db->categories.end(),
                         [](const NuscenesCategory& c) { return c.name == "car"; }),
            db->categories.end());
  EXPECT_EQ(db->logs.front().logfile, "");
  int lidar_bins = 0;
  for (const NuscenesSampleData& sd : db->sample_data) lidar_bins += sd.fileformat == "bin";
  EXPECT_EQ(lidar_bins, 3);
}

// ---------------------------------------------------------------------------------------------
// A small synthetic corpus for the error paths, so they run without the shared data.

std::string samples_json(const std::string& record3_timestamp = "1400") {
  std::string out = "[\n";
  for (int i = 0; i < 4; ++i) {
    const std::string t = std::to_string(i);
    out += "{\"token\": \"s" + t +
           "\", \"timestamp\": " + (i == 3 ? record3_timestamp : std::to_string(1000 + 100 * i)) +
           ", \"scene_token\": \"sc1\", \"prev\": \"" + (i > 0 ? "s" + std::to_string(i - 1) : "") +
           "\", \"next\": \"" + (i < 3 ? "s" + std::to_string(i + 1) : "") + "\"}" +
           (i < 3 ? ",\n" : "\n");
  }
  return out + "]\n";
}

std::map<std::string, std::string> base_tables() {
  return {
      {"attribute", R"([{"token": "a1", "name": "vehicle.moving", "description": ""}])"},
      {"calibrated_sensor",
       R"([{"token": "cs1", "sensor_token": "se1", "translation": [1, 0, 2],
            "rotation": [1, 0, 0, 0], "camera_intrinsic": []}])"},
      {"category", R"([{"token": "c1", "name": "vehicle.car", "description": ""}])"},
      {"ego_pose",
       R"([{"token": "e1", "timestamp": 1000, "translation": [10, 20, 0],
            "rotation": [1, 0, 0, 0]}])"},
      {"instance",
       R"([{"token": "i1", "category_token": "c1", "nbr_annotations": 1,
            "first_annotation_token": "sa1", "last_annotation_token": "sa1"}])"},
      {"log",
       R"([{"token": "l1", "logfile": "log", "vehicle": "v", "date_captured": "2020-01-01",
            "location": "here"}])"},
      {"map",
       R"([{"token": "m1", "log_tokens": ["l1"], "category": "semantic_prior",
            "filename": "maps/m1.png"}])"},
      {"sample", samples_json()},
      {"sample_annotation",
       R"([{"token": "sa1", "sample_token": "s0", "instance_token": "i1",
            "attribute_tokens": ["a1"], "visibility_token": "4", "translation": [1, 2, 3],
            "size": [2, 4, 1.5], "rotation": [1, 0, 0, 0], "num_lidar_pts": 5,
            "num_radar_pts": 0, "prev": "", "next": ""}])"},
      {"sample_data",
       R"([{"token": "sd1", "sample_token": "s0", "ego_pose_token": "e1",
            "calibrated_sensor_token": "cs1", "filename": "samples/LIDAR_TOP/x.pcd.bin",
            "fileformat": "pcd", "width": 0, "height": 0, "timestamp": 1000,
            "is_key_frame": true, "prev": "", "next": ""}])"},
      {"scene",
       R"([{"token": "sc1", "name": "scene-0001", "description": "", "log_token": "l1",
            "nbr_samples": 4, "first_sample_token": "s0", "last_sample_token": "s3"}])"},
      {"sensor", R"([{"token": "se1", "channel": "LIDAR_TOP", "modality": "lidar"}])"},
      {"visibility", R"([{"token": "4", "level": "v80-100", "description": ""}])"},
  };
}

/// Writes the base corpus into `<dir>/v1.0-test/` with `changes` applied; an empty text removes
/// the table.
void write_corpus(const TempDir& dir, const std::map<std::string, std::string>& changes = {}) {
  fs::create_directories(dir.path() / "v1.0-test");
  std::map<std::string, std::string> tables = base_tables();
  for (const auto& [name, text] : changes) tables[name] = text;
  for (const auto& [name, text] : tables) {
    const fs::path file = dir.path() / "v1.0-test" / (name + ".json");
    fs::remove(file);
    if (!text.empty()) dir.write("v1.0-test/" + name + ".json", text);
  }
}

TEST(NuscenesDb, SyntheticCorpusLoadsCleanly) {
  TempDir dir;
  write_corpus(dir);
  const Expected<NuscenesDb> db = load_nuscenes_db(dir.path(), "");
  ASSERT_TRUE(db) << db.error().describe();
  EXPECT_EQ(db->version, "v1.0-test");
  EXPECT_EQ(db->samples.size(), 4u);
  EXPECT_TRUE(db->warnings.empty()) << db->warnings.front();
  EXPECT_EQ(db->sample_annotation("sa1")->attribute_tokens, std::vector<std::string>{"a1"});
  EXPECT_EQ(db->sample("nope"), nullptr);
  EXPECT_EQ(db->sample(""), nullptr);
}

TEST(NuscenesDb, MissingTableIsMalformedNamingTheFile) {
  TempDir dir;
  write_corpus(dir, {{"sample", ""}});
  const Expected<NuscenesDb> db = load_nuscenes_db(dir.path(), "v1.0-test");
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kMalformed);
  EXPECT_NE(db.error().describe().find("v1.0-test/sample.json"), std::string::npos)
      << db.error().describe();
  EXPECT_NE(db.error().message.find("missing"), std::string::npos);
}

TEST(NuscenesDb, InvalidJsonIsMalformedWithRecordAndOffset) {
  TempDir dir;
  const std::string text =
      R"([{"token": "s0", "timestamp": 1, "scene_token": "sc1", "prev": "", "next": ""},
          {"token": "s1",, }])";
  write_corpus(dir, {{"sample", text}});
  const Expected<NuscenesDb> db = load_nuscenes_db(dir.path(), "v1.0-test");
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kMalformed) << db.error().describe();
  EXPECT_EQ(db.error().offset, static_cast<std::int64_t>(text.find(",,") + 1));
  const std::string described = db.error().describe();
  EXPECT_NE(described.find("sample.json: byte "), std::string::npos) << described;
  EXPECT_NE(described.find("record 1: invalid JSON"), std::string::npos) << described;

  write_corpus(dir, {{"visibility", "[{\"token\": \"4\", \"level\": NaN}]"}});
  const Expected<NuscenesDb> nan = load_nuscenes_db(dir.path(), "v1.0-test");
  ASSERT_FALSE(nan);
  EXPECT_EQ(nan.error().code, ErrorCode::kMalformed);
  EXPECT_NE(nan.error().describe().find("visibility.json: byte 25: record 0: invalid JSON"),
            std::string::npos)
      << nan.error().describe();
}

TEST(NuscenesDb, WrongFieldTypeNamesFileRecordAndField) {
  TempDir dir;
  write_corpus(dir, {{"sample", samples_json("\"1400\"")}});
  const Expected<NuscenesDb> db = load_nuscenes_db(dir.path(), "v1.0-test");
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kMalformed);
  const std::string text = db.error().describe();
  EXPECT_NE(text.find("v1.0-test/sample.json: record 3: field 'timestamp': expected a number"),
            std::string::npos)
      << text;

  const std::vector<std::pair<std::map<std::string, std::string>, std::string>> cases = {
      {{{"sensor", R"([{"token": "se1", "channel": 7}])"}},
       "sensor.json: record 0: field 'channel': expected a string, found a number"},
      {{{"calibrated_sensor", R"([{"token": "cs1", "sensor_token": "se1",
                                  "translation": [1, 2], "rotation": [1, 0, 0, 0]}])"}},
       "record 0: field 'translation': expected 3 numbers, found 2"},
      {{{"sample_data", R"([{"token": "sd1"}])"}}, "record 0: field 'sample_token' is missing"},
      {{{"sample_annotation", R"([{"token": "sa1", "sample_token": "s0", "instance_token": "i1",
                                  "attribute_tokens": [3]}])"}},
       "field 'attribute_tokens': element 0: expected a string"},
      {{{"instance", R"([{"token": "i1", "category_token": "c1", "nbr_annotations": 1.5}])"}},
       "field 'nbr_annotations': expected an integer, found 1.5"},
      {{{"scene", R"({"token": "sc1"})"}}, "scene.json: expected a JSON array of records"},
      {{{"log", R"([{"token": "l1"}, ["l2"]])"}}, "log.json: record 1: expected an object"},
      {{{"attribute", "\x01\x02garbage"}}, "attribute.json: byte 0: before the first record"},
  };
  for (const auto& [changes, expected] : cases) {
    write_corpus(dir, changes);
    const Expected<NuscenesDb> bad = load_nuscenes_db(dir.path(), "v1.0-test");
    ASSERT_FALSE(bad) << expected;
    EXPECT_EQ(bad.error().code, ErrorCode::kMalformed) << bad.error().describe();
    EXPECT_NE(bad.error().describe().find(expected), std::string::npos)
        << bad.error().describe() << "\nexpected: " << expected;
  }
}

TEST(NuscenesDb, TruncatedJsonNeverCrashes) {
  TempDir dir;
  write_corpus(dir);
  const std::string full = base_tables()["sample_data"];
  const std::size_t last_bracket = full.rfind(']');
  for (std::size_t cut = 0; cut < full.size(); ++cut) {
    write_corpus(dir, {{"sample_data", full.substr(0, cut)}});
    if (cut == 0) dir.write("v1.0-test/sample_data.json", "");  // write_corpus drops empty text
    const Expected<NuscenesDb> db = load_nuscenes_db(dir.path(), "v1.0-test");
    if (cut > last_bracket) {
      EXPECT_TRUE(db) << cut;
      continue;
    }
    ASSERT_FALSE(db) << cut;
    EXPECT_EQ(db.error().code, ErrorCode::kTruncated) << cut << ": " << db.error().describe();
    EXPECT_NE(db.error().path.find("sample_data.json"), std::string::npos);
  }
}

TEST(NuscenesDb, RealTablesTruncatedAnywhereNeverCrash) {
  const fs::path file = mini_root() / "v1.0-mini/sample_annotation.json";
  PCANNO_REQUIRE_DATA(file);
  TempDir dir;
  fs::copy(mini_root() / "v1.0-mini", dir.path() / "v1.0-mini");
  const std::string full = test::slurp(file);
  for (std::size_t cut = 0; cut + 2 < full.size(); cut += 977) {
    dir.write("v1.0-mini/sample_annotation.json", full.substr(0, cut));
    const Expected<NuscenesDb> db = load_nuscenes_db(dir.path(), "v1.0-mini");
    ASSERT_FALSE(db) << cut;
    EXPECT_EQ(db.error().code, ErrorCode::kTruncated) << cut << ": " << db.error().describe();
    EXPECT_GE(db.error().offset, 0);
  }
}

TEST(NuscenesDb, ToleratesDeviationsAndKeepsUnknownFields) {
  TempDir dir;
  write_corpus(dir, {{"sample_annotation",
                      R"([{"token": "sa1", "sample_token": "s0", "instance_token": "i1",
             "attribute_tokens": ["a1", "gone"], "visibility_token": "",
             "translation": [1, 2, 3], "size": [2, 4, 1.5], "rotation": [2, 0, 0, 0],
             "num_lidar_pts": -1, "prev": "", "next": "elsewhere",
             "category_name": "car", "extra_obj": {"b": [1, 2.5]}}])"},
                     {"category", R"([{"token": "c1", "name": "car", "index": 17},
                        {"token": "c1", "name": "again"}])"},
                     {"sample_data",
                      R"([{"token": "sd1", "sample_token": "s0", "ego_pose_token": "e1",
             "calibrated_sensor_token": "cs1", "filename": "lidar/x.bin",
             "timestamp": 1000.6, "is_key_frame": true, "prev": "p", "next": ""}])"},
                     {"map", R"([{"token": "m1", "log_tokens": [], "filename": "maps/m1.png"}])"},
                     {"lidarseg", "[]"}});
  const Expected<NuscenesDb> db = load_nuscenes_db(dir.path(), "v1.0-test");
  ASSERT_TRUE(db) << db.error().describe();

  const NuscenesSampleAnnotation& a = db->sample_annotations.front();
  EXPECT_EQ(a.num_lidar_pts, -1);
  EXPECT_EQ(a.num_radar_pts, 0);          // absent: default
  EXPECT_DOUBLE_EQ(a.rotation.w(), 1.0);  // normalised
  const NuscenesExtraFields expected_extra = {{"category_name", "\"car\""},
                                              {"extra_obj", "{\"b\":[1,2.5]}"}};
  EXPECT_EQ(a.extra, expected_extra);
  EXPECT_EQ(db->sample_data.front().timestamp_us, 1001);
  EXPECT_EQ(db->sample_data.front().fileformat, "");
  EXPECT_EQ(db->categories.front().index, 17);
  EXPECT_EQ(db->category("c1")->name, "car");  // the first of a repeated token
  EXPECT_EQ(db->other_tables, std::vector<std::string>{"lidarseg.json"});

  const std::vector<std::string>& w = db->warnings;
  EXPECT_TRUE(any_contains(w, "sample_annotation.attribute_tokens: 1 of 2 links"))
      << ::testing::PrintToString(w);
  EXPECT_TRUE(any_contains(w,
                           "sample_annotation.next: 1 of 1 links point to no "
                           "sample_annotation record (first: record 0, 'elsewhere')"));
  EXPECT_TRUE(any_contains(w, "sample_data.prev"));
  EXPECT_TRUE(any_contains(w, "category: 1 records repeat an earlier token"));
  EXPECT_TRUE(any_contains(w, "1 of 1 logs are covered by no map record"));
  EXPECT_TRUE(any_contains(w, "1 fractional timestamps were rounded"));
  EXPECT_FALSE(any_contains(w, "visibility"));  // an empty token is unset, not dangling
}

TEST(NuscenesDb, VersionDetectionErrors) {
  TempDir dir;
  const Expected<NuscenesDb> none = load_nuscenes_db(dir.path(), "");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);

  fs::create_directories(dir.path() / "v1.0-mini");
  fs::create_directories(dir.path() / "v1.0-trainval");
  const Expected<std::string> several = detect_nuscenes_version(dir.path());
  ASSERT_FALSE(several);
  EXPECT_NE(several.error().message.find("v1.0-mini, v1.0-trainval"), std::string::npos);

  // The folder that holds tables wins over an empty one.
  dir.write("v1.0-trainval/scene.json", "[]");
  const Expected<std::string> one = detect_nuscenes_version(dir.path());
  ASSERT_TRUE(one) << one.error().describe();
  EXPECT_EQ(*one, "v1.0-trainval");

  const Expected<NuscenesDb> missing = load_nuscenes_db(dir.path() / "absent", "");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace pcanno::formats
