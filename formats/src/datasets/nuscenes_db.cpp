#include "pcanno/formats/datasets/nuscenes_db.hpp"

#include <algorithm>
#include <cstring>
#include <set>
#include <unordered_set>
#include <utility>

#include "datasets/nuscenes_json.hpp"
#include "support/input_file.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;
using detail::JsonRecord;
using detail::RecordFields;
using TokenMap = NuscenesTokenIndex::Map;
constexpr auto kOptional = RecordFields::kOptional;

constexpr const char* kTableNames[] = {
    "attribute", "calibrated_sensor", "category",    "ego_pose", "instance", "log",       "map",
    "sample",    "sample_annotation", "sample_data", "scene",    "sensor",   "visibility"};

std::string quoted(const std::string& token) { return "'" + token + "'"; }

/// Reads `<dir>/<table>.json` into `out`; `fill` maps one record's fields onto a struct.
template <typename Record, typename Fill>
Status load_table(const fs::path& dir, const std::string& version, const char* table,
                  std::vector<Record>& out, std::size_t& rounded_timestamps, Fill fill) {
  const fs::path file = dir / (std::string(table) + ".json");
  const std::string path = file.string();
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    return Error{
        ErrorCode::kMalformed,
        "missing required table '" + std::string(table) + "' (" + version + "/" + table + ".json)",
        path};
  }
  return detail::for_each_json_record(file, [&](const JsonRecord& json, std::size_t index) {
    RecordFields fields(json, index, path);
    Record record;
    fill(fields, record);
    if (!fields.ok()) return Status(fields.take_error());
    record.extra = fields.unknown_fields();
    rounded_timestamps += fields.rounded_timestamps();
    out.push_back(std::move(record));
    return Status();
  });
}

Status load_tables(NuscenesDb& db, std::size_t& rounded, bool with_annotations) {
  const fs::path dir = db.table_dir();
  const std::string& v = db.version;
  Status s = load_table(dir, v, "attribute", db.attributes, rounded, [](auto& f, auto& r) {
    f.text("token", r.token);
    f.text("name", r.name);
    f.text("description", r.description, kOptional);
  });
  if (!s) return s;
  s = load_table(dir, v, "calibrated_sensor", db.calibrated_sensors, rounded, [](auto& f, auto& r) {
    f.text("token", r.token);
    f.text("sensor_token", r.sensor_token);
    f.vector3("translation", r.translation);
    f.quaternion("rotation", r.rotation);
    f.matrix3_or_empty("camera_intrinsic", r.camera_intrinsic);
  });
  if (!s) return s;
  s = load_table(dir, v, "category", db.categories, rounded, [](auto& f, auto& r) {
    f.text("token", r.token);
    f.text("name", r.name);
    f.text("description", r.description, kOptional);
    f.optional_integer("index", r.index);
  });
  if (!s) return s;
  s = load_table(dir, v, "ego_pose", db.ego_poses, rounded, [](auto& f, auto& r) {
    f.text("token", r.token);
    f.timestamp("timestamp", r.timestamp_us);
    f.vector3("translation", r.translation);
    f.quaternion("rotation", r.rotation);
  });
  if (!s) return s;
  // A Sequence needs neither annotation table, and sample_annotation is by far the largest.
  if (with_annotations)
    s = load_table(dir, v, "instance", db.instances, rounded, [](auto& f, auto& r) {
      f.text("token", r.token);
      f.text("category_token", r.category_token);
      f.integer("nbr_annotations", r.nbr_annotations, kOptional);
      f.text("first_annotation_token", r.first_annotation_token);
      f.text("last_annotation_token", r.last_annotation_token);
    });
  if (!s) return s;
  s = load_table(dir, v, "log", db.logs, rounded, [](auto& f, auto& r) {
    f.text("token", r.token);
    f.text("logfile", r.logfile, kOptional);
    f.text("vehicle", r.vehicle, kOptional);
    f.text("date_captured", r.date_captured, kOptional);
    f.text("location", r.location, kOptional);
  });
  if (!s) return s;
  s = load_table(dir, v, "map", db.maps, rounded, [](auto& f, auto& r) {
    f.text("token", r.token);
    f.text_list("log_tokens", r.log_tokens);
    f.text("category", r.category, kOptional);
    f.text("filename", r.filename);
  });
  if (!s) return s;
  s = load_table(dir, v, "sample", db.samples, rounded, [](auto& f, auto& r) {
    f.text("token", r.token);
    f.timestamp("timestamp", r.timestamp_us);
    f.text("scene_token", r.scene_token);
    f.text("prev", r.prev);
    f.text("next", r.next);
  });
  if (!s) return s;
  if (with_annotations)
    s = load_table(dir, v, "sample_annotation", db.sample_annotations, rounded,
                   [](auto& f, auto& r) {
                     f.text("token", r.token);
                     f.text("sample_token", r.sample_token);
                     f.text("instance_token", r.instance_token);
                     f.text_list("attribute_tokens", r.attribute_tokens);
                     f.text("visibility_token", r.visibility_token, kOptional);
                     f.vector3("translation", r.translation);
                     f.vector3("size", r.size_wlh);
                     f.quaternion("rotation", r.rotation);
                     f.integer("num_lidar_pts", r.num_lidar_pts);
                     f.integer("num_radar_pts", r.num_radar_pts, kOptional);
                     f.text("prev", r.prev);
                     f.text("next", r.next);
                   });
  if (!s) return s;
  s = load_table(dir, v, "sample_data", db.sample_data, rounded, [](auto& f, auto& r) {
    f.text("token", r.token);
    f.text("sample_token", r.sample_token);
    f.text("ego_pose_token", r.ego_pose_token);
    f.text("calibrated_sensor_token", r.calibrated_sensor_token);
    f.text("filename", r.filename);
    f.text("fileformat", r.fileformat, kOptional);
    f.integer("width", r.width, kOptional);
    f.integer("height", r.height, kOptional);
    f.timestamp("timestamp", r.timestamp_us);
    f.boolean("is_key_frame", r.is_key_frame);
    f.text("prev", r.prev);
    f.text("next", r.next);
  });
  if (!s) return s;
  s = load_table(dir, v, "scene", db.scenes, rounded, [](auto& f, auto& r) {
    f.text("token", r.token);
    f.text("name", r.name);
    f.text("description", r.description, kOptional);
    f.text("log_token", r.log_token);
    f.integer("nbr_samples", r.nbr_samples, kOptional);
    f.text("first_sample_token", r.first_sample_token);
    f.text("last_sample_token", r.last_sample_token);
  });
  if (!s) return s;
  s = load_table(dir, v, "sensor", db.sensors, rounded, [](auto& f, auto& r) {
    f.text("token", r.token);
    f.text("channel", r.channel);
    f.text("modality", r.modality, kOptional);
  });
  if (!s) return s;
  return load_table(dir, v, "visibility", db.visibilities, rounded, [](auto& f, auto& r) {
    f.text("token", r.token);
    f.text("level", r.level);
    f.text("description", r.description, kOptional);
  });
}

/// Counts links to absent records per `table.field`, so a cut-down set (Lyft's sample) gives one
/// line per kind of link instead of one per record.
class LinkReport {
 public:
  void check(const char* from, const char* target, const TokenMap& index, const std::string& token,
             std::size_t record) {
    if (token.empty()) return;  // an unset link, not a dangling one
    Entry& e = entry(from, target);
    ++e.links;
    if (index.count(token) != 0) return;
    if (e.dangling++ == 0) e.example = "record " + std::to_string(record) + ", " + quoted(token);
  }

  void append_to(std::vector<std::string>& warnings) const {
    for (const Entry& e : entries_) {
      if (e.dangling == 0) continue;
      warnings.push_back(std::string(e.from) + ": " + std::to_string(e.dangling) + " of " +
                         std::to_string(e.links) + " links point to no " + e.target +
                         " record (first: " + e.example + ")");
    }
  }

 private:
  struct Entry {
    const char* from;    ///< a string literal of the caller
    const char* target;  ///< a string literal of the caller
    std::string example;
    std::size_t links = 0, dangling = 0;
  };

  Entry& entry(const char* from, const char* target) {
    // Millions of links: compare the literal's address first, its text only on a miss.
    for (Entry& e : entries_) {
      if (e.from == from) return e;
    }
    for (Entry& e : entries_) {
      if (std::strcmp(e.from, from) == 0) return e;
    }
    entries_.push_back(Entry{from, target, "", 0, 0});
    return entries_.back();
  }

  std::vector<Entry> entries_;
};

void check_links(const NuscenesDb& db, std::vector<std::string>& warnings) {
  const NuscenesTokenIndex& ix = db.index;
  LinkReport r;
  for (std::size_t i = 0; i < db.calibrated_sensors.size(); ++i) {
    r.check("calibrated_sensor.sensor_token", "sensor", ix.sensor,
            db.calibrated_sensors[i].sensor_token, i);
  }
  for (std::size_t i = 0; i < db.instances.size(); ++i) {
    const NuscenesInstance& x = db.instances[i];
    r.check("instance.category_token", "category", ix.category, x.category_token, i);
    r.check("instance.first_annotation_token", "sample_annotation", ix.sample_annotation,
            x.first_annotation_token, i);
    r.check("instance.last_annotation_token", "sample_annotation", ix.sample_annotation,
            x.last_annotation_token, i);
  }
  for (std::size_t i = 0; i < db.maps.size(); ++i) {
    for (const std::string& log : db.maps[i].log_tokens)
      r.check("map.log_tokens", "log", ix.log, log, i);
  }
  for (std::size_t i = 0; i < db.samples.size(); ++i) {
    const NuscenesSample& x = db.samples[i];
    r.check("sample.scene_token", "scene", ix.scene, x.scene_token, i);
    r.check("sample.prev", "sample", ix.sample, x.prev, i);
    r.check("sample.next", "sample", ix.sample, x.next, i);
  }
  for (std::size_t i = 0; i < db.sample_annotations.size(); ++i) {
    const NuscenesSampleAnnotation& x = db.sample_annotations[i];
    r.check("sample_annotation.sample_token", "sample", ix.sample, x.sample_token, i);
    r.check("sample_annotation.instance_token", "instance", ix.instance, x.instance_token, i);
    for (const std::string& a : x.attribute_tokens) {
      r.check("sample_annotation.attribute_tokens", "attribute", ix.attribute, a, i);
    }
    r.check("sample_annotation.visibility_token", "visibility", ix.visibility, x.visibility_token,
            i);
    r.check("sample_annotation.prev", "sample_annotation", ix.sample_annotation, x.prev, i);
    r.check("sample_annotation.next", "sample_annotation", ix.sample_annotation, x.next, i);
  }
  for (std::size_t i = 0; i < db.sample_data.size(); ++i) {
    const NuscenesSampleData& x = db.sample_data[i];
    r.check("sample_data.sample_token", "sample", ix.sample, x.sample_token, i);
    r.check("sample_data.ego_pose_token", "ego_pose", ix.ego_pose, x.ego_pose_token, i);
    r.check("sample_data.calibrated_sensor_token", "calibrated_sensor", ix.calibrated_sensor,
            x.calibrated_sensor_token, i);
    r.check("sample_data.prev", "sample_data", ix.sample_data, x.prev, i);
    r.check("sample_data.next", "sample_data", ix.sample_data, x.next, i);
  }
  for (std::size_t i = 0; i < db.scenes.size(); ++i) {
    const NuscenesScene& x = db.scenes[i];
    r.check("scene.log_token", "log", ix.log, x.log_token, i);
    r.check("scene.first_sample_token", "sample", ix.sample, x.first_sample_token, i);
    r.check("scene.last_sample_token", "sample", ix.sample, x.last_sample_token, i);
  }
  r.append_to(warnings);

  // formats.md 6.2: the devkit fails to load a set where a log has no map.
  std::unordered_set<std::string> mapped;
  for (const NuscenesMap& m : db.maps) mapped.insert(m.log_tokens.begin(), m.log_tokens.end());
  std::size_t unmapped = 0;
  std::string example;
  for (const NuscenesLog& log : db.logs) {
    if (mapped.count(log.token) != 0) continue;
    if (unmapped++ == 0) example = quoted(log.token);
  }
  if (unmapped != 0) {
    warnings.push_back(std::to_string(unmapped) + " of " + std::to_string(db.logs.size()) +
                       " logs are covered by no map record (first: " + example +
                       "); the nuScenes devkit refuses such a set");
  }
}

/// `*.json` files of the version folder beyond the 13 tables, sorted.
std::vector<std::string> list_other_tables(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() != ".json") continue;
    const std::string stem = p.stem().string();
    const bool known =
        std::find(std::begin(kTableNames), std::end(kTableNames), stem) != std::end(kTableNames);
    if (!known) out.push_back(p.filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

template <typename Record>
void index_table(const char* table, const std::vector<Record>& records, TokenMap& index,
                 std::vector<std::string>& warnings) {
  index.clear();
  index.reserve(records.size());
  std::size_t repeats = 0;
  std::string example;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (index.emplace(records[i].token, i).second) continue;
    if (repeats++ == 0) example = "record " + std::to_string(i) + ", " + quoted(records[i].token);
  }
  if (repeats != 0) {
    warnings.push_back(std::string(table) + ": " + std::to_string(repeats) +
                       " records repeat an earlier token (first: " + example +
                       "); lookups return the first");
  }
}

template <typename Record>
const Record* lookup(const std::vector<Record>& records, const TokenMap& index,
                     const std::string& token) {
  const auto it = index.find(token);
  // The bound check guards against an index left stale by edits to the vectors.
  if (it == index.end() || it->second >= records.size()) return nullptr;
  return &records[it->second];
}

}  // namespace

std::vector<std::string> NuscenesDb::rebuild_index() {
  std::vector<std::string> w;
  index_table("attribute", attributes, index.attribute, w);
  index_table("calibrated_sensor", calibrated_sensors, index.calibrated_sensor, w);
  index_table("category", categories, index.category, w);
  index_table("ego_pose", ego_poses, index.ego_pose, w);
  index_table("instance", instances, index.instance, w);
  index_table("log", logs, index.log, w);
  index_table("map", maps, index.map, w);
  index_table("sample", samples, index.sample, w);
  index_table("sample_annotation", sample_annotations, index.sample_annotation, w);
  index_table("sample_data", sample_data, index.sample_data, w);
  index_table("scene", scenes, index.scene, w);
  index_table("sensor", sensors, index.sensor, w);
  index_table("visibility", visibilities, index.visibility, w);
  return w;
}

const NuscenesAttribute* NuscenesDb::attribute(const std::string& token) const {
  return lookup(attributes, index.attribute, token);
}
const NuscenesCalibratedSensor* NuscenesDb::calibrated_sensor(const std::string& token) const {
  return lookup(calibrated_sensors, index.calibrated_sensor, token);
}
const NuscenesCategory* NuscenesDb::category(const std::string& token) const {
  return lookup(categories, index.category, token);
}
const NuscenesEgoPose* NuscenesDb::ego_pose(const std::string& token) const {
  return lookup(ego_poses, index.ego_pose, token);
}
const NuscenesInstance* NuscenesDb::instance(const std::string& token) const {
  return lookup(instances, index.instance, token);
}
const NuscenesLog* NuscenesDb::log(const std::string& token) const {
  return lookup(logs, index.log, token);
}
const NuscenesMap* NuscenesDb::map(const std::string& token) const {
  return lookup(maps, index.map, token);
}
const NuscenesSample* NuscenesDb::sample(const std::string& token) const {
  return lookup(samples, index.sample, token);
}
const NuscenesSampleAnnotation* NuscenesDb::sample_annotation(const std::string& token) const {
  return lookup(sample_annotations, index.sample_annotation, token);
}
const NuscenesSampleData* NuscenesDb::sample_datum(const std::string& token) const {
  return lookup(sample_data, index.sample_data, token);
}
const NuscenesScene* NuscenesDb::scene(const std::string& token) const {
  return lookup(scenes, index.scene, token);
}
const NuscenesSensor* NuscenesDb::sensor(const std::string& token) const {
  return lookup(sensors, index.sensor, token);
}
const NuscenesVisibility* NuscenesDb::visibility(const std::string& token) const {
  return lookup(visibilities, index.visibility, token);
}

const NuscenesScene* NuscenesDb::scene_by_name(const std::string& name) const {
  for (const NuscenesScene& s : scenes) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const NuscenesSensor* NuscenesDb::sensor_of(const NuscenesSampleData& data) const {
  const NuscenesCalibratedSensor* cs = calibrated_sensor(data.calibrated_sensor_token);
  return cs == nullptr ? nullptr : sensor(cs->sensor_token);
}

Expected<std::string> detect_nuscenes_version(const fs::path& dataroot) {
  std::error_code ec;
  if (!fs::is_directory(dataroot, ec)) {
    return Error{ErrorCode::kNotFound, "no such directory (nuScenes dataroot)", dataroot.string()};
  }
  std::set<std::string> candidates;  // sorted, for a stable message
  for (fs::directory_iterator it(dataroot, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code dir_ec;
    if (name.rfind("v1.", 0) == 0 && it->is_directory(dir_ec)) candidates.insert(name);
  }
  if (candidates.size() > 1) {
    // A dataroot may also hold an unpacked but empty or foreign v1.* folder.
    std::set<std::string> with_tables;
    for (const std::string& c : candidates) {
      if (fs::is_regular_file(dataroot / c / "scene.json", ec)) with_tables.insert(c);
    }
    if (!with_tables.empty()) candidates = std::move(with_tables);
  }
  if (candidates.size() == 1) return *candidates.begin();
  if (candidates.empty()) {
    return Error{ErrorCode::kNotFound,
                 "no nuScenes table folder (v1.0-mini, v1.0-trainval, v1.01-train, ...) in the "
                 "dataroot",
                 dataroot.string()};
  }
  std::string names;
  for (const std::string& c : candidates) names += (names.empty() ? "" : ", ") + c;
  return Error{ErrorCode::kNotFound, "several nuScenes versions (" + names + "); name one",
               dataroot.string()};
}

Expected<NuscenesDb> load_nuscenes_db(const fs::path& dataroot, const std::string& version,
                                      bool with_annotations) {
  return detail::guard_allocation(dataroot.string(), [&]() -> Expected<NuscenesDb> {
    NuscenesDb db;
    db.dataroot = dataroot;
    if (version.empty()) {
      Expected<std::string> detected = detect_nuscenes_version(dataroot);
      if (!detected) return std::move(detected).error();
      db.version = *detected;
    } else {
      db.version = version;
    }
    std::error_code ec;
    if (!fs::is_directory(db.table_dir(), ec)) {
      return Error{ErrorCode::kNotFound,
                   "no table folder '" + db.version + "' in the nuScenes dataroot",
                   db.table_dir().string()};
    }
    std::size_t rounded = 0;
    if (Status loaded = load_tables(db, rounded, with_annotations); !loaded)
      return std::move(loaded).error();

    db.warnings = db.rebuild_index();
    check_links(db, db.warnings);
    if (rounded != 0) {
      db.warnings.push_back(std::to_string(rounded) +
                            " fractional timestamps were rounded to integer microseconds");
    }
    db.other_tables = list_other_tables(db.table_dir());
    return db;
  });
}

}  // namespace pcanno::formats
