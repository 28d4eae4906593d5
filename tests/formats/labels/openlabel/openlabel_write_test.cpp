#include "pcanno/formats/labels/openlabel/codec.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "openlabel_fixtures.hpp"

namespace pcanno::formats {
namespace {

using namespace openlabel_test;

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
  expect_same(expected, back, 0.0);
  // Lane 5 was written under uid 43 (track 5 holds uid 5) and comes back as polyline 5.
  ASSERT_EQ(back.polylines.size(), 2u);
  EXPECT_EQ(back.polylines[0].id, 5);
  EXPECT_EQ(back.polylines[0].label, "lane");
  EXPECT_EQ(back.polylines[1].id, 42);
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
  // Written under uid 43, the lane names its own id; the curb, under its own id, does not.
  EXPECT_EQ(poly[0].at("attributes").at("num"),
            Json::parse(R"([{"name": "polyline_id", "val": 5}])"));
  const Json& curb = ol.at("frames").at("3").at("objects").at("42").at("object_data").at("poly3d");
  EXPECT_FALSE(curb[0].at("attributes").contains("num"));

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

}  // namespace
}  // namespace pcanno::formats
