// Export through the class schema: KITTI's occluded and truncated columns from declared
// attributes, nuScenes attribute tokens from enum values, OpenLABEL element data typed by the
// declared type (boolean, num, text).
#include <cstdint>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kitti/kitti_codec_fixtures.hpp"
#include "pcanno/formats/labels/nuscenes/codec.hpp"
#include "pcanno/formats/labels/openlabel/codec.hpp"

namespace pcanno::formats {
namespace {

using namespace kitti_codec_test;

AttributeSpec declared(const char* name, AttributeType type, AttributeScope scope,
                       std::vector<std::string> values = {}) {
  AttributeSpec a;
  a.name = name;
  a.type = type;
  a.scope = scope;
  a.values = std::move(values);
  return a;
}

TEST(AttributeExport, KittiColumnsComeFromDeclaredAttributes) {
  PCANNO_REQUIRE_DATA(kitti_tracking_root() / "calib/0001.txt");
  Sequence seq = calibration_only_sequence(1, 1);
  const geometry::Cuboid lidar_box = geometry::kitti_camera_to_lidar(
      van_of_frame_zero(), seq.calibrations[0].kitti->T_rect_velo());
  Annotations doc = single_box_document(seq, lidar_box, 0, "Van");
  doc.tracks[0].boxes[0].attributes = {{"occluded", "2"}, {"truncated", "0.75"}};
  test::TempDir dir;
  LabelContext context;
  context.sequence = &seq;

  // Undeclared, they are free-form attributes KITTI has no column for: dropped and counted, and
  // the columns come from the geometry (the van is fully in view: 0 and 0).
  Expected<WriteReport> plain =
      write_kitti_tracking_annotations(doc, dir.path() / "plain.txt", context);
  ASSERT_TRUE(plain) << plain.error().describe();
  EXPECT_EQ(plain->dropped.at(
                "attributes of tracks, boxes and frames: KITTI labels have no attribute columns"),
            2u);
  std::vector<KittiLabelRow> rows = parse_tracking_file(dir.path() / "plain.txt");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].occluded, 0);
  EXPECT_EQ(rows[0].truncated, 0.0);

  ClassSpec& van = doc.ensure_class("Van");
  AttributeSpec truncated = declared("truncated", AttributeType::kNumber, AttributeScope::kFrame);
  truncated.min = 0.0;
  truncated.max = 1.0;
  van.attributes = {
      declared("occluded", AttributeType::kEnum, AttributeScope::kFrame, {"0", "1", "2", "3"}),
      truncated};
  Expected<WriteReport> mapped =
      write_kitti_tracking_annotations(doc, dir.path() / "mapped.txt", context);
  ASSERT_TRUE(mapped) << mapped.error().describe();
  EXPECT_TRUE(mapped->dropped.empty());  // both became columns
  rows = parse_tracking_file(dir.path() / "mapped.txt");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].occluded, 2);
  EXPECT_EQ(rows[0].truncated, 1.0);  // tracking labels give the level: at least half outside

  // A value the schema refuses is not written into a column.
  doc.tracks[0].boxes[0].attributes["occluded"] = "7";
  ASSERT_TRUE(write_kitti_tracking_annotations(doc, dir.path() / "bad.txt", context));
  EXPECT_EQ(parse_tracking_file(dir.path() / "bad.txt")[0].occluded, 0);
}

TEST(AttributeExport, NuscenesTokensComeFromEnumValues) {
  Annotations doc;
  doc.sequence.name = "enums";
  doc.frames.resize(2);
  ClassSpec pedestrian = make_class_spec("Pedestrian");
  pedestrian.attributes = {
      declared("pedestrian", AttributeType::kEnum, AttributeScope::kFrame,
               {"standing", "moving", "sitting_lying_down"}),
      declared("group", AttributeType::kEnum, AttributeScope::kTrack, {"age.child", "age.adult"}),
      declared("note", AttributeType::kText, AttributeScope::kFrame)};
  doc.classes = {pedestrian};
  Track t;
  t.id = 3;
  t.label = "Pedestrian";
  t.attributes["group"] = "age.child";  // a value with a dot is the token's name as it is
  for (int f = 0; f < 2; ++f) {
    BoxState b;
    b.frame = f;
    b.box =
        geometry::Cuboid::from_yaw(Eigen::Vector3d(f, 2, 0), Eigen::Vector3d(0.8, 0.6, 1.7), 0.0);
    b.attributes["pedestrian"] = f == 0 ? "standing" : "moving";
    b.attributes["note"] = "free text";
    t.boxes.push_back(b);
  }
  doc.tracks.push_back(t);
  test::TempDir tmp;
  const fs::path out = tmp.path() / "export";
  Expected<WriteReport> report = write_nuscenes_dataset(doc, out, {});
  ASSERT_TRUE(report) << report.error().describe();
  std::size_t dropped_attributes = 0;
  for (const auto& [what, n] : report->dropped) {
    if (what.rfind("attributes", 0) == 0) dropped_attributes += n;
  }
  EXPECT_EQ(dropped_attributes, 2u);  // the two notes; the enums became tokens

  const Expected<Annotations> back = read_nuscenes_annotations(out, {});
  ASSERT_TRUE(back) << back.error().describe();
  ASSERT_EQ(back->tracks.size(), 1u);
  const Track& got = back->tracks[0];
  ASSERT_EQ(got.boxes.size(), 2u);
  EXPECT_EQ(got.boxes[0].attributes.at("pedestrian.standing"), "true");
  EXPECT_EQ(got.boxes[1].attributes.at("pedestrian.moving"), "true");
  EXPECT_EQ(got.boxes[0].attributes.count("pedestrian.moving"), 0u);
  for (const BoxState& b : got.boxes) EXPECT_EQ(b.attributes.at("age.child"), "true");
}

TEST(AttributeExport, OpenlabelDataIsTypedByTheSchema) {
  Annotations doc;
  doc.frames.resize(1);
  ClassSpec car = make_class_spec("Car");
  AttributeSpec visibility = declared("visibility", AttributeType::kNumber, AttributeScope::kFrame);
  visibility.max = 1.0;
  car.attributes = {
      declared("parked", AttributeType::kBool, AttributeScope::kTrack),
      declared("colour", AttributeType::kEnum, AttributeScope::kTrack, {"red", "blue"}),
      visibility};
  doc.classes = {car};
  doc.scene_tags = {declared("night", AttributeType::kBool, AttributeScope::kTrack)};
  doc.frame_tags = {declared("rain_mm", AttributeType::kNumber, AttributeScope::kTrack)};
  doc.attributes = {{"night", "true"}, {"source_format", "synthetic"}};
  doc.frames[0].attributes = {{"rain_mm", "2.5"}};
  for (std::int64_t id : {1, 2}) {
    Track t;
    t.id = id;
    t.label = "Car";
    // Track 2's values are outside the schema: they stay text rather than be made up.
    t.attributes = {{"parked", id == 1 ? "true" : "maybe"}, {"colour", "red"}};
    BoxState b;
    b.box = geometry::Cuboid::from_yaw(Eigen::Vector3d(5.0 * static_cast<double>(id), 0, 0),
                                       Eigen::Vector3d(4, 2, 1.5), 0.0);
    b.attributes = {{"visibility", id == 1 ? "0.5" : "2"}};
    t.boxes.push_back(b);
    doc.tracks.push_back(t);
  }
  const Expected<std::string> text = serialize_openlabel(doc);
  ASSERT_TRUE(text) << text.error().describe();
  const nlohmann::json j = nlohmann::json::parse(*text);
  const nlohmann::json& ol = j.at("openlabel");
  const nlohmann::json& car1 = ol.at("objects").at("1").at("object_data");
  ASSERT_TRUE(car1.contains("boolean")) << car1.dump();
  EXPECT_EQ(car1["boolean"][0]["name"], "parked");
  EXPECT_EQ(car1["boolean"][0]["val"], true);
  EXPECT_EQ(car1["text"][0]["name"], "colour");  // enums are text
  const nlohmann::json& car2 = ol.at("objects").at("2").at("object_data");
  EXPECT_FALSE(car2.contains("boolean")) << car2.dump();
  const nlohmann::json& frame = ol.at("frames").at("0");
  const nlohmann::json& data1 = frame.at("objects").at("1").at("object_data");
  ASSERT_TRUE(data1.contains("num")) << data1.dump();
  EXPECT_EQ(data1["num"][0]["name"], "visibility");
  EXPECT_EQ(data1["num"][0]["val"], 0.5);
  EXPECT_FALSE(frame.at("objects").at("2").at("object_data").contains("num"));
  EXPECT_EQ(ol.at("metadata").at("attributes").at("boolean")[0]["val"], true);
  EXPECT_EQ(frame.at("frame_properties").at("attributes").at("num")[0]["val"], 2.5);

  // The values read back as the same text.
  const Expected<Annotations> back = parse_openlabel(*text, "typed.json");
  ASSERT_TRUE(back) << back.error().describe();
  EXPECT_EQ(back->track(1)->attributes.at("parked"), "true");
  EXPECT_EQ(back->track(2)->attributes.at("parked"), "maybe");
  EXPECT_EQ(back->track(1)->boxes[0].attributes.at("visibility"), "0.5");
  EXPECT_EQ(back->attributes.at("night"), "true");
  EXPECT_EQ(back->frames[0].attributes.at("rain_mm"), "2.5");
}

}  // namespace
}  // namespace pcanno::formats
