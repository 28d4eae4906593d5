// Long jobs in the workstation: progress with the step's name in the status bar, Esc or the
// Cancel button stops them promptly and nothing changes; export and the full checks run as jobs;
// while one runs, the edit gate is closed and no edit gets through.
#include <cstdlib>

#include <QAction>
#include <QActionGroup>
#include <QElapsedTimer>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QStatusBar>

#include "long_sequence.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/viewer/workstation/class_palette_panel.hpp"
#include "pcanno/viewer/workstation/edit_gate.hpp"
#include "pcanno/viewer/workstation/timeline_widget.hpp"
#include "pcanno/viewer/workstation/track_list_panel.hpp"
#include "workstation_fixture.hpp"

namespace pcanno::test {
namespace {

namespace fs = std::filesystem;

class WorkstationJobs : public WorkstationTest {
 protected:
  void TearDown() override {
    if (had_cache_home_) {
      ::setenv("XDG_CACHE_HOME", cache_home_.c_str(), 1);
    } else {
      ::unsetenv("XDG_CACHE_HOME");
    }
    WorkstationTest::TearDown();
  }

  /// The window over the 600-frame street without poses, its parked car selected.
  ws::WorkstationWindow& open_long_street() {
    // The ego-motion cache in the test's folder. The GL driver (Mesa) fixes its shader cache's
    // folder from XDG_CACHE_HOME once per process: it must not be this test's, which goes.
    ::setenv("MESA_SHADER_CACHE_DISABLE", "true", 0);
    if (const char* home = std::getenv("XDG_CACHE_HOME")) {
      had_cache_home_ = true;
      cache_home_ = home;
    }
    fs::create_directories(dir_ / "cache");
    ::setenv("XDG_CACHE_HOME", (dir_ / "cache").c_str(), 1);
    write_street_scans(dir_ / "scans", long_street());
    auto seq = formats::open_sequence(dir_ / "scans");
    EXPECT_TRUE(seq) << (seq ? "" : seq.error().describe());
    ws::WorkstationWindow& w =
        open(plugin::Session::create(parked_car_document(*seq), std::move(*seq)));
    w.select_track(1);
    return w;
  }

  /// Processes events until `done()` or `ms` have passed; whether `done()` held.
  template <typename Done>
  static bool wait_until(Done done, int ms) {
    QElapsedTimer timer;
    timer.start();
    while (!done() && timer.elapsed() < ms) QTest::qWait(10);
    return done();
  }

  bool had_cache_home_ = false;
  std::string cache_home_;

  QProgressBar* job_bar() { return window_->findChild<QProgressBar*>("job_progress"); }
  QPushButton* cancel_button() { return window_->findChild<QPushButton*>("job_cancel"); }

  /// The menu bar's action called `text` ("&Undo"), or nullptr.
  QAction* action(const QString& text) {
    for (QAction* a : window_->menuBar()->findChildren<QAction*>()) {
      if (a->text() == text) return a;
    }
    return nullptr;
  }

  /// The edit actions and panels, and whether each is enabled.
  std::vector<std::pair<std::string, bool>> edit_controls() {
    std::vector<std::pair<std::string, bool>> controls;
    for (const char* text : {"&Undo", "&Redo", "&New box", "&Propagate track or polyline",
                             "Po&lyline", "&Save",
                             "&Next frame", "Class 1", "Nudge left", "cuboid-create"}) {
      QAction* a = action(text);
      EXPECT_NE(a, nullptr) << text;
      if (a) controls.emplace_back(text, a->isEnabled());
    }
    controls.emplace_back("track list", window_->track_list()->isEnabled());
    controls.emplace_back("class palette", window_->class_palette()->isEnabled());
    controls.emplace_back("frame slider", window_->frame_slider()->isEnabled());
    return controls;
  }
};

TEST_F(WorkstationJobs, EscCancelsARunningPropagateAndNothingChanges) {
  ws::WorkstationWindow& w = open_long_street();
  const std::string before = formats::serialize_pcanno_document(w.session().document());
  ASSERT_NE(job_bar(), nullptr);
  QTest::keyClick(w.main_view(), Qt::Key_P);
  ASSERT_TRUE(w.job_running());
  // The bar names the step and moves: not 0% throughout the ego-motion estimate.
  ASSERT_TRUE(wait_until([&] { return job_bar()->value() > 0; }, 5000))
      << job_bar()->text().toStdString();
  ASSERT_TRUE(w.job_running()) << "the estimate of 600 frames ended already";
  EXPECT_TRUE(job_bar()->isVisible());
  EXPECT_TRUE(cancel_button()->isVisible());
  EXPECT_TRUE(w.job_progress_text().startsWith("estimating ego motion"))
      << w.job_progress_text().toStdString();
  EXPECT_TRUE(w.job_progress_text().endsWith("%")) << w.job_progress_text().toStdString();

  // Esc, wherever the focus is: here the frame slider's.
  w.frame_slider()->setFocus();
  QTest::keyClick(w.frame_slider(), Qt::Key_Escape);
  EXPECT_TRUE(w.job_progress_text().startsWith("cancelling"))
      << w.job_progress_text().toStdString();
  // The worker stops within half a second; the window notices within its next poll.
  EXPECT_TRUE(wait_until([&] { return !w.job_running(); }, 1000));
  EXPECT_FALSE(job_bar()->isVisible());
  EXPECT_FALSE(cancel_button()->isVisible());
  EXPECT_TRUE(w.statusBar()->currentMessage().contains("cancelled"))
      << w.statusBar()->currentMessage().toStdString();
  EXPECT_EQ(formats::serialize_pcanno_document(w.session().document()), before);
  EXPECT_FALSE(w.session().can_undo());
  // The window is the annotator's again: frames step, and Esc no longer belongs to the job.
  QTest::keyClick(w.main_view(), Qt::Key_Right);
  EXPECT_EQ(w.session().frame(), 1);
}

TEST_F(WorkstationJobs, WhileAJobRunsTheEditGateIsClosedAndEditsChangeNothing) {
  ws::WorkstationWindow& w = open_long_street();
  const std::string before = formats::serialize_pcanno_document(w.session().document());
  ASSERT_TRUE(w.edit_gate().is_open());
  for (const auto& [name, enabled] : edit_controls()) EXPECT_TRUE(enabled) << name;
  EXPECT_FALSE(action("Cancel the running &job")->isEnabled());

  QTest::keyClick(w.main_view(), Qt::Key_P);
  ASSERT_TRUE(w.job_running());
  EXPECT_FALSE(w.edit_gate().is_open());
  for (const auto& [name, enabled] : edit_controls()) EXPECT_FALSE(enabled) << name;
  for (QAction* a : w.edit_gate().actions()->actions()) {
    EXPECT_FALSE(a->isEnabled()) << a->text().toStdString();
  }
  EXPECT_TRUE(action("Cancel the running &job")->isEnabled());
  EXPECT_TRUE(action("&Bird's eye")->isEnabled());  // looking around stays open

  // Edit attempts, each of which would change the document between jobs: Delete (the picker
  // deletes the selected car), N and a drag in the top view (a new box), the next frame, undo.
  w.main_view()->setFocus();
  QTest::keyClick(w.main_view(), Qt::Key_Delete);
  QTest::keyClick(w.main_view(), Qt::Key_N);
  EXPECT_EQ(w.tools().active_id(), "cuboid-edit");
  ws::SceneView* top = w.top_view();
  drag(top, QPoint(top->width() / 4, top->height() / 4), QPoint(top->width() / 3, top->height() / 3));
  QTest::keyClick(w.main_view(), Qt::Key_Right);
  EXPECT_FALSE(w.undo());
  const formats::Status tool = w.start_tool("cuboid-create");
  ASSERT_FALSE(tool);
  EXPECT_EQ(tool.error().code, formats::ErrorCode::kBusy);
  ASSERT_TRUE(w.job_running()) << "the job ended during the attempts; they prove nothing";
  EXPECT_EQ(w.session().frame(), 0);
  EXPECT_EQ(w.tools().active_id(), "cuboid-edit");
  EXPECT_EQ(formats::serialize_pcanno_document(w.session().document()), before);

  // Cancelled: the gate opens again and the same Delete deletes the car.
  w.cancel_job();
  ASSERT_TRUE(wait_until([&] { return !w.job_running(); }, 1000));
  EXPECT_TRUE(w.edit_gate().is_open());
  for (const auto& [name, enabled] : edit_controls()) EXPECT_TRUE(enabled) << name;
  EXPECT_FALSE(action("Cancel the running &job")->isEnabled());
  EXPECT_EQ(formats::serialize_pcanno_document(w.session().document()), before);
  ASSERT_NE(w.session().document().track(1), nullptr);
  w.main_view()->setFocus();
  QTest::keyClick(w.main_view(), Qt::Key_Delete);
  EXPECT_EQ(w.session().document().track(1), nullptr);
}

TEST_F(WorkstationJobs, TheCancelButtonStopsItToo) {
  ws::WorkstationWindow& w = open_long_street();
  ASSERT_TRUE(w.propagate_selected());
  QTest::qWait(300);
  ASSERT_TRUE(w.job_running());
  QTest::mouseClick(cancel_button(), Qt::LeftButton);
  EXPECT_TRUE(wait_until([&] { return !w.job_running(); }, 1000));
  EXPECT_EQ(w.session().document().track(1)->boxes.size(), 1u);
}

TEST_F(WorkstationJobs, ExportAndTheFullChecksRunAsJobs) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});  // the sample's 3 tracks
  const fs::path out = dir_ / "labels.txt";
  ASSERT_TRUE(w.export_labels_job(out, "kitti-tracking"));
  EXPECT_TRUE(w.job_running());
  EXPECT_FALSE(w.export_labels_job(dir_ / "again.txt", "kitti-tracking"));  // one job at a time
  ASSERT_TRUE(wait_for_job());
  EXPECT_TRUE(fs::exists(out));
  EXPECT_TRUE(
      w.statusBar()->currentMessage().startsWith("exported as kitti-tracking: wrote 15 boxes"))
      << w.statusBar()->currentMessage().toStdString();
  EXPECT_FALSE(w.export_labels_job(dir_ / "x", "no-such-format"));

  // Ctrl+K: every check, points in boxes counted from the clouds.
  QTest::keyClick(w.main_view(), Qt::Key_K, Qt::ControlModifier);
  ASSERT_TRUE(wait_for_job());
  EXPECT_EQ(w.qa_report().clouds_read, w.session().frame_count());
  EXPECT_TRUE(w.statusBar()->currentMessage().startsWith("check:"))
      << w.statusBar()->currentMessage().toStdString();
}

}  // namespace
}  // namespace pcanno::test
