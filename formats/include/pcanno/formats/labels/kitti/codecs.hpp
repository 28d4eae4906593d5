#pragma once
#include <filesystem>
#include <vector>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/formats/support/expected.hpp"

// KITTI object (label_2) and tracking (label_02) labels <-> Annotations (formats.md 2-4).
//
// Reading: boxes land in the LiDAR frame of their own frame (ShapeFrame::kLidar) by Convention A
// (geometry/kitti_convention.hpp), provenance kImported, with every image-side column kept in
// BoxState::kitti and the score in BoxState::score. DontCare rows become ignore regions. Classes
// are taken as written ("Person" and "Person_sitting" alike) unless LabelContext::class_map has an
// entry whose external name is the KITTI type; writing applies the entries that map a class to one
// of KITTI's own types (so a map written for nuScenes categories leaves KITTI names alone), and
// refuses a class that is not a single blank-free word. Calibration comes from
// LabelContext::sequence, else from the dataset around the labels (`<root>/label_02/SSSS.txt` or
// `<root>/label_2/` -> `<root>` opened with open_sequence(), or `<root>/calib/` alone when the
// clouds are absent); without any, kUnsupported asks for --sequence. The document's `sequence`
// names where the calibration came from, so a later write finds it again.
//
// Writing: each box is moved to the LiDAR frame (poses needed only for world-frame boxes), then to
// the camera with its frame's calibration. A box imported from KITTI (provenance kImported with
// camera fields) keeps its alpha, 2D box, truncation and occlusion verbatim. Any other box gets
// alpha = kitti_alpha(location, ry), and its 2D box is the projection of its 8 corners with
// T_rect_velo and P2 (edges cut 0.1 m in front of the camera), clipped to the image (the size of
// image_2/NNNNNN.png or image_02/SSSS/NNNNNN.png when present, else 1242x375); truncation is the
// share of that projection outside the image (tracking: level 1 when at least half, else 0),
// occlusion the imported value or 0. Such a box is dropped, unless
// LabelContext::include_outside_fov, when its centre is at z <= 0.1 m in rectified camera 0 or its
// projection misses the image: WriteReport::dropped["boxes outside the camera's field of view"].
// Ignore regions become DontCare rows with each benchmark's defaults. Polyline states and
// attributes (of tracks, boxes and frames) have no KITTI column: they are counted in
// WriteReport::dropped. KITTI's rotation_y is a yaw: a box with pitch or roll (in its stored
// frame, above geometry::kTiltTolerance) is written upright and counted in
// WriteReport::warnings["boxes with pitch or roll written upright: KITTI stores yaw only"].
// Existing output is refused unless LabelContext::overwrite; all output is written atomically.

namespace pcanno::formats {

/// Seqmap written beside every tracking label file: one `SSSS empty 000000 NNNNNN` line per
/// sequence (N = frame count), merged with the lines of other sequences already there, so that
/// exporting sequences one by one into one folder builds the devkit's complete seqmap.
inline constexpr const char* kKittiTrackingSeqmapName = "evaluate_tracking.seqmap";

/// The label files of a KITTI tracking label set, one per sequence, sorted by name:
/// `label_02/*.txt` of a training root, of `<path>/training` or of a `label_02` folder; `path`
/// itself when it is a file; empty when it is none of these. Clouds are not needed.
std::vector<std::filesystem::path> list_kitti_tracking_label_files(
    const std::filesystem::path& path);

/// Reads one tracking sequence: `label_02/SSSS.txt`, or a training root or `label_02` folder
/// (sequence LabelContext::sequence->name, else the first file). Without
/// LabelContext::sequence, a file in `label_02/` takes its calibration from `../calib/SSSS.txt`
/// (and its frames from the clouds when `../velodyne/SSSS/` exists); a missing calibration file
/// is kUnsupported naming it. LabelContext::frames_beyond_sequence extends the given sequence.
/// Track ids become Track::id; a track id given twice in one frame, a track changing class, or a
/// negative id on an object row is kMalformed naming the file and line. Frames are the sequence's
/// (names, timestamps), else 0..max frame of the labels; a row beyond the sequence's frames is
/// kMalformed.
Expected<Annotations> read_kitti_tracking_annotations(const std::filesystem::path& labels,
                                                      const LabelContext& context = {});

/// Writes `<out>` when it ends in `.txt`, else `<out>/<sequence name>.txt` (name of
/// LabelContext::sequence, else of the document's sequence, else "0000"), and the seqmap beside
/// it; the folder and its parents are created when missing (and removed again on failure). Rows
/// are sorted by frame, then track id (DontCare rows, id -1, first in their frame).
Expected<WriteReport> write_kitti_tracking_annotations(const Annotations& annotations,
                                                       const std::filesystem::path& out,
                                                       const LabelContext& context = {});

/// Reads object labels: a `label_2` folder of NNNNNN.txt, one such file, or a training root
/// holding `label_2/`. Every object row becomes a single-box track, ids 0..n-1 in file order
/// (files sorted naturally). Frames are the sequence's, matched to label files by name; without
/// a sequence, one frame per label file named by its stem.
Expected<Annotations> read_kitti_object_annotations(const std::filesystem::path& labels,
                                                    const LabelContext& context = {});

/// Writes a `label_2` folder with one NNNNNN.txt per frame (empty for frames without boxes;
/// frame names when they are all six digits, else frame indices), objects by track id, then
/// DontCare rows. The folder is staged and renamed into place, so a failure leaves nothing; its
/// missing parents are created. An `out` ending in `.txt` writes a single file and needs a
/// one-frame document.
Expected<WriteReport> write_kitti_object_annotations(const Annotations& annotations,
                                                     const std::filesystem::path& out,
                                                     const LabelContext& context = {});

/// Codec "kitti-tracking": detects `label_02/*.txt`, a `.txt` whose first row has 17/18 columns,
/// a `label_02` folder, or a KITTI training root holding `label_02/`.
LabelCodec make_kitti_tracking_codec();

/// Codec "kitti-object": detects a `label_2` folder or a file in one, a `.txt` whose first row has
/// 15/16 columns, or a KITTI training root holding `label_2/`.
LabelCodec make_kitti_object_codec();

}  // namespace pcanno::formats
