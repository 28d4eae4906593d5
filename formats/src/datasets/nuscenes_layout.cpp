#include "pcanno/formats/datasets/nuscenes_layout.hpp"

#include <algorithm>
#include <cctype>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "datasets/nuscenes_cameras.hpp"
#include "support/input_file.hpp"
#include "support/text_scan.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxNamesListed = 20;

/// Lookups shared by all scenes of one db, built once so that listing ~1000 scenes stays linear.
struct LidarIndex {
  std::vector<char> is_lidar;                                ///< per sample_data
  std::unordered_map<std::string, std::size_t> keyframe_of;  ///< sample token -> sample_data
  std::unordered_map<std::string, std::vector<std::size_t>> samples_of;  ///< scene token -> samples
};

LidarIndex build_lidar_index(const NuscenesDb& db) {
  LidarIndex ix;
  ix.is_lidar.resize(db.sample_data.size(), 0);
  for (std::size_t i = 0; i < db.sample_data.size(); ++i) {
    const NuscenesSampleData& sd = db.sample_data[i];
    const NuscenesSensor* sensor = db.sensor_of(sd);
    if (sensor == nullptr || sensor->channel != kNuscenesLidarChannel) continue;
    ix.is_lidar[i] = 1;
    if (sd.is_key_frame) ix.keyframe_of.emplace(sd.sample_token, i);
  }
  for (std::size_t i = 0; i < db.samples.size(); ++i) {
    ix.samples_of[db.samples[i].scene_token].push_back(i);
  }
  for (auto& [scene, samples] : ix.samples_of) {
    std::stable_sort(samples.begin(), samples.end(), [&](std::size_t a, std::size_t b) {
      return db.samples[a].timestamp_us < db.samples[b].timestamp_us;
    });
  }
  return ix;
}

/// The scene's LIDAR_TOP sample_data indices in time order.
std::vector<std::size_t> scene_frames(const NuscenesDb& db, const LidarIndex& ix,
                                      const NuscenesScene& scene, bool include_sweeps,
                                      std::vector<std::string>& warnings) {
  static const std::vector<std::size_t> kNone;
  const auto found = ix.samples_of.find(scene.token);
  const std::vector<std::size_t>& samples = found == ix.samples_of.end() ? kNone : found->second;
  // 0 is also what an absent nbr_samples reads as, so only a positive count is compared.
  if (scene.nbr_samples > 0 && static_cast<std::size_t>(scene.nbr_samples) != samples.size()) {
    warnings.push_back("scene '" + scene.name + "': nbr_samples is " +
                       std::to_string(scene.nbr_samples) + " but the tables hold " +
                       std::to_string(samples.size()) + " of its samples");
  }

  std::vector<std::size_t> frames;
  std::unordered_set<std::string> scene_samples;
  std::size_t without_lidar = 0;
  for (const std::size_t s : samples) {
    scene_samples.insert(db.samples[s].token);
    const auto kf = ix.keyframe_of.find(db.samples[s].token);
    if (kf == ix.keyframe_of.end()) {
      ++without_lidar;
    } else {
      frames.push_back(kf->second);
    }
  }
  if (without_lidar != 0) {
    warnings.push_back("scene '" + scene.name + "': " + std::to_string(without_lidar) + " of " +
                       std::to_string(samples.size()) + " samples have no " +
                       kNuscenesLidarChannel + " keyframe");
  }
  if (!include_sweeps) return frames;

  // Walking both ways from every keyframe keeps the sweeps between keyframes reachable when one
  // link in the chain is broken; the visited set keeps the walk linear and stops cycles.
  std::unordered_set<std::size_t> visited(frames.begin(), frames.end());
  const std::vector<std::size_t> keyframes = frames;
  for (const std::size_t start : keyframes) {
    for (const bool forward : {true, false}) {
      std::size_t current = start;
      for (;;) {
        const NuscenesSampleData& sd = db.sample_data[current];
        const auto next = db.index.sample_data.find(forward ? sd.next : sd.prev);
        if (next == db.index.sample_data.end()) break;  // chain end; dangling links are db warnings
        const std::size_t n = next->second;
        if (n >= db.sample_data.size() || ix.is_lidar[n] == 0 || visited.count(n) != 0 ||
            scene_samples.count(db.sample_data[n].sample_token) == 0) {
          break;
        }
        visited.insert(n);
        frames.push_back(n);
        current = n;
      }
    }
  }
  std::stable_sort(frames.begin(), frames.end(), [&](std::size_t a, std::size_t b) {
    return db.sample_data[a].timestamp_us < db.sample_data[b].timestamp_us;
  });
  return frames;
}

/// By file name, not `fileformat`: nuScenes writes "pcd" for its raw `.pcd.bin` files.
std::string cloud_format_of(const std::string& filename) {
  const std::string name = detail::lower_ascii(filename);
  if (detail::ends_with(name, ".pcd.bin") || detail::ends_with(name, ".bin")) return "nuscenes-bin";
  if (detail::ends_with(name, ".pcd")) return "pcd";
  return "";  // the reader registry decides by suffix and content
}

Expected<Sequence> build_sequence(const NuscenesDb& db, const LidarIndex& ix,
                                  const NuscenesScene& scene, bool include_sweeps) {
  Sequence seq;
  seq.layout = "nuscenes";
  seq.name = scene.name;
  seq.root = db.dataroot;
  seq.labels = db.table_dir();
  seq.warnings = db.warnings;

  const std::vector<std::size_t> indices =
      scene_frames(db, ix, scene, include_sweeps, seq.warnings);
  std::unordered_map<std::string, int> calibration_of;
  std::size_t without_pose = 0, missing_files = 0, unknown_format = 0;
  std::string first_without_pose, first_missing, first_unknown;
  seq.frames.reserve(indices.size());
  for (const std::size_t i : indices) {
    const NuscenesSampleData& sd = db.sample_data[i];
    FrameRef frame;
    frame.cloud_path = db.dataroot / sd.filename;
    frame.format = cloud_format_of(sd.filename);
    frame.name = sd.token;
    frame.timestamp_us = sd.timestamp_us;
    frame.is_keyframe = sd.is_key_frame;
    if (sd.is_key_frame) frame.sample_token = sd.sample_token;

    const NuscenesCalibratedSensor* cs = db.calibrated_sensor(sd.calibrated_sensor_token);
    const NuscenesEgoPose* ego = db.ego_pose(sd.ego_pose_token);
    if (cs != nullptr) {
      auto [it, added] =
          calibration_of.emplace(cs->token, static_cast<int>(seq.calibrations.size()));
      if (added) {
        Calibration calibration;
        calibration.T_ego_lidar = cs->T_ego_sensor();
        calibration.source = db.table_dir() / "calibrated_sensor.json";
        seq.calibrations.push_back(std::move(calibration));
      }
      frame.calibration = it->second;
    }
    if (cs != nullptr && ego != nullptr) {
      frame.T_world_lidar = geometry::compose(ego->T_global_ego(), cs->T_ego_sensor());
    } else if (without_pose++ == 0) {
      first_without_pose = sd.token;
    }
    std::error_code ec;
    if (!fs::exists(frame.cloud_path, ec) && missing_files++ == 0) {
      first_missing = frame.cloud_path.string();
    }
    if (frame.format.empty() && unknown_format++ == 0) first_unknown = sd.filename;
    seq.frames.push_back(std::move(frame));
  }

  const std::string of_n = " of " + std::to_string(seq.frames.size());
  if (without_pose != 0) {
    seq.warnings.push_back(std::to_string(without_pose) + of_n +
                           " frames lack their ego_pose or calibrated_sensor record and have no "
                           "pose (first: sample_data '" +
                           first_without_pose + "')");
  }
  if (missing_files != 0) {
    seq.warnings.push_back(std::to_string(missing_files) + of_n +
                           " LiDAR files are missing (first: " + first_missing + ")");
  }
  if (unknown_format != 0) {
    seq.warnings.push_back(std::to_string(unknown_format) + of_n +
                           " LiDAR files have an unexpected suffix (first: " + first_unknown +
                           "); the reader is chosen by content");
  }
  std::unordered_set<std::string> scene_samples;
  if (const auto found = ix.samples_of.find(scene.token); found != ix.samples_of.end()) {
    for (const std::size_t s : found->second) scene_samples.insert(db.samples[s].token);
  }
  detail::add_nuscenes_images(db, scene_samples, indices, seq);
  return seq;
}

Error unknown_scene(const NuscenesDb& db, const std::string& name) {
  std::string names;
  for (std::size_t i = 0; i < db.scenes.size() && i < kMaxNamesListed; ++i) {
    names += (i == 0 ? "" : ", ") + db.scenes[i].name;
  }
  if (db.scenes.size() > kMaxNamesListed) {
    names += ", ... (" + std::to_string(db.scenes.size()) + " in all)";
  }
  return Error{ErrorCode::kNotFound, "no scene named '" + name + "'; available: " + names,
               db.table_dir().string()};
}

}  // namespace

bool looks_like_nuscenes(const fs::path& dataroot) {
  std::error_code ec;
  for (fs::directory_iterator it(dataroot, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename().string().rfind("v1.", 0) != 0) continue;
    std::error_code file_ec;
    if (fs::is_regular_file(it->path() / "scene.json", file_ec) &&
        fs::is_regular_file(it->path() / "sample_data.json", file_ec)) {
      return true;
    }
  }
  return false;
}

Expected<Sequence> make_nuscenes_sequence(const NuscenesDb& db, const std::string& scene_name,
                                          bool include_sweeps) {
  return detail::guard_allocation(db.dataroot.string(), [&]() -> Expected<Sequence> {
    if (db.scenes.empty()) {
      return Error{ErrorCode::kNotFound, "the tables hold no scene", db.table_dir().string()};
    }
    const NuscenesScene* scene =
        scene_name.empty() ? &db.scenes.front() : db.scene_by_name(scene_name);
    if (scene == nullptr) return unknown_scene(db, scene_name);
    return build_sequence(db, build_lidar_index(db), *scene, include_sweeps);
  });
}

Expected<Sequence> open_nuscenes_sequence(const fs::path& dataroot,
                                          const SequenceOptions& options) {
  Expected<NuscenesDb> db = load_nuscenes_db(dataroot, options.nuscenes_version, false);
  if (!db) return std::move(db).error();
  return make_nuscenes_sequence(*db, options.name, options.include_sweeps);
}

Expected<std::vector<SequenceSummary>> list_nuscenes_scenes(const fs::path& dataroot,
                                                            const SequenceOptions& options) {
  Expected<NuscenesDb> db = load_nuscenes_db(dataroot, options.nuscenes_version, false);
  if (!db) return std::move(db).error();
  return detail::guard_allocation(
      dataroot.string(), [&]() -> Expected<std::vector<SequenceSummary>> {
        const LidarIndex ix = build_lidar_index(*db);
        std::vector<SequenceSummary> out;
        out.reserve(db->scenes.size());
        std::vector<std::string> ignored;
        for (const NuscenesScene& scene : db->scenes) {
          const std::size_t n =
              scene_frames(*db, ix, scene, options.include_sweeps, ignored).size();
          out.push_back(SequenceSummary{"nuscenes", scene.name, n});
        }
        return out;
      });
}

}  // namespace pcanno::formats
