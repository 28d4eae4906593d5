// Frame navigation and the view keys: prefetched stepping, playback, Home/End, the slider, the
// bird's-eye toggle, the shortcut sheet; each view's pixels and rays against its VTK camera.
#include <vtkRenderer.h>
#include <QMessageBox>
#include <QSlider>

#include "pcanno/viewer/workstation/frame_source.hpp"
#include "workstation_fixture.hpp"

namespace pcanno::test {
namespace {

TEST_F(WorkstationTest, SteppingIsServedByThePrefetch) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
  const formats::FrameCache* cache = w.frame_source().cache();
  ASSERT_NE(cache, nullptr);
  // Frame 0 was read on open; the cache loads the next ones in the background meanwhile.
  ASSERT_TRUE(QTest::qWaitFor([&] { return cache->contains(1) && cache->contains(2); }, 10000));
  const formats::FrameCache::Stats before = cache->stats();
  QTest::keyClick(w.main_view(), Qt::Key_Right);
  QTest::keyClick(w.main_view(), Qt::Key_Right);
  ASSERT_EQ(w.session().frame(), 2);
  const formats::FrameCache::Stats after = cache->stats();
  EXPECT_EQ(after.misses, before.misses) << "a step waited on disk";
  EXPECT_GE(after.prefetch_hits, before.prefetch_hits + 2);
  EXPECT_LE(cache->bytes(), cache->max_bytes());
}

TEST_F(WorkstationTest, EachViewsPixelsAndRaysAgreeWithItsVtkCamera) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
  w.select_track(0);  // the side and front views look at the van
  QTest::qWait(100);
  auto van = w.session().box_in_world(0, 0);
  ASSERT_TRUE(van);
  const Eigen::Vector3d p = van->center + Eigen::Vector3d(0.7, -0.4, 0.3);
  for (ws::SceneView* v : {w.main_view(), w.top_view(), w.side_view(), w.front_view()}) {
    SCOPED_TRACE(v->objectName().toStdString());
    // Where VTK draws p: display coordinates are device pixels from the bottom-left corner.
    vtkRenderer* renderer = v->renderer();
    renderer->SetWorldPoint(p.x(), p.y(), p.z(), 1.0);
    renderer->WorldToDisplay();
    double display[3];
    renderer->GetDisplayPoint(display);
    const double ratio = v->devicePixelRatioF();
    const QPointF pixel = v->pixel_of(p);
    EXPECT_NEAR(pixel.x(), display[0] / ratio, 1e-3);
    EXPECT_NEAR(pixel.y(), v->height() - display[1] / ratio, 1e-3);
    // The pointer ray through that pixel passes through p.
    EXPECT_LT(plugin::distance_to_ray(v->ray_at(pixel), p), 1e-6);
  }
}

TEST_F(WorkstationTest, FrameKeysSliderAndPlayback) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
  QTest::keyClick(w.main_view(), Qt::Key_End);
  EXPECT_EQ(w.session().frame(), 4);
  EXPECT_EQ(w.frame_slider()->value(), 4);
  QTest::keyClick(w.main_view(), Qt::Key_Right);  // stays on the last frame
  EXPECT_EQ(w.session().frame(), 4);
  QTest::keyClick(w.main_view(), Qt::Key_Home);
  EXPECT_EQ(w.session().frame(), 0);
  w.frame_slider()->setValue(3);
  EXPECT_EQ(w.session().frame(), 3);
  QTest::keyClick(w.main_view(), Qt::Key_Left);
  EXPECT_EQ(w.session().frame(), 2);

  // Space plays at 10 Hz to the last frame and stops there.
  QTest::keyClick(w.main_view(), Qt::Key_Space);
  EXPECT_TRUE(QTest::qWaitFor([&] { return w.session().frame() == 4; }, 3000));
  QTest::qWait(250);
  EXPECT_EQ(w.session().frame(), 4);
}

TEST_F(WorkstationTest, BirdsEyeToggleAndShortcutSheet) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
  ws::SceneView* main_view = w.main_view();
  EXPECT_FALSE(main_view->birds_eye());
  QTest::keyClick(main_view, Qt::Key_B);
  ASSERT_TRUE(main_view->birds_eye());
  // Looking straight down: the camera's z axis (towards the viewer) is world +z.
  EXPECT_GT(plugin::towards_viewer(main_view->view_info()).z(), 0.999);
  QTest::keyClick(main_view, Qt::Key_B);
  EXPECT_FALSE(main_view->birds_eye());
  EXPECT_LT(plugin::towards_viewer(main_view->view_info()).z(), 0.9);

  QTest::keyClick(main_view, Qt::Key_F1);
  QMessageBox* sheet = w.findChild<QMessageBox*>();
  ASSERT_NE(sheet, nullptr);
  EXPECT_TRUE(sheet->isVisible());
  EXPECT_TRUE(sheet->text().contains("propagate"));
  sheet->close();
}

}  // namespace
}  // namespace pcanno::test
