#pragma once
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "files.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/formats/labels/nuscenes/codec.hpp"
#include "pcanno/geometry/cuboid.hpp"

// Synthetic datasets with several sequences, and a nuScenes dataroot with sweeps: small, made in
// a temporary folder, every fact a test checks stated here (not read back from the code under
// test).
namespace pcanno::test {

/// A ring of `n` points of radius `r` [m] at z = -1.7 (the ground around a KITTI Velodyne), as
/// x y z reflectance floats: clouds that leave the space far from the sensor empty.
inline std::vector<float> ground_ring(int n, float r) {
  std::vector<float> xyzi;
  for (int i = 0; i < n; ++i) {
    const float a = 6.2831853f * static_cast<float>(i) / static_cast<float>(n);
    xyzi.insert(xyzi.end(), {r * std::cos(a), r * std::sin(a), -1.7f, 0.5f});
  }
  return xyzi;
}

/// KITTI tracking training set with two sequences (`root` is the folder holding `training/`):
/// - 0000: 4 frames, label_02/0000.txt: track 0 "Car" on frames 0..3;
/// - 0001: 3 frames, label_02/0001.txt: track 7 "Pedestrian" on frames 0..2 and track 9
///   "Cyclist" on frame 1.
/// Both share the calibration of the repo's sample sequence (sample_data/kitti_tracking).
struct TwoSequenceKitti {
  static constexpr int kFrames0000 = 4;
  static constexpr int kFrames0001 = 3;
};

inline void write_two_sequence_kitti(const std::filesystem::path& root,
                                     const std::filesystem::path& sample_calib) {
  namespace fs = std::filesystem;
  const fs::path training = root / "training";
  const int frames[] = {TwoSequenceKitti::kFrames0000, TwoSequenceKitti::kFrames0001};
  for (int s = 0; s < 2; ++s) {
    const std::string name = s == 0 ? "0000" : "0001";
    const fs::path velodyne = training / "velodyne" / name;
    fs::create_directories(velodyne);
    for (int f = 0; f < frames[s]; ++f) write_kitti_frame(velodyne, f, ground_ring(64, 6.0f));
    fs::create_directories(training / "calib");
    fs::copy_file(sample_calib, training / "calib" / (name + ".txt"),
                  fs::copy_options::overwrite_existing);
  }
  fs::create_directories(training / "label_02");
  // frame track type truncated occluded alpha bbox(4) h w l x y z(camera) rotation_y
  std::ofstream l0(training / "label_02" / "0000.txt");
  for (int f = 0; f < TwoSequenceKitti::kFrames0000; ++f) {
    l0 << f << " 0 Car 0 0 0 500 150 700 250 1.5 1.8 4.2 1.0 1.6 " << 12 + f << " 0\n";
  }
  std::ofstream l1(training / "label_02" / "0001.txt");
  for (int f = 0; f < TwoSequenceKitti::kFrames0001; ++f) {
    l1 << f << " 7 Pedestrian 0 0 0 600 150 650 250 1.8 0.6 0.8 -2.0 1.6 " << 9 + f << " 0\n";
    if (f == 1) l1 << f << " 9 Cyclist 0 0 0 300 150 400 250 1.7 0.6 1.8 4.0 1.6 15.0 1.57\n";
  }
}

/// A nuScenes dataroot of one scene "scene-sweeps" with 7 LIDAR_TOP frames at 20 Hz: keyframes
/// (samples) at frames 0, 3 and 6, sweeps at 1, 2, 4 and 5. The ego drives +1 m along x per frame
/// (identity rotation, the LiDAR at the ego origin). Annotations (global frame):
/// - "Car": on every keyframe, centre (20 + 2 f, 30, 0), 4 x 2 x 1.5 m, yaw 0 (straight along
///   +x at 2 m per frame, so the box on a sweep lies on that line);
/// - "Pedestrian": on keyframe 3 only, centre (25, 32, 0).
/// Each cloud is a 6 m ground ring around the sensor: nothing near the boxes, so refinement has
/// no points to move them onto.
struct NuscenesSweeps {
  static constexpr int kFrames = 7;
  static constexpr std::int64_t kKeyframes[3] = {0, 3, 6};
  static constexpr const char* kScene = "scene-sweeps";
  static constexpr const char* kVersion = "v1.0-pcanno";
  static bool is_keyframe(std::int64_t f) { return f % 3 == 0; }
  static Eigen::Vector3d car_center(double f) { return {20.0 + 2.0 * f, 30.0, 0.0}; }
};

/// Writes the dataroot of NuscenesSweeps at `dataroot` (through the nuScenes writer, from a
/// sequence with sweeps); `scratch` holds the source clouds. Returns the writer's status.
inline formats::Status write_nuscenes_sweeps(const std::filesystem::path& dataroot,
                                             const std::filesystem::path& scratch) {
  namespace fs = std::filesystem;
  using formats::BoxState;
  fs::create_directories(scratch);
  formats::Sequence seq;
  seq.layout = "folder";
  seq.name = NuscenesSweeps::kScene;
  seq.root = scratch;
  formats::Annotations doc;
  doc.sequence.name = NuscenesSweeps::kScene;
  for (int f = 0; f < NuscenesSweeps::kFrames; ++f) {
    // nuScenes .pcd.bin: x y z intensity ring, float32 (copied byte for byte by the writer).
    std::vector<float> points;
    const std::vector<float> ring = ground_ring(64, 6.0f);
    for (std::size_t i = 0; i < ring.size(); i += 4) {
      points.insert(points.end(), {ring[i], ring[i + 1], ring[i + 2], 10.0f, 0.0f});
    }
    char name[32];
    std::snprintf(name, sizeof(name), "f%02d.pcd.bin", f);
    std::ofstream(scratch / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(points.data()),
               static_cast<std::streamsize>(points.size() * sizeof(float)));
    formats::FrameRef ref;
    ref.cloud_path = scratch / name;
    ref.format = "nuscenes-bin";
    ref.name = name;
    ref.timestamp_us = 1'600'000'000'000'000 + f * 50'000;
    ref.is_keyframe = NuscenesSweeps::is_keyframe(f);
    geometry::Pose pose = geometry::Pose::Identity();
    pose.translation() = Eigen::Vector3d(f, 0.0, 0.0);
    ref.T_world_lidar = pose;
    seq.frames.push_back(ref);
    doc.frames.push_back(formats::FrameInfo{name, ref.timestamp_us, {}, ""});
  }
  formats::Track car;
  car.id = 0;
  car.label = "Car";
  formats::Track pedestrian;
  pedestrian.id = 1;
  pedestrian.label = "Pedestrian";
  for (const std::int64_t f : NuscenesSweeps::kKeyframes) {
    BoxState b;
    b.frame = f;
    b.shape_frame = formats::ShapeFrame::kWorld;
    b.box = geometry::Cuboid::from_yaw(NuscenesSweeps::car_center(static_cast<double>(f)),
                                       Eigen::Vector3d(4.0, 2.0, 1.5), 0.0);
    car.boxes.push_back(b);
    if (f == 3) {
      b.box = geometry::Cuboid::from_yaw(Eigen::Vector3d(25.0, 32.0, 0.0),
                                         Eigen::Vector3d(0.8, 0.6, 1.8), 0.0);
      pedestrian.boxes.push_back(b);
    }
  }
  doc.ensure_class("Car");
  doc.ensure_class("Pedestrian");
  doc.tracks = {car, pedestrian};
  formats::LabelContext context;
  context.sequence = &seq;
  context.keyframes_only = false;  // the sweeps are written too (sweeps/LIDAR_TOP/)
  formats::Expected<formats::WriteReport> written =
      formats::write_nuscenes_dataset(doc, dataroot, context);
  if (!written) return std::move(written).error();
  return {};
}

}  // namespace pcanno::test
