// OpenLABEL tree -> Annotations (docs/formats-openlabel.md).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "labels/openlabel/json.hpp"
#include "support/text_scan.hpp"

namespace pcanno::formats::detail::openlabel {
namespace {

constexpr double kUnitNormTolerance = 1e-6;

/// Whole-key decimal int64 ("-3", "42"); false for anything else (UUIDs, names).
bool parse_uid(const std::string& key, std::int64_t& out) {
  const char* last = key.data() + key.size();
  const auto r = std::from_chars(key.data(), last, out);
  return !key.empty() && r.ec == std::errc() && r.ptr == last;
}

/// One OpenLABEL object as read: its static data, then its states as the frames are read.
struct ObjectSlot {
  std::string label;
  std::string source_id;
  std::string coordinate_system;  ///< default for its shapes; "" when none
  AttributeMap attributes;
  std::vector<BoxState> boxes;
  std::vector<PolylineState> lines;
  std::optional<std::int64_t> polyline_id;  ///< kPolylineIdAttribute of its poly3d entries
  bool polyline = false;  ///< a static `poly3d: []` says so for a polyline without states
};

class OpenlabelReader {
 public:
  OpenlabelReader(const std::string& path, const LabelContext& context)
      : check_(path), context_(context) {}

  Expected<Annotations> read(const Json& root) {
    Annotations out;
    if (!document(root, out)) return check_.take_error();
    return out;
  }

 private:
  bool document(const Json& root, Annotations& out);
  bool metadata(const Json& v, const Pointer& p, Annotations& out);
  bool frame_intervals(const Json& v, const Pointer& p);
  bool frame_number(std::int64_t frame, const Pointer& p);
  bool object(const std::string& key, const Json& v, const Pointer& p, ObjectSlot& slot);
  bool frame(const Json& v, const Pointer& p, FrameInfo& info);
  bool frame_object(std::int64_t frame, const std::vector<Edge>& edges, const std::string& key,
                    const Json& v, const Pointer& p, ObjectSlot& slot);
  bool cuboid(std::int64_t frame, const std::vector<Edge>& edges, const std::string& key,
              const Json& v, const Pointer& p, ObjectSlot& slot, AttributeMap*& attributes);
  bool poly3d(std::int64_t frame, const std::vector<Edge>& edges, const std::string& key,
              const Json& v, const Pointer& p, ObjectSlot& slot, AttributeMap*& attributes);
  /// The single entry of a frame's cuboid or poly3d list (`plural`; pcanno keeps one `kept` per
  /// object and frame) and its "val" numbers. `entry` stays null for an empty list and, with
  /// `nullable`, for a null val (the standard's "no value in this frame").
  bool shape_values(const Json& v, const Pointer& p, const char* plural, const char* kept,
                    bool nullable, const Json*& entry, std::vector<double>& x);
  /// Where shape `entry` (at `e`) of object `key` goes in this frame, and pcanno's per-state
  /// fields from its attributes.
  bool place_shape(const Json& entry, const Pointer& e, const std::string& key,
                   const ObjectSlot& slot, std::int64_t frame, const std::vector<Edge>& edges,
                   Placement& placed, ShapeFields& fields);

  Checker check_;
  const LabelContext& context_;
  CoordinateSystems cs_;
  std::int64_t frame_count_ = 0;
};

bool OpenlabelReader::document(const Json& root, Annotations& out) {
  const Pointer top;
  if (!root.is_object()) return check_.expected(top, "an object (an OpenLABEL file)", root);
  const auto ol = root.find("openlabel");
  const Pointer p = top.member("openlabel");
  if (ol == root.end()) return check_.fail(p, "required member is missing: not an OpenLABEL file");
  if (!check_.object(*ol, p)) return false;
  if (!check_.required(*ol, p, "metadata",
                       [&](const Json& v, const Pointer& q) { return metadata(v, q, out); }) ||
      !cs_.read(check_, *ol, p)) {
    return false;
  }
  if (const auto it = ol->find("frame_intervals");
      it != ol->end() && !frame_intervals(*it, p.member("frame_intervals"))) {
    return false;
  }

  std::map<std::string, ObjectSlot, std::less<>> slots;
  if (const auto objects = ol->find("objects"); objects != ol->end()) {
    const Pointer op = p.member("objects");
    if (!check_.object(*objects, op)) return false;
    for (auto it = objects->begin(); it != objects->end(); ++it) {
      if (!object(it.key(), it.value(), op.member(it.key()), slots[it.key()])) return false;
    }
  }

  std::map<std::int64_t, FrameInfo> infos;
  std::map<std::int64_t, std::string> frame_keys;  // frame -> key as written
  if (const auto frames = ol->find("frames"); frames != ol->end()) {
    const Pointer fp = p.member("frames");
    if (!check_.object(*frames, fp)) return false;
    for (auto it = frames->begin(); it != frames->end(); ++it) {
      const Pointer f = fp.member(it.key());
      const std::string& key = it.key();
      std::int64_t n = -1;
      if (key.find_first_not_of("0123456789") != std::string::npos || !parse_uid(key, n)) {
        return check_.fail(f, "expected a frame number (decimal digits) as the key");
      }
      if (!frame_number(n, f)) return false;
      const auto [previous, fresh] = frame_keys.emplace(n, key);
      if (!fresh) {
        return check_.fail(f, "frame " + std::to_string(n) + " is given twice (also as \"" +
                                  previous->second + "\")");
      }
      if (!frame(it.value(), f, infos[n])) return false;
      const auto objects = it.value().find("objects");
      if (objects == it.value().end()) continue;
      const Pointer op = f.member("objects");
      if (!check_.object(*objects, op)) return false;
      std::vector<Edge> edges;
      if (const auto props = it.value().find("frame_properties"); props != it.value().end()) {
        const auto transforms = props->find("transforms");
        if (transforms != props->end() &&
            !cs_.frame_transforms(check_, *transforms,
                                  f.member("frame_properties").member("transforms"), edges)) {
          return false;
        }
      }
      for (auto o = objects->begin(); o != objects->end(); ++o) {
        const auto slot = slots.find(o.key());
        if (slot == slots.end()) {
          return check_.fail(op.member(o.key()),
                             "object \"" + o.key() + "\" is not declared in /openlabel/objects");
        }
        if (!frame_object(n, edges, o.key(), o.value(), op.member(o.key()), slot->second)) {
          return false;
        }
      }
    }
  }

  std::int64_t count = frame_count_;
  const Sequence* sequence = context_.sequence;
  if (sequence != nullptr) count = std::max<std::int64_t>(count, sequence->size());
  out.frames.resize(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    FrameInfo& info = out.frames[static_cast<std::size_t>(i)];
    if (const auto it = infos.find(i); it != infos.end()) info = std::move(it->second);
    if (sequence != nullptr && static_cast<std::size_t>(i) < sequence->size()) {
      const FrameRef& ref = sequence->frames[static_cast<std::size_t>(i)];
      if (info.name.empty()) info.name = ref.name;
      if (info.timestamp_us == -1) info.timestamp_us = ref.timestamp_us;
    }
  }
  if (out.sequence.name.empty() && out.sequence.layout.empty() && out.sequence.path.empty() &&
      sequence != nullptr) {
    out.sequence = SequenceRef{sequence->layout, sequence->root.string(), sequence->name};
  }

  // Integer uids are the ids; other uids (UUIDs, names) get the next free ids in key order and
  // keep the uid as source id.
  std::set<std::int64_t> used;
  std::vector<std::pair<std::int64_t, ObjectSlot*>> numbered;
  std::vector<std::pair<std::string, ObjectSlot*>> named;
  for (auto& [key, slot] : slots) {
    std::int64_t id = 0;
    if (parse_uid(key, id) && used.insert(id).second) {
      numbered.emplace_back(id, &slot);
    } else {
      named.emplace_back(key, &slot);
    }
  }
  std::int64_t next = used.empty() ? 0 : *used.rbegin() + 1;
  for (auto& [key, slot] : named) {
    if (next == std::numeric_limits<std::int64_t>::max()) {
      return check_.fail(p.member("objects").member(key), "no free object id is left for it",
                         ErrorCode::kUnsupported);
    }
    if (slot->source_id.empty()) slot->source_id = key;
    numbered.emplace_back(next++, slot);
  }
  std::sort(numbered.begin(), numbered.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  // Polylines are numbered apart from tracks: one whose poly3d names its own id (pcanno wrote it
  // under another uid because a track holds that id) gets it back, unless another polyline of
  // the file has it.
  std::map<const ObjectSlot*, std::int64_t> polyline_ids;
  std::set<std::int64_t> polyline_taken;
  const auto is_polyline = [](const ObjectSlot* slot) {
    return !slot->lines.empty() || slot->polyline;
  };
  for (const auto& [id, slot] : numbered) {
    if (is_polyline(slot) && !slot->polyline_id) {
      polyline_ids[slot] = id;
      polyline_taken.insert(id);
    }
  }
  for (const auto& [id, slot] : numbered) {
    if (!is_polyline(slot) || !slot->polyline_id) continue;
    std::int64_t own = *slot->polyline_id;
    if (polyline_taken.count(own) != 0) own = id;
    if (!polyline_taken.insert(own).second) {
      return check_.fail(p.member("objects"),
                         "two polylines claim id " + std::to_string(own) + " (polyline_id)");
    }
    polyline_ids[slot] = own;
  }
  for (auto& [id, slot] : numbered) {
    out.ensure_class(slot->label);
    // An object with poly3d data is a polyline track, one with cuboids (or with neither) a track;
    // one with both is both, under the same id.
    const bool has_lines = is_polyline(slot);
    if (has_lines) {
      out.polylines.push_back(PolylineTrack{polyline_ids.at(slot), slot->label, slot->attributes,
                                            std::move(slot->lines)});
    }
    if (!slot->boxes.empty() || !has_lines) {
      Track track;
      track.id = id;
      track.label = slot->label;
      track.attributes = std::move(slot->attributes);
      track.source_id = slot->source_id;
      track.boxes = std::move(slot->boxes);
      out.tracks.push_back(std::move(track));
    }
  }
  out.normalize();
  return true;
}

bool OpenlabelReader::metadata(const Json& v, const Pointer& p, Annotations& out) {
  if (!check_.object(v, p) ||
      !check_.required(v, p, "schema_version", [&](const Json& m, const Pointer& q) {
        std::string text;
        if (!check_.text(m, q, text)) return false;
        return text == "1" || text.rfind("1.", 0) == 0 ||
               check_.fail(q, "OpenLABEL schema version \"" + text + "\" is not read (1.x is)",
                           ErrorCode::kUnsupported);
      })) {
    return false;
  }
  const auto string_member = [&](const Json& object, const Pointer& op, const char* key,
                                 std::string& field) {
    const auto it = object.find(key);
    return it == object.end() || check_.text(*it, op.member(key), field);
  };
  if (!string_member(v, p, "name", out.sequence.name)) return false;
  if (const auto seq = v.find("sequence"); seq != v.end()) {
    const Pointer sp = p.member("sequence");
    if (!check_.object(*seq, sp) || !string_member(*seq, sp, "layout", out.sequence.layout) ||
        !string_member(*seq, sp, "path", out.sequence.path) ||
        !string_member(*seq, sp, "name", out.sequence.name)) {
      return false;
    }
  }
  if (const auto attributes = v.find("attributes"); attributes != v.end()) {
    const Pointer ap = p.member("attributes");
    if (!check_.object(*attributes, ap) || !plain_values(check_, *attributes, ap, out.attributes)) {
      return false;
    }
  }
  return true;
}

bool OpenlabelReader::frame_number(std::int64_t frame, const Pointer& p) {
  if (frame >= kOpenlabelMaxFrames) {
    return check_.fail(p,
                       "frame " + std::to_string(frame) + " is beyond the " +
                           std::to_string(kOpenlabelMaxFrames) + " frames pcanno reads",
                       ErrorCode::kUnsupported);
  }
  frame_count_ = std::max(frame_count_, frame + 1);
  return true;
}

bool OpenlabelReader::frame_intervals(const Json& v, const Pointer& p) {
  if (!check_.array(v, p)) return false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const Pointer e = p.element(i);
    if (!check_.object(v[i], e)) return false;
    std::int64_t bounds[2] = {0, 0};
    const char* keys[2] = {"frame_start", "frame_end"};
    for (int k = 0; k < 2; ++k) {
      if (!check_.required(v[i], e, keys[k], [&](const Json& m, const Pointer& q) {
            return check_.integer(m, q, 0, std::numeric_limits<std::int64_t>::max(), bounds[k]);
          })) {
        return false;
      }
    }
    if (bounds[1] < bounds[0]) {
      return check_.fail(e.member("frame_end"), "ends (" + std::to_string(bounds[1]) +
                                                    ") before it starts (" +
                                                    std::to_string(bounds[0]) + ")");
    }
    if (!frame_number(bounds[1], e.member("frame_end"))) return false;
  }
  return true;
}

bool OpenlabelReader::object(const std::string& key, const Json& v, const Pointer& p,
                             ObjectSlot& slot) {
  if (!check_.object(v, p) || !check_.required(v, p, "type", [&](const Json& m, const Pointer& q) {
        return check_.name(m, q, slot.label);
      })) {
    return false;
  }
  std::string unused;
  if (const auto name = v.find("name");
      name != v.end() && !check_.text(*name, p.member("name"), unused)) {
    return false;
  }
  if (const auto it = v.find("frame_intervals");
      it != v.end() && !frame_intervals(*it, p.member("frame_intervals"))) {
    return false;
  }
  if (const auto cs = v.find("coordinate_system"); cs != v.end()) {
    const Pointer cp = p.member("coordinate_system");
    if (!check_.text(*cs, cp, slot.coordinate_system)) return false;
    if (!cs_.is_declared(slot.coordinate_system)) {
      return check_.fail(cp, "unknown coordinate system '" + slot.coordinate_system +
                                 "' (declared: " + cs_.names() + ")");
    }
  }
  if (const auto resources = v.find("resource_uid"); resources != v.end()) {
    const Pointer rp = p.member("resource_uid");
    if (!check_.object(*resources, rp)) return false;
    for (auto it = resources->begin(); it != resources->end(); ++it) {
      std::string id;
      if (!check_.text(it.value(), rp.member(it.key()), id)) return false;
      if (it.key() == kSourceResource || resources->size() == 1) slot.source_id = id;
    }
  }
  const auto data = v.find("object_data");
  if (data == v.end()) return true;
  const Pointer dp = p.member("object_data");
  if (!check_.object(*data, dp)) return false;
  slot.polyline = data->find("poly3d") != data->end();
  for (const char* shape : {"cuboid", "poly3d"}) {
    const auto it = data->find(shape);
    if (it != data->end() && !(it->is_array() && it->empty())) {
      return check_.fail(dp.member(shape),
                         std::string("a static ") + shape + " (valid in all frames of object " +
                             key + ") is not read; give it in each frame's object data",
                         ErrorCode::kUnsupported);
    }
  }
  return plain_values(check_, *data, dp, slot.attributes);
}

bool OpenlabelReader::frame(const Json& v, const Pointer& p, FrameInfo& info) {
  if (!check_.object(v, p)) return false;
  const auto props = v.find("frame_properties");
  if (props == v.end()) return true;
  const Pointer pp = p.member("frame_properties");
  if (!check_.object(*props, pp)) return false;
  for (const auto& [key, field] :
       {std::pair("name", &info.name), std::pair("source_token", &info.source_token)}) {
    const auto it = props->find(key);
    if (it != props->end() && !check_.text(*it, pp.member(key), *field)) return false;
  }
  if (const auto it = props->find("attributes"); it != props->end()) {
    const Pointer ap = pp.member("attributes");
    if (!check_.object(*it, ap) || !plain_values(check_, *it, ap, info.attributes)) return false;
  }
  const auto stamp = props->find("timestamp");
  if (stamp == props->end()) return true;
  // Seconds; a string that is not a number (an ISO date) says nothing pcanno can keep.
  double seconds = 0.0;
  if (stamp->is_string()) {
    if (!parse_double(trim(stamp->get_ref<const std::string&>()), seconds)) return true;
  } else if (!check_.number(*stamp, pp.member("timestamp"), seconds)) {
    return false;
  }
  // In extended precision the product adds no rounding of its own, so every timestamp below
  // 2^52 us (142 years) comes back to the microsecond the writer divided.
  const long double us = std::round(static_cast<long double>(seconds) * 1e6L);
  if (!(std::fabs(us) < 9.0e18L)) {
    return check_.expected(pp.member("timestamp"), "a time in seconds", *stamp);
  }
  info.timestamp_us = static_cast<std::int64_t>(us);
  return true;
}

bool OpenlabelReader::frame_object(std::int64_t frame, const std::vector<Edge>& edges,
                                   const std::string& key, const Json& v, const Pointer& p,
                                   ObjectSlot& slot) {
  if (!check_.object(v, p)) return false;
  const auto data = v.find("object_data");
  if (data == v.end()) return true;
  const Pointer dp = p.member("object_data");
  if (!check_.object(*data, dp)) return false;
  AttributeMap* box_attributes = nullptr;
  AttributeMap* line_attributes = nullptr;
  if (const auto it = data->find("cuboid"); it != data->end()) {
    if (!cuboid(frame, edges, key, *it, dp.member("cuboid"), slot, box_attributes)) return false;
  }
  if (const auto it = data->find("poly3d"); it != data->end()) {
    if (!poly3d(frame, edges, key, *it, dp.member("poly3d"), slot, line_attributes)) return false;
  }
  // The frame's own text, num and boolean data belong to the shapes of this frame.
  AttributeMap values;
  if (!plain_values(check_, *data, dp, values)) return false;
  for (AttributeMap* target : {box_attributes, line_attributes}) {
    if (target == nullptr) continue;
    for (const auto& [name, value] : values) target->insert_or_assign(name, value);
  }
  return true;
}

bool OpenlabelReader::shape_values(const Json& v, const Pointer& p, const char* plural,
                                   const char* kept, bool nullable, const Json*& entry,
                                   std::vector<double>& x) {
  entry = nullptr;
  if (!check_.array(v, p)) return false;
  if (v.empty()) return true;
  if (v.size() > 1) {
    return check_.fail(p,
                       std::to_string(v.size()) + " " + plural + "; pcanno keeps one " + kept +
                           " per object and frame",
                       ErrorCode::kUnsupported);
  }
  const Pointer e = p.element(0);
  if (!check_.object(v[0], e)) return false;
  return check_.required(v[0], e, "val", [&](const Json& val, const Pointer& vp) {
    if (nullable && val.is_null()) return true;  // the standard's "no value in this frame"
    if (!check_.numbers(val, vp, x)) return false;
    entry = &v[0];
    return true;
  });
}

bool OpenlabelReader::place_shape(const Json& entry, const Pointer& e, const std::string& key,
                                  const ObjectSlot& slot, std::int64_t frame,
                                  const std::vector<Edge>& edges, Placement& placed,
                                  ShapeFields& fields) {
  std::string cs = slot.coordinate_system;
  Pointer top;
  const Pointer ol = top.member("openlabel");
  const Pointer objects = ol.member("objects");
  const Pointer object = objects.member(key);
  Pointer where = object.member("coordinate_system");
  const Pointer own = e.member("coordinate_system");
  if (const auto it = entry.find("coordinate_system"); it != entry.end()) {
    if (!check_.text(*it, own, cs)) return false;
    where = own;
  }
  if (cs.empty()) {
    // Without a name the shape is in the LiDAR frame: the one declared, or the sensor frame of a
    // file that declares none.
    if (!cs_.empty() && cs_.lidar().empty()) {
      return check_.fail(e, "no coordinate_system, and no LiDAR coordinate system is declared");
    }
    placed = Placement{ShapeFrame::kLidar, std::nullopt};
  } else if (!cs_.is_declared(cs)) {
    return check_.fail(where,
                       "unknown coordinate system '" + cs + "' (declared: " + cs_.names() + ")");
  } else if (const std::optional<Placement> reached = cs_.place(cs, edges)) {
    placed = *reached;
  } else {
    return check_.fail(where,
                       "coordinate system '" + cs +
                           "' has no pose (pose_wrt_parent or a transform of frame " +
                           std::to_string(frame) + ") linking it to the LiDAR (" +
                           (cs_.lidar().empty() ? "none" : cs_.lidar()) + ") or world (" +
                           (cs_.world().empty() ? "none" : cs_.world()) + ") coordinate system",
                       ErrorCode::kUnsupported);
  }
  return check_.optional(entry, e, "attributes", [&](const Json& v, const Pointer& p) {
    return read_shape_fields(check_, v, p, fields);
  });
}

bool OpenlabelReader::cuboid(std::int64_t frame, const std::vector<Edge>& edges,
                             const std::string& key, const Json& v, const Pointer& p,
                             ObjectSlot& slot, AttributeMap*& attributes) {
  const Json* entry = nullptr;
  std::vector<double> x;
  if (!shape_values(v, p, "cuboids", "box", true, entry, x)) return false;
  if (entry == nullptr) return true;
  const Pointer e = p.element(0);
  const Pointer vp = e.member("val");
  if (x.size() != 9 && x.size() != 10) {
    return check_.fail(vp, "expected 10 numbers (quaternion form) or 9 (Euler form), found " +
                               std::to_string(x.size()) + " numbers");
  }
  BoxState state;
  state.frame = frame;
  state.box.center = Eigen::Vector3d(x[0], x[1], x[2]);
  const std::size_t size_at = x.size() == 10 ? 7 : 6;
  if (x.size() == 10) {
    Eigen::Quaterniond q(x[6], x[3], x[4], x[5]);
    const double norm = q.norm();
    if (!(norm > 0.0) || !std::isfinite(norm)) {
      return check_.fail(vp, "expected a rotation quaternion (qx, qy, qz, qw), found all zeros");
    }
    // Within the tolerance the numbers are kept bit for bit; beyond it the file was rounded or
    // edited, and a unit rotation is what it meant.
    if (std::fabs(norm - 1.0) > kUnitNormTolerance) q.normalize();
    state.box.rotation = q;
  } else {
    const double zyx[3] = {x[5], x[4], x[3]};
    state.box.rotation = euler_rotation("ZYX", zyx);
  }
  for (std::size_t i = 0; i < 3; ++i) {
    if (!(x[size_at + i] > 0.0)) {
      return check_.expected(vp.element(size_at + i), "a positive size",
                             (*entry)["val"][size_at + i]);
    }
    state.box.size[static_cast<Eigen::Index>(i)] = x[size_at + i];
  }
  Placement placed;
  ShapeFields fields;
  if (!place_shape(*entry, e, key, slot, frame, edges, placed, fields)) return false;
  state.shape_frame = placed.frame;
  if (placed.T) state.box = geometry::transform(*placed.T, state.box);
  state.provenance = fields.provenance;
  state.keyframe = fields.keyframe;
  state.score = fields.score;
  state.kitti = fields.kitti;
  state.nuscenes = fields.nuscenes;
  state.attributes = std::move(fields.extra);
  // The polyline id means nothing on a box: kept as an attribute rather than lost.
  if (fields.polyline_id) {
    state.attributes.insert_or_assign(kPolylineIdAttribute, std::to_string(*fields.polyline_id));
  }
  slot.boxes.push_back(std::move(state));
  attributes = &slot.boxes.back().attributes;
  return true;
}

bool OpenlabelReader::poly3d(std::int64_t frame, const std::vector<Edge>& edges,
                             const std::string& key, const Json& v, const Pointer& p,
                             ObjectSlot& slot, AttributeMap*& attributes) {
  const Json* entry = nullptr;
  std::vector<double> x;
  if (!shape_values(v, p, "poly3d", "polyline", false, entry, x)) return false;
  if (entry == nullptr) return true;
  const Pointer e = p.element(0);
  if (x.size() % 3 != 0) {
    return check_.fail(e.member("val"),
                       "expected x, y, z for each vertex (a multiple of 3 numbers), found " +
                           std::to_string(x.size()) + " numbers");
  }
  PolylineState state;
  state.frame = frame;
  if (!check_.optional(*entry, e, "closed", [&](const Json& closed, const Pointer& q) {
        return check_.boolean(closed, q, state.line.closed);
      })) {
    return false;
  }
  for (std::size_t i = 0; i < x.size(); i += 3) {
    state.line.vertices.emplace_back(x[i], x[i + 1], x[i + 2]);
  }
  Placement placed;
  ShapeFields fields;
  if (!place_shape(*entry, e, key, slot, frame, edges, placed, fields)) return false;
  state.shape_frame = placed.frame;
  if (placed.T) state.line = geometry::transform(*placed.T, state.line);
  state.provenance = fields.provenance;
  state.keyframe = fields.keyframe;
  state.attributes = std::move(fields.extra);
  // Fields only boxes have stay visible as attributes rather than vanish.
  if (fields.score)
    state.attributes.insert_or_assign(kScoreAttribute, value_text(Json(*fields.score)));
  if (fields.polyline_id) {
    if (slot.polyline_id && *slot.polyline_id != *fields.polyline_id) {
      return check_.fail(e.member("attributes"),
                         "polyline_id " + std::to_string(*fields.polyline_id) +
                             " differs from the " + std::to_string(*slot.polyline_id) +
                             " an earlier frame of object " + key + " gives");
    }
    slot.polyline_id = fields.polyline_id;
  }
  slot.lines.push_back(std::move(state));
  attributes = &slot.lines.back().attributes;
  return true;
}

}  // namespace

Expected<Annotations> annotations_from_openlabel(const Json& root, const std::string& path,
                                                 const LabelContext& context) {
  return OpenlabelReader(path, context).read(root);
}

}  // namespace pcanno::formats::detail::openlabel
