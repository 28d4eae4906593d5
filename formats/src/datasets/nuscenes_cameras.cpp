#include "datasets/nuscenes_cameras.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <unordered_map>

#include "datasets/camera_images.hpp"

namespace pcanno::formats::detail {
namespace {

/// [us] Farthest a sweep's image may be from it; nuScenes cameras run at 12 Hz (42 ms apart), so
/// this tolerates a few dropped images.
constexpr std::int64_t kMaxImageGapUs = 250'000;

/// The usable records of one camera channel within a scene.
struct Channel {
  std::vector<std::size_t> by_time;                          ///< sample_data, time order
  std::unordered_map<std::string, std::size_t> keyframe_of;  ///< sample token -> sample_data
  std::size_t skipped_no_intrinsic = 0, skipped_no_pose = 0, records = 0;
};

std::size_t nearest_in_time(const NuscenesDb& db, const std::vector<std::size_t>& by_time,
                            std::int64_t t) {
  const auto after = std::lower_bound(
      by_time.begin(), by_time.end(), t,
      [&](std::size_t i, std::int64_t time) { return db.sample_data[i].timestamp_us < time; });
  if (after == by_time.begin()) return by_time.front();
  if (after == by_time.end()) return by_time.back();
  const std::size_t before = *(after - 1);
  return t - db.sample_data[before].timestamp_us <= db.sample_data[*after].timestamp_us - t
             ? before
             : *after;
}

CameraImage make_image(const NuscenesDb& db, const NuscenesSampleData& sd,
                       const std::string& channel, const geometry::Pose& T_world_lidar) {
  const NuscenesCalibratedSensor& cs = *db.calibrated_sensor(sd.calibrated_sensor_token);
  const NuscenesEgoPose& ego = *db.ego_pose(sd.ego_pose_token);
  CameraImage image;
  image.channel = channel;
  image.path = db.dataroot / sd.filename;
  image.timestamp_us = sd.timestamp_us;
  image.camera =
      geometry::PinholeCamera::from_intrinsics(*cs.camera_intrinsic, sd.width, sd.height);
  image.T_ego_camera = cs.T_ego_sensor();
  image.T_world_ego = ego.T_global_ego();
  // The camera's own ego pose: the car moves between the sweep and the exposure (up to 0.4 m
  // in scene-0061), so the LiDAR's pose would misplace every box in the image.
  const geometry::Pose T_world_camera = geometry::compose(*image.T_world_ego, *image.T_ego_camera);
  image.T_cam_lidar = geometry::compose(geometry::invert(T_world_camera), T_world_lidar);
  image.sample_data_token = sd.token;
  image.calibrated_sensor_token = sd.calibrated_sensor_token;
  return image;
}

}  // namespace

void add_nuscenes_images(const NuscenesDb& db, const std::unordered_set<std::string>& scene_samples,
                         const std::vector<std::size_t>& lidar, Sequence& seq) {
  std::map<std::string, Channel> channels;  // by name, for a stable order after the ring
  for (std::size_t i = 0; i < db.sample_data.size(); ++i) {
    const NuscenesSampleData& sd = db.sample_data[i];
    const NuscenesSensor* sensor = db.sensor_of(sd);
    if (sensor == nullptr || sensor->modality != "camera" ||
        scene_samples.count(sd.sample_token) == 0) {
      continue;
    }
    Channel& channel = channels[sensor->channel];
    ++channel.records;
    const NuscenesCalibratedSensor* cs = db.calibrated_sensor(sd.calibrated_sensor_token);
    if (cs == nullptr || !cs->camera_intrinsic) {
      ++channel.skipped_no_intrinsic;
    } else if (db.ego_pose(sd.ego_pose_token) == nullptr) {
      ++channel.skipped_no_pose;
    } else {
      channel.by_time.push_back(i);
      if (sd.is_key_frame) channel.keyframe_of.emplace(sd.sample_token, i);
    }
  }

  std::vector<std::string> order;
  for (const std::string& name : nuscenes_camera_ring()) {
    if (channels.count(name) != 0) order.push_back(name);
  }
  for (auto& [name, channel] : channels) {
    if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
    std::stable_sort(channel.by_time.begin(), channel.by_time.end(),
                     [&](std::size_t a, std::size_t b) {
                       return db.sample_data[a].timestamp_us < db.sample_data[b].timestamp_us;
                     });
    const std::string of_n = " of " + std::to_string(channel.records) + " " + name + " records";
    if (channel.skipped_no_intrinsic != 0) {
      seq.warnings.push_back(std::to_string(channel.skipped_no_intrinsic) + of_n +
                             " have no calibrated_sensor with camera_intrinsic; skipped");
    }
    if (channel.skipped_no_pose != 0) {
      seq.warnings.push_back(std::to_string(channel.skipped_no_pose) + of_n +
                             " have no ego_pose; skipped");
    }
  }

  // A picture taken long before or after the sweep shows another scene (moving objects, another
  // stretch of road): such a frame gets no image of that camera rather than a misleading one.
  std::map<std::string, std::size_t> too_far;
  for (std::size_t f = 0; f < seq.frames.size() && f < lidar.size(); ++f) {
    FrameRef& frame = seq.frames[f];
    if (!frame.T_world_lidar) continue;  // already reported as a frame without a pose
    const NuscenesSampleData& lidar_sd = db.sample_data[lidar[f]];
    for (const std::string& name : order) {
      const Channel& channel = channels.at(name);
      if (channel.by_time.empty()) continue;
      std::size_t pick = 0;
      const auto same_sample = lidar_sd.is_key_frame
                                   ? channel.keyframe_of.find(lidar_sd.sample_token)
                                   : channel.keyframe_of.end();
      if (same_sample != channel.keyframe_of.end()) {
        pick = same_sample->second;
      } else {
        pick = nearest_in_time(db, channel.by_time, lidar_sd.timestamp_us);
        const std::int64_t gap = db.sample_data[pick].timestamp_us - lidar_sd.timestamp_us;
        if (gap > kMaxImageGapUs || gap < -kMaxImageGapUs) {
          ++too_far[name];
          continue;
        }
      }
      frame.images.push_back(make_image(db, db.sample_data[pick], name, *frame.T_world_lidar));
    }
  }
  for (const auto& [name, count] : too_far) {
    seq.warnings.push_back(name + ": " + std::to_string(count) + " frame(s) have no image within " +
                           std::to_string(kMaxImageGapUs / 1000) +
                           " ms of their sweep and are left without one");
  }
  finish_cameras(seq, order);
}

}  // namespace pcanno::formats::detail
