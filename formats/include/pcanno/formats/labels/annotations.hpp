#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pcanno/formats/labels/class_schema.hpp"
#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/geometry/polyline.hpp"

namespace pcanno::formats {

/// How a box or polyline came to be. Exporters keep it; QA and the timeline colour by it.
enum class Provenance { kManual, kInterpolated, kTracked, kFitted, kImported, kModel };
const char* to_string(Provenance p);  ///< "manual", "interpolated", ...
std::optional<Provenance> provenance_from_string(std::string_view s);

/// The frame a shape is expressed in. kLidar: the sensor frame of the shape's own frame (what KITTI
/// labels give); kWorld: the sequence's world frame, linked to kLidar by FrameRef::T_world_lidar
/// (what nuScenes gives, and what interpolation wants).
enum class ShapeFrame { kLidar, kWorld };
const char* to_string(ShapeFrame f);  ///< "lidar", "world"
std::optional<ShapeFrame> shape_frame_from_string(std::string_view s);

/// Free-form attributes: name -> value ("occlusion" -> "partly", "vehicle.moving" -> "true").
using AttributeMap = std::map<std::string, std::string, std::less<>>;

/// KITTI image-side fields, kept so a KITTI -> pcanno -> KITTI round trip reproduces every column.
struct KittiCameraFields {
  double truncated = 0.0;        ///< object: 0..1; tracking: 0/1/2
  int occluded = 0;              ///< 0..3
  double alpha = 0.0;            ///< [rad] as imported
  std::array<double, 4> bbox{};  ///< 2D box in image_2 [px]: left, top, right, bottom
};

/// nuScenes per-annotation fields that have no geometric meaning but must survive a round trip.
struct NuscenesFields {
  std::string annotation_token;  ///< sample_annotation token as imported
  std::string visibility_token;  ///< "1".."4" or ""
  int num_lidar_pts = -1;
  int num_radar_pts = -1;
};

/// A track's box at one frame.
struct BoxState {
  std::int64_t frame = 0;  ///< index into Annotations::frames
  geometry::Cuboid box;    ///< in `shape_frame`
  ShapeFrame shape_frame = ShapeFrame::kLidar;
  Provenance provenance = Provenance::kManual;
  bool keyframe = true;         ///< set by a person (or imported as ground truth)
  std::optional<double> score;  ///< detector confidence, model boxes
  AttributeMap attributes;      ///< frame-level attributes of this object
  std::optional<KittiCameraFields> kitti;
  std::optional<NuscenesFields> nuscenes;
};

/// One object over time: stable id, one class, at most one box per frame (sorted by frame).
struct Track {
  std::int64_t id = 0;
  std::string label;        ///< class name, a ClassSpec::name
  AttributeMap attributes;  ///< track-level attributes
  std::string source_id;    ///< id in the source format (nuScenes instance token), for round trips
  std::vector<BoxState> boxes;
  /// Pitch and roll may be edited although the class is upright (ClassSpec::upright): a truck on
  /// a ramp, a car parked with two wheels on a kerb.
  bool free_tilt = false;

  const BoxState* at(std::int64_t frame) const;  ///< nullptr when the track has no box there
  BoxState* at(std::int64_t frame);
};

/// A polyline track (lane line, curb) at one frame.
struct PolylineState {
  std::int64_t frame = 0;
  geometry::Polyline line;  ///< in `shape_frame`
  ShapeFrame shape_frame = ShapeFrame::kLidar;
  Provenance provenance = Provenance::kManual;
  bool keyframe = true;
  AttributeMap attributes;
};

struct PolylineTrack {
  std::int64_t id = 0;
  std::string label;
  AttributeMap attributes;
  std::vector<PolylineState> states;  ///< sorted by frame

  const PolylineState* at(std::int64_t frame) const;  ///< nullptr when it has no line there
  PolylineState* at(std::int64_t frame);
};

/// Per-frame facts of the labelled sequence.
struct FrameInfo {
  std::string name;                ///< "000042", a sample_data token, a file stem
  std::int64_t timestamp_us = -1;  ///< [us], -1 unknown
  AttributeMap attributes;         ///< frame-level attributes (weather, ...)
  std::string source_token;        ///< nuScenes sample token of a keyframe
};

/// An image region marked "not labelled" (KITTI DontCare rows), kept verbatim for round trips.
struct IgnoreRegion {
  std::int64_t frame = 0;
  std::array<double, 4> bbox{};  ///< [px] left, top, right, bottom in image_2
  std::string label = "DontCare";
};

/// Where the labelled data lives.
struct SequenceRef {
  std::string layout;  ///< "kitti-tracking", ..., as formats::Sequence::layout
  std::string path;    ///< dataset root as given (relative paths are relative to the document)
  std::string name;    ///< sequence or scene name
};

/// The content of an annotation document: schema, tracks, polylines, frames. Every codec reads into
/// and writes from this; the engine's plugin::Session owns one and edits it with commands, undo and
/// the journal.
struct Annotations {
  SequenceRef sequence;
  std::vector<ClassSpec> classes;
  std::vector<FrameInfo> frames;
  std::vector<Track> tracks;
  std::vector<PolylineTrack> polylines;
  std::vector<IgnoreRegion> ignore_regions;
  AttributeMap attributes;  ///< document-level metadata (source format, tool, ...)

  const Track* track(std::int64_t id) const;
  Track* track(std::int64_t id);
  const PolylineTrack* polyline(std::int64_t id) const;
  PolylineTrack* polyline(std::int64_t id);
  const ClassSpec* class_spec(std::string_view name) const;
  /// The class `name` as this document defines it, else as make_class_spec() creates it (from the
  /// default schema, or an unknown class). Size priors and motion profiles are read through this.
  ClassSpec class_or_default(std::string_view name) const;
  /// The class a new box (or polyline) gets when the caller names none: the document's first
  /// class of that shape, else the default schema's first. Put a class first in `classes` to make
  /// it the default.
  std::string default_class(ShapeKind shape = ShapeKind::kBox) const;
  /// Adds make_class_spec(name) unless a class of that name is present; returns it.
  ClassSpec& ensure_class(std::string_view name);
  std::size_t box_count() const;
  /// Sorts tracks by id, and boxes and polyline states by frame.
  void normalize();
};

}  // namespace pcanno::formats
