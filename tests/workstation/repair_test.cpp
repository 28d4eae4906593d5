// Track repair through the real window (the sample KITTI tracking frames 0-4 with their labels:
// track 0 a van, 1 a cyclist, 2 a pedestrian, each with a box at every frame): the Track menu's
// keys split, merge (and refuse a merge, naming the frames), undo, extend a track with N, and flip
// the heading over a range typed into the range dialog.
#include <cmath>

#include <QInputDialog>
#include <QLineEdit>
#include <QStatusBar>

#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/viewer/workstation/track_list_panel.hpp"
#include "workstation_fixture.hpp"

namespace pcanno::test {
namespace {

std::vector<std::int64_t> frames_of(const plugin::Session& s, std::int64_t id) {
  std::vector<std::int64_t> out;
  if (const formats::Track* t = s.document().track(id)) {
    for (const formats::BoxState& b : t->boxes) out.push_back(b.frame);
  }
  return out;
}

std::string text(const plugin::Session& s) {
  return formats::serialize_pcanno_document(s.document());
}

/// Presses `key` with `modifiers` as the user would, the main view focused (window shortcuts).
void press(ws::WorkstationWindow& w, Qt::Key key,
           Qt::KeyboardModifiers modifiers = Qt::NoModifier) {
  w.main_view()->setFocus();
  QTest::keyClick(w.main_view(), key, modifiers);
  QTest::qWait(30);
}

TEST_F(WorkstationTest, SplitThenMergeWithTheKeysAndUndo) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
  plugin::Session& s = w.session();
  ASSERT_EQ(frames_of(s, 0), (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
  const std::string start = text(s);

  // Ctrl+X splits the selected track at this frame; the rest is a new, selected track.
  w.select_track(0);
  ASSERT_TRUE(w.set_frame(3));
  press(w, Qt::Key_X, Qt::ControlModifier);
  ASSERT_EQ(frames_of(s, 0), (std::vector<std::int64_t>{0, 1, 2}));
  ASSERT_TRUE(s.selection().track);
  const std::int64_t tail = *s.selection().track;
  EXPECT_NE(tail, 0);
  EXPECT_EQ(frames_of(s, tail), (std::vector<std::int64_t>{3, 4}));
  EXPECT_EQ(s.undo_name(), "Split track");

  // The panel shows the pair Ctrl+M would merge (the track selected before: 0) and that it can.
  EXPECT_EQ(w.merge_partner(), std::optional<std::int64_t>(0));
  EXPECT_TRUE(w.track_list()->merge_text().contains(QString("into #0: possible")))
      << w.track_list()->merge_text().toStdString();
  // Ctrl+M merges the selected track into the one selected before it: one undo step.
  press(w, Qt::Key_M, Qt::ControlModifier);
  EXPECT_EQ(frames_of(s, 0), (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(s.document().track(tail), nullptr);
  EXPECT_EQ(s.selection().track, std::optional<std::int64_t>(0));
  EXPECT_EQ(s.undo_name(), "Merge tracks");
  EXPECT_TRUE(w.statusBar()->currentMessage().contains("merged track"));

  press(w, Qt::Key_Z, Qt::ControlModifier);  // undo the merge
  EXPECT_EQ(frames_of(s, tail), (std::vector<std::int64_t>{3, 4}));
  EXPECT_EQ(frames_of(s, 0), (std::vector<std::int64_t>{0, 1, 2}));
  press(w, Qt::Key_Z, Qt::ControlModifier);  // and the split
  EXPECT_EQ(text(s), start);
}

TEST_F(WorkstationTest, ARefusedMergeNamesEveryOverlappingFrame) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
  plugin::Session& s = w.session();
  const std::string start = text(s);
  // Track 1 loses its boxes at frames 1 and 3: tracks 0 and 1 still share frames 0, 2, 4.
  w.select_track(1);
  ASSERT_TRUE(w.delete_selected_frames(1, 1));
  ASSERT_TRUE(w.delete_selected_frames(3, 3));
  const std::string edited = text(s);
  w.select_track(0);
  w.select_track(1);
  QTest::qWait(30);
  EXPECT_TRUE(w.track_list()->merge_text().contains("blocked: both have boxes at frames 0, 2, 4"))
      << w.track_list()->merge_text().toStdString();
  // The row of track 0 says so in its tip too.
  press(w, Qt::Key_M, Qt::ControlModifier);
  EXPECT_EQ(text(s), edited) << "nothing merged";
  const QString said = w.statusBar()->currentMessage();
  EXPECT_TRUE(said.contains("tracks 0 and 1 both have boxes at frames 0, 2, 4"))
      << said.toStdString();
  press(w, Qt::Key_Z, Qt::ControlModifier);
  press(w, Qt::Key_Z, Qt::ControlModifier);
  EXPECT_EQ(text(s), start);
}

TEST_F(WorkstationTest, ExtendMakesTheNewBoxJoinTheSelectedTrack) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
  plugin::Session& s = w.session();
  w.select_track(0);
  ASSERT_TRUE(w.delete_selected_frames(3, 4));  // the van "lost" after frame 2
  const std::size_t tracks = s.document().tracks.size();
  ASSERT_TRUE(w.set_frame(3));
  w.select_track(0);
  press(w, Qt::Key_N, Qt::ControlModifier | Qt::ShiftModifier);
  ASSERT_TRUE(w.extend());
  press(w, Qt::Key_N);
  ASSERT_EQ(w.tools().active_id(), "cuboid-create");
  ws::SceneView* top = w.top_view();
  const geometry::Cuboid at2 = *s.box_in_world(0, 2);
  // A drag around where the van was a frame ago.
  const QPoint a = top->pixel_of(at2.center + Eigen::Vector3d(-2.0, -1.0, 0.0)).toPoint();
  const QPoint b = top->pixel_of(at2.center + Eigen::Vector3d(2.0, 1.0, 0.0)).toPoint();
  drag(top, a, b);
  QTest::qWait(30);
  EXPECT_EQ(s.document().tracks.size(), tracks) << "no new track";
  EXPECT_EQ(frames_of(s, 0), (std::vector<std::int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(s.selection().track, std::optional<std::int64_t>(0));
  EXPECT_EQ(s.undo_name(), "Extend track");
  EXPECT_EQ(w.tools().active_id(), "cuboid-edit");
  press(w, Qt::Key_Z, Qt::ControlModifier);
  EXPECT_EQ(frames_of(s, 0), (std::vector<std::int64_t>{0, 1, 2}));
  // Off again: N makes a new track.
  press(w, Qt::Key_N, Qt::ControlModifier | Qt::ShiftModifier);
  EXPECT_FALSE(w.extend());
}

TEST_F(WorkstationTest, FlipTheHeadingOverARangeFromTheDialog) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
  plugin::Session& s = w.session();
  const std::string start = text(s);
  std::vector<double> yaw;
  for (std::int64_t f = 0; f <= 4; ++f) yaw.push_back(s.document().track(0)->at(f)->box.yaw());
  w.select_track(0);
  ASSERT_TRUE(w.set_frame(1));
  // The dialog offers "1-4" (here to the track's end); the annotator types 1-3.
  QString offered;
  when_modal<QInputDialog>([&offered](QInputDialog* d) {
    offered = d->textValue();
    d->setTextValue("1-3");
    d->accept();
  });
  press(w, Qt::Key_H, Qt::ControlModifier | Qt::ShiftModifier);
  EXPECT_EQ(offered, "1-4");
  constexpr double kPi = 3.14159265358979323846;
  for (std::int64_t f = 0; f <= 4; ++f) {
    const double now = s.document().track(0)->at(f)->box.yaw();
    const double turned = std::remainder(now - yaw[static_cast<std::size_t>(f)], 2 * kPi);
    if (f >= 1 && f <= 3) {
      EXPECT_NEAR(std::abs(turned), kPi, 1e-9) << "frame " << f;
    } else {
      EXPECT_NEAR(turned, 0.0, 1e-12) << "frame " << f;
    }
  }
  EXPECT_EQ(s.undo_name(), "Flip heading");
  press(w, Qt::Key_Z, Qt::ControlModifier);
  EXPECT_EQ(text(s), start);
}

TEST_F(WorkstationTest, RelinkMovesThisFramesBoxToThePreviouslySelectedTrack) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
  plugin::Session& s = w.session();
  // A new track 3 holding only the cyclist's frame 4 (Ctrl+Shift+R), then the frame goes back
  // (select 1 after 3: Ctrl+R moves 3's box into 1, and 3 goes with its last box).
  w.select_track(1);
  ASSERT_TRUE(w.set_frame(4));
  press(w, Qt::Key_R, Qt::ControlModifier | Qt::ShiftModifier);
  ASSERT_TRUE(s.selection().track);
  const std::int64_t fresh = *s.selection().track;
  EXPECT_EQ(frames_of(s, fresh), (std::vector<std::int64_t>{4}));
  EXPECT_EQ(frames_of(s, 1), (std::vector<std::int64_t>{0, 1, 2, 3}));
  w.select_track(1);
  w.select_track(fresh);
  press(w, Qt::Key_R, Qt::ControlModifier);
  EXPECT_EQ(frames_of(s, 1), (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(s.document().track(fresh), nullptr);
  EXPECT_EQ(s.undo_name(), "Relink box");
}

TEST_F(WorkstationTest, RefitRunsAsAJobAndFitsEveryBoxAsOneStep) {
  ws::WorkstationOptions options;
  ws::WorkstationWindow& w = open(options);
  plugin::Session& s = w.session();
  const std::string start = text(s);
  w.select_track(0);
  press(w, Qt::Key_F, Qt::ControlModifier | Qt::AltModifier);
  ASSERT_TRUE(wait_for_job());
  const QString said = w.statusBar()->currentMessage();
  EXPECT_TRUE(said.contains("re-fitted")) << said.toStdString();
  std::size_t fitted = 0;
  for (const formats::BoxState& b : s.document().track(0)->boxes) {
    fitted += b.provenance == formats::Provenance::kFitted ? 1 : 0;
  }
  EXPECT_GE(fitted, 4u);  // the van is well covered in every frame
  EXPECT_EQ(s.undo_name(), "Refit track");
  ASSERT_TRUE(w.undo());
  EXPECT_EQ(text(s), start);
}

}  // namespace
}  // namespace pcanno::test
