#pragma once
#include <filesystem>
#include <vector>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/formats/support/expected.hpp"

namespace pcanno::formats {

// nuScenes v1.0 labels <-> Annotations (formats.md 6). Document attributes the codec reads and
// writes, so that a nuScenes -> pcanno -> nuScenes round trip keeps the log and scene facts:
inline constexpr const char* kNuscenesVersionAttribute = "nuscenes.version";  ///< "v1.0-mini"
inline constexpr const char* kNuscenesLogfileAttribute = "nuscenes.logfile";
inline constexpr const char* kNuscenesVehicleAttribute = "nuscenes.vehicle";
inline constexpr const char* kNuscenesDateAttribute = "nuscenes.date_captured";
inline constexpr const char* kNuscenesLocationAttribute = "nuscenes.location";
inline constexpr const char* kNuscenesDescriptionAttribute = "nuscenes.scene_description";

/// Extra instance fields the writer adds (the devkit ignores unknown fields): the document's class
/// name, the category it was exported as, and the track attributes (a JSON object of strings).
/// The reader takes the class back from `pcanno_label` while the instance's category still equals
/// `pcanno_category`, so "Van" survives as "Van" although nuScenes only knows vehicle.car.
inline constexpr const char* kPcannoLabelField = "pcanno_label";
inline constexpr const char* kPcannoCategoryField = "pcanno_category";
inline constexpr const char* kPcannoAttributesField = "pcanno_attributes";

/// Codec id "nuscenes"; detects a folder where looks_like_nuscenes() is true.
LabelCodec make_nuscenes_codec();

/// Reads the labels of one scene of a nuScenes (or Lyft) dataroot: the scene named
/// `context.sequence->name` when a sequence is given, else the first scene of scene.json; the
/// version folder is detected (load_nuscenes_db with an empty version).
///
/// Frames are the scene's LIDAR_TOP frames exactly as make_nuscenes_sequence() lists them (sweeps
/// too when !context.keyframes_only or when the given sequence holds sweeps, so that frame i stays
/// frame i of that sequence): name = sample_data token, timestamp, source_token = sample token on
/// keyframes. Every instance with an annotation in the scene becomes a Track (id 0..n-1 in
/// instance.json order, source_id = instance token, label see kPcannoLabelField, else the
/// class-map name mapped back from the category when context.class_map has one, else the
/// category name). Every sample_annotation becomes a BoxState in ShapeFrame::kWorld (the global
/// frame), provenance kImported, keyframe, attributes {name: "true"} and NuscenesFields.
///
/// Links the labels need are checked: an annotation whose sample, instance or attribute token
/// names no record, an instance whose category is missing, a sample without a LIDAR_TOP keyframe
/// holding annotations, or two annotations of one instance in one sample are kMalformed, naming
/// the table file, record index, token and field. Structural links (prev/next, first/last,
/// nbr_*) are not needed: order comes from timestamps, as in make_nuscenes_sequence().
Expected<Annotations> read_nuscenes_annotations(const std::filesystem::path& dataroot,
                                                const LabelContext& context);

/// Writes a complete nuScenes dataroot at `out_dataroot` through a StagedDirectory (nothing
/// appears before the end; existing output only with context.overwrite): the 13 tables under
/// `<version>/` (attribute "nuscenes.version", default "v1.0-pcanno"), a map raster under maps/
/// (copied from the source dataroot when the sequence is a nuScenes scene whose map is found,
/// else a generated 1x1 grey PNG), and one LIDAR_TOP file per exported frame under samples/
/// (sweeps/ for sweeps); missing parents of `out_dataroot` are created. See
/// nuscenes_export_plan.cpp for the conventions on tokens, timestamps, poses, point conversion and
/// point counts. Polyline states, ignore regions and attributes without a nuScenes field are
/// counted in WriteReport::dropped.
///
/// Errors before anything is written: a class with no nuScenes category (kMalformed, "class 'X'
/// has no nuScenes category; add it to --class-map"), a document whose frame count differs from
/// the sequence's, a non-finite box, two boxes of one track in one frame, a world-frame box with
/// a sequence lacking poses (kUnsupported). A missing or unreadable cloud of the sequence fails
/// the export (the file would be referenced). kCancelled when context.progress returns false.
Expected<WriteReport> write_nuscenes_dataset(const Annotations& annotations,
                                             const std::filesystem::path& out_dataroot,
                                             const LabelContext& context);

/// One scene of a multi-scene export.
struct NuscenesSceneExport {
  const Annotations* annotations = nullptr;
  const Sequence* sequence = nullptr;  ///< its clouds, calibration and poses; may be null
};

/// Writes ONE nuScenes dataroot holding every scene, as write_nuscenes_dataset() writes one: each
/// scene gets its own log, map record (and raster) and scene record, its samples, sample_data and
/// instances linked within it; categories, attributes, visibility and the LIDAR_TOP sensor are
/// shared. Tokens stay deterministic (keyed by the scene name) and unique per table across scenes.
/// Scene names come from each document's sequence name and must differ (kMalformed otherwise).
/// `context.sequence` is not used: each scene brings its own. Returns one WriteReport per scene,
/// in order (boxes written and dropped in that scene); the first lists the dataroot as written.
Expected<std::vector<WriteReport>> write_nuscenes_scenes(
    const std::vector<NuscenesSceneExport>& scenes, const std::filesystem::path& out_dataroot,
    const LabelContext& context);

}  // namespace pcanno::formats
