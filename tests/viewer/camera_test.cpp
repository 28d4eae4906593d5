// camera.hpp against VTK itself: project() must land where vtkRenderer puts a world point, and
// pixel_ray() must invert it.
#include <gtest/gtest.h>

#include <vtkCamera.h>
#include <vtkNew.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>

#include "pcanno/plugin/tools/tool_geometry.hpp"
#include "pcanno/viewer/camera.hpp"

namespace pcanno::viewer {
namespace {

constexpr int kWidth = 640, kHeight = 400;

// VTK's own world -> display transform (origin bottom-left), as an image pixel (origin top-left).
Eigen::Vector2d vtk_pixel(vtkRenderer* renderer, const Eigen::Vector3d& p) {
  renderer->SetWorldPoint(p.x(), p.y(), p.z(), 1.0);
  renderer->WorldToDisplay();
  double d[3];
  renderer->GetDisplayPoint(d);
  return {d[0], kHeight - d[1]};
}

class CameraViews : public ::testing::TestWithParam<plugin::ViewKind> {};

TEST_P(CameraViews, ProjectMatchesVtkAndPixelRayInvertsIt) {
  vtkNew<vtkRenderWindow> window;
  window->SetOffScreenRendering(1);
  window->SetSize(kWidth, kHeight);
  vtkNew<vtkRenderer> renderer;
  window->AddRenderer(renderer);
  const CameraPose pose = make_camera(GetParam(), Eigen::Vector3d(12.0, -3.0, -0.5), 30.0);
  apply_camera(pose, renderer->GetActiveCamera());
  renderer->ResetCameraClippingRange(-40, 60, -40, 40, -10, 10);
  for (const Eigen::Vector3d& p :
       {Eigen::Vector3d(12.0, -3.0, -0.5), Eigen::Vector3d(20.0, 4.0, 1.0),
        Eigen::Vector3d(5.0, -9.0, -1.5), Eigen::Vector3d(15.0, 2.5, 0.3)}) {
    const auto pixel = project(pose, p, kWidth, kHeight);
    ASSERT_TRUE(pixel);
    EXPECT_NEAR(pixel->x(), vtk_pixel(renderer, p).x(), 1e-6);
    EXPECT_NEAR(pixel->y(), vtk_pixel(renderer, p).y(), 1e-6);
    // The ray through that pixel passes through the point.
    const plugin::Ray ray = pixel_ray(pose, *pixel, kWidth, kHeight);
    const Eigen::Vector3d v = p - ray.origin;
    EXPECT_LT((v - v.dot(ray.direction) * ray.direction).norm(), 1e-6);
    EXPECT_GT(v.dot(ray.direction), 0.0);
  }
  // The focus is the centre of the image.
  const auto centre = project(pose, pose.focal_point, kWidth, kHeight);
  EXPECT_NEAR(centre->x(), kWidth / 2.0, 1e-9);
  EXPECT_NEAR(centre->y(), kHeight / 2.0, 1e-9);
  // The camera round-trips through VTK.
  const CameraPose back = camera_pose(renderer->GetActiveCamera());
  EXPECT_LT((back.position - pose.position).norm(), 1e-9);
  EXPECT_EQ(back.parallel, pose.parallel);
}

INSTANTIATE_TEST_SUITE_P(AllViews, CameraViews,
                         ::testing::Values(plugin::ViewKind::kPerspective, plugin::ViewKind::kTop,
                                           plugin::ViewKind::kSide, plugin::ViewKind::kFront));

TEST(Camera, TopViewIsNorthUpAndMatchesTheToolView) {
  const CameraPose top = make_camera(plugin::ViewKind::kTop, Eigen::Vector3d(10, 0, 0), 20.0);
  // World +x to the right, +y up the screen.
  const auto a = project(top, Eigen::Vector3d(10, 0, 0), 400, 400);
  const auto right = project(top, Eigen::Vector3d(11, 0, 0), 400, 400);
  const auto up = project(top, Eigen::Vector3d(10, 1, 0), 400, 400);
  EXPECT_NEAR(right->x() - a->x(), 20.0, 1e-9);  // 400 px for 20 m
  EXPECT_NEAR(up->y() - a->y(), -20.0, 1e-9);
  const plugin::ViewInfo view = view_info(top, plugin::ViewKind::kTop, 400);
  EXPECT_NEAR(view.meters_per_pixel, 0.05, 1e-12);
  EXPECT_NEAR(plugin::screen_yaw(view), 0.0, 1e-12);
}

TEST(Camera, SideAndFrontViewsOfARotatedBox) {
  const geometry::Cuboid box =
      geometry::Cuboid::from_yaw(Eigen::Vector3d(8, 2, -0.8), Eigen::Vector3d(4, 2, 1.5), 0.7);
  const CameraPose side = camera_on_box(plugin::ViewKind::kSide, box);
  const CameraPose front = camera_on_box(plugin::ViewKind::kFront, box);
  // Side: box +x to the right of the screen; front: box -y to the right.
  const Eigen::Vector3d fwd = box.rotation * Eigen::Vector3d::UnitX();
  const Eigen::Vector3d left = box.rotation * Eigen::Vector3d::UnitY();
  EXPECT_GT(project(side, box.center + fwd, 500, 500)->x(),
            project(side, box.center, 500, 500)->x() + 10);
  EXPECT_GT(project(front, box.center - left, 500, 500)->x(),
            project(front, box.center, 500, 500)->x() + 10);
  // Both frame the whole box.
  for (const CameraPose& pose : {side, front}) {
    for (const Eigen::Vector3d& c : box.corners()) {
      const auto px = project(pose, c, 500, 500);
      EXPECT_GT(px->x(), 0);
      EXPECT_LT(px->x(), 500);
      EXPECT_GT(px->y(), 0);
      EXPECT_LT(px->y(), 500);
    }
  }
}

}  // namespace
}  // namespace pcanno::viewer
