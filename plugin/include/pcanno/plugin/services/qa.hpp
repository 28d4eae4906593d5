#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/support/expected.hpp"

// Quality checks on an annotation document (`pcanno check`, the "check" service). Each finding
// names a check, a severity, a track and a frame, so a reviewer can jump to it.
//
// Checks and their severities (defaults of QaOptions):
// - motion ("speed", "acceleration", "yaw-rate"): between consecutive boxes of a track, in the
//   world frame when every box of the track can be put there (world-frame boxes, or LiDAR boxes
//   with the frame's pose). Speed and acceleration are measured in the xy-plane: label heights
//   jitter by centimetres from frame to frame (and with the ego's pitch in the LiDAR frame), which
//   at 10 Hz would read as metres per second squared. The limits are the class's motion profile
//   (formats/labels/class_schema.hpp): the document's class schema, else the default schema by
//   name (Annotations::class_or_default). Above the class limit: warning; above twice the limit:
//   error. Without poses the motion is measured in the LiDAR frame and includes the ego
//   vehicle's own motion, so these findings are capped at warning and one "ego-motion" info finding
//   says so. Time comes from the document's frame timestamps, else the sequence's, else
//   `nominal_rate_hz`. Acceleration is not reported next to a speed finding (a jump makes both).
// - "heading-flip": the yaw changes by more than `heading_flip` between boxes in adjacent frames:
//   error (a box turned round by the annotator or a tracker). No yaw-rate finding for that pair.
// - "size-drift": a box's length, width or height differs from the track's median by more than
//   `size_drift_warning` (warning) or `size_drift_error` (error), relative to the median.
// - "few-points": needs the sequence's clouds. Fewer than `min_points` LiDAR points in the box
//   (counted by count_points_in_boxes, services/box_points.hpp, as the workstation's readout is):
//   warning. No point at all: error for a box that is not a keyframe (made by interpolation,
//   tracking or a model, so the object is likely lost), warning for a keyframe (a person placed it,
//   perhaps on an occluded object). Frames whose cloud cannot be read get a "cloud" warning.
// - "overlap": two boxes of one frame with 3D IoU above `overlap_warning` (warning) or
//   `overlap_error` (error); reported on the lower track id, naming the other.
// Boxes that cannot be put in a common frame with the others get a "frame" warning.
// - ontology (check_attributes): "attribute-value" a declared attribute holds a value its class
//   refuses (wrong type, outside the allowed values or range, or set at the other scope);
//   "attribute-missing" a mandatory attribute is not set on a track (track scope) or a box (frame
//   scope); "tag-value" and "tag-missing" the same for the schema's scene and frame tags. All are
//   errors; attributes and tags the schema does not declare are not checked.

namespace pcanno::plugin {

class Registry;

enum class Severity { kInfo, kWarning, kError };
const char* to_string(Severity s);  ///< "info", "warning", "error"

struct Finding {
  Severity severity = Severity::kWarning;
  std::string check;        ///< "speed", "acceleration", "yaw-rate", "heading-flip", ...
  std::int64_t track = -1;  ///< -1: not about one track
  std::int64_t frame = -1;  ///< -1: about the whole track or document
  std::string message;      ///< for people, with the measured value and the limit
  double value = 0.0;       ///< measured quantity (unit of the check), 0 when none
  double limit = 0.0;       ///< the limit it was compared with, 0 when none
};

/// Plausible motion of one class: a class's MotionProfile::limits in the class schema.
using formats::MotionLimits;

struct QaOptions {
  double nominal_rate_hz = 10.0;             ///< [Hz] when frames have no timestamps
  double heading_flip = 2.6179938779914944;  ///< [rad] 150 degrees
  double size_drift_warning = 0.10;          ///< relative to the track's median
  double size_drift_error = 0.25;
  bool check_points = true;  ///< count points in boxes (reads every annotated frame's cloud)
  std::size_t min_points = 5;
  double overlap_warning = 0.1;  ///< 3D IoU
  double overlap_error = 0.5;
  /// Fraction done in [0, 1]; returning false cancels (kCancelled).
  std::function<bool(double)> progress;
};

struct QaReport {
  std::vector<Finding> findings;  ///< document findings first, then by track, frame, check
  std::size_t tracks = 0;         ///< tracks checked
  std::size_t boxes = 0;          ///< boxes checked
  std::size_t clouds_read = 0;    ///< frames whose points were counted
  bool motion_in_world = true;    ///< false: some track's motion includes the ego motion

  std::size_t count(Severity s) const;
  bool has_errors() const { return count(Severity::kError) > 0; }
};

/// Runs every check on `annotations`. `sequence` (may be null) gives poses, timestamps and the
/// clouds; frame i of the document is frame i of the sequence. Fails only when cancelled.
formats::Expected<QaReport> check_annotations(const formats::Annotations& annotations,
                                              const formats::Sequence* sequence,
                                              const QaOptions& options = {});

/// The ontology findings of check_annotations() alone (qa_attributes.cpp): cheap, no clouds.
std::vector<Finding> check_attributes(const formats::Annotations& annotations);

/// Options from the "check" service's parameters: "min_points" (integer >= 0), "check_points"
/// ("true"/"false"), "nominal_rate_hz" (> 0). Anything else, or a bad value, is kInvalidArgument.
formats::Expected<QaOptions> qa_options_from_parameters(const formats::AttributeMap& parameters);

/// The built-in automation service "check" runs check_annotations() on the session's document and
/// sequence. It changes nothing in the document (no undo step) and succeeds whatever it finds; the
/// findings are kept in the registry the service lives in (copies of a registry share them).
/// Returns the report of its last run in `registry` (a Session's registry()), or nullptr before
/// the first run or when a plugin replaced "check".
const QaReport* last_check_report(const Registry& registry);

}  // namespace pcanno::plugin
