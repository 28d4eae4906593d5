#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/geometry/cuboid.hpp"

// Detection evaluation (`pcanno eval --detection`): predicted boxes with scores against ground
// truth, per class, as KITTI's object benchmark scores detectors. Unlike `evaluate()`, boxes are
// matched by overlap, not by track id: per frame and class, predictions in descending score each
// take the unmatched ground-truth box they overlap most, if that overlap reaches the threshold.
// Precision and recall count every prediction; AP is KITTI's 40-point interpolated average
// precision (R40): the mean over recall r = 1/40, 2/40, ..., 1 of the highest precision reached
// at a recall of at least r (0 where none is).
//
// Ignored boxes, as in KITTI's evaluation: a ground-truth box marked `ignore` (too few points to
// be found, `--min-points`) counts neither as found nor as missed, and a prediction matched to it
// is neither a true nor a false positive. A prediction marked `ignore` (its image box lies at
// least half inside a KITTI DontCare region of its frame) is not a false positive when it matches
// nothing; when it does match a ground-truth box it is a true positive like any other.

namespace pcanno::plugin {

/// One box of either side, in the LiDAR frame of its frame.
struct DetectionBox {
  std::int64_t frame = 0;
  std::string label;
  geometry::Cuboid box;  ///< [m, rad] LiDAR frame of `frame`
  double score = 1.0;    ///< predictions: confidence; ranks them
  bool ignore = false;   ///< see the header comment (ground truth: too few points; predictions:
                         ///< inside a DontCare region)
};

enum class OverlapKind { kBev, k3d };
const char* to_string(OverlapKind kind);  ///< "bev", "3d"

/// One class, one overlap kind, one IoU threshold.
struct DetectionMetrics {
  OverlapKind kind = OverlapKind::k3d;
  double iou_threshold = 0.5;
  std::size_t true_positives = 0;
  std::size_t false_positives = 0;
  std::size_t ignored_predictions = 0;  ///< matched an ignored ground-truth box, or in DontCare
  std::size_t ground_truth = 0;         ///< boxes not ignored
  std::optional<double> precision;      ///< TP / (TP + FP); none without counted predictions
  std::optional<double> recall;         ///< TP / ground_truth; none without ground truth
  std::optional<double> ap_r40;         ///< in [0, 1]; none without ground truth
};

struct DetectionClassResult {
  std::string label;
  std::size_t ground_truth = 0;  ///< boxes of this class (ignored ones included)
  std::size_t ignored_ground_truth = 0;
  std::size_t predictions = 0;
  std::vector<DetectionMetrics> metrics;  ///< BEV then 3D, each for every threshold in order
  const DetectionMetrics* find(OverlapKind kind, double threshold) const;
};

struct DetectionEvalOptions {
  std::vector<double> iou_thresholds{0.5, 0.7};
};

struct DetectionReport {
  std::vector<DetectionClassResult> classes;  ///< by class name
  /// Mean AP over the classes that have ground truth, per metric (same order as the classes'
  /// metrics); none when no class has any.
  std::vector<DetectionMetrics> mean;
};

/// Scores `pred` against `gt`. kInvalidArgument for an IoU threshold outside (0, 1], a non-finite
/// score or a box with a non-finite or non-positive size (naming the frame and class).
formats::Expected<DetectionReport> evaluate_detection(const std::vector<DetectionBox>& pred,
                                                      const std::vector<DetectionBox>& gt,
                                                      const DetectionEvalOptions& options = {});

/// AP over 40 recall points from a ranked list: `true_positive[i]` for the i-th prediction in
/// descending score, `ground_truth` boxes to find. With `scores` (the same length, descending),
/// tied predictions count together: precision and recall are read only where the score changes.
/// Exposed for tests and other benchmarks.
double average_precision_r40(const std::vector<bool>& true_positive, std::size_t ground_truth,
                             const std::vector<double>& scores = {});

/// Which boxes of two documents take part.
struct DetectionInputOptions {
  std::vector<std::int64_t> frames;  ///< empty: every frame of the ground truth
  std::vector<std::string> classes;  ///< empty: every class
  double min_score = -std::numeric_limits<double>::infinity();  ///< predictions below are dropped
  /// [m] boxes (both sides) whose centre is farther from the sensor on the ground plane are left
  /// out; the LiDAR frame's origin is the sensor.
  double max_range = std::numeric_limits<double>::infinity();
  /// Mark predictions inside the ground truth's DontCare regions as ignored (needs each frame's
  /// KITTI calibration in `sequence`; frames without one are not marked).
  bool dont_care = true;
};

struct DetectionInput {
  std::vector<DetectionBox> pred;
  std::vector<DetectionBox> gt;
  std::size_t unscored_predictions = 0;   ///< of `pred`: without a score, taken as 1
  std::size_t dont_care_predictions = 0;  ///< predictions marked ignored by a DontCare region
  std::size_t dont_care_regions = 0;      ///< DontCare regions in the selected frames
};

/// The boxes of two documents in the LiDAR frame of their frame (formats::box_in_lidar: a world
/// box needs its frame's pose from `sequence`, kUnsupported naming the frame otherwise), filtered
/// by `options`. Every box of a document is a detection: tracks only group them.
formats::Expected<DetectionInput> detection_input(const formats::Annotations& pred,
                                                  const formats::Annotations& gt,
                                                  const formats::Sequence* sequence,
                                                  const DetectionInputOptions& options = {});

}  // namespace pcanno::plugin
