#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/geometry/box_kalman.hpp"
#include "pcanno/geometry/cuboid.hpp"

// Detections associated into tracks across frames, AB3DMOT-style (Weng et al. 2020): per class, a
// constant-velocity Kalman filter of each track in the world frame (geometry/box_kalman.hpp)
// predicts the box at the next frame; detections are matched to predictions by 3D IoU with a
// motion gate; a track is born after `min_hits` matched frames in a row (a tentative track dies
// at its first miss) and dies after `max_misses` unmatched ones.
//
// Matching is greedy by cost (the lowest-cost admissible pair first, ties by track then detection
// order), not Hungarian: with the gate few pairs compete, and CenterPoint reports greedy matching
// on par with Hungarian for 3D tracking. A pair is admissible when both have the class, the
// detection's centre lies within the gate of the predicted centre (gate_distance plus
// gate_sigmas times the prediction's position uncertainty, so that a track that coasts or has just
// been born accepts a wider area), and their 3D IoU is at least min_iou or the centres are within
// `near_distance` (small objects, pedestrians, barely overlap when the prediction is a little off).
// Cost = 1 - IoU + distance / gate.
//
// Offline output (pre-labels are made for a whole range at once): a confirmed track keeps its
// boxes from its first detection on, also those before confirmation; frames it missed between two
// matches (a detector miss, a short occlusion) are bridged by the filter's prediction, their score
// the lower of the neighbouring matches'. Tracks that never reach min_hits are dropped: a false
// positive that appears once makes no track. Boxes are the filter's estimate after each update
// (smoothing the detector's jitter in size and heading); a track that moves turns every box to
// head along its motion (the detector's front/back guess is overruled by the track's direction).

namespace pcanno::plugin {

/// One detection in the world frame.
struct WorldDetection {
  std::string class_name;
  geometry::Cuboid box_in_world;
  double score = 0.0;
  formats::AttributeMap attributes;
};

/// The detections of one frame.
struct FrameDetections {
  std::int64_t frame = 0;
  double time_s = 0.0;  ///< [s] when the frame was taken (any origin, increasing)
  std::vector<WorldDetection> detections;
};

struct AssociationOptions {
  double min_iou = 0.01;         ///< 3D IoU of an admissible pair (AB3DMOT's threshold)
  double gate_distance = 2.0;    ///< [m] centre distance always admissible with min_iou
  double gate_sigmas = 3.0;      ///< added prediction uncertainties (position_sigma())
  double near_distance = 0.75;   ///< [m] admissible without overlap
  std::size_t min_hits = 3;      ///< matched frames before a track is born (AB3DMOT: 3)
  std::size_t max_misses = 3;    ///< unmatched frames in a row before a track dies
  double moving_distance = 2.0;  ///< [m] a track that travels farther heads along its motion
  geometry::BoxKalmanNoise noise;
};

/// One box of an associated track.
struct AssociatedBox {
  std::int64_t frame = 0;
  geometry::Cuboid box_in_world;
  double score = 0.0;
  bool detected = true;              ///< false: bridged (the filter's prediction through a miss)
  formats::AttributeMap attributes;  ///< the detection's
};

struct AssociatedTrack {
  std::int64_t id = 0;  ///< 0, 1, 2, ... in order of first detection
  std::string class_name;
  std::vector<AssociatedBox> boxes;  ///< sorted by frame, one per frame
};

struct AssociationResult {
  std::vector<AssociatedTrack> tracks;
  std::size_t detections = 0;  ///< given
  std::size_t unused = 0;      ///< in no output track (false positives, tracks never born)
};

/// Associates `frames` (sorted by frame, each frame once) into tracks. With fewer frames than
/// min_hits, the birth threshold is the frame count, so that a single frame pre-labels every
/// detection.
AssociationResult associate(const std::vector<FrameDetections>& frames,
                            const AssociationOptions& options = {});

}  // namespace pcanno::plugin
