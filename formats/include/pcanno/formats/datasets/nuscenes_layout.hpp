#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "pcanno/formats/datasets/nuscenes_db.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/support/expected.hpp"

namespace pcanno::formats {

/// The sensor channel a nuScenes or Lyft sequence is built from.
inline constexpr const char* kNuscenesLidarChannel = "LIDAR_TOP";

/// Cheap test (no file is parsed): `dataroot` has a `v1.*` folder holding scene.json and
/// sample_data.json.
bool looks_like_nuscenes(const std::filesystem::path& dataroot);

/// One scene of a nuScenes v1.0 or Lyft dataroot as a Sequence (layout "nuscenes").
///
/// options.nuscenes_version picks the table folder (empty: detected, see load_nuscenes_db());
/// options.name the scene (empty: the first scene of scene.json; unknown: kNotFound listing the
/// available names). Frames are the scene's LIDAR_TOP sample_data in time order: the keyframe of
/// each sample, plus with options.include_sweeps every sweep on the channel's prev/next chain
/// that refers to a sample of the scene. Samples are found through their scene_token rather than
/// the scene's first/last links, which a cut-down set may leave dangling.
///
/// Per frame: cloud_path = dataroot / filename; format "nuscenes-bin" for `.pcd.bin` and Lyft's
/// `.bin` (both 5 floats per point), "pcd" for `.pcd`; name = sample_data token; sample_token only
/// on keyframes; T_world_lidar = T_global_ego (its ego_pose) * T_ego_lidar (its
/// calibrated_sensor). calibrations holds one entry per distinct calibrated_sensor, labels is the
/// table folder. Missing cloud files, records and links do not fail the call: frames are still
/// listed (without a pose when a record is missing) and Sequence::warnings says what is absent,
/// together with the tables' own warnings.
Expected<Sequence> open_nuscenes_sequence(const std::filesystem::path& dataroot,
                                          const SequenceOptions& options);

/// Every scene of the dataroot with its frame count under the same rules (sweeps included when
/// options.include_sweeps); cloud files are not checked.
Expected<std::vector<SequenceSummary>> list_nuscenes_scenes(const std::filesystem::path& dataroot,
                                                            const SequenceOptions& options);

/// open_nuscenes_sequence() on tables already loaded, for callers that also need the annotations.
Expected<Sequence> make_nuscenes_sequence(const NuscenesDb& db, const std::string& scene_name,
                                          bool include_sweeps);

}  // namespace pcanno::formats
