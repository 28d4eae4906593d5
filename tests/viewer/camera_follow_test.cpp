// The follow-camera rule on its own: the main view rides with the car, the top view too until a
// box is selected; a selected box gets the side, front and top views, the top one zoomed when the
// selection is new and the annotator's zoom and pan kept otherwise; without a box they stay.
#include <cmath>

#include <gtest/gtest.h>

#include "pcanno/plugin/tools/tool_geometry.hpp"
#include "pcanno/viewer/camera_follow.hpp"

namespace pcanno::viewer {
namespace {

geometry::Pose pose(double x, double y, double yaw) {
  geometry::Pose p = geometry::Pose::Identity();
  p.linear() = Eigen::AngleAxisd(yaw, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  p.translation() = Eigen::Vector3d(x, y, 0.0);
  return p;
}

geometry::Cuboid car(double x = 10.0, double y = 5.0, double yaw = 0.3) {
  return geometry::Cuboid::from_yaw({x, y, 0.75}, {4.0, 2.0, 1.5}, yaw);
}

Eigen::Vector3d heading(const geometry::Cuboid& box) {
  return box.rotation * Eigen::Vector3d::UnitX();
}

/// Views 400 px (top) and 200 px (side, front) on their shorter sides, a north-up top view
/// 0.1 m per pixel at the origin.
FollowInput at_frame(std::int64_t frame, std::optional<std::int64_t> selected = std::nullopt,
                     std::optional<geometry::Cuboid> box = std::nullopt) {
  FollowInput in;
  in.frame = frame;
  in.selected = selected;
  in.box = box;
  in.top = plugin::make_top_view(Eigen::Vector3d::Zero(), 0.1);
  in.top_pixels = 400;
  in.side_pixels = 200;
  in.front_pixels = 200;
  return in;
}

TEST(CameraFollow, WithNothingSelectedTheMainAndTopViewsRideWithTheCar) {
  CameraFollow follow;
  FollowMoves first = follow.update(at_frame(0));
  EXPECT_FALSE(first.main_delta);  // the car is where the cameras were placed
  EXPECT_FALSE(first.top_delta);
  EXPECT_FALSE(first.top || first.side || first.front);

  FollowInput next = at_frame(1);
  next.ego = pose(5.0, 1.0, 0.1);
  const FollowMoves moved = follow.update(next);
  ASSERT_TRUE(moved.main_delta);
  ASSERT_TRUE(moved.top_delta);
  EXPECT_TRUE(moved.main_delta->isApprox(pose(5.0, 1.0, 0.1)));
  EXPECT_TRUE(moved.top_delta->isApprox(pose(5.0, 1.0, 0.1)));
  EXPECT_FALSE(moved.top || moved.side || moved.front);

  // From there, only the change: 2 m further along the new heading.
  next = at_frame(2);
  next.ego = pose(5.0, 1.0, 0.1) * pose(2.0, 0.0, 0.0);
  const FollowMoves step = follow.update(next);
  ASSERT_TRUE(step.main_delta);
  const Eigen::Vector3d before(5.0, 1.0, 0.0);
  const Eigen::Vector3d after = *step.main_delta * before;
  EXPECT_NEAR((after - before).norm(), 2.0, 1e-12);
  EXPECT_NEAR(std::atan2(after.y() - before.y(), after.x() - before.x()), 0.1, 1e-12);

  // The same pose again: nothing moves.
  const FollowMoves still = follow.update(next);
  EXPECT_FALSE(still.main_delta || still.top_delta);
}

TEST(CameraFollow, ANewlySelectedBoxGetsTheOrthoViewsTheTopOneTurnedAndZoomed) {
  CameraFollow follow;
  follow.update(at_frame(0));
  const geometry::Cuboid box = car();
  const FollowMoves moves = follow.update(at_frame(0, 7, box));
  ASSERT_TRUE(moves.top && moves.side && moves.front);

  // Top: on the box, its heading to the right, three diagonals (3 * sqrt(4^2 + 2^2) m) across
  // the view's 400 px.
  EXPECT_LT((moves.top->focus - box.center).norm(), 1e-12);
  EXPECT_GT(plugin::screen_right(*moves.top).dot(heading(box)), 1.0 - 1e-12);
  EXPECT_NEAR(moves.top->meters_per_pixel, 3.0 * std::sqrt(20.0) / 400.0, 1e-12);

  // Side: along the box's +x to the right, its length (4 m, the larger of 4 and 1.5) 1.8 times
  // over 200 px; the slab reaches 0.6 m beyond half its width.
  EXPECT_GT(plugin::screen_right(moves.side->view).dot(heading(box)), 1.0 - 1e-12);
  EXPECT_NEAR(moves.side->view.meters_per_pixel, 4.0 * 1.8 / 200.0, 1e-12);
  EXPECT_NEAR(moves.side->slab, 1.0 + 0.6, 1e-12);
  EXPECT_LT((moves.side->view.focus - box.center).norm(), 1e-12);
  // Front: looking along the heading, the width (2 m) 1.8 times over 200 px, slab half the length
  // plus 0.6 m.
  EXPECT_GT((-plugin::towards_viewer(moves.front->view)).dot(heading(box)), 1.0 - 1e-12);
  EXPECT_NEAR(moves.front->view.meters_per_pixel, 2.0 * 1.8 / 200.0, 1e-12);
  EXPECT_NEAR(moves.front->slab, 2.0 + 0.6, 1e-12);

  // A pedestrian still gets 12 m across the top view; views smaller than 40 px count as 40.
  CameraFollow small;
  FollowInput in = at_frame(0, 3, geometry::Cuboid::from_yaw({0, 0, 0.9}, {0.8, 0.6, 1.8}, 0.0));
  in.top_pixels = 10;
  in.side_pixels = 10;
  const FollowMoves walker = small.update(in);
  ASSERT_TRUE(walker.top && walker.side);
  EXPECT_NEAR(walker.top->meters_per_pixel, 12.0 / 40.0, 1e-12);
  EXPECT_NEAR(walker.side->view.meters_per_pixel, 1.8 * 1.8 / 40.0, 1e-12);
}

TEST(CameraFollow, SteppingFramesKeepsTheZoomAndEditsKeepThePan) {
  CameraFollow follow;
  follow.update(at_frame(0, 7, car()));
  // The annotator zooms in to 0.01 m per pixel, then steps a frame: the box moved and turned.
  FollowInput next = at_frame(1, 7, car(12.0, 5.5, 0.5));
  next.top.meters_per_pixel = 0.01;
  next.ego = pose(2.0, 0.0, 0.0);
  const FollowMoves stepped = follow.update(next);
  ASSERT_TRUE(stepped.top);
  EXPECT_LT((stepped.top->focus - next.box->center).norm(), 1e-12);
  EXPECT_DOUBLE_EQ(stepped.top->meters_per_pixel, 0.01);
  EXPECT_GT(plugin::screen_right(*stepped.top).dot(heading(*next.box)), 1.0 - 1e-12);
  // The car moved: the main view follows it, the top view follows the box instead.
  EXPECT_TRUE(stepped.main_delta);
  EXPECT_FALSE(stepped.top_delta);

  // An edit at the same frame: the side and front views fit the edited box, the top view stays
  // where the annotator panned it.
  FollowInput edited = next;
  edited.box = car(12.5, 5.5, 0.5);
  const FollowMoves after_edit = follow.update(edited);
  EXPECT_FALSE(after_edit.top);
  ASSERT_TRUE(after_edit.side && after_edit.front);
  EXPECT_LT((after_edit.side->view.focus - edited.box->center).norm(), 1e-12);
  EXPECT_FALSE(after_edit.main_delta);
}

TEST(CameraFollow, WithoutABoxAtTheFrameTheOrthoViewsStayAndTheTopViewDoesNotRide) {
  CameraFollow follow;
  follow.update(at_frame(0, 7, car()));
  FollowInput gap = at_frame(1, 7);  // the track has no box at frame 1
  gap.ego = pose(3.0, 0.0, 0.0);
  const FollowMoves moves = follow.update(gap);
  EXPECT_FALSE(moves.top || moves.side || moves.front);
  EXPECT_TRUE(moves.main_delta);
  EXPECT_FALSE(moves.top_delta);  // something is selected: the top view waits for it

  // The box is back at frame 2: the top view returns to it with the zoom of the moment.
  FollowInput back = at_frame(2, 7, car(14.0, 5.0, 0.3));
  back.ego = gap.ego;
  back.top.meters_per_pixel = 0.05;
  const FollowMoves returned = follow.update(back);
  ASSERT_TRUE(returned.top);
  EXPECT_DOUBLE_EQ(returned.top->meters_per_pixel, 0.05);
  EXPECT_LT((returned.top->focus - back.box->center).norm(), 1e-12);
}

TEST(CameraFollow, NorthUpKeepsWorldXToTheRight) {
  CameraFollow follow;
  follow.set_north_up(true);
  const geometry::Cuboid box = car();
  const FollowMoves moves = follow.update(at_frame(0, 7, box));
  ASSERT_TRUE(moves.top);
  EXPECT_GT(plugin::screen_right(*moves.top).x(), 1.0 - 1e-12);
  EXPECT_GT(plugin::screen_up(*moves.top).y(), 1.0 - 1e-12);

  // Turning back keeps the focus and zoom and turns to the heading; without a box, north up.
  plugin::ViewInfo top = plugin::make_top_view({1.0, 2.0, 0.0}, 0.07);
  follow.set_north_up(false);
  const plugin::ViewInfo turned = follow.turned(top, box);
  EXPECT_LT((turned.focus - top.focus).norm(), 1e-12);
  EXPECT_DOUBLE_EQ(turned.meters_per_pixel, 0.07);
  EXPECT_GT(plugin::screen_right(turned).dot(heading(box)), 1.0 - 1e-12);
  EXPECT_GT(plugin::screen_right(follow.turned(top, std::nullopt)).x(), 1.0 - 1e-12);
}

TEST(CameraFollow, ForgettingWhatWasShownMakesTheSelectionNewAgain) {
  CameraFollow follow;
  follow.update(at_frame(0, 7, car()));
  FollowInput same = at_frame(0, 7, car());
  same.top.meters_per_pixel = 0.01;
  EXPECT_FALSE(follow.update(same).top);  // nothing new: the pan and zoom stay
  follow.forget_shown();
  const FollowMoves moves = follow.update(same);
  ASSERT_TRUE(moves.top);
  EXPECT_NEAR(moves.top->meters_per_pixel, 3.0 * std::sqrt(20.0) / 400.0, 1e-12);
}

TEST(CameraFollow, TheEgoIsTheSensorPoseMovedToTheCloudsViewpoint) {
  const geometry::Pose T = pose(1.0, 2.0, M_PI / 2.0);
  const geometry::Pose ego = CameraFollow::ego_pose(T, Eigen::Vector3d(10.0, 0.0, 0.0));
  // The viewpoint 10 m ahead of the sensor, which faces world +y.
  EXPECT_TRUE(ego.translation().isApprox(Eigen::Vector3d(1.0, 12.0, 0.0), 1e-12));
  EXPECT_TRUE(ego.linear().isApprox(T.linear()));
  EXPECT_TRUE(CameraFollow::ego_pose(std::nullopt, Eigen::Vector3d(3.0, 4.0, 0.0))
                  .translation()
                  .isApprox(Eigen::Vector3d(3.0, 4.0, 0.0)));
}

}  // namespace
}  // namespace pcanno::viewer
