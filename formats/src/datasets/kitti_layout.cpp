// KITTI tracking and object layouts (formats.md sections 2 and 4).
#include <cctype>

#include "datasets/camera_images.hpp"
#include "datasets/layouts.hpp"
#include "pcanno/formats/datasets/oxts.hpp"

namespace pcanno::formats::detail {
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kKittiFramePeriodUs = 100000;  // the Velodyne spins at 10 Hz

bool is_digits(const std::string& s, std::size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool is_bin(const fs::path& p) { return p.extension() == ".bin"; }

bool exists_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

bool has_sequence_dirs(const fs::path& velodyne) {
  for (const fs::path& d : list_dirs(velodyne)) {
    if (is_digits(d.filename().string(), 4)) return true;
  }
  return false;
}

/// KITTI has no IMU-to-ego distinction: the IMU frame is the vehicle body.
std::optional<geometry::Pose> T_imu_velo(const KittiCalib& calib) {
  if (!calib.has_imu_to_velo) return std::nullopt;
  geometry::Pose T_velo_imu = geometry::Pose::Identity();
  T_velo_imu.matrix().topRows<3>() = calib.Tr_imu_to_velo;
  return geometry::invert(T_velo_imu);
}

}  // namespace

fs::path kitti_tracking_root(const fs::path& path) {
  for (const fs::path& root : {path, path / "training"}) {
    if (exists_dir(root / "velodyne") && has_sequence_dirs(root / "velodyne")) return root;
  }
  return {};
}

fs::path kitti_object_root(const fs::path& path) {
  for (const fs::path& root : {path, path / "training"}) {
    if (!exists_dir(root / "velodyne")) continue;
    const auto bins = list_files(root / "velodyne", is_bin);
    if (!bins.empty() && is_digits(bins.front().stem().string(), 6)) return root;
  }
  return {};
}

std::vector<SequenceSummary> list_kitti_tracking(const fs::path& root) {
  std::vector<SequenceSummary> out;
  for (const fs::path& d : list_dirs(root / "velodyne")) {
    if (!is_digits(d.filename().string(), 4)) continue;
    out.push_back({"kitti-tracking", d.filename().string(), list_files(d, is_bin).size()});
  }
  return out;
}

Expected<Sequence> open_kitti_tracking(const fs::path& root, const SequenceOptions& options) {
  const std::vector<SequenceSummary> all = list_kitti_tracking(root);
  if (all.empty()) {
    return Error{ErrorCode::kNotFound, "no sequence folders (velodyne/SSSS) found", root.string()};
  }
  std::string name = options.name.empty() ? all.front().name : options.name;
  if (name.size() < 4 && is_digits(name, name.size())) name.insert(0, 4 - name.size(), '0');
  const fs::path velodyne = root / "velodyne" / name;
  if (!exists_dir(velodyne)) {
    std::string names;
    for (const auto& s : all) names += (names.empty() ? "" : ", ") + s.name;
    return Error{ErrorCode::kNotFound,
                 "no tracking sequence '" + name + "' (available: " + names + ")", root.string()};
  }

  Sequence seq;
  seq.layout = "kitti-tracking";
  seq.name = name;
  seq.root = root;
  const fs::path calib_path = root / "calib" / (name + ".txt");
  int calib_index = -1;
  if (fs::exists(calib_path)) {
    auto calib = read_kitti_calib(calib_path);
    if (!calib) return calib.error();
    seq.calibrations.push_back(Calibration{*calib, T_imu_velo(*calib), calib_path});
    calib_index = 0;
  } else {
    seq.warnings.push_back("no calibration: " + calib_path.string());
  }
  const fs::path labels = root / "label_02" / (name + ".txt");
  if (fs::exists(labels)) seq.labels = labels;

  const auto files = list_files(velodyne, is_bin);
  for (std::size_t i = 0; i < files.size(); ++i) {
    FrameRef frame;
    frame.cloud_path = files[i];
    frame.format = "kitti-bin";
    frame.name = files[i].stem().string();
    frame.calibration = calib_index;
    // Tracking data has no timestamps; frame numbers are 10 Hz sweeps (frame i = raw frame i).
    int index = static_cast<int>(i);
    if (is_digits(frame.name, 6)) index = std::stoi(frame.name);
    frame.timestamp_us = index * kKittiFramePeriodUs;
    seq.frames.push_back(std::move(frame));
  }
  seq.warnings.push_back(
      "KITTI tracking has no timestamps: nominal 10 Hz times from frame numbers");
  add_kitti_images(seq, root / "image_02" / name, 2, "image_02");
  finish_cameras(seq, {"image_02"});

  const fs::path oxts_path = root / "oxts" / (name + ".txt");
  if (fs::exists(oxts_path)) {
    auto records = read_oxts(oxts_path);
    if (!records) return records.error();
    const auto poses = oxts_to_poses(*records, OxtsOrigin::kFirstFrame);
    const auto T_imu_lidar = calib_index >= 0 ? seq.calibrations[0].T_ego_lidar : std::nullopt;
    for (FrameRef& frame : seq.frames) {
      const std::size_t index = static_cast<std::size_t>(frame.timestamp_us / kKittiFramePeriodUs);
      if (index < poses.size()) {
        frame.T_world_lidar = T_imu_lidar ? poses[index] * *T_imu_lidar : poses[index];
      }
    }
    if (!T_imu_lidar)
      seq.warnings.push_back("no Tr_imu_velo: poses are IMU poses, not LiDAR poses");
    if (poses.size() < seq.frames.size()) {
      seq.warnings.push_back(oxts_path.string() + ": " + std::to_string(poses.size()) +
                             " oxts records for " + std::to_string(seq.frames.size()) + " frames");
    }
  }
  return seq;
}

Expected<Sequence> open_kitti_object(const fs::path& root, const SequenceOptions& /*options*/) {
  Sequence seq;
  seq.layout = "kitti-object";
  seq.root = root;
  seq.name = fs::absolute(root).lexically_normal().filename().string();
  if (exists_dir(root / "label_2")) seq.labels = root / "label_2";
  for (const fs::path& file : list_files(root / "velodyne", is_bin)) {
    FrameRef frame;
    frame.cloud_path = file;
    frame.format = "kitti-bin";
    frame.name = file.stem().string();
    // Object frames are independent snapshots: no time, no pose, a calibration each.
    const fs::path calib_path = root / "calib" / (frame.name + ".txt");
    if (fs::exists(calib_path)) {
      auto calib = read_kitti_calib(calib_path);
      if (!calib) return calib.error();
      frame.calibration = static_cast<int>(seq.calibrations.size());
      seq.calibrations.push_back(Calibration{*calib, T_imu_velo(*calib), calib_path});
    }
    seq.frames.push_back(std::move(frame));
  }
  if (seq.frames.empty()) {
    return Error{ErrorCode::kNotFound, "no velodyne/*.bin frames", root.string()};
  }
  add_kitti_images(seq, root / "image_2", 2, "image_2");
  finish_cameras(seq, {"image_2"});
  return seq;
}

}  // namespace pcanno::formats::detail
