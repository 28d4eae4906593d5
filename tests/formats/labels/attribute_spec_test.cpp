// Typed attributes of the class schema: which values each type accepts, the messages that name
// the class, the attribute, the value and the allowed set, and the mandatory attributes a track,
// box or frame lacks.
#include <gtest/gtest.h>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/class_schema.hpp"

namespace pcanno::formats {
namespace {

AttributeSpec spec(const char* name, AttributeType type) {
  AttributeSpec a;
  a.name = name;
  a.type = type;
  return a;
}

ClassSpec car_with_attributes() {
  ClassSpec car = make_class_spec("Car");
  AttributeSpec occlusion = spec("occlusion", AttributeType::kEnum);
  occlusion.values = {"none", "partly", "fully"};
  occlusion.scope = AttributeScope::kFrame;
  occlusion.mandatory = true;
  AttributeSpec parked = spec("parked", AttributeType::kBool);
  parked.mandatory = true;
  AttributeSpec truncation = spec("truncation", AttributeType::kNumber);
  truncation.min = 0.0;
  truncation.max = 1.0;
  truncation.scope = AttributeScope::kFrame;
  car.attributes = {occlusion, parked, truncation, spec("note", AttributeType::kText)};
  return car;
}

TEST(AttributeSpec, EachTypeAcceptsItsValuesOnly) {
  AttributeSpec e = spec("e", AttributeType::kEnum);
  e.values = {"a", "b"};
  EXPECT_FALSE(attribute_value_problem(e, "a"));
  EXPECT_FALSE(attribute_value_problem(e, "b"));
  EXPECT_TRUE(attribute_value_problem(e, "A"));
  EXPECT_TRUE(attribute_value_problem(e, ""));

  const AttributeSpec b = spec("b", AttributeType::kBool);
  EXPECT_FALSE(attribute_value_problem(b, "true"));
  EXPECT_FALSE(attribute_value_problem(b, "false"));
  EXPECT_TRUE(attribute_value_problem(b, "yes"));
  EXPECT_TRUE(attribute_value_problem(b, "1"));

  AttributeSpec n = spec("n", AttributeType::kNumber);
  EXPECT_FALSE(attribute_value_problem(n, "-3.5e2"));
  EXPECT_TRUE(attribute_value_problem(n, "nan"));
  EXPECT_TRUE(attribute_value_problem(n, "inf"));
  EXPECT_TRUE(attribute_value_problem(n, "1.5m"));
  EXPECT_TRUE(attribute_value_problem(n, ""));
  n.min = 0.0;
  n.max = 1.0;
  EXPECT_FALSE(attribute_value_problem(n, "0"));
  EXPECT_FALSE(attribute_value_problem(n, "1"));  // inclusive
  EXPECT_TRUE(attribute_value_problem(n, "1.0001"));
  EXPECT_TRUE(attribute_value_problem(n, "-0.5"));

  const AttributeSpec t = spec("t", AttributeType::kText);
  EXPECT_FALSE(attribute_value_problem(t, "anything at all"));

  EXPECT_EQ(attribute_type_from_string("number"), AttributeType::kNumber);
  EXPECT_FALSE(attribute_type_from_string("integer"));
  EXPECT_EQ(attribute_scope_from_string("frame"), AttributeScope::kFrame);
  EXPECT_FALSE(attribute_scope_from_string("box"));
}

TEST(AttributeSpec, ARefusalNamesClassAttributeValueAndAllowedSet) {
  const ClassSpec car = car_with_attributes();
  const auto problem = class_attribute_problem(car, AttributeScope::kFrame, "occlusion", "maybe");
  ASSERT_TRUE(problem);
  EXPECT_EQ(*problem,
            "class \"Car\", attribute \"occlusion\": \"maybe\" is not one of none, partly, fully");
  const auto range = class_attribute_problem(car, AttributeScope::kFrame, "truncation", "2");
  ASSERT_TRUE(range);
  EXPECT_NE(range->find("a number from 0 to 1"), std::string::npos) << *range;
  // A frame attribute set on the track is refused with both scopes named.
  const auto scope = class_attribute_problem(car, AttributeScope::kTrack, "occlusion", "none");
  ASSERT_TRUE(scope);
  EXPECT_NE(scope->find("per frame, not per track"), std::string::npos) << *scope;
  // Valid values and undeclared (free-form) attributes pass.
  EXPECT_FALSE(class_attribute_problem(car, AttributeScope::kFrame, "occlusion", "partly"));
  EXPECT_FALSE(class_attribute_problem(car, AttributeScope::kTrack, "parked", "false"));
  EXPECT_FALSE(class_attribute_problem(car, AttributeScope::kTrack, "colour", "red"));
}

TEST(AttributeSpec, MandatoryAttributesPerScope) {
  const ClassSpec car = car_with_attributes();
  AttributeMap track_values;
  auto missing = missing_mandatory(car, AttributeScope::kTrack, track_values);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0]->name, "parked");
  track_values["parked"] = "";  // an empty value is as good as none
  EXPECT_EQ(missing_mandatory(car, AttributeScope::kTrack, track_values).size(), 1u);
  track_values["parked"] = "true";
  EXPECT_TRUE(missing_mandatory(car, AttributeScope::kTrack, track_values).empty());

  AttributeMap box_values{{"note", "x"}};
  missing = missing_mandatory(car, AttributeScope::kFrame, box_values);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0]->name, "occlusion");

  AttributeSpec weather = spec("weather", AttributeType::kEnum);
  weather.values = {"sun", "rain"};
  weather.mandatory = true;
  const std::vector<AttributeSpec> tags{weather, spec("road", AttributeType::kText)};
  EXPECT_EQ(missing_mandatory(tags, AttributeMap{}).size(), 1u);
  EXPECT_TRUE(missing_mandatory(tags, AttributeMap{{"weather", "rain"}}).empty());
}

}  // namespace
}  // namespace pcanno::formats
