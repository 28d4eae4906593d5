// The "trace" service and the "polyline-trace" tool on a synthetic posed sequence: a painted
// stripe and a curb, scanned as KITTI .bin frames.
#include "pcanno/plugin/services/trace_service.hpp"

#include <cstdio>
#include <fstream>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "pcanno/formats/clouds/point_cloud.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/plugin/automation/line_feature.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/services/automation_services.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/plugin/tools/polyline_trace_tool.hpp"
#include "synthetic_lines.hpp"
#include "temp_dir.hpp"
#include "tool_test_helpers.hpp"

namespace pcanno::plugin {
namespace {

constexpr double kGround = -1.73;
const double kInf = std::numeric_limits<double>::infinity();

/// The stripe at y = 4 along +x, the curb at y = -5 (sidewalk at y < -5), in the LiDAR frame.
geometry::Polyline stripe_path() { return test::arc_path({-12.0, 4.0}, 0.0, kInf, 30.0); }
geometry::Polyline curb_path() {
  return test::arc_path({16.0, -5.0}, 3.14159265358979, kInf, 28.0);
}

/// The world frame is not the LiDAR frame: the seed and the result must be transformed.
geometry::Pose pose_of(int frame) {
  geometry::Pose T = geometry::Pose::Identity();
  T.linear() = Eigen::AngleAxisd(0.4, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  T.translation() = Eigen::Vector3d(100.0 + frame, 50.0, 3.0);
  return T;
}

class TraceService : public ::testing::Test {
 protected:
  void SetUp() override {
    test::SyntheticLine stripe;
    stripe.path = stripe_path();
    test::SyntheticLine curb;
    curb.path = curb_path();
    curb.kind = test::SyntheticLine::Kind::kStep;
    const auto scan = test::make_line_scan({stripe, curb});
    std::vector<float> record;
    for (std::size_t i = 0; i < scan.points.size(); ++i) {
      const auto& p = scan.points[i];
      record.insert(record.end(), {static_cast<float>(p.x()), static_cast<float>(p.y()),
                                   static_cast<float>(p.z()), scan.intensity[i]});
    }
    for (const char* name : {"000000.bin", "000001.bin"}) {
      std::ofstream out(dir_.path() / name, std::ios::binary);
      out.write(reinterpret_cast<const char*>(record.data()),
                static_cast<std::streamsize>(record.size() * sizeof(float)));
    }
    auto seq = formats::open_sequence(dir_.path());
    ASSERT_TRUE(seq) << seq.error().message;
    for (std::size_t f = 0; f < seq->frames.size(); ++f) {
      seq->frames[f].T_world_lidar = pose_of(static_cast<int>(f));
    }
    session_ = Session::create(tool_test::frames_only(2), std::move(*seq));
  }

  Status run(const formats::AttributeMap& parameters) {
    const AutomationService* service = session_->registry().service("trace");
    EXPECT_NE(service, nullptr);
    if (service == nullptr) return formats::Error{formats::ErrorCode::kNotFound, "trace", ""};
    return service->run(*session_, parameters, {});
  }

  /// A LiDAR-frame point of frame 0 in the world, as "x,y,z".
  static std::string seed_text(const Eigen::Vector3d& p_lidar) {
    const Eigen::Vector3d w = pose_of(0) * p_lidar;
    char text[96];
    std::snprintf(text, sizeof text, "%.3f,%.3f,%.3f", w.x(), w.y(), w.z());
    return text;
  }

  /// Mean xy distance of the polyline's vertices at `frame` (in the LiDAR frame) from `truth`.
  double mean_distance(std::int64_t id, const geometry::Polyline& truth, std::int64_t frame = 0) {
    const formats::PolylineTrack& track = session_->document().polylines.at(0);
    EXPECT_EQ(track.id, id);
    const formats::PolylineState& state = track.states.at(0);
    EXPECT_EQ(state.frame, frame);
    const geometry::Polyline line =
        state.shape_frame == formats::ShapeFrame::kWorld
            ? geometry::transform(pose_of(static_cast<int>(frame)).inverse(), state.line)
            : state.line;
    double sum = 0.0;
    for (const auto& v : line.vertices) {
      sum += geometry::closest_point(truth, Eigen::Vector3d(v.x(), v.y(), 0.0))->distance;
    }
    return line.vertices.empty() ? kInf : sum / static_cast<double>(line.vertices.size());
  }

  static std::string curb_class() {
    for (const formats::ClassSpec& c : formats::default_class_schema()) {
      if (c.shape == formats::ShapeKind::kPolyline && c.evidence == formats::LineEvidence::kCurb) {
        return c.name;
      }
    }
    return {};
  }

  test::TempDir dir_;
  std::unique_ptr<Session> session_;
};

TEST_F(TraceService, IsRegistered) {
  EXPECT_NE(Registry::with_builtins().service("trace"), nullptr);
  EXPECT_NE(Registry::with_builtins().tool("polyline-trace"), nullptr);
  EXPECT_NE(Registry::with_builtins().create_tool("polyline-trace"), nullptr);
}

TEST_F(TraceService, TracesTheDefaultClassMarkingAsOneFittedPolyline) {
  ASSERT_TRUE(run({{"seed", seed_text({6.0, 4.3, kGround})}}));
  const ServiceOutcome* outcome = last_service_outcome(session_->registry(), "trace");
  ASSERT_NE(outcome, nullptr);
  const formats::Annotations& doc = session_->document();
  ASSERT_EQ(doc.polylines.size(), 1u);
  const formats::PolylineTrack& track = doc.polylines[0];
  EXPECT_EQ(outcome->polyline, track.id);
  EXPECT_EQ(track.label, doc.default_class(formats::ShapeKind::kPolyline));
  ASSERT_EQ(outcome->notes.size(), 1u);
  EXPECT_NE(outcome->notes[0].find("lane marking"), std::string::npos) << outcome->notes[0];
  ASSERT_EQ(track.states.size(), 1u);
  EXPECT_EQ(track.states[0].provenance, formats::Provenance::kFitted);
  EXPECT_TRUE(track.states[0].keyframe);
  EXPECT_EQ(track.states[0].shape_frame, session_->shape_frame_for(0));
  EXPECT_LT(mean_distance(track.id, stripe_path()), 0.05);
  EXPECT_EQ(outcome->polyline_states, 1u);
  EXPECT_GT(geometry::length(track.states[0].line), 25.0);
  // One undo step removes it.
  ASSERT_TRUE(session_->can_undo());
  ASSERT_TRUE(session_->undo());
  EXPECT_TRUE(session_->document().polylines.empty());
}

TEST_F(TraceService, FollowsTheCurbForACurbClassOrAnExplicitFeature) {
  const std::string curb = curb_class();
  ASSERT_FALSE(curb.empty());
  ASSERT_TRUE(run({{"seed", seed_text({2.0, -4.7, kGround})}, {"class", curb}, {"frame", "0"}}));
  ASSERT_EQ(session_->document().polylines.size(), 1u);
  EXPECT_EQ(session_->document().polylines[0].label, curb);
  EXPECT_NE(last_service_outcome(session_->registry(), "trace")->notes.at(0).find("curb"),
            std::string::npos);
  EXPECT_LT(mean_distance(session_->document().polylines[0].id, curb_path()), 0.06);
  ASSERT_TRUE(session_->undo());
  // The default (marking) class, told to follow the curb.
  ASSERT_TRUE(run({{"seed", seed_text({2.0, -4.7, kGround})}, {"feature", "curb"}}));
  EXPECT_LT(mean_distance(session_->document().polylines[0].id, curb_path()), 0.06);
}

TEST_F(TraceService, NothingNearTheSeedIsNotFoundAndChangesNothing) {
  const Status s = run({{"seed", seed_text({8.0, -1.0, kGround})}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, formats::ErrorCode::kNotFound);
  EXPECT_NE(s.error().message.find("no lane marking near"), std::string::npos) << s.error().message;
  const Status c = run({{"seed", seed_text({8.0, 4.0, kGround})}, {"feature", "curb"}});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("no curb near"), std::string::npos) << c.error().message;
  EXPECT_TRUE(session_->document().polylines.empty());
  EXPECT_FALSE(session_->can_undo());
}

TEST_F(TraceService, BadParametersNameWhatIsWrong) {
  const std::string box_class = session_->document().default_class();  // evidence none
  const Status none = run({{"seed", seed_text({6.0, 4.3, kGround})}, {"class", box_class}});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, formats::ErrorCode::kInvalidArgument);
  EXPECT_NE(none.error().message.find("'" + box_class + "'"), std::string::npos);
  for (const formats::AttributeMap& bad :
       {formats::AttributeMap{}, formats::AttributeMap{{"seed", "1,2"}},
        formats::AttributeMap{{"seed", "1,2,3"}, {"feature", "hedge"}},
        formats::AttributeMap{{"seed", "1,2,3"}, {"frame", "9"}},
        formats::AttributeMap{{"seed", "1,2,3"}, {"colour", "red"}}}) {
    const Status s = run(bad);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, formats::ErrorCode::kInvalidArgument) << s.error().message;
    EXPECT_EQ(s.error().message.rfind("trace: ", 0), 0u) << s.error().message;
  }
  EXPECT_TRUE(session_->document().polylines.empty());
}

TEST_F(TraceService, ToolClickTracesAndSelectsTheLine) {
  PolylineTraceTool tool;
  const ViewInfo view = tool_test::top_view(0.05);
  const Eigen::Vector3d click = pose_of(0) * Eigen::Vector3d(6.0, 4.2, kGround);
  const int flags =
      tool.on_pointer(*session_, tool_test::pointer(PointerEvent::Type::kPress, view,
                                                    tool_test::ray_down(click.x(), click.y())));
  EXPECT_EQ(flags, kConsumed | kRender);
  ASSERT_EQ(session_->document().polylines.size(), 1u);
  const std::int64_t id = session_->document().polylines[0].id;
  EXPECT_EQ(session_->selection().polyline, id);
  EXPECT_LT(mean_distance(id, stripe_path()), 0.05);
  EXPECT_NE(tool.preview().status.find("traced"), std::string::npos) << tool.preview().status;
  ASSERT_TRUE(session_->undo());
  EXPECT_TRUE(session_->document().polylines.empty());

  // Nowhere near a line: nothing is created and the status says why.
  const Eigen::Vector3d empty = pose_of(0) * Eigen::Vector3d(8.0, -1.0, kGround);
  tool.on_pointer(*session_, tool_test::pointer(PointerEvent::Type::kPress, view,
                                                tool_test::ray_down(empty.x(), empty.y())));
  EXPECT_TRUE(session_->document().polylines.empty());
  EXPECT_NE(tool.preview().status.find("no lane marking"), std::string::npos)
      << tool.preview().status;

  // The next frame (another pose): its own scan, the line where that frame sees it.
  ASSERT_TRUE(session_->set_frame(1));
  const Eigen::Vector3d next = pose_of(1) * Eigen::Vector3d(6.0, 4.2, kGround);
  tool.on_pointer(*session_, tool_test::pointer(PointerEvent::Type::kPress, view,
                                                tool_test::ray_down(next.x(), next.y())));
  ASSERT_EQ(session_->document().polylines.size(), 1u);
  EXPECT_LT(mean_distance(session_->document().polylines[0].id, stripe_path(), 1), 0.05);
}

TEST(LineScanOf, WorksInTheLidarFrameWithTheCloudsOriginAdded) {
  // A georeferenced cloud: floats relative to a UTM-sized origin, intensity 0..255.
  test::SyntheticLine stripe;
  stripe.path = stripe_path();
  test::SyntheticLineScanOptions o;
  o.intensity_scale = 255.0;
  const auto scan = test::make_line_scan({stripe}, o);
  formats::PointCloud cloud;
  cloud.origin = Eigen::Vector3d(512345.0, 5401234.0, 110.0);
  cloud.resize(scan.points.size());
  std::vector<float>& intensity =
      cloud.add_attribute(std::string(formats::attribute_names::kIntensity));
  for (std::size_t i = 0; i < scan.points.size(); ++i) {
    cloud.x[i] = static_cast<float>(scan.points[i].x());
    cloud.y[i] = static_cast<float>(scan.points[i].y());
    cloud.z[i] = static_cast<float>(scan.points[i].z());
    intensity[i] = scan.intensity[i];
  }
  const geometry::LineScan lines = line_scan_of(cloud);
  ASSERT_TRUE(lines.has_intensity());
  const auto traced = geometry::trace_polyline(
      lines, cloud.origin + Eigen::Vector3d(6.0, 4.3, kGround), geometry::LineFeature::kMarking);
  ASSERT_TRUE(traced.has_value());
  for (const auto& v : traced->vertices) {
    const Eigen::Vector3d local = v - cloud.origin;
    EXPECT_LT(geometry::closest_point(stripe_path(), Eigen::Vector3d(local.x(), local.y(), 0.0))
                  ->distance,
              0.08);
    EXPECT_NEAR(local.z(), kGround, 0.05);
  }
}

TEST(LineFeatureOf, MapsTheClassEvidence) {
  EXPECT_EQ(line_feature_of(formats::LineEvidence::kMarking), geometry::LineFeature::kMarking);
  EXPECT_EQ(line_feature_of(formats::LineEvidence::kCurb), geometry::LineFeature::kCurb);
  EXPECT_FALSE(line_feature_of(formats::LineEvidence::kNone).has_value());
}

}  // namespace
}  // namespace pcanno::plugin
