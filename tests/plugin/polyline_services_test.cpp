// The "propagate" and "interpolate" services with polyline=<id>, on a synthetic curb sequence with
// poses (curb_sequence.hpp).
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "curb_sequence.hpp"
#include "pcanno/formats/labels/class_schema.hpp"
#include "pcanno/plugin/automation/progress.hpp"
#include "pcanno/plugin/polyline_commands.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/services/automation_services.hpp"
#include "pcanno/plugin/session.hpp"
#include "temp_dir.hpp"

namespace pcanno::plugin {
namespace {

using Eigen::Vector3d;
using formats::PolylineState;
using formats::PolylineTrack;
using geometry::Polyline;

/// The default schema's first polyline class that follows `evidence`.
std::string class_following(formats::LineEvidence evidence) {
  for (const formats::ClassSpec& c : formats::default_class_schema()) {
    if (c.shape == formats::ShapeKind::kPolyline && c.evidence == evidence) return c.name;
  }
  return "";
}

class PolylineServices : public ::testing::Test {
 protected:
  void SetUp() override {
    scans_.frames = 10;
    test::write_curb_scans(temp_.path(), scans_);
    auto seq = formats::open_sequence(temp_.path());
    ASSERT_TRUE(seq) << seq.error().message;
    formats::Annotations doc;
    for (int f = 0; f < scans_.frames; ++f) {
      auto& frame = seq->frames[static_cast<std::size_t>(f)];
      // 4 cm of sideways pose error per frame: refinement has something to correct.
      geometry::Pose T = test::curb_pose(scans_, f);
      T.translation().y() -= 0.04 * f;
      frame.T_world_lidar = T;
      doc.frames.push_back({frame.name, -1, {}, ""});
    }
    curb_class_ = class_following(formats::LineEvidence::kCurb);
    ASSERT_FALSE(curb_class_.empty());
    session_ = Session::create(std::move(doc), std::move(*seq));
    // The curb drawn at frame 0 (exact pose), 6 vertices 5 m apart, in the LiDAR frame.
    Polyline line;
    for (int i = 0; i < 6; ++i) line.vertices.emplace_back(-5.0 + 5.0 * i, scans_.curb_y, -1.73);
    ASSERT_TRUE(session_->apply(create_polyline(session_->document(), curb_class_, 0, line)));
    id_ = session_->document().polylines.front().id;
  }

  Status run(const std::string& service, const formats::AttributeMap& parameters,
             const Progress& progress = {}) {
    return session_->registry().service(service)->run(*session_, parameters, progress);
  }
  const PolylineTrack& track() const { return session_->document().polylines.front(); }
  const PolylineState* at(std::int64_t f) const {
    for (const PolylineState& s : track().states) {
      if (s.frame == f) return &s;
    }
    return nullptr;
  }
  /// Mean xy distance of the state at `f` from the curb in that frame's scan.
  double error_at(std::int64_t f) const {
    const PolylineState* s = at(f);
    if (s == nullptr) return 1e9;
    Polyline in_lidar = s->line;
    if (s->shape_frame == formats::ShapeFrame::kWorld) {
      in_lidar = geometry::transform(session_->T_world_lidar(f)->inverse(), s->line);
    }
    const Polyline truth = test::curb_in_lidar(scans_, static_cast<int>(f));
    double sum = 0.0;
    for (const Vector3d& v : in_lidar.vertices) {
      sum += geometry::closest_point(truth, Vector3d(v.x(), v.y(), 0.0))->distance;
    }
    return sum / static_cast<double>(in_lidar.vertices.size());
  }
  std::string id() const { return std::to_string(id_); }

  test::CurbScans scans_;
  test::TempDir temp_;
  std::string curb_class_;
  std::unique_ptr<Session> session_;
  std::int64_t id_ = -1;
};

TEST_F(PolylineServices, PropagateFollowsTheCurbAsOneUndoStep) {
  const std::string before = session_->undo_name();
  ASSERT_TRUE(run("propagate", {{"polyline", id()}, {"from", "0"}, {"to", "6"}}));
  const ServiceOutcome* outcome = last_service_outcome(session_->registry(), "propagate");
  ASSERT_NE(outcome, nullptr);
  ASSERT_TRUE(outcome->polyline);
  EXPECT_EQ(*outcome->polyline, id_);
  EXPECT_EQ(outcome->polyline_states, 6u);
  EXPECT_EQ(outcome->boxes, 0u);
  ASSERT_EQ(track().states.size(), 7u);
  for (std::int64_t f = 1; f <= 6; ++f) {
    const PolylineState* s = at(f);
    ASSERT_NE(s, nullptr) << f;
    EXPECT_EQ(s->provenance, formats::Provenance::kTracked);
    EXPECT_FALSE(s->keyframe);
    EXPECT_LT(error_at(f), 0.05) << "frame " << f;  // carried alone: 0.04 f off
  }
  EXPECT_TRUE(at(0)->keyframe);
  EXPECT_EQ(session_->undo_name(), "propagate polyline " + id());
  ASSERT_TRUE(session_->undo());
  EXPECT_EQ(track().states.size(), 1u);
  EXPECT_EQ(session_->undo_name(), before);
}

TEST_F(PolylineServices, PropagateStopsBeforeAKeyframeAndNeverReplacesIt) {
  // A keyframe at frame 4, drawn by a person (deliberately 1 m off the curb).
  Polyline key = at(0)->line;
  for (Vector3d& v : key.vertices) v.y() += 1.0;
  ASSERT_TRUE(session_->apply(set_polyline(session_->document(), id_, 4, key)));
  ASSERT_TRUE(run("propagate", {{"polyline", id()}, {"from", "0"}}));
  EXPECT_EQ(last_service_outcome(session_->registry(), "propagate")->polyline_states, 3u);
  EXPECT_EQ(at(4)->line.vertices, key.vertices);
  EXPECT_TRUE(at(4)->keyframe);
  EXPECT_EQ(at(5), nullptr);
  // Backward from the keyframe: frames 3..1 are tracked states already, replaced; 0 is kept.
  ASSERT_TRUE(run("propagate", {{"polyline", id()}, {"from", "4"}, {"direction", "backward"}}));
  EXPECT_EQ(last_service_outcome(session_->registry(), "propagate")->polyline_states, 3u);
  EXPECT_TRUE(at(0)->keyframe);
  EXPECT_EQ(at(0)->provenance, formats::Provenance::kManual);
}

TEST_F(PolylineServices, CancelledPropagationLeavesTheDocumentUnchanged) {
  const formats::Annotations before = session_->document();
  const std::string undo = session_->undo_name();
  int calls = 0;
  const Status s =
      run("propagate", {{"polyline", id()}, {"from", "0"}}, [&](double) { return ++calls < 4; });
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, formats::ErrorCode::kCancelled);
  EXPECT_EQ(track().states.size(), before.polylines.front().states.size());
  EXPECT_EQ(session_->undo_name(), undo);
}

TEST_F(PolylineServices, InterpolateFillsTheFramesBetweenKeyframes) {
  // A second keyframe at frame 8, drawn 0.2 m to the left of where the curb is in that scan.
  const geometry::Pose T8 = *session_->T_world_lidar(8);
  Polyline key8 = geometry::transform(test::curb_pose(scans_, 8).inverse(),
                                      test::curb_in_world(scans_, 5, 35, 6.0));
  for (Vector3d& v : key8.vertices) v.y() += 0.2;
  ASSERT_TRUE(session_->apply(set_polyline(session_->document(), id_, 8, key8)));
  ASSERT_TRUE(run("interpolate", {{"polyline", id()}, {"refine", "false"}}));
  const ServiceOutcome* outcome = last_service_outcome(session_->registry(), "interpolate");
  ASSERT_NE(outcome, nullptr);
  EXPECT_EQ(outcome->polyline_states, 7u);
  ASSERT_EQ(track().states.size(), 9u);
  const Polyline world0 = geometry::transform(*session_->T_world_lidar(0), at(0)->line);
  const Polyline world8 = geometry::transform(T8, key8);
  for (std::int64_t f = 1; f < 8; ++f) {
    const PolylineState* s = at(f);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->provenance, formats::Provenance::kInterpolated);
    EXPECT_FALSE(s->keyframe);
    // In the world, between the keyframes' lines: the first's start moves towards the second's.
    const Polyline w = s->shape_frame == formats::ShapeFrame::kWorld
                           ? s->line
                           : geometry::transform(*session_->T_world_lidar(f), s->line);
    const double t = f / 8.0;
    EXPECT_LT(
        (w.vertices.front() - ((1 - t) * world0.vertices.front() + t * world8.vertices.front()))
            .norm(),
        1e-9)
        << f;
  }
  EXPECT_EQ(session_->undo_name(), "interpolate polyline " + id());
  // The poses drift linearly, so the blend is off the curb by the second keyframe's error alone.
  EXPECT_GT(error_at(7), 0.15);
  // Refined, the in-between lines sit on the curb in each scan.
  ASSERT_TRUE(run("interpolate", {{"polyline", id()}}));
  for (std::int64_t f = 1; f < 8; ++f) EXPECT_LT(error_at(f), 0.05) << "frame " << f;
  ASSERT_TRUE(session_->undo());
  EXPECT_EQ(at(4)->provenance, formats::Provenance::kInterpolated);  // the unrefined run's
}

TEST_F(PolylineServices, RangeClipsEachPropagatedLine) {
  // The curb runs 4 m beside the sensor: within 6 m only its part within 4.5 m along it is kept.
  ASSERT_TRUE(run("propagate", {{"polyline", id()}, {"from", "0"}, {"to", "3"}, {"range", "6"}}));
  ASSERT_EQ(track().states.size(), 4u);
  for (std::int64_t f = 1; f <= 3; ++f) {
    const PolylineState* s = at(f);
    ASSERT_NE(s, nullptr) << f;
    Polyline in_lidar = s->line;
    if (s->shape_frame == formats::ShapeFrame::kWorld) {
      in_lidar = geometry::transform(session_->T_world_lidar(f)->inverse(), s->line);
    }
    for (const Vector3d& v : in_lidar.vertices) EXPECT_LE(v.head<2>().norm(), 6.0 + 1e-6) << f;
    EXPECT_LT(geometry::length(in_lidar), 2.0 * 4.5 + 0.01) << f;
    EXPECT_GT(geometry::length(in_lidar), 2.0 * 4.0) << f;
  }
  ASSERT_TRUE(session_->undo());
  // Within 3 m there is nothing of it: propagation ends at once, with a note that says why.
  ASSERT_TRUE(run("propagate", {{"polyline", id()}, {"from", "0"}, {"to", "3"}, {"range", "3"}}));
  EXPECT_EQ(track().states.size(), 1u);
  const ServiceOutcome* outcome = last_service_outcome(session_->registry(), "propagate");
  ASSERT_NE(outcome, nullptr);
  ASSERT_EQ(outcome->notes.size(), 1u);
  EXPECT_NE(outcome->notes[0].find("range"), std::string::npos) << outcome->notes[0];
  for (const char* bad : {"0", "-5", "far", "nan"}) {
    const Status s = run("propagate", {{"polyline", id()}, {"range", bad}});
    ASSERT_FALSE(s) << bad;
    EXPECT_NE(s.error().message.find("expected a number > 0"), std::string::npos)
        << s.error().message;
  }
}

TEST_F(PolylineServices, BadParametersAreClearErrors) {
  Status s = run("propagate", {{"polyline", "99"}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("no polyline 99"), std::string::npos) << s.error().message;
  s = run("propagate", {{"polyline", id()}, {"from", "3"}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("no line in frame 3"), std::string::npos) << s.error().message;
  s = run("interpolate", {{"polyline", id()}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("1 keyframe(s)"), std::string::npos) << s.error().message;
  s = run("propagate", {{"polyline", id()}, {"track", "1"}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("unknown parameter 'track'"), std::string::npos);
  // The direction is checked the same way for boxes and polylines.
  for (const auto& [key, value] : {std::pair<std::string, std::string>{"polyline", id()},
                                   std::pair<std::string, std::string>{"track", "0"}}) {
    s = run("propagate", {{key, value}, {"direction", "sideways"}});
    ASSERT_FALSE(s) << key;
    EXPECT_EQ(s.error().code, formats::ErrorCode::kInvalidArgument) << key;
    EXPECT_NE(s.error().message.find("'sideways': expected forward or backward"), std::string::npos)
        << s.error().message;
  }
}

}  // namespace
}  // namespace pcanno::plugin
