// nuScenes export of camera rows (sample_data, calibrated_sensor, sensor, ego_pose): the devkit's
// way of drawing an exported box into an image (global -> ego(t_cam) -> camera -> K) must land
// where the sequence's own camera model puts it.
#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "files.hpp"
#include "nuscenes_link_rules.hpp"
#include "pcanno/formats/datasets/nuscenes_db.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/nuscenes/codec.hpp"
#include "pcanno/formats/labels/shape_frames.hpp"
#include "pcanno/geometry/camera.hpp"
#include "pcanno/geometry/nuscenes_convention.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;
using geometry::Pose;
using test::TempDir;
using test_nuscenes::join;
using test_nuscenes::link_problems;

fs::path lidar_only_mini() { return test::shared_data_dir() / "nuscenes/v1.0-mini-scene0061"; }
fs::path cameras_mini() { return test::shared_data_dir() / "nuscenes_cameras/v1.0-mini-scene0061"; }
const char* const kFrontJpg =
    "samples/CAM_FRONT/n015-2018-07-24-11-22-45+0800__CAM_FRONT__1532402927612460.jpg";

/// A sample_data row's camera as the devkit builds it: global -> camera, and K.
struct ExportedCamera {
  Pose T_cam_global;
  Eigen::Matrix3d K;
};

ExportedCamera exported_camera(const NuscenesDb& db, const NuscenesSampleData& sd) {
  const NuscenesCalibratedSensor* cs = db.calibrated_sensor(sd.calibrated_sensor_token);
  const NuscenesEgoPose* ego = db.ego_pose(sd.ego_pose_token);
  EXPECT_TRUE(cs && ego && cs->camera_intrinsic) << sd.token;
  if (!cs || !ego || !cs->camera_intrinsic) return {Pose::Identity(), Eigen::Matrix3d::Identity()};
  // The devkit: translate by -ego.translation, rotate by ego.rotation^-1, then the same for cs.
  const Pose T_global_cam = ego->T_global_ego() * cs->T_ego_sensor();
  return {T_global_cam.inverse(), *cs->camera_intrinsic};
}

Eigen::Vector2d pixel(const Eigen::Matrix3d& K, const Eigen::Vector3d& p_cam) {
  const Eigen::Vector3d uvw = K * p_cam;
  return uvw.head<2>() / uvw.z();
}

double pose_distance(const Pose& a, const Pose& b) {
  return (a.matrix() - b.matrix()).cwiseAbs().maxCoeff();
}

/// A camera looking along ego +x (nuScenes camera axes: x right, y down, z forward).
Pose front_camera_mount() {
  Eigen::Matrix3d R;  // columns: camera x, y, z in the ego frame
  R << 0, 0, 1, -1, 0, 0, 0, -1, 0;
  Pose T = Pose::Identity();
  T.linear() = Eigen::AngleAxisd(0.01, Eigen::Vector3d::UnitZ()).toRotationMatrix() * R;
  T.translation() = Eigen::Vector3d(1.70, 0.016, 1.51);
  return T;
}

TEST(NuscenesCameraExport, HandBuiltCamerasBecomeRowsTheDevkitProjectsWith) {
  PCANNO_REQUIRE_DATA(lidar_only_mini() / kFrontJpg);
  Expected<Sequence> seq = open_sequence(lidar_only_mini());
  ASSERT_TRUE(seq) << seq.error().describe();
  ASSERT_EQ(seq->size(), 1u);
  ASSERT_TRUE(seq->has_poses());
  LabelContext ctx;
  ctx.sequence = &*seq;
  const Expected<Annotations> doc = read_nuscenes_annotations(lidar_only_mini(), ctx);
  ASSERT_TRUE(doc) << doc.error().describe();

  // The car drove 0.33 m and turned 0.002 rad between the image and the sweep.
  FrameRef& frame = seq->frames[0];
  const Pose T_ego_lidar = *seq->calibrations.at(0).T_ego_lidar;
  const Pose T_world_ego_lidar = *frame.T_world_lidar * T_ego_lidar.inverse();
  Pose motion = Pose::Identity();
  motion.linear() = Eigen::AngleAxisd(-0.002, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  motion.translation() = Eigen::Vector3d(-0.33, 0.01, 0.0);
  const Pose T_world_ego_cam = T_world_ego_lidar * motion;
  Eigen::Matrix3d K;
  K << 1266.417203046554, 0.0, 816.2670197447984, 0.0, 1266.417203046554, 491.50706579294757, 0.0,
      0.0, 1.0;

  CameraImage front;
  front.channel = "CAM_FRONT";
  front.path = lidar_only_mini() / kFrontJpg;
  front.timestamp_us = 1532402927612460;
  front.camera = geometry::PinholeCamera::from_intrinsics(K, 1600, 900);
  front.T_ego_camera = front_camera_mount();
  front.T_world_ego = T_world_ego_cam;
  front.T_cam_lidar =
      front.T_ego_camera->inverse() * T_world_ego_cam.inverse() * *frame.T_world_lidar;
  front.sample_data_token = "e3d495d4ac534d54b321f50006683844";
  front.calibrated_sensor_token = "0123456789abcdef0123456789abcdef";
  // A KITTI-style rectified camera: no mount on the vehicle, so no nuScenes rows.
  CameraImage kitti = front;
  kitti.channel = "image_2";
  kitti.T_ego_camera.reset();
  kitti.sample_data_token.clear();
  // A listed image whose file is missing: rows written, counted as not copied.
  CameraImage missing = front;
  missing.channel = "CAM_BACK";
  missing.path = lidar_only_mini() / "samples/CAM_BACK/not_there.jpg";
  missing.sample_data_token.clear();
  missing.calibrated_sensor_token.clear();
  frame.images = {front, kitti, missing};
  seq->cameras = {"CAM_FRONT", "image_2", "CAM_BACK"};

  TempDir tmp;
  const fs::path out = tmp.path() / "export";
  const Expected<WriteReport> report = write_nuscenes_dataset(*doc, out, ctx);
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->boxes_written, 68u);
  ASSERT_EQ(report->dropped.size(), 1u);
  EXPECT_EQ(report->dropped.begin()->second, 1u);
  EXPECT_NE(report->dropped.begin()->first.find("not found"), std::string::npos);

  const Expected<NuscenesDb> db = load_nuscenes_db(out, "v1.0-mini");
  ASSERT_TRUE(db) << db.error().describe();
  ASSERT_EQ(db->samples.size(), 1u);
  std::map<std::string, std::string> modality;
  for (const NuscenesSensor& s : db->sensors) modality[s.channel] = s.modality;
  EXPECT_EQ(modality,
            (std::map<std::string, std::string>{
                {"LIDAR_TOP", "lidar"}, {"CAM_FRONT", "camera"}, {"CAM_BACK", "camera"}}));
  ASSERT_EQ(db->sample_data.size(), 3u);  // LIDAR_TOP, CAM_FRONT, CAM_BACK
  const NuscenesSampleData* sd = db->sample_datum(front.sample_data_token);
  ASSERT_NE(sd, nullptr) << "the source token is kept";
  EXPECT_EQ(db->sensor_of(*sd)->channel, "CAM_FRONT");
  EXPECT_EQ(sd->sample_token, db->samples[0].token);
  EXPECT_EQ(sd->filename, kFrontJpg);
  EXPECT_EQ(sd->fileformat, "jpg");
  EXPECT_EQ(sd->width, 1600);
  EXPECT_EQ(sd->height, 900);
  EXPECT_EQ(sd->timestamp_us, 1532402927612460);
  EXPECT_TRUE(sd->is_key_frame);
  EXPECT_TRUE(sd->prev.empty() && sd->next.empty());
  EXPECT_EQ(test::slurp(out / sd->filename), test::slurp(front.path));
  EXPECT_EQ(sd->calibrated_sensor_token, front.calibrated_sensor_token);
  EXPECT_LT(pose_distance(db->calibrated_sensor(sd->calibrated_sensor_token)->T_ego_sensor(),
                          *front.T_ego_camera),
            1e-12);
  EXPECT_LT(pose_distance(db->ego_pose(sd->ego_pose_token)->T_global_ego(), T_world_ego_cam), 1e-9);
  EXPECT_TRUE(db->calibrated_sensor(sd->calibrated_sensor_token)->camera_intrinsic->isApprox(K));

  // Every exported box in front of the camera: the devkit's global -> camera path gives the same
  // pixels as the sequence's LiDAR box through T_cam_lidar.
  const ExportedCamera cam = exported_camera(*db, *sd);
  int in_front = 0;
  for (const NuscenesSampleAnnotation& ann : db->sample_annotations) {
    const geometry::Cuboid global = geometry::to_cuboid(ann.box());
    const geometry::Cuboid in_lidar = geometry::transform(frame.T_world_lidar->inverse(), global);
    const auto a = global.corners();
    const auto b = in_lidar.corners();
    for (std::size_t c = 0; c < 8; ++c) {
      const Eigen::Vector3d p_devkit = cam.T_cam_global * a[c];
      const Eigen::Vector3d p_sequence = front.T_cam_lidar * b[c];
      EXPECT_LT((p_devkit - p_sequence).norm(), 1e-6);
      if (p_sequence.z() < 1.0) continue;
      ++in_front;
      EXPECT_LT((pixel(cam.K, p_devkit) - pixel(K, p_sequence)).norm(), 1e-4);
    }
  }
  EXPECT_GT(in_front, 100);

  // The missing image keeps a generated token and its own calibrated_sensor, but no file.
  const auto back = std::find_if(
      db->sample_data.begin(), db->sample_data.end(), [&](const NuscenesSampleData& r) {
        return db->sensor_of(r) && db->sensor_of(r)->channel == "CAM_BACK";
      });
  ASSERT_NE(back, db->sample_data.end());
  EXPECT_EQ(back->filename, "samples/CAM_BACK/not_there.jpg");
  EXPECT_FALSE(fs::exists(out / back->filename));
  EXPECT_NE(back->calibrated_sensor_token, sd->calibrated_sensor_token);

  // Without the missing image every link and file of the export resolves. Without the image's
  // own ego pose the writer carries the LiDAR's written pose to the camera through T_cam_lidar
  // and the mount, which gives the same pose.
  CameraImage front_without_pose = front;
  front_without_pose.T_world_ego.reset();
  frame.images = {front_without_pose, kitti};
  const fs::path complete = tmp.path() / "complete";
  const Expected<WriteReport> again = write_nuscenes_dataset(*doc, complete, ctx);
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_TRUE(again->dropped.empty());
  const auto problems = link_problems(complete, "v1.0-mini");
  EXPECT_TRUE(problems.empty()) << join(problems);
  const Expected<NuscenesDb> derived = load_nuscenes_db(complete, "v1.0-mini");
  ASSERT_TRUE(derived) << derived.error().describe();
  const NuscenesSampleData* derived_sd = derived->sample_datum(front.sample_data_token);
  ASSERT_NE(derived_sd, nullptr);
  EXPECT_LT(
      pose_distance(derived->ego_pose(derived_sd->ego_pose_token)->T_global_ego(), T_world_ego_cam),
      1e-9);
}

TEST(NuscenesCameraExport, CameraRowsChainPerChannelAndFollowMadeUpTimes) {
  PCANNO_REQUIRE_DATA(lidar_only_mini() / kFrontJpg);
  // One real frame three times: three keyframes, each with a CAM_FRONT image 35 ms before its
  // sweep. The document's frames have no times, so the export makes them up (10 Hz) and the
  // images keep their offset.
  Expected<Sequence> seq = open_sequence(lidar_only_mini());
  ASSERT_TRUE(seq) << seq.error().describe();
  const FrameRef base = seq->frames[0];
  seq->frames.clear();
  for (int i = 0; i < 3; ++i) {
    FrameRef f = base;
    f.name = "frame" + std::to_string(i);
    f.sample_token.clear();
    f.timestamp_us = -1;
    CameraImage image;
    image.channel = "CAM_FRONT";
    image.path = lidar_only_mini() / kFrontJpg;
    image.timestamp_us = 1000;
    f.timestamp_us = 36000;
    image.camera = geometry::PinholeCamera::from_intrinsics(Eigen::Matrix3d::Identity(), 1600, 900);
    image.T_ego_camera = front_camera_mount();
    image.T_world_ego = *f.T_world_lidar;
    image.T_cam_lidar =
        image.T_ego_camera->inverse() * image.T_world_ego->inverse() * *f.T_world_lidar;
    f.images.push_back(image);
    seq->frames.push_back(f);
  }
  seq->frames[1].timestamp_us = 20000;  // not increasing: the export makes up every time
  seq->cameras = {"CAM_FRONT"};
  Annotations doc;
  doc.sequence.name = "three";
  doc.frames.resize(3);
  LabelContext ctx;
  ctx.sequence = &*seq;
  TempDir tmp;
  ASSERT_TRUE(write_nuscenes_dataset(doc, tmp.path() / "out", ctx));
  const Expected<NuscenesDb> db = load_nuscenes_db(tmp.path() / "out");
  ASSERT_TRUE(db) << db.error().describe();
  std::vector<const NuscenesSampleData*> lidar, camera;
  for (const NuscenesSampleData& r : db->sample_data) {
    (db->sensor_of(r)->channel == "CAM_FRONT" ? camera : lidar).push_back(&r);
  }
  ASSERT_EQ(lidar.size(), 3u);
  ASSERT_EQ(camera.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(camera[i]->sample_token, lidar[i]->sample_token);
    // Frame 1's image is 19 ms before its (made-up) sweep time, the others 35 ms.
    const std::int64_t offset = i == 1 ? 19000 : 35000;
    EXPECT_EQ(camera[i]->timestamp_us, lidar[i]->timestamp_us - offset);
    EXPECT_EQ(camera[i]->prev, i == 0 ? "" : camera[i - 1]->token);
    EXPECT_EQ(camera[i]->next, i == 2 ? "" : camera[i + 1]->token);
    EXPECT_EQ(camera[i]->calibrated_sensor_token, camera[0]->calibrated_sensor_token);
  }
  // One calibrated_sensor for the camera across the scene, one for the LiDAR.
  EXPECT_EQ(db->calibrated_sensors.size(), 2u);
  const auto problems = link_problems(tmp.path() / "out", db->version);
  EXPECT_TRUE(problems.empty()) << join(problems);
}

TEST(NuscenesCameraExport, RealSixCamerasReproduceTheDevkitProjection) {
  const fs::path gt_file = cameras_mini() / "gt_boxes_camera_projection.json";
  PCANNO_REQUIRE_DATA(gt_file);
  const Expected<Sequence> seq = open_sequence(cameras_mini());
  ASSERT_TRUE(seq) << seq.error().describe();
  ASSERT_EQ(seq->size(), 1u);
  ASSERT_EQ(seq->frames[0].images.size(), 6u) << "the layout lists the six cameras";
  LabelContext ctx;
  ctx.sequence = &*seq;
  const Expected<Annotations> doc = read_nuscenes_annotations(cameras_mini(), ctx);
  ASSERT_TRUE(doc) << doc.error().describe();
  TempDir tmp;
  const fs::path out = tmp.path() / "export";
  const Expected<WriteReport> report = write_nuscenes_dataset(*doc, out, ctx);
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_TRUE(report->dropped.empty());
  const auto problems = link_problems(out, "v1.0-mini");
  EXPECT_TRUE(problems.empty()) << join(problems);

  const Expected<NuscenesDb> source = load_nuscenes_db(cameras_mini(), "v1.0-mini");
  const Expected<NuscenesDb> db = load_nuscenes_db(out, "v1.0-mini");
  ASSERT_TRUE(source) << source.error().describe();
  ASSERT_TRUE(db) << db.error().describe();
  ASSERT_EQ(db->samples.size(), 1u);
  std::vector<const NuscenesSampleData*> cameras;
  for (const NuscenesSampleData& r : db->sample_data) {
    const NuscenesSensor* sensor = db->sensor_of(r);
    ASSERT_NE(sensor, nullptr) << r.token;
    if (sensor->modality == "camera") cameras.push_back(&r);
  }
  ASSERT_EQ(cameras.size(), 6u);
  for (const NuscenesSampleData* r : cameras) {
    EXPECT_EQ(r->sample_token, db->samples[0].token);
    EXPECT_TRUE(r->is_key_frame);
    // The source's row: same token, file, size, time; its mount and ego pose to 1e-9.
    const NuscenesSampleData* src = source->sample_datum(r->token);
    ASSERT_NE(src, nullptr) << "source token kept for " << r->filename;
    EXPECT_EQ(r->filename, src->filename);
    EXPECT_EQ(r->fileformat, src->fileformat);
    EXPECT_EQ(r->width, src->width);
    EXPECT_EQ(r->height, src->height);
    EXPECT_EQ(r->timestamp_us, src->timestamp_us);
    EXPECT_EQ(db->sensor_of(*r)->channel, source->sensor_of(*src)->channel);
    EXPECT_EQ(test::slurp(out / r->filename), test::slurp(cameras_mini() / src->filename));
    const NuscenesCalibratedSensor* cs = db->calibrated_sensor(r->calibrated_sensor_token);
    const NuscenesCalibratedSensor* src_cs =
        source->calibrated_sensor(src->calibrated_sensor_token);
    ASSERT_TRUE(cs && src_cs && cs->camera_intrinsic && src_cs->camera_intrinsic);
    EXPECT_LT((cs->translation - src_cs->translation).norm(), 1e-9);
    EXPECT_LT(geometry::rotation_angle_between(cs->rotation, src_cs->rotation), 1e-9);
    EXPECT_LT((*cs->camera_intrinsic - *src_cs->camera_intrinsic).cwiseAbs().maxCoeff(), 1e-9);
    const NuscenesEgoPose* ego = db->ego_pose(r->ego_pose_token);
    const NuscenesEgoPose* src_ego = source->ego_pose(src->ego_pose_token);
    ASSERT_TRUE(ego && src_ego);
    EXPECT_LT((ego->translation - src_ego->translation).norm(), 1e-9);
    EXPECT_LT(geometry::rotation_angle_between(ego->rotation, src_ego->rotation), 1e-9);
    EXPECT_EQ(ego->timestamp_us, src_ego->timestamp_us);
  }

  // The devkit's projection of every visible box, redone on the exported tables.
  const nlohmann::json gt = nlohmann::json::parse(test::slurp(gt_file));
  std::size_t boxes = 0;
  for (const auto& [channel, camera] : gt.at("cameras").items()) {
    const NuscenesSampleData* r = db->sample_datum(camera.at("sample_data_token"));
    ASSERT_NE(r, nullptr) << channel;
    EXPECT_EQ(db->sensor_of(*r)->channel, channel);
    const ExportedCamera cam = exported_camera(*db, *r);
    for (const auto& box : camera.at("boxes")) {
      const NuscenesSampleAnnotation* ann = db->sample_annotation(box.at("annotation_token"));
      ASSERT_NE(ann, nullptr) << channel;
      const auto corners = geometry::to_cuboid(ann->box()).corners();
      // The devkit orders corners differently: match each of its corners to the nearest one.
      for (std::size_t c = 0; c < 8; ++c) {
        const auto& xyz = box.at("corners_camera")[c];
        const Eigen::Vector3d expected_cam(xyz[0], xyz[1], xyz[2]);
        const Eigen::Vector2d expected_px(box.at("corners_pixel")[c][0],
                                          box.at("corners_pixel")[c][1]);
        double best = 1e9;
        Eigen::Vector3d nearest;
        for (const Eigen::Vector3d& corner : corners) {
          const Eigen::Vector3d p = cam.T_cam_global * corner;
          if ((p - expected_cam).norm() < best) best = (p - expected_cam).norm(), nearest = p;
        }
        EXPECT_LT(best, 1e-6) << channel << " box " << ann->token << " corner " << c;
        EXPECT_LT((pixel(cam.K, nearest) - expected_px).norm(), 0.5)
            << channel << " box " << ann->token << " corner " << c;
      }
      ++boxes;
    }
  }
  EXPECT_EQ(boxes, 84u);  // data README
}

}  // namespace
}  // namespace pcanno::formats
