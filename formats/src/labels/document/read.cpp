#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <new>
#include <optional>
#include <utility>

#include "labels/document/attribute_specs.hpp"
#include "labels/document/json.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "support/json_errors.hpp"
#include "support/json_reader.hpp"

namespace pcanno::formats::detail {
namespace {

using Json = DocumentJson;

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();
constexpr double kUnitNormTolerance = 1e-6;

/// Converts a document tree to Annotations. The first failure sticks: every read returns false from
/// then on, so each level only propagates `false` and the error names the innermost pointer.
class DocumentReader : private JsonReader<Json> {
 public:
  explicit DocumentReader(const std::string& path) : JsonReader(path) {}

  Expected<Annotations> read(const Json& root) {
    Annotations out;
    if (!document(root, out)) return take_error();
    return out;
  }

 private:
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

  /// A string naming a value of enum E (whose values run from 0 to `last`), parsed by `parse`.
  template <typename E, typename Parse>
  bool named(const Json& m, const Pointer& q, Parse parse, E last, E& out) {
    if (m.is_string()) {
      if (const std::optional<E> value = parse(m.get_ref<const std::string&>())) {
        out = *value;
        return true;
      }
    }
    std::string choices;
    for (int i = 0; i <= static_cast<int>(last); ++i) {
      choices += std::string(i ? ", " : "") + to_string(static_cast<E>(i));
    }
    return expected(q, "one of " + choices, m);
  }

  /// A class's motion profile: `profile` names the kind, whose defaults fill what is left out.
  bool motion(const Json& v, const Pointer& p, MotionProfile& out) {
    if (!object(v, p)) return false;
    const bool kind_ok = required(v, p, "profile", [&](const Json& m, const Pointer& q) {
      MotionKind kind = MotionKind::kUnknown;
      if (!named(m, q, motion_kind_from_string, MotionKind::kUnknown, kind)) return false;
      out = default_motion_profile(kind);
      return true;
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

  /// The id of the track or polyline at `item` (`what`); `ids` maps the ids read so far to the
  /// pointers of their items, so that a second use names the first.
  bool unique_id(const Json& v, const Pointer& p, const Pointer& item, const char* what,
                 std::map<std::int64_t, std::string>& ids, std::int64_t& out) {
    if (!integer(v, p, kInt64Min, kInt64Max, out)) return false;
    const auto [previous, inserted] = ids.emplace(out, item.str());
    return inserted || fail(p, std::string(what) + " id " + std::to_string(out) +
                                   " is used twice (also " + previous->second + ")");
  }

  /// The per-frame states of a track or polyline, each read by `read_state`, at most one per frame
  /// (`what`: "the track has a box").
  template <typename State>
  bool states(const Json& v, const Pointer& p, const char* what,
              bool (DocumentReader::*read_state)(const Json&, const Pointer&, State&),
              std::vector<State>& out) {
    if (!array(v, p)) return false;
    out.reserve(v.size());
    std::map<std::int64_t, std::size_t> frames;  // frame -> index of its first state
    for (std::size_t i = 0; i < v.size(); ++i) {
      State state;
      const Pointer element = p.element(i);
      if (!(this->*read_state)(v[i], element, state)) return false;
      const auto [previous, inserted] = frames.emplace(state.frame, i);
      if (!inserted) {
        return fail(element.member("frame"), std::string(what) + " in frame " +
                                                 std::to_string(state.frame) + " already (" +
                                                 p.element(previous->second).str() + ")");
      }
      out.push_back(std::move(state));
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
      optional(root, top, "scene_tags",
               [&](const Json& v, const Pointer& p) {
                 return read_attribute_specs(*this, v, p, SpecKind::kTags, out.scene_tags);
               }) &&
      optional(root, top, "frame_tags",
               [&](const Json& v, const Pointer& p) {
                 return read_attribute_specs(*this, v, p, SpecKind::kTags, out.frame_tags);
               }) &&
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
  // Unset colour, size, motion and shape default to what an importer gives the class (the default
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
         optional(v, p, "shape",
                  [&](const Json& m, const Pointer& q) {
                    return named(m, q, shape_kind_from_string, ShapeKind::kPolyline, spec.shape);
                  }) &&
         optional(v, p, "closed",
                  [&](const Json& m, const Pointer& q) { return boolean(m, q, spec.closed); }) &&
         optional(v, p, "upright",
                  [&](const Json& m, const Pointer& q) { return boolean(m, q, spec.upright); }) &&
         optional(v, p, "evidence",
                  [&](const Json& m, const Pointer& q) {
                    return named(m, q, line_evidence_from_string, LineEvidence::kCurb,
                                 spec.evidence);
                  }) &&
         optional(v, p, "attributes", [&](const Json& m, const Pointer& q) {
           return read_attribute_specs(*this, m, q, SpecKind::kClassAttributes, spec.attributes);
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
  return object(v, p) &&
         required(v, p, "id",
                  [&](const Json& m, const Pointer& q) {
                    return unique_id(m, q, p, "track", track_pointers_, out.id);
                  }) &&
         required(v, p, "label",
                  [&](const Json& m, const Pointer& q) { return name(m, q, out.label); }) &&
         optional(v, p, "source_id",
                  [&](const Json& m, const Pointer& q) { return text(m, q, out.source_id); }) &&
         optional(v, p, "free_tilt",
                  [&](const Json& m, const Pointer& q) { return boolean(m, q, out.free_tilt); }) &&
         optional_attributes(v, p, out.attributes) &&
         required(v, p, "boxes", [&](const Json& m, const Pointer& q) {
           return states(m, q, "the track has a box", &DocumentReader::box, out.boxes);
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
                    if (!numbers(m, q, 4, wxyz)) return false;
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
           return numbers(m, q, 4, out.bbox.data());
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
  return object(v, p) &&
         required(v, p, "id",
                  [&](const Json& m, const Pointer& q) {
                    return unique_id(m, q, p, "polyline", polyline_pointers_, out.id);
                  }) &&
         required(v, p, "label",
                  [&](const Json& m, const Pointer& q) { return name(m, q, out.label); }) &&
         optional_attributes(v, p, out.attributes) &&
         required(v, p, "states", [&](const Json& m, const Pointer& q) {
           return states(m, q, "the polyline has a state", &DocumentReader::polyline_state,
                         out.states);
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
         required(
             v, p, "bbox",
             [&](const Json& m, const Pointer& q) { return numbers(m, q, 4, out.bbox.data()); }) &&
         optional(v, p, "label",
                  [&](const Json& m, const Pointer& q) { return text(m, q, out.label); });
}

}  // namespace

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
