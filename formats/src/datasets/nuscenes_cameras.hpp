#pragma once
// The camera images of a nuScenes or Lyft sequence (formats.md, "Cameras").
#include <cstddef>
#include <string>
#include <unordered_set>
#include <vector>

#include "pcanno/formats/datasets/nuscenes_db.hpp"
#include "pcanno/formats/datasets/sequence.hpp"

namespace pcanno::formats::detail {

/// Ring order of the six nuScenes cameras, the strip a viewer shows; other camera channels (Lyft's
/// CAM_FRONT_ZOOMED) follow by name.
inline const std::vector<std::string>& nuscenes_camera_ring() {
  static const std::vector<std::string> kRing = {"CAM_FRONT_LEFT", "CAM_FRONT", "CAM_FRONT_RIGHT",
                                                 "CAM_BACK_RIGHT", "CAM_BACK",  "CAM_BACK_LEFT"};
  return kRing;
}

/// Gives every frame of `seq` (LiDAR sample_data `lidar[i]` for frame i) one image per camera
/// channel of the scene (sensor modality "camera"): a keyframe takes the channel's record of the
/// same sample, a sweep (or a keyframe without one) the record nearest in time among the scene's.
/// T_cam_lidar goes through the camera's own ego pose. Records without a calibrated_sensor
/// carrying camera_intrinsic or without an ego_pose are skipped with one warning per channel;
/// frames without a LiDAR pose get no images. Fills seq.cameras and seq.warnings.
void add_nuscenes_images(const NuscenesDb& db, const std::unordered_set<std::string>& scene_samples,
                         const std::vector<std::size_t>& lidar, Sequence& seq);

}  // namespace pcanno::formats::detail
