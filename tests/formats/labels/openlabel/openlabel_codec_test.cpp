#include "pcanno/formats/labels/openlabel/codec.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "pcanno/formats/labels/kitti/label.hpp"
#include "pcanno/geometry/pose.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using test::shared_data_dir;
using test::slurp;

// ---------------------------------------------------------------------------------------------
// Content

fs::path repo_root() { return fs::path(PCANNO_SAMPLE_DATA_DIR).parent_path(); }
fs::path schema_path() { return repo_root() / "tests/data/openlabel-1.0.schema.json"; }
fs::path tracking_root() { return shared_data_dir() / "kitti_tracking/training"; }

std::string sequence_name(int s) {
  char name[16];
  std::snprintf(name, sizeof(name), "%04d", s);
  return name;
}

fs::path tracking_labels(int s) {
  return tracking_root() / "label_02" / (sequence_name(s) + ".txt");
}

/// Four frames with names, timestamps and LiDAR poses that turn and climb.
Sequence posed_sequence() {
  Sequence seq;
  seq.layout = "folder";
  seq.name = "synthetic";
  seq.root = "/data/synthetic";
  for (int i = 0; i < 4; ++i) {
    FrameRef frame;
    frame.name = "scan_" + std::to_string(i);
    frame.timestamp_us = 1532402927647951 + i * 49979;
    const Eigen::Quaterniond tilt(Eigen::AngleAxisd(0.01 * i, Eigen::Vector3d::UnitX()));
    frame.T_world_lidar =
        geometry::make_pose(geometry::quaternion_from_yaw(0.3 * i) * tilt,
                            Eigen::Vector3d(411.3 + i, 1180.9 - 0.5 * i, 0.1 * i));
    seq.frames.push_back(frame);
  }
  return seq;
}

/// Tracks with attributes, world and LiDAR boxes, KITTI and nuScenes fields, an empty track and
/// polylines (one whose id a track holds).
Annotations synthetic_annotations(const Sequence& seq) {
  Annotations a;
  a.sequence = {seq.layout, seq.root.string(), seq.name};
  a.attributes = {{"source_format", "synthetic"}, {"tool", "pcanno \"test\""}};
  for (const FrameRef& f : seq.frames)
    a.frames.push_back(FrameInfo{f.name, f.timestamp_us, {}, ""});
  a.frames[1].attributes = {{"weather", "rain"}};
  a.frames[2].source_token = "sample-2";

  Track car;
  car.id = 0;
  car.label = "Car";
  car.attributes = {{"colour", "red"}, {"parked", "false"}};
  const Provenance provenances[] = {Provenance::kManual, Provenance::kInterpolated,
                                    Provenance::kTracked};
  for (int f = 0; f < 3; ++f) {
    BoxState s;
    s.frame = f;
    s.box = geometry::Cuboid::from_yaw(Eigen::Vector3d(10.0 + f, -2.5, -0.8),
                                       Eigen::Vector3d(4.2, 1.8, 1.5), 0.1 * f - 0.05);
    s.provenance = provenances[f];
    s.keyframe = f != 1;
    if (f == 0) s.attributes = {{"occlusion", "partly"}};
    if (f == 2) {
      s.kitti = KittiCameraFields{0.25, 1, -1.5707963267948966, {296.7, 161.75, 455.2, 292.37}};
      s.box.rotation = Eigen::Quaterniond(0.9, 0.1, -0.2, 0.3).normalized();  // tilted
    }
    car.boxes.push_back(s);
  }
  Track pedestrian;
  pedestrian.id = 5;
  pedestrian.label = "Pedestrian";
  pedestrian.source_id = "5e3c8a7b";
  for (int f : {1, 3}) {
    BoxState s;
    s.frame = f;
    s.box = geometry::Cuboid::from_yaw(Eigen::Vector3d(420.25, 1170.5, 0.9),
                                       Eigen::Vector3d(0.7, 0.6, 1.8), 2.0);
    s.shape_frame = ShapeFrame::kWorld;
    s.provenance = f == 1 ? Provenance::kModel : Provenance::kImported;
    if (f == 1) s.score = 0.875;
    s.nuscenes = NuscenesFields{"ann-" + std::to_string(f), "4", 17, -1};
    pedestrian.boxes.push_back(s);
  }
  Track empty{9, "Cyclist", {{"note", "not yet drawn"}}, "", {}};
  a.tracks = {car, pedestrian, empty};

  PolylineTrack lane;
  lane.id = 5;  // a track holds 5: the object gets another uid
  lane.label = "lane";
  lane.attributes = {{"colour", "white"}};
  PolylineState open;
  open.frame = 0;
  open.line.vertices = {{0.0, 1.5, -1.7}, {10.0, 1.6, -1.7}, {20.0, 1.8, -1.6}};
  open.provenance = Provenance::kFitted;
  open.attributes = {{"worn", "yes"}};
  PolylineState closed;
  closed.frame = 2;
  closed.shape_frame = ShapeFrame::kWorld;
  closed.line.closed = true;
  closed.line.vertices = {{400.0, 1170.0, 0.0}, {404.0, 1170.0, 0.0}, {404.0, 1174.0, 0.1}};
  closed.keyframe = false;
  lane.states = {open, closed};
  PolylineTrack curb{42, "curb", {}, {}};
  PolylineState single;
  single.frame = 3;
  single.line.vertices = {{1.0, -4.0, -1.8}, {2.0, -4.1, -1.8}};
  curb.states = {single};
  a.polylines = {lane, curb};
  a.ignore_regions = {{0, {1.0, 2.0, 3.0, 4.0}, "DontCare"}};
  for (const char* name : {"Car", "Pedestrian", "Cyclist", "lane", "curb"}) a.ensure_class(name);
  a.normalize();
  return a;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof(double)) == 0; }

void expect_near(const Eigen::Vector3d& a, const Eigen::Vector3d& b, double tol,
                 const std::string& what) {
  for (int i = 0; i < 3; ++i) {
    if (tol == 0.0) {
      EXPECT_TRUE(same_bits(a[i], b[i])) << what << "[" << i << "]: " << a[i] << " vs " << b[i];
    } else {
      EXPECT_NEAR(a[i], b[i], tol) << what << "[" << i << "]";
    }
  }
}

/// Same content; geometry within `tol` (0: the same bits). Polyline ids are compared through
/// `polyline_ids` when given (the writer may renumber one that collides with a track id).
void expect_same(const Annotations& a, const Annotations& b, double tol) {
  EXPECT_EQ(a.sequence.layout, b.sequence.layout);
  EXPECT_EQ(a.sequence.path, b.sequence.path);
  EXPECT_EQ(a.sequence.name, b.sequence.name);
  EXPECT_EQ(a.attributes, b.attributes);
  ASSERT_EQ(a.frames.size(), b.frames.size());
  for (std::size_t i = 0; i < a.frames.size(); ++i) {
    EXPECT_EQ(a.frames[i].name, b.frames[i].name) << i;
    EXPECT_EQ(a.frames[i].timestamp_us, b.frames[i].timestamp_us) << i;
    EXPECT_EQ(a.frames[i].attributes, b.frames[i].attributes) << i;
    EXPECT_EQ(a.frames[i].source_token, b.frames[i].source_token) << i;
  }
  ASSERT_EQ(a.tracks.size(), b.tracks.size());
  for (std::size_t t = 0; t < a.tracks.size(); ++t) {
    const Track& x = a.tracks[t];
    const Track& y = b.tracks[t];
    const std::string what = "track " + std::to_string(x.id);
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.label, y.label) << what;
    EXPECT_EQ(x.attributes, y.attributes) << what;
    EXPECT_EQ(x.source_id, y.source_id) << what;
    ASSERT_EQ(x.boxes.size(), y.boxes.size()) << what;
    for (std::size_t k = 0; k < x.boxes.size(); ++k) {
      const BoxState& p = x.boxes[k];
      const BoxState& q = y.boxes[k];
      const std::string at = what + " frame " + std::to_string(p.frame);
      EXPECT_EQ(p.frame, q.frame) << at;
      EXPECT_EQ(p.shape_frame, q.shape_frame) << at;
      EXPECT_EQ(p.provenance, q.provenance) << at;
      EXPECT_EQ(p.keyframe, q.keyframe) << at;
      EXPECT_EQ(p.score, q.score) << at;
      EXPECT_EQ(p.attributes, q.attributes) << at;
      expect_near(p.box.center, q.box.center, tol, at + " center");
      expect_near(p.box.size, q.box.size, tol, at + " size");
      expect_near(p.box.rotation.vec(), q.box.rotation.vec(), tol, at + " rotation xyz");
      if (tol == 0.0) {
        EXPECT_TRUE(same_bits(p.box.rotation.w(), q.box.rotation.w())) << at;
      } else {
        EXPECT_NEAR(p.box.rotation.w(), q.box.rotation.w(), tol) << at;
      }
      ASSERT_EQ(p.kitti.has_value(), q.kitti.has_value()) << at;
      if (p.kitti) {
        EXPECT_EQ(p.kitti->truncated, q.kitti->truncated) << at;
        EXPECT_EQ(p.kitti->occluded, q.kitti->occluded) << at;
        EXPECT_EQ(p.kitti->alpha, q.kitti->alpha) << at;
        EXPECT_EQ(p.kitti->bbox, q.kitti->bbox) << at;
      }
      ASSERT_EQ(p.nuscenes.has_value(), q.nuscenes.has_value()) << at;
      if (p.nuscenes) {
        EXPECT_EQ(p.nuscenes->annotation_token, q.nuscenes->annotation_token) << at;
        EXPECT_EQ(p.nuscenes->visibility_token, q.nuscenes->visibility_token) << at;
        EXPECT_EQ(p.nuscenes->num_lidar_pts, q.nuscenes->num_lidar_pts) << at;
        EXPECT_EQ(p.nuscenes->num_radar_pts, q.nuscenes->num_radar_pts) << at;
      }
    }
  }
  ASSERT_EQ(a.polylines.size(), b.polylines.size());
  for (std::size_t t = 0; t < a.polylines.size(); ++t) {
    const PolylineTrack& x = a.polylines[t];
    const PolylineTrack& y = b.polylines[t];
    EXPECT_EQ(x.label, y.label);
    EXPECT_EQ(x.attributes, y.attributes);
    ASSERT_EQ(x.states.size(), y.states.size());
    for (std::size_t k = 0; k < x.states.size(); ++k) {
      const PolylineState& p = x.states[k];
      const PolylineState& q = y.states[k];
      EXPECT_EQ(p.frame, q.frame);
      EXPECT_EQ(p.shape_frame, q.shape_frame);
      EXPECT_EQ(p.line.closed, q.line.closed);
      EXPECT_EQ(p.provenance, q.provenance);
      EXPECT_EQ(p.keyframe, q.keyframe);
      EXPECT_EQ(p.attributes, q.attributes);
      ASSERT_EQ(p.line.vertices.size(), q.line.vertices.size());
      for (std::size_t v = 0; v < p.line.vertices.size(); ++v) {
        expect_near(p.line.vertices[v], q.line.vertices[v], tol, "vertex");
      }
    }
  }
}

/// Where two texts part, for a readable failure instead of two whole files.
std::string first_difference(const std::string& a, const std::string& b) {
  std::istringstream x(a), y(b);
  std::string p, q;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(x, p));
    const bool more_b = static_cast<bool>(std::getline(y, q));
    if (!more_a && !more_b) return "identical";
    if (!more_a || !more_b || p != q) {
      return "line " + std::to_string(line) + ":\n  " + p + "\n  " + q;
    }
  }
}

#define EXPECT_SAME_TEXT(a, b) EXPECT_TRUE((a) == (b)) << first_difference((a), (b))

std::string must_serialize(const Annotations& a, const LabelContext& context = {}) {
  Expected<std::string> text = serialize_openlabel(a, context);
  EXPECT_TRUE(text) << text.error().describe();
  return text ? *text : std::string();
}

Annotations must_parse(const std::string& text, const LabelContext& context = {}) {
  Expected<Annotations> a = parse_openlabel(text, "test.json", context);
  EXPECT_TRUE(a) << a.error().describe();
  return a ? std::move(a).value() : Annotations{};
}

// ---------------------------------------------------------------------------------------------
// pcanno -> OpenLABEL -> pcanno

TEST(OpenlabelWrite, SyntheticDocumentRoundTripsBitForBit) {
  const Sequence seq = posed_sequence();
  const Annotations original = synthetic_annotations(seq);
  LabelContext context;
  context.sequence = &seq;
  WriteReport report;
  Expected<std::string> text = serialize_openlabel(original, context, &report);
  ASSERT_TRUE(text) << text.error().describe();
  EXPECT_EQ(report.boxes_written, original.box_count());
  ASSERT_EQ(report.dropped.size(), 1u);
  EXPECT_EQ(report.dropped.begin()->second, 1u);  // the ignore region

  const Annotations back = must_parse(*text);
  Annotations expected = original;
  expected.ignore_regions.clear();
  expected.polylines[0].id = 43;  // lane 5 collides with track 5: next uid above 42
  expected.normalize();
  expect_same(expected, back, 0.0);
  ASSERT_EQ(back.polylines.size(), 2u);
  EXPECT_EQ(back.polylines[0].id, 42);
  EXPECT_EQ(back.polylines[1].id, 43);
  EXPECT_EQ(back.polylines[1].label, "lane");
  ASSERT_NE(back.track(9), nullptr);
  EXPECT_TRUE(back.track(9)->boxes.empty());
  // Same bytes again: the text is a function of the content.
  EXPECT_SAME_TEXT(must_serialize(back, context), *text);
}

TEST(OpenlabelWrite, LayoutFollowsTheStandard) {
  const Sequence seq = posed_sequence();
  LabelContext context;
  context.sequence = &seq;
  const Json j = Json::parse(must_serialize(synthetic_annotations(seq), context));
  const Json& ol = j.at("openlabel");
  EXPECT_EQ(j.size(), 1u);
  EXPECT_EQ(ol.at("metadata").at("schema_version"), "1.0.0");
  EXPECT_EQ(ol.at("coordinate_systems").at("world").at("type"), "scene_cs");
  EXPECT_EQ(ol.at("coordinate_systems").at("lidar").at("type"), "sensor_cs");
  EXPECT_EQ(ol.at("coordinate_systems").at("lidar").at("parent"), "world");
  EXPECT_EQ(ol.at("streams").at("lidar").at("type"), "lidar");
  EXPECT_EQ(ol.at("frame_intervals"), Json::parse(R"([{"frame_start": 0, "frame_end": 3}])"));

  const Json& car = ol.at("objects").at("0");
  EXPECT_EQ(car.at("type"), "Car");
  EXPECT_EQ(car.at("frame_intervals"), Json::parse(R"([{"frame_start": 0, "frame_end": 2}])"));
  EXPECT_EQ(
      car.at("object_data").at("text"),
      Json::parse(R"([{"name": "colour", "val": "red"}, {"name": "parked", "val": "false"}])"));
  EXPECT_EQ(ol.at("objects").at("5").at("resource_uid").at("0"), "5e3c8a7b");
  EXPECT_EQ(
      ol.at("objects").at("5").at("frame_intervals"),
      Json::parse(R"([{"frame_start": 1, "frame_end": 1}, {"frame_start": 3, "frame_end": 3}])"));

  // Quaternion form x, y, z, qx, qy, qz, qw, l, w, h in the box's own frame of reference.
  const Json& cuboid = ol.at("frames").at("0").at("objects").at("0").at("object_data").at("cuboid");
  ASSERT_EQ(cuboid.size(), 1u);
  const Eigen::Quaterniond q = geometry::quaternion_from_yaw(-0.05);
  EXPECT_EQ(cuboid[0].at("val"),
            Json::array({10.0, -2.5, -0.8, q.x(), q.y(), q.z(), q.w(), 4.2, 1.8, 1.5}));
  EXPECT_EQ(cuboid[0].at("coordinate_system"), "lidar");
  EXPECT_EQ(cuboid[0].at("attributes").at("text"),
            Json::parse(R"([{"name": "provenance", "val": "manual"}])"));
  EXPECT_EQ(cuboid[0].at("attributes").at("boolean"),
            Json::parse(R"([{"name": "keyframe", "val": true}])"));
  EXPECT_EQ(ol.at("frames").at("0").at("objects").at("0").at("object_data").at("text"),
            Json::parse(R"([{"name": "occlusion", "val": "partly"}])"));
  EXPECT_EQ(ol.at("frames")
                .at("1")
                .at("objects")
                .at("5")
                .at("object_data")
                .at("cuboid")[0]
                .at("coordinate_system"),
            "world");
  const Json& poly = ol.at("frames").at("2").at("objects").at("43").at("object_data").at("poly3d");
  EXPECT_EQ(poly[0].at("closed"), true);
  EXPECT_EQ(poly[0].at("val").size(), 9u);

  // Frame properties: seconds, name, and the pose as a row-major matrix (X_world = M X_lidar).
  for (int i = 0; i < 4; ++i) {
    const Json& props = ol.at("frames").at(std::to_string(i)).at("frame_properties");
    EXPECT_EQ(props.at("timestamp"), seq.frames[i].timestamp_us / 1e6);
    EXPECT_EQ(props.at("name"), seq.frames[i].name);
    const Json& t = props.at("transforms").at("lidar_to_world");
    EXPECT_EQ(t.at("src"), "lidar");
    EXPECT_EQ(t.at("dst"), "world");
    const Json& m = t.at("transform_src_to_dst").at("matrix4x4");
    const Eigen::Matrix4d expected = seq.frames[i].T_world_lidar->matrix();
    ASSERT_EQ(m.size(), 16u);
    for (int k = 0; k < 16; ++k) EXPECT_EQ(m[k].get<double>(), expected(k / 4, k % 4)) << k;
  }
  EXPECT_EQ(ol.at("frames").at("1").at("frame_properties").at("attributes"),
            Json::parse(R"({"text": [{"name": "weather", "val": "rain"}]})"));

  // Without a sequence there are no poses to write.
  const Json bare = Json::parse(must_serialize(synthetic_annotations(seq)));
  EXPECT_FALSE(
      bare.at("openlabel").at("frames").at("0").at("frame_properties").contains("transforms"));
}

TEST(OpenlabelWrite, ExtremeDoublesKeepTheirBits) {
  std::mt19937_64 rng(7);
  const double special[] = {-0.0,
                            5e-324,
                            2.2250738585072009e-308,
                            1e300,
                            -1e-300,
                            0.1,
                            1.0 / 3.0,
                            9007199254740993.0,
                            0.30000000000000004};
  Annotations a;
  Track t{1, "Car", {}, "", {}};
  for (int f = 0; f < 40; ++f) {
    BoxState s;
    s.frame = f;
    const auto any = [&] {
      if (rng() % 3 == 0) return special[rng() % 9];
      double d = 0.0;
      do {
        const std::uint64_t u = rng();
        std::memcpy(&d, &u, sizeof d);
      } while (!std::isfinite(d));
      return d;
    };
    s.box.center = {any(), any(), any()};
    s.box.size = {std::fabs(any()) + 5e-324, 1e-300, 1e300};
    std::normal_distribution<double> n;
    s.box.rotation = Eigen::Quaterniond(n(rng), n(rng), n(rng), n(rng)).normalized();
    s.score = any();
    s.kitti = KittiCameraFields{any(), -1, any(), {any(), any(), any(), any()}};
    t.boxes.push_back(s);
  }
  a.tracks.push_back(t);
  a.frames.resize(40);
  a.frames[3].timestamp_us = 0;
  a.frames[4].timestamp_us = 4503599627370495;  // 2^52 - 1 us
  a.frames[5].timestamp_us = -1532402927647951;
  const Annotations back = must_parse(must_serialize(a));
  expect_same(a, back, 0.0);
}

// ---------------------------------------------------------------------------------------------
// OpenLABEL -> pcanno -> OpenLABEL

/// Written the way other tools write OpenLABEL: a vehicle frame between world and LiDAR, the
/// LiDAR mounted by a static matrix, per-frame odometry as a quaternion, Euler-form cuboids, a
/// UUID object, attributes of every kind, a timestamp that is a date.
const char* const kForeignFile = R"({
  "openlabel": {
    "metadata": {"schema_version": "1.0.0", "name": "handmade", "annotator": "someone"},
    "coordinate_systems": {
      "odom": {"type": "scene_cs", "parent": "", "children": ["vehicle-iso8855"]},
      "vehicle-iso8855": {"type": "local_cs", "parent": "odom", "children": ["velodyne"]},
      "velodyne": {"type": "sensor_cs", "parent": "vehicle-iso8855", "children": [],
                   "pose_wrt_parent": {"matrix4x4": [0, -1, 0, 1.5, 1, 0, 0, 0.25, 0, 0, 1, 1.75,
                                                     0, 0, 0, 1]}},
      "camera": {"type": "sensor_cs", "parent": "vehicle-iso8855",
                 "pose_wrt_parent": {"euler_angles": [-1.5707963267948966, 0, -1.5707963267948966],
                                     "translation": [2.0, 0.0, 1.5]}}
    },
    "streams": {"velodyne": {"type": "lidar"}, "camera": {"type": "camera"}},
    "objects": {
      "0": {"name": "car0", "type": "Car", "frame_intervals": [{"frame_start": 0, "frame_end": 2}],
            "object_data": {"text": [{"name": "colour", "val": "blue"}],
                            "num": [{"name": "doors", "val": 4}, {"name": "length", "val": 4.25}],
                            "boolean": [{"name": "parked", "val": false}],
                            "vec": [{"name": "ignored", "val": [1, 2]}]}},
      "3": {"name": "ped", "type": "Pedestrian", "coordinate_system": "velodyne"},
      "5d1c9a0e-8f43-4e59-9a43-0c5f2c1e8b11": {"name": "lane", "type": "LaneLine"}
    },
    "frames": {
      "0": {
        "frame_properties": {
          "timestamp": 1600000000.25, "name": "000000",
          "transforms": {"vehicle_to_odom": {"src": "vehicle-iso8855", "dst": "odom",
            "transform_src_to_dst": {"quaternion": [0, 0, 0.19866933079506122, 0.9800665778412416],
                                     "translation": [10, 5, 0]}}}
        },
        "objects": {
          "0": {"object_data": {
            "cuboid": [{"name": "box", "val": [10, 1, 0.5, 0, 0, 0.3, 4.2, 1.8, 1.5],
                        "coordinate_system": "vehicle-iso8855",
                        "attributes": {"num": [{"name": "score", "val": 0.75},
                                               {"name": "lidar_points", "val": 312}]}}],
            "text": [{"name": "occlusion", "val": "none"}]}},
          "3": {"object_data": {"cuboid": [{"name": "box",
                                            "val": [5, -2, 0.1, 0.01, -0.02, 1.2, 0.6, 0.7, 1.8]}]}},
          "5d1c9a0e-8f43-4e59-9a43-0c5f2c1e8b11": {"object_data": {"poly3d": [
            {"name": "lane", "val": [0, 0, 0, 10, 0.5, 0, 20, 1, 0], "closed": false,
             "coordinate_system": "odom"}]}}
        }
      },
      "2": {
        "frame_properties": {"timestamp": "2020-09-13T12:26:40Z"},
        "objects": {
          "0": {"object_data": {"cuboid": [{"name": "box", "coordinate_system": "odom",
            "val": [30, 4, 0.6, 0, 0, 0.3826834323650898, 0.9238795325112867, 4.2, 1.8, 1.5]}]}},
          "3": {"object_data": {"cuboid": [{"name": "box", "coordinate_system": "camera",
            "val": [0.5, 0.25, 8, 0, 0, 0, 1, 0.6, 0.7, 1.8],
            "attributes": {"text": [{"name": "provenance", "val": "manual"}],
                           "boolean": [{"name": "keyframe", "val": false}]}}]}}
        }
      }
    },
    "frame_intervals": [{"frame_start": 0, "frame_end": 3}]
  }
})";

TEST(OpenlabelRead, ForeignFileLandsInLidarAndWorldFrames) {
  const Annotations a = must_parse(kForeignFile);
  EXPECT_EQ(a.sequence.name, "handmade");
  ASSERT_EQ(a.frames.size(), 4u);
  EXPECT_EQ(a.frames[0].name, "000000");
  EXPECT_EQ(a.frames[0].timestamp_us, 1600000000250000);
  EXPECT_EQ(a.frames[2].timestamp_us, -1);  // a date string is not kept

  // T_vehicle_velodyne is the static matrix; the box given in the vehicle frame goes to the LiDAR.
  Eigen::Matrix4d m;
  m << 0, -1, 0, 1.5, 1, 0, 0, 0.25, 0, 0, 1, 1.75, 0, 0, 0, 1;
  const geometry::Pose T_vehicle_lidar(m);
  const geometry::Pose T_lidar_vehicle = T_vehicle_lidar.inverse();
  const Track* car = a.track(0);
  ASSERT_NE(car, nullptr);
  EXPECT_EQ(car->label, "Car");
  EXPECT_EQ(
      car->attributes,
      (AttributeMap{{"colour", "blue"}, {"doors", "4"}, {"length", "4.25"}, {"parked", "false"}}));
  ASSERT_EQ(car->boxes.size(), 2u);
  const BoxState& b0 = car->boxes[0];
  EXPECT_EQ(b0.shape_frame, ShapeFrame::kLidar);
  expect_near(b0.box.center, T_lidar_vehicle * Eigen::Vector3d(10, 1, 0.5), 1e-12, "center");
  const Eigen::Quaterniond expected_rotation(T_lidar_vehicle.linear() *
                                             Eigen::AngleAxisd(0.3, Eigen::Vector3d::UnitZ()));
  EXPECT_NEAR(b0.box.rotation.angularDistance(expected_rotation), 0.0, 1e-12);
  expect_near(b0.box.size, Eigen::Vector3d(4.2, 1.8, 1.5), 0.0, "size");
  EXPECT_EQ(b0.score, 0.75);
  EXPECT_EQ(b0.provenance, Provenance::kImported);
  EXPECT_TRUE(b0.keyframe);
  EXPECT_EQ(b0.attributes, (AttributeMap{{"lidar_points", "312"}, {"occlusion", "none"}}));
  // In "odom", the world: kept as written.
  const BoxState& b2 = car->boxes[1];
  EXPECT_EQ(b2.frame, 2);
  EXPECT_EQ(b2.shape_frame, ShapeFrame::kWorld);
  expect_near(b2.box.center, Eigen::Vector3d(30, 4, 0.6), 0.0, "center");

  // Euler form: R = Rz(rz) Ry(ry) Rx(rx), in the object's coordinate system (the LiDAR).
  const Track* pedestrian = a.track(3);
  ASSERT_NE(pedestrian, nullptr);
  ASSERT_EQ(pedestrian->boxes.size(), 2u);
  const Eigen::Quaterniond zyx = geometry::quaternion_from_yaw_pitch_roll({1.2, -0.02, 0.01});
  EXPECT_EQ(pedestrian->boxes[0].shape_frame, ShapeFrame::kLidar);
  EXPECT_NEAR(pedestrian->boxes[0].box.rotation.angularDistance(zyx), 0.0, 1e-12);
  const Eigen::Vector3d tilted_x = pedestrian->boxes[0].box.rotation * Eigen::Vector3d::UnitX();
  EXPECT_NEAR(tilted_x.z(), std::sin(0.02), 1e-12);  // pitch -0.02 lifts the nose
  // Camera (x right, y down, z forward) 8 m ahead of a camera 2 m in front of the vehicle origin.
  const BoxState& in_camera = pedestrian->boxes[1];
  EXPECT_EQ(in_camera.shape_frame, ShapeFrame::kLidar);
  expect_near(in_camera.box.center, T_lidar_vehicle * Eigen::Vector3d(10.0, -0.5, 1.25), 1e-12,
              "camera box");
  EXPECT_EQ(in_camera.provenance, Provenance::kManual);
  EXPECT_FALSE(in_camera.keyframe);

  // The UUID object is a polyline in the world, with the next free id; the UUID is its source.
  ASSERT_EQ(a.polylines.size(), 1u);
  EXPECT_EQ(a.polylines[0].id, 4);
  EXPECT_EQ(a.polylines[0].label, "LaneLine");
  EXPECT_EQ(a.polylines[0].states[0].shape_frame, ShapeFrame::kWorld);
  EXPECT_EQ(a.polylines[0].states[0].line.vertices.size(), 3u);
  EXPECT_EQ(a.tracks.size(), 2u);  // the polyline object made no box track
}

TEST(OpenlabelRead, ForeignFileRoundTripIsStable) {
  const Annotations first = must_parse(kForeignFile);
  const std::string second_text = must_serialize(first);
  const Annotations second = must_parse(second_text);
  expect_same(first, second, 1e-12);
  const std::string third_text = must_serialize(second);
  EXPECT_SAME_TEXT(second_text, third_text);
  EXPECT_EQ(Json::parse(second_text), Json::parse(third_text));
}

TEST(OpenlabelRead, SequenceFillsFramesTheFileDoesNotDescribe) {
  const Sequence seq = posed_sequence();
  LabelContext context;
  context.sequence = &seq;
  const Annotations a = must_parse(kForeignFile, context);
  ASSERT_EQ(a.frames.size(), 4u);
  EXPECT_EQ(a.frames[0].name, "000000");  // the file's own
  EXPECT_EQ(a.frames[1].name, "scan_1");
  EXPECT_EQ(a.frames[2].timestamp_us, seq.frames[2].timestamp_us);
  EXPECT_EQ(a.sequence.name, "handmade");
}

// ---------------------------------------------------------------------------------------------
// KITTI tracking -> OpenLABEL -> pcanno

Sequence calibration_only_sequence(int s, int frames) {
  Sequence seq;
  seq.layout = "kitti-tracking";
  seq.name = sequence_name(s);
  seq.root = tracking_root();
  const fs::path calib_file = tracking_root() / "calib" / (seq.name + ".txt");
  Expected<KittiCalib> calib = read_kitti_calib(calib_file);
  EXPECT_TRUE(calib) << calib.error().describe();
  if (calib) seq.calibrations.push_back(Calibration{*calib, std::nullopt, calib_file});
  for (int i = 0; i < frames; ++i) {
    FrameRef frame;
    char name[16];
    std::snprintf(name, sizeof(name), "%06d", i);
    frame.name = name;
    frame.calibration = 0;
    seq.frames.push_back(frame);
  }
  return seq;
}

int label_frame_count(const fs::path& labels) {
  Expected<std::vector<KittiLabelRow>> rows = read_kitti_tracking_labels(labels);
  EXPECT_TRUE(rows);
  int max_frame = -1;
  if (rows) {
    for (const KittiLabelRow& row : *rows) max_frame = std::max(max_frame, row.frame);
  }
  return max_frame + 1;
}

Sequence open_tracking_0000() {
  SequenceOptions options;
  options.name = "0000";
  Expected<Sequence> seq = open_sequence(tracking_root(), options);
  EXPECT_TRUE(seq) << seq.error().describe();
  return seq ? std::move(seq).value() : Sequence{};
}

std::vector<std::string> object_rows(const std::string& text) {
  std::vector<std::string> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(" DontCare ") == std::string::npos) rows.push_back(line);
  }
  return rows;
}

TEST(OpenlabelKitti, All21TrackingSequencesRoundTrip) {
  PCANNO_REQUIRE_DATA(tracking_labels(20));
  test::TempDir dir;
  std::size_t boxes = 0;
  for (int s = 0; s <= 20; ++s) {
    const Sequence seq = s == 0
                             ? open_tracking_0000()
                             : calibration_only_sequence(s, label_frame_count(tracking_labels(s)));
    LabelContext context;
    context.sequence = &seq;
    Expected<Annotations> kitti = read_kitti_tracking_annotations(tracking_labels(s), context);
    ASSERT_TRUE(kitti) << kitti.error().describe();
    Expected<WriteReport> report = write_openlabel(*kitti, dir.path(), context);
    ASSERT_TRUE(report) << report.error().describe();
    const fs::path file = dir.path() / (sequence_name(s) + ".json");
    ASSERT_EQ(report->written, std::vector<fs::path>{file});
    EXPECT_EQ(report->boxes_written, kitti->box_count());
    std::size_t dropped = 0;
    for (const auto& [reason, count] : report->dropped) dropped += count;
    EXPECT_EQ(dropped, kitti->ignore_regions.size());

    Expected<Annotations> back = read_openlabel(file, context);
    ASSERT_TRUE(back) << back.error().describe();
    Annotations expected = *kitti;
    expected.ignore_regions.clear();
    expect_same(expected, *back, 1e-9);
    for (std::size_t t = 0; t < kitti->tracks.size(); ++t) {
      for (std::size_t b = 0; b < kitti->tracks[t].boxes.size(); ++b) {
        const geometry::Cuboid& x = kitti->tracks[t].boxes[b].box;
        const geometry::Cuboid& y = back->tracks[t].boxes[b].box;
        ASSERT_TRUE(x.center == y.center && x.size == y.size &&
                    x.rotation.coeffs() == y.rotation.coeffs())
            << sequence_name(s) << " track " << kitti->tracks[t].id << ": not bit for bit";
      }
    }
    boxes += back->box_count();

    // Back to KITTI: every object row as it was (DontCare rows have no OpenLABEL counterpart).
    const fs::path txt = dir.path() / ("kitti_" + sequence_name(s) + ".txt");
    ASSERT_TRUE(write_kitti_tracking_annotations(*back, txt, context));
    EXPECT_EQ(object_rows(slurp(txt)), object_rows(slurp(tracking_labels(s)))) << s;
  }
  EXPECT_GT(boxes, 30000u);
}

// ---------------------------------------------------------------------------------------------
// JSON Schema

/// One interpreter for all files: checks the schema itself, then prints 1 or 0 per file. Empty
/// when python3 or jsonschema fails.
std::vector<bool> schema_verdicts(const fs::path& dir, const std::vector<fs::path>& files) {
  const fs::path out = dir / "verdicts.txt";
  std::string command =
      "python3 -c \"import json,jsonschema,sys; s=json.load(open(sys.argv[1])); "
      "v=jsonschema.validators.validator_for(s); v.check_schema(s); "
      "[print(int(v(s).is_valid(json.load(open(p))))) for p in sys.argv[2:]]\" '" +
      schema_path().string() + "'";
  for (const fs::path& f : files) command += " '" + f.string() + "'";
  command += " > '" + out.string() + "'";
  if (std::system(command.c_str()) != 0) return {};
  std::vector<bool> verdicts;
  for (const char c : slurp(out)) {
    if (c == '0' || c == '1') verdicts.push_back(c == '1');
  }
  return verdicts;
}

/// Ends the test when python3-jsonschema is missing: FAIL under CI, a visible skip elsewhere.
#define PCANNO_REQUIRE_JSONSCHEMA()                                                        \
  do {                                                                                     \
    ASSERT_TRUE(fs::exists(schema_path())) << schema_path();                               \
    if (std::system("python3 -c \"import jsonschema\" >/dev/null 2>&1") != 0) {            \
      if (test::running_in_ci()) FAIL() << "python3 with jsonschema is required under CI"; \
      GTEST_SKIP() << "python3 or its jsonschema module is missing (Debian: "              \
                      "python3-jsonschema); schema validation not checked";                \
    }                                                                                      \
  } while (0)

/// jsonschema.validate(instance, schema) exactly: exit status 0 when `file` is valid.
int validate_with_python(const fs::path& file) {
  const std::string command =
      "python3 -c \"import json,jsonschema,sys; "
      "jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))\" '" +
      file.string() + "' '" + schema_path().string() + "' >/dev/null 2>&1";
  return std::system(command.c_str());
}

TEST(OpenlabelSchema, AcceptsKittiTracking0000AsWritten) {
  PCANNO_REQUIRE_DATA(tracking_labels(0));
  PCANNO_REQUIRE_JSONSCHEMA();
  const Sequence seq = open_tracking_0000();
  LabelContext context;
  context.sequence = &seq;
  Expected<Annotations> kitti = read_kitti_tracking_annotations(tracking_labels(0), context);
  ASSERT_TRUE(kitti) << kitti.error().describe();
  ASSERT_GT(kitti->box_count(), 50u);
  test::TempDir dir;
  const fs::path file = dir.write("0000.json", must_serialize(*kitti, context));
  EXPECT_EQ(validate_with_python(file), 0);
  // Not vacuous: the same file with one cuboid of 8 numbers fails.
  Json j = Json::parse(slurp(file));
  Json& val =
      j["openlabel"]["frames"]["0"]["objects"].begin().value()["object_data"]["cuboid"][0]["val"];
  val.erase(0);
  val.erase(0);
  EXPECT_NE(validate_with_python(dir.write("0000-broken.json", j.dump())), 0);
}

TEST(OpenlabelSchema, AcceptsWrittenFilesAndRejectsBrokenOnes) {
  PCANNO_REQUIRE_JSONSCHEMA();
  test::TempDir dir;
  const Sequence seq = posed_sequence();
  LabelContext posed;
  posed.sequence = &seq;
  const std::string synthetic = must_serialize(synthetic_annotations(seq), posed);
  const std::vector<fs::path> valid = {
      dir.write("synthetic.json", synthetic),
      dir.write("foreign.json", kForeignFile),
      dir.write("empty.json", must_serialize(Annotations{})),
  };
  EXPECT_EQ(validate_with_python(valid[0]), 0);

  const auto ptr = [](const char* p) { return Json::json_pointer(p); };
  const char* const cuboid = "/openlabel/frames/1/objects/0/object_data/cuboid/0";
  struct Broken {
    const char* what;
    std::function<void(Json&)> mutate;
    bool reader_refuses;  ///< the reader is lenient where the standard's rules do not matter
  };
  const std::vector<Broken> broken = {
      {"cuboid val of 8 numbers",
       [&](Json& j) {
         j[ptr(cuboid)]["val"].erase(j[ptr(cuboid)]["val"].size() - 1);
         j[ptr(cuboid)]["val"].erase(0);
       },
       true},
      {"cuboid val of 11 numbers", [&](Json& j) { j[ptr(cuboid)]["val"].push_back(1.0); }, true},
      {"cuboid val holds a string", [&](Json& j) { j[ptr(cuboid)]["val"][3] = "0.1"; }, true},
      {"cuboid without val", [&](Json& j) { j[ptr(cuboid)].erase("val"); }, true},
      {"no schema_version", [&](Json& j) { j[ptr("/openlabel/metadata")].erase("schema_version"); },
       true},
      {"schema_version 2", [&](Json& j) { j[ptr("/openlabel/metadata/schema_version")] = "2.0.0"; },
       true},
      {"no metadata", [&](Json& j) { j["openlabel"].erase("metadata"); }, true},
      {"object without type", [&](Json& j) { j[ptr("/openlabel/objects/0")].erase("type"); }, true},
      {"frame key not a number",
       [&](Json& j) { j[ptr("/openlabel/frames")]["one"] = j[ptr("/openlabel/frames/1")]; }, true},
      {"matrix of 15",
       [&](Json& j) {
         j[ptr("/openlabel/frames/1/frame_properties/transforms/lidar_to_world/"
               "transform_src_to_dst/matrix4x4")]
             .erase(15);
       },
       true},
      {"transform without src",
       [&](Json& j) {
         j[ptr("/openlabel/frames/1/frame_properties/transforms/lidar_to_world")].erase("src");
       },
       true},
      {"text val a number",
       [&](Json& j) { j[ptr("/openlabel/objects/0/object_data/text/0/val")] = 3; }, true},
      {"boolean val a string",
       [&](Json& j) { j[ptr(cuboid)]["attributes"]["boolean"][0]["val"] = "true"; }, true},
      {"frame interval without end",
       [&](Json& j) { j[ptr("/openlabel/frame_intervals/0")].erase("frame_end"); }, true},
      {"poly3d without closed",
       [&](Json& j) {
         j[ptr("/openlabel/frames/2/objects/43/object_data/poly3d/0")].erase("closed");
       },
       false},
      {"unknown member in an object",
       [&](Json& j) { j[ptr("/openlabel/objects/0")]["colour"] = 1; }, false},
  };
  std::vector<fs::path> invalid;
  for (std::size_t i = 0; i < broken.size(); ++i) {
    Json j = Json::parse(synthetic);
    broken[i].mutate(j);
    const Expected<Annotations> read = parse_openlabel(j.dump(), "broken.json");
    EXPECT_EQ(!read, broken[i].reader_refuses) << broken[i].what;
    invalid.push_back(dir.write("broken" + std::to_string(i) + ".json", j.dump(2)));
  }
  std::vector<fs::path> all = valid;
  all.insert(all.end(), invalid.begin(), invalid.end());
  const std::vector<bool> verdicts = schema_verdicts(dir.path(), all);
  ASSERT_EQ(verdicts.size(), all.size()) << "python3 -c ... failed; is the schema itself valid?";
  for (std::size_t i = 0; i < valid.size(); ++i) {
    EXPECT_TRUE(verdicts[i]) << valid[i].filename() << " fails the schema";
  }
  for (std::size_t i = 0; i < broken.size(); ++i) {
    EXPECT_FALSE(verdicts[valid.size() + i]) << broken[i].what << ": the schema accepts it";
  }
}

// ---------------------------------------------------------------------------------------------
// Errors

/// A small valid file; the error tests break one thing each.
Json small_file() {
  return Json::parse(R"({"openlabel": {
    "metadata": {"schema_version": "1.0.0"},
    "coordinate_systems": {"world": {"type": "scene_cs", "parent": ""},
                           "lidar": {"type": "sensor_cs", "parent": "world"}},
    "objects": {"7": {"name": "car", "type": "Car"}},
    "frames": {"3": {"objects": {"7": {"object_data": {"cuboid": [
      {"name": "shape3D", "coordinate_system": "lidar",
       "val": [1, 2, 3, 0, 0, 0, 1, 4, 2, 1.5]}]}}}}}}})");
}

Error parse_error(const Json& j) {
  const Expected<Annotations> a = parse_openlabel(j.dump(), "bad.json");
  EXPECT_FALSE(a) << j.dump();
  return a ? Error{} : a.error();
}

TEST(OpenlabelErrors, NameTheJsonPointer) {
  ASSERT_TRUE(parse_openlabel(small_file().dump(), "ok.json"));
  const auto ptr = [](const char* p) { return Json::json_pointer(p); };
  const char* const val = "/openlabel/frames/3/objects/7/object_data/cuboid/0/val";
  struct Case {
    const char* what;
    std::function<void(Json&)> mutate;
    ErrorCode code;
    std::string message;  ///< the start of Error::message
  };
  const std::vector<Case> cases = {
      {"missing openlabel",
       [](Json& j) {
         j = Json{{"OpenLabel", j["openlabel"]}};
       },
       ErrorCode::kMalformed, "/openlabel: required member is missing: not an OpenLABEL file"},
      {"cuboid of 8",
       [&](Json& j) {
         j[ptr(val)] = Json::array({1, 2, 3, 0, 0, 0, 4, 2});
       },
       ErrorCode::kMalformed,
       std::string(val) +
           ": expected 10 numbers (quaternion form) or 9 (Euler form), found 8 numbers"},
      {"non-numeric value", [&](Json& j) { j[ptr(val)][4] = "zero"; }, ErrorCode::kMalformed,
       std::string(val) + "/4: expected a finite number, found \"zero\""},
      {"unknown coordinate system",
       [&](Json& j) {
         j[ptr("/openlabel/frames/3/objects/7/object_data/cuboid/0/coordinate_system")] = "cam9";
       },
       ErrorCode::kMalformed,
       "/openlabel/frames/3/objects/7/object_data/cuboid/0/coordinate_system: unknown coordinate "
       "system 'cam9' (declared: lidar, world)"},
      {"zero size", [&](Json& j) { j[ptr(val)][8] = 0; }, ErrorCode::kMalformed,
       std::string(val) + "/8: expected a positive size, found 0"},
      {"zero quaternion", [&](Json& j) { j[ptr(val)][6] = 0; }, ErrorCode::kMalformed,
       std::string(val) + ": expected a rotation quaternion"},
      {"schema version missing",
       [&](Json& j) { j[ptr("/openlabel/metadata")].erase("schema_version"); },
       ErrorCode::kMalformed, "/openlabel/metadata/schema_version: required member is missing"},
      {"schema version 2", [&](Json& j) { j[ptr("/openlabel/metadata/schema_version")] = "2.0"; },
       ErrorCode::kUnsupported, "/openlabel/metadata/schema_version: OpenLABEL schema version"},
      {"undeclared object",
       [&](Json& j) { j[ptr("/openlabel/frames/3/objects")]["8"] = Json::object(); },
       ErrorCode::kMalformed,
       "/openlabel/frames/3/objects/8: object \"8\" is not declared in /openlabel/objects"},
      {"frame key", [&](Json& j) { j[ptr("/openlabel/frames")]["3a"] = Json::object(); },
       ErrorCode::kMalformed, "/openlabel/frames/3a: expected a frame number"},
      {"frame twice", [&](Json& j) { j[ptr("/openlabel/frames")]["03"] = Json::object(); },
       ErrorCode::kMalformed, "/openlabel/frames/3: frame 3 is given twice"},
      {"frame too far", [&](Json& j) { j[ptr("/openlabel/frames")]["5000000"] = Json::object(); },
       ErrorCode::kUnsupported, "/openlabel/frames/5000000: frame 5000000 is beyond"},
      {"two cuboids",
       [&](Json& j) {
         auto& list = j[ptr("/openlabel/frames/3/objects/7/object_data/cuboid")];
         list.push_back(list[0]);
       },
       ErrorCode::kUnsupported,
       "/openlabel/frames/3/objects/7/object_data/cuboid: 2 cuboids; pcanno keeps one box"},
      {"parent unknown",
       [&](Json& j) { j[ptr("/openlabel/coordinate_systems/lidar/parent")] = "vehicle"; },
       ErrorCode::kMalformed,
       "/openlabel/coordinate_systems/lidar/parent: unknown coordinate system 'vehicle'"},
      {"not linked",
       [&](Json& j) {
         j[ptr("/openlabel/coordinate_systems")]["camera"] =
             Json{{"type", "sensor_cs"}, {"parent", ""}};
         j[ptr("/openlabel/frames/3/objects/7/object_data/cuboid/0/coordinate_system")] = "camera";
       },
       ErrorCode::kUnsupported,
       "/openlabel/frames/3/objects/7/object_data/cuboid/0/coordinate_system: coordinate system "
       "'camera' has no pose"},
      {"not rigid",
       [&](Json& j) {
         j[ptr("/openlabel/coordinate_systems/lidar")]["pose_wrt_parent"] =
             Json{{"matrix4x4", {2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}}};
       },
       ErrorCode::kMalformed,
       "/openlabel/coordinate_systems/lidar/pose_wrt_parent/matrix4x4: expected a rigid transform"},
      {"transform to nowhere",
       [&](Json& j) {
         j[ptr("/openlabel/frames/3")]["frame_properties"] = Json::parse(
             R"({"transforms": {"t": {"src": "lidar", "dst": "map",
                 "transform_src_to_dst": {"matrix4x4": []}}}})");
       },
       ErrorCode::kMalformed,
       "/openlabel/frames/3/frame_properties/transforms/t/dst: unknown coordinate system 'map'"},
      {"type empty", [&](Json& j) { j[ptr("/openlabel/objects/7/type")] = ""; },
       ErrorCode::kMalformed, "/openlabel/objects/7/type: expected a non-empty string, found \"\""},
      {"static cuboid",
       [&](Json& j) {
         j[ptr("/openlabel/objects/7")]["object_data"] =
             Json::parse(R"({"cuboid": [{"name": "c", "val": [0, 0, 0, 0, 0, 0, 1, 1, 1]}]})");
       },
       ErrorCode::kUnsupported, "/openlabel/objects/7/object_data/cuboid: a static cuboid"},
      {"root an array", [](Json& j) { j = Json::array({j}); }, ErrorCode::kMalformed,
       "/: expected an object (an OpenLABEL file), found an array of 1"},
  };
  for (const Case& c : cases) {
    Json j = small_file();
    c.mutate(j);
    const Error e = parse_error(j);
    EXPECT_EQ(e.code, c.code) << c.what << ": " << e.describe();
    EXPECT_EQ(e.message.substr(0, c.message.size()), c.message) << c.what;
    EXPECT_EQ(e.path, "bad.json") << c.what;
  }
}

TEST(OpenlabelErrors, InvalidJsonHasLineAndOffset) {
  const std::string text =
      "{\"openlabel\": {\n  \"metadata\": {\"schema_version\": \"1.0.0\"},\n"
      "  \"frames\": {,}\n}}\n";
  const Expected<Annotations> bad = parse_openlabel(text, "bad.json");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(bad.error().line, 3);
  EXPECT_EQ(bad.error().offset, static_cast<std::int64_t>(text.find(",}")));
  EXPECT_NE(bad.error().describe().find("bad.json:3: byte "), std::string::npos)
      << bad.error().describe();

  const Expected<Annotations> cut = parse_openlabel(text.substr(0, 30), "cut.json");
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().code, ErrorCode::kTruncated);
  EXPECT_GE(cut.error().offset, 0);
  EXPECT_EQ(cut.error().line, 2);

  const Expected<Annotations> binary = parse_openlabel(std::string("\x00\xff{", 3), "b.json");
  ASSERT_FALSE(binary);
  EXPECT_EQ(binary.error().offset, 0);
}

TEST(OpenlabelErrors, DamagedBytesNeverCrash) {
  const Sequence seq = posed_sequence();
  LabelContext context;
  context.sequence = &seq;
  const std::string text = must_serialize(synthetic_annotations(seq), context);
  std::mt19937_64 rng(3);
  static const char kNasty[] = {'\0', '"', '\\', ',', ':', '[', ']', '{',    '}',
                                '-',  'e', '0',  '9', 't', 'n', ' ', '\xff', '\xc3'};
  int accepted = 0;
  for (int i = 0; i < 600; ++i) {
    std::string damaged = text;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      damaged[rng() % damaged.size()] =
          rng() % 2 ? kNasty[rng() % sizeof(kNasty)] : static_cast<char>(rng());
    }
    const Expected<Annotations> parsed = parse_openlabel(damaged, "damaged.json", context);
    if (!parsed) {
      EXPECT_FALSE(parsed.error().message.empty());
      continue;
    }
    ++accepted;
    // Whatever is accepted can be written and read again.
    const Expected<std::string> again = serialize_openlabel(*parsed, context);
    if (again) {
      EXPECT_TRUE(parse_openlabel(*again, "again.json", context)) << i;
    } else {
      EXPECT_EQ(again.error().code, ErrorCode::kMalformed) << again.error().describe();
    }
  }
  EXPECT_GT(accepted, 0);
  for (std::size_t cut = 0; cut + 1 < text.size(); cut += 1 + rng() % 97) {
    const Expected<Annotations> parsed = parse_openlabel(text.substr(0, cut), "cut.json");
    ASSERT_FALSE(parsed) << "accepted a file cut at byte " << cut;
    EXPECT_EQ(parsed.error().code, ErrorCode::kTruncated) << parsed.error().describe();
  }
}

TEST(OpenlabelErrors, WriterRefusesToOverwriteAndLeavesNoPartialFile) {
  const Sequence seq = posed_sequence();
  const Annotations a = synthetic_annotations(seq);
  test::TempDir dir;
  const fs::path file = dir.path() / "out.json";
  dir.write("out.json", "mine\n");
  Expected<WriteReport> refused = write_openlabel(a, file);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermission);
  EXPECT_NE(refused.error().describe().find("--force"), std::string::npos);
  EXPECT_EQ(slurp(file), "mine\n");

  LabelContext context;
  context.overwrite = true;
  Expected<WriteReport> replaced = write_openlabel(a, file, context);
  ASSERT_TRUE(replaced) << replaced.error().describe();
  EXPECT_SAME_TEXT(slurp(file), must_serialize(a));

  // A directory gets <sequence name>.json; content the reader would refuse writes nothing.
  Annotations broken = a;
  broken.tracks[0].boxes[1].box.size.y() = std::numeric_limits<double>::quiet_NaN();
  Expected<WriteReport> refused_content = write_openlabel(broken, dir.path());
  ASSERT_FALSE(refused_content);
  EXPECT_EQ(refused_content.error().code, ErrorCode::kMalformed);
  EXPECT_NE(refused_content.error().message.find("track 0, frame 1"), std::string::npos)
      << refused_content.error().describe();
  EXPECT_EQ(refused_content.error().path, (dir.path() / "synthetic.json").string());
  broken = a;
  broken.tracks[1].boxes.push_back(broken.tracks[1].boxes[0]);
  Expected<WriteReport> twice = write_openlabel(broken, dir.path());
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("track 5 has two states in frame 1"), std::string::npos)
      << twice.error().describe();
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{"out.json"});  // no temporary file, no partial one

  // Cancelling leaves nothing either.
  context.progress = [](double) { return false; };
  Expected<WriteReport> cancelled = write_openlabel(a, dir.path() / "c.json", context);
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().code, ErrorCode::kCancelled);
  EXPECT_FALSE(fs::exists(dir.path() / "c.json"));
}

// ---------------------------------------------------------------------------------------------
// Registry

TEST(OpenlabelCodec, DetectsOnlyOpenlabelFilesAndIsRegistered) {
  const LabelCodec codec = make_openlabel_codec();
  EXPECT_EQ(codec.id, "openlabel");
  test::TempDir dir;
  const fs::path ours =
      dir.write("a.json", must_serialize(synthetic_annotations(posed_sequence())));
  EXPECT_TRUE(codec.detect(ours));
  EXPECT_TRUE(
      codec.detect(dir.write("b.JSON", std::string("\xEF\xBB\xBF  {\n \"openlabel\" : {}}"))));
  EXPECT_FALSE(codec.detect(dir.write("c.txt", "{\"openlabel\": {}}")));
  EXPECT_FALSE(codec.detect(dir.write("d.json", "{\"format\": \"pcanno\", \"openlabel\": {}}")));
  EXPECT_FALSE(codec.detect(dir.write("e.json", serialize_pcanno_document(Annotations{}))));
  EXPECT_FALSE(codec.detect(dir.path()));
  EXPECT_FALSE(codec.detect(dir.path() / "missing.json"));
  EXPECT_FALSE(make_pcanno_codec().detect(ours));

  const LabelCodecRegistry& registry = default_label_codecs();
  ASSERT_NE(registry.find("openlabel"), nullptr);
  Expected<const LabelCodec*> selected = registry.select(ours);
  ASSERT_TRUE(selected) << selected.error().describe();
  EXPECT_EQ((*selected)->id, "openlabel");
  Expected<Annotations> read = (*selected)->read(ours, LabelContext{});
  ASSERT_TRUE(read) << read.error().describe();
  EXPECT_EQ(read->box_count(), 5u);
  const Expected<Annotations> folder = read_openlabel(dir.path());
  ASSERT_FALSE(folder);
  EXPECT_EQ(folder.error().code, ErrorCode::kUnknownFormat);
  const Expected<Annotations> missing = read_openlabel(dir.path() / "missing.json");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace pcanno::formats
