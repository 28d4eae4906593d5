#pragma once
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/geometry/iou.hpp"

// Scoring a detector's Car/Van boxes against truth by the rule of issue 20, shared by the KITTI
// and the synthetic detector tests: see docs/automation.md, "Pre-labelling: detectors".
namespace pcanno::test {

struct DetectionCounts {
  int required = 0;  ///< Car/Van truth boxes within the range holding enough points
  int found = 0;     ///< of which matched by a detection (BEV IoU >= 0.5)
  int true_positives = 0;
  int false_positives = 0;
  int ignored = 0;  ///< detections on other truth or in DontCare regions: not counted
  double recall() const { return required > 0 ? double(found) / required : 0.0; }
  double precision() const {
    const int counted = true_positives + false_positives;
    return counted > 0 ? double(true_positives) / counted : 0.0;
  }
  void add(const DetectionCounts& o) {
    required += o.required;
    found += o.found;
    true_positives += o.true_positives;
    false_positives += o.false_positives;
    ignored += o.ignored;
  }
  void print(const char* name) const {
    std::printf("%-24s required %3d  found %3d  recall %.3f | TP %3d  FP %3d  ignored %3d  "
                "precision %.3f\n",
                name, required, found, recall(), true_positives, false_positives, ignored,
                precision());
  }
};

struct ScoredTruth {
  geometry::Cuboid box;   ///< in the LiDAR frame
  bool required = false;  ///< Car/Van, within the range, enough points
  bool matched = false;
};

struct ScoredDetection {
  geometry::Cuboid box;  ///< in the LiDAR frame
  /// A Car or Van within the range (and, on KITTI, in the camera's view): the ones counted.
  bool counted = false;
  /// Inside a region the truth leaves out (a KITTI DontCare box in the image).
  bool in_dont_care = false;
};

/// Greedy matching in the order given (by descending score): a counted detection with BEV IoU
/// >= 0.5 to a required, not yet matched truth box is a true positive; otherwise it is ignored
/// when it has BEV IoU >= 0.1 with a truth box that is not required (another class, too few
/// points, beyond the range) or lies in a DontCare region; otherwise a false positive.
/// `on_false_positive` and `on_missed` see the boxes (for a verbose report).
inline DetectionCounts score_detections(
    std::vector<ScoredTruth>& truth, const std::vector<ScoredDetection>& detections,
    const std::function<void(const geometry::Cuboid&)>& on_false_positive = {},
    const std::function<void(const geometry::Cuboid&)>& on_missed = {}) {
  DetectionCounts c;
  for (const ScoredTruth& t : truth) c.required += t.required ? 1 : 0;
  for (const ScoredDetection& d : detections) {
    if (!d.counted) continue;
    ScoredTruth* best = nullptr;
    double best_iou = 0.5;
    bool near_other = d.in_dont_care;
    for (ScoredTruth& t : truth) {
      const double iou = geometry::iou_bev(d.box, t.box);
      if (t.required && !t.matched && iou >= best_iou) {
        best = &t;
        best_iou = iou;
      } else if (!t.required && iou >= 0.1) {
        near_other = true;
      }
    }
    if (best != nullptr) {
      best->matched = true;
      ++c.true_positives;
      ++c.found;
    } else if (near_other) {
      ++c.ignored;
    } else {
      ++c.false_positives;
      if (on_false_positive) on_false_positive(d.box);
    }
  }
  for (const ScoredTruth& t : truth) {
    if (t.required && !t.matched && on_missed) on_missed(t.box);
  }
  return c;
}

}  // namespace pcanno::test
