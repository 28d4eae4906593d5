#pragma once
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pcanno/formats/annotations.hpp"
#include "pcanno/formats/expected.hpp"
#include "pcanno/formats/sequence.hpp"

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
};

/// What a writer did, for the command's closing summary.
struct WriteReport {
  std::vector<std::filesystem::path> written;  ///< files or folders created
  std::size_t boxes_written = 0;
  /// Reason -> count of boxes or rows left out ("outside the camera's field of view", ...).
  std::map<std::string, std::size_t> dropped;
};

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
