#include "pcanno/formats/labels/class_schema.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <utility>

namespace pcanno::formats {
namespace {

constexpr std::pair<MotionKind, const char*> kMotionKindNames[] = {
    {MotionKind::kVehicle, "vehicle"}, {MotionKind::kPedestrian, "pedestrian"},
    {MotionKind::kCyclist, "cyclist"}, {MotionKind::kStatic, "static"},
    {MotionKind::kUnknown, "unknown"},
};

/// A stable colour per class name, so that classes created on import look the same every time.
std::array<std::uint8_t, 3> color_for(std::string_view name) {
  std::uint32_t h = 2166136261u;  // FNV-1a
  for (char c : name) h = (h ^ static_cast<std::uint8_t>(c)) * 16777619u;
  return {static_cast<std::uint8_t>(64 + (h & 0x7f)),
          static_cast<std::uint8_t>(64 + ((h >> 8) & 0x7f)),
          static_cast<std::uint8_t>(64 + ((h >> 16) & 0x7f))};
}

constexpr std::pair<ShapeKind, const char*> kShapeKindNames[] = {
    {ShapeKind::kBox, "box"}, {ShapeKind::kPolyline, "polyline"}};

constexpr std::pair<AttributeType, const char*> kAttributeTypeNames[] = {
    {AttributeType::kEnum, "enum"},
    {AttributeType::kBool, "bool"},
    {AttributeType::kNumber, "number"},
    {AttributeType::kText, "text"}};

constexpr std::pair<AttributeScope, const char*> kAttributeScopeNames[] = {
    {AttributeScope::kTrack, "track"}, {AttributeScope::kFrame, "frame"}};

constexpr std::pair<LineEvidence, const char*> kLineEvidenceNames[] = {
    {LineEvidence::kNone, "none"},
    {LineEvidence::kMarking, "marking"},
    {LineEvidence::kCurb, "curb"}};

template <typename E, std::size_t N>
const char* name_of(const std::pair<E, const char*> (&names)[N], E value, const char* fallback) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return fallback;
}

template <typename E, std::size_t N>
std::optional<E> value_of(const std::pair<E, const char*> (&names)[N], std::string_view s) {
  for (const auto& [v, name] : names) {
    if (s == name) return v;
  }
  return std::nullopt;
}

bool iequals(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [&](char x, char y) { return lower(x) == lower(y); });
}

struct Entry {
  const char* name;
  MotionKind kind;
  double l, w, h;  ///< typical size [m]
};

// Typical sizes of each dataset's classes (rounded means of their labels), so that a first click
// on a class gives a box close to the object rather than a car-sized one.
constexpr Entry kDefaultSchema[] = {
    // KITTI object and tracking benchmarks. The first entry is the default class of a new box.
    {"Car", MotionKind::kVehicle, 4.0, 1.8, 1.6},
    {"Van", MotionKind::kVehicle, 5.0, 2.0, 2.2},
    {"Truck", MotionKind::kVehicle, 8.0, 2.6, 3.2},
    {"Pedestrian", MotionKind::kPedestrian, 0.8, 0.7, 1.75},
    {"Person_sitting", MotionKind::kPedestrian, 0.8, 0.6, 1.3},
    {"Person", MotionKind::kPedestrian, 0.8, 0.7, 1.75},
    {"Cyclist", MotionKind::kCyclist, 1.8, 0.7, 1.7},
    {"Tram", MotionKind::kVehicle, 15.0, 2.6, 3.5},
    {"Misc", MotionKind::kUnknown, 4.0, 1.8, 1.6},
    // nuScenes detection categories.
    {"vehicle.car", MotionKind::kVehicle, 4.0, 1.8, 1.6},
    {"vehicle.truck", MotionKind::kVehicle, 8.0, 2.6, 3.2},
    {"vehicle.bus.bendy", MotionKind::kVehicle, 11.0, 2.9, 3.4},
    {"vehicle.bus.rigid", MotionKind::kVehicle, 11.0, 2.9, 3.4},
    {"vehicle.trailer", MotionKind::kVehicle, 10.0, 2.6, 3.8},
    {"vehicle.construction", MotionKind::kVehicle, 6.5, 2.8, 3.2},
    {"vehicle.emergency.ambulance", MotionKind::kVehicle, 6.0, 2.3, 2.6},
    {"vehicle.emergency.police", MotionKind::kVehicle, 5.0, 2.0, 1.8},
    {"vehicle.motorcycle", MotionKind::kVehicle, 2.1, 0.8, 1.5},
    {"vehicle.bicycle", MotionKind::kCyclist, 1.8, 0.7, 1.2},
    {"human.pedestrian.adult", MotionKind::kPedestrian, 0.8, 0.7, 1.75},
    {"human.pedestrian.child", MotionKind::kPedestrian, 0.5, 0.5, 1.3},
    {"human.pedestrian.construction_worker", MotionKind::kPedestrian, 0.8, 0.7, 1.75},
    {"human.pedestrian.police_officer", MotionKind::kPedestrian, 0.8, 0.7, 1.75},
    {"human.pedestrian.personal_mobility", MotionKind::kPedestrian, 1.2, 0.6, 1.7},
    {"human.pedestrian.stroller", MotionKind::kPedestrian, 1.0, 0.6, 1.1},
    {"human.pedestrian.wheelchair", MotionKind::kPedestrian, 1.1, 0.7, 1.3},
    {"animal", MotionKind::kUnknown, 0.9, 0.4, 0.7},
    // Pushed by a person: they move at walking pace when they move at all.
    {"movable_object.pushable_pullable", MotionKind::kPedestrian, 0.7, 0.6, 1.0},
    {"movable_object.barrier", MotionKind::kStatic, 0.5, 2.5, 1.0},
    {"movable_object.trafficcone", MotionKind::kStatic, 0.4, 0.4, 0.9},
    {"movable_object.debris", MotionKind::kStatic, 0.5, 0.5, 0.3},
    {"static_object.bicycle_rack", MotionKind::kStatic, 2.5, 1.0, 1.2},
    // Lyft Level 5 (nuScenes layout, flat names); car, pedestrian and truck match the KITTI
    // classes ignoring case, animal the nuScenes one.
    {"bus", MotionKind::kVehicle, 11.0, 2.9, 3.4},
    {"other_vehicle", MotionKind::kVehicle, 8.0, 2.6, 3.2},
    {"emergency_vehicle", MotionKind::kVehicle, 5.5, 2.1, 2.2},
    {"motorcycle", MotionKind::kVehicle, 2.1, 0.8, 1.5},
    {"bicycle", MotionKind::kCyclist, 1.8, 0.7, 1.2},
};

/// A polyline class: what it follows in the cloud, whether a new one is an area, and the
/// attributes it alone has (besides a marking's colour).
struct LineEntry {
  const char* name;
  LineEvidence evidence;
  bool closed;
  std::vector<AttributeSpec> attributes;
};

AttributeSpec enum_attribute(const char* name, std::vector<std::string> values) {
  AttributeSpec spec;
  spec.name = name;
  spec.type = AttributeType::kEnum;
  spec.values = std::move(values);
  return spec;
}

AttributeSpec curb_height() {
  AttributeSpec spec;
  spec.name = "height";  // [m] above the road
  spec.type = AttributeType::kNumber;
  spec.min = 0.0;
  return spec;
}

// The first is the default class of a new polyline. Road edges without a kerb (grass, gravel)
// still change height at the asphalt's border, so they follow the height step as curbs do. A
// curb's "height" is a number of metres.
const LineEntry kDefaultLineSchema[] = {
    {"Lane marking",
     LineEvidence::kMarking,
     false,
     {enum_attribute("marking", {"solid", "dashed", "double"})}},
    {"Curb", LineEvidence::kCurb, false, {curb_height()}},
    {"Road edge", LineEvidence::kCurb, false, {}},
    {"Stop line", LineEvidence::kMarking, false, {}},
    {"Crosswalk area", LineEvidence::kMarking, true, {}},
};

std::vector<ClassSpec> build_default_schema() {
  std::vector<ClassSpec> out;
  for (const Entry& e : kDefaultSchema) {
    ClassSpec spec;
    spec.name = e.name;
    spec.color = color_for(e.name);
    spec.default_size = Eigen::Vector3d(e.l, e.w, e.h);
    spec.motion = default_motion_profile(e.kind);
    out.push_back(std::move(spec));
  }
  for (const LineEntry& e : kDefaultLineSchema) {
    ClassSpec spec;
    spec.name = e.name;
    spec.color = color_for(e.name);
    spec.motion = default_motion_profile(MotionKind::kStatic);
    spec.shape = ShapeKind::kPolyline;
    spec.closed = e.closed;
    spec.evidence = e.evidence;
    spec.attributes = e.attributes;
    if (e.evidence == LineEvidence::kMarking) {
      spec.attributes.push_back(enum_attribute("colour", {"white", "yellow"}));
    }
    out.push_back(std::move(spec));
  }
  return out;
}

}  // namespace

const char* to_string(ShapeKind kind) { return name_of(kShapeKindNames, kind, "box"); }

std::optional<ShapeKind> shape_kind_from_string(std::string_view s) {
  return value_of(kShapeKindNames, s);
}

const char* to_string(LineEvidence evidence) {
  return name_of(kLineEvidenceNames, evidence, "none");
}

std::optional<LineEvidence> line_evidence_from_string(std::string_view s) {
  return value_of(kLineEvidenceNames, s);
}

const char* to_string(AttributeType type) { return name_of(kAttributeTypeNames, type, "text"); }

std::optional<AttributeType> attribute_type_from_string(std::string_view s) {
  return value_of(kAttributeTypeNames, s);
}

const char* to_string(AttributeScope scope) {
  return name_of(kAttributeScopeNames, scope, "track");
}

std::optional<AttributeScope> attribute_scope_from_string(std::string_view s) {
  return value_of(kAttributeScopeNames, s);
}

bool operator==(const AttributeSpec& a, const AttributeSpec& b) {
  return a.name == b.name && a.type == b.type && a.values == b.values && a.min == b.min &&
         a.max == b.max && a.default_value == b.default_value && a.mandatory == b.mandatory &&
         a.scope == b.scope;
}

std::optional<double> parse_attribute_number(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  const std::string copy(text);
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || errno == ERANGE || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

namespace {

std::string number_text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace

std::string describe_allowed(const AttributeSpec& spec) {
  switch (spec.type) {
    case AttributeType::kEnum: {
      std::string out = "one of ";
      for (std::size_t i = 0; i < spec.values.size(); ++i) {
        out += (i ? ", " : "") + spec.values[i];
      }
      return spec.values.empty() ? "no value (the list of values is empty)" : out;
    }
    case AttributeType::kBool:
      return "true or false";
    case AttributeType::kNumber:
      if (spec.min && spec.max) {
        return "a number from " + number_text(*spec.min) + " to " + number_text(*spec.max);
      }
      if (spec.min) return "a number of at least " + number_text(*spec.min);
      if (spec.max) return "a number of at most " + number_text(*spec.max);
      return "a number";
    case AttributeType::kText:
      break;
  }
  return "any text";
}

std::optional<std::string> attribute_value_problem(const AttributeSpec& spec,
                                                   std::string_view value) {
  bool ok = true;
  switch (spec.type) {
    case AttributeType::kEnum:
      ok = std::find(spec.values.begin(), spec.values.end(), value) != spec.values.end();
      break;
    case AttributeType::kBool:
      ok = value == "true" || value == "false";
      break;
    case AttributeType::kNumber: {
      const std::optional<double> number = parse_attribute_number(value);
      ok = number && !(spec.min && *number < *spec.min) && !(spec.max && *number > *spec.max);
      break;
    }
    case AttributeType::kText:
      break;
  }
  if (ok) return std::nullopt;
  return "\"" + std::string(value) + "\" is not " + describe_allowed(spec);
}

const AttributeSpec* find_attribute(const std::vector<AttributeSpec>& specs,
                                    std::string_view name) {
  for (const AttributeSpec& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::optional<std::string> class_attribute_problem(const ClassSpec& spec, AttributeScope scope,
                                                   std::string_view key, std::string_view value) {
  const AttributeSpec* attribute = spec.attribute(key);
  if (attribute == nullptr) return std::nullopt;
  const std::string where = "class \"" + spec.name + "\", attribute \"" + std::string(key) + "\"";
  // A polyline has no per-frame attributes: the schema's scope applies to boxes only.
  if (spec.shape == ShapeKind::kBox && attribute->scope != scope) {
    return where + ": set per " + to_string(attribute->scope) + ", not per " + to_string(scope);
  }
  if (const std::optional<std::string> problem = attribute_value_problem(*attribute, value)) {
    return where + ": " + *problem;
  }
  return std::nullopt;
}

std::vector<const AttributeSpec*> missing_mandatory(const ClassSpec& spec, AttributeScope scope,
                                                    const AttributeMap& values) {
  std::vector<const AttributeSpec*> out;
  for (const AttributeSpec& a : spec.attributes) {
    const bool in_scope =
        spec.shape == ShapeKind::kPolyline ? scope == AttributeScope::kTrack : a.scope == scope;
    if (!a.mandatory || !in_scope) continue;
    const auto it = values.find(a.name);
    if (it == values.end() || it->second.empty()) out.push_back(&a);
  }
  return out;
}

std::vector<const AttributeSpec*> missing_mandatory(const std::vector<AttributeSpec>& specs,
                                                    const AttributeMap& values) {
  std::vector<const AttributeSpec*> out;
  for (const AttributeSpec& a : specs) {
    if (!a.mandatory) continue;
    const auto it = values.find(a.name);
    if (it == values.end() || it->second.empty()) out.push_back(&a);
  }
  return out;
}

const char* to_string(MotionKind kind) { return name_of(kMotionKindNames, kind, "unknown"); }

std::optional<MotionKind> motion_kind_from_string(std::string_view s) {
  return value_of(kMotionKindNames, s);
}

bool operator==(const MotionLimits& a, const MotionLimits& b) {
  return a.speed == b.speed && a.acceleration == b.acceleration && a.yaw_rate == b.yaw_rate;
}

bool operator==(const MotionProfile& a, const MotionProfile& b) {
  return a.kind == b.kind && a.limits == b.limits && a.moves_along_heading == b.moves_along_heading;
}

MotionProfile default_motion_profile(MotionKind kind) {
  switch (kind) {
    case MotionKind::kVehicle:
      return {kind, {50.0, 10.0, 1.5}, true};
    case MotionKind::kPedestrian:
      return {kind, {4.0, 5.0, 6.0}, false};
    case MotionKind::kCyclist:
      return {kind, {15.0, 6.0, 3.0}, true};
    case MotionKind::kStatic:
      return {kind, {1.0, 5.0, 6.0}, false};
    case MotionKind::kUnknown:
      break;
  }
  return {};
}

const std::vector<ClassSpec>& default_class_schema() {
  static const std::vector<ClassSpec> schema = build_default_schema();
  return schema;
}

const ClassSpec* default_class_spec(std::string_view name) {
  const std::vector<ClassSpec>& schema = default_class_schema();
  for (const ClassSpec& c : schema) {
    if (c.name == name) return &c;
  }
  for (const ClassSpec& c : schema) {
    if (iequals(c.name, name)) return &c;
  }
  return nullptr;
}

ClassSpec make_class_spec(std::string_view name) {
  ClassSpec spec;
  if (const ClassSpec* known = default_class_spec(name)) spec = *known;
  spec.name = std::string(name);
  spec.color = color_for(name);
  return spec;
}

}  // namespace pcanno::formats
