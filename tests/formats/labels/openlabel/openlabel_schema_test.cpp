#include "pcanno/formats/labels/openlabel/codec.hpp"

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "openlabel_fixtures.hpp"

namespace pcanno::formats {
namespace {

using namespace openlabel_test;

TEST(OpenlabelSchema, AcceptsKittiTracking0000AsWritten) {
  PCANNO_REQUIRE_DATA(kitti_tracking_labels(0));
  PCANNO_REQUIRE_JSONSCHEMA(schema_path());
  const Sequence seq = open_tracking_0000();
  LabelContext context;
  context.sequence = &seq;
  Expected<Annotations> kitti = read_kitti_tracking_annotations(kitti_tracking_labels(0), context);
  ASSERT_TRUE(kitti) << kitti.error().describe();
  ASSERT_GT(kitti->box_count(), 50u);
  test::TempDir dir;
  const fs::path file = dir.write("0000.json", must_serialize(*kitti, context));
  EXPECT_EQ(validate_with_python(file, schema_path()), 0);
  // Not vacuous: the same file with one cuboid of 8 numbers fails.
  Json j = Json::parse(slurp(file));
  Json& val =
      j["openlabel"]["frames"]["0"]["objects"].begin().value()["object_data"]["cuboid"][0]["val"];
  val.erase(0);
  val.erase(0);
  EXPECT_NE(validate_with_python(dir.write("0000-broken.json", j.dump()), schema_path()), 0);
}

TEST(OpenlabelSchema, AcceptsWrittenFilesAndRejectsBrokenOnes) {
  PCANNO_REQUIRE_JSONSCHEMA(schema_path());
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
  EXPECT_EQ(validate_with_python(valid[0], schema_path()), 0);

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
  std::vector<std::string> what;
  for (std::size_t i = 0; i < broken.size(); ++i) {
    Json j = Json::parse(synthetic);
    broken[i].mutate(j);
    const Expected<Annotations> read = parse_openlabel(j.dump(), "broken.json");
    EXPECT_EQ(!read, broken[i].reader_refuses) << broken[i].what;
    invalid.push_back(dir.write("broken" + std::to_string(i) + ".json", j.dump(2)));
    what.push_back(broken[i].what);
  }
  test::expect_schema_verdicts(schema_path(), dir.path(), valid, invalid, what);
}

}  // namespace
}  // namespace pcanno::formats
