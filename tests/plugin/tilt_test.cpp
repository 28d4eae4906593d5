// The tilt lock (plugin/tilt.hpp) and the box editor's pitch and roll handles.
#include "pcanno/plugin/tilt.hpp"

#include <cmath>
#include <memory>

#include <gtest/gtest.h>

#include "pcanno/geometry/angles.hpp"
#include "pcanno/geometry/yaw_pitch_roll.hpp"
#include "pcanno/plugin/tools/cuboid_edit_tool.hpp"
#include "tool_test_helpers.hpp"

namespace pcanno::plugin {
namespace {

using namespace tool_test;
using Handle = CuboidEditTool::Handle;

constexpr double kDeg = geometry::kPi / 180.0;
const std::string kPitchLocked = "pitch locked: Car is upright; unlock with free tilt";

/// A session with one selected Car (track 0) at frame 0: yaw 30 deg and the given pitch and roll.
std::unique_ptr<Session> session_with_car(double pitch = 0.0, double roll = 0.0) {
  auto s = Session::create(frames_only(2));
  NewBox car;
  car.label = "Car";
  car.box.center = Eigen::Vector3d(10.0, 2.0, -0.8);
  car.box.size = Eigen::Vector3d(4.0, 1.8, 1.5);
  car.box.rotation = geometry::quaternion_from_yaw_pitch_roll({30 * kDeg, pitch, roll});
  EXPECT_TRUE(s->apply(create_track(s->document(), car)));
  s->set_selection(Selection{0, std::nullopt, std::nullopt});
  return s;
}

geometry::Cuboid box_of(const Session& s) { return s.document().tracks.at(0).boxes.at(0).box; }

Eigen::Vector3d axis(const geometry::Cuboid& box, int k) {
  return box.rotation * Eigen::Vector3d::Unit(k);
}

Eigen::Vector3d handle_of(const geometry::Cuboid& box, const ViewInfo& view, Handle which) {
  for (const CuboidEditTool::HandlePoint& h : CuboidEditTool::handles(box, view)) {
    if (h.handle == which) return h.position;
  }
  ADD_FAILURE() << "no such handle in this view";
  return box.center;
}

TEST(Tilt, UprightClassesLockUnlessTheTrackIsFree) {
  auto s = session_with_car();
  EXPECT_TRUE(tilt_locked(s->document(), 0));  // Car: upright in the default schema
  EXPECT_EQ(tilt_lock_reason(s->document(), 0, "pitch"), kPitchLocked);
  EXPECT_FALSE(tilt_locked(s->document(), 99));  // no such track: nothing to lock

  // One undo step each way; undo restores the lock.
  ASSERT_TRUE(s->apply(set_free_tilt(s->document(), 0, true)));
  EXPECT_EQ(s->undo_name(), "Free tilt");
  EXPECT_TRUE(s->document().track(0)->free_tilt);
  EXPECT_FALSE(tilt_locked(s->document(), 0));
  EXPECT_FALSE(tilt_lock_reason(s->document(), 0));
  ASSERT_TRUE(s->undo());
  EXPECT_TRUE(tilt_locked(s->document(), 0));
  EXPECT_EQ(set_free_tilt(s->document(), 99, true).error().code, formats::ErrorCode::kNotFound);

  // A class that the document says is not upright never locks.
  formats::Annotations doc = s->document();
  doc.ensure_class("Car").upright = false;
  EXPECT_FALSE(tilt_locked(doc, 0));
}

TEST(Tilt, LockedEditsMayNotAddTiltButMayKeepOrRemoveIt) {
  auto s = session_with_car();
  const formats::Annotations& doc = s->document();
  geometry::Cuboid tilted = box_of(*s);
  tilted.rotation = geometry::quaternion_from_yaw_pitch_roll({30 * kDeg, 5 * kDeg, 0.0});
  const auto refused = modify_box_checked(doc, 0, 0, tilted);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, formats::ErrorCode::kConflict);
  EXPECT_EQ(refused.error().message, "tilt locked: Car is upright; unlock with free tilt");
  // A tilt of a micro-radian is rounding, not an edit.
  tilted.rotation = geometry::quaternion_from_yaw_pitch_roll({30 * kDeg, 0.0, 0.5e-6});
  EXPECT_TRUE(modify_box_checked(doc, 0, 0, tilted));

  // A locked box that carries tilt (imported so) moves and turns about its own +z, and may be
  // straightened, but not tilted further.
  auto t = session_with_car(4 * kDeg, 0.0);
  geometry::Cuboid moved = box_of(*t);
  moved.center.x() += 1.0;
  moved.rotation = (moved.rotation * Eigen::AngleAxisd(0.3, Eigen::Vector3d::UnitZ())).normalized();
  EXPECT_TRUE(modify_box_checked(t->document(), 0, 0, moved));
  geometry::Cuboid straight = box_of(*t);
  straight.rotation = geometry::quaternion_from_yaw_pitch_roll({30 * kDeg, 0.0, 0.0});
  EXPECT_TRUE(modify_box_checked(t->document(), 0, 0, straight));
  geometry::Cuboid more = box_of(*t);
  more.rotation = geometry::quaternion_from_yaw_pitch_roll({30 * kDeg, 6 * kDeg, 0.0});
  EXPECT_FALSE(modify_box_checked(t->document(), 0, 0, more));
  ASSERT_TRUE(t->apply(set_free_tilt(t->document(), 0, true)));
  EXPECT_TRUE(modify_box_checked(t->document(), 0, 0, more));
}

TEST(Tilt, ThePitchHandleIsRefusedWhileLockedWithTheReason) {
  auto s = session_with_car();
  const geometry::Cuboid before = box_of(*s);
  const ViewInfo side = make_side_view(before, 0.01);
  const Eigen::Vector3d handle = handle_of(before, side, Handle::kPitch);
  // Ahead of the front face, on the box's length axis.
  EXPECT_GT((handle - before.center).dot(axis(before, 0)), 0.5 * before.size.x());
  EXPECT_NEAR((handle - before.center).cross(axis(before, 0)).norm(), 0.0, 1e-9);

  CuboidEditTool tool;
  const int pressed = tool.on_pointer(*s, at(PointerEvent::Type::kPress, side, handle));
  EXPECT_EQ(pressed, kConsumed | kRender);
  EXPECT_EQ(tool.preview().status, kPitchLocked);
  drag(tool, *s, side, handle, before.center + 3.0 * axis(before, 2));
  EXPECT_EQ(box_of(*s).rotation.coeffs(), before.rotation.coeffs());
  EXPECT_EQ(s->undo_name(), "Create box");  // nothing was applied
}

TEST(Tilt, ThePitchHandleTurnsAboutTheBoxWidthAxisOnceFree) {
  auto s = session_with_car();
  ASSERT_TRUE(s->apply(set_free_tilt(s->document(), 0, true)));
  const geometry::Cuboid before = box_of(*s);
  const ViewInfo side = make_side_view(before, 0.01);
  CuboidEditTool tool;
  // From straight ahead to 20 deg above ahead: the nose goes up, pitch -20 deg (nose-down
  // positive); yaw and roll stay.
  const Eigen::Vector3d to = before.center + 3.0 * (std::cos(20 * kDeg) * axis(before, 0) +
                                                    std::sin(20 * kDeg) * axis(before, 2));
  drag(tool, *s, side, handle_of(before, side, Handle::kPitch), to);
  const geometry::YawPitchRoll a = geometry::yaw_pitch_roll(box_of(*s).rotation);
  EXPECT_NEAR(a.yaw, 30 * kDeg, 1e-9);
  EXPECT_NEAR(a.pitch, -20 * kDeg, 1e-9);
  EXPECT_NEAR(a.roll, 0.0, 1e-9);
  EXPECT_EQ(box_of(*s).center, before.center);
  EXPECT_EQ(s->undo_name(), "Pitch box");
  ASSERT_TRUE(s->undo());
  EXPECT_EQ(box_of(*s).rotation.coeffs(), before.rotation.coeffs());
}

TEST(Tilt, TheRollHandleSitsAboveTheTopInTheFrontView) {
  auto s = session_with_car();
  const geometry::Cuboid before = box_of(*s);
  const ViewInfo front = make_front_view(before, 0.01);
  const Eigen::Vector3d handle = handle_of(before, front, Handle::kRoll);
  EXPECT_GT((handle - before.center).dot(axis(before, 2)), 0.5 * before.size.z());
  for (const CuboidEditTool::HandlePoint& h : CuboidEditTool::handles(before, front)) {
    EXPECT_NE(h.handle, Handle::kPitch);  // pitch is the side view's, yaw the top view's
    EXPECT_NE(h.handle, Handle::kRotate);
  }
  for (const CuboidEditTool::HandlePoint& h : CuboidEditTool::handles(before, top_view())) {
    EXPECT_NE(h.handle, Handle::kPitch);
    EXPECT_NE(h.handle, Handle::kRoll);
  }

  CuboidEditTool tool;
  // Top leaning 15 deg to the car's right (box -y): the left side goes up, roll +15 deg.
  const Eigen::Vector3d to = before.center + 3.0 * (std::cos(15 * kDeg) * axis(before, 2) -
                                                    std::sin(15 * kDeg) * axis(before, 1));
  drag(tool, *s, front, handle, to);
  EXPECT_EQ(tool.preview().status, "roll locked: Car is upright; unlock with free tilt");
  EXPECT_EQ(box_of(*s).rotation.coeffs(), before.rotation.coeffs());

  ASSERT_TRUE(s->apply(set_free_tilt(s->document(), 0, true)));
  drag(tool, *s, front, handle, to);
  const geometry::YawPitchRoll a = geometry::yaw_pitch_roll(box_of(*s).rotation);
  EXPECT_NEAR(a.yaw, 30 * kDeg, 1e-9);
  EXPECT_NEAR(a.pitch, 0.0, 1e-9);
  EXPECT_NEAR(a.roll, 15 * kDeg, 1e-9);
  EXPECT_EQ(s->undo_name(), "Roll box");
}

TEST(Tilt, TurningALockedTiltedBoxInTheTopViewKeepsItsTilt) {
  auto s = session_with_car(0.0, 3 * kDeg);  // imported tilted, class locked
  const geometry::Cuboid before = box_of(*s);
  const ViewInfo top = top_view();
  CuboidEditTool tool;
  const Eigen::Vector3d handle = handle_of(before, top, Handle::kRotate);
  drag(tool, *s, top, handle, before.center + 3.0 * Eigen::Vector3d(0.0, 1.0, 0.0));
  const geometry::Cuboid after = box_of(*s);
  EXPECT_EQ(s->undo_name(), "Rotate box");
  EXPECT_GT(std::abs(geometry::angle_difference(after.yaw(), before.yaw())), 10 * kDeg);
  EXPECT_NEAR(geometry::tilt_angle(after.rotation), 3 * kDeg, 1e-9);
}

}  // namespace
}  // namespace pcanno::plugin
