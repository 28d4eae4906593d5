#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <Eigen/Geometry>

#include "pcanno/formats/support/expected.hpp"
#include "pcanno/geometry/nuscenes_convention.hpp"
#include "pcanno/geometry/pose.hpp"

namespace pcanno::formats {

// The 13 tables of nuScenes v1.0 and Lyft Level 5 (formats.md 6.1, 6.7). Records keep the file's
// values so that a writer can reproduce the tables; the only normalisations are quaternions
// (unit length) and fractional timestamps (rounded to integer microseconds). Tokens are opaque
// strings of any length: nuScenes uses 32 hex digits, Lyft 64, visibility "1".."4". A link that is
// not set is the empty string, as in the files.

/// Fields a record had beyond the ones below (newer releases, other datasets), kept for writers:
/// name -> compact JSON text of the value, in file order.
using NuscenesExtraFields = std::vector<std::pair<std::string, std::string>>;

struct NuscenesAttribute {
  std::string token;
  std::string name;  ///< "vehicle.moving" (nuScenes), "object_action_running" (Lyft)
  std::string description;
  NuscenesExtraFields extra;
};

/// A sensor's mount on the vehicle body.
struct NuscenesCalibratedSensor {
  std::string token;
  std::string sensor_token;
  Eigen::Vector3d translation = Eigen::Vector3d::Zero();  ///< [m], sensor origin in the ego frame
  Eigen::Quaterniond rotation = Eigen::Quaterniond::Identity();  ///< sensor -> ego; file: w,x,y,z
  /// Camera matrix [px]; empty for LiDAR and radar (the file's `[]`).
  std::optional<Eigen::Matrix3d> camera_intrinsic;
  NuscenesExtraFields extra;

  geometry::Pose T_ego_sensor() const { return geometry::make_pose(rotation, translation); }
};

struct NuscenesCategory {
  std::string token;
  std::string name;  ///< dotted in nuScenes ("vehicle.car"), flat in Lyft ("car")
  std::string description;
  std::optional<int> index;  ///< lidarseg class id; only newer nuScenes releases have it
  NuscenesExtraFields extra;
};

/// The vehicle pose at one sample_data's timestamp (sensors are asynchronous).
struct NuscenesEgoPose {
  std::string token;
  std::int64_t timestamp_us = 0;  ///< [us] since the epoch
  Eigen::Vector3d translation =
      Eigen::Vector3d::Zero();  ///< [m], global (map) frame; z = 0 in nuScenes
  Eigen::Quaterniond rotation = Eigen::Quaterniond::Identity();  ///< ego -> global; file: w,x,y,z
  NuscenesExtraFields extra;

  geometry::Pose T_global_ego() const { return geometry::make_pose(rotation, translation); }
};

/// One tracked object; its annotations form a prev/next chain within one scene.
struct NuscenesInstance {
  std::string token;
  std::string category_token;
  int nbr_annotations = 0;  ///< as written; a cut-down set may hold fewer
  std::string first_annotation_token;
  std::string last_annotation_token;
  NuscenesExtraFields extra;
};

struct NuscenesLog {
  std::string token;
  std::string logfile;        ///< "n015-2018-07-24-11-22-45+0800"; empty in Lyft
  std::string vehicle;        ///< "n015"
  std::string date_captured;  ///< "YYYY-MM-DD"
  std::string location;       ///< "singapore-onenorth", "Palo Alto"
  NuscenesExtraFields extra;
};

struct NuscenesMap {
  std::string token;
  std::vector<std::string> log_tokens;  ///< logs this raster covers
  std::string category;                 ///< "semantic_prior"
  std::string filename;                 ///< relative to the dataroot, "maps/<token>.png"
  NuscenesExtraFields extra;
};

/// An annotated keyframe (2 Hz).
struct NuscenesSample {
  std::string token;
  std::int64_t timestamp_us = 0;  ///< [us] since the epoch
  std::string scene_token;
  std::string prev;
  std::string next;
  NuscenesExtraFields extra;
};

/// One box of one instance in one sample, in the global frame (formats.md 6.3).
struct NuscenesSampleAnnotation {
  std::string token;
  std::string sample_token;
  std::string instance_token;
  std::vector<std::string> attribute_tokens;              ///< at most one in nuScenes
  std::string visibility_token;                           ///< "1".."4"; empty when unknown (Lyft)
  Eigen::Vector3d translation = Eigen::Vector3d::Zero();  ///< [m], geometric centre, global frame
  Eigen::Vector3d size_wlh = Eigen::Vector3d::Ones();     ///< [m], width, length, height
  Eigen::Quaterniond rotation = Eigen::Quaterniond::Identity();  ///< box -> global; file: w,x,y,z
  int num_lidar_pts = 0;                                         ///< -1 = not counted (Lyft)
  int num_radar_pts = 0;
  std::string prev;
  std::string next;
  NuscenesExtraFields extra;

  geometry::NuscenesBox box() const { return {translation, size_wlh, rotation}; }
};

/// One file of one sensor: a keyframe (belongs to sample_token) or a sweep (sample_token is the
/// next keyframe in time). prev/next chain the files of one channel.
struct NuscenesSampleData {
  std::string token;
  std::string sample_token;
  std::string ego_pose_token;
  std::string calibrated_sensor_token;
  std::string filename;    ///< relative to the dataroot: "samples/LIDAR_TOP/...pcd.bin"
  std::string fileformat;  ///< as written: "pcd" (even for .pcd.bin), "jpg"; Lyft "bin", "jpeg"
  int width = 0;           ///< [px]; 0 for LiDAR and radar
  int height = 0;          ///< [px]
  std::int64_t timestamp_us = 0;  ///< [us] since the epoch
  bool is_key_frame = false;
  std::string prev;
  std::string next;
  NuscenesExtraFields extra;
};

/// About 20 s of driving.
struct NuscenesScene {
  std::string token;
  std::string name;  ///< "scene-0061"
  std::string description;
  std::string log_token;
  int nbr_samples = 0;  ///< as written; a cut-down set may hold fewer
  std::string first_sample_token;
  std::string last_sample_token;
  NuscenesExtraFields extra;
};

struct NuscenesSensor {
  std::string token;
  std::string channel;   ///< "LIDAR_TOP", "CAM_FRONT", ...
  std::string modality;  ///< "lidar", "camera", "radar"
  NuscenesExtraFields extra;
};

struct NuscenesVisibility {
  std::string token;  ///< "1".."4"
  std::string level;  ///< "v0-40", "v40-60", "v60-80", "v80-100"
  std::string description;
  NuscenesExtraFields extra;
};

/// Token -> position in the table's vector, one map per table.
struct NuscenesTokenIndex {
  using Map = std::unordered_map<std::string, std::size_t>;
  Map attribute, calibrated_sensor, category, ego_pose, instance, log, map, sample,
      sample_annotation, sample_data, scene, sensor, visibility;
};

/// All tables of one version folder (`<dataroot>/<version>/*.json`), in file order.
struct NuscenesDb {
  std::filesystem::path dataroot;  ///< sample_data and map file names are relative to it
  std::string version;             ///< "v1.0-mini", "v1.01-train", ...

  std::vector<NuscenesAttribute> attributes;
  std::vector<NuscenesCalibratedSensor> calibrated_sensors;
  std::vector<NuscenesCategory> categories;
  std::vector<NuscenesEgoPose> ego_poses;
  std::vector<NuscenesInstance> instances;
  std::vector<NuscenesLog> logs;
  std::vector<NuscenesMap> maps;
  std::vector<NuscenesSample> samples;
  std::vector<NuscenesSampleAnnotation> sample_annotations;
  std::vector<NuscenesSampleData> sample_data;
  std::vector<NuscenesScene> scenes;
  std::vector<NuscenesSensor> sensors;
  std::vector<NuscenesVisibility> visibilities;

  /// Other `*.json` files of the version folder (lidarseg, panoptic, ...): not loaded, listed so
  /// that a writer can carry them over.
  std::vector<std::string> other_tables;
  /// Tolerated problems: dangling links, duplicate tokens, rounded timestamps, logs without a map.
  std::vector<std::string> warnings;
  /// Built by load_nuscenes_db(); call rebuild_index() after changing the vectors.
  NuscenesTokenIndex index;

  std::filesystem::path table_dir() const { return dataroot / version; }

  /// Rebuilds `index`; a token given twice keeps its first record. Returns a warning per table with
  /// duplicates.
  std::vector<std::string> rebuild_index();

  // Lookups by token: nullptr when absent (or for the empty token). The sample_data lookup is
  // sample_datum() because `sample_data` names the table's vector.
  const NuscenesAttribute* attribute(const std::string& token) const;
  const NuscenesCalibratedSensor* calibrated_sensor(const std::string& token) const;
  const NuscenesCategory* category(const std::string& token) const;
  const NuscenesEgoPose* ego_pose(const std::string& token) const;
  const NuscenesInstance* instance(const std::string& token) const;
  const NuscenesLog* log(const std::string& token) const;
  const NuscenesMap* map(const std::string& token) const;
  const NuscenesSample* sample(const std::string& token) const;
  const NuscenesSampleAnnotation* sample_annotation(const std::string& token) const;
  const NuscenesSampleData* sample_datum(const std::string& token) const;
  const NuscenesScene* scene(const std::string& token) const;
  const NuscenesSensor* sensor(const std::string& token) const;
  const NuscenesVisibility* visibility(const std::string& token) const;

  /// First scene called `name` (names are not indexed: a dataset has at most ~1000 scenes).
  const NuscenesScene* scene_by_name(const std::string& name) const;
  /// The sensor a sample_data was recorded by (through its calibrated_sensor), or nullptr.
  const NuscenesSensor* sensor_of(const NuscenesSampleData& data) const;
};

/// Loads the 13 tables of `<dataroot>/<version>/`. An empty `version` means the only `v1.*` folder
/// of the dataroot (with several, the one holding scene.json; still several -> kNotFound listing
/// them). A missing dataroot or version folder is kNotFound.
///
/// Errors (kMalformed unless said otherwise; the path is the table file, the message names the
/// record and field, e.g. `record 3: field 'timestamp': expected a number, found a string`): a
/// missing table file, a file that is not a JSON array of objects, invalid JSON (with the byte
/// offset), JSON that ends early (kTruncated), a required field missing or of the wrong type.
///
/// Tolerated (formats.md 6.7), reported in NuscenesDb::warnings where it loses or lacks something:
/// any token length; fractional timestamps (rounded); num_lidar_pts -1; empty visibility tokens;
/// unknown fields (kept in `extra`); missing descriptive fields (description, category index,
/// camera_intrinsic, width, height, nbr_*, num_radar_pts, log details, map category: defaults);
/// absent optional tables (lidarseg, panoptic); links to records that are not there; duplicate
/// tokens. Tables are streamed record by record, so memory holds the structs, not a JSON tree.
/// Without `with_annotations` the instance and sample_annotation tables are not read (opening a
/// Sequence needs neither).
Expected<NuscenesDb> load_nuscenes_db(const std::filesystem::path& dataroot,
                                      const std::string& version = "",
                                      bool with_annotations = true);

/// The version folder load_nuscenes_db() would use for an empty `version`.
Expected<std::string> detect_nuscenes_version(const std::filesystem::path& dataroot);

}  // namespace pcanno::formats
