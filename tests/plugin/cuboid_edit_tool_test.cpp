#include "pcanno/plugin/tools/cuboid_edit_tool.hpp"

#include <cmath>
#include <memory>

#include <gtest/gtest.h>

#include "pcanno/geometry/angles.hpp"
#include "tool_test_helpers.hpp"

namespace pcanno::plugin {
namespace {

using namespace tool_test;
using Handle = CuboidEditTool::Handle;
using T = PointerEvent::Type;

constexpr double kExact = 1e-9;
constexpr double kDeg = geometry::kPi / 180.0;

/// A session with one selected car (track 0) at frame 0, yaw `yaw`.
std::unique_ptr<Session> session_with_car(double yaw = 0.0) {
  auto s = Session::create(frames_only(2));
  NewBox car;
  car.box = geometry::Cuboid::from_yaw(Eigen::Vector3d(10.0, 2.0, -0.8),
                                       Eigen::Vector3d(4.0, 1.8, 1.5), yaw);
  EXPECT_TRUE(s->apply(create_track(s->document(), car)));
  s->set_selection(Selection{0, std::nullopt, std::nullopt});
  return s;
}

geometry::Cuboid box_of(const Session& s) { return s.document().tracks.at(0).boxes.at(0).box; }

Eigen::Vector3d axis(const geometry::Cuboid& box, int k) {
  return box.rotation * Eigen::Vector3d::Unit(k);
}

/// Centre of a face: box axis `k`, side `sign`.
Eigen::Vector3d face(const geometry::Cuboid& box, int k, double sign) {
  return box.center + sign * 0.5 * box.size[k] * axis(box, k);
}

void expect_near(const Eigen::Vector3d& a, const Eigen::Vector3d& b) {
  EXPECT_NEAR((a - b).norm(), 0.0, kExact) << a.transpose() << " vs " << b.transpose();
}

TEST(CuboidEditTool, DraggingTheFrontFaceKeepsTheBackFace) {
  for (const double yaw : {0.0, 30.0 * kDeg}) {
    SCOPED_TRACE(yaw);
    auto s = session_with_car(yaw);
    const geometry::Cuboid before = box_of(*s);
    CuboidEditTool tool;
    const ViewInfo view = top_view();
    const Eigen::Vector3d front = face(before, 0, 1.0);
    EXPECT_EQ(drag(tool, *s, view, front, front + 0.5 * axis(before, 0)), kConsumed | kRender);
    const geometry::Cuboid after = box_of(*s);
    EXPECT_NEAR(after.size.x(), 4.5, kExact);
    EXPECT_NEAR(after.size.y(), 1.8, kExact);
    EXPECT_NEAR(after.size.z(), 1.5, kExact);
    expect_near(face(after, 0, -1.0), face(before, 0, -1.0));
    EXPECT_NEAR(after.yaw(), yaw, kExact);
    EXPECT_EQ(s->undo_name(), "Resize box");
  }
}

TEST(CuboidEditTool, SideViewTopFaceAndFrontViewLeftFace) {
  auto s = session_with_car(30.0 * kDeg);
  CuboidEditTool tool;
  const geometry::Cuboid before = box_of(*s);
  const ViewInfo side = make_side_view(before, 0.01);
  const Eigen::Vector3d top = face(before, 2, 1.0);
  drag(tool, *s, side, top, top + 0.3 * axis(before, 2));
  const geometry::Cuboid taller = box_of(*s);
  EXPECT_NEAR(taller.size.z(), 1.8, kExact);
  EXPECT_NEAR(taller.size.x(), 4.0, kExact);
  expect_near(face(taller, 2, -1.0), face(before, 2, -1.0));  // the bottom stays on the ground

  const ViewInfo front_view = make_front_view(taller, 0.01);
  const Eigen::Vector3d left = face(taller, 1, 1.0);
  drag(tool, *s, front_view, left, left + 0.4 * axis(taller, 1));
  const geometry::Cuboid wider = box_of(*s);
  EXPECT_NEAR(wider.size.y(), 2.2, kExact);
  EXPECT_NEAR(wider.size.z(), 1.8, kExact);
  expect_near(face(wider, 1, -1.0), face(taller, 1, -1.0));
  // The front view offers no front or back face: that handle is the side view's.
  for (const CuboidEditTool::HandlePoint& h : CuboidEditTool::handles(wider, front_view)) {
    EXPECT_NE(h.handle, Handle::kFront);
    EXPECT_NE(h.handle, Handle::kRotate);
  }
}

TEST(CuboidEditTool, DragInsideTranslatesInTheViewPlane) {
  auto s = session_with_car();
  CuboidEditTool tool;
  const geometry::Cuboid before = box_of(*s);
  const Eigen::Vector3d inside = before.center + Eigen::Vector3d(0.5, 0.2, 0.0);
  drag(tool, *s, top_view(), inside, inside + Eigen::Vector3d(1.0, -0.5, 0.0));
  expect_near(box_of(*s).center, before.center + Eigen::Vector3d(1.0, -0.5, 0.0));
  EXPECT_EQ(box_of(*s).size, before.size);
  EXPECT_EQ(s->undo_name(), "Move box");

  // The side view moves along the length and the height, never across.
  const geometry::Cuboid moved = box_of(*s);
  const ViewInfo side = make_side_view(moved, 0.01);
  const Eigen::Vector3d grab = moved.center + Eigen::Vector3d(-1.0, 0.0, 0.2);
  drag(tool, *s, side, grab, grab + Eigen::Vector3d(0.7, 0.0, 0.25));
  expect_near(box_of(*s).center, moved.center + Eigen::Vector3d(0.7, 0.0, 0.25));
}

TEST(CuboidEditTool, RotationHandleTurnsByThePointerAngle) {
  auto s = session_with_car(10.0 * kDeg);
  CuboidEditTool tool;
  const geometry::Cuboid before = box_of(*s);
  const ViewInfo view = top_view();
  std::optional<Eigen::Vector3d> handle;
  for (const CuboidEditTool::HandlePoint& h : CuboidEditTool::handles(before, view)) {
    if (h.handle == Handle::kRotate) handle = h.position;
  }
  ASSERT_TRUE(handle);
  EXPECT_GT((*handle - before.center).norm(), 0.5 * before.size.x());  // ahead of the front
  // From straight ahead to straight left: a quarter turn counter-clockwise.
  drag(tool, *s, view, *handle, before.center + 3.0 * axis(before, 1));
  const geometry::Cuboid after = box_of(*s);
  EXPECT_NEAR(after.yaw(), 100.0 * kDeg, kExact);
  expect_near(after.center, before.center);
  EXPECT_EQ(after.size, before.size);
  EXPECT_EQ(s->undo_name(), "Rotate box");
}

TEST(CuboidEditTool, UndoRevertsAWholeDragBitForBit) {
  auto s = session_with_car(30.0 * kDeg);
  const std::string before = text(*s);
  CuboidEditTool tool;
  const ViewInfo view = top_view();
  const geometry::Cuboid box = box_of(*s);
  const Eigen::Vector3d front = face(box, 0, 1.0);
  tool.on_pointer(*s, at(T::kPress, view, front));
  for (int i = 1; i <= 5; ++i) {
    tool.on_pointer(*s, at(T::kMove, view, front + 0.1 * i * axis(box, 0)));
    EXPECT_EQ(text(*s), before);  // the drag is only previewed
    ASSERT_EQ(tool.preview().boxes.size(), 1u);
  }
  tool.on_pointer(*s, at(T::kRelease, view, front + 0.5 * axis(box, 0)));
  ASSERT_NE(text(*s), before);
  ASSERT_TRUE(s->undo());
  EXPECT_EQ(text(*s), before);
  EXPECT_EQ(s->undo_name(), "Create box");  // one step for the whole drag
}

TEST(CuboidEditTool, EscapeCancelsADragAndMissesAreLeftToTheView) {
  auto s = session_with_car();
  const std::string before = text(*s);
  CuboidEditTool tool;
  const ViewInfo view = top_view();
  const Eigen::Vector3d front = face(box_of(*s), 0, 1.0);
  tool.on_pointer(*s, at(T::kPress, view, front));
  tool.on_pointer(*s, at(T::kMove, view, front + Eigen::Vector3d(1.0, 0.0, 0.0)));
  EXPECT_EQ(key(tool, *s, "Escape"), kConsumed | kRender);
  tool.on_pointer(*s, at(T::kRelease, view, front + Eigen::Vector3d(1.0, 0.0, 0.0)));
  EXPECT_EQ(text(*s), before);

  // A click with a pixel of jitter moves nothing.
  drag(tool, *s, view, box_of(*s).center, box_of(*s).center + Eigen::Vector3d(0.02, 0.0, 0.0));
  EXPECT_EQ(text(*s), before);

  EXPECT_EQ(tool.on_pointer(*s, at(T::kPress, view, Eigen::Vector3d(30.0, 30.0, 0.0))), kIgnored);
  s->set_selection({});
  EXPECT_EQ(tool.on_pointer(*s, at(T::kPress, view, box_of(*s).center)), kIgnored);
  EXPECT_EQ(text(*s), before);
}

TEST(CuboidEditTool, KeyboardNudgesAreOneUndoStepEach) {
  auto s = session_with_car();
  CuboidEditTool tool;
  const ViewInfo view = top_view();
  const geometry::Cuboid start = box_of(*s);

  EXPECT_EQ(key(tool, *s, "Right", kNoModifier, view), kConsumed | kRender);
  EXPECT_NEAR(box_of(*s).center.x(), start.center.x() + CuboidEditTool::kNudgeStep, kExact);
  EXPECT_NEAR(box_of(*s).center.y(), start.center.y(), kExact);
  key(tool, *s, "Up", kNoModifier, view);
  EXPECT_NEAR(box_of(*s).center.y(), start.center.y() + 0.1, kExact);
  key(tool, *s, "Left", kShift, view);  // fine: a tenth of the step
  EXPECT_NEAR(box_of(*s).center.x(), start.center.x() + 0.09, kExact);

  key(tool, *s, "q", kNoModifier, view);
  EXPECT_NEAR(box_of(*s).yaw(), 1.0 * kDeg, kExact);
  key(tool, *s, "e", kShift, view);
  EXPECT_NEAR(box_of(*s).yaw(), 0.9 * kDeg, kExact);

  key(tool, *s, "w", kNoModifier, view);
  EXPECT_NEAR(box_of(*s).size.x(), 4.1, kExact);
  const geometry::Cuboid before_r = box_of(*s);
  key(tool, *s, "r", kNoModifier, view);
  EXPECT_NEAR(box_of(*s).size.z(), 1.6, kExact);
  EXPECT_NEAR(face(box_of(*s), 2, -1.0).z(), face(before_r, 2, -1.0).z(), kExact);
  EXPECT_EQ(s->undo_name(), "Nudge box");

  // Without a view on the key, the last pointer event's view gives the directions: a top view
  // turned by 90 degrees has world +y to the right.
  const ViewInfo turned = make_top_view(Eigen::Vector3d::Zero(), 0.02, 90.0 * kDeg);
  tool.on_pointer(*s, at(T::kMove, turned, Eigen::Vector3d(50.0, 50.0, 0.0)));
  const Eigen::Vector3d c = box_of(*s).center;
  key(tool, *s, "Right");
  expect_near(box_of(*s).center, c + Eigen::Vector3d(0.0, 0.1, 0.0));

  for (int i = 0; i < 8; ++i) ASSERT_TRUE(s->undo());  // eight nudges, eight steps
  EXPECT_EQ(box_of(*s).center, start.center);
  EXPECT_EQ(s->undo_name(), "Create box");
  s->set_selection({});
  EXPECT_EQ(key(tool, *s, "Right", kNoModifier, view), kIgnored);
}

TEST(CuboidEditTool, LidarBoxesOfASequenceWithPosesAreEditedInTheWorld) {
  formats::Sequence seq;
  seq.layout = "folder";
  formats::FrameRef frame;
  frame.cloud_path = "/nonexistent/0.pcd";
  frame.format = "pcd";
  frame.T_world_lidar =
      geometry::make_pose(geometry::quaternion_from_yaw(0.5), Eigen::Vector3d(100.0, -20.0, 3.0));
  seq.frames.push_back(frame);
  auto s = Session::create(frames_only(1), seq);
  NewBox car;  // in the LiDAR frame, as a KITTI import gives it
  car.box = geometry::Cuboid::from_yaw(Eigen::Vector3d(10.0, 2.0, -0.8),
                                       Eigen::Vector3d(4.0, 1.8, 1.5), 0.2);
  ASSERT_TRUE(s->apply(create_track(s->document(), car)));
  s->set_selection(Selection{0, std::nullopt, std::nullopt});
  const geometry::Cuboid world = *s->box_in_world(0, 0);
  CuboidEditTool tool;
  const Eigen::Vector3d inside = world.center;
  drag(tool, *s, top_view(), inside, inside + Eigen::Vector3d(1.0, 2.0, 0.0));
  EXPECT_EQ(s->document().tracks[0].boxes[0].shape_frame, formats::ShapeFrame::kLidar);
  expect_near(s->box_in_world(0, 0)->center, world.center + Eigen::Vector3d(1.0, 2.0, 0.0));
  EXPECT_NEAR(s->box_in_world(0, 0)->yaw(), world.yaw(), kExact);
}

}  // namespace
}  // namespace pcanno::plugin
