// The nuScenes global <-> LiDAR convention on a real keyframe: 68 annotations, their LiDAR-frame
// ground truth as mmdetection3d publishes it, and their num_lidar_pts.
#include <map>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "files.hpp"
#include "nuscenes_test_data.hpp"
#include "pcanno/formats/clouds/raw_bin.hpp"
#include "pcanno/geometry/angles.hpp"
#include "pcanno/geometry/nuscenes_convention.hpp"
#include "pcanno/geometry/points_in_cuboid.hpp"
#include "test_data.hpp"

namespace pcanno {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path root() { return test::nuscenes_mini_root(); }

/// The published file was written by Python and holds bare NaN (in velocity_xy), which strict JSON
/// forbids.
json load(const fs::path& path) {
  std::string text = test::slurp(path);
  for (std::size_t at = text.find("NaN"); at != std::string::npos; at = text.find("NaN", at)) {
    text.replace(at, 3, "null");
  }
  return json::parse(text);
}

Eigen::Vector3d vec3(const json& j) { return Eigen::Vector3d(j[0], j[1], j[2]); }

geometry::Pose pose_of(const json& record) {
  const auto q = geometry::quaternion_from_array(
      {record["rotation"][0], record["rotation"][1], record["rotation"][2], record["rotation"][3]},
      geometry::QuaternionOrder::kWXYZ);
  return geometry::make_pose(q, vec3(record["translation"]));
}

struct Scene {
  geometry::Pose T_global_ego, T_ego_lidar;
  std::vector<geometry::NuscenesBox> annotations;
  std::vector<int> num_lidar_pts;
  json gt;
};

Scene load_scene() {
  Scene s;
  s.T_global_ego = pose_of(load(root() / "v1.0-mini/ego_pose.json")[0]);
  s.T_ego_lidar = pose_of(load(root() / "v1.0-mini/calibrated_sensor.json")[0]);
  for (const auto& a : load(root() / "v1.0-mini/sample_annotation.json")) {
    geometry::NuscenesBox box;
    box.translation = vec3(a["translation"]);
    box.size_wlh = vec3(a["size"]);
    box.rotation = geometry::quaternion_from_array(
        {a["rotation"][0], a["rotation"][1], a["rotation"][2], a["rotation"][3]},
        geometry::QuaternionOrder::kWXYZ);
    s.annotations.push_back(box);
    s.num_lidar_pts.push_back(a["num_lidar_pts"]);
  }
  s.gt = load(root() / "gt_boxes_lidar_frame.json");
  return s;
}

TEST(NuscenesConvention, PosesMatchPublishedMatrices) {
  PCANNO_REQUIRE_DATA(root() / "gt_boxes_lidar_frame.json");
  const Scene s = load_scene();
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c) {
      EXPECT_NEAR(s.T_ego_lidar.matrix()(r, c), s.gt["lidar2ego"][r][c].get<double>(), 1e-6);
      EXPECT_NEAR(s.T_global_ego.matrix()(r, c), s.gt["ego2global"][r][c].get<double>(), 1e-6);
    }
  }
}

TEST(NuscenesConvention, GlobalAnnotationsMatchLidarFrameGroundTruth) {
  PCANNO_REQUIRE_DATA(root() / "gt_boxes_lidar_frame.json");
  const Scene s = load_scene();
  ASSERT_EQ(s.annotations.size(), 68u);
  ASSERT_EQ(s.gt["boxes"].size(), 69u);
  std::vector<bool> used(s.gt["boxes"].size(), false);
  for (std::size_t i = 0; i < s.annotations.size(); ++i) {
    const geometry::Cuboid box =
        geometry::nuscenes_global_to_lidar(s.annotations[i], s.T_global_ego, s.T_ego_lidar);
    // Pair with the nearest published box; each may be used once.
    std::size_t best = 0;
    double best_d = 1e300;
    for (std::size_t k = 0; k < s.gt["boxes"].size(); ++k) {
      const double d = (vec3(s.gt["boxes"][k]["center_xyz"]) - box.center).norm();
      if (!used[k] && d < best_d) best_d = d, best = k;
    }
    used[best] = true;
    const json& gt = s.gt["boxes"][best];
    EXPECT_LE(best_d, 1e-4) << "annotation " << i;
    EXPECT_LE(std::abs(geometry::angle_difference(box.yaw(), gt["yaw"].get<double>())), 1e-3)
        << "annotation " << i;
    EXPECT_TRUE(box.size.isApprox(vec3(gt["size_lwh"]), 1e-9)) << "annotation " << i;
    EXPECT_EQ(gt["num_lidar_pts"].get<int>(), s.num_lidar_pts[i]);
    // And back to the global record.
    const geometry::NuscenesBox back =
        geometry::nuscenes_lidar_to_global(box, s.T_global_ego, s.T_ego_lidar);
    EXPECT_LE((back.translation - s.annotations[i].translation).norm(), 1e-9);
    EXPECT_LE(geometry::rotation_angle_between(back.rotation, s.annotations[i].rotation), 1e-9);
    EXPECT_EQ(back.size_wlh, s.annotations[i].size_wlh);
  }
  // The one unmatched published box is the category outside the detection classes.
  for (std::size_t k = 0; k < used.size(); ++k) {
    if (!used[k]) {
      EXPECT_TRUE(s.gt["boxes"][k]["detection_name"].is_null());
    }
  }
}

TEST(NuscenesConvention, PointCountsReproduceNumLidarPts) {
  PCANNO_REQUIRE_DATA(root() / "gt_boxes_lidar_frame.json");
  const Scene s = load_scene();
  const fs::path cloud_path = root() / "samples/LIDAR_TOP" / s.gt["lidar_file"].get<std::string>();
  const auto cloud = formats::read_nuscenes_bin(cloud_path);
  ASSERT_TRUE(cloud) << cloud.error().describe();
  ASSERT_EQ(cloud->size(), 34688u);
  std::vector<geometry::Cuboid> boxes;
  for (const auto& a : s.annotations) {
    boxes.push_back(geometry::nuscenes_global_to_lidar(a, s.T_global_ego, s.T_ego_lidar));
  }
  const auto per_box = geometry::points_in_cuboids(cloud->view(), boxes);
  int total = 0;
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    EXPECT_EQ(static_cast<int>(per_box[i].size()), s.num_lidar_pts[i]) << "annotation " << i;
    total += static_cast<int>(per_box[i].size());
  }
  EXPECT_EQ(total, 999);  // the data README's sum
}

}  // namespace
}  // namespace pcanno
