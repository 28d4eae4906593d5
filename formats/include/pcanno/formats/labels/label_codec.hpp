#pragma once
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/support/expected.hpp"

namespace pcanno::formats {

/// One class correspondence between pcanno's names and a target format's (KITTI "Cyclist" <->
/// nuScenes "vehicle.bicycle" with the attribute "cycle.with_rider").
struct ClassMapping {
  std::string name;                     ///< class name in the document
  std::string external;                 ///< the target format's category
  std::vector<std::string> attributes;  ///< target attributes implied by the class (nuScenes names)
};

/// A list of class correspondences; the first match wins in both directions.
struct ClassMap {
  std::vector<ClassMapping> entries;

  const ClassMapping* to_external(std::string_view name) const;
  const ClassMapping* from_external(std::string_view external) const;
};

/// KITTI <-> nuScenes defaults: Car -> vehicle.car, Van -> vehicle.car, Truck -> vehicle.truck,
/// Pedestrian and Person(_sitting) -> human.pedestrian.adult, Cyclist -> vehicle.bicycle +
/// cycle.with_rider, Tram -> vehicle.bus.rigid, Misc -> movable_object.debris.
ClassMap default_nuscenes_class_map();

/// Reads a class map: a JSON object {"Car": "vehicle.car", "Cyclist": {"category":
/// "vehicle.bicycle", "attributes": ["cycle.with_rider"]}}. Errors name the JSON pointer of the bad
/// entry.
Expected<ClassMap> read_class_map(const std::filesystem::path& path);

/// What a codec may need besides the labels: the sequence (calibration, poses, frames, points) and
/// class correspondences. Every member is optional; a codec that needs one and lacks it fails with
/// a message saying which option supplies it (`--sequence`, `--class-map`).
struct LabelContext {
  const Sequence* sequence = nullptr;
  const ClassMap* class_map = nullptr;
  bool overwrite = false;            ///< writers: replace existing output
  bool include_outside_fov = false;  ///< KITTI object: also write boxes outside the camera's view
  bool keyframes_only = true;        ///< nuScenes: annotate keyframes only, not every frame
  /// Fraction done in [0, 1]; returning false cancels (kCancelled) and nothing is written.
  std::function<bool(double)> progress;
  /// Readers: labels on frames past the end of `sequence` add frames (named by index, with the
  /// calibration of the sequence's last frame) instead of being an error. For commands that take
  /// the calibration from a dataset holding fewer clouds than the labels cover and crop the
  /// document to the clouds afterwards (`pcanno track`).
  bool frames_beyond_sequence = false;
};

/// What a writer did, for the command's closing summary. Every writer accounts for every box,
/// polyline state and ignore region of the document: each is either written (counted here) or
/// dropped (counted in `dropped` under a reason naming what and why), never lost silently.
struct WriteReport {
  std::vector<std::filesystem::path> written;  ///< files or folders created
  std::size_t boxes_written = 0;
  /// Reason -> count of what was left out. A reason starts with the kind, then the cause, so that
  /// "<count> <reason>" reads as a sentence: "boxes outside the camera's field of view",
  /// "polyline states: KITTI labels hold boxes only", ...
  std::map<std::string, std::size_t> dropped;
  /// Reason -> count of what was written but not in full (it lost a part the format cannot hold),
  /// read the same way: "boxes with pitch or roll written upright: KITTI stores yaw only".
  std::map<std::string, std::size_t> warnings;
  std::size_t polyline_states_written = 0;  ///< polyline shapes, one per track and frame
  std::size_t ignore_regions_written = 0;   ///< KITTI DontCare rows and the like
};

/// One line for a status bar or a log: "wrote 15 boxes, 10 ignore regions; dropped 2 polyline
/// states: KITTI labels hold boxes only; warning: 1 boxes with pitch or roll written upright:
/// KITTI stores yaw only". Zero counts are left out.
std::string summarize(const WriteReport& report);

/// The polyline states of a document, for writers that cannot hold polylines.
std::size_t polyline_state_count(const Annotations& annotations);

/// One label format. `read` and `write` may each be empty when a direction is not supported.
struct LabelCodec {
  std::string id;           ///< "kitti-object", "kitti-tracking", "nuscenes", "openlabel", "pcanno"
  std::string description;  ///< one line for --help and `pcanno plugins`
  int priority = 0;
  /// True when `path` looks like this format's input (a file or folder); cheap.
  std::function<bool(const std::filesystem::path&)> detect;
  std::function<Expected<Annotations>(const std::filesystem::path&, const LabelContext&)> read;
  std::function<Expected<WriteReport>(const Annotations&, const std::filesystem::path&,
                                      const LabelContext&)>
      write;
};

/// Label codecs by id; detection picks the highest-priority codec whose detect() accepts a path.
class LabelCodecRegistry {
 public:
  void add(LabelCodec codec);  ///< replaces a codec with the same id
  const LabelCodec* find(const std::string& id) const;
  const std::vector<LabelCodec>& codecs() const { return codecs_; }
  /// The codec for reading `path`: `id` when given, else detection; kUnknownFormat lists the ids.
  Expected<const LabelCodec*> select(const std::filesystem::path& path,
                                     const std::string& id = "") const;

  static LabelCodecRegistry with_builtin_codecs();

 private:
  std::vector<LabelCodec> codecs_;
};

const LabelCodecRegistry& default_label_codecs();

}  // namespace pcanno::formats
