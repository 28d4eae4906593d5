#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "files.hpp"
#include "json_schema.hpp"
#include "kitti_fixtures.hpp"
#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "pcanno/formats/labels/kitti/label.hpp"
#include "pcanno/formats/labels/openlabel/codec.hpp"
#include "pcanno/geometry/pose.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

// Shared by the OpenLABEL codec tests in this folder: content to write, comparisons, and the test
// helpers they use.
namespace pcanno::formats::openlabel_test {

using Json = nlohmann::json;
using test::calibration_only_sequence;
using test::kitti_sequence_name;
using test::kitti_tracking_labels;
using test::label_frame_count;
using test::open_tracking_0000;
using test::shared_data_dir;
using test::slurp;
using test::validate_with_python;

namespace fs = std::filesystem;

inline fs::path repo_root() { return fs::path(PCANNO_SAMPLE_DATA_DIR).parent_path(); }
inline fs::path schema_path() { return repo_root() / "tests/data/openlabel-1.0.schema.json"; }

/// Four frames with names, timestamps and LiDAR poses that turn and climb.
inline Sequence posed_sequence() {
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
inline Annotations synthetic_annotations(const Sequence& seq) {
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

inline bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof(double)) == 0; }

inline void expect_near(const Eigen::Vector3d& a, const Eigen::Vector3d& b, double tol,
                        const std::string& what) {
  for (int i = 0; i < 3; ++i) {
    if (tol == 0.0) {
      EXPECT_TRUE(same_bits(a[i], b[i])) << what << "[" << i << "]: " << a[i] << " vs " << b[i];
    } else {
      EXPECT_NEAR(a[i], b[i], tol) << what << "[" << i << "]";
    }
  }
}

/// Same content, ids included; geometry within `tol` (0: the same bits).
inline void expect_same(const Annotations& a, const Annotations& b, double tol) {
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
    const std::string what = "polyline " + std::to_string(x.id);
    EXPECT_EQ(x.id, y.id) << what;
    EXPECT_EQ(x.label, y.label) << what;
    EXPECT_EQ(x.attributes, y.attributes) << what;
    ASSERT_EQ(x.states.size(), y.states.size()) << what;
    for (std::size_t k = 0; k < x.states.size(); ++k) {
      const PolylineState& p = x.states[k];
      const PolylineState& q = y.states[k];
      const std::string at = what + " frame " + std::to_string(p.frame);
      EXPECT_EQ(p.frame, q.frame) << at;
      EXPECT_EQ(p.shape_frame, q.shape_frame) << at;
      EXPECT_EQ(p.line.closed, q.line.closed) << at;
      EXPECT_EQ(p.provenance, q.provenance) << at;
      EXPECT_EQ(p.keyframe, q.keyframe) << at;
      EXPECT_EQ(p.attributes, q.attributes) << at;
      ASSERT_EQ(p.line.vertices.size(), q.line.vertices.size()) << at;
      for (std::size_t v = 0; v < p.line.vertices.size(); ++v) {
        expect_near(p.line.vertices[v], q.line.vertices[v], tol, at + " vertex");
      }
    }
  }
}

/// Where two texts part, for a readable failure instead of two whole files.
inline std::string first_difference(const std::string& a, const std::string& b) {
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

inline std::string must_serialize(const Annotations& a, const LabelContext& context = {}) {
  Expected<std::string> text = serialize_openlabel(a, context);
  EXPECT_TRUE(text) << text.error().describe();
  return text ? *text : std::string();
}

inline Annotations must_parse(const std::string& text, const LabelContext& context = {}) {
  Expected<Annotations> a = parse_openlabel(text, "test.json", context);
  EXPECT_TRUE(a) << a.error().describe();
  return a ? std::move(a).value() : Annotations{};
}

/// Written the way other tools write OpenLABEL: a vehicle frame between world and LiDAR, the
/// LiDAR mounted by a static matrix, per-frame odometry as a quaternion, Euler-form cuboids, a
/// UUID object, attributes of every kind, a timestamp that is a date.
inline const char* const kForeignFile = R"({
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

}  // namespace pcanno::formats::openlabel_test
