// Annotations -> OpenLABEL tree (docs/formats-openlabel.md).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "labels/openlabel/json.hpp"
#include "pcanno/formats/labels/shape_frames.hpp"

namespace pcanno::formats::detail::openlabel {
namespace {

using J = OrderedJson;

const char* const kDroppedIgnoreRegions =
    "ignore regions (KITTI DontCare): OpenLABEL has no counterpart";

J named(const std::string& name, J val) {
  J entry = J::object();
  entry["name"] = name;
  entry["val"] = std::move(val);
  return entry;
}

/// The OpenLABEL element data of `map` ({"boolean": [...], "num": [...], "text": [...]}), typed
/// by the class schema: a valid value of a declared bool attribute (tag) is boolean data, of a
/// declared number num data; everything else (enums, text, undeclared attributes) is text data.
/// Reading gives the same text back for "true", "false" and numbers in their shortest form.
J attribute_block(const AttributeMap& map, const std::vector<AttributeSpec>& specs) {
  J booleans = J::array();
  J nums = J::array();
  J texts = J::array();
  for (const auto& [name, value] : map) {
    const AttributeSpec* spec = find_attribute(specs, name);
    const bool valid = spec != nullptr && !attribute_value_problem(*spec, value);
    if (valid && spec->type == AttributeType::kBool) {
      booleans.push_back(named(name, value == "true"));
    } else if (valid && spec->type == AttributeType::kNumber) {
      nums.push_back(named(name, parse_attribute_number(value).value_or(0.0)));
    } else {
      texts.push_back(named(name, value));
    }
  }
  J block = J::object();
  if (!booleans.empty()) block["boolean"] = std::move(booleans);
  if (!nums.empty()) block["num"] = std::move(nums);
  if (!texts.empty() || block.empty()) block["text"] = std::move(texts);
  return block;
}

bool finite(const Eigen::Vector3d& v) { return v.allFinite(); }

/// The closed frame intervals covering sorted, distinct `frames`.
J intervals(const std::vector<std::int64_t>& frames) {
  J list = J::array();
  for (std::size_t i = 0; i < frames.size();) {
    std::size_t j = i;
    while (j + 1 < frames.size() && frames[j + 1] == frames[j] + 1) ++j;
    J interval = J::object();
    interval["frame_start"] = frames[i];
    interval["frame_end"] = frames[j];
    list.push_back(std::move(interval));
    i = j + 1;
  }
  return list;
}

class Writer {
 public:
  Writer(const Annotations& annotations, const LabelContext& context, WriteReport& report)
      : doc_(annotations), context_(context), report_(report) {}

  Expected<J> build();

 private:
  static Error refuse(const std::string& message) {
    return Error{ErrorCode::kMalformed, message + " (not written)", ""};
  }
  /// Frames of one track's states, checked: in range, each once.
  template <typename State>
  Expected<std::vector<std::int64_t>> frames_of(const std::vector<State>& states,
                                                const std::string& what);
  Status check_box(const Track& track, const BoxState& state) const;
  J cuboid(const BoxState& state) const;
  /// `renumbered`: the object's uid is not the polyline's id, which the entry then carries.
  J poly3d(const PolylineState& state, std::optional<std::int64_t> renumbered) const;
  J frame_properties(std::int64_t frame, const std::optional<geometry::Pose>& T_world_lidar) const;
  J metadata() const;
  static J coordinate_systems();

  const Annotations& doc_;
  const LabelContext& context_;
  WriteReport& report_;
  std::int64_t frame_count_ = 0;
};

template <typename State>
Expected<std::vector<std::int64_t>> Writer::frames_of(const std::vector<State>& states,
                                                      const std::string& what) {
  std::vector<std::int64_t> frames;
  frames.reserve(states.size());
  for (const State& state : states) {
    if (state.frame < 0 || state.frame >= kOpenlabelMaxFrames) {
      return refuse(what + ": frame " + std::to_string(state.frame) + " is outside 0.." +
                    std::to_string(kOpenlabelMaxFrames - 1));
    }
    frames.push_back(state.frame);
  }
  std::sort(frames.begin(), frames.end());
  const auto twice = std::adjacent_find(frames.begin(), frames.end());
  if (twice != frames.end()) {
    return refuse(what + " has two states in frame " + std::to_string(*twice));
  }
  if (!frames.empty()) frame_count_ = std::max(frame_count_, frames.back() + 1);
  return frames;
}

Status Writer::check_box(const Track& track, const BoxState& state) const {
  const std::string where =
      "track " + std::to_string(track.id) + ", frame " + std::to_string(state.frame);
  const geometry::Cuboid& b = state.box;
  if (!finite(b.center) || !finite(b.size) || !b.rotation.coeffs().allFinite()) {
    return refuse(where + ": the box has a non-finite number");
  }
  if (!(b.size.minCoeff() > 0.0)) return refuse(where + ": the box size must be positive");
  if (!(b.rotation.norm() > 0.0)) return refuse(where + ": the rotation quaternion is zero");
  const bool kitti_finite =
      !state.kitti || (std::isfinite(state.kitti->truncated) && std::isfinite(state.kitti->alpha) &&
                       std::all_of(state.kitti->bbox.begin(), state.kitti->bbox.end(),
                                   [](double v) { return std::isfinite(v); }));
  if ((state.score && !std::isfinite(*state.score)) || !kitti_finite) {
    return refuse(where + ": the score or a KITTI field is not finite");
  }
  return {};
}

J Writer::cuboid(const BoxState& state) const {
  const geometry::Cuboid& b = state.box;
  // The coefficients as stored: normalising here would change bits on every round trip.
  const Eigen::Quaterniond& q = b.rotation;
  J entry = J::object();
  entry["name"] = kCuboidName;
  entry["val"] = J::array({b.center.x(), b.center.y(), b.center.z(), q.x(), q.y(), q.z(), q.w(),
                           b.size.x(), b.size.y(), b.size.z()});
  entry["coordinate_system"] =
      state.shape_frame == ShapeFrame::kWorld ? kOpenlabelWorldFrame : kOpenlabelLidarFrame;
  J booleans = J::array({named(kKeyframeAttribute, state.keyframe)});
  J nums = J::array();
  J texts = J::array({named(kProvenanceAttribute, to_string(state.provenance))});
  J vecs = J::array();
  if (state.score) nums.push_back(named(kScoreAttribute, *state.score));
  if (state.kitti) {
    nums.push_back(named(kKittiTruncatedAttribute, state.kitti->truncated));
    nums.push_back(named(kKittiOccludedAttribute, state.kitti->occluded));
    nums.push_back(named(kKittiAlphaAttribute, state.kitti->alpha));
    const auto& bbox = state.kitti->bbox;
    vecs.push_back(named(kKittiBboxAttribute, J::array({bbox[0], bbox[1], bbox[2], bbox[3]})));
  }
  if (state.nuscenes) {
    nums.push_back(named(kNuscenesLidarPtsAttribute, state.nuscenes->num_lidar_pts));
    nums.push_back(named(kNuscenesRadarPtsAttribute, state.nuscenes->num_radar_pts));
    texts.push_back(named(kNuscenesAnnotationAttribute, state.nuscenes->annotation_token));
    texts.push_back(named(kNuscenesVisibilityAttribute, state.nuscenes->visibility_token));
  }
  J attributes = J::object();
  attributes["boolean"] = std::move(booleans);
  if (!nums.empty()) attributes["num"] = std::move(nums);
  attributes["text"] = std::move(texts);
  if (!vecs.empty()) attributes["vec"] = std::move(vecs);
  entry["attributes"] = std::move(attributes);
  return entry;
}

J Writer::poly3d(const PolylineState& state, std::optional<std::int64_t> renumbered) const {
  J val = J::array();
  for (const Eigen::Vector3d& v : state.line.vertices) {
    val.push_back(v.x());
    val.push_back(v.y());
    val.push_back(v.z());
  }
  J entry = J::object();
  entry["name"] = kPolylineName;
  entry["val"] = std::move(val);
  entry["closed"] = state.line.closed;
  entry["coordinate_system"] =
      state.shape_frame == ShapeFrame::kWorld ? kOpenlabelWorldFrame : kOpenlabelLidarFrame;
  J attributes = J::object();
  attributes["boolean"] = J::array({named(kKeyframeAttribute, state.keyframe)});
  if (renumbered) attributes["num"] = J::array({named(kPolylineIdAttribute, *renumbered)});
  attributes["text"] = J::array({named(kProvenanceAttribute, to_string(state.provenance))});
  entry["attributes"] = std::move(attributes);
  return entry;
}

J Writer::frame_properties(std::int64_t frame,
                           const std::optional<geometry::Pose>& T_world_lidar) const {
  J props = J::object();
  if (static_cast<std::size_t>(frame) < doc_.frames.size()) {
    const FrameInfo& info = doc_.frames[static_cast<std::size_t>(frame)];
    if (info.timestamp_us != -1) props["timestamp"] = static_cast<double>(info.timestamp_us) / 1e6;
    if (!info.name.empty()) props["name"] = info.name;
    if (!info.source_token.empty()) props["source_token"] = info.source_token;
    if (!info.attributes.empty()) {
      props["attributes"] = attribute_block(info.attributes, doc_.frame_tags);
    }
  }
  if (T_world_lidar) {
    const Eigen::Matrix4d m = T_world_lidar->matrix();
    J matrix = J::array();
    for (int r = 0; r < 4; ++r) {
      for (int c = 0; c < 4; ++c) matrix.push_back(m(r, c));
    }
    J data = J::object();
    data["matrix4x4"] = std::move(matrix);
    J transform = J::object();
    transform["src"] = kOpenlabelLidarFrame;
    transform["dst"] = kOpenlabelWorldFrame;
    transform["transform_src_to_dst"] = std::move(data);
    J transforms = J::object();
    transforms[kLidarToWorld] = std::move(transform);
    props["transforms"] = std::move(transforms);
  }
  return props;
}

J Writer::metadata() const {
  J meta = J::object();
  meta["schema_version"] = kOpenlabelSchemaVersion;
  if (!doc_.sequence.name.empty()) meta["name"] = doc_.sequence.name;
  meta["comment"] = "written by pcanno; mapping: pcanno docs/formats-openlabel.md";
  const SequenceRef& s = doc_.sequence;
  if (!s.layout.empty() || !s.path.empty() || !s.name.empty()) {
    J sequence = J::object();
    sequence["layout"] = s.layout;
    sequence["path"] = s.path;
    sequence["name"] = s.name;
    meta["sequence"] = std::move(sequence);
  }
  if (!doc_.attributes.empty()) {
    meta["attributes"] = attribute_block(doc_.attributes, doc_.scene_tags);
  }
  return meta;
}

J Writer::coordinate_systems() {
  J world = J::object();
  world["type"] = "scene_cs";
  world["parent"] = "";
  world["children"] = J::array({kOpenlabelLidarFrame});
  J lidar = J::object();
  lidar["type"] = "sensor_cs";
  lidar["parent"] = kOpenlabelWorldFrame;
  lidar["children"] = J::array();
  J systems = J::object();
  systems[kOpenlabelWorldFrame] = std::move(world);
  systems[kOpenlabelLidarFrame] = std::move(lidar);
  return systems;
}

/// One object and its per-frame entries, before they are put in uid order.
struct ObjectOut {
  std::int64_t uid = 0;
  J object;
  std::vector<std::pair<std::int64_t, J>> frames;  ///< frame -> {"object_data": ...}

  /// The static part of a track's or polyline's object.
  /// `specs`: the class's declared attributes, which type the values.
  void describe(const std::string& label, const std::vector<std::int64_t>& frame_list,
                const AttributeMap& attributes, const std::vector<AttributeSpec>& specs) {
    object["name"] = label + " " + std::to_string(uid);
    object["type"] = label;
    object["frame_intervals"] = intervals(frame_list);
    if (!attributes.empty()) object["object_data"] = attribute_block(attributes, specs);
  }

  /// One state: its shape under `shape_key` ("cuboid", "poly3d"), its attributes as element data.
  void add_state(std::int64_t frame, const char* shape_key, J shape,
                 const AttributeMap& attributes, const std::vector<AttributeSpec>& specs) {
    J data = J::object();
    data[shape_key] = J::array({std::move(shape)});
    if (!attributes.empty()) {
      J block = attribute_block(attributes, specs);
      for (auto it = block.begin(); it != block.end(); ++it) data[it.key()] = std::move(it.value());
    }
    J entry = J::object();
    entry["object_data"] = std::move(data);
    frames.emplace_back(frame, std::move(entry));
  }
};

Expected<J> Writer::build() {
  std::vector<ObjectOut> objects;
  std::set<std::int64_t> uids;
  bool any_source_id = false;
  for (const Track& track : doc_.tracks) {
    const std::string what = "track " + std::to_string(track.id);
    if (track.label.empty()) return refuse(what + " has no class label");
    if (!uids.insert(track.id).second) return refuse(what + ": the id is used twice");
    Expected<std::vector<std::int64_t>> frames = frames_of(track.boxes, what);
    if (!frames) return std::move(frames).error();
    ObjectOut out;
    out.uid = track.id;
    const ClassSpec spec = doc_.class_or_default(track.label);
    out.describe(track.label, *frames, track.attributes, spec.attributes);
    if (!track.source_id.empty()) {
      any_source_id = true;
      out.object["resource_uid"] = J::object({{kSourceResource, track.source_id}});
    }
    for (const BoxState& state : track.boxes) {
      if (Status ok = check_box(track, state); !ok) return std::move(ok).error();
      out.add_state(state.frame, "cuboid", cuboid(state), state.attributes, spec.attributes);
      ++report_.boxes_written;
    }
    objects.push_back(std::move(out));
  }
  // Polylines share the object uids with tracks; one whose id a track holds takes the next free
  // uid above every id in use, and keeps its id in its poly3d attributes (kPolylineIdAttribute).
  constexpr std::int64_t kLastId = std::numeric_limits<std::int64_t>::max();
  std::int64_t highest = uids.empty() ? -1 : *uids.rbegin();
  for (const PolylineTrack& p : doc_.polylines) highest = std::max(highest, p.id);
  bool exhausted = highest == kLastId;
  std::int64_t next_uid = exhausted ? kLastId : highest + 1;
  std::set<std::int64_t> polyline_ids;
  for (const PolylineTrack& polyline : doc_.polylines) {
    const std::string what = "polyline " + std::to_string(polyline.id);
    if (polyline.label.empty()) return refuse(what + " has no class label");
    if (!polyline_ids.insert(polyline.id).second) return refuse(what + ": the id is used twice");
    Expected<std::vector<std::int64_t>> frames = frames_of(polyline.states, what);
    if (!frames) return std::move(frames).error();
    ObjectOut out;
    out.uid = polyline.id;
    if (!uids.insert(polyline.id).second) {
      if (exhausted) {
        return Error{ErrorCode::kUnsupported, what + ": no free object uid is left for it", ""};
      }
      out.uid = next_uid;
      uids.insert(next_uid);
      exhausted = next_uid == kLastId;
      if (!exhausted) ++next_uid;
    }
    const ClassSpec spec = doc_.class_or_default(polyline.label);
    out.describe(polyline.label, *frames, polyline.attributes, spec.attributes);
    // Without states nothing else would tell a polyline from an empty box track.
    if (polyline.states.empty()) out.object["object_data"]["poly3d"] = J::array();
    for (const PolylineState& state : polyline.states) {
      for (const Eigen::Vector3d& v : state.line.vertices) {
        if (!finite(v)) {
          return refuse(what + ", frame " + std::to_string(state.frame) +
                        ": a vertex has a non-finite number");
        }
      }
      const std::optional<std::int64_t> renumbered =
          out.uid != polyline.id ? std::optional<std::int64_t>(polyline.id) : std::nullopt;
      out.add_state(state.frame, "poly3d", poly3d(state, renumbered), state.attributes,
                    spec.attributes);
      ++report_.polyline_states_written;
    }
    objects.push_back(std::move(out));
  }
  std::sort(objects.begin(), objects.end(),
            [](const ObjectOut& a, const ObjectOut& b) { return a.uid < b.uid; });

  const auto frame_count = std::max<std::int64_t>(frame_count_, doc_.frames.size());
  if (frame_count > kOpenlabelMaxFrames) {
    return Error{ErrorCode::kUnsupported,
                 std::to_string(frame_count) + " frames; at most " +
                     std::to_string(kOpenlabelMaxFrames) + " are written",
                 ""};
  }
  std::vector<std::vector<std::pair<std::int64_t, J*>>> in_frame(
      static_cast<std::size_t>(frame_count));
  J objects_json = J::object();
  for (ObjectOut& o : objects) {
    objects_json[std::to_string(o.uid)] = std::move(o.object);
    for (auto& [frame, entry] : o.frames) {
      in_frame[static_cast<std::size_t>(frame)].emplace_back(o.uid, &entry);
    }
  }
  J frames = J::object();
  for (std::int64_t i = 0; i < frame_count; ++i) {
    const std::optional<geometry::Pose> T_world_lidar = T_world_lidar_at(context_.sequence, i);
    if (T_world_lidar && !T_world_lidar->matrix().allFinite()) {
      return Error{ErrorCode::kMalformed,
                   "frame " + std::to_string(i) + ": the sequence's pose is not finite", ""};
    }
    J frame = J::object();
    J props = frame_properties(i, T_world_lidar);
    if (!props.empty()) frame["frame_properties"] = std::move(props);
    auto& entries = in_frame[static_cast<std::size_t>(i)];
    if (!entries.empty()) {
      J in = J::object();
      for (auto& [uid, entry] : entries) in[std::to_string(uid)] = std::move(*entry);
      frame["objects"] = std::move(in);
    }
    if (!frame.empty()) frames[std::to_string(i)] = std::move(frame);
  }

  J ol = J::object();
  ol["metadata"] = metadata();
  ol["coordinate_systems"] = coordinate_systems();
  J lidar_stream = J::object();
  lidar_stream["type"] = "lidar";
  lidar_stream["description"] = "LiDAR point clouds; coordinate system \"lidar\" is its frame";
  ol["streams"] = J::object({{kOpenlabelLidarFrame, std::move(lidar_stream)}});
  if (any_source_id) {
    const auto format = doc_.attributes.find("source_format");
    ol["resources"] = J::object(
        {{kSourceResource,
          "ids in the source dataset (" +
              (format != doc_.attributes.end() ? format->second : std::string("unknown")) + ")"}});
  }
  ol["objects"] = std::move(objects_json);
  ol["frames"] = std::move(frames);
  J all_frames = J::array();
  if (frame_count > 0) {
    J interval = J::object();
    interval["frame_start"] = 0;
    interval["frame_end"] = frame_count - 1;
    all_frames.push_back(std::move(interval));
  }
  ol["frame_intervals"] = std::move(all_frames);
  if (!doc_.ignore_regions.empty()) {
    report_.dropped[kDroppedIgnoreRegions] += doc_.ignore_regions.size();
  }
  J root = J::object();
  root["openlabel"] = std::move(ol);
  return root;
}

}  // namespace

Expected<OrderedJson> openlabel_from_annotations(const Annotations& annotations,
                                                 const LabelContext& context, WriteReport& report) {
  return Writer(annotations, context, report).build();
}

}  // namespace pcanno::formats::detail::openlabel
