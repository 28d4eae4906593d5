#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "labels/document/json.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/formats/labels/openlabel/codec.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/geometry/pose.hpp"
#include "support/json_pointer.hpp"
#include "support/json_reader.hpp"

// Private to the OpenLABEL codec (openlabel_*.cpp): nlohmann stays out of the public headers.
namespace pcanno::formats::detail::openlabel {

/// Reading: std::map objects, so that a member lookup stays logarithmic in files with thousands of
/// frames (ordered_json searches linearly, and builds objects in quadratic time).
using Json = nlohmann::json;
/// Writing: members in insertion order, printed by pcanno_document_text.
using OrderedJson = DocumentJson;

// Names the writer uses and the reader recognises (docs/formats-openlabel.md).
inline constexpr const char* kCuboidName = "shape3D";
inline constexpr const char* kPolylineName = "polyline3D";
inline constexpr const char* kLidarToWorld = "lidar_to_world";
inline constexpr const char* kSourceResource = "0";  ///< resource uid of Track::source_id

// Attributes of a cuboid or poly3d that carry pcanno's own per-state fields. They live inside the
// shape's "attributes", a namespace apart from the object's text data (the user's attributes),
// so no attribute name is reserved.
inline constexpr const char* kProvenanceAttribute = "provenance";           // text
inline constexpr const char* kKeyframeAttribute = "keyframe";               // boolean
inline constexpr const char* kScoreAttribute = "score";                     // num
inline constexpr const char* kKittiTruncatedAttribute = "kitti.truncated";  // num
inline constexpr const char* kKittiOccludedAttribute = "kitti.occluded";    // num, integer
inline constexpr const char* kKittiAlphaAttribute = "kitti.alpha";          // num
inline constexpr const char* kKittiBboxAttribute = "kitti.bbox";            // vec of 4
inline constexpr const char* kNuscenesAnnotationAttribute = "nuscenes.annotation_token";  // text
inline constexpr const char* kNuscenesVisibilityAttribute = "nuscenes.visibility_token";  // text
inline constexpr const char* kNuscenesLidarPtsAttribute = "nuscenes.num_lidar_pts";       // num
inline constexpr const char* kNuscenesRadarPtsAttribute = "nuscenes.num_radar_pts";       // num
/// poly3d only: the polyline's own id, written when the object's uid differs from it (a box track
/// holds the id: tracks and polylines have separate ids, OpenLABEL objects share one uid space).
inline constexpr const char* kPolylineIdAttribute = "polyline_id";  // num, integer

/// Type checks by JSON pointer; the first failure sticks (support/json_reader.hpp).
using Checker = JsonReader<Json>;

/// The kinds of element data that can become attributes.
enum class ValueKind { kText, kNum, kBoolean, kVec };

/// Receives one named, type-checked entry; false stops the walk (after check.fail).
using ValueSink = std::function<bool(ValueKind kind, const std::string& name, const Json& val,
                                     const Pointer& val_pointer)>;

/// Calls `sink` for each named entry of the text, num, boolean and vec lists of `container` (an
/// object_data, attributes or frame_properties object), each checked for its type. Unnamed entries
/// are skipped: they cannot become attributes.
bool each_value(Checker& check, const Json& container, const Pointer& p, const ValueSink& sink);

/// The text, num and boolean entries of `container` as attributes; vec entries are not kept.
bool plain_values(Checker& check, const Json& container, const Pointer& p, AttributeMap& out);

/// An attribute value as pcanno keeps it: text; numbers in their shortest exact spelling.
std::string value_text(const Json& v);

/// pcanno's per-state fields found in a shape's attributes, and the rest.
struct ShapeFields {
  Provenance provenance = Provenance::kImported;  // a file from elsewhere is imported work
  bool keyframe = true;
  std::optional<double> score;
  std::optional<KittiCameraFields> kitti;
  std::optional<NuscenesFields> nuscenes;
  std::optional<std::int64_t> polyline_id;  ///< kPolylineIdAttribute
  AttributeMap extra;  ///< attributes pcanno has no field for join the state's attributes
};

/// Reads the "attributes" of a cuboid or poly3d: the k*Attribute fields, the rest as `extra`.
bool read_shape_fields(Checker& check, const Json& shape_attributes, const Pointer& p,
                       ShapeFields& out);

/// A transform between two coordinate systems: `T_b_a` maps points in `a` into `b`.
struct Edge {
  std::string a;
  std::string b;
  geometry::Pose T_b_a;
};

/// Where a shape given in some coordinate system goes in pcanno's model.
struct Placement {
  ShapeFrame frame = ShapeFrame::kLidar;
  std::optional<geometry::Pose> T;  ///< T_<frame>_<cs>; empty when the shape is there already
};

/// The coordinate systems of a file: which one is the LiDAR, which one the world, and the static
/// poses between them. Per-frame transforms are read separately and override a static pose of the
/// same pair, as the standard says.
class CoordinateSystems {
 public:
  /// Reads /openlabel/coordinate_systems (and /openlabel/streams, to recognise the LiDAR).
  bool read(Checker& check, const Json& openlabel, const Pointer& p);

  bool is_declared(const std::string& name) const { return declared_.count(name) != 0; }
  bool empty() const { return declared_.empty(); }
  /// "a, b, c" for messages.
  std::string names() const;
  const std::string& lidar() const { return lidar_; }
  const std::string& world() const { return world_; }

  /// Reads one frame's frame_properties/transforms; src and dst must be declared.
  bool frame_transforms(Checker& check, const Json& v, const Pointer& p,
                        std::vector<Edge>& out) const;

  /// Where a shape in coordinate system `cs` lands in a frame with these transforms; nullopt
  /// when no chain of poses leads to the LiDAR or the world coordinate system.
  std::optional<Placement> place(const std::string& cs, const std::vector<Edge>& frame) const;

 private:
  std::map<std::string, std::string> declared_;  ///< name -> type
  std::vector<Edge> static_;                     ///< child -> parent, from pose_wrt_parent
  std::string lidar_;
  std::string world_;
};

/// R = R_a(angles[0]) R_b(angles[1]) R_c(angles[2]) for `sequence` "abc" of the letters X, Y, Z:
/// the standard's "ZYX" takes (rz, ry, rx).
Eigen::Quaterniond euler_rotation(std::string_view sequence, const double* angles);

/// Reads a transform_data object (matrix4x4, quaternion + translation, or euler_angles +
/// translation [+ sequence]) as the pose that maps source points into the destination.
bool read_transform_data(Checker& check, const Json& v, const Pointer& p, geometry::Pose& out);

/// Validates `root` and converts it; never throws except std::bad_alloc.
Expected<Annotations> annotations_from_openlabel(const Json& root, const std::string& path,
                                                 const LabelContext& context);

/// The OpenLABEL tree of `annotations`; refuses content the reader would reject. May throw
/// std::bad_alloc.
Expected<OrderedJson> openlabel_from_annotations(const Annotations& annotations,
                                                 const LabelContext& context, WriteReport& report);

}  // namespace pcanno::formats::detail::openlabel
