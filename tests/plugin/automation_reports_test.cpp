// The result fields of `pcanno fit --json` and `pcanno check --json` (and pcanno.fit/check), built
// once in the engine: keys, number kinds and nulls.
#include "pcanno/plugin/services/automation_reports.hpp"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "report_field.hpp"

namespace pcanno::plugin {
namespace {

using Kind = ReportValue::Kind;

using test::field;

TEST(AutomationReports, FitReportHasTheBoxInTheLidarFrame) {
  geometry::FitResult fit;
  fit.box.center = {1.0, 2.0, 3.0};
  fit.box.size = {4.0, 2.0, 1.5};
  fit.box.rotation = Eigen::Quaterniond(Eigen::AngleAxisd(0.5, Eigen::Vector3d::UnitZ()));
  fit.point_ids = {1, 2, 3};
  fit.used_prior = true;
  const ReportValue r = fit_report(7, "Car", fit);
  EXPECT_EQ(r.keys(), (std::vector<std::string>{"frame", "class", "frame_of_reference", "center",
                                                "size", "yaw", "rotation_wxyz", "points",
                                                "used_prior", "cut_to_prior"}));
  EXPECT_EQ(field(r, "frame").as_int(), 7);
  EXPECT_EQ(field(r, "class").as_string(), "Car");
  EXPECT_EQ(field(r, "frame_of_reference").as_string(), "lidar");
  ASSERT_EQ(field(r, "center").items().size(), 3u);
  EXPECT_EQ(field(r, "center").items()[1].as_double(), 2.0);
  EXPECT_EQ(field(r, "size").items()[0].as_double(), 4.0);
  EXPECT_NEAR(field(r, "yaw").as_double(), 0.5, 1e-12);
  EXPECT_NEAR(field(r, "rotation_wxyz").items()[0].as_double(), std::cos(0.25), 1e-12);
  EXPECT_NEAR(field(r, "rotation_wxyz").items()[3].as_double(), std::sin(0.25), 1e-12);
  EXPECT_EQ(field(r, "points").kind(), Kind::kUnsigned);
  EXPECT_EQ(field(r, "points").as_unsigned(), 3u);
  EXPECT_TRUE(field(r, "used_prior").as_bool());
  EXPECT_FALSE(field(r, "cut_to_prior").as_bool());
}

TEST(AutomationReports, CheckReportNamesTheTrackClassAndNullsWhatAFindingIsNotAbout) {
  formats::Annotations labels;
  formats::Track track;
  track.id = 4;
  track.label = "Van";
  labels.tracks.push_back(track);
  QaReport r;
  r.tracks = 1;
  r.boxes = 6;
  Finding about_track;
  about_track.severity = Severity::kError;
  about_track.check = "speed";
  about_track.track = 4;
  about_track.frame = 2;
  about_track.value = 80.0;
  about_track.limit = 60.0;
  about_track.message = "too fast";
  Finding about_document;
  about_document.severity = Severity::kInfo;
  about_document.check = "schema";
  r.findings = {about_document, about_track};

  ReportValue out = ReportValue::object();
  add_check_report(out, labels, nullptr, r);
  EXPECT_EQ(out.keys(), (std::vector<std::string>{"sequence", "summary", "findings"}));
  EXPECT_EQ(field(out, "sequence").kind(), Kind::kNull);
  const ReportValue& summary = field(out, "summary");
  EXPECT_EQ(field(summary, "errors").as_unsigned(), 1u);
  EXPECT_EQ(field(summary, "warnings").as_unsigned(), 0u);
  EXPECT_EQ(field(summary, "infos").as_unsigned(), 1u);
  EXPECT_EQ(field(summary, "boxes").as_unsigned(), 6u);
  EXPECT_TRUE(field(summary, "motion_in_world").as_bool());
  const ReportValue& doc = field(out, "findings").items().at(0);
  EXPECT_EQ(field(doc, "severity").as_string(), "info");
  EXPECT_EQ(field(doc, "track").kind(), Kind::kNull);
  EXPECT_EQ(field(doc, "label").kind(), Kind::kNull);
  EXPECT_EQ(field(doc, "frame").kind(), Kind::kNull);
  const ReportValue& speed = field(out, "findings").items().at(1);
  EXPECT_EQ(field(speed, "track").as_int(), 4);
  EXPECT_EQ(field(speed, "label").as_string(), "Van");
  EXPECT_EQ(field(speed, "frame").as_int(), 2);
  EXPECT_EQ(field(speed, "value").as_double(), 80.0);
  EXPECT_EQ(field(speed, "message").as_string(), "too fast");

  formats::Sequence seq;
  seq.layout = "folder";
  seq.name = "clouds";
  seq.root = "/data/clouds";
  ReportValue with_sequence = ReportValue::object();
  add_check_report(with_sequence, labels, &seq, r);
  const ReportValue& s = field(with_sequence, "sequence");
  EXPECT_EQ(field(s, "layout").as_string(), "folder");
  EXPECT_EQ(field(s, "name").as_string(), "clouds");
  EXPECT_EQ(field(s, "path").as_string(), "/data/clouds");
}

}  // namespace
}  // namespace pcanno::plugin
