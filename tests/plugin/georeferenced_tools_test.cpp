// The tools on a cloud at UTM coordinates (a LAS tile opened as a dataset): the points reach the
// tools exact, a drag puts the box where the pointer was, and a click fits the same box as on the
// same scene near the origin. Float jitter at a northing of 5.8e6 would be 0.5 m.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

#include "las_writer.hpp"
#include "pcanno/plugin/services/qa.hpp"
#include "pcanno/plugin/tools/cuboid_create_tool.hpp"
#include "temp_dir.hpp"
#include "tool_test_helpers.hpp"

namespace pcanno::plugin {
namespace {

namespace fs = std::filesystem;
using namespace tool_test;

const Eigen::Vector3d kUtm(500000.0, 5800000.0, 0.0);  ///< [m] where the scene is moved to

/// Road and the two faces of a parked car the sensor sees (as in cuboid_create_tool_test.cpp),
/// on the 1 mm grid a LAS file with scale 0.001 stores.
std::vector<Eigen::Vector3d> street(const geometry::Cuboid& car) {
  std::vector<Eigen::Vector3d> points;
  for (double x = -20; x <= 30; x += 0.4) {
    for (double y = -15; y <= 15; y += 0.4) points.emplace_back(x, y, -1.7);
  }
  const Eigen::Matrix3d R = car.rotation.toRotationMatrix();
  for (double a = -2.2; a <= 2.2; a += 0.05) {
    for (double h = -0.75; h <= 0.75; h += 0.05) {
      points.push_back(car.center + R.col(0) * a - R.col(1) * 0.9 + R.col(2) * h);
    }
  }
  for (double b = -0.9; b <= 0.9; b += 0.05) {
    for (double h = -0.75; h <= 0.75; h += 0.05) {
      points.push_back(car.center - R.col(0) * 2.2 + R.col(1) * b + R.col(2) * h);
    }
  }
  for (Eigen::Vector3d& p : points) p = (p * 1000.0).array().round() / 1000.0;
  return points;
}

class GeoreferencedToolsTest : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(dir_ / "tile"); }

  /// A session on a folder holding one LAS file with `points` moved by kUtm.
  std::unique_ptr<Session> utm_session(const std::vector<Eigen::Vector3d>& points) {
    std::vector<Eigen::Vector3d> moved;
    for (const Eigen::Vector3d& p : points) moved.push_back(p + kUtm);
    std::ofstream(dir_ / "tile" / "tile.las", std::ios::binary) << test::las_bytes(moved);
    SessionOptions options;
    options.sequence = dir_ / "tile";
    options.journal = false;
    options.load_plugins = false;
    auto session = Session::open(options);
    EXPECT_TRUE(session) << session.error().describe();
    return session ? std::move(*session) : nullptr;
  }

  test::TempDir temp_;
  const fs::path dir_ = temp_.path();
};

TEST_F(GeoreferencedToolsTest, ADragPutsTheBoxWhereThePointerWas) {
  const geometry::Cuboid car = geometry::Cuboid::from_yaw(Eigen::Vector3d(12.0, 4.0, -0.95),
                                                          Eigen::Vector3d(4.4, 1.8, 1.5), 0.2);
  auto s = utm_session(street(car));
  ASSERT_NE(s, nullptr);
  CuboidCreateTool tool;
  const ViewInfo view = make_top_view(kUtm, 0.02);
  // Beside the car, over the road only.
  drag(tool, *s, view, kUtm + Eigen::Vector3d(0.0, -8.0, 0.0),
       kUtm + Eigen::Vector3d(4.0, -6.0, 0.0));
  ASSERT_EQ(s->document().tracks.size(), 1u);
  const geometry::Cuboid& box = s->document().tracks[0].boxes[0].box;
  EXPECT_NEAR(box.center.x(), kUtm.x() + 2.0, 1e-6);
  EXPECT_NEAR(box.center.y(), kUtm.y() - 7.0, 1e-6);
  EXPECT_NEAR(box.size.x(), 4.0, 1e-6);
  EXPECT_NEAR(box.size.y(), 2.0, 1e-6);
  // It rests on the road the tool read from the LAS file (z = -1.7), not on a jittered one.
  EXPECT_NEAR(box.center.z() - 0.5 * box.size.z(), -1.7, 1e-3);
}

TEST_F(GeoreferencedToolsTest, AClickFitsTheSameBoxAsNearTheOrigin) {
  const geometry::Cuboid car = geometry::Cuboid::from_yaw(Eigen::Vector3d(12.0, 4.0, -0.95),
                                                          Eigen::Vector3d(4.4, 1.8, 1.5), 0.2);
  const std::vector<Eigen::Vector3d> points = street(car);

  // Reference: the same points near the origin, handed to the tool directly.
  auto local = Session::create(frames_only(1));
  CuboidCreateTool reference;
  reference.set_points(points);
  click(reference, *local, top_view(), Eigen::Vector3d(12.3, 3.8, 0.0));
  ASSERT_EQ(local->document().tracks.size(), 1u);
  const geometry::Cuboid expected = local->document().tracks[0].boxes[0].box;

  // The tool reads the UTM frame itself (FramePoints through the session's sequence).
  auto s = utm_session(points);
  ASSERT_NE(s, nullptr);
  CuboidCreateTool tool;
  click(tool, *s, make_top_view(kUtm, 0.02), kUtm + Eigen::Vector3d(12.3, 3.8, 0.0));
  ASSERT_EQ(s->document().tracks.size(), 1u);
  const formats::BoxState& state = s->document().tracks[0].boxes[0];
  EXPECT_EQ(state.provenance, formats::Provenance::kFitted);
  EXPECT_LT((state.box.center - kUtm - expected.center).norm(), 0.01)
      << (state.box.center - kUtm).transpose() << " vs " << expected.center.transpose();
  EXPECT_LT((state.box.size - expected.size).norm(), 0.01);
  EXPECT_NEAR(state.box.yaw(), expected.yaw(), 1e-3);
  // And it is the car.
  EXPECT_LT((state.box.center.head<2>() - (kUtm + car.center).head<2>()).norm(), 0.2);
}

// The automation services read the same frame: "fit" from a seed in real coordinates, and the QA
// check counts the points in a box there (a box off by the origin would hold none).
TEST_F(GeoreferencedToolsTest, FitAndCheckServicesWorkInRealCoordinates) {
  const geometry::Cuboid car = geometry::Cuboid::from_yaw(Eigen::Vector3d(12.0, 4.0, -0.95),
                                                          Eigen::Vector3d(4.4, 1.8, 1.5), 0.2);
  auto s = utm_session(street(car));
  ASSERT_NE(s, nullptr);
  const AutomationService* fit = s->registry().service("fit");
  ASSERT_NE(fit, nullptr);
  char seed[96];
  std::snprintf(seed, sizeof(seed), "%.3f,%.3f,%.3f", kUtm.x() + 12.3, kUtm.y() + 3.8, -0.8);
  const formats::Status fitted =
      fit->run(*s, {{"seed", seed}, {"frame", "0"}, {"class", "Car"}}, {});
  ASSERT_TRUE(fitted) << fitted.error().describe();
  ASSERT_EQ(s->document().tracks.size(), 1u);
  const geometry::Cuboid& box = s->document().tracks[0].boxes[0].box;
  EXPECT_LT((box.center.head<2>() - (kUtm + car.center).head<2>()).norm(), 0.2)
      << box.center.transpose();

  const AutomationService* check = s->registry().service("check");
  ASSERT_NE(check, nullptr);
  ASSERT_TRUE(check->run(*s, {{"min_points", "50"}}, {}));
  const QaReport* report = last_check_report(s->registry());
  ASSERT_NE(report, nullptr);
  EXPECT_EQ(report->clouds_read, 1u);
  for (const Finding& f : report->findings) {
    EXPECT_NE(f.check, "few-points") << f.message;  // the car's points are inside its box
  }
}

}  // namespace
}  // namespace pcanno::plugin
