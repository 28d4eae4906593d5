// nuScenes tables -> Annotations, and the "nuscenes" label codec.
#include <algorithm>
#include <new>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

#include "pcanno/formats/datasets/nuscenes_db.hpp"
#include "pcanno/formats/datasets/nuscenes_layout.hpp"
#include "pcanno/formats/labels/nuscenes/codec.hpp"
#include "pcanno/geometry/nuscenes_convention.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;

std::string in_quotes(const std::string& text) { return "'" + text + "'"; }

/// A broken link the labels depend on: names the table file, the record and both tokens.
Error broken_link(const NuscenesDb& db, const char* table, std::size_t record,
                  const std::string& token, const char* field, const std::string& target,
                  const char* target_table) {
  return Error{ErrorCode::kMalformed,
               std::string(table) + " record " + std::to_string(record) + " (token " +
                   in_quotes(token) + "): " + field + " " + in_quotes(target) + " names no " +
                   target_table + " record",
               (db.table_dir() / (std::string(table) + ".json")).string()};
}

/// The value of an extra (unknown) field, parsed; null when absent or not JSON.
nlohmann::json extra_field(const NuscenesExtraFields& extra, const char* name) {
  for (const auto& [key, text] : extra) {
    if (key != name) continue;
    nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    return value.is_discarded() ? nlohmann::json() : value;
  }
  return nlohmann::json();
}

/// The document class of an instance: the exported pcanno class while the category is still the
/// one it was exported as (a later edit of the category wins), else the class map's name for the
/// category, else the category itself.
std::string label_of(const NuscenesInstance& instance, const std::string& category,
                     const LabelContext& ctx) {
  const nlohmann::json label = extra_field(instance.extra, kPcannoLabelField);
  const nlohmann::json exported_as = extra_field(instance.extra, kPcannoCategoryField);
  if (label.is_string() && !label.get_ref<const std::string&>().empty() &&
      exported_as.is_string() && exported_as.get_ref<const std::string&>() == category) {
    return label.get<std::string>();
  }
  if (ctx.class_map != nullptr) {
    if (const ClassMapping* m = ctx.class_map->from_external(category)) return m->name;
  }
  return category;
}

void copy_attribute(const std::string& value, const char* key, Annotations& out) {
  if (!value.empty()) out.attributes[key] = value;
}

Expected<Annotations> read_annotations(const fs::path& dataroot, const LabelContext& ctx) {
  Expected<NuscenesDb> loaded = load_nuscenes_db(dataroot, "");
  if (!loaded) return std::move(loaded).error();
  const NuscenesDb& db = *loaded;
  const std::string scene_name = ctx.sequence != nullptr ? ctx.sequence->name : "";
  // Frame i of the document must stay frame i of the caller's sequence, sweeps included.
  bool sweeps = !ctx.keyframes_only;
  if (ctx.sequence != nullptr) {
    for (const FrameRef& f : ctx.sequence->frames) sweeps = sweeps || !f.is_keyframe;
  }
  Expected<Sequence> seq = make_nuscenes_sequence(db, scene_name, sweeps);
  if (!seq) return std::move(seq).error();
  const NuscenesScene* scene =
      scene_name.empty() ? &db.scenes.front() : db.scene_by_name(scene_name);

  Annotations out;
  out.sequence = SequenceRef{"nuscenes", dataroot.string(), scene->name};
  out.attributes[kNuscenesVersionAttribute] = db.version;
  copy_attribute(scene->description, kNuscenesDescriptionAttribute, out);
  if (const NuscenesLog* log = db.log(scene->log_token)) {
    copy_attribute(log->logfile, kNuscenesLogfileAttribute, out);
    copy_attribute(log->vehicle, kNuscenesVehicleAttribute, out);
    copy_attribute(log->date_captured, kNuscenesDateAttribute, out);
    copy_attribute(log->location, kNuscenesLocationAttribute, out);
  }
  std::unordered_map<std::string, std::int64_t> frame_of_sample;
  for (const FrameRef& f : seq->frames) {
    FrameInfo info;
    info.name = f.name;
    info.timestamp_us = f.timestamp_us;
    info.source_token = f.sample_token;
    if (!f.sample_token.empty()) {
      frame_of_sample.emplace(f.sample_token, static_cast<std::int64_t>(out.frames.size()));
    }
    out.frames.push_back(std::move(info));
  }

  // Annotations of the scene, grouped by instance (position in instance.json).
  std::unordered_map<std::size_t, std::vector<std::size_t>> by_instance;
  for (std::size_t i = 0; i < db.sample_annotations.size(); ++i) {
    const NuscenesSampleAnnotation& a = db.sample_annotations[i];
    const NuscenesSample* sample = db.sample(a.sample_token);
    if (sample == nullptr) {
      return broken_link(db, "sample_annotation", i, a.token, "sample_token", a.sample_token,
                         "sample");
    }
    if (sample->scene_token != scene->token) continue;
    const auto instance = db.index.instance.find(a.instance_token);
    if (instance == db.index.instance.end()) {
      return broken_link(db, "sample_annotation", i, a.token, "instance_token", a.instance_token,
                         "instance");
    }
    for (const std::string& attribute : a.attribute_tokens) {
      if (db.attribute(attribute) == nullptr) {
        return broken_link(db, "sample_annotation", i, a.token, "attribute_tokens", attribute,
                           "attribute");
      }
    }
    if (frame_of_sample.count(a.sample_token) == 0) {
      return Error{ErrorCode::kMalformed,
                   "sample_annotation record " + std::to_string(i) + " (token " +
                       in_quotes(a.token) + "): its sample " + in_quotes(a.sample_token) +
                       " has no " + kNuscenesLidarChannel + " keyframe to place the box on",
                   (db.table_dir() / "sample_annotation.json").string()};
    }
    by_instance[instance->second].push_back(i);
  }

  for (std::size_t n = 0; n < db.instances.size(); ++n) {
    const auto group = by_instance.find(n);
    if (group == by_instance.end()) continue;  // an instance of another scene
    const NuscenesInstance& instance = db.instances[n];
    const NuscenesCategory* category = db.category(instance.category_token);
    if (category == nullptr) {
      return broken_link(db, "instance", n, instance.token, "category_token",
                         instance.category_token, "category");
    }
    Track track;
    track.id = static_cast<std::int64_t>(out.tracks.size());
    track.label = label_of(instance, category->name, ctx);
    track.source_id = instance.token;
    const nlohmann::json attributes = extra_field(instance.extra, kPcannoAttributesField);
    if (attributes.is_object()) {
      for (const auto& [key, value] : attributes.items()) {
        if (value.is_string()) track.attributes[key] = value.get<std::string>();
      }
    }
    for (const std::size_t i : group->second) {
      const NuscenesSampleAnnotation& a = db.sample_annotations[i];
      BoxState state;
      state.frame = frame_of_sample.at(a.sample_token);
      state.box = geometry::to_cuboid(a.box());
      state.shape_frame = ShapeFrame::kWorld;
      state.provenance = Provenance::kImported;
      state.keyframe = true;
      for (const std::string& token : a.attribute_tokens) {
        state.attributes[db.attribute(token)->name] = "true";
      }
      state.nuscenes =
          NuscenesFields{a.token, a.visibility_token, a.num_lidar_pts, a.num_radar_pts};
      track.boxes.push_back(std::move(state));
    }
    std::stable_sort(track.boxes.begin(), track.boxes.end(),
                     [](const BoxState& x, const BoxState& y) { return x.frame < y.frame; });
    for (std::size_t b = 1; b < track.boxes.size(); ++b) {
      if (track.boxes[b].frame != track.boxes[b - 1].frame) continue;
      return Error{
          ErrorCode::kMalformed,
          "instance " + in_quotes(instance.token) + " has two annotations in sample " +
              in_quotes(out.frames[static_cast<std::size_t>(track.boxes[b].frame)].source_token) +
              " (" + in_quotes(track.boxes[b - 1].nuscenes->annotation_token) + " and " +
              in_quotes(track.boxes[b].nuscenes->annotation_token) + ")",
          (db.table_dir() / "sample_annotation.json").string()};
    }
    out.ensure_class(track.label);
    out.tracks.push_back(std::move(track));
  }
  return out;
}

}  // namespace

Expected<Annotations> read_nuscenes_annotations(const fs::path& dataroot,
                                                const LabelContext& context) {
  try {
    return read_annotations(dataroot, context);
  } catch (const std::bad_alloc&) {
    return Error{ErrorCode::kOutOfMemory, "out of memory", dataroot.string()};
  } catch (const std::length_error&) {
    return Error{ErrorCode::kOutOfMemory, "size exceeds what a container can hold",
                 dataroot.string()};
  } catch (const std::exception& e) {
    return Error{ErrorCode::kIo, e.what(), dataroot.string()};
  }
}

LabelCodec make_nuscenes_codec() {
  LabelCodec codec;
  codec.id = "nuscenes";
  codec.description =
      "nuScenes v1.0 dataroot: all 13 tables, LIDAR_TOP files and a map (one scene per export)";
  // A dataroot is unambiguous (a v1.* folder with scene.json and sample_data.json).
  codec.priority = 10;
  codec.detect = [](const fs::path& path) { return looks_like_nuscenes(path); };
  codec.read = read_nuscenes_annotations;
  codec.write = write_nuscenes_dataset;
  return codec;
}

}  // namespace pcanno::formats
