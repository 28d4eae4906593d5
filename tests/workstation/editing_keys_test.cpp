// The top view turns with the selected box (H: north up), and Alt+arrows nudge the selected box
// along the top view's axes from any widget, while plain arrows keep stepping frames.
#include <cmath>

#include <QAction>
#include <QMenuBar>
#include <QWheelEvent>

#include "pcanno/plugin/tools/cuboid_edit_tool.hpp"
#include "pcanno/viewer/workstation/track_list_panel.hpp"
#include "workstation_fixture.hpp"

namespace pcanno::test {
namespace {

constexpr double kStep = plugin::CuboidEditTool::kNudgeStep;

Eigen::Vector3d heading(const geometry::Cuboid& box) {
  return box.rotation * Eigen::Vector3d::UnitX();
}

TEST_F(WorkstationTest, TopViewFollowsTheSelectedHeadingAndHTogglesNorthUp) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
  ASSERT_FALSE(w.top_north_up());
  // Nothing selected: north up, world +x to the right.
  EXPECT_GT(plugin::screen_right(w.top_view()->view_info()).x(), 0.999);

  // The pedestrian walks at a clear angle to the axes in frame 0.
  w.select_track(2);
  QTest::qWait(50);
  const geometry::Cuboid box = *w.session().box_in_world(2, 0);
  ASSERT_GT(std::abs(std::sin(box.yaw())), 0.1) << "pick a turned box for this test";
  plugin::ViewInfo top = w.top_view()->view_info();
  EXPECT_GT(plugin::screen_right(top).dot(heading(box)), 0.999999);
  EXPECT_NEAR(plugin::screen_up(top).z(), 0.0, 1e-12);
  EXPECT_LT((top.focus - box.center).norm(), 1e-9);
  // The box's centre is drawn at the view's centre, its front to the right of it.
  const QPointF centre = w.top_view()->pixel_of(box.center);
  const QPointF front = w.top_view()->pixel_of(box.center + 0.5 * box.size.x() * heading(box));
  EXPECT_NEAR(centre.x(), w.top_view()->width() / 2.0, 1e-6);
  EXPECT_NEAR(front.y(), centre.y(), 1e-6);
  EXPECT_GT(front.x(), centre.x());

  // Zoomed to the box: a pedestrian gets the 12 m minimum across the view's short side.
  const double across =
      top.meters_per_pixel * std::min(w.top_view()->width(), w.top_view()->height());
  EXPECT_NEAR(across, 12.0, 1e-6);
  // The annotator's own zoom survives stepping frames.
  QWheelEvent wheel(QPointF(50, 50), QPointF(w.top_view()->mapToGlobal(QPoint(50, 50))), QPoint(),
                    QPoint(0, 120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
  QApplication::sendEvent(w.top_view(), &wheel);
  const double zoomed = w.top_view()->view_info().meters_per_pixel;
  ASSERT_LT(zoomed, top.meters_per_pixel);
  w.step(1);
  QTest::qWait(50);
  EXPECT_DOUBLE_EQ(w.top_view()->view_info().meters_per_pixel, zoomed);
  w.step(-1);
  QTest::qWait(50);

  w.main_view()->setFocus();
  QTest::keyClick(w.main_view(), Qt::Key_H);
  ASSERT_TRUE(w.top_north_up());
  top = w.top_view()->view_info();
  EXPECT_GT(plugin::screen_right(top).x(), 0.999999);
  EXPECT_GT(plugin::screen_up(top).y(), 0.999999);
  QTest::keyClick(w.main_view(), Qt::Key_H);
  ASSERT_FALSE(w.top_north_up());
  EXPECT_GT(plugin::screen_right(w.top_view()->view_info()).dot(heading(box)), 0.999999);
}

TEST_F(WorkstationTest, AltArrowsNudgeAlongTheTopViewWhilePlainArrowsStepFrames) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
  plugin::Session& session = w.session();
  w.select_track(2);
  QTest::qWait(50);
  const geometry::Cuboid before = *session.box_in_world(2, 0);
  const Eigen::Vector3d along = heading(before);
  const Eigen::Vector3d across = before.rotation * Eigen::Vector3d::UnitY();

  // Alt+Right: one step along the heading (the top view's screen x), from the main view.
  w.main_view()->setFocus();
  QTest::keyClick(w.main_view(), Qt::Key_Right, Qt::AltModifier);
  ASSERT_EQ(session.frame(), 0) << "Alt+Right stepped the frame";
  geometry::Cuboid after = *session.box_in_world(2, 0);
  EXPECT_NEAR((after.center - before.center).dot(along), kStep, 1e-9);
  EXPECT_NEAR((after.center - before.center).dot(across), 0.0, 1e-9);
  EXPECT_NEAR(after.center.z(), before.center.z(), 1e-12);
  EXPECT_TRUE(after.size.isApprox(before.size, 1e-12));

  // Alt+Shift+Up with the focus in the track list: a fine step across the heading (screen up).
  w.track_list()->setFocus();
  QTest::keyClick(w.track_list(), Qt::Key_Up, Qt::AltModifier | Qt::ShiftModifier);
  const geometry::Cuboid fine = *session.box_in_world(2, 0);
  const double fine_step = (fine.center - after.center).dot(across);
  EXPECT_GT(fine_step, 0.0);
  EXPECT_LT(fine_step, kStep);
  EXPECT_NEAR((fine.center - after.center).dot(along), 0.0, 1e-9);

  // Each nudge is one undo step.
  QTest::keyClick(w.main_view(), Qt::Key_Z, Qt::ControlModifier);
  QTest::keyClick(w.main_view(), Qt::Key_Z, Qt::ControlModifier);
  EXPECT_LT((session.box_in_world(2, 0)->center - before.center).norm(), 1e-12);

  // The Edit menu lists the nudges with their shortcuts.
  bool listed = false;
  for (QAction* a : w.menuBar()->findChildren<QAction*>()) {
    listed |= a->shortcut() == QKeySequence("Alt+Left") && a->text().contains("Nudge");
  }
  EXPECT_TRUE(listed);

  // A plain arrow still steps the frame and leaves the box where it is.
  QTest::keyClick(w.main_view(), Qt::Key_Right);
  EXPECT_EQ(session.frame(), 1);
  EXPECT_LT((session.box_in_world(2, 0)->center - before.center).norm(), 1e-12);

  // Nothing selected: Alt+arrows do nothing.
  w.select_track(std::nullopt);
  EXPECT_FALSE(w.nudge_selected("Left", false));
}

}  // namespace
}  // namespace pcanno::test
