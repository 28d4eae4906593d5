#include "pcanno/formats/labels/document/document.hpp"

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "document_fixtures.hpp"

namespace pcanno::formats {
namespace {

using namespace document_test;

fs::path schema_path() {
  return fs::path(PCANNO_SAMPLE_DATA_DIR).parent_path() / "docs/document-format.schema.json";
}

TEST(PcannoDocument, SchemaAcceptsWrittenDocumentsAndRejectsBrokenOnes) {
  PCANNO_REQUIRE_JSONSCHEMA(schema_path());
  test::TempDir dir;
  const Json schema = Json::parse(test::slurp(schema_path()));
  EXPECT_EQ(schema.at("$schema"), "https://json-schema.org/draft/2020-12/schema");

  // The exact command of the requirement, once, on a written document.
  const fs::path rich = dir.write("rich.json", serialize_pcanno_document(rich_annotations(1)));
  EXPECT_EQ(test::validate_with_python(rich, schema_path()), 0);

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
      {"attribute type unknown",
       [&](Json& j) {
         j[ptr("/classes/0/attributes")] =
             Json::array({Json{{"name", "occlusion"}, {"type", "colour"}}});
       }},
      {"enum without values",
       [&](Json& j) {
         j[ptr("/classes/0/attributes")] =
             Json::array({Json{{"name", "occlusion"}, {"type", "enum"}, {"values", Json::array()}}});
       }},
      {"tag with a scope",
       [&](Json& j) {
         j["scene_tags"] =
             Json::array({Json{{"name", "weather"}, {"type", "text"}, {"scope", "frame"}}});
       }},
      {"nuscenes field missing",
       [&](Json& j) { j[ptr("/tracks/0/boxes/1/nuscenes")].erase("num_radar_pts"); }},
  };
  std::vector<fs::path> invalid;
  std::vector<std::string> what;
  for (std::size_t i = 0; i < broken.size(); ++i) {
    Json j = small_document();
    broken[i].second(j);
    EXPECT_FALSE(parse_json(j)) << broken[i].first << ": the loader accepts it";
    invalid.push_back(dir.write("broken" + std::to_string(i) + ".json", j.dump(2)));
    what.push_back(broken[i].first);
  }
  test::expect_schema_verdicts(schema_path(), dir.path(), valid, invalid, what);
}

}  // namespace
}  // namespace pcanno::formats
