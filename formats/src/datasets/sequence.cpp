#include "pcanno/formats/datasets/sequence.hpp"

#include "datasets/layouts.hpp"
#include "pcanno/formats/datasets/nuscenes_layout.hpp"

namespace pcanno::formats {
namespace fs = std::filesystem;

bool Sequence::has_poses() const {
  if (frames.empty()) return false;
  for (const FrameRef& f : frames) {
    if (!f.T_world_lidar) return false;
  }
  return true;
}

bool Sequence::has_timestamps() const {
  if (frames.empty()) return false;
  for (const FrameRef& f : frames) {
    if (f.timestamp_us < 0) return false;
  }
  return true;
}

const CameraImage* FrameRef::image(const std::string& channel) const {
  for (const CameraImage& image : images) {
    if (image.channel == channel) return &image;
  }
  return nullptr;
}

const Calibration* Sequence::calibration_of(std::size_t frame) const {
  if (frame >= frames.size()) return nullptr;
  const int index = frames[frame].calibration;
  if (index < 0 || static_cast<std::size_t>(index) >= calibrations.size()) return nullptr;
  return &calibrations[index];
}

Expected<CloudFile> Sequence::load_frame(std::size_t i, const ReadOptions& options) const {
  if (i >= frames.size()) {
    return Error{ErrorCode::kNotFound,
                 "frame " + std::to_string(i) + " out of range (sequence has " +
                     std::to_string(frames.size()) + " frames)",
                 root.string()};
  }
  if (options.readers || !readers) {
    return read_cloud(frames[i].cloud_path, options, frames[i].format);
  }
  ReadOptions with_readers = options;
  with_readers.readers = readers;
  return read_cloud(frames[i].cloud_path, with_readers, frames[i].format);
}

std::string detect_layout(const fs::path& path, const CloudReaderRegistry* readers) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return "";
  if (looks_like_nuscenes(path)) return "nuscenes";
  if (!detail::kitti_tracking_root(path).empty()) return "kitti-tracking";
  if (!detail::kitti_object_root(path).empty()) return "kitti-object";
  if (!detail::kitti_raw_root(path).empty()) return "kitti-raw";
  if (detail::looks_like_cloud_folder(path, readers ? *readers : default_cloud_readers())) {
    return "folder";
  }
  return "";
}

namespace {

Error no_layout(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    return Error{ErrorCode::kNotFound, "no such file or directory", path.string()};
  if (!fs::is_directory(path, ec)) {
    return Error{ErrorCode::kUnsupported, "a sequence is a folder; this is a file", path.string()};
  }
  return Error{
      ErrorCode::kUnknownFormat,
      "no dataset layout recognised (looked for KITTI tracking velodyne/SSSS/, KITTI object "
      "velodyne/NNNNNN.bin, KITTI raw velodyne_points/data/, or point-cloud files)",
      path.string()};
}

}  // namespace

namespace {

Expected<Sequence> open_layout(const fs::path& path, const SequenceOptions& options) {
  const std::string layout =
      options.layout.empty() ? detect_layout(path, options.readers.get()) : options.layout;
  if (layout == "kitti-tracking") {
    const fs::path root = detail::kitti_tracking_root(path);
    if (root.empty()) return no_layout(path);
    return detail::open_kitti_tracking(root, options);
  }
  if (layout == "kitti-object") {
    const fs::path root = detail::kitti_object_root(path);
    if (root.empty()) return no_layout(path);
    return detail::open_kitti_object(root, options);
  }
  if (layout == "kitti-raw") {
    if (detail::kitti_raw_root(path).empty()) return no_layout(path);
    return detail::open_kitti_raw(path, options);
  }
  if (layout == "nuscenes") return open_nuscenes_sequence(path, options);
  if (layout == "folder") return detail::open_cloud_folder(path, options);
  if (!layout.empty()) {
    return Error{ErrorCode::kUnsupported,
                 "unknown layout '" + layout +
                     "' (known: kitti-tracking, kitti-object, kitti-raw, nuscenes, folder)",
                 path.string()};
  }
  return no_layout(path);
}

}  // namespace

Expected<Sequence> open_sequence(const fs::path& path, const SequenceOptions& options) {
  Expected<Sequence> sequence = open_layout(path, options);
  if (sequence) sequence->readers = options.readers;
  return sequence;
}

Expected<std::vector<SequenceSummary>> list_sequences(const fs::path& path,
                                                      const SequenceOptions& options) {
  const std::string layout =
      options.layout.empty() ? detect_layout(path, options.readers.get()) : options.layout;
  if (layout == "kitti-tracking")
    return detail::list_kitti_tracking(detail::kitti_tracking_root(path));
  if (layout == "nuscenes") return list_nuscenes_scenes(path, options);  // every scene
  auto seq = open_sequence(path, options);
  if (!seq) return seq.error();
  return std::vector<SequenceSummary>{{seq->layout, seq->name, seq->frames.size()}};
}

}  // namespace pcanno::formats
