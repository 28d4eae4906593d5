// A cloud at UTM coordinates (easting 5e5, northing 5.8e6) in the viewer: it draws exactly as the
// same scene near the origin (no collapsed or jittered points: absolute floats would have 0.5 m
// steps), and a box dragged in an AnnotationView lands where the pointer was.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include <vtkCommand.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkNew.h>
#include <vtkRenderWindow.h>
#include <vtkRenderWindowInteractor.h>
#include <vtkRenderer.h>

#include "display.hpp"
#include "las_writer.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/viewer/annotation_view.hpp"
#include "pcanno/viewer/display_connection.hpp"
#include "pcanno/viewer/render_png.hpp"
#include "pcanno/viewer/scene_renderer.hpp"

namespace pcanno::viewer {
namespace {

namespace fs = std::filesystem;

const Eigen::Vector3d kUtm(500000.0, 5800000.0, 0.0);

/// Points 10 cm apart on a 12 m x 8 m patch, with a car-sized block of them raised: a pattern whose
/// every dot shows whether it moved.
std::shared_ptr<formats::PointCloud> pattern(const Eigen::Vector3d& origin) {
  auto cloud = std::make_shared<formats::PointCloud>();
  cloud->origin = origin;
  for (int i = 0; i < 120; ++i) {
    for (int j = 0; j < 80; j += 2) {
      const float x = 0.1f * i, y = 0.1f * j;
      const bool car = x > 4.0f && x < 8.5f && y > 2.0f && y < 4.0f;
      cloud->x.push_back(x);
      cloud->y.push_back(y);
      cloud->z.push_back(car ? 1.0f : 0.0f);
    }
  }
  return cloud;
}

std::unique_ptr<plugin::Session> session_with_box(const Eigen::Vector3d& origin) {
  formats::Annotations doc;
  doc.frames.push_back(formats::FrameInfo{"0", -1, {}, ""});
  formats::Track track;
  track.id = 0;
  track.label = "Car";
  formats::BoxState state;
  state.frame = 0;
  state.box = geometry::Cuboid::from_yaw(origin + Eigen::Vector3d(6.25, 3.0, 0.75),
                                         Eigen::Vector3d(4.5, 2.0, 1.5), 0.0);
  track.boxes.push_back(state);
  doc.tracks.push_back(track);
  doc.ensure_class("Car");
  return plugin::Session::create(std::move(doc));
}

TEST(GeoreferencedView, AUtmCloudDrawsAsTheSameSceneNearTheOrigin) {
  PCANNO_REQUIRE_DISPLAY();
  RenderRequest request;
  request.width = 480;
  request.height = 360;
  request.view = plugin::ViewKind::kTop;
  request.center_track = 0;
  request.style.show_labels = false;
  request.style.color_by = ColorBy::kHeight;
  request.style.height_min = -0.5;
  request.style.height_max = 1.5;
  request.style.point_size = 2.0f;

  const auto local_session = session_with_box(Eigen::Vector3d::Zero());
  auto local = render_image(*local_session, pattern(Eigen::Vector3d::Zero()), request);
  ASSERT_TRUE(local) << local.error().describe();
  const auto utm_session = session_with_box(kUtm);
  auto utm = render_image(*utm_session, pattern(kUtm), request);
  ASSERT_TRUE(utm) << utm.error().describe();

  std::size_t drawn = 0, differ = 0;
  for (std::size_t i = 0; i + 2 < local->rgb.size(); i += 3) {
    const bool lit = local->rgb[i] + local->rgb[i + 1] + local->rgb[i + 2] > 0;
    drawn += lit;
    for (int c = 0; c < 3; ++c) {
      if (std::abs(int(local->rgb[i + c]) - int(utm->rgb[i + c])) > 8) {
        ++differ;
        break;
      }
    }
  }
  const std::size_t pixels = local->rgb.size() / 3;
  // The pattern fills a good part of the view (the points are drawn, not collapsed to a few)...
  EXPECT_GT(drawn, pixels / 10);
  // ...and the UTM render is the same picture: at most a few rasterisation differences.
  EXPECT_LT(differ, pixels / 500) << differ << " of " << pixels << " pixels differ";
}

TEST(GeoreferencedView, ABoxDraggedOnAUtmCloudLandsWhereThePointerWas) {
  PCANNO_REQUIRE_DISPLAY();
  const fs::path dir =
      fs::temp_directory_path() / ("pcanno_georeferenced_view_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "tile");
  std::vector<Eigen::Vector3d> ground;
  for (int i = 0; i < 60; ++i) {
    for (int j = 0; j < 40; ++j) ground.push_back(kUtm + Eigen::Vector3d(0.5 * i, 0.5 * j, 0.25));
  }
  std::ofstream(dir / "tile" / "tile.las", std::ios::binary) << test::las_bytes(ground);
  auto sequence = formats::open_sequence(dir / "tile");
  ASSERT_TRUE(sequence) << sequence.error().describe();
  formats::Annotations doc;
  doc.ensure_class("Car");
  auto session = plugin::Session::create(std::move(doc), std::move(*sequence));

  constexpr int kWidth = 800, kHeight = 600;
  DisplayConnection display;
  ASSERT_TRUE(display.ok()) << display.error();
  vtkNew<vtkRenderWindow> window;
  window->SetDisplayId(display.display());
  window->SetOffScreenRendering(1);
  window->SetSize(kWidth, kHeight);
  vtkNew<vtkRenderer> renderer;
  window->AddRenderer(renderer);
  vtkNew<vtkRenderWindowInteractor> interactor;
  interactor->SetRenderWindow(window);
  vtkNew<vtkInteractorStyleTrackballCamera> style;
  interactor->SetInteractorStyle(style);
  {
    AnnotationView view(*session, renderer, interactor);
    EXPECT_EQ(view.scene().point_count(), ground.size());
    // The default camera looks at the cloud, not at the world origin 5.8e6 m away.
    const CameraPose initial = camera_pose(renderer->GetActiveCamera());
    EXPECT_LT((initial.focal_point - kUtm).head<2>().norm(), 100.0);
    EXPECT_NEAR(initial.focal_point.z(), 0.25, 3.0);  // at the ground's height

    view.set_view_kind(plugin::ViewKind::kTop);
    // 30 m over 600 px: 5 cm per pixel.
    const CameraPose camera =
        make_camera(plugin::ViewKind::kTop, kUtm + Eigen::Vector3d(10.0, 5.0, 0.0), 30.0);
    view.set_camera(camera);
    ASSERT_TRUE(view.set_tool("cuboid-create"));
    const auto send = [&](unsigned long event, const Eigen::Vector3d& p) {
      const auto px = project(camera, p, kWidth, kHeight);
      ASSERT_TRUE(px);
      interactor->SetEventInformation(static_cast<int>(px->x()),
                                      kHeight - 1 - static_cast<int>(px->y()), 0, 0);
      interactor->InvokeEvent(event);
    };
    send(vtkCommand::LeftButtonPressEvent, kUtm + Eigen::Vector3d(8.0, 3.0, 0.0));
    send(vtkCommand::MouseMoveEvent, kUtm + Eigen::Vector3d(10.0, 4.0, 0.0));
    send(vtkCommand::MouseMoveEvent, kUtm + Eigen::Vector3d(12.0, 5.0, 0.0));
    send(vtkCommand::LeftButtonReleaseEvent, kUtm + Eigen::Vector3d(12.0, 5.0, 0.0));
  }
  fs::remove_all(dir);
  ASSERT_EQ(session->document().tracks.size(), 1u);
  const geometry::Cuboid& box = session->document().tracks[0].boxes[0].box;
  // Pixel-centre rounding allows half a pixel (2.5 cm) per corner; float jitter would be 0.5 m.
  EXPECT_NEAR(box.center.x(), kUtm.x() + 10.0, 0.03);
  EXPECT_NEAR(box.center.y(), kUtm.y() + 4.0, 0.03);
  EXPECT_NEAR(box.size.x(), 4.0, 0.06);
  EXPECT_NEAR(box.size.y(), 2.0, 0.06);
  // On the ground the tool read from the file (z = 0.25).
  EXPECT_NEAR(box.center.z() - box.size.z() / 2.0, 0.25, 1e-3);
}

}  // namespace
}  // namespace pcanno::viewer
