// The ruler: two clicks (or a drag) in any view measure between two points of the frame, each end
// snapped to the LiDAR point nearest the pointer's ray, else on the ground or the view's plane.
// Expected distances are worked out by hand from the points placed here.
#include "pcanno/plugin/tools/ruler_tool.hpp"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/tool_manager.hpp"
#include "tool_test_helpers.hpp"

namespace pcanno::plugin {
namespace {

using namespace tool_test;
using T = PointerEvent::Type;

// A kerb corner and a pole's top, 4 m along and 3 m across, 1.57 m apart in height.
const Eigen::Vector3d kKerb(3.02, 0.03, 0.37);
const Eigen::Vector3d kPole(7.01, 3.02, -1.20);

TEST(RulerTool, TwoClicksSnapToThePointsAndMeasureBetweenThem) {
  auto s = Session::create(frames_only(1));
  const std::string before = text(*s);
  RulerTool tool;
  // A point farther from the ray than the kerb, and one beyond the 8 px (0.16 m) tolerance.
  tool.set_points({kKerb, {3.1, 0.0, -10.0}, kPole, {7.3, 3.0, 0.0}});
  tool.activate(*s);
  EXPECT_FALSE(tool.measurement());

  EXPECT_EQ(click(tool, *s, top_view(), {3.0, 0.0, 0.0}), kConsumed | kRender);
  ASSERT_TRUE(tool.measurement());
  EXPECT_FALSE(tool.measurement()->complete);
  EXPECT_EQ(tool.measurement()->start, kKerb);
  EXPECT_TRUE(tool.measurement()->start_on_point);
  // The end follows the pointer, snapped as it goes.
  EXPECT_EQ(tool.on_pointer(*s, at(T::kMove, top_view(), {6.95, 3.1, 0.0})), kConsumed | kRender);
  EXPECT_EQ(tool.measurement()->end, kPole);
  EXPECT_FALSE(tool.measurement()->complete);

  click(tool, *s, top_view(), {7.0, 3.0, 0.0});
  const Measurement m = *tool.measurement();
  EXPECT_TRUE(m.complete);
  EXPECT_EQ(m.end, kPole);
  EXPECT_TRUE(m.end_on_point);
  // dx 3.99, dy 2.99, dz -1.57: ground sqrt(3.99^2 + 2.99^2) = sqrt(24.8602), 3D
  // sqrt(24.8602 + 1.57^2) = sqrt(27.3251).
  EXPECT_NEAR(m.ground_distance(), 4.986000, 1e-6);
  EXPECT_NEAR(m.distance(), 5.227342, 1e-6);
  EXPECT_NEAR(m.height_difference(), -1.57, 1e-9);
  EXPECT_EQ(describe(m), "3D 5.23 m, ground 4.99 m, height -1.57 m");
  EXPECT_NE(tool.preview().status.find("3D 5.23 m, ground 4.99 m, height -1.57 m"),
            std::string::npos)
      << tool.preview().status;
  // Drawn: the measuring line, its ground and height legs, both ends as handles.
  ASSERT_EQ(tool.preview().lines.size(), 2u);
  EXPECT_EQ(tool.preview().lines[0].vertices, (std::vector<Eigen::Vector3d>{kKerb, kPole}));
  EXPECT_EQ(tool.preview().lines[1].vertices,
            (std::vector<Eigen::Vector3d>{kKerb, {7.01, 3.02, 0.37}, kPole}));
  EXPECT_EQ(tool.preview().handles, (std::vector<Eigen::Vector3d>{kKerb, kPole}));

  // Moving on does not change a complete measurement; nothing was edited.
  EXPECT_EQ(tool.on_pointer(*s, at(T::kMove, top_view(), {1.0, 1.0, 0.0})), kIgnored);
  EXPECT_EQ(tool.measurement()->end, kPole);
  EXPECT_EQ(text(*s), before);
  EXPECT_FALSE(s->can_undo());
}

TEST(RulerTool, ShiftOrNoPointNearPlacesOnTheGround) {
  // A LiDAR frame: the road 1.73 m below the sensor, rising 2 % towards +x.
  std::vector<Eigen::Vector3d> points;
  for (int i = -40; i <= 40; ++i) {
    for (int j = -40; j <= 40; ++j)
      points.emplace_back(0.25 * i, 0.25 * j, -1.73 + 0.02 * 0.25 * i);
  }
  // 0.14 m from the nearest road point in xy: within the tolerance, but nearer the ray.
  const Eigen::Vector3d pole_top(4.1, 4.1, 1.5);
  points.push_back(pole_top);
  auto s = Session::create(frames_only(1));
  RulerTool tool;
  tool.set_points(points);
  tool.activate(*s);
  // Shift: on the road under the pointer, though road points lie within the tolerance.
  click(tool, *s, top_view(), {1.1, 1.1, 0.0}, kShift);
  const Measurement& m = *tool.measurement();
  EXPECT_FALSE(m.start_on_point);
  EXPECT_NEAR(m.start.x(), 1.1, 1e-9);
  EXPECT_NEAR(m.start.y(), 1.1, 1e-9);
  EXPECT_NEAR(m.start.z(), -1.73 + 0.02 * 1.1, 0.02);
  click(tool, *s, top_view(), {4.1, 4.1, 0.0});  // the pole's top, snapped
  EXPECT_EQ(tool.measurement()->end, pole_top);
  EXPECT_NEAR(tool.measurement()->height_difference(), 1.5 - (-1.73 + 0.022), 0.02);
  EXPECT_NEAR(tool.measurement()->ground_distance(), std::hypot(3.0, 3.0), 1e-9);

  auto empty = Session::create(frames_only(1));
  RulerTool bare;
  bare.activate(*empty);
  click(bare, *empty, top_view(), {2.0, 0.0, 0.0});
  click(bare, *empty, top_view(), {2.0, 5.0, 0.0});
  // No points at all, so no ground to fit: the plane z = 0.
  EXPECT_EQ(bare.measurement()->start, Eigen::Vector3d(2.0, 0.0, 0.0));
  EXPECT_EQ(bare.measurement()->end, Eigen::Vector3d(2.0, 5.0, 0.0));
  EXPECT_NEAR(bare.measurement()->distance(), 5.0, 1e-9);
  EXPECT_FALSE(bare.measurement()->end_on_point);
}

TEST(RulerTool, TheSideViewSnapsInsideItsSlabAndMeasuresAHeight) {
  const geometry::Cuboid box = geometry::Cuboid::from_yaw(Eigen::Vector3d(10.0, 0.0, -0.5),
                                                          Eigen::Vector3d(4.0, 2.0, 2.0), 0.0);
  const ViewInfo side = make_side_view(box, 0.02);
  const Eigen::Vector3d bumper(8.1, 0.3, -1.6);
  const Eigen::Vector3d roof(9.5, -0.4, 0.45);
  // On the same line of sight as the bumper and nearer the viewer, but 5 m before the slab.
  const Eigen::Vector3d parked(8.1, -5.0, -1.6);
  auto s = Session::create(frames_only(1));
  RulerTool tool;
  tool.set_points({bumper, roof, parked});
  tool.activate(*s);
  click(tool, *s, side, {8.1, 0.0, -1.6});
  EXPECT_EQ(tool.measurement()->start, bumper);
  click(tool, *s, side, {9.5, 0.0, 0.45});
  EXPECT_EQ(tool.measurement()->end, roof);
  // dx 1.4, dy -0.7, dz 2.05.
  EXPECT_NEAR(tool.measurement()->height_difference(), 2.05, 1e-9);
  EXPECT_NEAR(tool.measurement()->ground_distance(), std::sqrt(1.4 * 1.4 + 0.7 * 0.7), 1e-9);
  EXPECT_NEAR(tool.measurement()->distance(), std::sqrt(1.96 + 0.49 + 4.2025), 1e-9);

  // Off the points, the end lies on the view's plane through the focus (y = 0), under the pointer.
  click(tool, *s, side, {11.0, 0.0, 0.0});
  click(tool, *s, side, {11.0, 0.0, 1.0});
  EXPECT_FALSE(tool.measurement()->end_on_point);
  EXPECT_NEAR((tool.measurement()->end - Eigen::Vector3d(11.0, 0.0, 1.0)).norm(), 0.0, 1e-9);
  EXPECT_NEAR(tool.measurement()->height_difference(), 1.0, 1e-9);
  EXPECT_NEAR(tool.measurement()->ground_distance(), 0.0, 1e-9);

  // The front view works alike: it looks along +x.
  const ViewInfo front = make_front_view(box, 0.02);
  click(tool, *s, front, {10.0, 0.3, -1.6});  // the bumper is 1.9 m from the focus: too deep
  EXPECT_FALSE(tool.measurement()->start_on_point);
}

TEST(RulerTool, ThePerspectiveViewSnapsAlongItsRays) {
  auto s = Session::create(frames_only(1));
  RulerTool tool;
  tool.set_points({kKerb, kPole});
  tool.activate(*s);
  ViewInfo view;
  view.kind = ViewKind::kPerspective;
  view.T_world_camera.translation() = Eigen::Vector3d(-8.0, 0.0, 4.0);
  // Rays from the camera through points a few centimetres off the two ends.
  click(tool, *s, view, kKerb + Eigen::Vector3d(0.0, 0.05, 0.05));
  click(tool, *s, view, kPole + Eigen::Vector3d(0.0, -0.05, 0.0));
  EXPECT_EQ(tool.measurement()->start, kKerb);
  EXPECT_EQ(tool.measurement()->end, kPole);
  EXPECT_NEAR(tool.measurement()->distance(), 5.227342, 1e-6);
}

TEST(RulerTool, ADragMeasuresFromPressToRelease) {
  auto s = Session::create(frames_only(1));
  RulerTool tool;
  tool.set_points({kKerb, kPole});
  tool.activate(*s);
  EXPECT_EQ(drag(tool, *s, top_view(), {3.0, 0.0, 0.0}, {7.0, 3.0, 0.0}), kConsumed | kRender);
  ASSERT_TRUE(tool.measurement());
  EXPECT_TRUE(tool.measurement()->complete);
  EXPECT_EQ(tool.measurement()->start, kKerb);
  EXPECT_EQ(tool.measurement()->end, kPole);
}

TEST(RulerTool, EscapeClearsThenEndsAndTheNextClickStartsANewMeasurement) {
  auto s = Session::create(frames_only(1));
  RulerTool tool;
  tool.set_points({kKerb, kPole});
  tool.activate(*s);
  click(tool, *s, top_view(), {3.0, 0.0, 0.0});
  click(tool, *s, top_view(), {7.0, 3.0, 0.0});
  // A third click starts over from where it is.
  click(tool, *s, top_view(), {7.0, 3.0, 0.0});
  EXPECT_FALSE(tool.measurement()->complete);
  EXPECT_EQ(tool.measurement()->start, kPole);
  click(tool, *s, top_view(), {3.0, 0.0, 0.0});
  EXPECT_EQ(tool.measurement()->end, kKerb);
  EXPECT_NEAR(tool.measurement()->height_difference(), 1.57, 1e-9);

  EXPECT_EQ(key(tool, *s, "Escape"), kConsumed | kRender);
  EXPECT_FALSE(tool.measurement());
  EXPECT_TRUE(tool.preview().lines.empty());
  EXPECT_TRUE(tool.preview().handles.empty());
  EXPECT_EQ(key(tool, *s, "Escape"), kConsumed | kFinished);
  // Escape in the middle of one clears it too; other keys are left to the box editor.
  click(tool, *s, top_view(), {3.0, 0.0, 0.0});
  EXPECT_EQ(key(tool, *s, "Escape"), kConsumed | kRender);
  EXPECT_FALSE(tool.measurement());
  EXPECT_EQ(key(tool, *s, "q"), kIgnored);
}

// A start placed on one frame's points does not pair with the next frame's: after a step, the
// next click starts a new measurement instead of ending the old one across two scans.
TEST(RulerTool, AnUnfinishedMeasurementDoesNotSpanTwoFrames) {
  auto s = Session::create(frames_only(2));
  RulerTool tool;
  tool.set_points({kKerb, kPole});
  tool.activate(*s);
  click(tool, *s, top_view(), {3.0, 0.0, 0.0});
  ASSERT_TRUE(tool.measurement());
  EXPECT_EQ(tool.measurement()->frame, 0);
  ASSERT_TRUE(s->set_frame(1));
  EXPECT_EQ(tool.on_pointer(*s, at(T::kMove, top_view(), {6.95, 3.1, 0.0})), kIgnored);
  click(tool, *s, top_view(), {7.0, 3.0, 0.0});
  ASSERT_TRUE(tool.measurement());
  EXPECT_FALSE(tool.measurement()->complete);
  EXPECT_EQ(tool.measurement()->start, kPole);
  EXPECT_EQ(tool.measurement()->frame, 1);
}

TEST(RulerTool, ItIsABuiltInToolAndKeepsTheSelectionInAManager) {
  const Registry registry = Registry::with_builtins();
  ASSERT_NE(registry.tool("ruler"), nullptr);
  EXPECT_EQ(registry.create_tool("ruler")->id(), "ruler");

  // Run as the workstation does, with the picker as a companion: clicks measure, and do not
  // select or clear the selection.
  formats::Annotations doc = frames_only(1);
  formats::Track car;
  car.id = 7;
  car.label = "Car";
  doc.tracks.push_back(car);
  formats::BoxState b;
  b.frame = 0;
  b.box = geometry::Cuboid::from_yaw({5.0, 1.5, 0.0}, {5.0, 4.0, 1.5}, 0.0);
  b.shape_frame = formats::ShapeFrame::kWorld;
  doc.tracks.back().boxes.push_back(b);
  auto s = Session::create(std::move(doc));
  ToolManager tools(*s);
  ASSERT_TRUE(tools.set_companions({{"select", {}}}));
  tools.set_points(std::make_shared<const std::vector<Eigen::Vector3d>>(
      std::vector<Eigen::Vector3d>{kKerb, kPole}));
  ASSERT_TRUE(tools.start("ruler"));
  tools.on_pointer(at(T::kPress, top_view(), {3.0, 0.0, 0.0}));
  tools.on_pointer(at(T::kRelease, top_view(), {3.0, 0.0, 0.0}));
  tools.on_pointer(at(T::kPress, top_view(), {7.0, 3.0, 0.0}));
  tools.on_pointer(at(T::kRelease, top_view(), {7.0, 3.0, 0.0}));
  EXPECT_FALSE(s->selection().track);  // both clicks inside the box's footprint
  auto* ruler = dynamic_cast<RulerTool*>(tools.active());
  ASSERT_NE(ruler, nullptr);
  ASSERT_TRUE(ruler->measurement());
  EXPECT_EQ(ruler->measurement()->start, kKerb);
  EXPECT_EQ(ruler->measurement()->end, kPole);
  EXPECT_NE(tools.preview().status.find("5.23 m"), std::string::npos);
}

}  // namespace
}  // namespace pcanno::plugin
