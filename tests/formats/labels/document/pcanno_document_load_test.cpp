#include "pcanno/formats/labels/document/document.hpp"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "document_fixtures.hpp"

namespace pcanno::formats {
namespace {

using namespace document_test;

TEST(PcannoDocument, ReadsAHandWrittenDocument) {
  const Expected<Annotations> parsed = parse_pcanno_document(kSmallDocument, "doc.json");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  const Annotations& a = *parsed;
  EXPECT_EQ(a.sequence.layout, "kitti-tracking");
  EXPECT_EQ(a.sequence.path, "data/kitti");
  EXPECT_EQ(a.attributes.at("source_format"), "kitti-tracking");
  ASSERT_EQ(a.classes.size(), 2u);
  EXPECT_EQ(a.classes[0].color, (std::array<std::uint8_t, 3>{255, 0, 0}));
  // The form before typed attributes (name -> allowed values) loads as an enum.
  ASSERT_NE(a.classes[0].attribute("occlusion"), nullptr);
  EXPECT_EQ(a.classes[0].attribute("occlusion")->type, AttributeType::kEnum);
  EXPECT_EQ(a.classes[0].attribute("occlusion")->values,
            (std::vector<std::string>{"none", "partly"}));
  EXPECT_EQ(a.classes[0].attribute("occlusion")->scope, AttributeScope::kTrack);
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

}  // namespace
}  // namespace pcanno::formats
