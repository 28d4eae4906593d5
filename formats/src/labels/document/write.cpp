#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <utility>

#include "labels/document/attribute_specs.hpp"
#include "labels/document/json.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "support/text_scan.hpp"

namespace pcanno::formats::detail {
namespace {

using Json = DocumentJson;

Json vector3(const Eigen::Vector3d& v) { return Json::array({v.x(), v.y(), v.z()}); }

Json numbers4(const std::array<double, 4>& v) { return Json::array({v[0], v[1], v[2], v[3]}); }

Json attributes(const AttributeMap& map) {
  Json out = Json::object();
  for (const auto& [key, value] : map) out[key] = value;
  return out;
}

void put_attributes(Json& object, const AttributeMap& map) {
  if (!map.empty()) object["attributes"] = attributes(map);
}

Json class_json(const ClassSpec& spec) {
  Json out = Json::object();
  out["name"] = spec.name;
  out["color"] = Json::array({spec.color[0], spec.color[1], spec.color[2]});
  out["default_size"] = vector3(spec.default_size);
  // Always written in full, so that the document keeps its behaviour when the default schema
  // changes.
  Json motion = Json::object();
  motion["profile"] = to_string(spec.motion.kind);
  motion["max_speed"] = spec.motion.limits.speed;
  motion["max_acceleration"] = spec.motion.limits.acceleration;
  motion["max_yaw_rate"] = spec.motion.limits.yaw_rate;
  motion["moves_along_heading"] = spec.motion.moves_along_heading;
  out["motion"] = std::move(motion);
  out["shape"] = to_string(spec.shape);
  if (spec.shape == ShapeKind::kPolyline) {
    out["closed"] = spec.closed;
    out["evidence"] = to_string(spec.evidence);
  } else {
    out["upright"] = spec.upright;
  }
  if (!spec.attributes.empty()) {
    out["attributes"] = attribute_specs_json(spec.attributes, SpecKind::kClassAttributes);
  }
  return out;
}

Json frame_json(const FrameInfo& frame) {
  Json out = Json::object();
  if (!frame.name.empty()) out["name"] = frame.name;
  if (frame.timestamp_us != -1) out["timestamp_us"] = frame.timestamp_us;
  if (!frame.source_token.empty()) out["source_token"] = frame.source_token;
  put_attributes(out, frame.attributes);
  return out;
}

Json box_json(const BoxState& state) {
  Json out = Json::object();
  out["frame"] = state.frame;
  out["frame_of_reference"] = to_string(state.shape_frame);
  out["center"] = vector3(state.box.center);
  out["size"] = vector3(state.box.size);
  // The coefficients as stored: normalising here would change bits on every save.
  const Eigen::Quaterniond& q = state.box.rotation;
  out["rotation_wxyz"] = Json::array({q.w(), q.x(), q.y(), q.z()});
  out["provenance"] = to_string(state.provenance);
  out["keyframe"] = state.keyframe;
  if (state.score) out["score"] = *state.score;
  put_attributes(out, state.attributes);
  if (state.kitti) {
    Json kitti = Json::object();
    kitti["truncated"] = state.kitti->truncated;
    kitti["occluded"] = state.kitti->occluded;
    kitti["alpha"] = state.kitti->alpha;
    kitti["bbox"] = numbers4(state.kitti->bbox);
    out["kitti"] = std::move(kitti);
  }
  if (state.nuscenes) {
    Json nuscenes = Json::object();
    nuscenes["annotation_token"] = state.nuscenes->annotation_token;
    nuscenes["visibility_token"] = state.nuscenes->visibility_token;
    nuscenes["num_lidar_pts"] = state.nuscenes->num_lidar_pts;
    nuscenes["num_radar_pts"] = state.nuscenes->num_radar_pts;
    out["nuscenes"] = std::move(nuscenes);
  }
  return out;
}

Json track_json(const Track& track) {
  Json out = Json::object();
  out["id"] = track.id;
  out["label"] = track.label;
  if (!track.source_id.empty()) out["source_id"] = track.source_id;
  if (track.free_tilt) out["free_tilt"] = true;
  put_attributes(out, track.attributes);
  Json boxes = Json::array();
  for (const BoxState& state : track.boxes) boxes.push_back(box_json(state));
  out["boxes"] = std::move(boxes);
  return out;
}

Json polyline_json(const PolylineTrack& polyline) {
  Json out = Json::object();
  out["id"] = polyline.id;
  out["label"] = polyline.label;
  put_attributes(out, polyline.attributes);
  Json states = Json::array();
  for (const PolylineState& state : polyline.states) {
    Json s = Json::object();
    s["frame"] = state.frame;
    s["frame_of_reference"] = to_string(state.shape_frame);
    s["closed"] = state.line.closed;
    Json vertices = Json::array();
    for (const Eigen::Vector3d& v : state.line.vertices) vertices.push_back(vector3(v));
    s["vertices"] = std::move(vertices);
    s["provenance"] = to_string(state.provenance);
    s["keyframe"] = state.keyframe;
    put_attributes(s, state.attributes);
    states.push_back(std::move(s));
  }
  out["states"] = std::move(states);
  return out;
}

/// Pretty printer that keeps arrays of scalars on one line: nlohmann's indent puts every
/// coordinate on its own line, which makes documents several times longer and hard to read.
class TextWriter {
 public:
  explicit TextWriter(bool strict)
      : handler_(strict ? Json::error_handler_t::strict : Json::error_handler_t::replace) {}

  /// False when a string is not valid UTF-8 (strict only); bad_pointer() says where.
  bool value(const Json& v, std::size_t indent) {
    if (v.is_object()) {
      if (v.empty()) {
        out_ += "{}";
        return true;
      }
      out_ += "{\n";
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out_ += ",\n";
        first = false;
        out_.append(indent + 2, ' ');
        bool ok = key(it.key());
        if (ok) {
          out_ += ": ";
          ok = value(it.value(), indent + 2);
        }
        if (!ok) {
          bad_pointer_ = pointer_token(it.key()) + bad_pointer_;
          return false;
        }
      }
      out_ += '\n';
      out_.append(indent, ' ');
      out_ += '}';
      return true;
    }
    if (v.is_array()) {
      bool flat = true;
      for (const Json& element : v) flat = flat && !element.is_structured();
      out_ += '[';
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (flat) {
          if (i) out_ += ", ";
        } else {
          out_ += i ? ",\n" : "\n";
          out_.append(indent + 2, ' ');
        }
        if (!value(v[i], indent + 2)) {
          bad_pointer_ = "/" + std::to_string(i) + bad_pointer_;
          return false;
        }
      }
      if (!flat && !v.empty()) {
        out_ += '\n';
        out_.append(indent, ' ');
      }
      out_ += ']';
      return true;
    }
    return scalar(v);
  }

  std::string& text() { return out_; }
  const std::string& bad_pointer() const { return bad_pointer_; }

 private:
  bool scalar(const Json& v) {
    // The common cases are written directly: a dump() per value costs a serializer and a string.
    char buffer[64];
    switch (v.type()) {
      case Json::value_t::number_float: {
        const double d = v.get<double>();
        if (!std::isfinite(d)) break;
        // C++17 guarantees the shortest text that parses back to the same bits.
        const auto result = std::to_chars(buffer, buffer + sizeof buffer, d);
        const std::string_view text(buffer, static_cast<std::size_t>(result.ptr - buffer));
        out_ += text;
        // "-0" or "3" would read back as an integer: -0.0 would lose its sign.
        if (text.find_first_of(".e") == std::string_view::npos) out_ += ".0";
        return true;
      }
      case Json::value_t::number_integer: {
        const auto result = std::to_chars(buffer, buffer + sizeof buffer, v.get<std::int64_t>());
        out_.append(buffer, result.ptr);
        return true;
      }
      case Json::value_t::number_unsigned: {
        const auto result = std::to_chars(buffer, buffer + sizeof buffer, v.get<std::uint64_t>());
        out_.append(buffer, result.ptr);
        return true;
      }
      case Json::value_t::string:
        if (plain_ascii(v.get_ref<const std::string&>())) {
          out_ += '"';
          out_ += v.get_ref<const std::string&>();
          out_ += '"';
          return true;
        }
        break;
      default:
        break;
    }
    try {
      out_ += v.dump(-1, ' ', false, handler_);
      return true;
    } catch (const Json::type_error&) {
      bad_pointer_.clear();
      return false;
    }
  }

  bool key(const std::string& name) {
    if (!plain_ascii(name)) return scalar(Json(name));
    out_ += '"';
    out_ += name;
    out_ += '"';
    return true;
  }

  /// Needs no escaping and is valid UTF-8.
  static bool plain_ascii(const std::string& s) {
    for (const char c : s) {
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
    }
    return true;
  }

  Json::error_handler_t handler_;
  std::string out_;
  std::string bad_pointer_;
};

}  // namespace

DocumentJson class_to_json(const ClassSpec& spec) { return class_json(spec); }
DocumentJson track_to_json(const Track& track) { return track_json(track); }
DocumentJson polyline_to_json(const PolylineTrack& polyline) { return polyline_json(polyline); }

DocumentJson pcanno_document_to_json(const Annotations& annotations) {
  Json root = Json::object();
  root["format"] = "pcanno";
  root["version"] = kPcannoDocumentVersion;
  Json sequence = Json::object();
  if (!annotations.sequence.layout.empty()) sequence["layout"] = annotations.sequence.layout;
  if (!annotations.sequence.path.empty()) sequence["path"] = annotations.sequence.path;
  if (!annotations.sequence.name.empty()) sequence["name"] = annotations.sequence.name;
  root["sequence"] = std::move(sequence);
  put_attributes(root, annotations.attributes);
  if (!annotations.scene_tags.empty()) {
    root["scene_tags"] = attribute_specs_json(annotations.scene_tags, SpecKind::kTags);
  }
  if (!annotations.frame_tags.empty()) {
    root["frame_tags"] = attribute_specs_json(annotations.frame_tags, SpecKind::kTags);
  }
  Json classes = Json::array();
  for (const ClassSpec& spec : annotations.classes) classes.push_back(class_json(spec));
  root["classes"] = std::move(classes);
  Json frames = Json::array();
  for (const FrameInfo& frame : annotations.frames) frames.push_back(frame_json(frame));
  root["frames"] = std::move(frames);
  Json tracks = Json::array();
  for (const Track& track : annotations.tracks) tracks.push_back(track_json(track));
  root["tracks"] = std::move(tracks);
  if (!annotations.polylines.empty()) {
    Json polylines = Json::array();
    for (const PolylineTrack& p : annotations.polylines) polylines.push_back(polyline_json(p));
    root["polylines"] = std::move(polylines);
  }
  if (!annotations.ignore_regions.empty()) {
    Json regions = Json::array();
    for (const IgnoreRegion& region : annotations.ignore_regions) {
      Json r = Json::object();
      r["frame"] = region.frame;
      r["bbox"] = numbers4(region.bbox);
      r["label"] = region.label;
      regions.push_back(std::move(r));
    }
    root["ignore_regions"] = std::move(regions);
  }
  return root;
}

Expected<std::string> pcanno_document_text(const DocumentJson& root, bool strict,
                                           const std::string& path) {
  TextWriter writer(strict);
  if (!writer.value(root, 0)) {
    // The pointer of invalid text may itself hold the invalid bytes.
    return Error{ErrorCode::kMalformed,
                 escape_bytes(writer.bad_pointer()) + ": text is not valid UTF-8", path};
  }
  writer.text() += '\n';
  return std::move(writer.text());
}

}  // namespace pcanno::formats::detail
