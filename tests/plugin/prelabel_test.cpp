// The "prelabel" service on the sample KITTI tracking frames (0-4 of 0000, no poses) with scripted
// detectors: model boxes with scores in one undo step, re-runs replace them, manual boxes are
// never touched, unknown classes are reported, cancel changes nothing.
#include "pcanno/plugin/services/prelabel_service.hpp"

#include <cstdlib>
#include <stdexcept>

#include <gtest/gtest.h>

#include "pcanno/formats/labels/document/edit.hpp"
#include "pcanno/geometry/iou.hpp"
#include "pcanno/plugin/automation/prelabel.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/session.hpp"
#include "sample_kitti_session.hpp"
#include "scripted_detector.hpp"
#include "temp_dir.hpp"

namespace pcanno::plugin {
namespace {

using formats::AttributeMap;
using formats::ErrorCode;

class Prelabel : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("XDG_CACHE_HOME", cache_.path().c_str(), 1);  // the ego-motion cache
    test::SampleKittiSession sample = test::open_sample_kitti_session();
    ASSERT_TRUE(sample.session);
    truth_ = std::move(sample.truth);
    // The labels' tracks go; the frames and the class schema stay.
    formats::Annotations empty = truth_;
    empty.tracks.clear();
    session_ = Session::create(std::move(empty), *sample.session->sequence());
    state_->frames = test::detections_from_truth(truth_, 0.05, 1);
    session_->registry().add_detector(test::scripted_detector_factory("scripted", state_));
  }

  formats::Status run(AttributeMap p, const Progress& progress = {}) {
    if (p.count("detector") == 0) p["detector"] = "scripted";
    return session_->registry().service("prelabel")->run(*session_, p, progress);
  }

  /// Truth tracks with a box in at least `hits` frames of first..last.
  std::size_t truth_tracks(std::size_t hits, std::int64_t first = 0, std::int64_t last = 4) const {
    std::size_t n = 0;
    for (const formats::Track& t : truth_.tracks) {
      std::size_t in = 0;
      for (const formats::BoxState& b : t.boxes) in += b.frame >= first && b.frame <= last;
      n += in >= hits;
    }
    return n;
  }

  std::size_t model_boxes() const {
    std::size_t n = 0;
    for (const formats::Track& t : session_->document().tracks) {
      for (const formats::BoxState& b : t.boxes) n += b.provenance == formats::Provenance::kModel;
    }
    return n;
  }

  test::TempDir cache_;
  formats::Annotations truth_;
  std::unique_ptr<Session> session_;
  std::shared_ptr<test::ScriptedDetectorState> state_ =
      std::make_shared<test::ScriptedDetectorState>();
};

TEST_F(Prelabel, MakesModelTracksFromDetections) {
  ASSERT_TRUE(run({}));
  const formats::Annotations& doc = session_->document();
  // Every truth object seen in three of the five frames becomes one track (birth after 3 hits).
  EXPECT_EQ(doc.tracks.size(), truth_tracks(3));
  ASSERT_FALSE(doc.tracks.empty());
  for (const formats::Track& t : doc.tracks) {
    for (const formats::BoxState& b : t.boxes) {
      EXPECT_EQ(b.provenance, formats::Provenance::kModel);
      EXPECT_FALSE(b.keyframe);
      ASSERT_TRUE(b.score);
      EXPECT_DOUBLE_EQ(*b.score, 0.9);
      // Near a truth box of the track's class at that frame; without poses of its own the
      // session stores new boxes in the LiDAR frame, as the labels are.
      EXPECT_EQ(b.shape_frame, formats::ShapeFrame::kLidar);
      double best = 0.0;
      for (const formats::Track& truth : truth_.tracks) {
        const formats::BoxState* tb = truth.at(b.frame);
        if (tb != nullptr && truth.label == t.label) {
          best = std::max(best, geometry::iou_bev(tb->box, b.box));
        }
      }
      EXPECT_GT(best, 0.6) << "track " << t.id << " frame " << b.frame;
    }
  }
  const PrelabelOutcome* outcome = last_prelabel_outcome(session_->registry());
  ASSERT_NE(outcome, nullptr);
  EXPECT_EQ(outcome->tracks, doc.tracks.size());
  EXPECT_EQ(outcome->boxes, doc.box_count());
  EXPECT_EQ(state_->detected, (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
}

TEST_F(Prelabel, IsOneUndoStep) {
  const formats::Annotations before = session_->document();
  ASSERT_TRUE(run({}));
  ASSERT_GT(session_->document().box_count(), 0u);
  EXPECT_EQ(session_->undo_name(), "Pre-label frames 0-4");
  ASSERT_TRUE(session_->undo());
  EXPECT_EQ(session_->document().box_count(), 0u);
  EXPECT_EQ(session_->document().classes.size(), before.classes.size());
  EXPECT_FALSE(session_->can_undo());
  ASSERT_TRUE(session_->redo());
  EXPECT_EQ(session_->document().tracks.size(), truth_tracks(3));
}

TEST_F(Prelabel, ARerunReplacesTheModelBoxesOfItsRange) {
  ASSERT_TRUE(run({}));
  const std::size_t first = model_boxes();
  ASSERT_TRUE(run({}));
  EXPECT_EQ(model_boxes(), first);  // replaced, not doubled
  // Frames 3-4 again (two frames: birth after 2 hits): the model boxes at 0-2 stay.
  ASSERT_TRUE(run({{"frames", "3-4"}}));
  std::size_t early = 0;
  std::size_t late = 0;
  for (const formats::Track& t : session_->document().tracks) {
    for (const formats::BoxState& b : t.boxes) (b.frame <= 2 ? early : late) += 1;
  }
  std::size_t truth_early = 0;
  std::size_t truth_late = 0;
  for (const formats::Track& t : truth_.tracks) {
    if (t.boxes.size() < 3) continue;
    for (const formats::BoxState& b : t.boxes) (b.frame <= 2 ? truth_early : truth_late) += 1;
  }
  EXPECT_EQ(early, truth_early);
  EXPECT_EQ(model_boxes(), early + late);
  EXPECT_GT(late, 0u);
}

TEST_F(Prelabel, NeverTouchesManualBoxesAndDoesNotDuplicateThem) {
  // A person's track (the truth's first) in the document; its model twin is left out.
  const formats::Track manual = truth_.tracks.front();
  ASSERT_TRUE(session_->apply(Command{"manual", {formats::TrackEdit{manual.id, manual}}}));
  ASSERT_TRUE(run({}));
  const formats::Track* kept = session_->document().track(manual.id);
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(kept->boxes.size(), manual.boxes.size());
  for (std::size_t i = 0; i < kept->boxes.size(); ++i) {
    EXPECT_EQ(kept->boxes[i].provenance, manual.boxes[i].provenance);
    EXPECT_EQ(kept->boxes[i].box.center, manual.boxes[i].box.center);
  }
  const std::size_t twins = manual.boxes.size() >= 3 ? 1 : 0;
  EXPECT_EQ(session_->document().tracks.size(), truth_tracks(3) - twins + 1);
  ASSERT_TRUE(run({}));  // a re-run still leaves the manual track alone
  EXPECT_EQ(session_->document().track(manual.id)->boxes.size(), manual.boxes.size());
  const PrelabelOutcome* outcome = last_prelabel_outcome(session_->registry());
  ASSERT_NE(outcome, nullptr);
  if (twins) {
    ASSERT_FALSE(outcome->notes.empty());
    EXPECT_NE(outcome->notes.back().find("an existing box covers the object"), std::string::npos);
  }
}

TEST_F(Prelabel, ReportsClassesTheSchemaLacks) {
  plugin::Detection ufo;
  ufo.class_name = "Spaceship";
  ufo.box_in_lidar = geometry::Cuboid::from_yaw({10, 0, 0}, {5, 5, 2}, 0.0);
  ufo.score = 0.99;
  for (std::int64_t f = 0; f < 5; ++f) state_->frames[f].push_back(ufo);
  ASSERT_TRUE(run({}));
  for (const formats::Track& t : session_->document().tracks) EXPECT_NE(t.label, "Spaceship");
  const PrelabelOutcome* outcome = last_prelabel_outcome(session_->registry());
  ASSERT_NE(outcome, nullptr);
  bool said = false;
  for (const std::string& n : outcome->notes) {
    said = said || n == "5 detections of class 'Spaceship' left out: not in the class schema";
  }
  EXPECT_TRUE(said);
}

TEST_F(Prelabel, ASingleFrameMakesATrackPerDetection) {
  ASSERT_TRUE(run({{"frames", "2"}}));
  std::size_t at_2 = 0;
  for (const formats::Track& t : truth_.tracks) at_2 += t.at(2) != nullptr;
  EXPECT_EQ(session_->document().tracks.size(), at_2);
  EXPECT_EQ(session_->document().box_count(), at_2);
  EXPECT_EQ(state_->detected, (std::vector<std::int64_t>{2}));
  EXPECT_EQ(session_->undo_name(), "Pre-label frame 2");
}

TEST_F(Prelabel, MinScoreDropsDetections) {
  for (auto& [f, dets] : state_->frames) {
    for (std::size_t i = 0; i < dets.size(); ++i) dets[i].score = i % 2 == 0 ? 0.8 : 0.3;
  }
  ASSERT_TRUE(run({{"min_score", "0.5"}}));
  for (const formats::Track& t : session_->document().tracks) {
    for (const formats::BoxState& b : t.boxes) EXPECT_GE(*b.score, 0.5);
  }
  EXPECT_GT(session_->document().box_count(), 0u);
}

TEST_F(Prelabel, CancelChangesNothing) {
  const formats::Status s = run({}, [](double f) { return f < 0.5; });
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(session_->document().box_count(), 0u);
  EXPECT_FALSE(session_->can_undo());
  // A detector that waits for the stop is stopped too.
  state_->wait_for_stop = true;
  int calls = 0;
  const formats::Status waited = run({{"frames", "1"}}, [&calls](double) { return ++calls < 20; });
  ASSERT_FALSE(waited);
  EXPECT_EQ(waited.error().code, ErrorCode::kCancelled);
  EXPECT_FALSE(session_->can_undo());
}

TEST_F(Prelabel, ClearErrors) {
  formats::Status s = run({{"detector", "nope"}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kNotFound);
  EXPECT_NE(s.error().message.find("no detector 'nope'"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("scripted"), std::string::npos) << s.error().message;

  s = run({{"frames", "3-9"}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("frames 0-4"), std::string::npos) << s.error().message;
  s = run({{"frames", "4-2"}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("expected A-B"), std::string::npos) << s.error().message;
  s = run({{"min_score", "1.5"}});
  ASSERT_FALSE(s);
  s = run({{"bogus", "1"}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("unknown parameter 'bogus'"), std::string::npos);

  state_->fail_at = 3;
  s = run({});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "frame 3: the model crashed");
  EXPECT_EQ(session_->document().box_count(), 0u);
}

TEST_F(Prelabel, DetectorParametersReachTheDetector) {
  ASSERT_TRUE(run({{"frames", "0"}, {"detector.threshold", "0.4"}, {"detector.mode", "fast"}}));
  ASSERT_FALSE(state_->created_with.empty());
  EXPECT_EQ(state_->created_with.back(), (AttributeMap{{"threshold", "0.4"}, {"mode", "fast"}}));
  const formats::Status s = run({{"detector.refuse", "1"}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("detector 'scripted': unknown parameter 'refuse'"),
            std::string::npos)
      << s.error().message;
}

/// A plugin's detector that breaks the "must not throw" rule, when starting or on frame 2.
class ThrowingDetector : public Detector {
 public:
  formats::Expected<std::vector<Detection>> detect(const DetectorFrame& frame,
                                                   const std::function<bool()>&) override {
    if (frame.index == 2) throw std::runtime_error("tensor shape mismatch");
    return std::vector<Detection>{};
  }
};

TEST_F(Prelabel, ADetectorsExceptionIsAnErrorNotACrash) {
  DetectorFactory factory;
  factory.info.id = "throwing";
  factory.create = [](const AttributeMap& p) -> formats::Expected<std::unique_ptr<Detector>> {
    if (p.count("fail_start") != 0) throw std::runtime_error("no GPU");
    return std::unique_ptr<Detector>(std::make_unique<ThrowingDetector>());
  };
  session_->registry().add_detector(factory);
  formats::Status s = run({{"detector", "throwing"}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("frame 2"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("tensor shape mismatch"), std::string::npos);
  s = run({{"detector", "throwing"}, {"detector.fail_start", "1"}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("'throwing'"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("no GPU"), std::string::npos) << s.error().message;
  EXPECT_EQ(session_->document().box_count(), 0u);
}

TEST(PrelabelRange, ParsesAAndAB) {
  using Range = std::pair<std::int64_t, std::int64_t>;
  EXPECT_EQ(*parse_frame_range("3-7"), Range(3, 7));
  EXPECT_EQ(*parse_frame_range("5"), Range(5, 5));
  for (const char* bad : {"", "-", "3-", "-4", "a-b", "7-3", "1-2-3", " 1-2"}) {
    EXPECT_FALSE(parse_frame_range(bad)) << bad;
  }
}

}  // namespace
}  // namespace pcanno::plugin
