// The ontology in the engine: checked attribute commands refuse values outside the class schema
// and leave the document alone; tags and a loaded class schema are undoable and journaled (a
// session reopened after a crash has them); QA reports invalid values and missing mandatory
// attributes and tags.
#include "pcanno/plugin/attribute_rules.hpp"

#include <string>

#include <gtest/gtest.h>

#include "attribute_spec.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/plugin/services/qa.hpp"
#include "pcanno/plugin/session.hpp"
#include "temp_dir.hpp"

namespace pcanno::plugin {
namespace {

using formats::AttributeScope;
using formats::AttributeSpec;
using formats::AttributeType;

using test::attribute_spec;

formats::ClassSchema schema() {
  formats::ClassSpec car = formats::make_class_spec("Car");
  AttributeSpec occluded = attribute_spec("occluded", AttributeType::kEnum, AttributeScope::kFrame);
  occluded.values = {"0", "1", "2", "3"};
  occluded.mandatory = true;
  AttributeSpec parked = attribute_spec("parked", AttributeType::kBool, AttributeScope::kTrack);
  parked.mandatory = true;
  car.attributes = {occluded, parked};
  formats::ClassSpec lane = formats::make_class_spec("Lane marking");  // enum "marking"
  AttributeSpec weather = attribute_spec("weather", AttributeType::kEnum, AttributeScope::kTrack);
  weather.values = {"clear", "rain"};
  weather.mandatory = true;
  AttributeSpec blocked = attribute_spec("blocked", AttributeType::kBool, AttributeScope::kTrack);
  blocked.mandatory = true;
  return formats::ClassSchema{{car, lane}, {weather}, {blocked}};
}

/// Two frames, track 4 (a Car) with a box in each, polyline 2 (a lane marking); the schema loaded.
formats::Annotations document() {
  formats::Annotations doc;
  doc.frames.resize(2);
  formats::Track t;
  t.id = 4;
  t.label = "Car";
  for (std::int64_t f = 0; f < 2; ++f) {
    formats::BoxState b;
    b.frame = f;
    b.box = geometry::Cuboid::from_yaw(Eigen::Vector3d(5, 0, 0), Eigen::Vector3d(4, 2, 1.5), 0);
    t.boxes.push_back(b);
  }
  doc.tracks.push_back(t);
  formats::PolylineTrack line;
  line.id = 2;
  line.label = "Lane marking";
  formats::PolylineState s;
  s.line.vertices = {{0, 0, 0}, {5, 0, 0}};
  line.states.push_back(s);
  doc.polylines.push_back(line);
  formats::apply_class_schema(doc, schema());
  return doc;
}

TEST(AttributeRules, CheckedCommandsRefuseValuesOutsideTheSchema) {
  const formats::Annotations doc = document();
  auto refused = set_box_attribute_checked(doc, 4, 1, "occluded", std::string("maybe"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, formats::ErrorCode::kMalformed);
  EXPECT_EQ(refused.error().message,
            "class \"Car\", attribute \"occluded\": \"maybe\" is not one of 0, 1, 2, 3");
  EXPECT_FALSE(set_track_attribute_checked(doc, 4, "occluded", std::string("1")));  // per frame
  EXPECT_FALSE(set_track_attribute_checked(doc, 4, "parked", std::string("yes")));
  EXPECT_FALSE(set_polyline_attribute_checked(doc, 2, "marking", std::string("zigzag")));
  EXPECT_EQ(set_box_attribute_checked(doc, 9, 0, "occluded", std::string("1")).error().code,
            formats::ErrorCode::kNotFound);

  EXPECT_TRUE(set_box_attribute_checked(doc, 4, 1, "occluded", std::string("3")));
  EXPECT_TRUE(set_track_attribute_checked(doc, 4, "parked", std::string("false")));
  EXPECT_TRUE(set_polyline_attribute_checked(doc, 2, "marking", std::string("dashed")));
  EXPECT_TRUE(set_track_attribute_checked(doc, 4, "free_form", std::string("anything")));
  EXPECT_TRUE(set_box_attribute_checked(doc, 4, 1, "occluded", std::nullopt));  // removing

  auto tag = set_tag(doc, -1, "weather", std::string("snow"));
  ASSERT_FALSE(tag);
  EXPECT_EQ(tag.error().message, "scene tag \"weather\": \"snow\" is not one of clear, rain");
  EXPECT_FALSE(set_tag(doc, 1, "blocked", std::string("no")));
  EXPECT_EQ(set_tag(doc, 2, "blocked", std::string("true")).error().code,
            formats::ErrorCode::kNotFound);
}

TEST(AttributeRules, TagsAndASchemaAreUndoableAndJournaled) {
  test::TempDir dir;
  const auto path = dir.path() / "doc.json";
  formats::Annotations start = document();
  start.classes.clear();
  start.scene_tags.clear();
  start.frame_tags.clear();
  ASSERT_TRUE(formats::write_pcanno_document(start, path, false));
  SessionOptions options;
  options.document = path;
  options.journal_sync = JournalSync::kNone;
  options.load_plugins = false;
  std::string expected;
  {
    auto s = Session::open(options);
    ASSERT_TRUE(s) << s.error().describe();
    Session& session = **s;
    const std::string before = formats::serialize_pcanno_document(session.document());
    ASSERT_TRUE(session.apply(load_class_schema(session.document(), schema())));
    EXPECT_EQ(session.document().classes.front().name, "Car");
    ASSERT_EQ(session.document().scene_tags.size(), 1u);
    ASSERT_TRUE(session.apply(set_tag(session.document(), -1, "weather", std::string("rain"))));
    ASSERT_TRUE(session.apply(set_tag(session.document(), 1, "blocked", std::string("true"))));
    EXPECT_EQ(session.document().attributes.at("weather"), "rain");
    EXPECT_EQ(session.document().frames[1].attributes.at("blocked"), "true");
    expected = formats::serialize_pcanno_document(session.document());
    ASSERT_TRUE(session.undo());
    ASSERT_TRUE(session.undo());
    ASSERT_TRUE(session.undo());
    EXPECT_EQ(formats::serialize_pcanno_document(session.document()), before);
    ASSERT_TRUE(session.redo());
    ASSERT_TRUE(session.redo());
    ASSERT_TRUE(session.redo());
    EXPECT_EQ(formats::serialize_pcanno_document(session.document()), expected);
  }  // closed without saving, as a crash would
  auto reopened = Session::open(options);
  ASSERT_TRUE(reopened) << reopened.error().describe();
  EXPECT_EQ(formats::serialize_pcanno_document((*reopened)->document()), expected);
}

std::size_t count(const std::vector<Finding>& findings, const std::string& check) {
  std::size_t n = 0;
  for (const Finding& f : findings) n += f.check == check ? 1 : 0;
  return n;
}

TEST(AttributeQa, ReportsInvalidValuesAndMissingMandatoryAttributesAndTags) {
  formats::Annotations doc = document();
  // Nothing set: parked (track), occluded in each of 2 boxes, the scene's weather, each frame's
  // blocked flag; the lane marking's attributes are not mandatory.
  std::vector<Finding> findings = check_attributes(doc);
  EXPECT_EQ(count(findings, "attribute-missing"), 3u);
  EXPECT_EQ(count(findings, "tag-missing"), 3u);
  for (const Finding& f : findings) EXPECT_EQ(f.severity, Severity::kError) << f.message;
  bool named = false;
  for (const Finding& f : findings) {
    if (f.check == "attribute-missing" && f.frame == 1) {
      EXPECT_EQ(f.track, 4);
      named = f.message.find("mandatory attribute \"occluded\"") != std::string::npos;
    }
  }
  EXPECT_TRUE(named);

  formats::Track& t = doc.tracks[0];
  t.attributes["parked"] = "true";
  t.boxes[0].attributes["occluded"] = "1";
  t.boxes[1].attributes["occluded"] = "5";            // outside the enum
  t.attributes["occluded"] = "1";                     // at the wrong scope
  doc.polylines[0].attributes["marking"] = "zigzag";  // outside the enum
  doc.attributes["weather"] = "rain";
  doc.frames[0].attributes["blocked"] = "no";  // not a bool
  doc.frames[1].attributes["blocked"] = "false";
  findings = check_attributes(doc);
  EXPECT_EQ(count(findings, "attribute-missing"), 0u);
  EXPECT_EQ(count(findings, "tag-missing"), 0u);
  EXPECT_EQ(count(findings, "attribute-value"), 3u);
  EXPECT_EQ(count(findings, "tag-value"), 1u);

  // check_annotations reports them too.
  QaOptions options;
  options.check_points = false;
  const auto report = check_annotations(doc, nullptr, options);
  ASSERT_TRUE(report);
  EXPECT_EQ(count(report->findings, "attribute-value"), 3u);
  EXPECT_TRUE(report->has_errors());
}

}  // namespace
}  // namespace pcanno::plugin
