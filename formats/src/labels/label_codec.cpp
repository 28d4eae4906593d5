#include "pcanno/formats/labels/label_codec.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace pcanno::formats {

const ClassMapping* ClassMap::to_external(std::string_view name) const {
  for (const auto& e : entries) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

const ClassMapping* ClassMap::from_external(std::string_view external) const {
  for (const auto& e : entries) {
    if (e.external == external) return &e;
  }
  return nullptr;
}

ClassMap default_nuscenes_class_map() {
  ClassMap map;
  map.entries = {
      {"Car", "vehicle.car", {}},
      {"Van", "vehicle.car", {}},
      {"Truck", "vehicle.truck", {}},
      {"Pedestrian", "human.pedestrian.adult", {}},
      {"Person", "human.pedestrian.adult", {"pedestrian.sitting_lying_down"}},
      {"Person_sitting", "human.pedestrian.adult", {"pedestrian.sitting_lying_down"}},
      {"Cyclist", "vehicle.bicycle", {"cycle.with_rider"}},
      {"Tram", "vehicle.bus.rigid", {}},
      {"Misc", "movable_object.debris", {}},
  };
  return map;
}

Expected<ClassMap> read_class_map(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return Error{ErrorCode::kNotFound, "cannot open class map", path.string()};
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    return Error{ErrorCode::kMalformed, std::string("invalid JSON: ") + e.what(), path.string()};
  }
  if (!j.is_object()) {
    return Error{ErrorCode::kMalformed, "/: expected an object of class -> category",
                 path.string()};
  }
  ClassMap map;
  for (const auto& [name, value] : j.items()) {
    ClassMapping m;
    m.name = name;
    const std::string pointer = "/" + name;
    if (value.is_string()) {
      m.external = value.get<std::string>();
    } else if (value.is_object() && value.contains("category") && value["category"].is_string()) {
      m.external = value["category"].get<std::string>();
      if (value.contains("attributes")) {
        if (!value["attributes"].is_array()) {
          return Error{ErrorCode::kMalformed, pointer + "/attributes: expected an array of strings",
                       path.string()};
        }
        for (const auto& a : value["attributes"]) {
          if (!a.is_string()) {
            return Error{ErrorCode::kMalformed, pointer + "/attributes: expected strings",
                         path.string()};
          }
          m.attributes.push_back(a.get<std::string>());
        }
      }
    } else {
      return Error{
          ErrorCode::kMalformed,
          pointer + ": expected a category string or {\"category\": ..., \"attributes\": [...]}",
          path.string()};
    }
    map.entries.push_back(std::move(m));
  }
  return map;
}

void LabelCodecRegistry::add(LabelCodec codec) {
  for (auto& c : codecs_) {
    if (c.id == codec.id) {
      c = std::move(codec);
      return;
    }
  }
  codecs_.push_back(std::move(codec));
}

const LabelCodec* LabelCodecRegistry::find(const std::string& id) const {
  for (const auto& c : codecs_) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

Expected<const LabelCodec*> LabelCodecRegistry::select(const std::filesystem::path& path,
                                                       const std::string& id) const {
  std::ostringstream ids;
  for (std::size_t i = 0; i < codecs_.size(); ++i) ids << (i ? ", " : "") << codecs_[i].id;
  if (!id.empty()) {
    if (const LabelCodec* c = find(id)) return c;
    return Error{ErrorCode::kUnsupported,
                 "unknown label format '" + id + "' (known: " + ids.str() + ")", path.string()};
  }
  const LabelCodec* best = nullptr;
  for (const auto& c : codecs_) {
    if (c.read && c.detect && c.detect(path) && (!best || c.priority > best->priority)) best = &c;
  }
  if (best) return best;
  return Error{
      ErrorCode::kUnknownFormat,
      "not a recognised label file or folder; name the format with --from (" + ids.str() + ")",
      path.string()};
}

std::string summarize(const WriteReport& report) {
  std::string out = "wrote " + std::to_string(report.boxes_written) +
                    (report.boxes_written == 1 ? " box" : " boxes");
  if (report.polyline_states_written > 0) {
    out += ", " + std::to_string(report.polyline_states_written) + " polyline states";
  }
  if (report.ignore_regions_written > 0) {
    out += ", " + std::to_string(report.ignore_regions_written) + " ignore regions";
  }
  for (const auto& [reason, count] : report.dropped) {
    if (count > 0) out += "; dropped " + std::to_string(count) + " " + reason;
  }
  for (const auto& [reason, count] : report.warnings) {
    if (count > 0) out += "; warning: " + std::to_string(count) + " " + reason;
  }
  return out;
}

std::size_t polyline_state_count(const Annotations& annotations) {
  std::size_t n = 0;
  for (const PolylineTrack& p : annotations.polylines) n += p.states.size();
  return n;
}

}  // namespace pcanno::formats
