#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/plugin/automation/association.hpp"
#include "pcanno/plugin/automation/progress.hpp"
#include "pcanno/plugin/command.hpp"
#include "pcanno/plugin/detector.hpp"

// Pre-labels: a detector run over a range of frames, its detections associated into tracks
// (association.hpp) and turned into boxes with provenance "model", the detection's score and
// keyframe = false, for a person to correct. Shared by the "prelabel" service (and so the
// workstation) and `pcanno prelabel`.

namespace pcanno::plugin {

struct PrelabelOptions {
  std::int64_t first_frame = 0;
  std::int64_t last_frame = -1;  ///< inclusive; -1: the sequence's last
  double min_score = 0.0;        ///< detections below are dropped before association
  AssociationOptions association;
};

/// What a detector run found.
struct PrelabelRun {
  std::int64_t first_frame = 0;
  std::int64_t last_frame = 0;  ///< inclusive
  AssociationResult association;
  std::size_t below_min_score = 0;  ///< detections dropped by min_score
  /// Detections of classes the schema lacks, by class: left out and reported (PrelabelNotes).
  std::map<std::string, std::size_t> unknown_classes;
};

/// Whether a class name is one pre-labels may use.
using ClassCheck = std::function<bool(const std::string&)>;

/// The classes of `doc`'s box schema, or the default schema's (KITTI, nuScenes, ...) when the
/// document declares no box class.
ClassCheck schema_classes(const formats::Annotations& doc);

/// "A-B" (inclusive) or "A" as a first and last frame; kInvalidArgument naming the text and the
/// expected form otherwise.
formats::Expected<std::pair<std::int64_t, std::int64_t>> parse_frame_range(const std::string& text);

/// The range `first`..`last` (-1: the end) checked against `frame_count`: kInvalidArgument naming
/// the range and the frames there are.
formats::Status check_frame_range(std::int64_t first, std::int64_t last, std::size_t frame_count);

/// Runs `detector` on every frame of the range and associates the detections in the world frame
/// (the sequence's poses; a sequence without poses is used as is, each frame's LiDAR frame taken
/// for the world: right for a single frame, wrong for a moving sensor, so callers of a longer
/// range give poses first, see ensure_poses()). Frames are loaded as the sequence reads them.
/// `progress` gets the fraction done, per frame and while the detector runs (its stop predicate
/// asks it); returning false cancels (kCancelled). Detector errors name the detector's frame.
formats::Expected<PrelabelRun> run_prelabel(Detector& detector, const formats::Sequence& sequence,
                                            const PrelabelOptions& options,
                                            const ClassCheck& known_class,
                                            const Progress& progress = {});

/// How the run's boxes go into a document.
struct PrelabelApply {
  /// The frame each new box is stored in (kWorld needs the sequence's poses).
  std::function<formats::ShapeFrame(std::int64_t frame)> shape_frame;
  /// A pre-label whose BEV IoU with a box already there (not a model box being replaced) reaches
  /// this is left out: the object has a box, most likely a person's.
  double overlap_iou = 0.3;
};

struct PrelabelNotes {
  std::size_t tracks = 0;          ///< new model tracks
  std::size_t boxes = 0;           ///< new model boxes
  std::size_t replaced = 0;        ///< old model boxes removed from the range
  std::size_t overlapping = 0;     ///< pre-labels left out beside existing boxes
  std::vector<std::string> notes;  ///< unknown classes, overlaps, ...
};

/// The edits that put `run` into `doc` as one command: the document's earlier model boxes in the
/// run's range (provenance "model", not keyframes) are removed (a re-run replaces them; a track
/// left empty goes), then every associated track becomes a new track (ids from next_track_id()),
/// its boxes provenance "model", keyframe = false, score the detection's. Manual, fitted,
/// tracked, interpolated and keyframe boxes are never touched. Classes the document lacks are
/// added from make_class_spec(). `sequence` must have poses when some frame is stored kLidar and
/// the run used poses (it maps world to LiDAR).
formats::Expected<Command> prelabel_command(const formats::Annotations& doc,
                                            const formats::Sequence& sequence,
                                            const PrelabelRun& run, const PrelabelApply& apply,
                                            PrelabelNotes& notes);

}  // namespace pcanno::plugin
