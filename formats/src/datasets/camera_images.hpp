#pragma once
// Pieces the dataset layouts share to list their camera images (formats.md, "Cameras"): the size
// of a PNG without decoding it, a KITTI camera from its calibration, and one warning per sequence
// for image files that are not on disk.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "pcanno/formats/datasets/sequence.hpp"

namespace pcanno::formats::detail {

struct PngSize {
  int width = 0;   ///< [px]
  int height = 0;  ///< [px]
};

/// Width and height from a PNG's IHDR chunk (the 8-byte signature, then IHDR first); nullopt when
/// the file is missing or not a PNG. Only 24 bytes are read.
std::optional<PngSize> read_png_size(const std::filesystem::path& path);

/// KITTI camera `index` (0-3) of `calib` looking at `image`: camera.P = P_rect_0i * [R0_rect 0],
/// T_cam_lidar = Tr_velo_to_cam as stored (not orthonormalised), so that P * T_cam_lidar is the
/// devkits' P_rect_0i * R_rect_00 * Tr_velo_to_cam. The size comes from the PNG header (0 when the
/// file is missing or unreadable). nullopt when the calibration has no P for that camera.
std::optional<CameraImage> kitti_camera_image(const KittiCalib& calib, int index,
                                              const std::string& channel,
                                              const std::filesystem::path& image);

/// Lists `folder/<frame name>.png` as KITTI camera `index` in every frame of `seq` whose
/// calibration has that camera's P, when `folder` exists (a frame's file may still be missing).
/// Frames without such a calibration get no image, and one warning says how many. The image time
/// is the frame's: KITTI triggers its cameras from the Velodyne.
void add_kitti_images(Sequence& seq, const std::filesystem::path& folder, int index,
                      const std::string& channel);

/// Adds to `seq.warnings` one line saying how many of the frames' image files are not on disk
/// (naming the first), and fills `seq.cameras` with the channels in `display_order` that some
/// frame has an image of. Frames keep their missing images so that a viewer can say so.
void finish_cameras(Sequence& seq, const std::vector<std::string>& display_order);

}  // namespace pcanno::formats::detail
