// Seeing sparse objects through the real window: View > Display options accumulates frames (the
// sample has no poses: the ego motion job places them), and Ctrl+F focuses on the selected box.
#include <cstdlib>

#include <QAction>
#include <QDialog>
#include <QLabel>
#include <QSpinBox>

#include <vtkPolyData.h>

#include "pcanno/formats/clouds/raw_bin.hpp"
#include "pcanno/viewer/scene_renderer.hpp"
#include "workstation_fixture.hpp"

namespace pcanno::test {
namespace {

/// Frame `k`'s point count, read from the .bin file itself (finite points, as the window reads).
std::size_t points_in_file(const std::filesystem::path& sample, int k) {
  char name[32];
  std::snprintf(name, sizeof(name), "%06d.bin", k);
  auto cloud = formats::read_kitti_bin(sample / "training/velodyne/0000" / name);
  EXPECT_TRUE(cloud) << (cloud ? "" : cloud.error().describe());
  if (!cloud) return 0;
  formats::remove_non_finite(*cloud);
  return cloud->size();
}

class SparseTest : public WorkstationTest {
 protected:
  void SetUp() override {
    WorkstationTest::SetUp();
    // The ego motion cache of this test alone: the job runs, and leaves nothing behind.
    std::filesystem::create_directories(dir_ / "cache");
    ::setenv("XDG_CACHE_HOME", (dir_ / "cache").c_str(), 1);
  }
};

TEST_F(SparseTest, AccumulatingFiveFramesDrawsTheirPoints) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
  ASSERT_TRUE(w.set_frame(2));
  QApplication::processEvents();
  const std::size_t own = points_in_file(sample_, 2);
  ASSERT_GT(own, 1000u);
  EXPECT_EQ(w.main_view()->scene().point_count(), own);

  auto* open_options = w.findChild<QAction*>("display_options_action");
  ASSERT_NE(open_options, nullptr);
  open_options->trigger();
  auto* past = w.findChild<QSpinBox*>("display_past");
  auto* future = w.findChild<QSpinBox*>("display_future");
  ASSERT_TRUE(past && future);
  past->setValue(2);
  future->setValue(2);
  // The settings stay when the dialog goes; the window takes the focus back.
  auto* dialog = w.findChild<QDialog*>("display_options");
  ASSERT_NE(dialog, nullptr);
  dialog->close();
  w.activateWindow();
  ASSERT_TRUE(QTest::qWaitForWindowActive(&w));
  // The sample has no poses: the window estimates the ego motion as a job, then accumulates.
  ASSERT_TRUE(wait_for_job());
  std::size_t sum = 0;
  for (int k = 0; k <= 4; ++k) sum += points_in_file(sample_, k);
  EXPECT_EQ(w.points_drawn(), sum);
  for (ws::SceneView* v : {w.main_view(), w.top_view(), w.side_view(), w.front_view()}) {
    EXPECT_EQ(v->scene().point_count(), sum);
    EXPECT_EQ(static_cast<std::size_t>(v->scene().cloud_polydata()->GetNumberOfPoints()), sum);
  }
  EXPECT_TRUE(w.status_text().contains(QString("%L1 points").arg(sum))) << w.status_text().toStdString();

  // Stepping keeps the accumulation: frames 1..4 around frame 3 (the end clamps the future).
  QTest::keyClick(w.main_view(), Qt::Key_Right);
  std::size_t around3 = 0;
  for (int k = 1; k <= 4; ++k) around3 += points_in_file(sample_, k);
  EXPECT_EQ(w.points_drawn(), around3);

  open_options->trigger();  // the same dialog again, showing the settings
  EXPECT_EQ(past->value(), 2);
  past->setValue(0);
  future->setValue(0);
  EXPECT_EQ(w.points_drawn(), points_in_file(sample_, 3));
}

TEST_F(SparseTest, FocusShowsOnlyThePointsNearTheSelectedBox) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
  const formats::Annotations& doc = w.session().document();
  std::optional<std::int64_t> track;
  for (const formats::Track& t : doc.tracks) {
    if (t.at(0) && t.label == "Van") track = t.id;
  }
  ASSERT_TRUE(track) << "the sample's labels have a van at frame 0";
  w.select_track(track);
  const std::size_t all = w.points_drawn();
  QTest::keyClick(w.main_view(), Qt::Key_F, Qt::ControlModifier);
  ASSERT_TRUE(w.display_settings().focus);
  const std::size_t near = w.points_drawn();
  EXPECT_GT(near, 0u);
  EXPECT_LT(near, all);
  // Every point drawn lies within the margin of the box.
  auto box = w.session().box_in_world(*track, 0);
  ASSERT_TRUE(box);
  const auto& scene = w.main_view()->scene();
  const geometry::Pose T = scene.T_world_cloud();
  const formats::PointCloud& shown = *scene.cloud();
  for (std::size_t i = 0; i < shown.size(); ++i) {
    const Eigen::Vector3d p = T * Eigen::Vector3d(shown.x[i], shown.y[i], shown.z[i]);
    ASSERT_TRUE(box->contains(p, w.display_settings().focus_margin + 1e-3)) << i;
  }
  QTest::keyClick(w.main_view(), Qt::Key_F, Qt::ControlModifier);
  EXPECT_FALSE(w.display_settings().focus);
  EXPECT_EQ(w.points_drawn(), all);
}

}  // namespace
}  // namespace pcanno::test
