#pragma once
#include <cstddef>
#include <string>

#include "labels/nuscenes/export_plan.hpp"

// Private to the nuScenes writer: the camera rows of an export (export_plan.cpp calls this once per
// scene after its LiDAR rows are planned).
namespace pcanno::formats::detail {

/// Adds, for every exported keyframe of one scene (plan.frames from `first_frame` on) whose
/// sequence frame has camera images, the rows the devkit needs to draw the exported boxes into
/// them:
/// - sample_data: the image's own token when it carries one, filename relative to the dataroot as
///   in the source (else `samples/<channel>/<log>__<channel>__<timestamp>.<ext>`), fileformat =
///   the file's extension, width/height, the image's timestamp, is_key_frame, the keyframe's
///   sample, prev/next chaining each channel's rows of the scene;
/// - calibrated_sensor: T_ego_camera and camera_intrinsic, the source token when it carries one,
///   one record per token;
/// - sensor: one per channel (modality "camera"), shared by all scenes like LIDAR_TOP;
/// - ego_pose at the image's time in the export's global frame: the image's T_world_ego when the
///   sequence has poses (the global frame is then the sequence's world frame), else the LiDAR's
///   written global pose carried to the camera by T_cam_lidar and T_ego_camera, so that a box
///   goes global -> camera exactly as the sequence maps it LiDAR -> camera.
/// Only cameras with a mount on the vehicle (T_ego_camera: nuScenes, Lyft) and P = [K | 0] are
/// written; KITTI's rectified cameras have neither and are left out. Image files are copied with
/// the clouds (writer.cpp: NuscenesExportFrame::images); an image missing at the source keeps its
/// rows and is counted in `report.dropped`.
void add_nuscenes_camera_rows(NuscenesExportPlan& plan, const std::string& scene_name,
                              const std::string& log_name, std::size_t first_frame,
                              WriteReport& report);

}  // namespace pcanno::formats::detail
