#include "datasets/camera_images.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>

namespace pcanno::formats::detail {
namespace fs = std::filesystem;

namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

std::uint32_t big_endian_u32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

}  // namespace

std::optional<PngSize> read_png_size(const fs::path& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) return std::nullopt;
  unsigned char header[24];
  if (std::fread(header, 1, sizeof(header), file.get()) != sizeof(header)) return std::nullopt;
  static constexpr unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (!std::equal(std::begin(kSignature), std::end(kSignature), header)) return std::nullopt;
  if (big_endian_u32(header + 8) != 13 || !std::equal(header + 12, header + 16, "IHDR")) {
    return std::nullopt;
  }
  const std::uint32_t width = big_endian_u32(header + 16);
  const std::uint32_t height = big_endian_u32(header + 20);
  constexpr std::uint32_t kMax = std::numeric_limits<std::int32_t>::max();  // PNG's own limit
  if (width == 0 || height == 0 || width > kMax || height > kMax) return std::nullopt;
  return PngSize{static_cast<int>(width), static_cast<int>(height)};
}

std::optional<CameraImage> kitti_camera_image(const KittiCalib& calib, int index,
                                              const std::string& channel, const fs::path& image) {
  if (index < 0 || index > 3 || !calib.has_P[static_cast<std::size_t>(index)]) return std::nullopt;
  CameraImage out;
  out.channel = channel;
  out.path = image;
  Eigen::Matrix4d R0 = Eigen::Matrix4d::Identity();
  R0.topLeftCorner<3, 3>() = calib.R0_rect;
  out.camera.P = calib.P[static_cast<std::size_t>(index)] * R0;
  if (const auto size = read_png_size(image)) {
    out.camera.width = size->width;
    out.camera.height = size->height;
  }
  // The 3x4 goes in unchanged: KITTI's rotation is not exactly orthonormal, and the devkits use it
  // as it is.
  out.T_cam_lidar = geometry::Pose::Identity();
  out.T_cam_lidar.matrix().topRows<3>() = calib.Tr_velo_to_cam;
  return out;
}

void add_kitti_images(Sequence& seq, const fs::path& folder, int index,
                      const std::string& channel) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) return;
  std::size_t uncalibrated = 0;
  for (std::size_t i = 0; i < seq.frames.size(); ++i) {
    FrameRef& frame = seq.frames[i];
    const Calibration* calibration = seq.calibration_of(i);
    std::optional<CameraImage> image;
    if (calibration != nullptr && calibration->kitti) {
      image =
          kitti_camera_image(*calibration->kitti, index, channel, folder / (frame.name + ".png"));
    }
    if (!image) {
      ++uncalibrated;
      continue;
    }
    image->timestamp_us = frame.timestamp_us;
    frame.images.push_back(std::move(*image));
  }
  if (uncalibrated != 0) {
    seq.warnings.push_back(channel + ": " + std::to_string(uncalibrated) + " of " +
                           std::to_string(seq.frames.size()) +
                           " frames have no calibration with P" + std::to_string(index) +
                           ", so their images are left out");
  }
}

void finish_cameras(Sequence& seq, const std::vector<std::string>& display_order) {
  std::size_t listed = 0, missing = 0;
  std::string first_missing;
  std::vector<char> used(display_order.size(), 0);
  for (const FrameRef& frame : seq.frames) {
    for (const CameraImage& image : frame.images) {
      ++listed;
      const auto at = std::find(display_order.begin(), display_order.end(), image.channel);
      if (at != display_order.end()) used[static_cast<std::size_t>(at - display_order.begin())] = 1;
      std::error_code ec;
      if (!fs::exists(image.path, ec) && missing++ == 0) first_missing = image.path.string();
    }
  }
  seq.cameras.clear();
  for (std::size_t i = 0; i < display_order.size(); ++i) {
    if (used[i] != 0) seq.cameras.push_back(display_order[i]);
  }
  if (missing != 0) {
    seq.warnings.push_back(std::to_string(missing) + " of " + std::to_string(listed) +
                           " camera image files are missing (first: " + first_missing + ")");
  }
}

}  // namespace pcanno::formats::detail
