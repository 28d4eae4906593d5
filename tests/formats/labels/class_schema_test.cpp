// The class schema: the default schema, the classes made from it, and its place in the native
// document (written in full, read back exactly, filled in by name for older documents).
#include "pcanno/formats/labels/class_schema.hpp"

#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/document/document.hpp"

namespace pcanno::formats {
namespace {

using Json = nlohmann::json;

// The limits of the issue and of the QA documentation, written out rather than read from the code.
const MotionLimits kVehicleLimits{50.0, 10.0, 1.5};
const MotionLimits kPedestrianLimits{4.0, 5.0, 6.0};
const MotionLimits kCyclistLimits{15.0, 6.0, 3.0};
const MotionLimits kUnknownLimits{50.0, 10.0, 6.0};

TEST(ClassSchema, MotionKindsHaveNamesAndProfiles) {
  for (const MotionKind kind : {MotionKind::kVehicle, MotionKind::kPedestrian, MotionKind::kCyclist,
                                MotionKind::kStatic, MotionKind::kUnknown}) {
    EXPECT_EQ(motion_kind_from_string(to_string(kind)), kind) << to_string(kind);
    EXPECT_EQ(default_motion_profile(kind).kind, kind);
  }
  EXPECT_FALSE(motion_kind_from_string("Vehicle").has_value());
  EXPECT_FALSE(motion_kind_from_string("").has_value());

  EXPECT_EQ(default_motion_profile(MotionKind::kVehicle).limits, kVehicleLimits);
  EXPECT_EQ(default_motion_profile(MotionKind::kPedestrian).limits, kPedestrianLimits);
  EXPECT_EQ(default_motion_profile(MotionKind::kCyclist).limits, kCyclistLimits);
  EXPECT_EQ(default_motion_profile(MotionKind::kUnknown).limits, kUnknownLimits);
  // A static object is judged more strictly than anything that moves.
  EXPECT_LT(default_motion_profile(MotionKind::kStatic).limits.speed, kPedestrianLimits.speed);
  // Cars and bicycles move the way they point; people and unknown things need not.
  EXPECT_TRUE(default_motion_profile(MotionKind::kVehicle).moves_along_heading);
  EXPECT_TRUE(default_motion_profile(MotionKind::kCyclist).moves_along_heading);
  EXPECT_FALSE(default_motion_profile(MotionKind::kPedestrian).moves_along_heading);
  EXPECT_FALSE(default_motion_profile(MotionKind::kStatic).moves_along_heading);
  // A ClassSpec nobody configured is an unknown class.
  EXPECT_EQ(ClassSpec{}.motion, default_motion_profile(MotionKind::kUnknown));
}

TEST(ClassSchema, DefaultSchemaKnowsTheDatasetClasses) {
  const std::vector<ClassSpec>& schema = default_class_schema();
  ASSERT_FALSE(schema.empty());
  std::set<std::string> names;
  for (const ClassSpec& c : schema) {
    EXPECT_TRUE(names.insert(c.name).second) << c.name << " twice";
    EXPECT_TRUE((c.default_size.array() > 0.0).all()) << c.name;
    EXPECT_EQ(c.motion, default_motion_profile(c.motion.kind)) << c.name;
  }
  const auto kind_of = [](const char* name) {
    const ClassSpec* c = default_class_spec(name);
    return c != nullptr ? to_string(c->motion.kind) : "absent";
  };
  EXPECT_STREQ(kind_of("Car"), "vehicle");
  EXPECT_STREQ(kind_of("Van"), "vehicle");
  EXPECT_STREQ(kind_of("Truck"), "vehicle");
  EXPECT_STREQ(kind_of("Tram"), "vehicle");
  EXPECT_STREQ(kind_of("Pedestrian"), "pedestrian");
  EXPECT_STREQ(kind_of("Person_sitting"), "pedestrian");
  EXPECT_STREQ(kind_of("Person"), "pedestrian");
  EXPECT_STREQ(kind_of("Cyclist"), "cyclist");
  EXPECT_STREQ(kind_of("vehicle.car"), "vehicle");
  EXPECT_STREQ(kind_of("vehicle.bus.rigid"), "vehicle");
  EXPECT_STREQ(kind_of("vehicle.bicycle"), "cyclist");
  EXPECT_STREQ(kind_of("human.pedestrian.child"), "pedestrian");
  EXPECT_STREQ(kind_of("movable_object.trafficcone"), "static");
  EXPECT_STREQ(kind_of("Forklift"), "absent");
  // Size priors are the object's, not a car's: a pedestrian is taller than wide.
  const ClassSpec* pedestrian = default_class_spec("Pedestrian");
  ASSERT_NE(pedestrian, nullptr);
  EXPECT_GT(pedestrian->default_size.z(), pedestrian->default_size.x());
  EXPECT_LT(pedestrian->default_size.x(), 1.0);
  // Names from a class map or Lyft's flat names match ignoring case; exact matches come first.
  ASSERT_NE(default_class_spec("car"), nullptr);
  EXPECT_EQ(default_class_spec("car")->name, default_class_schema().front().name);
  EXPECT_EQ(default_class_spec("TRAM"), default_class_spec("Tram"));
}

TEST(ClassSchema, MadeClassesTakeTheSchemaEntryOrAreUnknown) {
  const ClassSpec cyclist = make_class_spec("cyclist");
  EXPECT_EQ(cyclist.name, "cyclist");  // the name as asked, the knowledge of "Cyclist"
  EXPECT_EQ(cyclist.motion.limits, kCyclistLimits);
  EXPECT_EQ(cyclist.default_size, default_class_spec("Cyclist")->default_size);

  const ClassSpec forklift = make_class_spec("Forklift");
  EXPECT_EQ(forklift.name, "Forklift");
  EXPECT_EQ(forklift.motion.kind, MotionKind::kUnknown);
  EXPECT_EQ(forklift.motion.limits, kUnknownLimits);
  EXPECT_EQ(forklift.default_size, ClassSpec{}.default_size);
  // Colours are derived from the name: stable, and different for different names.
  EXPECT_EQ(make_class_spec("Forklift").color, forklift.color);
  EXPECT_NE(make_class_spec("Forklifts").color, forklift.color);
  EXPECT_EQ(make_class_spec("Car").color, default_class_spec("Car")->color);
}

TEST(ClassSchema, TheDocumentsSchemaWinsOverTheDefault) {
  Annotations doc;
  EXPECT_EQ(doc.default_class(), default_class_schema().front().name);
  EXPECT_EQ(doc.class_or_default("Pedestrian").motion.limits, kPedestrianLimits);

  ClassSpec forklift = make_class_spec("Forklift");
  forklift.motion = default_motion_profile(MotionKind::kVehicle);
  forklift.default_size = {2.5, 1.2, 2.1};
  doc.classes.push_back(forklift);
  // A class defined differently from the default schema keeps the document's definition.
  ClassSpec slow_car = make_class_spec("Car");
  slow_car.motion.limits.speed = 3.0;
  doc.classes.push_back(slow_car);

  EXPECT_EQ(doc.default_class(), "Forklift");
  EXPECT_EQ(doc.class_or_default("Forklift").motion.limits, kVehicleLimits);
  EXPECT_EQ(doc.class_or_default("Forklift").default_size, Eigen::Vector3d(2.5, 1.2, 2.1));
  EXPECT_EQ(doc.class_or_default("Car").motion.limits.speed, 3.0);
  EXPECT_EQ(doc.class_or_default("Pedestrian").motion.limits, kPedestrianLimits);
  EXPECT_EQ(doc.class_or_default("Barrow").motion.kind, MotionKind::kUnknown);
  // ensure_class keeps an existing definition and adds missing classes from the default schema.
  EXPECT_EQ(doc.ensure_class("Car").motion.limits.speed, 3.0);
  EXPECT_EQ(doc.ensure_class("Van").motion.kind, MotionKind::kVehicle);
}

TEST(ClassSchema, RoundTripsThroughTheNativeDocument) {
  Annotations a;
  ClassSpec forklift = make_class_spec("Forklift");
  forklift.motion = {MotionKind::kVehicle, {7.25, 0.1 + 0.2, 0.75}, true};
  forklift.default_size = {2.5, 1.2, 2.1};
  ClassSpec statue = make_class_spec("Statue");
  statue.motion = default_motion_profile(MotionKind::kStatic);
  ClassSpec walker = make_class_spec("Pedestrian");
  walker.motion.moves_along_heading = true;  // differs from the default schema: must survive
  a.classes = {forklift, statue, walker, make_class_spec("Gizmo")};

  const std::string text = serialize_pcanno_document(a);
  const Json j = Json::parse(text);
  EXPECT_EQ(j.at("classes").at(0).at("motion"),
            Json::parse(R"({"profile": "vehicle", "max_speed": 7.25,
                            "max_acceleration": 0.30000000000000004, "max_yaw_rate": 0.75,
                            "moves_along_heading": true})"));
  EXPECT_EQ(j.at("classes").at(3).at("motion").at("profile"), "unknown");

  const Expected<Annotations> b = parse_pcanno_document(text, "schema.json");
  ASSERT_TRUE(b) << b.error().describe();
  ASSERT_EQ(b->classes.size(), a.classes.size());
  for (std::size_t i = 0; i < a.classes.size(); ++i) {
    SCOPED_TRACE(a.classes[i].name);
    EXPECT_EQ(b->classes[i].name, a.classes[i].name);
    EXPECT_EQ(b->classes[i].motion, a.classes[i].motion);
    EXPECT_EQ(b->classes[i].default_size, a.classes[i].default_size);
    EXPECT_EQ(b->classes[i].color, a.classes[i].color);
  }
  EXPECT_EQ(serialize_pcanno_document(*b), text);
}

TEST(ClassSchema, OlderDocumentsGetTheDefaultsByName) {
  // Version 1 documents written before classes had a motion profile.
  const Expected<Annotations> doc = parse_pcanno_document(R"({
    "format": "pcanno", "version": 1,
    "classes": [
      {"name": "Pedestrian", "color": [1, 2, 3], "default_size": [0.5, 0.5, 1.5]},
      {"name": "Forklift"},
      {"name": "Van", "motion": {"profile": "vehicle", "max_speed": 20}}
    ],
    "tracks": [{"id": 1, "label": "Cyclist", "boxes": []}]
  })",
                                                          "old.json");
  ASSERT_TRUE(doc) << doc.error().describe();
  ASSERT_EQ(doc->classes.size(), 4u);
  const ClassSpec& pedestrian = doc->classes[0];
  EXPECT_EQ(pedestrian.motion.limits, kPedestrianLimits);              // filled in by name
  EXPECT_EQ(pedestrian.default_size, Eigen::Vector3d(0.5, 0.5, 1.5));  // given: kept
  EXPECT_EQ(doc->classes[1].motion.kind, MotionKind::kUnknown);
  // A partial profile: the named kind's defaults fill the rest.
  const ClassSpec& van = doc->classes[2];
  EXPECT_EQ(van.motion.limits.speed, 20.0);
  EXPECT_EQ(van.motion.limits.acceleration, kVehicleLimits.acceleration);
  EXPECT_EQ(van.motion.limits.yaw_rate, kVehicleLimits.yaw_rate);
  EXPECT_TRUE(van.motion.moves_along_heading);
  // A label missing from the classes gets the default schema's class.
  EXPECT_EQ(doc->classes[3].name, "Cyclist");
  EXPECT_EQ(doc->classes[3].motion.limits, kCyclistLimits);
}

TEST(ClassSchema, PolylineClassesSayWhatTheyFollow) {
  for (const ShapeKind kind : {ShapeKind::kBox, ShapeKind::kPolyline}) {
    EXPECT_EQ(shape_kind_from_string(to_string(kind)), kind);
  }
  for (const LineEvidence e : {LineEvidence::kNone, LineEvidence::kMarking, LineEvidence::kCurb}) {
    EXPECT_EQ(line_evidence_from_string(to_string(e)), e);
  }
  EXPECT_FALSE(shape_kind_from_string("Box").has_value());
  EXPECT_FALSE(line_evidence_from_string("ridge").has_value());

  // The issue's polyline classes, with what each follows in a scan and its attributes.
  struct Expect {
    const char* name;
    LineEvidence evidence;
    bool closed;
    std::vector<const char*> attributes;
  };
  const Expect expected[] = {
      {"Lane marking", LineEvidence::kMarking, false, {"colour", "marking"}},
      {"Curb", LineEvidence::kCurb, false, {"height"}},
      {"Road edge", LineEvidence::kCurb, false, {}},
      {"Stop line", LineEvidence::kMarking, false, {"colour"}},
      {"Crosswalk area", LineEvidence::kMarking, true, {"colour"}},
  };
  for (const Expect& e : expected) {
    SCOPED_TRACE(e.name);
    const ClassSpec* c = default_class_spec(e.name);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->shape, ShapeKind::kPolyline);
    EXPECT_EQ(c->evidence, e.evidence);
    EXPECT_EQ(c->closed, e.closed);
    ASSERT_EQ(c->attributes.size(), e.attributes.size());
    for (const char* a : e.attributes) EXPECT_NE(c->attribute(a), nullptr) << a;
  }
  const ClassSpec& lane = *default_class_spec("Lane marking");
  ASSERT_NE(lane.attribute("marking"), nullptr);
  ASSERT_NE(lane.attribute("colour"), nullptr);
  EXPECT_EQ(lane.attribute("marking")->type, AttributeType::kEnum);
  EXPECT_EQ(lane.attribute("marking")->values,
            (std::vector<std::string>{"solid", "dashed", "double"}));
  EXPECT_EQ(lane.attribute("colour")->values, (std::vector<std::string>{"white", "yellow"}));
  // A curb's height is a number of metres, not below the road.
  const AttributeSpec* height = default_class_spec("Curb")->attribute("height");
  ASSERT_NE(height, nullptr);
  EXPECT_EQ(height->type, AttributeType::kNumber);
  EXPECT_FALSE(attribute_value_problem(*height, "0.15"));
  EXPECT_TRUE(attribute_value_problem(*height, "-0.1"));
  EXPECT_TRUE(attribute_value_problem(*height, "15cm"));
  EXPECT_EQ(default_class_spec("Car")->shape, ShapeKind::kBox);
  EXPECT_EQ(ClassSpec{}.shape, ShapeKind::kBox);

  // Each shape has its own default class: the document's first of that shape.
  Annotations doc;
  EXPECT_EQ(doc.default_class(), "Car");
  EXPECT_EQ(doc.default_class(ShapeKind::kPolyline), "Lane marking");
  doc.ensure_class("Curb");
  doc.ensure_class("Van");
  EXPECT_EQ(doc.default_class(), "Van");
  EXPECT_EQ(doc.default_class(ShapeKind::kPolyline), "Curb");
}

TEST(ClassSchema, PolylineClassesRoundTripThroughTheNativeDocument) {
  Annotations a;
  ClassSpec ditch = make_class_spec("Ditch");  // unknown to the default schema
  ditch.shape = ShapeKind::kPolyline;
  ditch.evidence = LineEvidence::kCurb;
  ClassSpec island = make_class_spec("Traffic island");
  island.shape = ShapeKind::kPolyline;
  island.closed = true;
  a.classes = {ditch, island, make_class_spec("Car"), make_class_spec("Crosswalk area")};

  const std::string text = serialize_pcanno_document(a);
  const Json j = Json::parse(text);
  EXPECT_EQ(j.at("classes").at(0).at("shape"), "polyline");
  EXPECT_EQ(j.at("classes").at(0).at("evidence"), "curb");
  EXPECT_EQ(j.at("classes").at(1).at("closed"), true);
  EXPECT_EQ(j.at("classes").at(1).at("evidence"), "none");
  EXPECT_EQ(j.at("classes").at(2).at("shape"), "box");
  EXPECT_FALSE(j.at("classes").at(2).contains("evidence"));

  const Expected<Annotations> b = parse_pcanno_document(text, "lines.json");
  ASSERT_TRUE(b) << b.error().describe();
  ASSERT_EQ(b->classes.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    SCOPED_TRACE(a.classes[i].name);
    EXPECT_EQ(b->classes[i].shape, a.classes[i].shape);
    EXPECT_EQ(b->classes[i].closed, a.classes[i].closed);
    EXPECT_EQ(b->classes[i].evidence, a.classes[i].evidence);
  }
  EXPECT_EQ(serialize_pcanno_document(*b), text);

  // Older documents get the shape by name; a wrong value is named with its place.
  const Expected<Annotations> old = parse_pcanno_document(
      R"({"format": "pcanno", "version": 1, "classes": [{"name": "Curb"}]})", "old.json");
  ASSERT_TRUE(old) << old.error().describe();
  EXPECT_EQ(old->classes[0].shape, ShapeKind::kPolyline);
  EXPECT_EQ(old->classes[0].evidence, LineEvidence::kCurb);
  const Expected<Annotations> bad = parse_pcanno_document(
      R"({"format": "pcanno", "version": 1, "classes": [{"name": "X", "shape": "line"}]})",
      "bad.json");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().describe().find("/classes/0/shape"), std::string::npos)
      << bad.error().describe();
  EXPECT_NE(bad.error().describe().find("one of box, polyline"), std::string::npos)
      << bad.error().describe();
}

}  // namespace
}  // namespace pcanno::formats
