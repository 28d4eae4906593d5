#pragma once
// formats.md 6.2 checked on a nuScenes dataroot, independently of the writer: every table is a JSON
// list, every link resolves, and every chain (scene -> samples, instance -> annotations,
// sample_data per channel) agrees with its counts and ends.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pcanno/formats/datasets/nuscenes_db.hpp"
#include "pcanno/formats/datasets/nuscenes_layout.hpp"
#include "temp_dir.hpp"

namespace pcanno::formats::test_nuscenes {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

inline constexpr const char* kTables[] = {
    "attribute", "calibrated_sensor", "category",    "ego_pose", "instance", "log",       "map",
    "sample",    "sample_annotation", "sample_data", "scene",    "sensor",   "visibility"};

inline ordered_json load_json(const fs::path& file) {
  return ordered_json::parse(test::slurp(file), nullptr, /*allow_exceptions=*/false);
}

inline void save_json(const fs::path& file, const ordered_json& j) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << j.dump(0);
}

inline std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

// ---------------------------------------------------------------------------------------------
// formats.md 6.2, checked on a dataroot independently of the writer: each problem is one line.

inline std::vector<std::string> link_problems(const fs::path& root, const std::string& version) {
  std::vector<std::string> p;
  auto fail = [&](const std::string& what) { p.push_back(what); };
  for (const char* table : kTables) {
    const ordered_json j = load_json(root / version / (std::string(table) + ".json"));
    if (!j.is_array()) {
      fail(std::string(table) + ": not a JSON list");
      continue;
    }
    for (const auto& r : j) {
      if (!r.is_object() || !r.contains("token") || !r["token"].is_string()) {
        fail(std::string(table) + ": a record without a string token");
      } else if (r.contains("timestamp") && !r["timestamp"].is_number_integer()) {
        fail(std::string(table) + ": timestamp is not an integer [us]");
      }
    }
  }
  const Expected<NuscenesDb> loaded = load_nuscenes_db(root, version);
  if (!loaded) return {loaded.error().describe()};
  const NuscenesDb& d = *loaded;
  for (const std::string& w : d.warnings) fail("loader: " + w);

  // Every token referenced exists; an unset link is "".
  auto need = [&](bool ok, const std::string& what, const std::string& token) {
    if (!ok) fail(what + " -> missing '" + token + "'");
  };
  auto link = [&](const void* found, const std::string& what, const std::string& token) {
    need(found != nullptr, what, token);
  };
  auto optional_link = [&](const void* found, const std::string& what, const std::string& token) {
    if (!token.empty()) link(found, what, token);
  };
  for (const auto& r : d.calibrated_sensors)
    link(d.sensor(r.sensor_token), "cs.sensor", r.sensor_token);
  for (const auto& r : d.instances) {
    link(d.category(r.category_token), "instance.category", r.category_token);
    link(d.sample_annotation(r.first_annotation_token), "instance.first", r.first_annotation_token);
    link(d.sample_annotation(r.last_annotation_token), "instance.last", r.last_annotation_token);
  }
  std::set<std::string> mapped_logs;
  for (const auto& r : d.maps) {
    for (const auto& log : r.log_tokens) {
      link(d.log(log), "map.log_tokens", log);
      mapped_logs.insert(log);
    }
    need(fs::is_regular_file(root / r.filename), "map file", r.filename);
  }
  for (const auto& r : d.logs)
    need(mapped_logs.count(r.token) == 1, "log covered by a map", r.token);
  for (const auto& r : d.samples) {
    link(d.scene(r.scene_token), "sample.scene", r.scene_token);
    optional_link(d.sample(r.prev), "sample.prev", r.prev);
    optional_link(d.sample(r.next), "sample.next", r.next);
  }
  for (const auto& r : d.sample_annotations) {
    link(d.sample(r.sample_token), "annotation.sample", r.sample_token);
    link(d.instance(r.instance_token), "annotation.instance", r.instance_token);
    for (const auto& a : r.attribute_tokens) link(d.attribute(a), "annotation.attribute", a);
    optional_link(d.visibility(r.visibility_token), "annotation.visibility", r.visibility_token);
    optional_link(d.sample_annotation(r.prev), "annotation.prev", r.prev);
    optional_link(d.sample_annotation(r.next), "annotation.next", r.next);
  }
  std::set<std::string> ego_used;
  for (const auto& r : d.sample_data) {
    link(d.sample(r.sample_token), "sample_data.sample", r.sample_token);
    link(d.calibrated_sensor(r.calibrated_sensor_token), "sample_data.cs",
         r.calibrated_sensor_token);
    const NuscenesEgoPose* ego = d.ego_pose(r.ego_pose_token);
    link(ego, "sample_data.ego_pose", r.ego_pose_token);
    // Each sample_data has its own ego_pose, taken at its time.
    need(ego_used.insert(r.ego_pose_token).second, "ego_pose shared by two sample_data",
         r.ego_pose_token);
    if (ego != nullptr) need(ego->timestamp_us == r.timestamp_us, "ego_pose time", r.token);
    optional_link(d.sample_datum(r.prev), "sample_data.prev", r.prev);
    optional_link(d.sample_datum(r.next), "sample_data.next", r.next);
    need(fs::is_regular_file(root / r.filename), "sample_data file", r.filename);
    const NuscenesSensor* sensor = d.sensor_of(r);
    if (sensor != nullptr && sensor->modality == "lidar") {
      need(r.fileformat == "pcd" && r.width == 0 && r.height == 0, "lidar fileformat", r.token);
    }
  }

  // Scenes: first/last/nbr_samples agree with the sample chain, which stays in the scene.
  for (const auto& scene : d.scenes) {
    link(d.log(scene.log_token), "scene.log", scene.log_token);
    std::string token = scene.first_sample_token, prev;
    std::int64_t last_time = std::numeric_limits<std::int64_t>::min();
    int n = 0;
    while (!token.empty() && n <= static_cast<int>(d.samples.size())) {
      const NuscenesSample* s = d.sample(token);
      if (s == nullptr) break;
      need(s->prev == prev, "sample.prev against the chain", token);
      need(s->scene_token == scene.token, "sample of the chain in its scene", token);
      need(s->timestamp_us > last_time, "sample times increase along the chain", token);
      last_time = s->timestamp_us;
      prev = token;
      token = s->next;
      ++n;
    }
    need(prev == scene.last_sample_token, "scene.last_sample_token ends the chain", scene.token);
    need(n == scene.nbr_samples, "scene.nbr_samples = chain length", scene.token);
    const auto in_scene = std::count_if(d.samples.begin(), d.samples.end(), [&](const auto& s) {
      return s.scene_token == scene.token;
    });
    need(in_scene == n, "every sample of the scene is on its chain", scene.token);
  }

  // Instances: first/last/nbr_annotations agree with the annotation chain, within one scene.
  for (const auto& inst : d.instances) {
    std::string token = inst.first_annotation_token, prev, scene;
    std::int64_t last_time = std::numeric_limits<std::int64_t>::min();
    int n = 0;
    while (!token.empty() && n <= static_cast<int>(d.sample_annotations.size())) {
      const NuscenesSampleAnnotation* a = d.sample_annotation(token);
      if (a == nullptr) break;
      need(a->instance_token == inst.token, "annotation of the chain in its instance", token);
      need(a->prev == prev, "annotation.prev against the chain", token);
      const NuscenesSample* s = d.sample(a->sample_token);
      if (s != nullptr) {
        need(s->timestamp_us > last_time, "annotation times increase along the chain", token);
        last_time = s->timestamp_us;
        if (n == 0) scene = s->scene_token;
        need(s->scene_token == scene, "instance stays in one scene", inst.token);
      }
      prev = token;
      token = a->next;
      ++n;
    }
    need(prev == inst.last_annotation_token, "instance.last ends the chain", inst.token);
    need(n == inst.nbr_annotations, "instance.nbr_annotations = chain length", inst.token);
    const auto of_instance =
        std::count_if(d.sample_annotations.begin(), d.sample_annotations.end(),
                      [&](const auto& a) { return a.instance_token == inst.token; });
    need(of_instance == n, "every annotation of the instance is on its chain", inst.token);
  }

  // sample_data chains per channel, sweeps included; a sweep refers to the next keyframe.
  std::map<std::string, std::vector<const NuscenesSampleData*>> heads;
  std::size_t reached = 0;
  std::map<std::string, int> keyframes_of_sample;
  for (const auto& r : d.sample_data) {
    const NuscenesSensor* sensor = d.sensor_of(r);
    if (r.prev.empty() && sensor != nullptr) heads[sensor->channel].push_back(&r);
    if (r.is_key_frame && sensor != nullptr)
      ++keyframes_of_sample[r.sample_token + sensor->channel];
  }
  for (const auto& [channel, starts] : heads) {
    for (const NuscenesSampleData* start : starts) {
      std::vector<const NuscenesSampleData*> chain;
      for (const NuscenesSampleData* r = start;
           r != nullptr && chain.size() <= d.sample_data.size(); r = d.sample_datum(r->next)) {
        if (!chain.empty()) {
          need(r->prev == chain.back()->token, "sample_data.prev against the chain", r->token);
          need(r->timestamp_us > chain.back()->timestamp_us, "sample_data times increase",
               r->token);
        }
        need(d.sensor_of(*r) != nullptr && d.sensor_of(*r)->channel == channel,
             "sample_data chain stays on its channel", r->token);
        chain.push_back(r);
      }
      reached += chain.size();
      std::string next_keyframe_sample;
      for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        const NuscenesSampleData& r = **it;
        const NuscenesSample* s = d.sample(r.sample_token);
        if (r.is_key_frame) {
          next_keyframe_sample = r.sample_token;
          // A sample's time is its LIDAR_TOP keyframe's; the cameras expose tens of ms apart.
          if (s != nullptr && channel == kNuscenesLidarChannel)
            need(s->timestamp_us == r.timestamp_us, "keyframe time = sample time", r.token);
        } else if (!next_keyframe_sample.empty()) {
          need(r.sample_token == next_keyframe_sample, "sweep refers to the next keyframe",
               r.token);
        }
      }
    }
  }
  need(reached == d.sample_data.size(), "every sample_data on a channel chain", "");
  for (const auto& s : d.samples) {
    need(keyframes_of_sample[s.token + kNuscenesLidarChannel] == 1,
         "one LIDAR_TOP keyframe per sample", s.token);
  }
  return p;
}

}  // namespace pcanno::formats::test_nuscenes
