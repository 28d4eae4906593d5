// The workstation on a LAS tile at UTM coordinates (easting 5e5, northing 5.8e6), as a surveyor
// opens one: the views come up on the cloud rather than on the world origin millions of metres
// away, and a box dragged in the top view lands where the pointer was, in real coordinates.
#include <fstream>
#include <vector>

#include "las_writer.hpp"
#include "pcanno/formats/clouds/point_cloud.hpp"
#include "workstation_fixture.hpp"

namespace pcanno::test {
namespace {

namespace fs = std::filesystem;

TEST_F(WorkstationTest, AUtmTileShowsAndABoxLandsWhereItWasDragged) {
  const Eigen::Vector3d utm(500000.0, 5800000.0, 120.0);
  std::vector<Eigen::Vector3d> ground;  // 60 m x 40 m of ground, 0.5 m apart
  for (int i = 0; i <= 120; ++i) {
    for (int j = 0; j <= 80; ++j) ground.push_back(utm + Eigen::Vector3d(0.5 * i, 0.5 * j, 0.0));
  }
  fs::create_directories(dir_ / "tile");
  std::ofstream(dir_ / "tile" / "tile.las", std::ios::binary) << las_bytes(ground);
  ws::WorkstationOptions options;
  options.sequence = dir_ / "tile";
  ws::WorkstationWindow& w = open(options);
  plugin::Session& session = w.session();

  // The views look at the tile: its middle is 30 m x 20 m from its corner.
  const Eigen::Vector3d middle = utm + Eigen::Vector3d(30.0, 20.0, 0.0);
  ws::SceneView* top = w.top_view();
  EXPECT_LT((top->view_info().focus - middle).head<2>().norm(), 50.0)
      << top->view_info().focus.transpose();
  EXPECT_LT((w.main_view()->view_info().focus - middle).head<2>().norm(), 50.0)
      << w.main_view()->view_info().focus.transpose();
  // At the tile's height: its ground is in front of the perspective camera, not 120 m above it.
  EXPECT_NEAR(w.main_view()->view_info().focus.z(), utm.z(), 3.0);
  EXPECT_EQ(top->scene().point_count(), ground.size());

  w.main_view()->setFocus();
  QTest::keyClick(w.main_view(), Qt::Key_N);
  ASSERT_EQ(w.tools().active_id(), "cuboid-create");
  const QPoint a = top->pixel_of(middle + Eigen::Vector3d(-2.0, -1.0, 0.0)).toPoint();
  const QPoint b = top->pixel_of(middle + Eigen::Vector3d(2.0, 1.0, 0.0)).toPoint();
  const Eigen::Vector3d wa = world_at(*top, a);
  const Eigen::Vector3d wb = world_at(*top, b);
  drag(top, a, b);

  ASSERT_EQ(session.document().tracks.size(), 1u);
  auto box = session.box_in_world(session.document().tracks.front().id, 0);
  ASSERT_TRUE(box);
  // Where the pointer was, to a millimetre (float jitter at this northing would be 0.5 m).
  EXPECT_NEAR(box->center.x(), (wa.x() + wb.x()) / 2, 1e-3);
  EXPECT_NEAR(box->center.y(), (wa.y() + wb.y()) / 2, 1e-3);
  EXPECT_NEAR(box->size.x(), std::abs(wb.x() - wa.x()), 1e-3);
  EXPECT_NEAR(box->size.y(), std::abs(wb.y() - wa.y()), 1e-3);
  // On the ground read from the file.
  EXPECT_NEAR(box->center.z() - box->size.z() / 2, utm.z(), 1e-3);
}

}  // namespace
}  // namespace pcanno::test
