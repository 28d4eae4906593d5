// Annotations -> the tables of a nuScenes dataroot, one scene per document (formats.md 6).
// Conventions (nuscenes_writer.cpp writes the files):
//
// - Tokens are deterministic (nuscenes_tokens.hpp): hash of the table and the record's natural key
//   (scene name, frame index, track id, ...). Tokens the document carries from a nuScenes import
//   (sample = FrameInfo::source_token, sample_data = FrameInfo::name, instance = Track::source_id,
//   annotation = NuscenesFields::annotation_token) are kept when they look like tokens and are
//   unique, so a nuScenes round trip keeps the tokens results files refer to.
// - Timestamps: the document frame's timestamp, else the sequence frame's; when one is unknown or
//   they are not strictly increasing, every frame gets 1e15 us + frame * 100000 us (10 Hz
//   from 2001-09-09), so the devkit's time ordering and the file names stay unique.
// - Poses: calibrated_sensor = the frame's calibration T_ego_lidar (identity when unknown);
//   ego_pose = T_world_lidar * T_ego_lidar^-1 when every sequence frame has a pose, else identity
//   (then the global frame is the ego frame of every sample). Rotations are made orthonormal and
//   stored as unit quaternions, and boxes are moved with exactly the poses written, so that the
//   devkit's global -> LiDAR transform gives the document's LiDAR boxes back.
// - Clouds: a nuScenes `.pcd.bin` is copied byte for byte; any other cloud (KITTI `.bin`, PCD, ...)
//   becomes float32 x y z intensity ring, with intensity = KITTI reflectance * 255 (nuScenes uses
//   0..255) or the file's intensity as is, and ring = the file's ring or 0. Without a sequence each
//   frame gets an empty (0-point) file, so every referenced file exists; these are hard links to
//   one file where the file system allows, since allocating thousands of inodes was most of the
//   export's time.
// - Classes: category = ClassMap (context, else default_nuscenes_class_map()) or the label itself
//   when it is one of the 23 categories; the class's implied attributes, every box attribute
//   whose value is "true", and every value of an enum attribute the class schema declares (on the
//   box or, for track scope, on the track) become attribute_tokens: a value with a dot as it is
//   ("vehicle.parked"), else "<attribute>.<value>" (attribute "cycle", value "with_rider":
//   "cycle.with_rider"). Names outside the 8 are added to attribute.json. Other box attributes
//   (KITTI occlusion, numbers, text) and frame attributes have no nuScenes field; neither have
//   polylines and ignore regions: all are counted in
//   WriteReport::dropped. The instance keeps the class in `pcanno_label` (nuscenes_codec.hpp).
// - Several scenes (write_nuscenes_scenes): one log, map and scene record each; the vocabularies
//   and the sensor are shared, and every record key starts with the scene name.
// - Cameras (camera_rows.hpp): each exported keyframe's nuScenes/Lyft camera images get their
//   sample_data, calibrated_sensor, sensor and ego_pose rows, and the image files are copied
//   like the clouds (always, when there is a sequence), so the devkit draws the boxes into them.
// - num_lidar_pts: counted in the written cloud with geometry::points_in_cuboids on the LiDAR-frame
//   box (the devkit's count) when the sequence has clouds, else kept from NuscenesFields or 0.
#include "labels/nuscenes/export_plan.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include <Eigen/SVD>
#include <nlohmann/json.hpp>

#include "labels/nuscenes/camera_rows.hpp"
#include "labels/nuscenes/table_writer.hpp"
#include "pcanno/formats/datasets/nuscenes_layout.hpp"
#include "pcanno/formats/labels/nuscenes/codec.hpp"
#include "pcanno/formats/labels/shape_frames.hpp"
#include "pcanno/geometry/nuscenes_convention.hpp"

namespace pcanno::formats::detail {
namespace {

namespace fs = std::filesystem;
using geometry::Pose;

constexpr const char* kDefaultVersion = "v1.0-pcanno";
constexpr std::int64_t kSyntheticStartUs = 1'000'000'000'000'000;
constexpr std::int64_t kSyntheticPeriodUs = 100'000;
/// Without a frame list the frame count comes from the boxes; a frame number beyond this is a
/// broken document rather than a sequence of a million frames.
constexpr std::int64_t kMaxFramesWithoutList = 1'000'000;

std::string attribute_or(const Annotations& a, const char* key, std::string fallback) {
  const auto it = a.attributes.find(key);
  return it == a.attributes.end() || it->second.empty() ? fallback : it->second;
}

/// File names carry the log name; keep them portable.
std::string file_safe(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '+' || c == '-';
    if (!ok) c = '_';
  }
  return out.empty() ? "pcanno" : out;
}

bool finite(const geometry::Cuboid& b) {
  return b.center.allFinite() && b.size.allFinite() && b.rotation.coeffs().allFinite() &&
         (b.size.array() > 0.0).all();
}

std::string json_string(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// The nuScenes attribute name of `key` := `value` when the class declares `key` an enum and the
/// value is one of its values; nullopt otherwise.
std::optional<std::string> enum_attribute_name(const ClassSpec& spec, const std::string& key,
                                               const std::string& value) {
  const AttributeSpec* declared = spec.attribute(key);
  if (declared == nullptr || declared->type != AttributeType::kEnum ||
      std::find(declared->values.begin(), declared->values.end(), value) ==
          declared->values.end()) {
    return std::nullopt;
  }
  return value.find('.') != std::string::npos ? value : key + "." + value;
}

const char* const kDroppedPolylines = "polyline states: nuScenes has no polylines";
const char* const kDroppedIgnoreRegions =
    "ignore regions (KITTI DontCare): nuScenes has no counterpart";
const char* const kDroppedAttributes =
    "attributes of boxes (other than flags set to \"true\") and of frames: nuScenes has no field "
    "for them";

/// Adds one scene's records to the plan.
class SceneBuilder {
 public:
  SceneBuilder(NuscenesExportPlan& plan, const Annotations& a, const Sequence* seq,
               const LabelContext& ctx)
      : plan_(plan),
        a_(a),
        ctx_(ctx),
        seq_(seq),
        default_map_(default_nuscenes_class_map()),
        map_(ctx.class_map != nullptr ? *ctx.class_map : default_map_) {}

  Status build() {
    first_sample_ = plan_.db.samples.size();
    first_data_ = plan_.db.sample_data.size();
    first_frame_ = plan_.frames.size();
    plan_.reports.emplace_back();
    Status s = check_classes();
    if (s) s = plan_frames();
    if (s) s = add_fixed_tables();
    if (s) s = add_scene_tables();
    if (s) s = add_frames();
    if (s) s = add_tracks();
    if (s) {
      add_nuscenes_camera_rows(plan_, scene_name_, file_safe(plan_.db.logs.back().logfile),
                               first_frame_, plan_.reports.back());
    }
    if (s) count_unwritable();
    return s;
  }

 private:
  Status check_classes() {
    for (const Track& t : a_.tracks) {
      if (!t.boxes.empty() && category_of(t.label).empty()) {
        return Error{ErrorCode::kMalformed,
                     "class '" + t.label + "' has no nuScenes category; add it to --class-map", ""};
      }
    }
    return {};
  }

  std::string category_of(const std::string& label) const {
    if (const ClassMapping* m = map_.to_external(label)) return m->external;
    for (const char* c : kNuscenesCategories) {
      if (label == c) return label;
    }
    return "";
  }

  Status plan_frames() {
    std::size_t n = a_.frames.size();
    if (seq_ != nullptr && n != 0 && n != seq_->size()) {
      return Error{ErrorCode::kMalformed,
                   "the document has " + std::to_string(n) + " frames but the sequence '" +
                       seq_->name + "' has " + std::to_string(seq_->size()) +
                       "; frame i of the document must be frame i of the sequence",
                   seq_->root.string()};
    }
    if (n == 0 && seq_ != nullptr) n = seq_->size();
    if (n == 0) {  // neither frames nor a sequence: the boxes say how many frames there are
      for (const Track& t : a_.tracks) {
        for (const BoxState& b : t.boxes) {
          if (b.frame >= kMaxFramesWithoutList) {
            return Error{ErrorCode::kMalformed,
                         "track " + std::to_string(t.id) + " has a box on frame " +
                             std::to_string(b.frame) +
                             " but the document lists no frames; give the sequence (--sequence)",
                         ""};
          }
          if (b.frame >= 0) n = std::max(n, static_cast<std::size_t>(b.frame) + 1);
        }
      }
    }
    slot_.assign(n, -1);
    std::vector<std::int64_t> times;
    bool known = true;
    for (std::size_t i = 0; i < n; ++i) {
      const FrameRef* f = seq_ != nullptr ? &seq_->frames[i] : nullptr;
      const bool keyframe = f == nullptr || f->is_keyframe;
      if (!keyframe && ctx_.keyframes_only) continue;
      std::int64_t t = i < a_.frames.size() ? a_.frames[i].timestamp_us : -1;
      if (t < 0 && f != nullptr) t = f->timestamp_us;
      known = known && t >= 0 && (times.empty() || t > times.back());
      times.push_back(t);
      slot_[i] = static_cast<std::int64_t>(order_.size());
      order_.push_back(i);
      keyframe_.push_back(keyframe);
    }
    if (std::find(keyframe_.begin(), keyframe_.end(), true) == keyframe_.end()) {
      return Error{ErrorCode::kMalformed, "nothing to export: the document has no keyframe", ""};
    }
    for (std::size_t k = 0; k < order_.size(); ++k) {
      times_.push_back(known ? times[k]
                             : kSyntheticStartUs +
                                   static_cast<std::int64_t>(order_[k]) * kSyntheticPeriodUs);
    }
    return {};
  }

  /// Vocabularies and the sensor, shared by all scenes: made with the first scene.
  Status add_fixed_tables() {
    NuscenesDb& db = plan_.db;
    if (!db.sensors.empty()) return {};
    db.version = attribute_or(a_, kNuscenesVersionAttribute, kDefaultVersion);
    for (const char* name : kNuscenesCategories) add_category(name);
    for (const char* name : kNuscenesAttributes) add_attribute(name);
    db.visibilities = nuscenes_visibilities();
    db.sensors.push_back({make_token("sensor", "LIDAR_TOP"), kNuscenesLidarChannel, "lidar", {}});
    return {};
  }

  /// The scene's log, map and scene records.
  Status add_scene_tables() {
    NuscenesDb& db = plan_.db;
    scene_name_ = !a_.sequence.name.empty()                ? a_.sequence.name
                  : seq_ != nullptr && !seq_->name.empty() ? seq_->name
                                                           : "scene-pcanno";
    if (db.scene_by_name(scene_name_) != nullptr) {
      return Error{ErrorCode::kMalformed,
                   "two scenes are named '" + scene_name_ + "'; scene names must be unique", ""};
    }

    NuscenesLog log;
    log.token = make_token("log", scene_name_);
    log.logfile = attribute_or(a_, kNuscenesLogfileAttribute, "pcanno-" + scene_name_);
    log.vehicle = attribute_or(a_, kNuscenesVehicleAttribute, "pcanno");
    log.date_captured = attribute_or(a_, kNuscenesDateAttribute, utc_date(times_.front()));
    log.location = attribute_or(a_, kNuscenesLocationAttribute, "unknown");
    db.logs.push_back(log);

    NuscenesMap map;
    map.token = make_token("map", scene_name_);
    map.log_tokens = {log.token};
    map.category = "semantic_prior";
    map.filename = "maps/" + map.token + ".png";
    db.maps.push_back(map);
    plan_.map_sources.push_back(seq_ != nullptr ? find_nuscenes_map_file(*seq_) : std::nullopt);

    NuscenesScene scene;
    scene.token = make_token("scene", scene_name_);
    scene.name = scene_name_;
    scene.description =
        attribute_or(a_, kNuscenesDescriptionAttribute, "exported by pcanno from " + scene_name_);
    scene.log_token = log.token;
    db.scenes.push_back(scene);
    return {};
  }

  std::string add_category(const std::string& name) {
    for (const NuscenesCategory& c : plan_.db.categories) {
      if (c.name == name) return c.token;
    }
    plan_.db.categories.push_back({make_token("category", name), name, "", {}, {}});
    return plan_.db.categories.back().token;
  }

  std::string add_attribute(const std::string& name) {
    for (const NuscenesAttribute& x : plan_.db.attributes) {
      if (x.name == name) return x.token;
    }
    plan_.db.attributes.push_back({make_token("attribute", name), name, "", {}});
    return plan_.db.attributes.back().token;
  }

  /// calibrated_sensor of sequence calibration `index` (-1: none, identity), created once.
  const NuscenesCalibratedSensor& calibration(int index) {
    const std::string token =
        make_token("calibrated_sensor", scene_name_ + "|" + std::to_string(index));
    for (const NuscenesCalibratedSensor& c : plan_.db.calibrated_sensors) {
      if (c.token == token) return c;
    }
    Pose T = Pose::Identity();
    const Calibration* calib =
        seq_ != nullptr && index >= 0 && static_cast<std::size_t>(index) < seq_->calibrations.size()
            ? &seq_->calibrations[static_cast<std::size_t>(index)]
            : nullptr;
    if (calib != nullptr && calib->T_ego_lidar) T = *calib->T_ego_lidar;
    NuscenesCalibratedSensor cs;
    cs.token = token;
    cs.sensor_token = plan_.db.sensors.front().token;
    std::tie(cs.rotation, cs.translation) = nuscenes_rigid_parts(T);
    plan_.db.calibrated_sensors.push_back(cs);
    return plan_.db.calibrated_sensors.back();
  }

  Status add_frames() {
    NuscenesDb& db = plan_.db;
    const bool use_poses = seq_ != nullptr && seq_->has_poses();
    const std::string log = file_safe(db.logs.back().logfile);
    std::vector<std::size_t> sample_of(order_.size(), 0);
    for (std::size_t k = 0; k < order_.size(); ++k) {
      const std::size_t i = order_[k];
      const std::string key = scene_name_ + "|" + std::to_string(i);
      const FrameInfo* info = i < a_.frames.size() ? &a_.frames[i] : nullptr;
      const FrameRef* ref = seq_ != nullptr ? &seq_->frames[i] : nullptr;
      const int calib_index = ref != nullptr ? ref->calibration : -1;
      const NuscenesCalibratedSensor cs = calibration(calib_index);
      const Pose T_ego_lidar = cs.T_ego_sensor();

      NuscenesEgoPose ego;
      ego.token = plan_.ego_tokens.take(key);
      ego.timestamp_us = times_[k];
      if (use_poses) {
        std::tie(ego.rotation, ego.translation) = nuscenes_rigid_parts(
            geometry::compose(*ref->T_world_lidar, geometry::invert(T_ego_lidar)));
      }
      db.ego_poses.push_back(ego);

      if (keyframe_[k]) {
        const std::string source = info != nullptr && !info->source_token.empty()
                                       ? info->source_token
                                   : ref != nullptr ? ref->sample_token
                                                    : "";
        NuscenesSample sample;
        sample.token = plan_.sample_tokens.take(key, source);
        sample.timestamp_us = times_[k];
        sample.scene_token = db.scenes.back().token;
        db.samples.push_back(sample);
      }
      NuscenesSampleData sd;
      const std::string name = info != nullptr ? info->name : ref != nullptr ? ref->name : "";
      sd.token = plan_.data_tokens.take(key, name);
      sd.ego_pose_token = ego.token;
      sd.calibrated_sensor_token = cs.token;
      sd.filename = std::string(keyframe_[k] ? "samples/" : "sweeps/") + kNuscenesLidarChannel +
                    "/" + log + "__" + kNuscenesLidarChannel + "__" + std::to_string(times_[k]) +
                    ".pcd.bin";
      sd.fileformat = "pcd";
      sd.timestamp_us = times_[k];
      sd.is_key_frame = keyframe_[k];
      db.sample_data.push_back(sd);

      NuscenesExportFrame frame;
      frame.sequence = seq_;
      frame.index = static_cast<std::int64_t>(i);
      frame.data = db.sample_data.size() - 1;
      frame.T_global_lidar = geometry::compose(ego.T_global_ego(), T_ego_lidar);
      plan_.frames.push_back(std::move(frame));
      if (keyframe_[k]) sample_of[k] = db.samples.size() - 1;
    }
    // Chains within the scene, and each sweep's sample: the next keyframe in time, else the last.
    const std::size_t s0 = first_sample_, d0 = first_data_;
    for (std::size_t s = s0; s < db.samples.size(); ++s) {
      if (s > s0) db.samples[s].prev = db.samples[s - 1].token;
      if (s + 1 < db.samples.size()) db.samples[s].next = db.samples[s + 1].token;
    }
    std::size_t next_sample = db.samples.size() - 1;
    for (std::size_t k = order_.size(); k-- > 0;) {
      if (keyframe_[k]) next_sample = sample_of[k];
      NuscenesSampleData& sd = db.sample_data[d0 + k];
      sd.sample_token = db.samples[next_sample].token;
      if (k > 0) sd.prev = db.sample_data[d0 + k - 1].token;
      if (k + 1 < order_.size()) sd.next = db.sample_data[d0 + k + 1].token;
    }
    NuscenesScene& scene = db.scenes.back();
    scene.nbr_samples = static_cast<int>(db.samples.size() - s0);
    scene.first_sample_token = db.samples[s0].token;
    scene.last_sample_token = db.samples.back().token;
    return {};
  }

  Status add_tracks() {
    NuscenesDb& db = plan_.db;
    std::vector<const Track*> tracks;
    for (const Track& t : a_.tracks) tracks.push_back(&t);
    std::stable_sort(tracks.begin(), tracks.end(),
                     [](const Track* x, const Track* y) { return x->id < y->id; });
    const std::size_t first_annotation = db.sample_annotations.size();
    WriteReport& report = plan_.reports.back();
    std::map<std::string, std::size_t>& dropped = report.dropped;
    for (const Track* t : tracks) {
      std::vector<const BoxState*> boxes;
      for (const BoxState& b : t->boxes) boxes.push_back(&b);
      std::stable_sort(boxes.begin(), boxes.end(),
                       [](const BoxState* x, const BoxState* y) { return x->frame < y->frame; });
      const std::string category = category_of(t->label);
      const ClassMapping* mapping = map_.to_external(t->label);
      const ClassSpec spec = a_.class_or_default(t->label);
      const std::string track_key = scene_name_ + "|" + std::to_string(t->id);
      NuscenesInstance instance;
      std::vector<std::size_t> chain;
      for (std::size_t b = 0; b < boxes.size(); ++b) {
        const BoxState& state = *boxes[b];
        const std::string where =
            "track " + std::to_string(t->id) + " frame " + std::to_string(state.frame);
        if (b > 0 && boxes[b - 1]->frame == state.frame) {
          return Error{ErrorCode::kMalformed, where + ": two boxes in one frame", ""};
        }
        if (!finite(state.box)) {
          return Error{ErrorCode::kMalformed, where + ": the box is not finite or has a size <= 0",
                       ""};
        }
        if (state.frame < 0 || static_cast<std::size_t>(state.frame) >= slot_.size()) {
          ++dropped["boxes on frames the document does not have"];
          continue;
        }
        const std::int64_t k = slot_[static_cast<std::size_t>(state.frame)];
        if (k < 0 || !keyframe_[static_cast<std::size_t>(k)]) {
          ++dropped["boxes on sweeps: nuScenes annotates keyframes only"];
          continue;
        }
        NuscenesExportFrame& frame = plan_.frames[first_frame_ + static_cast<std::size_t>(k)];
        const bool use_poses = seq_ != nullptr && seq_->has_poses();
        geometry::Cuboid in_lidar = state.box;
        if (seq_ != nullptr && !use_poses) {
          Expected<geometry::Cuboid> moved = box_in_lidar(state, seq_);
          if (!moved) return Error{moved.error().code, where + ": " + moved.error().message, ""};
          in_lidar = *moved;
        } else if (use_poses && state.shape_frame == ShapeFrame::kWorld) {
          in_lidar = geometry::transform(geometry::invert(frame.T_global_lidar), state.box);
        }
        // World boxes with poses go out unchanged: the global frame is the sequence's world frame.
        const geometry::Cuboid global = use_poses && state.shape_frame == ShapeFrame::kWorld
                                            ? state.box
                                            : geometry::transform(frame.T_global_lidar, in_lidar);
        const geometry::NuscenesBox nb = geometry::to_nuscenes_box(global);

        NuscenesSampleAnnotation ann;
        ann.token =
            plan_.annotation_tokens.take(track_key + "|" + std::to_string(state.frame),
                                         state.nuscenes ? state.nuscenes->annotation_token : "");
        ann.sample_token = db.sample_data[frame.data].sample_token;
        std::vector<std::string> names;
        if (mapping != nullptr) names = mapping->attributes;
        for (const auto& [name, value] : state.attributes) {
          if (value == "true") {
            names.push_back(name);
          } else if (auto mapped = enum_attribute_name(spec, name, value)) {
            names.push_back(std::move(*mapped));
          }
        }
        for (const auto& [name, value] : t->attributes) {
          if (auto mapped = enum_attribute_name(spec, name, value)) {
            names.push_back(std::move(*mapped));
          }
        }
        for (const std::string& name : names) {
          const std::string token = add_attribute(name);
          if (std::find(ann.attribute_tokens.begin(), ann.attribute_tokens.end(), token) ==
              ann.attribute_tokens.end()) {
            ann.attribute_tokens.push_back(token);
          }
        }
        if (state.nuscenes) {
          const std::string& v = state.nuscenes->visibility_token;
          if (v.size() == 1 && v[0] >= '1' && v[0] <= '4') ann.visibility_token = v;
          ann.num_lidar_pts = state.nuscenes->num_lidar_pts;
          ann.num_radar_pts = std::max(0, state.nuscenes->num_radar_pts);
        }
        ann.translation = nb.translation;
        ann.size_wlh = nb.size_wlh;
        ann.rotation = nb.rotation;
        if (!chain.empty()) db.sample_annotations[chain.back()].next = ann.token;
        if (!chain.empty()) ann.prev = db.sample_annotations[chain.back()].token;
        db.sample_annotations.push_back(ann);
        chain.push_back(db.sample_annotations.size() - 1);
        frame.annotations.push_back(chain.back());
        frame.boxes_in_lidar.push_back(in_lidar);
      }
      if (chain.empty()) continue;  // its boxes are counted in `dropped` already
      instance.token = plan_.instance_tokens.take(track_key, t->source_id);
      instance.category_token = add_category(category);
      instance.nbr_annotations = static_cast<int>(chain.size());
      instance.first_annotation_token = db.sample_annotations[chain.front()].token;
      instance.last_annotation_token = db.sample_annotations[chain.back()].token;
      instance.extra.emplace_back(kPcannoLabelField, json_string(t->label));
      instance.extra.emplace_back(kPcannoCategoryField, json_string(category));
      if (!t->attributes.empty()) {
        nlohmann::ordered_json object = nlohmann::ordered_json::object();
        for (const auto& [key, value] : t->attributes) object[key] = value;
        instance.extra.emplace_back(
            kPcannoAttributesField,
            object.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
      }
      for (const std::size_t c : chain) db.sample_annotations[c].instance_token = instance.token;
      db.instances.push_back(std::move(instance));
    }
    report.boxes_written = db.sample_annotations.size() - first_annotation;
    return {};
  }

  /// What no nuScenes table holds, counted in the scene's report.
  void count_unwritable() {
    std::map<std::string, std::size_t>& dropped = plan_.reports.back().dropped;
    if (const std::size_t n = polyline_state_count(a_); n > 0) dropped[kDroppedPolylines] += n;
    if (!a_.ignore_regions.empty()) dropped[kDroppedIgnoreRegions] += a_.ignore_regions.size();
    std::size_t attributes = 0;
    for (const Track& t : a_.tracks) {
      const ClassSpec spec = a_.class_or_default(t.label);
      for (const BoxState& b : t.boxes) {
        for (const auto& [key, value] : b.attributes) {
          attributes += value == "true" || enum_attribute_name(spec, key, value) ? 0 : 1;
        }
      }
    }
    for (const FrameInfo& f : a_.frames) attributes += f.attributes.size();
    if (attributes > 0) dropped[kDroppedAttributes] += attributes;
  }

  NuscenesExportPlan& plan_;
  const Annotations& a_;
  const LabelContext& ctx_;
  const Sequence* seq_;
  const ClassMap default_map_;
  const ClassMap& map_;
  std::string scene_name_;
  std::size_t first_sample_ = 0;     ///< this scene's first record in db.samples
  std::size_t first_data_ = 0;       ///< ... in db.sample_data
  std::size_t first_frame_ = 0;      ///< ... in plan_.frames
  std::vector<std::int64_t> slot_;   ///< document frame -> exported frame, -1 when not exported
  std::vector<std::size_t> order_;   ///< exported frame -> document frame
  std::vector<bool> keyframe_;       ///< per exported frame
  std::vector<std::int64_t> times_;  ///< per exported frame [us]
};

}  // namespace

std::pair<Eigen::Quaterniond, Eigen::Vector3d> nuscenes_rigid_parts(const Pose& pose) {
  const Eigen::JacobiSVD<Eigen::Matrix3d> svd(pose.linear(),
                                              Eigen::ComputeFullU | Eigen::ComputeFullV);
  Eigen::Matrix3d r = svd.matrixU() * svd.matrixV().transpose();
  if (r.determinant() < 0) {
    Eigen::Matrix3d u = svd.matrixU();
    u.col(2) *= -1.0;
    r = u * svd.matrixV().transpose();
  }
  return {Eigen::Quaterniond(r).normalized(), pose.translation()};
}

Status add_nuscenes_scene(NuscenesExportPlan& plan, const Annotations& annotations,
                          const Sequence* sequence, const LabelContext& context) {
  return SceneBuilder(plan, annotations, sequence, context).build();
}

}  // namespace pcanno::formats::detail
