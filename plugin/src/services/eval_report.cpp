#include "pcanno/plugin/services/eval_report.hpp"

namespace pcanno::plugin {

ReportValue iou_summary_report(const IouSummary& s) {
  return ReportValue::object()
      .add("boxes", s.boxes)
      .add("missed", s.missed)
      .add("mean_iou_3d", s.mean_iou_3d)
      .add("mean_iou_bev", s.mean_iou_bev)
      .add("fraction_3d_50", s.fraction_3d_50)
      .add("fraction_3d_70", s.fraction_3d_70)
      .add("fraction_bev_50", s.fraction_bev_50)
      .add("fraction_bev_70", s.fraction_bev_70);
}

namespace {

/// {<key>: value, iou: summary}.
ReportValue summarized(const char* key, ReportValue value, const IouSummary& s) {
  return ReportValue::object().add(key, std::move(value)).add("iou", iou_summary_report(s));
}

}  // namespace

void add_tracking_report(ReportValue& out, const EvalReport& r) {
  ReportValue classes = ReportValue::array();
  for (const auto& c : r.classes) classes.push(summarized("label", c.label, c.iou));
  ReportValue tracks = ReportValue::array();
  for (const auto& t : r.tracks) {
    tracks.push(ReportValue::object()
                    .add("track", t.track_id)
                    .add("label", t.label)
                    .add("iou", iou_summary_report(t.iou))
                    .add("min_iou_3d", t.min_iou_3d)
                    .add("worst_frame", t.worst_frame));
  }
  ReportValue distances = ReportValue::array();
  for (const auto& d : r.by_keyframe_distance) {
    distances.push(summarized("keyframe_distance", d.distance, d.iou));
  }
  ReportValue frames = ReportValue::array();
  for (const auto& f : r.frames) frames.push(summarized("frame", f.frame, f.iou));
  ReportValue boxes = ReportValue::array();
  for (const auto& b : r.boxes) {
    boxes.push(ReportValue::object()
                   .add("track", b.track_id)
                   .add("frame", b.frame)
                   .add("label", b.label)
                   .add("predicted", b.predicted)
                   .add("same_label", b.same_label)
                   .add("iou_3d", b.iou_3d)
                   .add("iou_bev", b.iou_bev));
  }
  ReportValue unmatched = ReportValue::array();
  for (const auto& u : r.unmatched) {
    unmatched.push(
        ReportValue::object().add("track", u.track_id).add("frame", u.frame).add("label", u.label));
  }
  out.add("overall", iou_summary_report(r.overall))
      .add("classes", std::move(classes))
      .add("tracks", std::move(tracks))
      .add("frame_results", std::move(frames))
      .add("keyframe_distance_results", std::move(distances))
      .add("boxes", std::move(boxes))
      .add("unmatched_predictions", std::move(unmatched))
      .add("excluded_keyframes", r.excluded_keyframes)
      .add("excluded_derived_gt", r.excluded_derived)
      .add("label_mismatches", r.label_mismatches);
}

ReportValue detection_metrics_report(const std::vector<DetectionMetrics>& metrics) {
  ReportValue out = ReportValue::array();
  for (const DetectionMetrics& m : metrics) {
    out.push(ReportValue::object()
                 .add("kind", to_string(m.kind))
                 .add("iou", m.iou_threshold)
                 .add("true_positives", m.true_positives)
                 .add("false_positives", m.false_positives)
                 .add("ignored_predictions", m.ignored_predictions)
                 .add("ground_truth", m.ground_truth)
                 .add("precision", m.precision)
                 .add("recall", m.recall)
                 .add("ap_r40", m.ap_r40));
  }
  return out;
}

void add_detection_report(ReportValue& out, const DetectionInput& input,
                          const DetectionReport& result) {
  std::size_t ignored_gt = 0;
  for (const DetectionBox& b : input.gt) ignored_gt += b.ignore ? 1 : 0;
  ReportValue classes = ReportValue::array();
  for (const DetectionClassResult& c : result.classes) {
    classes.push(ReportValue::object()
                     .add("label", c.label)
                     .add("ground_truth", c.ground_truth)
                     .add("ignored_ground_truth", c.ignored_ground_truth)
                     .add("predictions", c.predictions)
                     .add("metrics", detection_metrics_report(c.metrics)));
  }
  out.add("ground_truth", input.gt.size())
      .add("ignored_ground_truth", ignored_gt)
      .add("predictions", input.pred.size())
      .add("unscored_predictions", input.unscored_predictions)
      .add("dont_care_regions", input.dont_care_regions)
      .add("dont_care_predictions", input.dont_care_predictions)
      .add("classes", std::move(classes))
      .add("mean", detection_metrics_report(result.mean));
}

}  // namespace pcanno::plugin
