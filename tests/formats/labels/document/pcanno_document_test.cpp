#include "pcanno/formats/labels/document/document.hpp"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pcanno/geometry/pose.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Building and comparing content

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof(double)) == 0; }

std::string bits(double d) {
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

constexpr Provenance kAllProvenances[] = {Provenance::kManual,   Provenance::kInterpolated,
                                          Provenance::kTracked,  Provenance::kFitted,
                                          Provenance::kImported, Provenance::kModel};

Annotations rich_annotations(std::uint64_t seed) {
  DoubleSource source(seed);
  auto& rng = source.rng();
  Annotations a;
  a.sequence = {"kitti-tracking", "../datasets/kitti \"tracking\"", "0003"};
  a.attributes = {{"source_format", "kitti-tracking"}, {"tool", "pcanno \\ test"}};

  ClassSpec car;
  car.name = "Car";
  car.color = {255, 0, 17};
  car.default_size = {4.2, 1.75, 1.55};
  car.attributes = {{"occlusion", {"none", "partly", "largely"}}, {"parked", {}}};
  // Limits whose shortest decimal text is long: the round trip must keep every bit.
  car.motion = {MotionKind::kVehicle, {33.3 + 1e-13, 0.1 + 0.2, 4.9e-324}, false};
  ClassSpec pedestrian;
  pedestrian.name = "Fußgänger";
  pedestrian.color = {0, 128, 255};
  pedestrian.default_size = {0.8, 0.6, 1.8};
  ClassSpec lane;
  lane.name = "lane/solid~white";
  lane.color = {250, 250, 250};
  lane.default_size = {1.0, 0.15, 0.01};
  lane.motion = default_motion_profile(MotionKind::kStatic);
  a.classes = {car, pedestrian, lane};

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

void expect_same_vector(const Eigen::Vector3d& a, const Eigen::Vector3d& b) {
  for (int i = 0; i < 3; ++i) EXPECT_SAME_BITS(a[i], b[i]);
}

void expect_same(const Annotations& a, const Annotations& b) {
  EXPECT_EQ(a.sequence.layout, b.sequence.layout);
  EXPECT_EQ(a.sequence.path, b.sequence.path);
  EXPECT_EQ(a.sequence.name, b.sequence.name);
  EXPECT_EQ(a.attributes, b.attributes);
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

// ---------------------------------------------------------------------------------------------
// Round trips

TEST(PcannoDocument, RoundTripIsBitExactAndIdempotent) {
  for (std::uint64_t seed : {1u, 2u, 3u, 20240611u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const Annotations original = rich_annotations(seed);
    const std::string text = serialize_pcanno_document(original);
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    const Expected<Annotations> parsed = parse_pcanno_document(text, "rich.json");
    ASSERT_TRUE(parsed) << parsed.error().describe();
    expect_same(original, *parsed);
    EXPECT_EQ(serialize_pcanno_document(*parsed), text);
  }
}

TEST(PcannoDocument, RandomDoublesSurviveBitForBit) {
  DoubleSource source(77);
  Annotations a;
  PolylineTrack line{1, "points", {}, {}};
  PolylineState state;
  for (int i = 0; i < 20000; ++i) state.line.vertices.push_back(source.vector());
  state.line.vertices.push_back({5e-324, -5e-324, -0.0});
  state.line.vertices.push_back({std::numeric_limits<double>::max(),
                                 std::numeric_limits<double>::lowest(), std::nextafter(1.0, 2.0)});
  line.states.push_back(state);
  a.polylines.push_back(line);
  a.ensure_class("points");
  const std::string text = serialize_pcanno_document(a);
  const Expected<Annotations> parsed = parse_pcanno_document(text, "doubles.json");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  const auto& original = a.polylines[0].states[0].line.vertices;
  const auto& back = parsed->polylines.at(0).states.at(0).line.vertices;
  ASSERT_EQ(back.size(), original.size());
  std::size_t differing = 0;
  for (std::size_t i = 0; i < original.size(); ++i) {
    for (int c = 0; c < 3; ++c) differing += !same_bits(original[i][c], back[i][c]);
  }
  EXPECT_EQ(differing, 0u);
  // An independent parser reads the same numbers from the text.
  const Json j = Json::parse(text);
  const Json& vertices = j.at("polylines").at(0).at("states").at(0).at("vertices");
  for (std::size_t i = 0; i < original.size(); i += 97) {
    for (int c = 0; c < 3; ++c) {
      EXPECT_SAME_BITS(vertices.at(i).at(static_cast<std::size_t>(c)).get<double>(),
                       original[i][c]);
    }
  }
}

TEST(PcannoDocument, TextIsVersionedWithStableMemberOrder) {
  const Annotations a = rich_annotations(5);
  const std::string text = serialize_pcanno_document(a);
  const Json j = Json::parse(text);
  EXPECT_EQ(j.at("format"), "pcanno");
  EXPECT_EQ(j.at("version"), 1);
  EXPECT_EQ(text.rfind("{\n  \"format\": \"pcanno\",\n  \"version\": 1,", 0), 0u)
      << text.substr(0, 80);
  const std::size_t tracks = text.find("\"tracks\"");
  EXPECT_LT(text.find("\"classes\""), text.find("\"frames\""));
  EXPECT_LT(text.find("\"frames\""), tracks);
  EXPECT_LT(tracks, text.find("\"polylines\""));
  // Optional members are left out when empty; the rotation is written as stored.
  const Json& box = j.at("tracks").at(0).at("boxes").at(0);
  const Eigen::Quaterniond& q = a.tracks[0].boxes[0].box.rotation;
  EXPECT_SAME_BITS(box.at("rotation_wxyz").at(0).get<double>(), q.w());
  EXPECT_SAME_BITS(box.at("rotation_wxyz").at(3).get<double>(), q.z());
  EXPECT_EQ(box.contains("score"), a.tracks[0].boxes[0].score.has_value());
  EXPECT_FALSE(j.at("tracks").back().contains("attributes"));
  EXPECT_FALSE(j.at("frames").at(3).contains("timestamp_us"));
  EXPECT_FALSE(serialize_pcanno_document(Annotations{}).find("polylines") != std::string::npos);
}

TEST(PcannoDocument, EmptyAnnotationsRoundTrip) {
  const std::string text = serialize_pcanno_document(Annotations{});
  const Expected<Annotations> parsed = parse_pcanno_document(text, "empty.json");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  expect_same(Annotations{}, *parsed);
}

// ---------------------------------------------------------------------------------------------
// Files and the codec

std::size_t entries(const fs::path& dir) {
  return static_cast<std::size_t>(
      std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

TEST(PcannoDocument, WriteAndReadFile) {
  test::TempDir dir;
  const fs::path file = dir.path() / "labels.pcanno.json";
  const Annotations a = rich_annotations(11);
  ASSERT_TRUE(write_pcanno_document(a, file, false));
  const Expected<Annotations> back = read_pcanno_document(file);
  ASSERT_TRUE(back) << back.error().describe();
  expect_same(a, *back);

  const std::string before = test::slurp(file);
  Annotations changed = a;
  changed.tracks[0].label = "Fußgänger";
  const Status refused = write_pcanno_document(changed, file, false);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermission);
  EXPECT_EQ(test::slurp(file), before);
  ASSERT_TRUE(write_pcanno_document(changed, file, true));
  EXPECT_EQ(read_pcanno_document(file)->tracks[0].label, "Fußgänger");
  EXPECT_EQ(entries(dir.path()), 1u);  // no temporary left behind

  EXPECT_EQ(read_pcanno_document(dir.path() / "missing.json").error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(read_pcanno_document(dir.path()));
  const Expected<Annotations> bad = read_pcanno_document(dir.write("bad.json", "{\"format\": 1}"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().path, (dir.path() / "bad.json").string());
}

TEST(PcannoDocument, WriterRefusesContentThatWouldNotLoad) {
  test::TempDir dir;
  const fs::path file = dir.path() / "doc.json";
  struct Case {
    const char* what;
    std::function<void(Annotations&)> damage;
    const char* pointer;
  };
  const Case cases[] = {
      {"NaN centre", [](Annotations& a) { a.tracks[0].boxes[0].box.center.y() = std::nan(""); },
       "/tracks/0/boxes/0/center/1"},
      {"zero size", [](Annotations& a) { a.tracks[1].boxes[0].box.size.z() = 0.0; },
       "/tracks/1/boxes/0/size/2"},
      {"infinite score",
       [](Annotations& a) { a.tracks[0].boxes[0].score = std::numeric_limits<double>::infinity(); },
       "/tracks/0/boxes/0/score"},
      {"zero quaternion",
       [](Annotations& a) { a.tracks[0].boxes[0].box.rotation.coeffs().setZero(); },
       "/tracks/0/boxes/0/rotation_wxyz"},
      {"two boxes in one frame",
       [](Annotations& a) { a.tracks[0].boxes.push_back(a.tracks[0].boxes[0]); },
       "/tracks/0/boxes/" /* the repeated one */},
      {"frame out of range", [](Annotations& a) { a.tracks[0].boxes.back().frame = 99; },
       "/frame: frame 99 is out of range"},
      {"invalid UTF-8", [](Annotations& a) { a.tracks[2].attributes["bad\xff"] = "x"; },
       "/tracks/2/attributes/bad\\xff"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Annotations a = rich_annotations(4);
    c.damage(a);
    const Status status = write_pcanno_document(a, file, true);
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().code, ErrorCode::kMalformed);
    EXPECT_NE(status.error().message.find(c.pointer), std::string::npos)
        << status.error().describe();
    EXPECT_NE(status.error().message.find("not written"), std::string::npos);
    EXPECT_FALSE(fs::exists(file));
    EXPECT_EQ(entries(dir.path()), 0u);
  }
  // serialize_pcanno_document cannot fail: invalid text is replaced rather than thrown.
  Annotations a = rich_annotations(4);
  a.sequence.name = "scene\xc3";
  const std::string text = serialize_pcanno_document(a);
  const Expected<Annotations> parsed = parse_pcanno_document(text, "replaced.json");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ(parsed->sequence.name, "scene\xef\xbf\xbd");
}

TEST(PcannoDocument, CodecDetectsReadsAndWrites) {
  test::TempDir dir;
  const LabelCodec codec = make_pcanno_codec();
  EXPECT_EQ(codec.id, "pcanno");
  ASSERT_TRUE(codec.detect && codec.read && codec.write);
  const Annotations a = rich_annotations(8);

  const fs::path out = dir.path() / "scene.pcanno.json";
  const Expected<WriteReport> report = codec.write(a, out, LabelContext{});
  ASSERT_TRUE(report) << report.error().describe();
  ASSERT_EQ(report->written.size(), 1u);
  EXPECT_EQ(report->written[0], out);
  EXPECT_EQ(report->boxes_written, a.box_count());
  EXPECT_GT(report->boxes_written, 10u);
  EXPECT_TRUE(codec.detect(out));
  const Expected<Annotations> back = codec.read(out, LabelContext{});
  ASSERT_TRUE(back) << back.error().describe();
  expect_same(a, *back);

  EXPECT_EQ(codec.write(a, out, LabelContext{}).error().code, ErrorCode::kPermission);
  LabelContext overwrite;
  overwrite.overwrite = true;
  EXPECT_TRUE(codec.write(a, out, overwrite));

  LabelContext cancel;
  cancel.progress = [](double) { return false; };
  const fs::path cancelled = dir.path() / "cancelled.json";
  EXPECT_EQ(codec.write(a, cancelled, cancel).error().code, ErrorCode::kCancelled);
  EXPECT_FALSE(fs::exists(cancelled));

  EXPECT_TRUE(codec.detect(dir.write("spaced.json", "{\n\t\"format\" :\n \"pcanno\" }")));
  EXPECT_FALSE(codec.detect(dir.write("openlabel.json",
                                      "{\"openlabel\": {\"metadata\": "
                                      "{\"format\": \"openlabel\", "
                                      "\"tool\": \"pcanno\"}}}")));
  EXPECT_FALSE(codec.detect(dir.write("labels.txt", "{\"format\": \"pcanno\"}")));
  EXPECT_FALSE(codec.detect(dir.path() / "absent.json"));
  fs::create_directory(dir.path() / "folder.json");
  EXPECT_FALSE(codec.detect(dir.path() / "folder.json"));
}

// ---------------------------------------------------------------------------------------------
// Loading: what is accepted, what is refused, and where the error points

/// Written by hand, so these tests do not depend on what the serializer produces.
constexpr const char* kSmallDocument = R"({
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

Json small_document() { return Json::parse(kSmallDocument); }

Expected<Annotations> parse_json(const Json& j) {
  return parse_pcanno_document(j.dump(), "doc.json");
}

TEST(PcannoDocument, ReadsAHandWrittenDocument) {
  const Expected<Annotations> parsed = parse_pcanno_document(kSmallDocument, "doc.json");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  const Annotations& a = *parsed;
  EXPECT_EQ(a.sequence.layout, "kitti-tracking");
  EXPECT_EQ(a.sequence.path, "data/kitti");
  EXPECT_EQ(a.attributes.at("source_format"), "kitti-tracking");
  ASSERT_EQ(a.classes.size(), 2u);
  EXPECT_EQ(a.classes[0].color, (std::array<std::uint8_t, 3>{255, 0, 0}));
  EXPECT_EQ(a.classes[0].attributes.at("occlusion"), (std::vector<std::string>{"none", "partly"}));
  EXPECT_EQ(a.classes[1].default_size, Eigen::Vector3d(1, 1, 1));
  ASSERT_EQ(a.frames.size(), 2u);
  EXPECT_EQ(a.frames[1].timestamp_us, 103741);
  EXPECT_EQ(a.frames[1].source_token, "s1");
  EXPECT_EQ(a.frames[0].attributes.at("weather"), "sun");
  // Sorted on load: tracks by id, boxes by frame.
  ASSERT_EQ(a.tracks.size(), 2u);
  EXPECT_EQ(a.tracks[0].id, 2);
  const Track& t = a.tracks[1];
  EXPECT_EQ(t.id, 7);
  EXPECT_EQ(t.source_id, "inst-7");
  ASSERT_EQ(t.boxes.size(), 2u);
  EXPECT_EQ(t.boxes[0].frame, 0);
  const BoxState& b = t.boxes[1];
  EXPECT_EQ(b.shape_frame, ShapeFrame::kWorld);
  EXPECT_EQ(b.provenance, Provenance::kTracked);
  EXPECT_FALSE(b.keyframe);
  EXPECT_EQ(b.score, 0.25);
  EXPECT_EQ(b.box.center, Eigen::Vector3d(10.5, -2.25, 0.875));
  EXPECT_EQ(b.box.size, Eigen::Vector3d(4.2, 1.8, 1.5));
  EXPECT_EQ(b.box.rotation.w(), 0.5);
  EXPECT_EQ(b.box.rotation.x(), 0.5);
  EXPECT_EQ(b.attributes.at("occlusion"), "partly");
  EXPECT_FALSE(b.kitti);
  ASSERT_TRUE(t.boxes[0].kitti);
  EXPECT_EQ(t.boxes[0].kitti->occluded, 2);
  EXPECT_EQ(t.boxes[0].kitti->bbox[3], 4.0);
  ASSERT_TRUE(t.boxes[0].nuscenes);
  EXPECT_EQ(t.boxes[0].nuscenes->num_lidar_pts, 10);
  EXPECT_EQ(t.boxes[0].nuscenes->num_radar_pts, -1);
  ASSERT_EQ(a.polylines.size(), 1u);
  EXPECT_TRUE(a.polylines[0].states[0].line.closed);
  EXPECT_EQ(a.polylines[0].states[0].line.vertices.size(), 3u);
  ASSERT_EQ(a.ignore_regions.size(), 1u);
  EXPECT_EQ(a.ignore_regions[0].bbox[2], 30.0);
}

TEST(PcannoDocument, ValidationErrorsNameTheJsonPointer) {
  struct Case {
    const char* what;
    std::function<void(Json&)> damage;
    ErrorCode code;
    std::string expected_in_message;
  };
  const auto ptr = [](const char* p) { return Json::json_pointer(p); };
  const std::vector<Case> cases = {
      {"root is an array", [](Json& j) { j = Json::array({1}); }, ErrorCode::kMalformed,
       "/: expected an object"},
      {"format missing", [](Json& j) { j.erase("format"); }, ErrorCode::kMalformed, "/format"},
      {"format wrong", [](Json& j) { j["format"] = "openlabel"; }, ErrorCode::kMalformed,
       "/format: expected \"pcanno\", found \"openlabel\""},
      {"version newer", [](Json& j) { j["version"] = 2; }, ErrorCode::kUnsupported,
       "version 2 is newer"},
      {"version newer, content changed too",
       [](Json& j) {
         j["version"] = 3;
         j["tracks"] = "moved elsewhere";
       },
       ErrorCode::kUnsupported, "version 3"},
      {"version missing", [](Json& j) { j.erase("version"); }, ErrorCode::kMalformed,
       "/version: required member is missing"},
      {"version a string", [](Json& j) { j["version"] = "1"; }, ErrorCode::kMalformed, "/version"},
      {"version zero", [](Json& j) { j["version"] = 0; }, ErrorCode::kMalformed, "/version"},
      {"tracks not an array", [](Json& j) { j["tracks"] = Json::object(); }, ErrorCode::kMalformed,
       "/tracks: expected an array, found an object"},
      {"negative size", [&](Json& j) { j[ptr("/tracks/0/boxes/0/size/1")] = -2; },
       ErrorCode::kMalformed, "/tracks/0/boxes/0/size/1: expected a positive number, found -2"},
      {"zero size", [&](Json& j) { j[ptr("/tracks/1/boxes/0/size/0")] = 0.0; },
       ErrorCode::kMalformed, "/tracks/1/boxes/0/size/0: expected a positive number"},
      {"size of two",
       [&](Json& j) {
         j[ptr("/tracks/0/boxes/1/size")] = Json::array({1, 2});
       },
       ErrorCode::kMalformed, "/tracks/0/boxes/1/size: expected an array of 3 numbers"},
      {"centre not a number", [&](Json& j) { j[ptr("/tracks/0/boxes/0/center/2")] = "x"; },
       ErrorCode::kMalformed, "/tracks/0/boxes/0/center/2: expected a finite number, found \"x\""},
      {"centre null", [&](Json& j) { j[ptr("/tracks/0/boxes/0/center/0")] = nullptr; },
       ErrorCode::kMalformed, "/tracks/0/boxes/0/center/0"},
      {"centre missing", [&](Json& j) { j[ptr("/tracks/0/boxes/1")].erase("center"); },
       ErrorCode::kMalformed, "/tracks/0/boxes/1/center: required member is missing"},
      {"zero rotation",
       [&](Json& j) {
         j[ptr("/tracks/0/boxes/0/rotation_wxyz")] = Json::array({0, 0, 0, 0});
       },
       ErrorCode::kMalformed, "/tracks/0/boxes/0/rotation_wxyz"},
      {"rotation of three",
       [&](Json& j) {
         j[ptr("/tracks/0/boxes/0/rotation_wxyz")] = Json::array({1, 0, 0});
       },
       ErrorCode::kMalformed, "/tracks/0/boxes/0/rotation_wxyz: expected an array of 4"},
      {"unknown provenance", [&](Json& j) { j[ptr("/tracks/0/boxes/1/provenance")] = "guess"; },
       ErrorCode::kMalformed, "/tracks/0/boxes/1/provenance: expected one of manual"},
      {"unknown frame of reference",
       [&](Json& j) { j[ptr("/tracks/0/boxes/1/frame_of_reference")] = "camera"; },
       ErrorCode::kMalformed, "/tracks/0/boxes/1/frame_of_reference"},
      {"keyframe a string", [&](Json& j) { j[ptr("/tracks/0/boxes/1/keyframe")] = "yes"; },
       ErrorCode::kMalformed, "/tracks/0/boxes/1/keyframe: expected true or false"},
      {"frame out of range", [&](Json& j) { j[ptr("/tracks/1/boxes/0/frame")] = 2; },
       ErrorCode::kMalformed, "/tracks/1/boxes/0/frame: frame 2 is out of range"},
      {"negative frame", [&](Json& j) { j[ptr("/tracks/1/boxes/0/frame")] = -1; },
       ErrorCode::kMalformed, "/tracks/1/boxes/0/frame"},
      {"fractional frame", [&](Json& j) { j[ptr("/tracks/1/boxes/0/frame")] = 0.5; },
       ErrorCode::kMalformed, "/tracks/1/boxes/0/frame: expected an integer"},
      {"duplicate track id", [&](Json& j) { j[ptr("/tracks/1/id")] = 7; }, ErrorCode::kMalformed,
       "/tracks/1/id: track id 7 is used twice (also /tracks/0)"},
      {"track id a string", [&](Json& j) { j[ptr("/tracks/1/id")] = "7"; }, ErrorCode::kMalformed,
       "/tracks/1/id"},
      {"track id beyond int64",
       [&](Json& j) { j[ptr("/tracks/1/id")] = std::numeric_limits<std::uint64_t>::max(); },
       ErrorCode::kMalformed, "/tracks/1/id"},
      {"two boxes in one frame", [&](Json& j) { j[ptr("/tracks/0/boxes/1/frame")] = 1; },
       ErrorCode::kMalformed,
       "/tracks/0/boxes/1/frame: the track has a box in frame 1 already (/tracks/0/boxes/0)"},
      {"empty label", [&](Json& j) { j[ptr("/tracks/1/label")] = ""; }, ErrorCode::kMalformed,
       "/tracks/1/label"},
      {"boxes missing", [&](Json& j) { j[ptr("/tracks/1")].erase("boxes"); }, ErrorCode::kMalformed,
       "/tracks/1/boxes: required member is missing"},
      {"attribute not a string", [&](Json& j) { j[ptr("/tracks/0/attributes/occlusion")] = 3; },
       ErrorCode::kMalformed, "/tracks/0/attributes/occlusion: expected a string, found 3"},
      {"attribute key escaped", [&](Json& j) { j["attributes"]["a/b~c"] = false; },
       ErrorCode::kMalformed, "/attributes/a~1b~0c: expected a string, found false"},
      {"score not finite", [&](Json& j) { j[ptr("/tracks/0/boxes/0/score")] = "NaN"; },
       ErrorCode::kMalformed, "/tracks/0/boxes/0/score"},
      {"kitti alpha missing", [&](Json& j) { j[ptr("/tracks/0/boxes/1/kitti")].erase("alpha"); },
       ErrorCode::kMalformed, "/tracks/0/boxes/1/kitti/alpha: required member is missing"},
      {"kitti bbox short",
       [&](Json& j) { j[ptr("/tracks/0/boxes/1/kitti/bbox")] = Json::array({1}); },
       ErrorCode::kMalformed, "/tracks/0/boxes/1/kitti/bbox"},
      {"nuscenes point count",
       [&](Json& j) { j[ptr("/tracks/0/boxes/1/nuscenes/num_lidar_pts")] = -5; },
       ErrorCode::kMalformed, "/tracks/0/boxes/1/nuscenes/num_lidar_pts"},
      {"duplicate class", [&](Json& j) { j[ptr("/classes/1/name")] = "Car"; },
       ErrorCode::kMalformed, "/classes/1/name: class \"Car\" is defined twice (also /classes/0)"},
      {"colour out of range", [&](Json& j) { j[ptr("/classes/0/color/2")] = 256; },
       ErrorCode::kMalformed, "/classes/0/color/2"},
      {"default size negative", [&](Json& j) { j[ptr("/classes/1/default_size/0")] = -1; },
       ErrorCode::kMalformed, "/classes/1/default_size/0: expected a positive number"},
      {"motion profile unknown",
       [&](Json& j) {
         j[ptr("/classes/0/motion")] = Json{{"profile", "boat"}};
       },
       ErrorCode::kMalformed,
       "/classes/0/motion/profile: expected one of vehicle, pedestrian, cyclist, static, unknown, "
       "found \"boat\""},
      {"motion profile missing",
       [&](Json& j) {
         j[ptr("/classes/0/motion")] = Json{{"max_speed", 3}};
       },
       ErrorCode::kMalformed, "/classes/0/motion/profile: required member is missing"},
      {"motion limit zero",
       [&](Json& j) {
         j[ptr("/classes/0/motion")] = Json{{"profile", "vehicle"}, {"max_speed", 0}};
       },
       ErrorCode::kMalformed, "/classes/0/motion/max_speed: expected a positive number, found 0"},
      {"motion heading not boolean",
       [&](Json& j) {
         j[ptr("/classes/1/motion")] = Json{{"profile", "static"}, {"moves_along_heading", 1}};
       },
       ErrorCode::kMalformed, "/classes/1/motion/moves_along_heading: expected true or false"},
      {"allowed values not strings",
       [&](Json& j) { j[ptr("/classes/0/attributes/occlusion/1")] = 1; }, ErrorCode::kMalformed,
       "/classes/0/attributes/occlusion/1"},
      {"timestamp below -1", [&](Json& j) { j[ptr("/frames/0/timestamp_us")] = -2; },
       ErrorCode::kMalformed, "/frames/0/timestamp_us"},
      {"frame name a number", [&](Json& j) { j[ptr("/frames/1/name")] = 1; }, ErrorCode::kMalformed,
       "/frames/1/name"},
      {"sequence not an object", [&](Json& j) { j["sequence"] = "0000"; }, ErrorCode::kMalformed,
       "/sequence: expected an object"},
      {"vertex of two",
       [&](Json& j) {
         j[ptr("/polylines/0/states/0/vertices/1")] = Json::array({1, 2});
       },
       ErrorCode::kMalformed, "/polylines/0/states/0/vertices/1"},
      {"polyline closed missing", [&](Json& j) { j[ptr("/polylines/0/states/0")].erase("closed"); },
       ErrorCode::kMalformed, "/polylines/0/states/0/closed"},
      {"polyline frame out of range", [&](Json& j) { j[ptr("/polylines/0/states/0/frame")] = 9; },
       ErrorCode::kMalformed, "/polylines/0/states/0/frame: frame 9 is out of range"},
      {"polyline states in one frame",
       [&](Json& j) { j[ptr("/polylines/0/states")].push_back(j[ptr("/polylines/0/states/0")]); },
       ErrorCode::kMalformed, "/polylines/0/states/1/frame"},
      {"duplicate polyline id", [&](Json& j) { j["polylines"].push_back(j[ptr("/polylines/0")]); },
       ErrorCode::kMalformed, "/polylines/1/id: polyline id 1 is used twice"},
      {"ignore region bbox short",
       [&](Json& j) {
         j[ptr("/ignore_regions/0/bbox")] = Json::array({1, 2, 3});
       },
       ErrorCode::kMalformed, "/ignore_regions/0/bbox"},
      {"ignore region frame out of range", [&](Json& j) { j[ptr("/ignore_regions/0/frame")] = 2; },
       ErrorCode::kMalformed, "/ignore_regions/0/frame"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Json j = small_document();
    c.damage(j);
    const Expected<Annotations> parsed = parse_json(j);
    ASSERT_FALSE(parsed) << "accepted";
    EXPECT_EQ(parsed.error().code, c.code) << parsed.error().describe();
    EXPECT_EQ(parsed.error().path, "doc.json");
    EXPECT_NE(parsed.error().message.find(c.expected_in_message), std::string::npos)
        << parsed.error().describe();
  }
  Json j = small_document();
  j[ptr("/tracks/0/boxes/0/size/1")] = -2;
  EXPECT_EQ(parse_json(j).error().describe(),
            "doc.json: /tracks/0/boxes/0/size/1: expected a positive number, found -2");
}

TEST(PcannoDocument, DocumentedLeniencies) {
  {
    SCOPED_TRACE("a label missing from the classes adds the class");
    Json j = small_document();
    j["tracks"][1]["label"] = "Tram";
    j["polylines"][0]["label"] = "Curb";
    const Expected<Annotations> parsed = parse_json(j);
    ASSERT_TRUE(parsed) << parsed.error().describe();
    ASSERT_EQ(parsed->classes.size(), 4u);
    const ClassSpec* tram = parsed->class_spec("Tram");
    ASSERT_NE(tram, nullptr);
    // The default schema's tram: its size prior and vehicle motion, not a generic class.
    ASSERT_NE(default_class_spec("Tram"), nullptr);
    EXPECT_EQ(tram->default_size, default_class_spec("Tram")->default_size);
    EXPECT_NE(tram->default_size, ClassSpec{}.default_size);
    EXPECT_EQ(tram->motion, default_motion_profile(MotionKind::kVehicle));
    EXPECT_NE(parsed->class_spec("Curb"), nullptr);
    // The same colour an importer would give it.
    Annotations reference;
    EXPECT_EQ(tram->color, reference.ensure_class("Tram").color);
  }
  {
    SCOPED_TRACE("unknown members are ignored");
    Json j = small_document();
    j["comment"] = "made by hand";
    j["tracks"][0]["boxes"][0]["velocity"] = Json::array({1, 2, 3});
    j["classes"][0]["icon"] = "car.svg";
    const Expected<Annotations> parsed = parse_json(j);
    ASSERT_TRUE(parsed) << parsed.error().describe();
    EXPECT_EQ(parsed->box_count(), 3u);
  }
  {
    SCOPED_TRACE(
        "only format and version are required; class colour, size and motion are optional");
    const Expected<Annotations> parsed = parse_pcanno_document(
        R"({"version": 1, "format": "pcanno", "classes": [{"name": "Van"}]})", "min.json");
    ASSERT_TRUE(parsed) << parsed.error().describe();
    EXPECT_TRUE(parsed->tracks.empty());
    ASSERT_EQ(parsed->classes.size(), 1u);
    Annotations reference;
    EXPECT_EQ(parsed->classes[0].color, reference.ensure_class("Van").color);
    EXPECT_EQ(parsed->classes[0].default_size, reference.ensure_class("Van").default_size);
    EXPECT_EQ(parsed->classes[0].motion, reference.ensure_class("Van").motion);
  }
  {
    SCOPED_TRACE("without frames, any frame index >= 0 is accepted");
    Json j = small_document();
    j.erase("frames");
    j["tracks"][1]["boxes"][0]["frame"] = 123456;
    const Expected<Annotations> parsed = parse_json(j);
    ASSERT_TRUE(parsed) << parsed.error().describe();
    EXPECT_EQ(parsed->tracks[0].boxes[0].frame, 123456);
  }
  {
    SCOPED_TRACE("an integral float counts as an integer, as in JSON Schema");
    Json j = small_document();
    j["tracks"][1]["id"] = 3.0;
    const Expected<Annotations> parsed = parse_json(j);
    ASSERT_TRUE(parsed) << parsed.error().describe();
    EXPECT_EQ(parsed->tracks[0].id, 3);
  }
  {
    SCOPED_TRACE("a rotation off unit length by more than 1e-6 is normalised");
    Json j = small_document();
    j["tracks"][1]["boxes"][0]["rotation_wxyz"] = Json::array({1, 0, 0, 1});
    const Expected<Annotations> parsed = parse_json(j);
    ASSERT_TRUE(parsed) << parsed.error().describe();
    const Eigen::Quaterniond& q = parsed->tracks[0].boxes[0].box.rotation;
    EXPECT_NEAR(q.norm(), 1.0, 1e-15);
    EXPECT_NEAR(q.w(), std::sqrt(0.5), 1e-15);
    EXPECT_NEAR(q.z(), std::sqrt(0.5), 1e-15);
  }
  {
    SCOPED_TRACE("within 1e-6 of unit length the numbers are kept as written");
    const double w = 1.0 + 4e-7;
    Json j = small_document();
    j["tracks"][1]["boxes"][0]["rotation_wxyz"] = Json::array({w, 0.0, -0.0, 0.0});
    const Expected<Annotations> parsed = parse_json(j);
    ASSERT_TRUE(parsed) << parsed.error().describe();
    const Eigen::Quaterniond& q = parsed->tracks[0].boxes[0].box.rotation;
    EXPECT_SAME_BITS(q.w(), w);
    EXPECT_SAME_BITS(q.y(), -0.0);
  }
}

TEST(PcannoDocument, InvalidJsonReportsTheByteOffset) {
  const Expected<Annotations> bad =
      parse_pcanno_document("{\"format\": \"pcanno\", \"version\": 1, x}", "bad.json");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(bad.error().offset, 35);
  EXPECT_EQ(bad.error().message.find("[json.exception"), std::string::npos);

  const Expected<Annotations> cut = parse_pcanno_document("{\"format\": \"pcan", "cut.json");
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().code, ErrorCode::kTruncated);
  EXPECT_EQ(cut.error().offset, 16);

  EXPECT_EQ(parse_pcanno_document("", "empty.json").error().code, ErrorCode::kTruncated);
  const Expected<Annotations> huge = parse_pcanno_document(
      "{\"format\": \"pcanno\", \"version\": 1, \"attributes\": {\"x\": 1e999}}", "huge.json");
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code, ErrorCode::kMalformed);
  const Expected<Annotations> binary =
      parse_pcanno_document(std::string("{\"format\": \"\xff\xfe\0", 15), "binary.json");
  ASSERT_FALSE(binary);
  for (const char c : binary.error().message) {
    EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "unprintable byte in message";
  }
}

TEST(PcannoDocument, TruncatedOrDamagedDocumentsNeverCrash) {
  const std::string text = serialize_pcanno_document(rich_annotations(9));
  ASSERT_GT(text.size(), 2000u);
  std::mt19937 rng(5);
  std::size_t truncated = 0;
  // About 1000 cuts spread over the whole text, at irregular steps so every token kind is hit.
  const std::size_t max_step = 2 * text.size() / 1000 + 1;
  for (std::size_t cut = 0; cut + 1 < text.size(); cut += 1 + rng() % max_step) {
    const Expected<Annotations> parsed = parse_pcanno_document(text.substr(0, cut), "cut.json");
    ASSERT_FALSE(parsed) << "accepted a document cut at byte " << cut;
    EXPECT_EQ(parsed.error().code, ErrorCode::kTruncated) << parsed.error().describe();
    truncated += parsed.error().code == ErrorCode::kTruncated;
  }
  EXPECT_GT(truncated, 500u);
  // The trailing newline is not content.
  EXPECT_TRUE(parse_pcanno_document(text.substr(0, text.size() - 1), "no-newline.json"));

  static const char kNasty[] = {'\0', '"', '\\', ',', ':', '[', ']', '{',    '}',
                                '-',  'e', '0',  '9', 't', 'n', ' ', '\xff', '\xc3'};
  for (int i = 0; i < 1000; ++i) {
    std::string damaged = text;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      damaged[rng() % damaged.size()] =
          rng() % 2 ? kNasty[rng() % sizeof(kNasty)] : static_cast<char>(rng());
    }
    const Expected<Annotations> parsed = parse_pcanno_document(damaged, "damaged.json");
    if (parsed) {
      // Whatever is accepted must be writable and load again.
      const Expected<Annotations> again =
          parse_pcanno_document(serialize_pcanno_document(*parsed), "again.json");
      EXPECT_TRUE(again) << again.error().describe();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// JSON Schema

fs::path schema_path() {
  return fs::path(PCANNO_SAMPLE_DATA_DIR).parent_path() / "docs/document-format.schema.json";
}

/// One interpreter for all documents (each start costs about half a second): checks the schema
/// itself, then prints 1 or 0 per document. Empty when python3 or jsonschema fails.
std::vector<bool> schema_verdicts(const fs::path& dir, const std::vector<fs::path>& documents) {
  const fs::path out = dir / "verdicts.txt";
  std::string command =
      "python3 -c \"import json,jsonschema,sys; s=json.load(open(sys.argv[1])); "
      "v=jsonschema.validators.validator_for(s); v.check_schema(s); "
      "[print(int(v(s).is_valid(json.load(open(p))))) for p in sys.argv[2:]]\" '" +
      schema_path().string() + "'";
  for (const fs::path& d : documents) command += " '" + d.string() + "'";
  command += " > '" + out.string() + "'";
  if (std::system(command.c_str()) != 0) return {};
  std::vector<bool> verdicts;
  for (const char c : test::slurp(out)) {
    if (c == '0' || c == '1') verdicts.push_back(c == '1');
  }
  return verdicts;
}

TEST(PcannoDocument, SchemaAcceptsWrittenDocumentsAndRejectsBrokenOnes) {
  ASSERT_TRUE(fs::exists(schema_path())) << schema_path();
  if (std::system("python3 -c \"import jsonschema\" >/dev/null 2>&1") != 0) {
    if (test::running_in_ci()) FAIL() << "python3 with jsonschema is required under CI";
    GTEST_SKIP() << "python3 or its jsonschema module is missing (Debian: python3-jsonschema); "
                    "schema validation not checked";
  }
  test::TempDir dir;
  const Json schema = Json::parse(test::slurp(schema_path()));
  EXPECT_EQ(schema.at("$schema"), "https://json-schema.org/draft/2020-12/schema");

  // The exact command of the requirement, once, on a written document.
  const fs::path rich = dir.write("rich.json", serialize_pcanno_document(rich_annotations(1)));
  const std::string validate =
      "python3 -c \"import json,jsonschema,sys; "
      "jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))\" '" +
      rich.string() + "' '" + schema_path().string() + "'";
  EXPECT_EQ(std::system(validate.c_str()), 0);

  std::vector<fs::path> valid = {
      rich,
      dir.write("rich2.json", serialize_pcanno_document(rich_annotations(2))),
      dir.write("empty.json", serialize_pcanno_document(Annotations{})),
      dir.write("small.json", kSmallDocument),
  };
  const auto ptr = [](const char* p) { return Json::json_pointer(p); };
  const std::vector<std::pair<const char*, std::function<void(Json&)>>> broken = {
      {"negative size", [&](Json& j) { j[ptr("/tracks/0/boxes/0/size/0")] = -1; }},
      {"wrong format", [](Json& j) { j["format"] = "openlabel"; }},
      {"no version", [](Json& j) { j.erase("version"); }},
      {"newer version", [](Json& j) { j["version"] = 2; }},
      {"unknown provenance", [&](Json& j) { j[ptr("/tracks/0/boxes/0/provenance")] = "guess"; }},
      {"rotation of three",
       [&](Json& j) {
         j[ptr("/tracks/0/boxes/0/rotation_wxyz")] = Json::array({1, 0, 0});
       }},
      {"zero rotation",
       [&](Json& j) {
         j[ptr("/tracks/0/boxes/0/rotation_wxyz")] = Json::array({0, 0.0, 0, 0});
       }},
      {"frame of reference missing",
       [&](Json& j) { j[ptr("/tracks/0/boxes/0")].erase("frame_of_reference"); }},
      {"negative frame", [&](Json& j) { j[ptr("/tracks/0/boxes/0/frame")] = -1; }},
      {"attribute not a string", [&](Json& j) { j[ptr("/tracks/0/attributes/occlusion")] = 1; }},
      {"empty label", [&](Json& j) { j[ptr("/tracks/0/label")] = ""; }},
      {"colour out of range", [&](Json& j) { j[ptr("/classes/0/color/0")] = 300; }},
      {"motion profile unknown",
       [&](Json& j) {
         j[ptr("/classes/0/motion")] = Json{{"profile", "boat"}};
       }},
      {"motion limit negative",
       [&](Json& j) {
         j[ptr("/classes/0/motion")] = Json{{"profile", "static"}, {"max_yaw_rate", -1}};
       }},
      {"vertex of two",
       [&](Json& j) {
         j[ptr("/polylines/0/states/0/vertices/0")] = Json::array({1, 2});
       }},
      {"nuscenes field missing",
       [&](Json& j) { j[ptr("/tracks/0/boxes/1/nuscenes")].erase("num_radar_pts"); }},
  };
  std::vector<fs::path> invalid;
  for (std::size_t i = 0; i < broken.size(); ++i) {
    Json j = small_document();
    broken[i].second(j);
    EXPECT_FALSE(parse_json(j)) << broken[i].first << ": the loader accepts it";
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
    EXPECT_FALSE(verdicts[valid.size() + i])
        << broken[i].first << ": the schema accepts a document the loader refuses";
  }
}

}  // namespace
}  // namespace pcanno::formats
