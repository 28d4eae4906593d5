// nuScenes cameras on the real scene-0061 keyframe: every visible box projected into all six
// cameras as the nuScenes devkit does it (gt_boxes_camera_projection.json, 84 boxes), through the
// Sequence's CameraImage (camera intrinsics, T_cam_lidar with the camera's own ego pose).
#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <iostream>
#include <map>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "files.hpp"
#include "pcanno/formats/datasets/nuscenes_db.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/geometry/camera.hpp"
#include "pcanno/geometry/nuscenes_convention.hpp"
#include "test_data.hpp"

namespace pcanno {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path root() { return test::shared_data_dir() / "nuscenes_cameras/v1.0-mini-scene0061"; }
fs::path truth_file() { return root() / "gt_boxes_camera_projection.json"; }

// The devkit's Box.corners() puts corner k at (x, y, z) = (l/2 * sx, w/2 * sy, h/2 * sz) in the box
// frame with
//   sx = [+1, +1, +1, +1, -1, -1, -1, -1], sy = [+1, -1, -1, +1, +1, -1, -1, +1],
//   sz = [+1, +1, -1, -1, +1, +1, -1, -1]
// (front face first, top edge first). geometry::Cuboid numbers them (+l/2, +w/2, -h/2),
// (-l/2, +w/2, -h/2), (-l/2, -w/2, -h/2), (+l/2, -w/2, -h/2), then the same four at +h/2. Both use
// l along box +x and w along box +y (to_cuboid maps the devkit's wlh to our lwh), so devkit corner
// k is our corner kDevkitToOurs[k]: devkit 0 (+,+,+) = ours 4, 1 (+,-,+) = 7, 2 (+,-,-) = 3,
// 3 (+,+,-) = 0, 4 (-,+,+) = 5, 5 (-,-,+) = 6, 6 (-,-,-) = 2, 7 (-,+,-) = 1.
constexpr std::array<int, 8> kDevkitToOurs = {4, 7, 3, 0, 5, 6, 2, 1};

Eigen::Vector3d vec3(const json& j) {
  return Eigen::Vector3d(j.at(0).get<double>(), j.at(1).get<double>(), j.at(2).get<double>());
}

struct Opened {
  formats::Sequence seq;
  formats::NuscenesDb db;
  std::map<std::string, geometry::Cuboid> boxes_in_lidar;  ///< by annotation token
  json truth;
};

/// The sequence through open_sequence, and every annotation moved into the LiDAR frame the way the
/// nuScenes convention tests do it: the LiDAR sample_data's ego_pose and calibrated_sensor.
Opened open_scene() {
  Opened o;
  auto seq = formats::open_sequence(root());
  EXPECT_TRUE(seq) << seq.error().describe();
  if (!seq) return o;
  o.seq = std::move(*seq);
  auto db = formats::load_nuscenes_db(root());
  EXPECT_TRUE(db) << db.error().describe();
  if (!db) return o;
  o.db = std::move(*db);
  EXPECT_EQ(o.seq.frames.size(), 1u);
  if (o.seq.frames.empty()) return o;
  const formats::NuscenesSampleData* lidar = o.db.sample_datum(o.seq.frames[0].name);
  EXPECT_NE(lidar, nullptr);
  if (lidar == nullptr) return o;
  const geometry::Pose T_global_ego = o.db.ego_pose(lidar->ego_pose_token)->T_global_ego();
  const geometry::Pose T_ego_lidar =
      o.db.calibrated_sensor(lidar->calibrated_sensor_token)->T_ego_sensor();
  for (const auto& a : o.db.sample_annotations) {
    o.boxes_in_lidar[a.token] =
        geometry::nuscenes_global_to_lidar(a.box(), T_global_ego, T_ego_lidar);
  }
  o.truth = json::parse(test::slurp(truth_file()));
  return o;
}

struct Misses {
  std::size_t boxes = 0;
  std::map<std::string, std::size_t> per_camera;
  double worst_metres = 0.0, worst_pixels = 0.0;
};

/// Compares every box of the truth file with our projection through `T_cam_lidar_of(image)`.
Misses compare(const Opened& o,
               const std::function<geometry::Pose(const formats::CameraImage&)>& T_cam_lidar_of) {
  Misses m;
  const formats::FrameRef& frame = o.seq.frames.at(0);
  for (const auto& [channel, cam] : o.truth.at("cameras").items()) {
    const formats::CameraImage* image = frame.image(channel);
    EXPECT_NE(image, nullptr) << channel;
    if (image == nullptr) continue;
    EXPECT_EQ(image->sample_data_token, cam.at("sample_data_token").get<std::string>());
    const geometry::Pose T_cam_lidar = T_cam_lidar_of(*image);
    for (const auto& box : cam.at("boxes")) {
      const std::string token = box.at("annotation_token");
      const auto found = o.boxes_in_lidar.find(token);
      EXPECT_NE(found, o.boxes_in_lidar.end()) << token;
      if (found == o.boxes_in_lidar.end()) continue;
      const auto corners = found->second.corners();
      for (int k = 0; k < 8; ++k) {
        const Eigen::Vector3d want_cam = vec3(box.at("corners_camera").at(k));
        const Eigen::Vector3d got_cam = T_cam_lidar * corners[kDevkitToOurs[k]];
        m.worst_metres = std::max(m.worst_metres, (got_cam - want_cam).norm());
        const auto pixel = geometry::project(image->camera, got_cam);
        if (want_cam.z() < image->camera.near) {
          // The devkit divides by any depth; we refuse what is behind the near plane.
          EXPECT_FALSE(pixel && got_cam.z() < image->camera.near);
          continue;
        }
        if (!pixel) {
          m.worst_pixels = std::max(m.worst_pixels, 1e9);
          continue;
        }
        const Eigen::Vector2d want_px(box.at("corners_pixel").at(k).at(0).get<double>(),
                                      box.at("corners_pixel").at(k).at(1).get<double>());
        m.worst_pixels = std::max(m.worst_pixels, (*pixel - want_px).norm());
      }
      ++m.boxes;
      ++m.per_camera[channel];
    }
  }
  return m;
}

TEST(NuscenesCameraProjection, AllVisibleBoxesMatchTheDevkitInEveryCamera) {
  PCANNO_REQUIRE_DATA(truth_file());
  const Opened o = open_scene();
  ASSERT_FALSE(o.seq.frames.empty());
  ASSERT_EQ(o.seq.frames[0].images.size(), 6u);
  const Misses m = compare(o, [](const formats::CameraImage& i) { return i.T_cam_lidar; });
  // README of the shared data: 84 boxes, FRONT 47, FRONT_RIGHT 18, BACK 10, BACK_RIGHT 5,
  // FRONT_LEFT 2, BACK_LEFT 2.
  EXPECT_EQ(m.boxes, 84u);
  for (const auto& [channel, cam] : o.truth.at("cameras").items()) {
    EXPECT_EQ(m.per_camera.count(channel) ? m.per_camera.at(channel) : 0u, cam.at("boxes").size())
        << channel;
  }
  EXPECT_EQ(m.per_camera.at("CAM_FRONT"), 47u);
  EXPECT_EQ(m.per_camera.at("CAM_BACK_LEFT"), 2u);
  EXPECT_LE(m.worst_metres, 1e-6);
  EXPECT_LE(m.worst_pixels, 0.5);
  std::cout << "[ info     ] worst camera-frame corner error " << m.worst_metres
            << " m, worst pixel error " << m.worst_pixels << " px\n";
}

TEST(NuscenesCameraProjection, TheLidarsEgoPoseForACameraMissesTheDevkit) {
  PCANNO_REQUIRE_DATA(truth_file());
  const Opened o = open_scene();
  ASSERT_FALSE(o.seq.frames.empty());
  const formats::Calibration* calibration = o.seq.calibration_of(0);
  ASSERT_TRUE(calibration != nullptr && calibration->T_ego_lidar);
  const geometry::Pose T_ego_lidar = *calibration->T_ego_lidar;
  // With the LiDAR's ego pose in place of the camera's, the two ego poses cancel:
  // T_cam_lidar = inv(T_ego_cam) * T_ego_lidar.
  const Misses m = compare(o, [&](const formats::CameraImage& i) {
    EXPECT_TRUE(i.T_ego_camera.has_value());
    return geometry::compose(geometry::invert(i.T_ego_camera.value_or(geometry::Pose::Identity())),
                             T_ego_lidar);
  });
  EXPECT_EQ(m.boxes, 84u);
  std::cout << "[ info     ] with the LiDAR's ego pose: worst corner error " << m.worst_metres
            << " m, worst pixel error " << m.worst_pixels << " px\n";
  // The cameras fired 0.5-43 ms before the sweep at about 9.2 m/s: up to 0.4 m of travel (the
  // README), which moves some box far beyond the 0.5 px tolerance (measured: 32 px). Loosely
  // bounded above: 0.4 m at the nearest boxes' depth (several metres, f = 1266 px) stays below
  // about 100 px; a wrong pose of another kind (a swapped camera, a sign) would go far beyond.
  EXPECT_GT(m.worst_pixels, 5.0);
  EXPECT_GT(m.worst_metres, 0.3);
  EXPECT_LT(m.worst_metres, 0.45);
  EXPECT_LT(m.worst_pixels, 100.0);
}

}  // namespace
}  // namespace pcanno
