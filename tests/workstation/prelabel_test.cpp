// Pre-labelling in the workstation, driven through its shortcuts and the tool bar's min score box:
// this frame (Ctrl+D) and the whole sequence (Ctrl+Alt+D) as jobs with a scripted detector
// registered into the window's registry, Esc cancels, one undo step, and model boxes below the
// threshold hidden from the views and the track list but kept in the document.
#include <cstdlib>

#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QStatusBar>

#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/viewer/workstation/track_list_panel.hpp"
#include "sample_kitti_session.hpp"
#include "scripted_detector.hpp"
#include "workstation_fixture.hpp"

namespace pcanno::test {
namespace {

class WorkstationPrelabel : public WorkstationTest {
 protected:
  void SetUp() override {
    WorkstationTest::SetUp();
    // The ego-motion cache of the sequence job in the test's folder (Mesa fixes its shader cache
    // once per process: keep it out of this folder, which goes).
    ::setenv("MESA_SHADER_CACHE_DISABLE", "true", 0);
    if (const char* home = std::getenv("XDG_CACHE_HOME")) cache_home_ = home;
    ::setenv("XDG_CACHE_HOME", (dir_ / "cache").c_str(), 1);
  }
  void TearDown() override {
    if (cache_home_) {
      ::setenv("XDG_CACHE_HOME", cache_home_->c_str(), 1);
    } else {
      ::unsetenv("XDG_CACHE_HOME");
    }
    WorkstationTest::TearDown();
  }

  /// The sample frames without their boxes (the labels' classes kept), the scripted detector
  /// returning the labels with noise: scores 0.8 for even-numbered truth tracks, 0.3 for odd.
  ws::WorkstationWindow& open_empty() {
    SampleKittiSession sample = open_sample_kitti_session();
    EXPECT_TRUE(sample.session);
    truth_ = sample.truth;
    for (const formats::Track& t : truth_.tracks) {
      formats::Annotations one = truth_;
      one.tracks = {t};
      for (auto& [frame, dets] : detections_from_truth(one, 0.05, 3, t.id % 2 == 0 ? 0.8 : 0.3)) {
        for (plugin::Detection& d : dets) state_->frames[frame].push_back(d);
      }
    }
    formats::Annotations empty = truth_;
    empty.tracks.clear();
    ws::WorkstationWindow& w =
        open(plugin::Session::create(std::move(empty), *sample.session->sequence()));
    w.session().registry().add_detector(scripted_detector_factory("scripted", state_));
    w.set_prelabel_detector("scripted");
    return w;
  }

  /// Truth tracks with a box at `frame` scoring at least `min`.
  std::size_t truth_at(std::int64_t frame, double min = 0.0) const {
    std::size_t n = 0;
    for (const formats::Track& t : truth_.tracks) {
      n += t.at(frame) != nullptr && (t.id % 2 == 0 ? 0.8 : 0.3) >= min;
    }
    return n;
  }

  /// Model boxes of the document at `frame` scoring at least `min`.
  std::size_t model_at(std::int64_t frame, double min) const {
    std::size_t n = 0;
    for (const formats::Track& t : window_->session().document().tracks) {
      const formats::BoxState* b = t.at(frame);
      n += b != nullptr && b->provenance == formats::Provenance::kModel && *b->score >= min;
    }
    return n;
  }

  /// Pre-labels the whole sequence (Ctrl+Alt+D) and returns a track whose pre-label at the current
  /// frame scores below the default threshold (0.5); nullopt when the job or the search failed.
  std::optional<std::int64_t> prelabel_sequence_hiding_one() {
    QTest::keySequence(window_->main_view(), QKeySequence("Ctrl+Alt+D"));
    if (!wait_for_job()) return std::nullopt;
    const std::int64_t frame = window_->session().frame();
    for (const formats::Track& t : window_->session().document().tracks) {
      const formats::BoxState* b = t.at(frame);
      if (b != nullptr && *b->score < 0.5) return t.id;
    }
    return std::nullopt;
  }

  QDoubleSpinBox* threshold_box() {
    return window_->findChild<QDoubleSpinBox*>("prelabel_threshold");
  }

  std::optional<std::string> cache_home_;
  formats::Annotations truth_;
  std::shared_ptr<ScriptedDetectorState> state_ = std::make_shared<ScriptedDetectorState>();
};

TEST_F(WorkstationPrelabel, CtrlDPrelabelsThisFrameAsOneUndoStep) {
  ws::WorkstationWindow& w = open_empty();
  ASSERT_NE(threshold_box(), nullptr);
  w.set_score_threshold(0.0);  // everything shown
  ASSERT_TRUE(w.set_frame(2));
  const std::string before = formats::serialize_pcanno_document(w.session().document());
  QTest::keySequence(w.main_view(), QKeySequence("Ctrl+D"));
  ASSERT_TRUE(w.job_running());
  ASSERT_TRUE(wait_for_job());
  EXPECT_EQ(state_->detected, (std::vector<std::int64_t>{2}));
  const formats::Annotations& doc = w.session().document();
  EXPECT_EQ(doc.tracks.size(), truth_at(2));
  EXPECT_EQ(doc.box_count(), truth_at(2));
  for (const formats::Track& t : doc.tracks) {
    ASSERT_EQ(t.boxes.size(), 1u);
    EXPECT_EQ(t.boxes[0].frame, 2);
    EXPECT_EQ(t.boxes[0].provenance, formats::Provenance::kModel);
    EXPECT_FALSE(t.boxes[0].keyframe);
  }
  EXPECT_EQ(w.main_view()->scene().boxes().size(), truth_at(2));
  EXPECT_TRUE(w.statusBar()->currentMessage().startsWith(
      QString("prelabel: %1 tracks, %1 boxes").arg(truth_at(2))))
      << w.statusBar()->currentMessage().toStdString();
  // One undo step takes it all back; redo brings it again.
  QTest::keySequence(w.main_view(), QKeySequence("Ctrl+Z"));
  EXPECT_EQ(formats::serialize_pcanno_document(w.session().document()), before);
  EXPECT_TRUE(w.main_view()->scene().boxes().empty());
  QTest::keySequence(w.main_view(), QKeySequence("Ctrl+Shift+Z"));
  EXPECT_EQ(w.session().document().box_count(), truth_at(2));
}

TEST_F(WorkstationPrelabel, CtrlAltDPrelabelsTheSequenceAndTheThresholdHidesLowScores) {
  ws::WorkstationWindow& w = open_empty();
  ASSERT_NE(threshold_box(), nullptr);
  EXPECT_DOUBLE_EQ(w.score_threshold(), 0.5);  // the default
  QTest::keySequence(w.main_view(), QKeySequence("Ctrl+Alt+D"));
  ASSERT_TRUE(w.job_running());
  ASSERT_TRUE(wait_for_job());
  EXPECT_EQ(state_->detected, (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
  const std::size_t boxes = w.session().document().box_count();
  const std::size_t tracks = w.session().document().tracks.size();
  ASSERT_GT(boxes, 0u);
  std::size_t low_tracks = 0;
  for (const formats::Track& t : w.session().document().tracks) {
    low_tracks += *t.boxes.front().score < 0.5;
  }
  ASSERT_GT(low_tracks, 0u);
  ASSERT_LT(low_tracks, tracks);

  const std::int64_t frame = w.session().frame();
  ASSERT_GT(model_at(frame, 0.5), 0u);
  ASSERT_GT(model_at(frame, 0.0), model_at(frame, 0.5));
  // Default 0.5: the 0.3 boxes are hidden in the views and the track list.
  EXPECT_EQ(w.main_view()->scene().boxes().size(), model_at(frame, 0.5));
  EXPECT_EQ(w.top_view()->scene().boxes().size(), model_at(frame, 0.5));
  EXPECT_EQ(w.track_list()->visible_tracks().size(), tracks - low_tracks);
  // Lowered through the tool bar's box: they come back; nothing was deleted.
  threshold_box()->setValue(0.2);
  EXPECT_EQ(w.main_view()->scene().boxes().size(), model_at(frame, 0.0));
  EXPECT_EQ(w.track_list()->visible_tracks().size(), tracks);
  // Raised above every score: all hidden, the document unchanged.
  threshold_box()->setValue(0.9);
  EXPECT_TRUE(w.main_view()->scene().boxes().empty());
  EXPECT_TRUE(w.track_list()->visible_tracks().empty());
  EXPECT_EQ(w.session().document().box_count(), boxes);
  threshold_box()->setValue(0.5);
  EXPECT_EQ(w.main_view()->scene().boxes().size(), model_at(frame, 0.5));
  // Hiding is not an edit.
  EXPECT_EQ(w.session().undo_name(), "Pre-label frames 0-4");

  // What is hidden follows the edits: undone, nothing is left to show; redone, the same again.
  ASSERT_TRUE(w.session().undo());
  EXPECT_TRUE(w.track_list()->visible_tracks().empty());
  EXPECT_TRUE(w.main_view()->scene().boxes().empty());
  ASSERT_TRUE(w.session().redo());
  EXPECT_EQ(w.track_list()->visible_tracks().size(), tracks - low_tracks);
  // A low pre-label confirmed at a higher score shows at once.
  for (const formats::Track& t : w.session().document().tracks) {
    if (*t.boxes.front().score >= 0.5) continue;
    formats::BoxState confirmed = t.boxes.front();
    confirmed.score = 0.95;
    ASSERT_TRUE(w.session().apply(plugin::put_box(w.session().document(), t.id, confirmed)));
    break;
  }
  EXPECT_EQ(w.track_list()->visible_tracks().size(), tracks - low_tracks + 1);
}

TEST_F(WorkstationPrelabel, AHiddenPreLabelCannotStaySelected) {
  ws::WorkstationWindow& w = open_empty();
  const std::optional<std::int64_t> low = prelabel_sequence_hiding_one();
  ASSERT_TRUE(low);
  // Shown (threshold 0): it can be selected, as a click would.
  threshold_box()->setValue(0.0);
  w.session().set_selection(plugin::Selection{*low, std::nullopt, std::nullopt});
  EXPECT_EQ(w.session().selection().track, low);
  // Raised over its score: the selection goes with it, so Delete cannot act on an unseen box.
  threshold_box()->setValue(0.5);
  EXPECT_FALSE(w.session().selection().track);
  // Selected while hidden (by a host or a panel): dropped at the next refresh.
  w.session().set_selection(plugin::Selection{*low, std::nullopt, std::nullopt});
  EXPECT_FALSE(w.session().selection().track);
}

TEST_F(WorkstationPrelabel, AClickPassesThroughAHiddenPreLabelToTheBoxBelow) {
  ws::WorkstationWindow& w = open_empty();
  const std::optional<std::int64_t> low = prelabel_sequence_hiding_one();
  ASSERT_TRUE(low);
  const std::int64_t frame = w.session().frame();
  // A manual box inside the pre-label's footprint and lower: seen from above, the pre-label
  // covers it.
  const geometry::Cuboid model = *w.session().box_in_world(*low, frame);
  plugin::NewBox below;
  below.frame = frame;
  below.shape_frame = w.session().shape_frame_for(frame);
  below.box = model;
  below.box.size = Eigen::Vector3d(0.6 * model.size.x(), 0.6 * model.size.y(), 0.5 * model.size.z());
  below.box.center.z() -= 0.25 * model.size.z();
  const std::int64_t manual = plugin::next_track_id(w.session().document());
  ASSERT_TRUE(w.session().apply(plugin::create_track(w.session().document(), below)));
  QApplication::processEvents();
  ws::SceneView* top = w.top_view();
  // (The top view turns with the selected box's heading: aim anew for each click.)
  threshold_box()->setValue(0.0);  // shown: a click on its centre takes the pre-label on top
  click(top, top->pixel_of(model.center).toPoint());
  EXPECT_EQ(w.session().selection().track, low);
  threshold_box()->setValue(0.5);  // hidden: the same click reaches the manual box under it
  click(top, top->pixel_of(model.center).toPoint());
  EXPECT_EQ(w.session().selection().track, manual);
}

TEST_F(WorkstationPrelabel, EscCancelsAndNothingChanges) {
  ws::WorkstationWindow& w = open_empty();
  state_->wait_for_stop = true;  // the detector runs until told to stop
  const std::string before = formats::serialize_pcanno_document(w.session().document());
  QTest::keySequence(w.main_view(), QKeySequence("Ctrl+D"));
  ASSERT_TRUE(w.job_running());
  QTest::qWait(100);
  ASSERT_TRUE(w.job_running());
  QTest::keyClick(w.main_view(), Qt::Key_Escape);
  QElapsedTimer timer;
  timer.start();
  while (w.job_running() && timer.elapsed() < 1000) QTest::qWait(10);
  EXPECT_FALSE(w.job_running());
  EXPECT_TRUE(w.statusBar()->currentMessage().contains("cancelled"))
      << w.statusBar()->currentMessage().toStdString();
  EXPECT_EQ(formats::serialize_pcanno_document(w.session().document()), before);
  EXPECT_FALSE(w.session().can_undo());
}

TEST_F(WorkstationPrelabel, AMissingDetectorIsSaid) {
  ws::WorkstationWindow& w = open_empty();
  w.set_prelabel_detector("nope");
  QTest::keySequence(w.main_view(), QKeySequence("Ctrl+D"));
  wait_for_job();
  EXPECT_TRUE(w.statusBar()->currentMessage().contains("no detector 'nope'"))
      << w.statusBar()->currentMessage().toStdString();
  EXPECT_EQ(w.session().document().box_count(), 0u);
}

}  // namespace
}  // namespace pcanno::test
