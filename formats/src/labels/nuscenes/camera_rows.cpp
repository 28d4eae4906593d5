#include "labels/nuscenes/camera_rows.hpp"

#include <map>
#include <system_error>
#include <tuple>
#include <vector>

namespace pcanno::formats::detail {
namespace {

namespace fs = std::filesystem;
using geometry::Pose;

constexpr const char* kMissingImages =
    "camera image files not found at the source (their sample_data rows are written)";

/// The image's path relative to the source dataroot when it lies inside it, else empty.
std::string relative_to_root(const fs::path& image, const fs::path& root) {
  if (root.empty()) return "";
  const fs::path rel = image.lexically_normal().lexically_relative(root.lexically_normal());
  if (rel.empty() || rel.is_absolute() || *rel.begin() == "..") return "";
  return rel.generic_string();
}

/// A camera the tables can describe: mounted on the vehicle, P = [K | 0].
bool writable(const CameraImage& image) {
  return image.T_ego_camera.has_value() && image.camera.P.col(3).isZero(0.0) &&
         image.camera.P.allFinite() && !image.channel.empty();
}

const std::string& sensor_token(NuscenesDb& db, const std::string& channel) {
  for (const NuscenesSensor& s : db.sensors) {
    if (s.channel == channel) return s.token;
  }
  db.sensors.push_back({make_token("sensor", channel), channel, "camera", {}});
  return db.sensors.back().token;
}

std::string calibrated_sensor_token(NuscenesDb& db, const std::string& scene_name,
                                    const CameraImage& image) {
  const std::string token = looks_like_token(image.calibrated_sensor_token)
                                ? image.calibrated_sensor_token
                                : make_token("calibrated_sensor", scene_name + "|" + image.channel);
  for (const NuscenesCalibratedSensor& c : db.calibrated_sensors) {
    if (c.token == token) return token;  // one mount per camera and scene (or source token)
  }
  NuscenesCalibratedSensor cs;
  cs.token = token;
  cs.sensor_token = sensor_token(db, image.channel);
  std::tie(cs.rotation, cs.translation) = nuscenes_rigid_parts(*image.T_ego_camera);
  cs.camera_intrinsic = image.camera.P.leftCols<3>().eval();
  db.calibrated_sensors.push_back(cs);
  return token;
}

}  // namespace

void add_nuscenes_camera_rows(NuscenesExportPlan& plan, const std::string& scene_name,
                              const std::string& log_name, std::size_t first_frame,
                              WriteReport& report) {
  NuscenesDb& db = plan.db;
  std::map<std::string, std::vector<std::size_t>> chains;  // channel -> its sample_data rows
  for (std::size_t f = first_frame; f < plan.frames.size(); ++f) {
    NuscenesExportFrame& frame = plan.frames[f];
    if (frame.sequence == nullptr || !db.sample_data[frame.data].is_key_frame) continue;
    const Sequence& seq = *frame.sequence;
    const FrameRef& ref = seq.frames[static_cast<std::size_t>(frame.index)];
    const bool use_poses = seq.has_poses();
    for (const CameraImage& image : ref.images) {
      if (!writable(image)) continue;
      // Copy what we need now: push_back below may move the LiDAR row.
      const NuscenesSampleData lidar = db.sample_data[frame.data];
      const std::string key = scene_name + "|" + std::to_string(frame.index) + "|" + image.channel;
      // The image keeps its offset from the sweep, also when the export made up the sweep times.
      const std::int64_t time = image.timestamp_us >= 0 && ref.timestamp_us >= 0
                                    ? lidar.timestamp_us + (image.timestamp_us - ref.timestamp_us)
                                    : lidar.timestamp_us;

      NuscenesEgoPose ego;
      ego.token = plan.ego_tokens.take(key);
      ego.timestamp_us = time;
      const Pose T_global_ego =
          use_poses && image.T_world_ego
              ? *image.T_world_ego
              : geometry::compose(
                    geometry::compose(frame.T_global_lidar, geometry::invert(image.T_cam_lidar)),
                    geometry::invert(*image.T_ego_camera));
      std::tie(ego.rotation, ego.translation) = nuscenes_rigid_parts(T_global_ego);
      db.ego_poses.push_back(ego);

      NuscenesSampleData sd;
      sd.token = plan.data_tokens.take(key, image.sample_data_token);
      sd.sample_token = lidar.sample_token;
      sd.ego_pose_token = ego.token;
      sd.calibrated_sensor_token = calibrated_sensor_token(db, scene_name, image);
      std::string ext = image.path.extension().string();
      if (!ext.empty()) ext.erase(0, 1);
      sd.filename = relative_to_root(image.path, seq.root);
      if (sd.filename.empty()) {
        sd.filename = "samples/" + image.channel + "/" + log_name + "__" + image.channel + "__" +
                      std::to_string(time) + (ext.empty() ? "" : "." + ext);
      }
      sd.fileformat = ext;
      sd.width = image.camera.width;
      sd.height = image.camera.height;
      sd.timestamp_us = time;
      sd.is_key_frame = true;
      db.sample_data.push_back(sd);
      chains[image.channel].push_back(db.sample_data.size() - 1);

      std::error_code ec;
      if (fs::is_regular_file(image.path, ec)) {
        frame.images.emplace_back(image.path, db.sample_data.size() - 1);
      } else {
        ++report.dropped[kMissingImages];
      }
    }
  }
  for (const auto& [channel, rows] : chains) {
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (i > 0) db.sample_data[rows[i]].prev = db.sample_data[rows[i - 1]].token;
      if (i + 1 < rows.size()) db.sample_data[rows[i]].next = db.sample_data[rows[i + 1]].token;
    }
  }
}

}  // namespace pcanno::formats::detail
