#include "pcanno/formats/labels/nuscenes/codec.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "files.hpp"
#include "nuscenes_link_rules.hpp"
#include "pcanno/formats/clouds/raw_bin.hpp"
#include "pcanno/formats/datasets/nuscenes_db.hpp"
#include "pcanno/formats/datasets/nuscenes_layout.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/kitti/label.hpp"
#include "pcanno/formats/labels/shape_frames.hpp"
#include "pcanno/geometry/angles.hpp"
#include "pcanno/geometry/kitti_convention.hpp"
#include "pcanno/geometry/nuscenes_convention.hpp"
#include "pcanno/geometry/points_in_cuboid.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using test::TempDir;
using test_nuscenes::join;
using test_nuscenes::link_problems;
using test_nuscenes::load_json;
using test_nuscenes::save_json;

fs::path shared_mini() { return test::shared_data_dir() / "nuscenes/v1.0-mini-scene0061"; }
fs::path sample_mini() { return test::sample_data_dir() / "nuscenes/v1.0-mini-scene0061"; }
fs::path sample_tracking() { return test::sample_data_dir() / "kitti_tracking/training"; }

/// Every file under `root` (relative path -> bytes).
std::map<std::string, std::string> read_tree(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) files[fs::relative(e.path(), root).string()] = test::slurp(e.path());
  }
  return files;
}

/// Bitwise CRC-32, independent of the writer's table-driven one.
std::uint32_t reference_crc32(const std::string& bytes) {
  std::uint32_t crc = 0xffffffffu;
  for (const char c : bytes) {
    crc ^= static_cast<std::uint8_t>(c);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::uint32_t be32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<std::uint8_t>(s[at + i]);
  return v;
}

// ---------------------------------------------------------------------------------------------
// KITTI tracking 0000 labels in the LiDAR frame, built without any KITTI codec.

void make_kitti_document(Sequence& seq, Annotations& doc) {
  Expected<Sequence> opened = open_sequence(sample_tracking());
  ASSERT_TRUE(opened) << opened.error().describe();
  seq = std::move(*opened);
  ASSERT_EQ(seq.size(), 5u);
  ASSERT_TRUE(seq.calibrations.at(0).kitti.has_value());
  const Eigen::Matrix4d T_rect_velo = seq.calibrations[0].kitti->T_rect_velo();
  const auto rows = read_kitti_tracking_labels(seq.labels);
  ASSERT_TRUE(rows) << rows.error().describe();
  doc.sequence = SequenceRef{seq.layout, sample_tracking().string(), seq.name};
  for (const FrameRef& f : seq.frames) doc.frames.push_back({f.name, f.timestamp_us, {}, ""});
  std::map<int, Track> tracks;
  for (const KittiLabelRow& row : *rows) {
    if (row.is_dont_care() || row.frame >= static_cast<int>(seq.size())) continue;
    Track& t = tracks[row.track_id];
    t.id = row.track_id;
    t.label = row.type;
    BoxState b;
    b.frame = row.frame;
    b.box = geometry::kitti_camera_to_lidar(row.box, T_rect_velo);
    b.shape_frame = ShapeFrame::kLidar;
    b.provenance = Provenance::kImported;
    t.boxes.push_back(b);
  }
  for (auto& [id, t] : tracks) {
    doc.ensure_class(t.label);
    doc.tracks.push_back(std::move(t));
  }
}

Annotations one_box_document(const std::string& label) {
  Annotations doc;
  doc.sequence.name = "tiny";
  doc.frames.resize(1);
  Track t;
  t.label = label;
  BoxState b;
  b.box = geometry::Cuboid::from_yaw(Eigen::Vector3d(5, 1, -0.5), Eigen::Vector3d(4, 2, 1.5), 0.3);
  t.boxes.push_back(b);
  doc.tracks.push_back(t);
  return doc;
}

// ---------------------------------------------------------------------------------------------

TEST(NuscenesCodec, RegistersAsNuscenes) {
  const LabelCodec codec = make_nuscenes_codec();
  EXPECT_EQ(codec.id, "nuscenes");
  EXPECT_TRUE(codec.read && codec.write && codec.detect);
  EXPECT_TRUE(codec.detect(sample_mini()));
  EXPECT_FALSE(codec.detect(sample_tracking()));
}

TEST(NuscenesCodec, MiniRoundTripKeepsEveryBoxAndLink) {
  PCANNO_REQUIRE_DATA(shared_mini() / "v1.0-mini/sample_annotation.json");
  const Expected<Sequence> seq = open_sequence(shared_mini());
  ASSERT_TRUE(seq) << seq.error().describe();
  LabelContext ctx;
  ctx.sequence = &*seq;
  const Expected<Annotations> doc = read_nuscenes_annotations(shared_mini(), ctx);
  ASSERT_TRUE(doc) << doc.error().describe();
  // Facts from the data README and formats.md 6.3.
  ASSERT_EQ(doc->frames.size(), 1u);
  EXPECT_EQ(doc->frames[0].source_token, "ca9a282c9e77460f8360f564131a8af5");
  EXPECT_EQ(doc->frames[0].timestamp_us, 1532402927647951);
  EXPECT_EQ(doc->frames[0].name, seq->frames[0].name);
  EXPECT_EQ(doc->sequence.name, "scene-0061");
  EXPECT_EQ(doc->attributes.at(kNuscenesVersionAttribute), "v1.0-mini");
  EXPECT_EQ(doc->attributes.at(kNuscenesLocationAttribute), "singapore-onenorth");
  ASSERT_EQ(doc->tracks.size(), 68u);
  EXPECT_EQ(doc->box_count(), 68u);
  std::map<std::string, int> per_label;
  for (const Track& t : doc->tracks) ++per_label[t.label];
  EXPECT_EQ(per_label["human.pedestrian.adult"], 30);
  EXPECT_EQ(per_label["movable_object.barrier"], 22);
  EXPECT_EQ(per_label["vehicle.car"], 8);
  const Track& first = doc->tracks[0];
  EXPECT_EQ(first.id, 0);
  const BoxState& b0 = first.boxes.at(0);
  EXPECT_EQ(b0.shape_frame, ShapeFrame::kWorld);
  EXPECT_EQ(b0.provenance, Provenance::kImported);
  ASSERT_TRUE(b0.nuscenes.has_value());
  // formats.md 6.3's worked example is the first record of sample_annotation.json.
  EXPECT_EQ(b0.nuscenes->annotation_token, "d40a2f996d0433646e146e5cc6336fee");
  EXPECT_LE((b0.box.center - Eigen::Vector3d(373.2560, 1130.4190, 0.8000)).norm(), 1e-4);
  EXPECT_EQ(b0.box.size, Eigen::Vector3d(0.669, 0.621, 1.642));
  EXPECT_NEAR(b0.box.yaw(), -0.36810, 1e-4);

  TempDir tmp;
  const fs::path out = tmp.path() / "export";
  const Expected<WriteReport> report = write_nuscenes_dataset(*doc, out, ctx);
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->boxes_written, 68u);
  EXPECT_TRUE(report->dropped.empty());
  const auto problems = link_problems(out, "v1.0-mini");
  EXPECT_TRUE(problems.empty()) << join(problems);

  const Expected<NuscenesDb> original = load_nuscenes_db(shared_mini(), "v1.0-mini");
  const Expected<NuscenesDb> exported = load_nuscenes_db(out, "v1.0-mini");
  ASSERT_TRUE(original && exported);
  EXPECT_EQ(exported->categories.size(), 23u);
  EXPECT_EQ(exported->attributes.size(), 8u);
  EXPECT_EQ(exported->visibilities.size(), 4u);
  ASSERT_EQ(exported->sample_annotations.size(), 68u);
  EXPECT_EQ(exported->samples.front().token, "ca9a282c9e77460f8360f564131a8af5");
  const NuscenesSampleData& sd = exported->sample_data.front();
  EXPECT_EQ(test::slurp(out / sd.filename),
            test::slurp(shared_mini() / original->sample_data.front().filename));

  // The copied cloud and the exported poses reproduce every original num_lidar_pts.
  const Expected<PointCloud> cloud = read_nuscenes_bin(out / sd.filename);
  ASSERT_TRUE(cloud) << cloud.error().describe();
  const geometry::Pose T_global_ego = exported->ego_pose(sd.ego_pose_token)->T_global_ego();
  const geometry::Pose T_ego_lidar =
      exported->calibrated_sensor(sd.calibrated_sensor_token)->T_ego_sensor();
  int total = 0;
  for (const NuscenesSampleAnnotation& a : original->sample_annotations) {
    const NuscenesSampleAnnotation* e = exported->sample_annotation(a.token);
    ASSERT_NE(e, nullptr) << a.token;
    EXPECT_EQ(e->instance_token, a.instance_token);
    EXPECT_EQ(exported->category(exported->instance(e->instance_token)->category_token)->name,
              original->category(original->instance(a.instance_token)->category_token)->name);
    EXPECT_LE((e->translation - a.translation).norm(), 1e-6) << a.token;
    EXPECT_LE(geometry::rotation_angle_between(e->rotation, a.rotation), 1e-9) << a.token;
    EXPECT_EQ(e->size_wlh, a.size_wlh) << a.token;
    EXPECT_EQ(e->num_lidar_pts, a.num_lidar_pts) << a.token;
    EXPECT_EQ(e->num_radar_pts, a.num_radar_pts) << a.token;
    EXPECT_EQ(e->visibility_token, a.visibility_token) << a.token;
    const geometry::Cuboid in_lidar =
        geometry::nuscenes_global_to_lidar(e->box(), T_global_ego, T_ego_lidar);
    const int count = static_cast<int>(geometry::points_in_cuboid(cloud->view(), in_lidar).size());
    EXPECT_EQ(count, a.num_lidar_pts) << a.token;
    total += count;
  }
  EXPECT_EQ(total, 999);  // the data README's sum

  // And back: the same tracks, classes and boxes.
  const Expected<Annotations> back = read_nuscenes_annotations(out, {});
  ASSERT_TRUE(back) << back.error().describe();
  ASSERT_EQ(back->tracks.size(), doc->tracks.size());
  for (std::size_t i = 0; i < back->tracks.size(); ++i) {
    EXPECT_EQ(back->tracks[i].label, doc->tracks[i].label);
    EXPECT_EQ(back->tracks[i].source_id, doc->tracks[i].source_id);
    EXPECT_EQ(back->tracks[i].boxes[0].box.center, doc->tracks[i].boxes[0].box.center);
  }
}

TEST(NuscenesCodec, LinkCheckerCatchesABrokenChain) {
  TempDir tmp;
  const fs::path out = tmp.path() / "export";
  ASSERT_TRUE(write_nuscenes_dataset(one_box_document("Car"), out, {}));
  EXPECT_TRUE(link_problems(out, "v1.0-pcanno").empty()) << join(link_problems(out, "v1.0-pcanno"));
  ordered_json scenes = load_json(out / "v1.0-pcanno/scene.json");
  scenes[0]["nbr_samples"] = 2;
  save_json(out / "v1.0-pcanno/scene.json", scenes);
  ordered_json instances = load_json(out / "v1.0-pcanno/instance.json");
  instances[0]["last_annotation_token"] = "";
  save_json(out / "v1.0-pcanno/instance.json", instances);
  const std::string problems = join(link_problems(out, "v1.0-pcanno"));
  EXPECT_NE(problems.find("scene.nbr_samples"), std::string::npos) << problems;
  EXPECT_NE(problems.find("instance.last"), std::string::npos) << problems;
}

TEST(NuscenesCodec, KittiTrackingRoundTripInLidarFrame) {
  Sequence seq;
  Annotations doc;
  ASSERT_NO_FATAL_FAILURE(make_kitti_document(seq, doc));
  ASSERT_EQ(doc.tracks.size(), 3u);
  EXPECT_EQ(doc.box_count(), 15u);
  LabelContext ctx;
  ctx.sequence = &seq;
  TempDir tmp;
  const fs::path out = tmp.path() / "kitti_nuscenes";
  const Expected<WriteReport> report = write_nuscenes_dataset(doc, out, ctx);
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->boxes_written, 15u);
  const auto problems = link_problems(out, "v1.0-pcanno");
  EXPECT_TRUE(problems.empty()) << join(problems);

  const Expected<NuscenesDb> db = load_nuscenes_db(out, "v1.0-pcanno");
  ASSERT_TRUE(db) << db.error().describe();
  ASSERT_EQ(db->samples.size(), 5u);
  ASSERT_EQ(db->sample_data.size(), 5u);
  EXPECT_EQ(db->logs.front().location, "unknown");
  // Converted clouds: every KITTI point, intensity = reflectance * 255, ring 0.
  const Expected<PointCloud> kitti = read_kitti_bin(seq.frames[0].cloud_path);
  const Expected<PointCloud> converted = read_nuscenes_bin(out / db->sample_data[0].filename);
  ASSERT_TRUE(kitti && converted);
  ASSERT_EQ(converted->size(), 123398u);  // sequence_test / data README
  for (std::size_t i = 0; i < converted->size(); i += 997) {
    EXPECT_EQ(converted->x[i], kitti->x[i]);
    EXPECT_EQ(converted->z[i], kitti->z[i]);
    EXPECT_EQ((*converted->attribute("intensity"))[i],
              (*kitti->attribute("intensity"))[i] * 255.0f);
    EXPECT_EQ((*converted->attribute("ring"))[i], 0.0f);
  }
  // Classes go out through the default map; the instance keeps the pcanno class.
  std::map<std::string, std::string> category_of;
  std::map<std::string, int> frame0_points;
  for (const NuscenesInstance& inst : db->instances) {
    std::string label;
    for (const auto& [key, value] : inst.extra) {
      if (key == kPcannoLabelField) label = nlohmann::json::parse(value).get<std::string>();
    }
    category_of[label] = db->category(inst.category_token)->name;
    frame0_points[label] = db->sample_annotation(inst.first_annotation_token)->num_lidar_pts;
  }
  EXPECT_EQ(category_of["Van"], "vehicle.car");
  EXPECT_EQ(category_of["Cyclist"], "vehicle.bicycle");
  EXPECT_EQ(category_of["Pedestrian"], "human.pedestrian.adult");
  // The frame-0 counts equal the points of the KITTI cloud in the document's LiDAR boxes, which
  // formats.md 3.1 / the conventions test put within 5 % of the camera-box counts 1093, 883, 309.
  const std::map<std::string, int> documented{{"Van", 1093}, {"Cyclist", 883}, {"Pedestrian", 309}};
  for (const Track& t : doc.tracks) {
    ASSERT_EQ(t.boxes[0].frame, 0);
    const int direct =
        static_cast<int>(geometry::points_in_cuboid(kitti->view(), t.boxes[0].box).size());
    EXPECT_EQ(frame0_points[t.label], direct) << t.label;
    EXPECT_NEAR(frame0_points[t.label], documented.at(t.label), 0.05 * documented.at(t.label));
  }

  const Expected<Annotations> back = read_nuscenes_annotations(out, {});
  ASSERT_TRUE(back) << back.error().describe();
  const Expected<Sequence> exported_seq = open_sequence(out);
  ASSERT_TRUE(exported_seq) << exported_seq.error().describe();
  ASSERT_EQ(back->frames.size(), 5u);
  ASSERT_EQ(back->tracks.size(), 3u);
  for (std::size_t t = 0; t < 3; ++t) {
    const Track& want = doc.tracks[t];
    const Track& got = back->tracks[t];
    EXPECT_EQ(got.label, want.label);
    ASSERT_EQ(got.boxes.size(), want.boxes.size());
    for (std::size_t b = 0; b < got.boxes.size(); ++b) {
      EXPECT_EQ(got.boxes[b].frame, want.boxes[b].frame);
      const Expected<geometry::Cuboid> box = box_in_lidar(got.boxes[b], &*exported_seq);
      ASSERT_TRUE(box) << box.error().describe();
      const geometry::Cuboid& w = want.boxes[b].box;
      EXPECT_LE((box->center - w.center).norm(), 1e-6) << want.label << " " << b;
      EXPECT_LE(std::abs(geometry::angle_difference(box->yaw(), w.yaw())), 1e-6);
      EXPECT_LE(geometry::rotation_angle_between(box->rotation, w.rotation), 1e-6);
      EXPECT_EQ(box->size, w.size);
    }
  }
  // The class-implied attribute of the default map comes back as a box attribute.
  EXPECT_EQ(back->tracks[1].label, "Cyclist");
  EXPECT_EQ(back->tracks[1].boxes[0].attributes.at("cycle.with_rider"), "true");
  EXPECT_TRUE(back->tracks[0].boxes[0].attributes.empty());

  // A category edited after the export wins over the stored class; a class map maps it back.
  ordered_json instances = load_json(out / "v1.0-pcanno/instance.json");
  const ordered_json categories = load_json(out / "v1.0-pcanno/category.json");
  for (const auto& c : categories) {
    if (c["name"] == "vehicle.truck") instances[0]["category_token"] = c["token"];
  }
  save_json(out / "v1.0-pcanno/instance.json", instances);
  const Expected<Annotations> edited = read_nuscenes_annotations(out, {});
  ASSERT_TRUE(edited) << edited.error().describe();
  EXPECT_EQ(edited->tracks[0].label, "vehicle.truck");
  const ClassMap map = default_nuscenes_class_map();
  LabelContext with_map;
  with_map.class_map = &map;
  const Expected<Annotations> mapped = read_nuscenes_annotations(out, with_map);
  ASSERT_TRUE(mapped);
  EXPECT_EQ(mapped->tracks[0].label, "Truck");
  EXPECT_EQ(mapped->tracks[1].label, "Cyclist");
}

TEST(NuscenesCodec, ExportsAreByteIdentical) {
  Sequence seq;
  Annotations doc;
  ASSERT_NO_FATAL_FAILURE(make_kitti_document(seq, doc));
  LabelContext ctx;
  ctx.sequence = &seq;
  TempDir tmp;
  ASSERT_TRUE(write_nuscenes_dataset(doc, tmp.path() / "a", ctx));
  ASSERT_TRUE(write_nuscenes_dataset(doc, tmp.path() / "b", ctx));
  const auto a = read_tree(tmp.path() / "a");
  const auto b = read_tree(tmp.path() / "b");
  EXPECT_EQ(a.size(), 13u + 1u + 5u);  // tables, map, clouds
  for (const auto& [name, bytes] : a) {
    ASSERT_EQ(b.count(name), 1u) << name;
    EXPECT_TRUE(bytes == b.at(name)) << name;
  }
  // Tokens are 32 lower-case hex digits (visibility keeps "1".."4").
  const ordered_json samples = load_json(tmp.path() / "a/v1.0-pcanno/sample.json");
  for (const auto& s : samples) {
    const std::string token = s["token"];
    EXPECT_EQ(token.size(), 32u);
    EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos);
  }
}

TEST(NuscenesCodec, UnmappedClassFailsAndWritesNothing) {
  TempDir tmp;
  const fs::path out = tmp.path() / "export";
  const Expected<WriteReport> r = write_nuscenes_dataset(one_box_document("Alien"), out, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kMalformed);
  EXPECT_NE(r.error().message.find("class 'Alien' has no nuScenes category"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("--class-map"), std::string::npos);
  EXPECT_EQ(test::entry_count(tmp.path()), 0u);  // no output, no staging folder left behind
  // Mapped, or already a nuScenes category: fine.
  ClassMap map;
  map.entries.push_back({"Alien", "animal", {}});
  LabelContext ctx;
  ctx.class_map = &map;
  EXPECT_TRUE(write_nuscenes_dataset(one_box_document("Alien"), out, ctx));
  EXPECT_TRUE(write_nuscenes_dataset(one_box_document("animal"), tmp.path() / "second", {}));
}

TEST(NuscenesCodec, ExistingOutputNeedsOverwrite) {
  TempDir tmp;
  const fs::path out = tmp.path() / "export";
  fs::create_directories(out);
  tmp.write("export/keep.txt", "mine");
  const Expected<WriteReport> refused = write_nuscenes_dataset(one_box_document("Car"), out, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermission);
  EXPECT_TRUE(fs::exists(out / "keep.txt"));
  EXPECT_EQ(test::entry_count(tmp.path()), 1u);
  LabelContext ctx;
  ctx.overwrite = true;
  ASSERT_TRUE(write_nuscenes_dataset(one_box_document("Car"), out, ctx));
  EXPECT_FALSE(fs::exists(out / "keep.txt"));
  EXPECT_TRUE(looks_like_nuscenes(out));
}

TEST(NuscenesCodec, BrokenInstanceLinkNamesTableRecordAndToken) {
  TempDir tmp;
  const fs::path root = tmp.path() / "mini";
  fs::copy(sample_mini(), root, fs::copy_options::recursive);
  const fs::path table = root / "v1.0-mini/sample_annotation.json";
  ordered_json annotations = load_json(table);
  ASSERT_EQ(annotations.size(), 68u);
  const std::string token = annotations[5]["token"];
  annotations[5]["instance_token"] = "0123456789abcdef0123456789abcdef";
  save_json(table, annotations);
  const Expected<Annotations> r = read_nuscenes_annotations(root, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kMalformed);
  const std::string& m = r.error().message;
  EXPECT_NE(m.find("sample_annotation record 5"), std::string::npos) << m;
  EXPECT_NE(m.find(token), std::string::npos) << m;
  EXPECT_NE(m.find("instance_token '0123456789abcdef0123456789abcdef'"), std::string::npos) << m;
  EXPECT_EQ(fs::path(r.error().path).filename(), "sample_annotation.json");
}

TEST(NuscenesCodec, WithoutSequenceLidarIsEgoIsGlobal) {
  Annotations doc;
  doc.sequence.name = "no-sequence";
  doc.frames.resize(3);  // no timestamps: 1e15 us + frame * 0.1 s
  Track t;
  t.id = 7;
  t.label = "Pedestrian";
  t.attributes["note"] = "keeps";
  for (int f = 0; f < 3; ++f) {
    BoxState b;
    b.frame = f;
    b.box =
        geometry::Cuboid::from_yaw(Eigen::Vector3d(f, 2, 0), Eigen::Vector3d(0.8, 0.6, 1.7), 1.0);
    b.attributes["pedestrian.moving"] = "true";
    b.attributes["occlusion"] = "partly";
    if (f == 1) b.nuscenes = NuscenesFields{"", "3", 12, 4};
    t.boxes.push_back(b);
  }
  doc.tracks.push_back(t);
  TempDir tmp;
  const fs::path out = tmp.path() / "export";
  ASSERT_TRUE(write_nuscenes_dataset(doc, out, {}));
  const auto problems = link_problems(out, "v1.0-pcanno");
  EXPECT_TRUE(problems.empty()) << join(problems);
  const Expected<NuscenesDb> db = load_nuscenes_db(out, "v1.0-pcanno");
  ASSERT_TRUE(db);
  ASSERT_EQ(db->samples.size(), 3u);
  EXPECT_EQ(db->samples[2].timestamp_us, 1'000'000'000'000'000 + 200'000);
  EXPECT_EQ(fs::file_size(out / db->sample_data[0].filename), 0u);
  const std::string png = test::slurp(out / db->maps[0].filename);
  ASSERT_GE(png.size(), 8u + 25u + 12u);
  EXPECT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n");
  for (std::size_t at = 8; at + 12 <= png.size();) {  // every chunk's CRC
    const std::uint32_t n = be32(png, at);
    EXPECT_EQ(be32(png, at + 8 + n), reference_crc32(png.substr(at + 4, 4 + n)));
    at += 12 + n;
  }
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  const Expected<Annotations> back = read_nuscenes_annotations(out, {});
  ASSERT_TRUE(back) << back.error().describe();
  ASSERT_EQ(back->tracks.size(), 1u);
  const Track& got = back->tracks[0];
  EXPECT_EQ(got.label, "Pedestrian");
  EXPECT_EQ(got.attributes.at("note"), "keeps");
  for (int f = 0; f < 3; ++f) {
    const BoxState& b = got.boxes[static_cast<std::size_t>(f)];
    EXPECT_LE((b.box.center - t.boxes[static_cast<std::size_t>(f)].box.center).norm(), 1e-12);
    EXPECT_EQ(b.attributes.size(), 1u);  // only nuScenes attributes travel
    EXPECT_EQ(b.attributes.at("pedestrian.moving"), "true");
  }
  EXPECT_EQ(got.boxes[0].nuscenes->num_lidar_pts, 0);
  EXPECT_EQ(got.boxes[1].nuscenes->num_lidar_pts, 12);  // kept: no clouds to count in
  EXPECT_EQ(got.boxes[1].nuscenes->num_radar_pts, 4);
  EXPECT_EQ(got.boxes[1].nuscenes->visibility_token, "3");
}

TEST(NuscenesCodec, SweepsFollowKeyframesOnly) {
  Sequence seq;
  Annotations doc;
  ASSERT_NO_FATAL_FAILURE(make_kitti_document(seq, doc));
  seq.frames[1].is_keyframe = false;
  seq.frames[3].is_keyframe = false;
  LabelContext ctx;
  ctx.sequence = &seq;
  TempDir tmp;
  const Expected<WriteReport> keyframes = write_nuscenes_dataset(doc, tmp.path() / "k", ctx);
  ASSERT_TRUE(keyframes) << keyframes.error().describe();
  EXPECT_EQ(keyframes->boxes_written, 9u);
  std::size_t dropped = 0;
  for (const auto& [reason, n] : keyframes->dropped) dropped += n;
  EXPECT_EQ(dropped, 6u);
  ctx.keyframes_only = false;
  const fs::path out = tmp.path() / "s";
  ASSERT_TRUE(write_nuscenes_dataset(doc, out, ctx));
  const auto problems = link_problems(out, "v1.0-pcanno");
  EXPECT_TRUE(problems.empty()) << join(problems);
  const Expected<NuscenesDb> db = load_nuscenes_db(out, "v1.0-pcanno");
  ASSERT_TRUE(db);
  EXPECT_EQ(db->samples.size(), 3u);
  ASSERT_EQ(db->sample_data.size(), 5u);
  EXPECT_EQ(db->sample_data[1].filename.rfind("sweeps/LIDAR_TOP/", 0), 0u);
  EXPECT_EQ(db->sample_data[1].sample_token, db->sample_data[2].sample_token);
  // Read back with sweeps, frame i is frame i again.
  const Expected<Annotations> back = read_nuscenes_annotations(out, ctx);
  ASSERT_TRUE(back) << back.error().describe();
  EXPECT_EQ(back->frames.size(), 5u);
  EXPECT_EQ(back->tracks[0].boxes[1].frame, 2);
}

TEST(NuscenesCodec, CancelledExportWritesNothing) {
  TempDir tmp;
  LabelContext ctx;
  ctx.progress = [](double) { return false; };
  const Expected<WriteReport> r =
      write_nuscenes_dataset(one_box_document("Car"), tmp.path() / "x", ctx);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(test::entry_count(tmp.path()), 0u);
}

TEST(NuscenesCodec, ReadsLyftTables) {
  const fs::path root = test::shared_data_dir() / "nuscenes/lyft-tiny/v1.01-train";
  PCANNO_REQUIRE_DATA(root / "v1.01-train/sample_annotation.json");
  const Expected<Annotations> doc = read_nuscenes_annotations(root, {});
  ASSERT_TRUE(doc) << doc.error().describe();
  EXPECT_EQ(doc->frames.size(), 1u);
  EXPECT_EQ(doc->box_count(), 4u);  // data README: 4 annotations, 4 instances
  ASSERT_EQ(doc->tracks.size(), 4u);
  for (const Track& t : doc->tracks) {
    EXPECT_EQ(t.source_id.size(), 64u);
    EXPECT_EQ(t.label.find('.'), std::string::npos);  // flat Lyft names
    EXPECT_EQ(t.boxes[0].nuscenes->num_lidar_pts, -1);
  }
}

}  // namespace
}  // namespace pcanno::formats
