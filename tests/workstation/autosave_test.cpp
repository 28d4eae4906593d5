// Autosave through the engine's journal, interpolation from the keyboard, and the attribute
// editor: what the workstation leaves on disk and in the document.
#include <QLineEdit>
#include <QTableWidget>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/viewer/workstation/attribute_panel.hpp"
#include "pcanno/viewer/workstation/timeline_widget.hpp"
#include "pcanno/viewer/workstation/track_list_panel.hpp"
#include "workstation_fixture.hpp"

namespace pcanno::test {
namespace {

namespace fs = std::filesystem;

TEST_F(WorkstationTest, EditsSurviveACrashThroughTheJournal) {
  const fs::path doc_path = dir_ / "crash.pcanno.json";
  ws::WorkstationOptions options;
  options.document = doc_path;
  {
    ws::WorkstationWindow& w = open(options);
    QTest::keyClick(w.main_view(), Qt::Key_N);
    ws::SceneView* top = w.top_view();
    drag(top, top->pixel_of({20.0, -2.0, 0.0}).toPoint(),
         top->pixel_of({24.0, 0.0, 0.0}).toPoint());
    ASSERT_EQ(w.session().document().tracks.size(), 1u);
    ASSERT_TRUE(w.session().dirty());
    window_.reset();  // gone without saving, as in a crash
  }
  EXPECT_FALSE(fs::exists(doc_path));
  // Reopening the document offers the journal written beside it; recovering replays it.
  ws::WorkstationOptions again;
  again.sequence = sample_;
  again.document = doc_path;
  auto reopened = ws::open_workstation_session(again);
  ASSERT_TRUE(reopened) << reopened.error().describe();
  ASSERT_TRUE((*reopened)->pending_recovery());
  EXPECT_EQ((*reopened)->pending_recovery()->edits, 1u);
  EXPECT_TRUE((*reopened)->document().tracks.empty());
  ASSERT_TRUE((*reopened)->recover());
  ASSERT_EQ((*reopened)->document().tracks.size(), 1u);
  const formats::BoxState& box = (*reopened)->document().tracks.front().boxes.front();
  EXPECT_NEAR(box.box.center.x(), 22.0, 0.15);
  EXPECT_NEAR(box.box.size.x(), 4.0, 0.15);
}

TEST_F(WorkstationTest, InterpolateFillsTheTimelineAsOneUndoStep) {
  auto seq = formats::open_sequence(sample_);
  ASSERT_TRUE(seq);
  formats::Annotations doc;
  for (const formats::FrameRef& f : seq->frames) doc.frames.push_back({f.name, -1, {}, ""});
  formats::Track t;
  t.id = 3;
  t.label = "Car";
  for (const std::int64_t f : {0, 4}) {
    formats::BoxState s;
    s.frame = f;
    s.box = geometry::Cuboid::from_yaw({10.0 + f, 2.0, -0.8}, {4.2, 1.8, 1.6}, 0.0);
    t.boxes.push_back(s);
  }
  doc.tracks.push_back(t);
  ws::WorkstationWindow& w = open(plugin::Session::create(doc, *seq));
  w.select_track(3);
  QTest::keyClick(w.main_view(), Qt::Key_I);
  ASSERT_TRUE(wait_for_job());
  const std::vector<ws::TimelineCell>& cells = w.timeline()->cells();
  ASSERT_EQ(cells.size(), 5u);
  EXPECT_TRUE(cells[0].keyframe && cells[4].keyframe);
  for (int f = 1; f <= 3; ++f) {
    EXPECT_TRUE(cells[f].has_box) << f;
    EXPECT_FALSE(cells[f].keyframe) << f;
    EXPECT_EQ(cells[f].provenance, formats::Provenance::kInterpolated) << f;
  }
  QTest::keyClick(w.main_view(), Qt::Key_Z, Qt::ControlModifier);
  EXPECT_EQ(w.session().document().track(3)->boxes.size(), 2u);
  EXPECT_FALSE(w.timeline()->cells()[2].has_box);
}

TEST_F(WorkstationTest, AttributeEditorSetsAndRemovesAttributes) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
  w.select_track(0);
  ws::AttributePanel* panel = w.attributes();
  auto* line = panel->findChild<QLineEdit*>();
  ASSERT_NE(line, nullptr);
  QTest::keyClicks(line, "parked=yes");
  QTest::keyClick(line, Qt::Key_Return);
  const formats::Track* t = w.session().document().track(0);
  ASSERT_EQ(t->attributes.count("parked"), 1u);
  EXPECT_EQ(t->attributes.at("parked"), "yes");
  // The row shows it; clearing its value removes the attribute (one undo step each).
  QTableWidget* table = panel->table();
  ASSERT_EQ(table->rowCount(), 1);
  EXPECT_EQ(table->item(0, 1)->text(), "parked");
  table->item(0, 2)->setText("");
  EXPECT_EQ(w.session().document().track(0)->attributes.count("parked"), 0u);
  ASSERT_TRUE(w.undo());
  EXPECT_EQ(w.session().document().track(0)->attributes.at("parked"), "yes");
}

}  // namespace
}  // namespace pcanno::test

namespace pcanno::test {
namespace {

TEST_F(WorkstationTest, ExportsToEveryWritingFormatAndOpensKittiBack) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});  // the sample's 3 tracks
  const std::size_t boxes = w.session().document().box_count();
  ASSERT_EQ(boxes, 15u);
  for (const formats::LabelCodec& c : w.session().registry().codecs().codecs()) {
    if (!c.write) continue;
    // File formats get a file name, folder formats (KITTI object, nuScenes) a new folder.
    const std::string suffix = c.id == "kitti-tracking"                  ? ".txt"
                               : c.id == "openlabel" || c.id == "pcanno" ? ".json"
                                                                         : "";
    const fs::path out = dir_ / ("export_" + c.id + suffix);
    const formats::Status s = w.export_labels(out, c.id);
    EXPECT_TRUE(s) << c.id << ": " << (s ? "" : s.error().describe());
    EXPECT_TRUE(fs::exists(out)) << c.id;
  }
  // KITTI tracking back in: same tracks and boxes.
  const formats::Status opened =
      w.open_labels(dir_ / "export_kitti-tracking.txt", "kitti-tracking");
  ASSERT_TRUE(opened) << opened.error().describe();
  EXPECT_EQ(w.session().document().tracks.size(), 3u);
  EXPECT_EQ(w.session().document().box_count(), boxes);
  EXPECT_EQ(w.track_list()->visible_tracks().size(), 3u);
  EXPECT_FALSE(w.export_labels(dir_ / "x", "no-such-format"));
}

}  // namespace
}  // namespace pcanno::test
