#pragma once
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "files.hpp"
#include "json_schema.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/geometry/pose.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

// Shared by the native document tests in this folder: content to write, comparisons, and the
// test helpers they use.
namespace pcanno::formats::document_test {

namespace fs = std::filesystem;

using Json = nlohmann::json;

inline bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof(double)) == 0; }

inline std::string bits(double d) {
  std::uint64_t u = 0;
  std::memcpy(&u, &d, sizeof u);
  char text[64];
  std::snprintf(text, sizeof text, "%.17g (0x%016llx)", d, static_cast<unsigned long long>(u));
  return text;
}

#define EXPECT_SAME_BITS(a, b) EXPECT_TRUE(same_bits((a), (b))) << bits(a) << " vs " << bits(b)

/// Doubles that stress a text round trip: arbitrary bit patterns, subnormals, extremes, -0.
class DoubleSource {
 public:
  explicit DoubleSource(std::uint64_t seed) : rng_(seed) {}

  double any() {
    switch (rng_() % 6) {
      case 0: {
        double d = 0.0;
        do {
          const std::uint64_t u = rng_();
          std::memcpy(&d, &u, sizeof d);
        } while (!std::isfinite(d));
        return d;
      }
      case 1:
        return kSpecial[rng_() % (sizeof(kSpecial) / sizeof(kSpecial[0]))];
      case 2:
        return std::uniform_real_distribution<double>(-1e-3, 1e-3)(rng_);
      default:
        return std::uniform_real_distribution<double>(-150.0, 150.0)(rng_);
    }
  }
  double positive() {
    for (;;) {
      const double d = std::fabs(any());
      if (d > 0.0) return d;
    }
  }
  double metres() { return std::uniform_real_distribution<double>(-80.0, 80.0)(rng_); }
  Eigen::Vector3d vector() { return {any(), any(), any()}; }
  /// A unit quaternion in general position (tilted), as coefficients rounded by the normalisation.
  Eigen::Quaterniond rotation() {
    std::normal_distribution<double> n;
    Eigen::Quaterniond q(n(rng_), n(rng_), n(rng_), n(rng_));
    q.normalize();
    return q;
  }
  std::mt19937_64& rng() { return rng_; }

 private:
  static constexpr double kSpecial[] = {0.0,
                                        -0.0,
                                        0.1,
                                        1.0 / 3.0,
                                        5e-324,
                                        2.2250738585072009e-308,
                                        std::numeric_limits<double>::max(),
                                        -std::numeric_limits<double>::max(),
                                        std::numeric_limits<double>::min(),
                                        9007199254740993.0,
                                        1e21,
                                        123456789012345678.0,
                                        0.30000000000000004};
  std::mt19937_64 rng_;
};

inline constexpr Provenance kAllProvenances[] = {Provenance::kManual,   Provenance::kInterpolated,
                                                 Provenance::kTracked,  Provenance::kFitted,
                                                 Provenance::kImported, Provenance::kModel};

inline Annotations rich_annotations(std::uint64_t seed) {
  DoubleSource source(seed);
  auto& rng = source.rng();
  Annotations a;
  a.sequence = {"kitti-tracking", "../datasets/kitti \"tracking\"", "0003"};
  a.attributes = {{"source_format", "kitti-tracking"}, {"tool", "pcanno \\ test"}};

  ClassSpec car;
  car.name = "Car";
  car.color = {255, 0, 17};
  car.default_size = {4.2, 1.75, 1.55};
  {
    // One attribute of each type, both scopes, every optional member used somewhere.
    AttributeSpec occlusion;
    occlusion.name = "occlusion";
    occlusion.type = AttributeType::kEnum;
    occlusion.values = {"none", "partly", "largely"};
    occlusion.default_value = "none";
    occlusion.mandatory = true;
    occlusion.scope = AttributeScope::kFrame;
    AttributeSpec parked;
    parked.name = "parked";
    parked.type = AttributeType::kBool;
    AttributeSpec visibility;
    visibility.name = "visibility";
    visibility.type = AttributeType::kNumber;
    visibility.min = 0.0;
    visibility.max = 0.1 + 0.2;  // its shortest text is long: kept bit for bit
    visibility.scope = AttributeScope::kFrame;
    AttributeSpec note;
    note.name = "note \"free\"";
    note.default_value = "n/a";
    car.attributes = {occlusion, parked, visibility, note};
  }
  // Limits whose shortest decimal text is long: the round trip must keep every bit.
  car.motion = {MotionKind::kVehicle, {33.3 + 1e-13, 0.1 + 0.2, 4.9e-324}, false};
  ClassSpec pedestrian;
  pedestrian.name = "Fußgänger";
  pedestrian.color = {0, 128, 255};
  pedestrian.default_size = {0.8, 0.6, 1.8};
  pedestrian.upright = false;
  ClassSpec lane;
  lane.name = "lane/solid~white";
  lane.color = {250, 250, 250};
  lane.default_size = {1.0, 0.15, 0.01};
  lane.motion = default_motion_profile(MotionKind::kStatic);
  a.classes = {car, pedestrian, lane};
  AttributeSpec weather;
  weather.name = "weather";
  weather.type = AttributeType::kEnum;
  weather.values = {"sun", "rain"};
  weather.mandatory = true;
  AttributeSpec night;
  night.name = "night";
  night.type = AttributeType::kBool;
  night.default_value = "false";
  a.scene_tags = {night};
  a.frame_tags = {weather};
  a.attributes["night"] = "false";

  for (int f = 0; f < 12; ++f) {
    FrameInfo frame;
    frame.name = "0000" + std::to_string(10 + f);
    frame.timestamp_us = f == 3 ? -1 : 1317384000000000 + f * 103741;
    if (f % 4 == 0) frame.attributes = {{"weather", "rain"}, {"light", "dusk\nwith \"quotes\""}};
    if (f % 2 == 0) frame.source_token = "token-" + std::to_string(f);
    a.frames.push_back(frame);
  }

  int provenance = 0;
  for (const std::int64_t id : {0LL, 3LL, 7LL, 42LL, 1000000000000LL}) {
    Track track;
    track.id = id;
    track.label = id == 3 ? "Fußgänger" : "Car";
    if (id != 7) track.attributes = {{"parked", id == 0 ? "true" : "false"}};
    if (id == 42) track.source_id = "a9b7c6d5e4f3";
    track.free_tilt = id == 7;
    for (std::int64_t f = 0; f < 12; f += 1 + static_cast<std::int64_t>(rng() % 3)) {
      BoxState s;
      s.frame = f;
      s.box.center =
          rng() % 2 ? source.vector() : Eigen::Vector3d(source.metres(), source.metres(), -1.7);
      s.box.size = {source.positive(), source.positive(), source.positive()};
      s.box.rotation =
          rng() % 3 == 0 ? geometry::quaternion_from_yaw(source.metres()) : source.rotation();
      s.shape_frame = rng() % 2 ? ShapeFrame::kWorld : ShapeFrame::kLidar;
      s.provenance = kAllProvenances[provenance++ % 6];
      s.keyframe = rng() % 2 == 0;
      if (s.provenance == Provenance::kModel) s.score = source.any();
      if (f % 3 == 0) s.attributes = {{"occlusion", f % 2 ? "partly" : "none"}};
      if (rng() % 2) {
        s.kitti = KittiCameraFields{source.any(),
                                    static_cast<int>(rng() % 4) - 1,
                                    source.any(),
                                    {source.any(), source.any(), source.any(), source.any()}};
      }
      if (rng() % 2) {
        s.nuscenes =
            NuscenesFields{"ann-" + std::to_string(rng()), rng() % 2 ? "4" : "",
                           static_cast<int>(rng() % 5000) - 1, static_cast<int>(rng() % 20) - 1};
      }
      track.boxes.push_back(s);
    }
    a.tracks.push_back(track);
  }
  // A track with no box is legal (created, not yet drawn).
  a.tracks.push_back(Track{2000000000000, "Car", {}, "", {}});

  for (const std::int64_t id : {1, 5}) {
    PolylineTrack line;
    line.id = id;
    line.label = "lane/solid~white";
    if (id == 5) line.attributes = {{"colour", "white"}};
    for (const std::int64_t f : {0, 4, 11}) {
      PolylineState s;
      s.frame = f;
      s.line.closed = f == 4;
      const int n = f == 11 ? 1 : 2 + static_cast<int>(rng() % 6);
      for (int v = 0; v < n; ++v) s.line.vertices.push_back(source.vector());
      s.shape_frame = f == 0 ? ShapeFrame::kLidar : ShapeFrame::kWorld;
      s.provenance = kAllProvenances[provenance++ % 6];
      s.keyframe = f != 4;
      if (f == 11) s.attributes = {{"worn", "yes"}};
      line.states.push_back(s);
    }
    a.polylines.push_back(line);
  }
  a.ignore_regions = {{0, {503.89, 169.71, 590.61, 190.13}, "DontCare"},
                      {5, {source.any(), source.any(), source.any(), source.any()}, "DontCare"},
                      {5, {1.0, 2.0, 3.0, 4.0}, "Ignore"}};
  a.normalize();
  return a;
}

inline void expect_same_vector(const Eigen::Vector3d& a, const Eigen::Vector3d& b) {
  for (int i = 0; i < 3; ++i) EXPECT_SAME_BITS(a[i], b[i]);
}

inline void expect_same(const Annotations& a, const Annotations& b) {
  EXPECT_EQ(a.sequence.layout, b.sequence.layout);
  EXPECT_EQ(a.sequence.path, b.sequence.path);
  EXPECT_EQ(a.sequence.name, b.sequence.name);
  EXPECT_EQ(a.attributes, b.attributes);
  EXPECT_EQ(a.scene_tags, b.scene_tags);
  EXPECT_EQ(a.frame_tags, b.frame_tags);
  ASSERT_EQ(a.classes.size(), b.classes.size());
  for (std::size_t i = 0; i < a.classes.size(); ++i) {
    EXPECT_EQ(a.classes[i].name, b.classes[i].name);
    EXPECT_EQ(a.classes[i].color, b.classes[i].color);
    expect_same_vector(a.classes[i].default_size, b.classes[i].default_size);
    EXPECT_EQ(a.classes[i].motion.kind, b.classes[i].motion.kind);
    EXPECT_SAME_BITS(a.classes[i].motion.limits.speed, b.classes[i].motion.limits.speed);
    EXPECT_SAME_BITS(a.classes[i].motion.limits.acceleration,
                     b.classes[i].motion.limits.acceleration);
    EXPECT_SAME_BITS(a.classes[i].motion.limits.yaw_rate, b.classes[i].motion.limits.yaw_rate);
    EXPECT_EQ(a.classes[i].motion.moves_along_heading, b.classes[i].motion.moves_along_heading);
    EXPECT_EQ(a.classes[i].attributes, b.classes[i].attributes);
    EXPECT_EQ(a.classes[i].upright, b.classes[i].upright);
  }
  ASSERT_EQ(a.frames.size(), b.frames.size());
  for (std::size_t i = 0; i < a.frames.size(); ++i) {
    EXPECT_EQ(a.frames[i].name, b.frames[i].name);
    EXPECT_EQ(a.frames[i].timestamp_us, b.frames[i].timestamp_us);
    EXPECT_EQ(a.frames[i].attributes, b.frames[i].attributes);
    EXPECT_EQ(a.frames[i].source_token, b.frames[i].source_token);
  }
  ASSERT_EQ(a.tracks.size(), b.tracks.size());
  for (std::size_t t = 0; t < a.tracks.size(); ++t) {
    const Track& ta = a.tracks[t];
    const Track& tb = b.tracks[t];
    SCOPED_TRACE("track " + std::to_string(ta.id));
    EXPECT_EQ(ta.id, tb.id);
    EXPECT_EQ(ta.label, tb.label);
    EXPECT_EQ(ta.attributes, tb.attributes);
    EXPECT_EQ(ta.source_id, tb.source_id);
    EXPECT_EQ(ta.free_tilt, tb.free_tilt);
    ASSERT_EQ(ta.boxes.size(), tb.boxes.size());
    for (std::size_t i = 0; i < ta.boxes.size(); ++i) {
      const BoxState& x = ta.boxes[i];
      const BoxState& y = tb.boxes[i];
      SCOPED_TRACE("frame " + std::to_string(x.frame));
      EXPECT_EQ(x.frame, y.frame);
      expect_same_vector(x.box.center, y.box.center);
      expect_same_vector(x.box.size, y.box.size);
      for (int c = 0; c < 4; ++c)
        EXPECT_SAME_BITS(x.box.rotation.coeffs()[c], y.box.rotation.coeffs()[c]);
      EXPECT_EQ(x.shape_frame, y.shape_frame);
      EXPECT_EQ(x.provenance, y.provenance);
      EXPECT_EQ(x.keyframe, y.keyframe);
      ASSERT_EQ(x.score.has_value(), y.score.has_value());
      if (x.score) {
        EXPECT_SAME_BITS(*x.score, *y.score);
      }
      EXPECT_EQ(x.attributes, y.attributes);
      ASSERT_EQ(x.kitti.has_value(), y.kitti.has_value());
      if (x.kitti) {
        EXPECT_SAME_BITS(x.kitti->truncated, y.kitti->truncated);
        EXPECT_EQ(x.kitti->occluded, y.kitti->occluded);
        EXPECT_SAME_BITS(x.kitti->alpha, y.kitti->alpha);
        for (int c = 0; c < 4; ++c) EXPECT_SAME_BITS(x.kitti->bbox[c], y.kitti->bbox[c]);
      }
      ASSERT_EQ(x.nuscenes.has_value(), y.nuscenes.has_value());
      if (x.nuscenes) {
        EXPECT_EQ(x.nuscenes->annotation_token, y.nuscenes->annotation_token);
        EXPECT_EQ(x.nuscenes->visibility_token, y.nuscenes->visibility_token);
        EXPECT_EQ(x.nuscenes->num_lidar_pts, y.nuscenes->num_lidar_pts);
        EXPECT_EQ(x.nuscenes->num_radar_pts, y.nuscenes->num_radar_pts);
      }
    }
  }
  ASSERT_EQ(a.polylines.size(), b.polylines.size());
  for (std::size_t p = 0; p < a.polylines.size(); ++p) {
    const PolylineTrack& pa = a.polylines[p];
    const PolylineTrack& pb = b.polylines[p];
    EXPECT_EQ(pa.id, pb.id);
    EXPECT_EQ(pa.label, pb.label);
    EXPECT_EQ(pa.attributes, pb.attributes);
    ASSERT_EQ(pa.states.size(), pb.states.size());
    for (std::size_t i = 0; i < pa.states.size(); ++i) {
      const PolylineState& x = pa.states[i];
      const PolylineState& y = pb.states[i];
      EXPECT_EQ(x.frame, y.frame);
      EXPECT_EQ(x.line.closed, y.line.closed);
      ASSERT_EQ(x.line.vertices.size(), y.line.vertices.size());
      for (std::size_t v = 0; v < x.line.vertices.size(); ++v) {
        expect_same_vector(x.line.vertices[v], y.line.vertices[v]);
      }
      EXPECT_EQ(x.shape_frame, y.shape_frame);
      EXPECT_EQ(x.provenance, y.provenance);
      EXPECT_EQ(x.keyframe, y.keyframe);
      EXPECT_EQ(x.attributes, y.attributes);
    }
  }
  ASSERT_EQ(a.ignore_regions.size(), b.ignore_regions.size());
  for (std::size_t i = 0; i < a.ignore_regions.size(); ++i) {
    EXPECT_EQ(a.ignore_regions[i].frame, b.ignore_regions[i].frame);
    EXPECT_EQ(a.ignore_regions[i].label, b.ignore_regions[i].label);
    for (int c = 0; c < 4; ++c) {
      EXPECT_SAME_BITS(a.ignore_regions[i].bbox[c], b.ignore_regions[i].bbox[c]);
    }
  }
}

/// Written by hand, so these tests do not depend on what the serializer produces.
inline constexpr const char* kSmallDocument = R"({
  "format": "pcanno",
  "version": 1,
  "sequence": {"layout": "kitti-tracking", "path": "data/kitti", "name": "0000"},
  "attributes": {"source_format": "kitti-tracking"},
  "classes": [
    {"name": "Car", "color": [255, 0, 0], "default_size": [4.0, 1.8, 1.6],
     "attributes": {"occlusion": ["none", "partly"]}},
    {"name": "Lane", "color": [0, 0, 255], "default_size": [1, 1, 1]}
  ],
  "frames": [
    {"name": "000000", "timestamp_us": 0, "attributes": {"weather": "sun"}},
    {"name": "000001", "timestamp_us": 103741, "source_token": "s1"}
  ],
  "tracks": [
    {"id": 7, "label": "Car", "attributes": {"occlusion": "none"}, "source_id": "inst-7",
     "boxes": [
       {"frame": 1, "frame_of_reference": "world", "center": [10.5, -2.25, 0.875],
        "size": [4.2, 1.8, 1.5], "rotation_wxyz": [0.5, 0.5, 0.5, 0.5], "provenance": "tracked",
        "keyframe": false, "score": 0.25, "attributes": {"occlusion": "partly"}},
       {"frame": 0, "frame_of_reference": "lidar", "center": [1, 2, 3], "size": [4, 2, 1.5],
        "rotation_wxyz": [1, 0, 0, 0], "provenance": "manual", "keyframe": true,
        "kitti": {"truncated": 0.5, "occluded": 2, "alpha": -1.5, "bbox": [1, 2, 3, 4]},
        "nuscenes": {"annotation_token": "a1", "visibility_token": "4", "num_lidar_pts": 10,
                     "num_radar_pts": -1}}
     ]},
    {"id": 2, "label": "Car", "boxes": [
       {"frame": 0, "frame_of_reference": "lidar", "center": [5, 5, 0], "size": [4, 2, 1.5],
        "rotation_wxyz": [1, 0, 0, 0], "provenance": "model", "keyframe": false}
     ]}
  ],
  "polylines": [
    {"id": 1, "label": "Lane", "states": [
       {"frame": 0, "frame_of_reference": "world", "closed": true,
        "vertices": [[0, 0, 0], [1, 0, 0], [1, 1, 0]], "provenance": "manual", "keyframe": true}
     ]}
  ],
  "ignore_regions": [{"frame": 1, "bbox": [10, 20, 30, 40], "label": "DontCare"}]
}
)";

inline Json small_document() { return Json::parse(kSmallDocument); }

inline Expected<Annotations> parse_json(const Json& j) {
  return parse_pcanno_document(j.dump(), "doc.json");
}

}  // namespace pcanno::formats::document_test
