#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pcanno/formats/clouds/reader.hpp"
#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/geometry/camera.hpp"
#include "pcanno/geometry/pose.hpp"

namespace pcanno::formats {

/// What a sequence knows about its sensors. KITTI object frames each have their own; a tracking
/// sequence, a raw drive or a nuScenes scene share one.
struct Calibration {
  std::optional<KittiCalib> kitti;  ///< cameras and Velodyne <-> camera, KITTI layouts
  /// LiDAR mount on the vehicle body (`T_ego_lidar`): nuScenes calibrated_sensor; for KITTI the IMU
  /// frame is taken as the body, T_ego_lidar = Tr_imu_to_velo^-1.
  std::optional<geometry::Pose> T_ego_lidar;
  std::filesystem::path source;  ///< file it came from, for messages
};

/// One camera image that belongs to a LiDAR frame, with everything needed to draw the frame's
/// labels into it. The image is not decoded here (a FrameCache with an ImageDecoder does that).
struct CameraImage {
  std::string channel;             ///< "image_2" (KITTI object), "image_02", "CAM_FRONT", ...
  std::filesystem::path path;      ///< the image file
  std::int64_t timestamp_us = -1;  ///< [us] when the image was taken; -1 when unknown
  geometry::PinholeCamera camera;  ///< intrinsics, image size [px] (0 when unknown)
  /// This frame's LiDAR frame (at the sweep's time) -> the camera's frame (at the image's time).
  /// nuScenes: T_cam_ego * T_ego(t_cam)_global * T_global_ego(t_lidar) * T_ego_lidar, so a static
  /// box lands where the moving camera saw it. KITTI: Tr_velo_to_cam (see PinholeCamera).
  geometry::Pose T_cam_lidar = geometry::Pose::Identity();
  /// nuScenes/Lyft: the camera's mount (calibrated_sensor, camera -> ego) and the ego pose at the
  /// image's time in the sequence's world frame, which writers need to reproduce the tables.
  std::optional<geometry::Pose> T_ego_camera;
  std::optional<geometry::Pose> T_world_ego;
  std::string sample_data_token;        ///< nuScenes/Lyft: the image's sample_data, for writers
  std::string calibrated_sensor_token;  ///< nuScenes/Lyft: the camera's calibrated_sensor
};

/// One frame of a sequence. The cloud is not loaded: Sequence::load_frame() or a FrameCache does
/// that.
struct FrameRef {
  std::filesystem::path cloud_path;
  std::string format;  ///< cloud reader id ("kitti-bin", "nuscenes-bin", "pcd", ...)
  std::string name;    ///< "000042" (KITTI), sample_data token (nuScenes), file stem (folder)
  std::int64_t timestamp_us = -1;  ///< [us] since the epoch or the sequence start; -1 when unknown
  bool is_keyframe = true;         ///< nuScenes: a 2 Hz annotated sample; sweeps are not
  std::string sample_token;        ///< nuScenes: the sample a keyframe belongs to
  int calibration = -1;            ///< index into Sequence::calibrations, -1 when none
  /// LiDAR pose in the sequence's world frame (KITTI: oxts/ENU relative to frame 0; nuScenes: the
  /// log's map frame, ego_pose * calibrated_sensor). Empty when the data has no poses.
  std::optional<geometry::Pose> T_world_lidar;
  /// The frame's camera images, in the order of Sequence::cameras; a camera without an image for
  /// this frame is left out.
  std::vector<CameraImage> images;

  /// The image of `channel`, or nullptr.
  const CameraImage* image(const std::string& channel) const;
};

/// An ordered set of LiDAR frames with timing, calibration and optional poses.
struct Sequence {
  std::string layout;  ///< "kitti-tracking", "kitti-object", "kitti-raw", "nuscenes", "folder"
  std::string name;    ///< "0000", "scene-0061", "2011_09_26_drive_0005_sync", folder name
  std::filesystem::path root;    ///< what was opened
  std::vector<FrameRef> frames;  ///< in time order
  std::vector<Calibration> calibrations;
  /// Camera channels with images in some frame, in display order (nuScenes: the ring FRONT_LEFT,
  /// FRONT, FRONT_RIGHT, BACK_RIGHT, BACK, BACK_LEFT; KITTI raw: image_00 .. image_03).
  std::vector<std::string> cameras;
  std::filesystem::path
      labels;  ///< label file or folder of the layout when present (label_02/SSSS.txt)
  std::vector<std::string>
      warnings;  ///< tolerated deviations (dangling nuScenes links, missing oxts)
  /// The readers the frames are read with (SequenceOptions::readers when it was opened); null:
  /// the built-ins. Shared, so that copies of the sequence (a FrameCache's) keep it alive.
  std::shared_ptr<const CloudReaderRegistry> readers;

  std::size_t size() const { return frames.size(); }
  bool has_calibration() const { return !calibrations.empty(); }
  bool has_poses() const;                                      ///< every frame has T_world_lidar
  bool has_timestamps() const;                                 ///< every frame has a timestamp
  const Calibration* calibration_of(std::size_t frame) const;  ///< nullptr when none

  /// Reads frame `i` through options.readers, else the sequence's `readers`, else the built-ins;
  /// out of range is kNotFound.
  Expected<CloudFile> load_frame(std::size_t i, const ReadOptions& options = {}) const;
};

/// Which layout and part of it to open; empty fields mean "detect" or "the only/first one".
struct SequenceOptions {
  std::string layout;  ///< force a layout id (see Sequence::layout)
  std::string
      name;  ///< KITTI tracking sequence "0003", nuScenes scene "scene-0061", KITTI raw drive
  std::string nuscenes_version;  ///< "v1.0-mini", ...; detected from the dataroot when empty
  bool include_sweeps = false;   ///< nuScenes: every LIDAR_TOP sweep, not only keyframes
  /// The cloud readers that recognise frame files (the "folder" layout lists the files their
  /// suffixes claim) and read them later (Sequence::readers); null: the built-ins. A host with
  /// plugins passes its registry's readers here.
  std::shared_ptr<const CloudReaderRegistry> readers;
};

/// A short description of one sequence a path holds, for listings.
struct SequenceSummary {
  std::string layout;
  std::string name;
  std::size_t frames = 0;
};

/// Detects the layout of `path` and opens one sequence. kUnknownFormat when no layout matches,
/// naming what was looked for.
Expected<Sequence> open_sequence(const std::filesystem::path& path,
                                 const SequenceOptions& options = {});

/// Every sequence `path` holds (all KITTI tracking sequences, all nuScenes scenes, ...).
Expected<std::vector<SequenceSummary>> list_sequences(const std::filesystem::path& path,
                                                      const SequenceOptions& options = {});

/// The layout id `path` looks like, or an empty string; cheap (no file is parsed). `readers`
/// decides which files count as clouds for the "folder" layout (null: the built-ins).
std::string detect_layout(const std::filesystem::path& path,
                          const CloudReaderRegistry* readers = nullptr);

}  // namespace pcanno::formats
