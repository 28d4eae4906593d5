// The main annotation loop through the real widgets: class hotkey, N and a drag in the top view,
// a face drag in the side view, next frame, propagate (worker thread), undo/redo, save; then the
// saved document read back from disk.
#include <algorithm>

#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/viewer/workstation/class_palette_panel.hpp"
#include "workstation_fixture.hpp"

namespace pcanno::test {
namespace {

namespace fs = std::filesystem;

TEST_F(WorkstationTest, CreateResizeStepPropagateUndoSaveReload) {
  const fs::path doc_path = dir_ / "van.pcanno.json";
  ws::WorkstationOptions options;
  options.document = doc_path;  // new: an empty document, journalled from the first edit
  ws::WorkstationWindow& w = open(options);
  plugin::Session& session = w.session();
  ASSERT_TRUE(session.document().tracks.empty());
  ASSERT_EQ(session.frame(), 0);
  ASSERT_GT(w.status_text().indexOf("Frame 0 / 5"), -1) << w.status_text().toStdString();

  // Hotkey 2 chooses the palette's second class (an empty document offers Car, Van, ...).
  w.main_view()->setFocus();
  QTest::keyClick(w.main_view(), Qt::Key_2);
  ASSERT_EQ(w.class_palette()->current(), "Van");

  // N, then drag the footprint of the van ahead on the left (KITTI 0000, frame 0) in the top
  // view, which is north-up: world +x to the right, +y up the screen.
  QTest::keyClick(w.main_view(), Qt::Key_N);
  ASSERT_EQ(w.tools().active_id(), "cuboid-create");
  ws::SceneView* top = w.top_view();
  const QPoint a = top->pixel_of({11.5, 6.3, 0.0}).toPoint();
  const QPoint b = top->pixel_of({15.9, 2.9, 0.0}).toPoint();
  const Eigen::Vector3d wa = world_at(*top, a);
  const Eigen::Vector3d wb = world_at(*top, b);
  const double top_pixel = top->view_info().meters_per_pixel;
  drag(top, a, b);

  ASSERT_EQ(session.document().tracks.size(), 1u);
  const std::int64_t id = session.document().tracks.front().id;
  EXPECT_EQ(session.document().tracks.front().label, "Van");
  EXPECT_EQ(session.selection().track, id);
  EXPECT_EQ(w.tools().active_id(), "cuboid-edit");  // one box per N
  auto created = session.box_in_world(id, 0);
  ASSERT_TRUE(created);
  EXPECT_NEAR(created->center.x(), (wa.x() + wb.x()) / 2, top_pixel);
  EXPECT_NEAR(created->center.y(), (wa.y() + wb.y()) / 2, top_pixel);
  EXPECT_NEAR(created->size.x(), std::abs(wb.x() - wa.x()), top_pixel);
  EXPECT_NEAR(created->size.y(), std::abs(wb.y() - wa.y()), top_pixel);
  EXPECT_NEAR(created->yaw(), 0.0, 1e-6);
  // Autosave: the edit is in the journal beside the (not yet written) document.
  EXPECT_GE(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);

  // Drag the front face 30 px to the right in the side view (box +x points right there): the
  // length grows by 30 px worth of metres, the back face stays.
  QTest::qWait(50);
  ws::SceneView* side = w.side_view();
  const geometry::Cuboid before = *created;
  const Eigen::Vector3d axis = before.rotation * Eigen::Vector3d::UnitX();
  const QPoint h = side->pixel_of(before.center + 0.5 * before.size.x() * axis).toPoint();
  const QPoint h2 = h + QPoint(30, 0);
  const double side_pixel = side->view_info().meters_per_pixel;
  const double grown = (world_at(*side, h2) - world_at(*side, h)).dot(axis);
  ASSERT_NEAR(grown, 30 * side_pixel, 1e-9);
  drag(side, h, h2);
  auto resized = session.box_in_world(id, 0);
  ASSERT_TRUE(resized);
  EXPECT_NEAR(resized->size.x(), before.size.x() + grown, side_pixel);
  EXPECT_NEAR(resized->size.y(), before.size.y(), 1e-6);
  EXPECT_NEAR(resized->size.z(), before.size.z(), 1e-6);
  const Eigen::Vector3d back_before = before.center - 0.5 * before.size.x() * axis;
  const Eigen::Vector3d back_after = resized->center - 0.5 * resized->size.x() * axis;
  EXPECT_LT((back_after - back_before).norm(), side_pixel);

  // Right arrow: the next frame, its cloud from the cache; the track has no box there yet.
  QTest::keyClick(w.main_view(), Qt::Key_Right);
  ASSERT_EQ(session.frame(), 1);
  EXPECT_GT(w.status_text().indexOf("Frame 1 / 5"), -1) << w.status_text().toStdString();
  EXPECT_EQ(session.document().track(id)->at(1), nullptr);

  // P: propagate from the track's last box on a worker thread, one undo step.
  const std::size_t undo_before = session.can_undo() ? 1 : 0;
  ASSERT_EQ(undo_before, 1u);
  QTest::keyClick(w.main_view(), Qt::Key_P);
  EXPECT_TRUE(w.job_running());  // on the worker: the UI keeps running meanwhile
  // Edits wait while the job owns the session.
  EXPECT_FALSE(w.undo());
  ASSERT_TRUE(wait_for_job());
  const formats::Track* track = session.document().track(id);
  ASSERT_NE(track, nullptr);
  ASSERT_GT(track->boxes.size(), 1u) << "propagation added no box";
  for (const formats::BoxState& s : track->boxes) {
    if (s.frame == 0) continue;
    EXPECT_EQ(s.provenance, formats::Provenance::kTracked) << "frame " << s.frame;
    EXPECT_FALSE(s.keyframe);
  }
  const std::size_t propagated = track->boxes.size();

  // Ctrl+Z takes the whole propagation back; Ctrl+Shift+Z restores it.
  QTest::keyClick(w.main_view(), Qt::Key_Z, Qt::ControlModifier);
  ASSERT_EQ(session.document().track(id)->boxes.size(), 1u);
  QTest::keyClick(w.main_view(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
  ASSERT_EQ(session.document().track(id)->boxes.size(), propagated);

  // Ctrl+S writes the document; read back from disk it holds the dragged box and the track.
  QTest::keyClick(w.main_view(), Qt::Key_S, Qt::ControlModifier);
  ASSERT_TRUE(fs::exists(doc_path));
  EXPECT_FALSE(session.dirty());
  auto saved = formats::read_pcanno_document(doc_path);
  ASSERT_TRUE(saved) << saved.error().describe();
  ASSERT_EQ(saved->tracks.size(), 1u);
  const formats::Track& t = saved->tracks.front();
  EXPECT_EQ(t.label, "Van");
  EXPECT_EQ(t.boxes.size(), propagated);
  const formats::BoxState* first = t.at(0);
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(first->keyframe);
  // No poses in the sample: stored LiDAR coordinates are the world coordinates the views use.
  EXPECT_NEAR(first->box.size.x(), std::abs(wb.x() - wa.x()) + grown, top_pixel + side_pixel);
  EXPECT_NEAR(first->box.size.y(), std::abs(wb.y() - wa.y()), top_pixel);
  EXPECT_NEAR(first->box.center.y(), (wa.y() + wb.y()) / 2, top_pixel);
  EXPECT_NEAR(first->box.center.x(), (wa.x() + wb.x()) / 2 + grown / 2, top_pixel + side_pixel);
}

}  // namespace
}  // namespace pcanno::test
