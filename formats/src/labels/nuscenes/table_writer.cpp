#include "labels/nuscenes/table_writer.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <new>
#include <stdexcept>
#include <utility>

#include <nlohmann/json.hpp>

#include "datasets/nuscenes_json.hpp"
#include "pcanno/formats/support/atomic_write.hpp"

namespace pcanno::formats::detail {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

Json vec3(const Eigen::Vector3d& v) { return Json::array({v.x(), v.y(), v.z()}); }

Json quaternion(const Eigen::Quaterniond& q) {
  const auto wxyz = geometry::quaternion_to_array(q, geometry::QuaternionOrder::kWXYZ);
  return Json::array({wxyz[0], wxyz[1], wxyz[2], wxyz[3]});
}

Json text_list(const std::vector<std::string>& items) {
  Json out = Json::array();
  for (const std::string& s : items) out.push_back(s);
  return out;
}

Json intrinsic(const std::optional<Eigen::Matrix3d>& k) {
  Json out = Json::array();
  if (!k) return out;  // the devkit's `[]` for LiDAR and radar
  for (int r = 0; r < 3; ++r) out.push_back(Json::array({(*k)(r, 0), (*k)(r, 1), (*k)(r, 2)}));
  return out;
}

/// One record per element, in the given order; `fill` sets the known fields, extras follow.
template <typename Record, typename Fill>
Expected<std::string> dump_table(const std::vector<Record>& records, const std::string& table,
                                 Fill fill) {
  std::string out = "[";
  for (std::size_t i = 0; i < records.size(); ++i) {
    Json j = Json::object();
    fill(j, records[i]);
    for (const auto& [key, text] : records[i].extra) {
      if (j.contains(key)) continue;  // a known field always wins over a stray extra
      Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (value.is_discarded()) {
        return Error{ErrorCode::kMalformed,
                     table + " record " + std::to_string(i) + ": extra field '" + key +
                         "' is not valid JSON",
                     ""};
      }
      j[key] = std::move(value);
    }
    out += i == 0 ? "\n" : ",\n";
    // replace: a label with invalid UTF-8 must not throw halfway through an export.
    out += j.dump(0, ' ', false, Json::error_handler_t::replace);
  }
  out += records.empty() ? "]" : "\n]";
  return out;
}

Expected<std::string> table_json(const NuscenesDb& db, const std::string& table) {
  if (table == "attribute") {
    return dump_table(db.attributes, table, [](Json& j, const NuscenesAttribute& r) {
      j["token"] = r.token;
      j["name"] = r.name;
      j["description"] = r.description;
    });
  }
  if (table == "calibrated_sensor") {
    return dump_table(db.calibrated_sensors, table, [](Json& j, const NuscenesCalibratedSensor& r) {
      j["token"] = r.token;
      j["sensor_token"] = r.sensor_token;
      j["translation"] = vec3(r.translation);
      j["rotation"] = quaternion(r.rotation);
      j["camera_intrinsic"] = intrinsic(r.camera_intrinsic);
    });
  }
  if (table == "category") {
    return dump_table(db.categories, table, [](Json& j, const NuscenesCategory& r) {
      j["token"] = r.token;
      j["name"] = r.name;
      j["description"] = r.description;
      if (r.index) j["index"] = *r.index;
    });
  }
  if (table == "ego_pose") {
    return dump_table(db.ego_poses, table, [](Json& j, const NuscenesEgoPose& r) {
      j["token"] = r.token;
      j["timestamp"] = r.timestamp_us;
      j["translation"] = vec3(r.translation);
      j["rotation"] = quaternion(r.rotation);
    });
  }
  if (table == "instance") {
    return dump_table(db.instances, table, [](Json& j, const NuscenesInstance& r) {
      j["token"] = r.token;
      j["category_token"] = r.category_token;
      j["nbr_annotations"] = r.nbr_annotations;
      j["first_annotation_token"] = r.first_annotation_token;
      j["last_annotation_token"] = r.last_annotation_token;
    });
  }
  if (table == "log") {
    return dump_table(db.logs, table, [](Json& j, const NuscenesLog& r) {
      j["token"] = r.token;
      j["logfile"] = r.logfile;
      j["vehicle"] = r.vehicle;
      j["date_captured"] = r.date_captured;
      j["location"] = r.location;
    });
  }
  if (table == "map") {
    return dump_table(db.maps, table, [](Json& j, const NuscenesMap& r) {
      j["token"] = r.token;
      j["log_tokens"] = text_list(r.log_tokens);
      j["category"] = r.category;
      j["filename"] = r.filename;
    });
  }
  if (table == "sample") {
    return dump_table(db.samples, table, [](Json& j, const NuscenesSample& r) {
      j["token"] = r.token;
      j["timestamp"] = r.timestamp_us;
      j["prev"] = r.prev;
      j["next"] = r.next;
      j["scene_token"] = r.scene_token;
    });
  }
  if (table == "sample_annotation") {
    return dump_table(db.sample_annotations, table, [](Json& j, const NuscenesSampleAnnotation& r) {
      j["token"] = r.token;
      j["sample_token"] = r.sample_token;
      j["instance_token"] = r.instance_token;
      j["visibility_token"] = r.visibility_token;
      j["attribute_tokens"] = text_list(r.attribute_tokens);
      j["translation"] = vec3(r.translation);
      j["size"] = vec3(r.size_wlh);
      j["rotation"] = quaternion(r.rotation);
      j["prev"] = r.prev;
      j["next"] = r.next;
      j["num_lidar_pts"] = r.num_lidar_pts;
      j["num_radar_pts"] = r.num_radar_pts;
    });
  }
  if (table == "sample_data") {
    return dump_table(db.sample_data, table, [](Json& j, const NuscenesSampleData& r) {
      j["token"] = r.token;
      j["sample_token"] = r.sample_token;
      j["ego_pose_token"] = r.ego_pose_token;
      j["calibrated_sensor_token"] = r.calibrated_sensor_token;
      j["timestamp"] = r.timestamp_us;
      j["fileformat"] = r.fileformat;
      j["is_key_frame"] = r.is_key_frame;
      j["height"] = r.height;
      j["width"] = r.width;
      j["filename"] = r.filename;
      j["prev"] = r.prev;
      j["next"] = r.next;
    });
  }
  if (table == "scene") {
    return dump_table(db.scenes, table, [](Json& j, const NuscenesScene& r) {
      j["token"] = r.token;
      j["log_token"] = r.log_token;
      j["nbr_samples"] = r.nbr_samples;
      j["first_sample_token"] = r.first_sample_token;
      j["last_sample_token"] = r.last_sample_token;
      j["name"] = r.name;
      j["description"] = r.description;
    });
  }
  if (table == "sensor") {
    return dump_table(db.sensors, table, [](Json& j, const NuscenesSensor& r) {
      j["token"] = r.token;
      j["channel"] = r.channel;
      j["modality"] = r.modality;
    });
  }
  if (table == "visibility") {
    return dump_table(db.visibilities, table, [](Json& j, const NuscenesVisibility& r) {
      j["token"] = r.token;
      j["level"] = r.level;
      j["description"] = r.description;
    });
  }
  return Error{ErrorCode::kMalformed, "unknown nuScenes table '" + table + "'", ""};
}

void put_be32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}

void put_chunk(std::string& png, const char* type, const std::string& data) {
  put_be32(png, static_cast<std::uint32_t>(data.size()));
  const std::string body = std::string(type, 4) + data;
  png += body;
  put_be32(png, crc32(reinterpret_cast<const std::uint8_t*>(body.data()), body.size()));
}

/// zlib stream of `raw` in stored deflate blocks (RFC 1950/1951), Adler-32 trailer.
std::string zlib_stored(const std::string& raw) {
  constexpr std::size_t kMaxBlock = 65535;
  std::string out = "\x78\x01";  // deflate, 32 KiB window, no preset dictionary, check bits
  std::size_t at = 0;
  do {
    const std::size_t n = std::min(kMaxBlock, raw.size() - at);
    const bool last = at + n == raw.size();
    out += static_cast<char>(last ? 1 : 0);  // BFINAL, BTYPE 00 (stored)
    const auto len = static_cast<std::uint16_t>(n);
    const auto nlen = static_cast<std::uint16_t>(~len);
    out += static_cast<char>(len & 0xff);
    out += static_cast<char>(len >> 8);
    out += static_cast<char>(nlen & 0xff);
    out += static_cast<char>(nlen >> 8);
    out.append(raw, at, n);
    at += n;
  } while (at < raw.size());
  std::uint32_t a = 1, b = 0;
  for (const char c : raw) {
    a = (a + static_cast<std::uint8_t>(c)) % 65521u;
    b = (b + a) % 65521u;
  }
  put_be32(out, (b << 16) | a);
  return out;
}

}  // namespace

const char* const kNuscenesCategories[23] = {"human.pedestrian.adult",
                                             "human.pedestrian.child",
                                             "human.pedestrian.wheelchair",
                                             "human.pedestrian.stroller",
                                             "human.pedestrian.personal_mobility",
                                             "human.pedestrian.police_officer",
                                             "human.pedestrian.construction_worker",
                                             "animal",
                                             "vehicle.car",
                                             "vehicle.motorcycle",
                                             "vehicle.bicycle",
                                             "vehicle.bus.bendy",
                                             "vehicle.bus.rigid",
                                             "vehicle.truck",
                                             "vehicle.construction",
                                             "vehicle.emergency.ambulance",
                                             "vehicle.emergency.police",
                                             "vehicle.trailer",
                                             "movable_object.barrier",
                                             "movable_object.trafficcone",
                                             "movable_object.pushable_pullable",
                                             "movable_object.debris",
                                             "static_object.bicycle_rack"};

const char* const kNuscenesAttributes[8] = {"vehicle.moving",      "vehicle.stopped",
                                            "vehicle.parked",      "cycle.with_rider",
                                            "cycle.without_rider", "pedestrian.sitting_lying_down",
                                            "pedestrian.standing", "pedestrian.moving"};

std::vector<NuscenesVisibility> nuscenes_visibilities() {
  static constexpr const char* kLevels[][2] = {{"v0-40", "0 and 40"},
                                               {"v40-60", "40 and 60"},
                                               {"v60-80", "60 and 80"},
                                               {"v80-100", "80 and 100"}};
  std::vector<NuscenesVisibility> out;
  for (std::size_t i = 0; i < 4; ++i) {
    out.push_back({std::to_string(i + 1),
                   kLevels[i][0],
                   std::string("visibility of whole object is between ") + kLevels[i][1] + "%",
                   {}});
  }
  return out;
}

std::string utc_date(std::int64_t us) {
  // Howard Hinnant's civil_from_days.
  constexpr std::int64_t kDayUs = 86'400'000'000LL;
  std::int64_t z = us / kDayUs - (us < 0 && us % kDayUs != 0 ? 1 : 0) + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char text[48];
  std::snprintf(text, sizeof text, "%04lld-%02lld-%02lld", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d));
  return text;
}

const char* const kNuscenesTables[13] = {
    "attribute", "calibrated_sensor", "category",    "ego_pose", "instance", "log",       "map",
    "sample",    "sample_annotation", "sample_data", "scene",    "sensor",   "visibility"};

Expected<std::string> nuscenes_table_json(const NuscenesDb& db, const std::string& table) {
  try {
    return table_json(db, table);
  } catch (const std::bad_alloc&) {
    return Error{ErrorCode::kOutOfMemory, "out of memory", ""};
  } catch (const std::length_error&) {
    return Error{ErrorCode::kOutOfMemory, "size exceeds what a container can hold", ""};
  } catch (const std::exception& e) {
    return Error{ErrorCode::kIo, std::string("cannot serialise table '") + table + "': " + e.what(),
                 ""};
  }
}

Status write_nuscenes_tables(const NuscenesDb& db) {
  const fs::path dir = db.table_dir();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error{ErrorCode::kIo, "cannot create folder: " + ec.message(), dir.string()};
  for (const char* table : kNuscenesTables) {
    Expected<std::string> text = nuscenes_table_json(db, table);
    const fs::path file = dir / (std::string(table) + ".json");
    if (!text) {
      Error error = std::move(text).error();
      error.path = file.string();
      return error;
    }
    Status written = write_staged_file(file, *text);
    if (!written) return written;
  }
  return {};
}

std::uint32_t crc32(const std::uint8_t* bytes, std::size_t n, std::uint32_t crc) {
  static const std::array<std::uint32_t, 256> kTable = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (std::size_t i = 0; i < n; ++i) crc = kTable[(crc ^ bytes[i]) & 0xffu] ^ (crc >> 8);
  return ~crc;
}

std::string make_grey_png(std::uint32_t width, std::uint32_t height, std::uint8_t grey) {
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string header;
  put_be32(header, width);
  put_be32(header, height);
  header +=
      std::string("\x08\x00\x00\x00\x00", 5);  // 8 bit, greyscale, deflate, filter 0, no interlace
  put_chunk(png, "IHDR", header);
  std::string raw;
  raw.reserve(static_cast<std::size_t>(height) * (width + 1));
  for (std::uint32_t y = 0; y < height; ++y) {
    raw += '\0';  // filter type None
    raw.append(width, static_cast<char>(grey));
  }
  put_chunk(png, "IDAT", zlib_stored(raw));
  put_chunk(png, "IEND", "");
  return png;
}

std::string to_nuscenes_bin(const PointCloud& cloud, bool reflectance) {
  static_assert(sizeof(float) == 4, "the files hold float32");
  const std::vector<float>* intensity = cloud.attribute(attribute_names::kIntensity);
  const std::vector<float>* ring = cloud.attribute(attribute_names::kRing);
  std::string bytes(cloud.size() * 5 * sizeof(float), '\0');
  for (std::size_t i = 0; i < cloud.size(); ++i) {
    const float value = intensity != nullptr ? (*intensity)[i] : 0.0f;
    const Eigen::Vector3d p = cloud.point(i);  // the file's coordinates, whatever the origin
    const float record[5] = {static_cast<float>(p.x()), static_cast<float>(p.y()),
                             static_cast<float>(p.z()), reflectance ? value * 255.0f : value,
                             ring != nullptr ? (*ring)[i] : 0.0f};
    // Little-endian like the readers (raw_bin.cpp asserts the host order).
    std::memcpy(&bytes[i * sizeof record], record, sizeof record);
  }
  return bytes;
}

std::optional<fs::path> find_nuscenes_map_file(const Sequence& sequence) {
  if (sequence.layout != "nuscenes" || sequence.labels.empty()) return std::nullopt;
  std::string log_token, filename;
  Status s =
      for_each_json_record(sequence.labels / "scene.json", [&](const JsonRecord& r, std::size_t) {
        const auto name = r.find("name");
        const auto log = r.find("log_token");
        if (log_token.empty() && name != r.end() && log != r.end() && *name == sequence.name &&
            log->is_string()) {
          log_token = log->get<std::string>();
        }
        return Status();
      });
  if (!s || log_token.empty()) return std::nullopt;
  s = for_each_json_record(sequence.labels / "map.json", [&](const JsonRecord& r, std::size_t) {
    const auto logs = r.find("log_tokens");
    const auto file = r.find("filename");
    if (!filename.empty() || logs == r.end() || !logs->is_array() || file == r.end() ||
        !file->is_string()) {
      return Status();
    }
    for (const auto& token : *logs) {
      if (token == log_token) filename = file->get<std::string>();
    }
    return Status();
  });
  std::error_code ec;
  if (!s || filename.empty() || !fs::is_regular_file(sequence.root / filename, ec)) {
    return std::nullopt;
  }
  return sequence.root / filename;
}

}  // namespace pcanno::formats::detail
