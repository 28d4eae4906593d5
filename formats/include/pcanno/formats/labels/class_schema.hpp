#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

// The class schema: what pcanno knows about a class of objects. A document carries its own schema
// (Annotations::classes); the built-in default schema (default_class_schema()) fills in what a
// document leaves out, by class name. QA, box fitting and track completion read a class's size
// prior and motion profile from here (Annotations::class_or_default) rather than testing the class
// name, so a new class ("Forklift") behaves like a vehicle by saying so in the schema; a new box
// without a class gets Annotations::default_class().

namespace pcanno::formats {

/// How objects of a class move. kUnknown is what a class the default schema does not know gets:
/// the loosest QA limits and no heading prior, so that pcanno judges nothing it cannot know.
enum class MotionKind { kVehicle, kPedestrian, kCyclist, kStatic, kUnknown };
const char* to_string(
    MotionKind kind);  ///< "vehicle", "pedestrian", "cyclist", "static", "unknown"
std::optional<MotionKind> motion_kind_from_string(std::string_view s);

/// Plausible motion of a class, for QA: above a limit is a warning, above twice it an error.
/// Speed and acceleration are measured in the xy-plane of the world frame.
struct MotionLimits {
  double speed = 50.0;         ///< [m/s]
  double acceleration = 10.0;  ///< [m/s^2]
  double yaw_rate = 6.0;       ///< [rad/s]
};
bool operator==(const MotionLimits& a, const MotionLimits& b);
inline bool operator!=(const MotionLimits& a, const MotionLimits& b) { return !(a == b); }

/// A class's motion: its kind, the QA limits and the track-completion setting.
struct MotionProfile {
  MotionKind kind = MotionKind::kUnknown;
  MotionLimits limits;
  /// Track completion: the object moves the way it points (cars, bicycles: they cannot move
  /// sideways), so the interpolated path leaves each keyframe along the box's heading
  /// (geometry::TangentMode::kHeadingAligned). False: along the keyframes' positions alone
  /// (pedestrians step sideways and turn on the spot).
  bool moves_along_heading = false;
};
bool operator==(const MotionProfile& a, const MotionProfile& b);
inline bool operator!=(const MotionProfile& a, const MotionProfile& b) { return !(a == b); }

/// The built-in profile of each kind:
/// - vehicle: 50 m/s, 10 m/s^2, 1.5 rad/s, moves along its heading;
/// - pedestrian: 4 m/s, 5 m/s^2, 6 rad/s;
/// - cyclist: 15 m/s, 6 m/s^2, 3 rad/s, moves along its heading;
/// - static: 1 m/s, 5 m/s^2 (label jitter), 6 rad/s (cones and barriers have no real heading);
/// - unknown: 50 m/s, 10 m/s^2, 6 rad/s (the loosest of the others), MotionProfile{}.
MotionProfile default_motion_profile(MotionKind kind);

/// What a class's annotations are: boxes around objects, or polylines along lanes and curbs.
enum class ShapeKind { kBox, kPolyline };
const char* to_string(ShapeKind kind);  ///< "box", "polyline"
std::optional<ShapeKind> shape_kind_from_string(std::string_view s);

/// What a polyline of a class follows in a scan: one-click tracing and propagation look for it.
/// kMarking: a ridge of high intensity on the ground (lane markings, stop lines, crosswalks);
/// kCurb: a step in height (curbs, road edges); kNone: nothing to follow (the line stays where it
/// is drawn, carried through the world frame).
enum class LineEvidence { kNone, kMarking, kCurb };
const char* to_string(LineEvidence evidence);  ///< "none", "marking", "curb"
std::optional<LineEvidence> line_evidence_from_string(std::string_view s);

/// Attribute values as stored: name -> value ("occlusion" -> "partly", "vehicle.moving" ->
/// "true"). Typed values are text too: a bool is "true" or "false", a number its decimal text.
using AttributeMap = std::map<std::string, std::string, std::less<>>;

/// The type of an attribute's value, which decides how an editor offers it and how exporters write
/// it: kEnum one of AttributeSpec::values; kBool "true" or "false"; kNumber a finite decimal number
/// within AttributeSpec::min/max; kText any text.
enum class AttributeType { kEnum, kBool, kNumber, kText };
const char* to_string(AttributeType type);  ///< "enum", "bool", "number", "text"
std::optional<AttributeType> attribute_type_from_string(std::string_view s);

/// Where an attribute's value lives: kTrack once per track (Track::attributes, a polyline's
/// PolylineTrack::attributes), kFrame per box (BoxState::attributes).
enum class AttributeScope { kTrack, kFrame };
const char* to_string(AttributeScope scope);  ///< "track", "frame"
std::optional<AttributeScope> attribute_scope_from_string(std::string_view s);

/// One declared attribute of a class, or one scene or frame tag of the schema.
struct AttributeSpec {
  std::string name;
  AttributeType type = AttributeType::kText;
  std::vector<std::string> values;  ///< kEnum: the allowed values, in the order offered
  std::optional<double> min;        ///< kNumber: lowest allowed value, inclusive
  std::optional<double> max;        ///< kNumber: highest allowed value, inclusive
  std::string default_value;        ///< what an editor proposes; "" none
  bool mandatory = false;           ///< QA reports a track, box, scene or frame without it
  AttributeScope scope = AttributeScope::kTrack;  ///< class attributes only; tags ignore it
};
bool operator==(const AttributeSpec& a, const AttributeSpec& b);
inline bool operator!=(const AttributeSpec& a, const AttributeSpec& b) { return !(a == b); }

/// The whole of `text` as a finite number (how a number attribute's value is read everywhere);
/// std::nullopt for anything else ("1.5m", "", "nan").
std::optional<double> parse_attribute_number(std::string_view text);

/// Why `value` is not a valid value of `spec` ("\"maybe\" is not one of none, partly, fully"),
/// or std::nullopt when it is.
std::optional<std::string> attribute_value_problem(const AttributeSpec& spec,
                                                   std::string_view value);

/// The allowed values of `spec` in words, for messages: "one of none, partly", "true or false",
/// "a number from 0 to 1", "any text".
std::string describe_allowed(const AttributeSpec& spec);

/// The spec named `name` in `specs`, nullptr when none.
const AttributeSpec* find_attribute(const std::vector<AttributeSpec>& specs,
                                    std::string_view name);

/// One class of the label schema.
struct ClassSpec {
  std::string name;                                  ///< as the tracks' labels spell it
  std::array<std::uint8_t, 3> color{200, 200, 200};  ///< RGB for the viewer
  /// Size prior: l, w, h [m] of a typical object. A one-click box starts at this size, and box
  /// fitting completes a sparse object's unseen extent with it.
  Eigen::Vector3d default_size{4.0, 1.8, 1.6};
  MotionProfile motion;  ///< how the class moves (QA limits, track completion)
  ShapeKind shape = ShapeKind::kBox;  ///< boxes or polylines
  bool closed = false;  ///< polyline classes: a new line is an area (closed), e.g. a crosswalk
  LineEvidence evidence = LineEvidence::kNone;  ///< polyline classes: what the line follows
  /// Box classes: objects stand upright (pitch and roll stay 0) unless their track says
  /// Track::free_tilt. Editors lock the tilt; formats that store only yaw lose nothing.
  bool upright = true;
  /// Declared attributes, in the order editors show them. Attributes a class does not declare
  /// stay free-form (imported datasets carry many); declared ones must hold a valid value.
  std::vector<AttributeSpec> attributes;

  const AttributeSpec* attribute(std::string_view attribute_name) const {
    return find_attribute(attributes, attribute_name);
  }
};

/// Checks setting `key` := `value` on an object of class `spec` at `scope`: kMalformed, naming the
/// class, the attribute, the value and what is allowed, when the class declares `key` with another
/// scope or the value is not valid for it. Undeclared keys pass (free-form attributes).
std::optional<std::string> class_attribute_problem(const ClassSpec& spec, AttributeScope scope,
                                                   std::string_view key, std::string_view value);

/// The mandatory attributes of `spec` at `scope` that `values` lacks (an empty value counts as
/// missing), in declaration order.
std::vector<const AttributeSpec*> missing_mandatory(const ClassSpec& spec, AttributeScope scope,
                                                    const AttributeMap& values);

/// The same for tags (scene tags of a document, frame tags of a frame): scope is not consulted.
std::vector<const AttributeSpec*> missing_mandatory(const std::vector<AttributeSpec>& specs,
                                                    const AttributeMap& values);

/// The built-in schema: the KITTI classes (the first, the car, is the default class of a new box),
/// then the nuScenes categories and the flat Lyft names, each with its motion profile and a typical
/// size, then the polyline classes (lane marking, the default of a new polyline; curb, road edge,
/// stop line, crosswalk area) with their attributes (marking type and colour, curb height). Colours are derived from the names, as make_class_spec() gives them. The only place in the
/// engine that knows class names.
const std::vector<ClassSpec>& default_class_schema();

/// The default schema's class named `name`: an exact match, else the first whose name equals it
/// ignoring ASCII case ("car" from a class map gets the car's profile). nullptr when none.
const ClassSpec* default_class_spec(std::string_view name);

/// The class an importer, a document without the details or a new box creates: the default
/// schema's entry under `name` (renamed to `name`) when it has one; else an unknown class with the
/// generic size (a ClassSpec{}). Either way the colour is derived from the name, so a class looks
/// the same every time it is created.
ClassSpec make_class_spec(std::string_view name);

}  // namespace pcanno::formats
