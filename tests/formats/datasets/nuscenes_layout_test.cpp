#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "files.hpp"
#include "nuscenes_test_data.hpp"
#include "pcanno/formats/clouds/raw_bin.hpp"
#include "pcanno/formats/datasets/nuscenes_layout.hpp"
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

SequenceOptions scene_options(const std::string& name, bool sweeps = false) {
  SequenceOptions options;
  options.name = name;
  options.include_sweeps = sweeps;
  return options;
}

Eigen::Matrix4d matrix4(const nlohmann::json& rows) {
  Eigen::Matrix4d m;
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c) m(r, c) = rows.at(r).at(c).get<double>();
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// scene-0061

TEST(NuscenesLayout, MiniSceneOpensAsOneFrame) {
  PCANNO_REQUIRE_DATA(mini_root() / "v1.0-mini/sample_data.json");
  SequenceOptions options = scene_options("scene-0061");
  options.nuscenes_version = "v1.0-mini";
  const Expected<Sequence> seq = open_nuscenes_sequence(mini_root(), options);
  ASSERT_TRUE(seq) << seq.error().describe();
  EXPECT_EQ(seq->layout, "nuscenes");
  EXPECT_EQ(seq->name, "scene-0061");
  EXPECT_EQ(seq->root, mini_root());
  EXPECT_EQ(seq->labels, mini_root() / "v1.0-mini");
  EXPECT_TRUE(seq->warnings.empty()) << seq->warnings.front();
  ASSERT_EQ(seq->frames.size(), 1u);

  const FrameRef& frame = seq->frames.front();
  EXPECT_EQ(frame.timestamp_us, 1532402927647951);
  EXPECT_TRUE(frame.is_keyframe);
  EXPECT_EQ(frame.sample_token, "ca9a282c9e77460f8360f564131a8af5");
  EXPECT_EQ(frame.format, "nuscenes-bin");
  EXPECT_EQ(frame.cloud_path.filename(),
            "n015-2018-07-24-11-22-45+0800__LIDAR_TOP__1532402927647951.pcd.bin");
  ASSERT_TRUE(fs::exists(frame.cloud_path)) << frame.cloud_path;
  const Expected<PointCloud> cloud = read_nuscenes_bin(frame.cloud_path);
  ASSERT_TRUE(cloud) << cloud.error().describe();
  EXPECT_EQ(cloud->size(), 34688u);

  // formats.md 6.3: the LIDAR_TOP mount and its sensor -> ego rotation.
  ASSERT_EQ(seq->calibrations.size(), 1u);
  EXPECT_EQ(frame.calibration, 0);
  ASSERT_TRUE(seq->calibrations[0].T_ego_lidar.has_value());
  const geometry::Pose& T_ego_lidar = *seq->calibrations[0].T_ego_lidar;
  EXPECT_NEAR(T_ego_lidar.translation().x(), 0.9437, 1e-4);
  EXPECT_NEAR(T_ego_lidar.translation().y(), 0.0, 1e-9);
  EXPECT_NEAR(T_ego_lidar.translation().z(), 1.8402, 1e-4);
  const Eigen::Quaterniond q(T_ego_lidar.rotation());
  const double sign = q.w() < 0 ? -1.0 : 1.0;
  EXPECT_NEAR(sign * q.w(), 0.70780, 1e-5);
  EXPECT_NEAR(sign * q.x(), -0.00649, 1e-5);
  EXPECT_NEAR(sign * q.y(), 0.01065, 1e-5);
  EXPECT_NEAR(sign * q.z(), -0.70631, 1e-5);
  Eigen::Matrix3d documented;
  documented << 0.002, 0.9997, 0.024, -0.99998, 0.002, -0.006, -0.006, -0.024, 0.9997;
  EXPECT_TRUE(T_ego_lidar.rotation().isApprox(documented, 1e-3)) << T_ego_lidar.rotation();
}

TEST(NuscenesLayout, MiniPoseMatchesTheInfoFileMatrices) {
  const fs::path info = mini_root() / "gt_boxes_lidar_frame.json";
  PCANNO_REQUIRE_DATA(info);
  const Expected<Sequence> seq = open_nuscenes_sequence(mini_root(), scene_options(""));
  ASSERT_TRUE(seq) << seq.error().describe();
  ASSERT_EQ(seq->frames.size(), 1u);
  ASSERT_TRUE(seq->frames[0].T_world_lidar.has_value());

  // Python's json module wrote bare NaN (velocities); strict JSON has no NaN.
  std::string text = test::slurp(info);
  for (std::size_t at = text.find("NaN"); at != std::string::npos; at = text.find("NaN", at)) {
    text.replace(at, 3, "null");
  }
  const nlohmann::json parsed = nlohmann::json::parse(text);
  const Eigen::Matrix4d expected =
      matrix4(parsed.at("ego2global")) * matrix4(parsed.at("lidar2ego"));
  const Eigen::Matrix4d actual = seq->frames[0].T_world_lidar->matrix();
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c) EXPECT_NEAR(actual(r, c), expected(r, c), 1e-6) << r << "," << c;
  }

  // formats.md 6.3 worked example: the pedestrian's LiDAR centre lands on its global record.
  const Eigen::Vector3d global =
      *seq->frames[0].T_world_lidar * Eigen::Vector3d(18.4144, 59.5160, 0.7696);
  EXPECT_NEAR(global.x(), 373.2560, 1e-3);
  EXPECT_NEAR(global.y(), 1130.4190, 1e-3);
  EXPECT_NEAR(global.z(), 0.8000, 1e-3);
}

TEST(NuscenesLayout, MiniDetectionListingAndUnknownScene) {
  PCANNO_REQUIRE_DATA(mini_root() / "v1.0-mini/scene.json");
  EXPECT_TRUE(looks_like_nuscenes(mini_root()));
  EXPECT_FALSE(looks_like_nuscenes(mini_root() / "v1.0-mini"));
  EXPECT_FALSE(looks_like_nuscenes(shared_data_dir() / "kitti_object/training"));
  EXPECT_FALSE(looks_like_nuscenes(mini_root() / "absent"));

  // Empty name and version: the only version folder, the first scene.
  const Expected<Sequence> first = open_nuscenes_sequence(mini_root(), SequenceOptions{});
  ASSERT_TRUE(first) << first.error().describe();
  EXPECT_EQ(first->name, "scene-0061");

  const Expected<std::vector<SequenceSummary>> list =
      list_nuscenes_scenes(mini_root(), SequenceOptions{});
  ASSERT_TRUE(list) << list.error().describe();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].layout, "nuscenes");
  EXPECT_EQ((*list)[0].name, "scene-0061");
  EXPECT_EQ((*list)[0].frames, 1u);

  const Expected<Sequence> unknown =
      open_nuscenes_sequence(mini_root(), scene_options("scene-9999"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_NE(unknown.error().message.find("scene-9999"), std::string::npos);
  EXPECT_NE(unknown.error().message.find("scene-0061"), std::string::npos)
      << unknown.error().describe();
}

// ---------------------------------------------------------------------------------------------
// Lyft: tables without their LiDAR files

TEST(NuscenesLayout, LyftSceneListsFramesWithoutItsFiles) {
  PCANNO_REQUIRE_DATA(lyft_root() / "v1.01-train/sample_data.json");
  EXPECT_TRUE(looks_like_nuscenes(lyft_root()));
  SequenceOptions options;
  options.nuscenes_version = "v1.01-train";
  const Expected<Sequence> seq = open_nuscenes_sequence(lyft_root(), options);
  ASSERT_TRUE(seq) << seq.error().describe();
  // README: one sample is present (nbr_samples says 126) and the named LiDAR files are absent.
  ASSERT_EQ(seq->frames.size(), 1u);
  const FrameRef& frame = seq->frames.front();
  EXPECT_EQ(frame.format, "nuscenes-bin");  // Lyft .bin: 5 floats per point
  EXPECT_EQ(frame.cloud_path.parent_path(), lyft_root() / "lidar");
  EXPECT_EQ(frame.cloud_path.filename().string().rfind("host-a101_", 0), 0u);
  EXPECT_FALSE(fs::exists(frame.cloud_path));
  EXPECT_EQ(frame.timestamp_us, 1556675185903083);  // 1556675185903083.2 rounded
  EXPECT_EQ(frame.name.size(), 64u);
  EXPECT_TRUE(frame.is_keyframe);
  ASSERT_TRUE(frame.T_world_lidar.has_value());
  EXPECT_LT(frame.T_world_lidar->translation().z(), -10.0);  // Lyft ego z is about -18.6 m
  ASSERT_GE(frame.calibration, 0);

  EXPECT_TRUE(any_contains(seq->warnings, "LiDAR files are missing"))
      << ::testing::PrintToString(seq->warnings);
  EXPECT_TRUE(any_contains(seq->warnings, "nbr_samples is 126"));
  EXPECT_TRUE(any_contains(seq->warnings, "sample_data.next"));  // from the tables
}

// ---------------------------------------------------------------------------------------------
// Synthetic scenes with sweeps: two scenes, a LIDAR_TOP chain d0..d6 and a camera chain.
//   scene-a: s1 (t=100), s2 (t=600)    scene-b: s3 (t=1100)
//   d0 sweep->s1 50, d1 key s1 100, d2 sweep->s2 150, d3 sweep->s2 300, d4 key s2 600,
//   d5 sweep->s3 650, d6 key s3 1100; records are written out of time order.

std::string sample_data_record(int i, const char* sample, int t, bool key, const char* prefix,
                               const char* cs, int last, const std::string& next_override = "") {
  const std::string p = prefix;
  const std::string prev = i > 0 ? p + std::to_string(i - 1) : "";
  const std::string next =
      !next_override.empty() ? next_override : (i < last ? p + std::to_string(i + 1) : "");
  const std::string file = p == "d" ? "samples/LIDAR_TOP/d" + std::to_string(i) + ".pcd.bin"
                                    : "samples/CAM_FRONT/c" + std::to_string(i) + ".jpg";
  return R"({"token": ")" + p + std::to_string(i) + R"(", "sample_token": ")" + sample +
         R"(", "ego_pose_token": "e)" + p + std::to_string(i) +
         R"(", "calibrated_sensor_token": ")" + cs + R"(", "filename": ")" + file +
         R"(", "fileformat": "pcd", "timestamp": )" + std::to_string(t) + R"(, "is_key_frame": )" +
         (key ? "true" : "false") + R"(, "prev": ")" + prev + R"(", "next": ")" + next + R"("})";
}

void write_sweep_corpus(const TempDir& dir, const std::string& d2_next = "") {
  fs::create_directories(dir.path() / "v1.0-sweeps");
  auto table = [&](const std::string& name, const std::string& text) {
    dir.write("v1.0-sweeps/" + name + ".json", text);
  };
  table("attribute", "[]");
  table("category", "[]");
  table("instance", "[]");
  table("sample_annotation", "[]");
  table("visibility", "[]");
  table("log", R"([{"token": "l1"}])");
  table("map", R"([{"token": "m1", "log_tokens": ["l1"], "filename": "maps/m1.png"}])");
  table("sensor", R"([{"token": "se1", "channel": "LIDAR_TOP", "modality": "lidar"},
                      {"token": "se2", "channel": "CAM_FRONT", "modality": "camera"}])");
  table("calibrated_sensor",
        R"([{"token": "cs1", "sensor_token": "se1", "translation": [1, 0, 2],
             "rotation": [0.7071067811865476, 0, 0, -0.7071067811865476], "camera_intrinsic": []},
            {"token": "cs2", "sensor_token": "se2", "translation": [0, 0, 1],
             "rotation": [1, 0, 0, 0],
             "camera_intrinsic": [[1000, 0, 800], [0, 1000, 450], [0, 0, 1]]}])");
  table("scene",
        R"([{"token": "sa", "name": "scene-a", "log_token": "l1", "nbr_samples": 2,
             "first_sample_token": "s1", "last_sample_token": "s2"},
            {"token": "sb", "name": "scene-b", "log_token": "l1", "nbr_samples": 1,
             "first_sample_token": "s3", "last_sample_token": "s3"}])");
  table("sample",
        R"([{"token": "s2", "timestamp": 600, "scene_token": "sa", "prev": "s1", "next": "s3"},
            {"token": "s1", "timestamp": 100, "scene_token": "sa", "prev": "", "next": "s2"},
            {"token": "s3", "timestamp": 1100, "scene_token": "sb", "prev": "s2", "next": ""}])");
  std::string poses = "[";
  for (const std::string p : {"d", "c"}) {
    for (int i = 0; i <= 6; ++i) {
      poses += R"({"token": "e)" + p + std::to_string(i) +
               R"(", "timestamp": 0, "translation": [)" + std::to_string(100 * i) +
               R"(, 5, 0], "rotation": [1, 0, 0, 0]},)";
    }
  }
  poses.back() = ']';
  table("ego_pose", poses);
  table("sample_data", "[" + sample_data_record(4, "s2", 600, true, "d", "cs1", 6) + ",\n" +
                           sample_data_record(0, "s1", 50, false, "d", "cs1", 6) + ",\n" +
                           sample_data_record(6, "s3", 1100, true, "d", "cs1", 6) + ",\n" +
                           sample_data_record(2, "s2", 150, false, "d", "cs1", 6, d2_next) + ",\n" +
                           sample_data_record(1, "s1", 100, true, "d", "cs1", 6) + ",\n" +
                           sample_data_record(5, "s3", 650, false, "d", "cs1", 6) + ",\n" +
                           sample_data_record(3, "s2", 300, false, "d", "cs1", 6) + ",\n" +
                           sample_data_record(0, "s1", 90, true, "c", "cs2", 1) + ",\n" +
                           sample_data_record(1, "s2", 590, true, "c", "cs2", 1) + "]");
  fs::create_directories(dir.path() / "samples/LIDAR_TOP");
  for (int i = 0; i <= 6; ++i)
    dir.write("samples/LIDAR_TOP/d" + std::to_string(i) + ".pcd.bin", "");
  // The camera chain's images too: a missing image file is a sequence warning.
  for (int i = 0; i <= 1; ++i) dir.write("samples/CAM_FRONT/c" + std::to_string(i) + ".jpg", "");
}

std::vector<std::string> names_of(const Sequence& seq) {
  std::vector<std::string> names;
  for (const FrameRef& f : seq.frames) names.push_back(f.name);
  return names;
}

TEST(NuscenesLayout, KeyframesOnlyByDefault) {
  TempDir dir;
  write_sweep_corpus(dir);
  const Expected<Sequence> a = open_nuscenes_sequence(dir.path(), scene_options(""));
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->name, "scene-a");
  EXPECT_EQ(names_of(*a), (std::vector<std::string>{"d1", "d4"}));
  EXPECT_TRUE(a->warnings.empty()) << a->warnings.front();
  EXPECT_EQ(a->frames[0].sample_token, "s1");
  EXPECT_EQ(a->frames[1].sample_token, "s2");
  EXPECT_EQ(a->frames[1].timestamp_us, 600);

  const Expected<Sequence> b = open_nuscenes_sequence(dir.path(), scene_options("scene-b"));
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_EQ(names_of(*b), std::vector<std::string>{"d6"});
}

TEST(NuscenesLayout, SweepsFollowTheChannelChainWithinTheScene) {
  TempDir dir;
  write_sweep_corpus(dir);
  const Expected<Sequence> a = open_nuscenes_sequence(dir.path(), scene_options("scene-a", true));
  ASSERT_TRUE(a) << a.error().describe();
  // d5 follows d4 on the chain but refers to scene-b's sample.
  EXPECT_EQ(names_of(*a), (std::vector<std::string>{"d0", "d1", "d2", "d3", "d4"}));
  const std::vector<bool> keys = {false, true, false, false, true};
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const FrameRef& f = a->frames[i];
    EXPECT_EQ(f.is_keyframe, keys[i]) << i;
    EXPECT_EQ(f.sample_token.empty(), !keys[i]) << i;  // sweeps carry no sample
    EXPECT_EQ(f.format, "nuscenes-bin");
    EXPECT_EQ(f.calibration, 0);
    EXPECT_EQ(f.cloud_path, dir.path() / ("samples/LIDAR_TOP/" + f.name + ".pcd.bin"));
  }
  ASSERT_EQ(a->calibrations.size(), 1u);  // the camera's calibrated_sensor is not a LiDAR one

  // d3 -> ego pose ed3 at (300, 5, 0), identity; the mount turns -90 deg about z at (1, 0, 2).
  ASSERT_TRUE(a->frames[3].T_world_lidar.has_value());
  const Eigen::Vector3d p = *a->frames[3].T_world_lidar * Eigen::Vector3d(1, 0, 0);
  EXPECT_NEAR(p.x(), 301.0, 1e-9);
  EXPECT_NEAR(p.y(), 4.0, 1e-9);
  EXPECT_NEAR(p.z(), 2.0, 1e-9);

  const Expected<Sequence> b = open_nuscenes_sequence(dir.path(), scene_options("scene-b", true));
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_EQ(names_of(*b), (std::vector<std::string>{"d5", "d6"}));

  const Expected<std::vector<SequenceSummary>> list =
      list_nuscenes_scenes(dir.path(), scene_options("", true));
  ASSERT_TRUE(list) << list.error().describe();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].frames, 5u);
  EXPECT_EQ((*list)[1].frames, 2u);
  const Expected<std::vector<SequenceSummary>> keyframes =
      list_nuscenes_scenes(dir.path(), SequenceOptions{});
  ASSERT_TRUE(keyframes) << keyframes.error().describe();
  EXPECT_EQ((*keyframes)[0].frames, 2u);
  EXPECT_EQ((*keyframes)[1].frames, 1u);
}

TEST(NuscenesLayout, ListSequencesListsEveryScene) {
  // What File > Open sequence and `pcanno info` list: every scene, not only the first.
  TempDir dir;
  write_sweep_corpus(dir);
  const Expected<std::vector<SequenceSummary>> list = list_sequences(dir.path());
  ASSERT_TRUE(list) << list.error().describe();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].layout, "nuscenes");
  EXPECT_EQ((*list)[0].name, "scene-a");
  EXPECT_EQ((*list)[0].frames, 2u);  // s1, s2
  EXPECT_EQ((*list)[1].name, "scene-b");
  EXPECT_EQ((*list)[1].frames, 1u);  // s3
  const Expected<std::vector<SequenceSummary>> sweeps =
      list_sequences(dir.path(), scene_options("", true));
  ASSERT_TRUE(sweeps) << sweeps.error().describe();
  ASSERT_EQ(sweeps->size(), 2u);
  EXPECT_EQ((*sweeps)[0].frames, 5u);  // d0 .. d4
  EXPECT_EQ((*sweeps)[1].frames, 2u);  // d5, d6
}

TEST(NuscenesLayout, BrokenChainAndMissingRecordsAreWarnings) {
  TempDir dir;
  write_sweep_corpus(dir, "lost");
  fs::remove(dir.path() / "samples/LIDAR_TOP/d3.pcd.bin");
  const Expected<Sequence> a = open_nuscenes_sequence(dir.path(), scene_options("scene-a", true));
  ASSERT_TRUE(a) << a.error().describe();
  // The walk back from keyframe d4 still reaches d3 and d2.
  EXPECT_EQ(names_of(*a), (std::vector<std::string>{"d0", "d1", "d2", "d3", "d4"}));
  EXPECT_TRUE(any_contains(a->warnings, "sample_data.next: 1 of"))
      << ::testing::PrintToString(a->warnings);
  EXPECT_TRUE(any_contains(a->warnings, "1 of 5 LiDAR files are missing"));

  // Without its ego pose a frame stays listed, without a pose.
  std::string poses = test::slurp(dir.path() / "v1.0-sweeps/ego_pose.json");
  poses.replace(poses.find("\"ed1\""), 5, "\"gone\"");
  dir.write("v1.0-sweeps/ego_pose.json", poses);
  const Expected<Sequence> posed = open_nuscenes_sequence(dir.path(), scene_options("scene-a"));
  ASSERT_TRUE(posed) << posed.error().describe();
  ASSERT_EQ(posed->frames.size(), 2u);
  EXPECT_FALSE(posed->frames[0].T_world_lidar.has_value());
  EXPECT_TRUE(posed->frames[1].T_world_lidar.has_value());
  EXPECT_TRUE(any_contains(posed->warnings, "1 of 2 frames lack their ego_pose"));
}

TEST(NuscenesLayout, ErrorsAreReported) {
  TempDir dir;
  EXPECT_FALSE(looks_like_nuscenes(dir.path()));
  const Expected<Sequence> none = open_nuscenes_sequence(dir.path(), SequenceOptions{});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);

  write_sweep_corpus(dir);
  EXPECT_TRUE(looks_like_nuscenes(dir.path()));
  const Expected<Sequence> unknown = open_nuscenes_sequence(dir.path(), scene_options("scene-z"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_NE(unknown.error().message.find("available: scene-a, scene-b"), std::string::npos)
      << unknown.error().message;

  dir.write("v1.0-sweeps/scene.json", "[]");
  const Expected<Sequence> empty = open_nuscenes_sequence(dir.path(), SequenceOptions{});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kNotFound);

  dir.write("v1.0-sweeps/sample.json", "[{\"token\": ");
  const Expected<std::vector<SequenceSummary>> truncated =
      list_nuscenes_scenes(dir.path(), SequenceOptions{});
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().code, ErrorCode::kTruncated);
}

}  // namespace
}  // namespace pcanno::formats
