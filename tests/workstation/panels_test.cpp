// The panels against the engine: timeline cells vs the boxes' provenance and QA findings, the
// track list filter and selection, class hotkeys; and `pcanno view` on the command line.
#include <QLineEdit>
#include <QListWidget>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/viewer/workstation/class_palette_panel.hpp"
#include "pcanno/viewer/workstation/timeline_widget.hpp"
#include "pcanno/viewer/workstation/track_list_panel.hpp"
#include "run_command.hpp"
#include "workstation_fixture.hpp"

namespace pcanno::test {
namespace {

using formats::Provenance;

formats::BoxState state(std::int64_t frame, double x, double yaw, Provenance p, bool key) {
  formats::BoxState s;
  s.frame = frame;
  s.box = geometry::Cuboid::from_yaw({x, 0.0, -0.8}, {4.2, 1.8, 1.6}, yaw);
  s.provenance = p;
  s.keyframe = key;
  return s;
}

TEST_F(WorkstationTest, TimelineShowsProvenanceAndQaFlags) {
  auto seq = formats::open_sequence(sample_);
  ASSERT_TRUE(seq);
  formats::Annotations doc;
  for (const formats::FrameRef& f : seq->frames) doc.frames.push_back({f.name, -1, {}, ""});
  formats::Track t;
  t.id = 7;
  t.label = "Car";
  t.boxes = {state(0, 10.0, 0.0, Provenance::kManual, true),
             state(1, 10.5, 0.0, Provenance::kInterpolated, false),
             state(2, 11.0, M_PI, Provenance::kTracked, false),  // turned round: a QA error
             state(4, 12.0, 0.0, Provenance::kManual, true)};
  doc.tracks.push_back(t);
  ws::WorkstationWindow& w = open(plugin::Session::create(doc, *seq));
  w.select_track(7);
  w.run_checks();

  const std::vector<ws::TimelineCell>& cells = w.timeline()->cells();
  ASSERT_EQ(cells.size(), 5u);
  EXPECT_TRUE(cells[0].has_box && cells[0].keyframe);
  EXPECT_TRUE(cells[1].has_box && !cells[1].keyframe);
  EXPECT_EQ(cells[1].provenance, Provenance::kInterpolated);
  EXPECT_EQ(cells[2].provenance, Provenance::kTracked);
  EXPECT_FALSE(cells[3].has_box);
  EXPECT_TRUE(cells[4].has_box && cells[4].keyframe);
  // Each kind is painted apart.
  EXPECT_NE(ws::timeline_colour(cells[0]), ws::timeline_colour(cells[1]));
  EXPECT_NE(ws::timeline_colour(cells[1]), ws::timeline_colour(cells[2]));
  EXPECT_NE(ws::timeline_colour(cells[2]), ws::timeline_colour(cells[3]));
  // The heading flip between frames 1 and 2 is flagged as an error on one of them.
  bool flip = false;
  for (const ws::TimelineCell& c : cells) {
    if (c.qa && *c.qa == plugin::Severity::kError &&
        c.qa_text.find("heading-flip") != std::string::npos) {
      flip = c.frame == 1 || c.frame == 2;
    }
  }
  EXPECT_TRUE(flip);
  EXPECT_FALSE(cells[0].qa.has_value());

  // A click on the fourth cell jumps to frame 3.
  ws::TimelineWidget* tl = w.timeline();
  QTest::mouseClick(tl, Qt::LeftButton, {}, QPoint(tl->width() * 7 / 10, tl->height() / 2));
  EXPECT_EQ(w.session().frame(), 3);
  // Undo of nothing does nothing; an edit shows up in the timeline at once.
  w.set_frame(3);
  EXPECT_FALSE(w.session().document().track(7)->at(3));
}

TEST_F(WorkstationTest, TrackListFiltersAndSelects) {
  ws::WorkstationWindow& w =
      open(ws::WorkstationOptions{});  // the sample's own labels: Van #0, Cyclist #1, Ped #2
  ws::TrackListPanel* list = w.track_list();
  ASSERT_EQ(list->visible_tracks(), (std::vector<std::int64_t>{0, 1, 2}));
  QTest::keyClicks(list->filter_edit(), "cyc");
  EXPECT_EQ(list->visible_tracks(), (std::vector<std::int64_t>{1}));
  list->filter_edit()->clear();
  QTest::keyClicks(list->filter_edit(), "PEDESTRIAN");
  EXPECT_EQ(list->visible_tracks(), (std::vector<std::int64_t>{2}));
  list->filter_edit()->clear();
  EXPECT_EQ(list->visible_tracks().size(), 3u);

  // A click on the Cyclist's row selects it; the side view then looks at its box.
  w.set_frame(3);
  QListWidget* rows = list->list();
  const QRect r = rows->visualItemRect(rows->item(1));
  QTest::mouseClick(rows->viewport(), Qt::LeftButton, {}, r.center());
  ASSERT_EQ(w.session().selection().track, 1);
  auto box = w.session().box_in_world(1, 3);
  ASSERT_TRUE(box);
  EXPECT_LT((w.side_view()->view_info().focus - box->center).norm(), 1e-9);
  EXPECT_LT((w.top_view()->view_info().focus.head<2>() - box->center.head<2>()).norm(), 1e-9);
  // Return on the row (activation) jumps to the track's first frame.
  QTest::keyClick(rows, Qt::Key_Return);
  EXPECT_EQ(w.session().frame(), 0);
}

TEST_F(WorkstationTest, ClassHotkeysRelabelTheSelectedTrack) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
  w.select_track(2);
  ASSERT_EQ(w.session().document().track(2)->label, "Pedestrian");
  const std::vector<std::string> classes = w.class_palette()->classes();
  int index = 0;
  while (classes[static_cast<std::size_t>(index)] == "Pedestrian") ++index;
  w.main_view()->setFocus();
  QTest::keyClick(w.main_view(), static_cast<Qt::Key>(Qt::Key_1 + index));
  EXPECT_EQ(w.session().document().track(2)->label, classes[static_cast<std::size_t>(index)]);
  EXPECT_EQ(w.class_palette()->current(), classes[static_cast<std::size_t>(index)]);
  // One undo step.
  QTest::keyClick(w.main_view(), Qt::Key_Z, Qt::ControlModifier);
  EXPECT_EQ(w.session().document().track(2)->label, "Pedestrian");
  // The palette fills the nine hotkeys from the default class schema; Escape-free keys past it
  // (0) change nothing.
  ASSERT_EQ(classes.size(), 9u);
  QTest::keyClick(w.main_view(), Qt::Key_0);
  EXPECT_EQ(w.session().document().track(2)->label, "Pedestrian");
}

#ifdef PCANNO_BINARY
TEST(ViewCommand, HelpAndMissingDataset) {
  const CommandResult help = run_command(std::string(PCANNO_BINARY) + " view --help 2>&1");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--document"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("--labels"), std::string::npos);
  EXPECT_EQ(help.out.find("--layout-report"), std::string::npos) << "test hook is hidden";
  const CommandResult missing =
      run_command(std::string(PCANNO_BINARY) + " view /nonexistent/dataset 2>&1");
  EXPECT_EQ(missing.exit_code, 1) << missing.out;
  EXPECT_NE(missing.out.find("pcanno: error:"), std::string::npos) << missing.out;
}
#endif

}  // namespace
}  // namespace pcanno::test
