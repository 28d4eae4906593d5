// The class schema file: round trips through the writer and reader, the example schema, errors
// that name the file, the JSON pointer or line and what was expected, and the merge rule of a
// schema loaded into a document (the file wins).
#include "pcanno/formats/labels/document/class_schema_file.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "json_schema.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "temp_dir.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;

const fs::path kExample =
    fs::path(PCANNO_SAMPLE_DATA_DIR) / ".." / "examples" / "class_schemas" / "driving.json";

ClassSchema sample_schema() {
  ClassSchema schema;
  ClassSpec van = make_class_spec("Van");
  van.color = {1, 2, 3};
  van.upright = false;
  AttributeSpec occluded;
  occluded.name = "occluded";
  occluded.type = AttributeType::kEnum;
  occluded.values = {"0", "1", "2", "3"};
  occluded.default_value = "0";
  occluded.mandatory = true;
  occluded.scope = AttributeScope::kFrame;
  AttributeSpec speed;
  speed.name = "speed";
  speed.type = AttributeType::kNumber;
  speed.min = -1e-3;
  speed.max = 0.1 + 0.2;
  AttributeSpec lights;
  lights.name = "lights";
  lights.type = AttributeType::kBool;
  van.attributes = {occluded, speed, lights};
  ClassSpec lane = make_class_spec("Lane marking");
  schema.classes = {van, lane};
  AttributeSpec weather;
  weather.name = "weather";
  weather.type = AttributeType::kEnum;
  weather.values = {"clear", "rain"};
  weather.mandatory = true;
  AttributeSpec note;
  note.name = "note";
  schema.scene_tags = {weather};
  schema.frame_tags = {note};
  return schema;
}

void expect_same(const ClassSchema& a, const ClassSchema& b) {
  ASSERT_EQ(a.classes.size(), b.classes.size());
  for (std::size_t i = 0; i < a.classes.size(); ++i) {
    EXPECT_EQ(a.classes[i].name, b.classes[i].name);
    EXPECT_EQ(a.classes[i].color, b.classes[i].color);
    EXPECT_EQ(a.classes[i].default_size, b.classes[i].default_size);
    EXPECT_EQ(a.classes[i].motion, b.classes[i].motion);
    EXPECT_EQ(a.classes[i].shape, b.classes[i].shape);
    EXPECT_EQ(a.classes[i].upright, b.classes[i].upright);
    EXPECT_EQ(a.classes[i].attributes, b.classes[i].attributes);
  }
  EXPECT_EQ(a.scene_tags, b.scene_tags);
  EXPECT_EQ(a.frame_tags, b.frame_tags);
}

class ClassSchemaFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pcanno_schema_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p;
  }

  /// The error of reading `text` from a file, as the user sees it.
  std::string error_of(const std::string& text) {
    const fs::path p = write("bad.json", text);
    const Expected<ClassSchema> r = read_class_schema(p);
    EXPECT_FALSE(r) << text;
    if (r) return std::string();
    const std::string described = r.error().describe();
    EXPECT_NE(described.find("bad.json"), std::string::npos) << described;
    return described;
  }

  fs::path dir_;
};

TEST_F(ClassSchemaFile, WritesAndReadsBackEveryMember) {
  const ClassSchema schema = sample_schema();
  const fs::path path = dir_ / "schema.json";
  ASSERT_TRUE(write_class_schema(schema, path, false));
  const Expected<ClassSchema> back = read_class_schema(path);
  ASSERT_TRUE(back) << back.error().describe();
  expect_same(schema, *back);
  EXPECT_EQ(serialize_class_schema(*back), serialize_class_schema(schema));
  // No overwrite unless asked; then replaced whole (atomic), no temporary left behind.
  EXPECT_FALSE(write_class_schema(schema, path, false));
  ASSERT_TRUE(write_class_schema(schema, path, true));
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir_)) files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 1u);
}

TEST_F(ClassSchemaFile, RefusesToWriteWhatItCouldNotRead) {
  ClassSchema schema = sample_schema();
  schema.classes[0].attributes[0].values.clear();  // an enum without values
  const fs::path path = dir_ / "schema.json";
  const Status s = write_class_schema(schema, path, false);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("/classes/0/attributes/0/values"), std::string::npos)
      << s.error().describe();
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(ClassSchemaFile, TheExampleSchemaLoads) {
  const Expected<ClassSchema> schema = read_class_schema(kExample);
  ASSERT_TRUE(schema) << schema.error().describe();
  ASSERT_GE(schema->classes.size(), 4u);
  EXPECT_EQ(schema->classes[0].name, "Car");
  const AttributeSpec* occluded = schema->classes[0].attribute("occluded");
  ASSERT_NE(occluded, nullptr);
  EXPECT_EQ(occluded->type, AttributeType::kEnum);
  EXPECT_EQ(occluded->scope, AttributeScope::kFrame);
  EXPECT_TRUE(occluded->mandatory);
  const AttributeSpec* truncated = schema->classes[0].attribute("truncated");
  ASSERT_NE(truncated, nullptr);
  EXPECT_EQ(truncated->type, AttributeType::kNumber);
  EXPECT_EQ(truncated->max, 1.0);
  ASSERT_NE(find_attribute(schema->scene_tags, "weather"), nullptr);
  EXPECT_TRUE(find_attribute(schema->scene_tags, "weather")->mandatory);
  ASSERT_NE(find_attribute(schema->frame_tags, "sensor_blocked"), nullptr);
  EXPECT_EQ(find_attribute(schema->frame_tags, "sensor_blocked")->type, AttributeType::kBool);
}

TEST_F(ClassSchemaFile, ErrorsNameTheFileThePointerAndWhatWasExpected) {
  const std::string head = R"({"format": "pcanno-class-schema", "version": 1, )";
  std::string e = error_of(head + R"("classes": [{"name": "Car", "attributes": [)"
                                  R"({"name": "occ", "type": "colour"}]}]})");
  EXPECT_NE(e.find("/classes/0/attributes/0/type: expected one of enum, bool, number, text"),
            std::string::npos)
      << e;
  e = error_of(head + R"("classes": [{"name": "Car", "attributes": [)"
                      R"({"name": "occ", "type": "enum", "values": []}]}]})");
  EXPECT_NE(e.find("/classes/0/attributes/0/values"), std::string::npos) << e;
  e = error_of(head + R"("classes": [{"name": "Car", "attributes": [)"
                      R"({"name": "occ", "type": "enum", "values": ["a"], "default": "b"}]}]})");
  EXPECT_NE(e.find("/classes/0/attributes/0/default"), std::string::npos) << e;
  EXPECT_NE(e.find("\"b\" is not one of a"), std::string::npos) << e;
  e = error_of(head + R"("classes": [{"name": "Car", "attributes": [)"
                      R"({"name": "n", "type": "number", "min": 2, "max": 1}]}]})");
  EXPECT_NE(e.find("/classes/0/attributes/0/max: max is below min"), std::string::npos) << e;
  e = error_of(head + R"("classes": [{"name": "Car", "attributes": [)"
                      R"({"name": "a", "type": "text"}, {"name": "a", "type": "bool"}]}]})");
  EXPECT_NE(e.find("/classes/0/attributes/1/name: \"a\" is declared twice"), std::string::npos)
      << e;
  e = error_of(head + R"("classes": [], "scene_tags": [{"name": "w", "type": "text", )"
                      R"("scope": "frame"}]})");
  EXPECT_NE(e.find("/scene_tags/0/scope"), std::string::npos) << e;
  e = error_of(head + R"("classes": [], "colours": []})");
  EXPECT_NE(e.find("/colours: unknown member"), std::string::npos) << e;
  e = error_of(R"({"format": "pcanno", "version": 1, "classes": []})");
  EXPECT_NE(e.find("/format: expected \"pcanno-class-schema\""), std::string::npos) << e;
  e = error_of(R"({"format": "pcanno-class-schema", "version": 9, "classes": []})");
  EXPECT_NE(e.find("newer than this build reads"), std::string::npos) << e;
  // A syntax error names the line.
  e = error_of(
      "{\n  \"format\": \"pcanno-class-schema\",\n  \"version\": 1,\n  \"classes\": [,]\n}");
  EXPECT_NE(e.find(":4"), std::string::npos) << e;
  const Expected<ClassSchema> missing = read_class_schema(dir_ / "nothing.json");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().describe().find("nothing.json"), std::string::npos);
}

TEST_F(ClassSchemaFile, TheJsonSchemaAcceptsWrittenSchemasAndTheExample) {
  const fs::path json_schema =
      fs::path(PCANNO_SAMPLE_DATA_DIR).parent_path() / "docs/class_schema.schema.json";
  PCANNO_REQUIRE_JSONSCHEMA(json_schema);
  const fs::path written = dir_ / "written.json";
  ASSERT_TRUE(write_class_schema(sample_schema(), written, false));
  const std::vector<fs::path> valid = {written, kExample};
  const std::vector<fs::path> invalid = {
      write("wrong_type.json",
            R"({"format": "pcanno-class-schema", "version": 1, "classes": [)"
            R"({"name": "Car", "attributes": [{"name": "a", "type": "colour"}]}]})"),
      write("no_values.json",
            R"({"format": "pcanno-class-schema", "version": 1, "classes": [)"
            R"({"name": "Car", "attributes": [{"name": "a", "type": "enum"}]}]})"),
      write("unknown_member.json",
            R"({"format": "pcanno-class-schema", "version": 1, "classes": [], "colours": 1})"),
  };
  for (const fs::path& p : invalid) EXPECT_FALSE(read_class_schema(p)) << p;
  test::expect_schema_verdicts(json_schema, dir_, valid, invalid,
                               {"wrong type", "enum without values", "unknown member"});
}

TEST_F(ClassSchemaFile, TheFileWinsByNameAndTheDocumentKeepsItsOtherClasses) {
  Annotations doc;
  ClassSpec old_van = make_class_spec("Van");
  old_van.color = {9, 9, 9};
  doc.classes = {make_class_spec("Tram"), old_van};
  AttributeSpec old_weather;
  old_weather.name = "weather";  // free text in the document, an enum in the file
  AttributeSpec road;
  road.name = "road";
  doc.scene_tags = {old_weather, road};
  apply_class_schema(doc, sample_schema());
  ASSERT_EQ(doc.classes.size(), 3u);
  EXPECT_EQ(doc.classes[0].name, "Van");  // the file's first class: the default of a new box
  EXPECT_EQ(doc.classes[0].color, (std::array<std::uint8_t, 3>{1, 2, 3}));
  EXPECT_EQ(doc.classes[1].name, "Lane marking");
  EXPECT_EQ(doc.classes[2].name, "Tram");
  EXPECT_EQ(doc.default_class(), "Van");
  ASSERT_EQ(doc.scene_tags.size(), 2u);
  EXPECT_EQ(doc.scene_tags[0].type, AttributeType::kEnum);
  EXPECT_EQ(doc.scene_tags[1].name, "road");
  ASSERT_EQ(doc.frame_tags.size(), 1u);

  // The document stores the schema: a saved document brings the same schema back.
  const Expected<Annotations> reread = parse_pcanno_document(serialize_pcanno_document(doc), "d");
  ASSERT_TRUE(reread) << reread.error().describe();
  expect_same(class_schema_of(doc), class_schema_of(*reread));
}

}  // namespace
}  // namespace pcanno::formats
