#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <new>
#include <optional>
#include <utility>

#include "labels/document/json.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "support/json_pointer.hpp"

namespace pcanno::formats::detail {
namespace {

using Json = DocumentJson;

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();
constexpr double kUnitNormTolerance = 1e-6;

/// The value as the message should show it: scalars verbatim (capped, escaped), containers by kind.
std::string found(const Json& value) {
  constexpr std::size_t kMaxChars = 60;
  switch (value.type()) {
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::binary:
      return "binary data";
    case Json::value_t::discarded:
      return "nothing";
    case Json::value_t::number_float: {
      // dump() would print a NaN as null, which misleads when the writer checks its own tree.
      const double d = value.get<double>();
      if (std::isnan(d)) return "NaN";
      if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
      break;
    }
    case Json::value_t::string: {
      const auto& s = value.get_ref<const std::string&>();
      if (s.size() > kMaxChars) {
        return Json(s.substr(0, kMaxChars)).dump(-1, ' ', true, Json::error_handler_t::replace) +
               "...";
      }
      break;
    }
    default:
      break;
  }
  return value.dump(-1, ' ', true, Json::error_handler_t::replace);
}

/// Converts a document tree to Annotations. The first failure sticks: every read returns false from
/// then on, so each level only propagates `false` and the error names the innermost pointer.
class DocumentReader {
 public:
  explicit DocumentReader(const std::string& path) : path_(path) {}

  Expected<Annotations> read(const Json& root) {
    Annotations out;
    if (!document(root, out)) return std::move(*error_);
    return out;
  }

 private:
  bool fail(const Pointer& pointer, const std::string& what,
            ErrorCode code = ErrorCode::kMalformed) {
    if (error_) return false;
    const std::string where = pointer.str();
    // "" is the whole document; "/" reads better in a message.
    error_ = Error{code, (where.empty() ? "/" : where) + ": " + what, path_};
    return false;
  }
  bool expected(const Pointer& pointer, const std::string& what, const Json& value) {
    return fail(pointer, "expected " + what + ", found " + found(value));
  }

  template <typename Read>
  bool required(const Json& object, const Pointer& pointer, const char* key, Read&& read) {
    const auto it = object.find(key);
    const Pointer member = pointer.member(key);
    if (it == object.end()) return fail(member, "required member is missing");
    return read(*it, member);
  }
  template <typename Read>
  bool optional(const Json& object, const Pointer& pointer, const char* key, Read&& read) {
    const auto it = object.find(key);
    return it == object.end() || read(*it, pointer.member(key));
  }

  bool object(const Json& v, const Pointer& p) {
    return v.is_object() || expected(p, "an object", v);
  }
  bool array(const Json& v, const Pointer& p) { return v.is_array() || expected(p, "an array", v); }

  bool text(const Json& v, const Pointer& p, std::string& out) {
    if (!v.is_string()) return expected(p, "a string", v);
    out = v.get<std::string>();
    return true;
  }
  bool name(const Json& v, const Pointer& p, std::string& out) {
    if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
      return expected(p, "a non-empty string", v);
    }
    out = v.get<std::string>();
    return true;
  }
  bool boolean(const Json& v, const Pointer& p, bool& out) {
    if (!v.is_boolean()) return expected(p, "true or false", v);
    out = v.get<bool>();
    return true;
  }

  /// JSON Schema counts 3.0 as an integer, so the loader does too (within the exact double range).
  bool integer(const Json& v, const Pointer& p, std::int64_t min, std::int64_t max,
               std::int64_t& out) {
    constexpr double kExactLimit = 9007199254740992.0;  // 2^53
    std::int64_t value = 0;
    bool in_range = true;
    if (v.is_number_unsigned()) {
      const auto u = v.get<std::uint64_t>();
      in_range = u <= static_cast<std::uint64_t>(max);
      value = in_range ? static_cast<std::int64_t>(u) : 0;
    } else if (v.is_number_integer()) {
      value = v.get<std::int64_t>();
    } else if (v.is_number_float() && std::trunc(v.get<double>()) == v.get<double>() &&
               std::fabs(v.get<double>()) <= kExactLimit) {
      value = static_cast<std::int64_t>(v.get<double>());
    } else {
      return expected(p, "an integer", v);
    }
    if (!in_range || value < min || value > max) {
      std::string range = "an integer";
      if (min != kInt64Min && max != kInt64Max) {
        range += " in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
      } else if (min != kInt64Min) {
        range += " >= " + std::to_string(min);
      }
      return expected(p, range, v);
    }
    out = value;
    return true;
  }
  bool integer32(const Json& v, const Pointer& p, int min, int& out) {
    std::int64_t value = 0;
    if (!integer(v, p, min, std::numeric_limits<int>::max(), value)) return false;
    out = static_cast<int>(value);
    return true;
  }

  bool number(const Json& v, const Pointer& p, double& out) {
    if (!v.is_number() || !std::isfinite(v.get<double>())) return expected(p, "a finite number", v);
    out = v.get<double>();
    return true;
  }
  bool positive(const Json& v, const Pointer& p, double& out) {
    if (!number(v, p, out)) return false;
    return out > 0.0 || expected(p, "a positive number", v);
  }
  bool numbers(const Json& v, const Pointer& p, double* out, std::size_t n, bool positive) {
    if (!v.is_array() || v.size() != n) {
      return expected(p, "an array of " + std::to_string(n) + " numbers", v);
    }
    for (std::size_t i = 0; i < n; ++i) {
      const Pointer element = p.element(i);
      if (!number(v[i], element, out[i])) return false;
      if (positive && !(out[i] > 0.0)) return expected(element, "a positive number", v[i]);
    }
    return true;
  }
  bool vector3(const Json& v, const Pointer& p, Eigen::Vector3d& out, bool positive = false) {
    return numbers(v, p, out.data(), 3, positive);
  }

  bool provenance(const Json& v, const Pointer& p, Provenance& out) {
    if (v.is_string()) {
      if (const auto value = provenance_from_string(v.get_ref<const std::string&>())) {
        out = *value;
        return true;
      }
    }
    std::string choices;
    for (int i = 0; i <= static_cast<int>(Provenance::kModel); ++i) {
      choices += std::string(i ? ", " : "") + to_string(static_cast<Provenance>(i));
    }
    return expected(p, "one of " + choices, v);
  }
  bool shape_frame(const Json& v, const Pointer& p, ShapeFrame& out) {
    if (v.is_string()) {
      if (const auto value = shape_frame_from_string(v.get_ref<const std::string&>())) {
        out = *value;
        return true;
      }
    }
    return expected(p,
                    std::string("one of ") + to_string(ShapeFrame::kLidar) + ", " +
                        to_string(ShapeFrame::kWorld),
                    v);
  }

  /// A class's motion profile: `profile` names the kind, whose defaults fill what is left out.
  bool motion(const Json& v, const Pointer& p, MotionProfile& out) {
    if (!object(v, p)) return false;
    const bool kind_ok = required(v, p, "profile", [&](const Json& m, const Pointer& q) {
      if (m.is_string()) {
        if (const auto kind = motion_kind_from_string(m.get_ref<const std::string&>())) {
          out = default_motion_profile(*kind);
          return true;
        }
      }
      std::string choices;
      for (int i = 0; i <= static_cast<int>(MotionKind::kUnknown); ++i) {
        choices += std::string(i ? ", " : "") + to_string(static_cast<MotionKind>(i));
      }
      return expected(q, "one of " + choices, m);
    });
    const auto limit = [&](const char* key, double& field) {
      return optional(v, p, key,
                      [&](const Json& m, const Pointer& q) { return positive(m, q, field); });
    };
    return kind_ok && limit("max_speed", out.limits.speed) &&
           limit("max_acceleration", out.limits.acceleration) &&
           limit("max_yaw_rate", out.limits.yaw_rate) &&
           optional(v, p, "moves_along_heading", [&](const Json& m, const Pointer& q) {
             return boolean(m, q, out.moves_along_heading);
           });
  }

  bool attributes(const Json& v, const Pointer& p, AttributeMap& out) {
    if (!object(v, p)) return false;
    for (auto it = v.begin(); it != v.end(); ++it) {
      std::string value;
      if (!text(it.value(), p.member(it.key()), value)) return false;
      out.insert_or_assign(it.key(), std::move(value));
    }
    return true;
  }
  bool optional_attributes(const Json& object_value, const Pointer& p, AttributeMap& out) {
    return optional(object_value, p, "attributes",
                    [&](const Json& v, const Pointer& q) { return attributes(v, q, out); });
  }

  /// Index into "frames"; checked against it only when the document lists frames.
  bool frame_index(const Json& v, const Pointer& p, std::int64_t& out) {
    if (!integer(v, p, 0, kInt64Max, out)) return false;
    if (frame_count_ > 0 && static_cast<std::uint64_t>(out) >= frame_count_) {
      return fail(p, "frame " + std::to_string(out) + " is out of range: /frames has " +
                         std::to_string(frame_count_) + " entries");
    }
    return true;
  }

  template <typename Item, typename ReadItem>
  bool each(const Json& v, const Pointer& p, std::vector<Item>& out, ReadItem&& read_item) {
    if (!array(v, p)) return false;
    out.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
      Item item;
      if (!read_item(v[i], p.element(i), item)) return false;
      out.push_back(std::move(item));
    }
    return true;
  }

  bool document(const Json& root, Annotations& out);
  bool sequence(const Json& v, const Pointer& p, SequenceRef& out);
  bool class_spec(const Json& v, const Pointer& p, Annotations& out);
  bool frame(const Json& v, const Pointer& p, FrameInfo& out);
  bool track(const Json& v, const Pointer& p, Track& out);
  bool box(const Json& v, const Pointer& p, BoxState& out);
  bool kitti(const Json& v, const Pointer& p, KittiCameraFields& out);
  bool nuscenes(const Json& v, const Pointer& p, NuscenesFields& out);
  bool polyline(const Json& v, const Pointer& p, PolylineTrack& out);
  bool polyline_state(const Json& v, const Pointer& p, PolylineState& out);
  bool ignore_region(const Json& v, const Pointer& p, IgnoreRegion& out);

  const std::string& path_;
  std::optional<Error> error_;
  std::uint64_t frame_count_ = 0;
  std::map<std::string, std::string, std::less<>> class_pointers_;
  std::map<std::int64_t, std::string> track_pointers_;
  std::map<std::int64_t, std::string> polyline_pointers_;
};

bool DocumentReader::document(const Json& root, Annotations& out) {
  const Pointer top;
  if (!root.is_object()) return expected(top, "an object (a pcanno document)", root);
  const auto format = root.find("format");
  if (format == root.end()) {
    return fail(top.member("format"), "required member is missing: not a pcanno document");
  }
  if (!format->is_string() || format->get_ref<const std::string&>() != "pcanno") {
    return expected(top.member("format"), "\"pcanno\"", *format);
  }
  // The version is checked before anything else, so that a newer document is reported as newer
  // rather than as malformed by whatever it changed.
  std::int64_t version = 0;
  if (!required(root, top, "version", [&](const Json& v, const Pointer& p) {
        return integer(v, p, 1, kInt64Max, version);
      })) {
    return false;
  }
  if (version > kPcannoDocumentVersion) {
    return fail(top.member("version"),
                "version " + std::to_string(version) + " is newer than this build reads (up to " +
                    std::to_string(kPcannoDocumentVersion) + "); update pcanno",
                ErrorCode::kUnsupported);
  }

  const auto item_reader = [this](auto method) {
    return [this, method](const Json& v, const Pointer& p, auto& item) {
      return (this->*method)(v, p, item);
    };
  };
  const bool header_ok =
      optional(root, top, "sequence",
               [&](const Json& v, const Pointer& p) { return sequence(v, p, out.sequence); }) &&
      optional_attributes(root, top, out.attributes) &&
      optional(root, top, "classes",
               [&](const Json& v, const Pointer& p) {
                 if (!array(v, p)) return false;
                 for (std::size_t i = 0; i < v.size(); ++i) {
                   if (!class_spec(v[i], p.element(i), out)) return false;
                 }
                 return true;
               }) &&
      optional(root, top, "frames", [&](const Json& v, const Pointer& p) {
        return each<FrameInfo>(v, p, out.frames, item_reader(&DocumentReader::frame));
      });
  if (!header_ok) return false;
  // Box frame indices are checked against the frames, whatever the member order in the file.
  frame_count_ = out.frames.size();
  const bool ok =
      optional(root, top, "tracks",
               [&](const Json& v, const Pointer& p) {
                 return each<Track>(v, p, out.tracks, item_reader(&DocumentReader::track));
               }) &&
      optional(root, top, "polylines",
               [&](const Json& v, const Pointer& p) {
                 return each<PolylineTrack>(v, p, out.polylines,
                                            item_reader(&DocumentReader::polyline));
               }) &&
      optional(root, top, "ignore_regions", [&](const Json& v, const Pointer& p) {
        return each<IgnoreRegion>(v, p, out.ignore_regions,
                                  item_reader(&DocumentReader::ignore_region));
      });
  if (!ok) return false;

  // A label missing from the schema is not worth refusing a document over (hand edits, partial
  // exports); it gets the same class an importer would create.
  for (const Track& t : out.tracks) out.ensure_class(t.label);
  for (const PolylineTrack& t : out.polylines) out.ensure_class(t.label);
  out.normalize();
  return true;
}

bool DocumentReader::sequence(const Json& v, const Pointer& p, SequenceRef& out) {
  const auto member = [&](const char* key, std::string& field) {
    return optional(v, p, key, [&](const Json& m, const Pointer& q) { return text(m, q, field); });
  };
  return object(v, p) && member("layout", out.layout) && member("path", out.path) &&
         member("name", out.name);
}

bool DocumentReader::class_spec(const Json& v, const Pointer& p, Annotations& out) {
  std::string class_name;
  if (!object(v, p) || !required(v, p, "name", [&](const Json& m, const Pointer& q) {
        return name(m, q, class_name);
      })) {
    return false;
  }
  const auto [previous, inserted] = class_pointers_.emplace(class_name, p.str());
  if (!inserted) {
    return fail(p.member("name"),
                "class \"" + class_name + "\" is defined twice (also " + previous->second + ")");
  }
  // Unset colour, size and motion default to what an importer gives the class (the default
  // schema's entry of that name, documents older than the motion member included), not to a fixed
  // grey car.
  ClassSpec& spec = out.ensure_class(class_name);
  return optional(v, p, "color",
                  [&](const Json& m, const Pointer& q) {
                    if (!m.is_array() || m.size() != 3) {
                      return expected(q, "an array of 3 integers (r, g, b)", m);
                    }
                    for (std::size_t i = 0; i < 3; ++i) {
                      std::int64_t c = 0;
                      if (!integer(m[i], q.element(i), 0, 255, c)) return false;
                      spec.color[i] = static_cast<std::uint8_t>(c);
                    }
                    return true;
                  }) &&
         optional(v, p, "default_size",
                  [&](const Json& m, const Pointer& q) {
                    return vector3(m, q, spec.default_size, true);
                  }) &&
         optional(v, p, "motion",
                  [&](const Json& m, const Pointer& q) { return motion(m, q, spec.motion); }) &&
         optional(v, p, "attributes", [&](const Json& m, const Pointer& q) {
           if (!object(m, q)) return false;
           for (auto it = m.begin(); it != m.end(); ++it) {
             const Pointer attribute = q.member(it.key());
             std::vector<std::string> values;
             if (!array(it.value(), attribute)) return false;
             for (std::size_t i = 0; i < it.value().size(); ++i) {
               std::string value;
               if (!text(it.value()[i], attribute.element(i), value)) return false;
               values.push_back(std::move(value));
             }
             spec.attributes.insert_or_assign(it.key(), std::move(values));
           }
           return true;
         });
}

bool DocumentReader::frame(const Json& v, const Pointer& p, FrameInfo& out) {
  return object(v, p) &&
         optional(v, p, "name",
                  [&](const Json& m, const Pointer& q) { return text(m, q, out.name); }) &&
         optional(v, p, "timestamp_us",
                  [&](const Json& m, const Pointer& q) {
                    return integer(m, q, -1, kInt64Max, out.timestamp_us);
                  }) &&
         optional(v, p, "source_token",
                  [&](const Json& m, const Pointer& q) { return text(m, q, out.source_token); }) &&
         optional_attributes(v, p, out.attributes);
}

bool DocumentReader::track(const Json& v, const Pointer& p, Track& out) {
  const bool ok =
      object(v, p) &&
      required(v, p, "id",
               [&](const Json& m, const Pointer& q) {
                 if (!integer(m, q, kInt64Min, kInt64Max, out.id)) return false;
                 const auto [previous, inserted] = track_pointers_.emplace(out.id, p.str());
                 return inserted || fail(q, "track id " + std::to_string(out.id) +
                                                " is used twice (also " + previous->second + ")");
               }) &&
      required(v, p, "label",
               [&](const Json& m, const Pointer& q) { return name(m, q, out.label); }) &&
      optional(v, p, "source_id",
               [&](const Json& m, const Pointer& q) { return text(m, q, out.source_id); }) &&
      optional_attributes(v, p, out.attributes);
  if (!ok) return false;
  std::map<std::int64_t, std::size_t> frames;  // frame -> index of its first state
  return required(v, p, "boxes", [&](const Json& m, const Pointer& q) {
    if (!array(m, q)) return false;
    out.boxes.reserve(m.size());
    for (std::size_t i = 0; i < m.size(); ++i) {
      BoxState state;
      const Pointer element = q.element(i);
      if (!box(m[i], element, state)) return false;
      const auto [previous, inserted] = frames.emplace(state.frame, i);
      if (!inserted) {
        return fail(element.member("frame"), "the track has a box in frame " +
                                                 std::to_string(state.frame) + " already (" +
                                                 q.element(previous->second).str() + ")");
      }
      out.boxes.push_back(std::move(state));
    }
    return true;
  });
}

bool DocumentReader::box(const Json& v, const Pointer& p, BoxState& out) {
  return object(v, p) &&
         required(v, p, "frame",
                  [&](const Json& m, const Pointer& q) { return frame_index(m, q, out.frame); }) &&
         required(
             v, p, "frame_of_reference",
             [&](const Json& m, const Pointer& q) { return shape_frame(m, q, out.shape_frame); }) &&
         required(v, p, "center",
                  [&](const Json& m, const Pointer& q) { return vector3(m, q, out.box.center); }) &&
         required(
             v, p, "size",
             [&](const Json& m, const Pointer& q) { return vector3(m, q, out.box.size, true); }) &&
         required(v, p, "rotation_wxyz",
                  [&](const Json& m, const Pointer& q) {
                    double wxyz[4];
                    if (!numbers(m, q, wxyz, 4, false)) return false;
                    Eigen::Quaterniond rotation(wxyz[0], wxyz[1], wxyz[2], wxyz[3]);
                    const double norm = rotation.norm();
                    if (!(norm > 0.0) || !std::isfinite(norm)) {
                      return fail(q, "expected a rotation quaternion, found all zeros");
                    }
                    // Within the tolerance the numbers are kept bit for bit; beyond it the
                    // document was edited by hand or rounded, and a unit rotation is what it meant.
                    if (std::fabs(norm - 1.0) > kUnitNormTolerance) rotation.normalize();
                    out.box.rotation = rotation;
                    return true;
                  }) &&
         required(
             v, p, "provenance",
             [&](const Json& m, const Pointer& q) { return provenance(m, q, out.provenance); }) &&
         required(v, p, "keyframe",
                  [&](const Json& m, const Pointer& q) { return boolean(m, q, out.keyframe); }) &&
         optional(v, p, "score",
                  [&](const Json& m, const Pointer& q) {
                    double score = 0.0;
                    if (!number(m, q, score)) return false;
                    out.score = score;
                    return true;
                  }) &&
         optional_attributes(v, p, out.attributes) &&
         optional(
             v, p, "kitti",
             [&](const Json& m, const Pointer& q) { return kitti(m, q, out.kitti.emplace()); }) &&
         optional(v, p, "nuscenes", [&](const Json& m, const Pointer& q) {
           return nuscenes(m, q, out.nuscenes.emplace());
         });
}

bool DocumentReader::kitti(const Json& v, const Pointer& p, KittiCameraFields& out) {
  return object(v, p) &&
         required(v, p, "truncated",
                  [&](const Json& m, const Pointer& q) { return number(m, q, out.truncated); }) &&
         required(v, p, "occluded",
                  [&](const Json& m, const Pointer& q) {
                    return integer32(m, q, std::numeric_limits<int>::min(), out.occluded);
                  }) &&
         required(v, p, "alpha",
                  [&](const Json& m, const Pointer& q) { return number(m, q, out.alpha); }) &&
         required(v, p, "bbox", [&](const Json& m, const Pointer& q) {
           return numbers(m, q, out.bbox.data(), 4, false);
         });
}

bool DocumentReader::nuscenes(const Json& v, const Pointer& p, NuscenesFields& out) {
  return object(v, p) &&
         required(
             v, p, "annotation_token",
             [&](const Json& m, const Pointer& q) { return text(m, q, out.annotation_token); }) &&
         required(
             v, p, "visibility_token",
             [&](const Json& m, const Pointer& q) { return text(m, q, out.visibility_token); }) &&
         required(v, p, "num_lidar_pts",
                  [&](const Json& m, const Pointer& q) {
                    return integer32(m, q, -1, out.num_lidar_pts);
                  }) &&
         required(v, p, "num_radar_pts", [&](const Json& m, const Pointer& q) {
           return integer32(m, q, -1, out.num_radar_pts);
         });
}

bool DocumentReader::polyline(const Json& v, const Pointer& p, PolylineTrack& out) {
  const bool ok =
      object(v, p) &&
      required(v, p, "id",
               [&](const Json& m, const Pointer& q) {
                 if (!integer(m, q, kInt64Min, kInt64Max, out.id)) return false;
                 const auto [previous, inserted] = polyline_pointers_.emplace(out.id, p.str());
                 return inserted || fail(q, "polyline id " + std::to_string(out.id) +
                                                " is used twice (also " + previous->second + ")");
               }) &&
      required(v, p, "label",
               [&](const Json& m, const Pointer& q) { return name(m, q, out.label); }) &&
      optional_attributes(v, p, out.attributes);
  if (!ok) return false;
  std::map<std::int64_t, std::size_t> frames;  // frame -> index of its first state
  return required(v, p, "states", [&](const Json& m, const Pointer& q) {
    if (!array(m, q)) return false;
    out.states.reserve(m.size());
    for (std::size_t i = 0; i < m.size(); ++i) {
      PolylineState state;
      const Pointer element = q.element(i);
      if (!polyline_state(m[i], element, state)) return false;
      const auto [previous, inserted] = frames.emplace(state.frame, i);
      if (!inserted) {
        return fail(element.member("frame"), "the polyline has a state in frame " +
                                                 std::to_string(state.frame) + " already (" +
                                                 q.element(previous->second).str() + ")");
      }
      out.states.push_back(std::move(state));
    }
    return true;
  });
}

bool DocumentReader::polyline_state(const Json& v, const Pointer& p, PolylineState& out) {
  return object(v, p) &&
         required(v, p, "frame",
                  [&](const Json& m, const Pointer& q) { return frame_index(m, q, out.frame); }) &&
         required(
             v, p, "frame_of_reference",
             [&](const Json& m, const Pointer& q) { return shape_frame(m, q, out.shape_frame); }) &&
         required(
             v, p, "closed",
             [&](const Json& m, const Pointer& q) { return boolean(m, q, out.line.closed); }) &&
         required(v, p, "vertices",
                  [&](const Json& m, const Pointer& q) {
                    if (!array(m, q)) return false;
                    out.line.vertices.resize(m.size());
                    for (std::size_t i = 0; i < m.size(); ++i) {
                      if (!vector3(m[i], q.element(i), out.line.vertices[i])) {
                        return false;
                      }
                    }
                    return true;
                  }) &&
         required(
             v, p, "provenance",
             [&](const Json& m, const Pointer& q) { return provenance(m, q, out.provenance); }) &&
         required(v, p, "keyframe",
                  [&](const Json& m, const Pointer& q) { return boolean(m, q, out.keyframe); }) &&
         optional_attributes(v, p, out.attributes);
}

bool DocumentReader::ignore_region(const Json& v, const Pointer& p, IgnoreRegion& out) {
  return object(v, p) &&
         required(v, p, "frame",
                  [&](const Json& m, const Pointer& q) { return frame_index(m, q, out.frame); }) &&
         required(v, p, "bbox",
                  [&](const Json& m, const Pointer& q) {
                    return numbers(m, q, out.bbox.data(), 4, false);
                  }) &&
         optional(v, p, "label",
                  [&](const Json& m, const Pointer& q) { return text(m, q, out.label); });
}

}  // namespace

std::string pointer_token(std::string_view key) {
  std::string out = "/";
  for (const char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

Expected<Annotations> pcanno_document_from_json(const DocumentJson& root, const std::string& path) {
  try {
    return DocumentReader(path).read(root);
  } catch (const std::bad_alloc&) {
    return Error{ErrorCode::kOutOfMemory, "out of memory", path};
  } catch (const std::exception& e) {
    // Every access is type-checked first; reaching this is a bug, still not worth a crash.
    return Error{ErrorCode::kMalformed, readable_json_exception(e.what()), path};
  }
}

}  // namespace pcanno::formats::detail
