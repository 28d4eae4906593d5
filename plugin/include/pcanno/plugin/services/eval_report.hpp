#pragma once
#include <vector>

#include "pcanno/plugin/services/detection_eval.hpp"
#include "pcanno/plugin/services/evaluation.hpp"
#include "pcanno/plugin/services/report_value.hpp"

// The result fields of `pcanno eval --json`, built once for the CLI (which prints them as JSON)
// and pcanno.eval() (which returns them as a dict). The fields that echo the call's arguments
// (pred, gt, frames, the filters) are each front end's own.

namespace pcanno::plugin {

/// {boxes, missed, mean_iou_3d, mean_iou_bev, fraction_3d_50, fraction_3d_70, fraction_bev_50,
/// fraction_bev_70}.
ReportValue iou_summary_report(const IouSummary& s);

/// Adds the tracking result to the object `out`: overall, classes, tracks, frame_results,
/// keyframe_distance_results, boxes, unmatched_predictions, excluded_keyframes,
/// excluded_derived_gt, label_mismatches.
void add_tracking_report(ReportValue& out, const EvalReport& r);

/// One object per metric: kind, iou, true_positives, false_positives, ignored_predictions,
/// ground_truth, precision, recall, ap_r40 (null when undefined).
ReportValue detection_metrics_report(const std::vector<DetectionMetrics>& metrics);

/// Adds the detection result to the object `out`: ground_truth, ignored_ground_truth,
/// predictions, unscored_predictions, dont_care_regions, dont_care_predictions, classes (label,
/// ground_truth, ignored_ground_truth, predictions, metrics) and mean (metrics).
void add_detection_report(ReportValue& out, const DetectionInput& input,
                          const DetectionReport& result);

}  // namespace pcanno::plugin
