// Measuring in the workstation, through its real widgets: M starts the ruler, two clicks on two
// real points of a sample KITTI frame read their distance; the status bar counts the selected
// box's LiDAR points. Expected values come from the cloud file, read here on its own.
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <QAction>
#include <QLabel>
#include <QStatusBar>
#include <QToolBar>

#include "pcanno/formats/labels/shape_frames.hpp"
#include "pcanno/plugin/command.hpp"
#include "workstation_fixture.hpp"

namespace pcanno::test {
namespace {

/// The points of a KITTI .bin file (float32 x y z reflectance per point) [m, LiDAR frame].
std::vector<Eigen::Vector3d> read_kitti_bin(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<Eigen::Vector3d> points;
  float xyzr[4];
  while (in.read(reinterpret_cast<char*>(xyzr), sizeof xyzr)) {
    points.emplace_back(xyzr[0], xyzr[1], xyzr[2]);
  }
  return points;
}

/// Indices of points with no other point within `radius` [m] in xy: a click in the top view on
/// one of them can only mean it.
std::vector<std::size_t> isolated(const std::vector<Eigen::Vector3d>& points, double radius) {
  const auto cell = [radius](double v) {
    return static_cast<std::int64_t>(std::floor(v / radius));
  };
  std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::size_t>> grid;
  for (std::size_t i = 0; i < points.size(); ++i) {
    grid[{cell(points[i].x()), cell(points[i].y())}].push_back(i);
  }
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const std::int64_t cx = cell(points[i].x()), cy = cell(points[i].y());
    bool alone = true;
    for (std::int64_t dx = -1; dx <= 1 && alone; ++dx) {
      for (std::int64_t dy = -1; dy <= 1 && alone; ++dy) {
        const auto it = grid.find({cx + dx, cy + dy});
        if (it == grid.end()) continue;
        for (const std::size_t j : it->second) {
          if (j != i && (points[j] - points[i]).head<2>().norm() < radius) alone = false;
        }
      }
    }
    if (alone) out.push_back(i);
  }
  return out;
}

/// Points inside `box` (same frame), one by one in the box's axes, the boundary inside.
std::size_t plain_count(const std::vector<Eigen::Vector3d>& points, const geometry::Cuboid& box) {
  const Eigen::Matrix3d R_box = box.rotation.toRotationMatrix().transpose();
  std::size_t n = 0;
  for (const Eigen::Vector3d& p : points) {
    const Eigen::Vector3d q = R_box * (p - box.center);
    n += (q.cwiseAbs() - 0.5 * box.size).maxCoeff() <= 0.0 ? 1 : 0;
  }
  return n;
}

class WorkstationMeasure : public WorkstationTest {
 protected:
  /// The cloud of sample frame `frame`, from its file.
  std::vector<Eigen::Vector3d> frame_points(int frame) const {
    char name[16];
    std::snprintf(name, sizeof name, "%06d.bin", frame);
    return read_kitti_bin(sample_ / "training/velodyne/0000" / name);
  }

  /// The status bar's count and range after the selection: "1,234 points, 12.3 m from the
  /// sensor"; nullopt when it shows none.
  std::optional<std::pair<std::size_t, double>> readout() const {
    const std::string text = window_->status_text().toStdString();
    std::smatch m;
    if (!std::regex_search(text, m,
                           std::regex(R"(([0-9][0-9,.]*) points?, ([0-9.]+) m from the sensor)"))) {
      return std::nullopt;
    }
    std::string digits;
    for (const char c : m[1].str()) {
      if (c >= '0' && c <= '9') digits += c;
    }
    return std::make_pair(static_cast<std::size_t>(std::stoull(digits)), std::stod(m[2].str()));
  }
};

TEST_F(WorkstationMeasure, TheRulerMeasuresTwoRealPointsWithinACentimetre) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
  plugin::Session& s = w.session();
  ASSERT_EQ(s.frame(), 0);
  const std::vector<Eigen::Vector3d> cloud = frame_points(0);
  ASSERT_GT(cloud.size(), 10000u);

  // Two points alone in their neighbourhood, 3 to 12 m apart with a height difference.
  const std::vector<std::size_t> alone = isolated(cloud, 0.25);
  std::optional<std::size_t> a, b;
  for (const std::size_t i : alone) {
    const Eigen::Vector3d& p = cloud[i];
    if (!a && p.x() > 6.0 && p.x() < 20.0 && std::abs(p.y()) < 8.0) {
      a = i;
    } else if (a && !b) {
      const Eigen::Vector3d d = p - cloud[*a];
      if (d.norm() > 3.0 && d.norm() < 12.0 && std::abs(d.z()) > 0.3) b = i;
    }
  }
  ASSERT_TRUE(a && b) << "no two isolated points in the sample frame";
  const double expected = (cloud[*b] - cloud[*a]).norm();
  // The world frame the window measures in (the LiDAR frame when the sample has no poses).
  const geometry::Pose T_world_lidar = s.T_world_lidar(0).value_or(geometry::Pose::Identity());
  const Eigen::Vector3d A = T_world_lidar * cloud[*a];
  const Eigen::Vector3d B = T_world_lidar * cloud[*b];

  QTest::keyClick(w.main_view(), Qt::Key_M);
  ASSERT_EQ(w.tools().active_id(), "ruler");
  QAction* mode = w.findChild<QAction*>("mode:ruler");
  ASSERT_NE(mode, nullptr);
  EXPECT_TRUE(w.modes_toolbar()->actions().contains(mode));
  EXPECT_TRUE(mode->isChecked());

  // The annotator zooms the top view in on each point (2 cm a pixel) and clicks it.
  ws::SceneView* top = w.top_view();
  top->set_ortho_view(plugin::make_top_view(A, 0.02));
  click(top, top->pixel_of(A).toPoint());
  top->set_ortho_view(plugin::make_top_view(B, 0.02));
  click(top, top->pixel_of(B).toPoint());

  const std::optional<plugin::Measurement> m = w.ruler_measurement();
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->complete);
  EXPECT_TRUE(m->start_on_point && m->end_on_point);
  EXPECT_LT((m->start - A).norm(), 1e-6);
  EXPECT_LT((m->end - B).norm(), 1e-6);
  EXPECT_NEAR(m->distance(), expected, 0.01);
  EXPECT_NEAR(m->ground_distance(), (B - A).head<2>().norm(), 0.01);
  EXPECT_NEAR(m->height_difference(), B.z() - A.z(), 0.01);

  // The status bar shows it, in centimetres, after the tool's message has gone.
  auto* reading = w.statusBar()->findChild<QLabel*>("ruler_reading");
  ASSERT_NE(reading, nullptr);
  EXPECT_TRUE(reading->isVisible());
  std::smatch shown;
  const std::string text = reading->text().toStdString();
  ASSERT_TRUE(std::regex_search(
      text, shown, std::regex(R"(3D ([0-9.]+) m, ground ([0-9.]+) m, height ([-+][0-9.]+) m)")))
      << text;
  EXPECT_NEAR(std::stod(shown[1].str()), expected, 0.01);
  EXPECT_NEAR(std::stod(shown[2].str()), (B - A).head<2>().norm(), 0.01);
  EXPECT_NEAR(std::stod(shown[3].str()), B.z() - A.z(), 0.01);
  EXPECT_FALSE(s.dirty());  // measuring edits nothing

  // Esc clears the measurement; Esc again goes back to the box editor.
  QTest::keyClick(top, Qt::Key_Escape);
  EXPECT_FALSE(w.ruler_measurement());
  EXPECT_FALSE(reading->isVisible());
  EXPECT_EQ(w.tools().active_id(), "ruler");
  QTest::keyClick(top, Qt::Key_Escape);
  EXPECT_EQ(w.tools().active_id(), w.tools().home());
  EXPECT_FALSE(mode->isChecked());
}

TEST_F(WorkstationMeasure, TheSelectedBoxsPointCountIsAPlainCountOfTheFrame) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
  plugin::Session& s = w.session();
  ASSERT_EQ(s.frame(), 0);
  EXPECT_FALSE(readout());  // nothing selected
  const std::vector<Eigen::Vector3d> frame0 = frame_points(0);
  const std::vector<Eigen::Vector3d> frame1 = frame_points(1);

  // The box with the most points at frame 0 among the tracks that go on to frame 1.
  std::optional<std::int64_t> id;
  std::size_t most = 0;
  for (const formats::Track& t : s.document().tracks) {
    if (t.at(0) == nullptr || t.at(1) == nullptr) continue;
    auto lidar = formats::box_in_lidar(*t.at(0), s.sequence());
    ASSERT_TRUE(lidar);
    const std::size_t n = plain_count(frame0, *lidar);
    if (n > most) {
      most = n;
      id = t.id;
    }
  }
  ASSERT_TRUE(id);
  ASSERT_GT(most, 20u);
  w.select_track(*id);
  QTest::qWait(50);
  const auto box_at = [&](std::int64_t frame) {
    return formats::box_in_lidar(*s.document().track(*id)->at(frame), s.sequence()).value();
  };
  std::optional<std::pair<std::size_t, double>> shown = readout();
  ASSERT_TRUE(shown) << w.status_text().toStdString();
  EXPECT_EQ(shown->first, most);
  EXPECT_NEAR(shown->second, box_at(0).center.norm(), 0.051);

  // The next frame: its own cloud.
  ASSERT_TRUE(w.step(1));
  QTest::qWait(50);
  shown = readout();
  ASSERT_TRUE(shown);
  EXPECT_EQ(shown->first, plain_count(frame1, box_at(1)));
  EXPECT_NEAR(shown->second, box_at(1).center.norm(), 0.051);
  const std::size_t before = shown->first;

  // An edit: the box grown by half counts again at once.
  geometry::Cuboid grown = s.document().track(*id)->at(1)->box;
  grown.size *= 1.5;
  ASSERT_TRUE(s.apply(plugin::modify_box(s.document(), *id, 1, grown)));
  QTest::qWait(50);
  shown = readout();
  ASSERT_TRUE(shown);
  const std::size_t after = plain_count(frame1, box_at(1));
  EXPECT_EQ(shown->first, after);
  EXPECT_GT(after, before);  // the grown box holds the old one and some ground around it
  EXPECT_EQ(w.selected_box_points()->points, after);
}

}  // namespace
}  // namespace pcanno::test
