// The result fields `pcanno eval --json` prints and pcanno.eval() returns, built once in the
// engine: their keys, order and number kinds (3 stays an integer, 0.5 a double, none is null).
#include "pcanno/plugin/services/eval_report.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "report_field.hpp"

namespace pcanno::plugin {
namespace {

using Kind = ReportValue::Kind;

using test::field;

TEST(EvalReport, ValuesKeepTheirKind) {
  EXPECT_EQ(ReportValue().kind(), Kind::kNull);
  EXPECT_EQ(ReportValue(true).kind(), Kind::kBool);
  EXPECT_EQ(ReportValue(std::int64_t{-3}).as_int(), -3);
  EXPECT_EQ(ReportValue(std::size_t{3}).kind(), Kind::kUnsigned);
  EXPECT_EQ(ReportValue(0.5).kind(), Kind::kDouble);
  EXPECT_EQ(ReportValue("a").as_string(), "a");
  EXPECT_EQ(ReportValue(std::optional<double>()).kind(), Kind::kNull);
  EXPECT_EQ(ReportValue(std::optional<double>(0.25)).as_double(), 0.25);
  const ReportValue o = ReportValue::object().add("b", 1).add("a", 2);
  EXPECT_EQ(o.keys(), (std::vector<std::string>{"b", "a"}));  // insertion order
}

TEST(EvalReport, TrackingFieldsNameEveryResult) {
  EvalReport r;
  r.overall.boxes = 3;
  r.overall.missed = 1;
  r.overall.mean_iou_3d = 0.5;
  ClassResult c;
  c.label = "Car";
  c.iou.boxes = 3;
  r.classes.push_back(c);
  TrackResult t;
  t.track_id = 7;
  t.label = "Car";
  t.min_iou_3d = 0.25;
  t.worst_frame = 4;
  r.tracks.push_back(t);
  BoxResult b;
  b.track_id = 7;
  b.frame = 4;
  b.label = "Car";
  b.predicted = true;
  b.iou_3d = 0.25;
  b.iou_bev = 0.5;
  r.boxes.push_back(b);
  r.unmatched.push_back({9, 2, "Van"});
  r.label_mismatches = 2;

  ReportValue out = ReportValue::object();
  add_tracking_report(out, r);
  EXPECT_EQ(out.keys(), (std::vector<std::string>{"overall", "classes", "tracks", "frame_results",
                                                  "keyframe_distance_results", "boxes",
                                                  "unmatched_predictions", "excluded_keyframes",
                                                  "excluded_derived_gt", "label_mismatches"}));
  const ReportValue& overall = field(out, "overall");
  EXPECT_EQ(field(overall, "boxes").kind(), Kind::kUnsigned);
  EXPECT_EQ(field(overall, "boxes").as_unsigned(), 3u);
  EXPECT_EQ(field(overall, "missed").as_unsigned(), 1u);
  EXPECT_EQ(field(overall, "mean_iou_3d").as_double(), 0.5);
  EXPECT_EQ(overall.keys().size(), 8u);
  const ReportValue& cls = field(out, "classes").items().at(0);
  EXPECT_EQ(field(cls, "label").as_string(), "Car");
  EXPECT_EQ(field(field(cls, "iou"), "boxes").as_unsigned(), 3u);
  const ReportValue& track = field(out, "tracks").items().at(0);
  EXPECT_EQ(field(track, "track").as_int(), 7);
  EXPECT_EQ(field(track, "min_iou_3d").as_double(), 0.25);
  EXPECT_EQ(field(track, "worst_frame").as_int(), 4);
  const ReportValue& box = field(out, "boxes").items().at(0);
  EXPECT_TRUE(field(box, "predicted").as_bool());
  EXPECT_TRUE(field(box, "same_label").as_bool());
  EXPECT_EQ(field(box, "iou_bev").as_double(), 0.5);
  const ReportValue& u = field(out, "unmatched_predictions").items().at(0);
  EXPECT_EQ(field(u, "track").as_int(), 9);
  EXPECT_EQ(field(u, "label").as_string(), "Van");
  EXPECT_EQ(field(out, "label_mismatches").as_unsigned(), 2u);
  EXPECT_TRUE(field(out, "frame_results").items().empty());
}

TEST(EvalReport, DetectionFieldsCountIgnoredGroundTruthAndKeepUndefinedMetricsNull) {
  DetectionInput input;
  input.gt.resize(3);
  input.gt[1].ignore = true;
  input.pred.resize(2);
  input.unscored_predictions = 1;
  DetectionReport result;
  DetectionMetrics m;
  m.kind = OverlapKind::kBev;
  m.iou_threshold = 0.7;
  m.true_positives = 1;
  m.recall = 0.5;
  result.mean.push_back(m);
  DetectionClassResult c;
  c.label = "Car";
  c.ground_truth = 3;
  c.metrics.push_back(m);
  result.classes.push_back(c);

  ReportValue out = ReportValue::object();
  add_detection_report(out, input, result);
  EXPECT_EQ(field(out, "ground_truth").as_unsigned(), 3u);
  EXPECT_EQ(field(out, "ignored_ground_truth").as_unsigned(), 1u);
  EXPECT_EQ(field(out, "predictions").as_unsigned(), 2u);
  EXPECT_EQ(field(out, "unscored_predictions").as_unsigned(), 1u);
  const ReportValue& metric = field(out, "mean").items().at(0);
  EXPECT_EQ(field(metric, "kind").as_string(), "bev");
  EXPECT_EQ(field(metric, "iou").as_double(), 0.7);
  EXPECT_EQ(field(metric, "true_positives").as_unsigned(), 1u);
  EXPECT_EQ(field(metric, "precision").kind(), Kind::kNull);
  EXPECT_EQ(field(metric, "recall").as_double(), 0.5);
  const ReportValue& cls = field(out, "classes").items().at(0);
  EXPECT_EQ(field(cls, "label").as_string(), "Car");
  EXPECT_EQ(field(cls, "metrics").items().size(), 1u);
}

}  // namespace
}  // namespace pcanno::plugin
