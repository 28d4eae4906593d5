#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <utility>
#include <vector>

#include "labels/nuscenes/tokens.hpp"
#include "pcanno/formats/datasets/nuscenes_db.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/geometry/pose.hpp"

// Private to the nuScenes writer: the tables of an export, planned scene by scene before any file
// is written (nuscenes_export_plan.cpp), then written with the clouds (nuscenes_writer.cpp).
namespace pcanno::formats::detail {

/// One exported LiDAR frame (a keyframe sample or, with !keyframes_only, a sweep).
struct NuscenesExportFrame {
  const Sequence* sequence = nullptr;    ///< the scene's sequence (clouds), or none
  std::int64_t index = 0;                ///< frame of the scene's document and sequence
  std::size_t data = 0;                  ///< index into db.sample_data
  geometry::Pose T_global_lidar;         ///< exactly as written: ego_pose * calibrated_sensor
  std::vector<std::size_t> annotations;  ///< db.sample_annotations on this frame
  std::vector<geometry::Cuboid> boxes_in_lidar;  ///< same order, for the point count
  /// Camera images to copy with the cloud: source file, db.sample_data row naming the copy.
  std::vector<std::pair<std::filesystem::path, std::size_t>> images;
};

/// Every table of the export and what is still to be written. Scenes share the vocabularies and
/// the sensor; each has its own log, map, calibrated sensors, samples and instances.
struct NuscenesExportPlan {
  NuscenesDb db;
  std::vector<NuscenesExportFrame> frames;
  /// Per db.maps record: the source raster to copy, or none (a generated grey PNG).
  std::vector<std::optional<std::filesystem::path>> map_sources;
  std::vector<WriteReport> reports;  ///< per scene, in the order added
  // Tokens are unique per table across all scenes.
  TokenAllocator sample_tokens{"sample"}, data_tokens{"sample_data"}, ego_tokens{"ego_pose"},
      instance_tokens{"instance"}, annotation_tokens{"sample_annotation"};
};

/// The rotation made orthonormal (KITTI calibration is not exactly) and the translation: what a
/// table can store.
std::pair<Eigen::Quaterniond, Eigen::Vector3d> nuscenes_rigid_parts(const geometry::Pose& pose);

/// Adds one scene: its document and the sequence it belongs to (nullptr: no clouds, identity
/// poses). `context` gives the class map and keyframes_only; its `sequence` is not used. Errors
/// (nothing is written yet): a class without a category, a scene name used twice, a document
/// whose frame count differs from the sequence's, a non-finite box, two boxes of one track in one
/// frame, a document without a keyframe.
Status add_nuscenes_scene(NuscenesExportPlan& plan, const Annotations& annotations,
                          const Sequence* sequence, const LabelContext& context);

}  // namespace pcanno::formats::detail
