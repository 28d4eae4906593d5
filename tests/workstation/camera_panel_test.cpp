// The camera panel through the real window: a KITTI-tracking-like sequence with generated image_02
// PNGs (pixel (u, v) of frame f is (u % 256, v % 256, 40 f + 20), so every drawn pixel can be told
// from the image under it), and the real nuScenes scene-0061 keyframe with its six cameras.
// Expected pixels come from geometry::project on the sequence's calibration, not from the overlay.
#include <algorithm>
#include <cmath>
#include <fstream>

#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkUnsignedCharArray.h>
#include <QComboBox>
#include <QImage>

#include "pcanno/geometry/camera.hpp"
#include "pcanno/plugin/polyline_commands.hpp"
#include "pcanno/viewer/box_look.hpp"
#include "pcanno/viewer/workstation/camera_panel.hpp"
#include "pcanno/viewer/workstation/camera_view.hpp"
#include "test_data.hpp"
#include "workstation_fixture.hpp"

namespace pcanno::test {
namespace {

namespace fs = std::filesystem;
using viewer::Rgb;
using ws::CameraView;

constexpr int kWidth = 1242;  ///< [px] a KITTI colour camera image
constexpr int kHeight = 375;

Rgb generated_pixel(int u, int v, int frame) {
  return {static_cast<std::uint8_t>(u % 256), static_cast<std::uint8_t>(v % 256),
          static_cast<std::uint8_t>(40 * frame + 20)};
}

/// One camera's view of one box edge: the pixel of its 3D midpoint.
struct EdgePixel {
  std::int64_t track = 0;
  Eigen::Vector2d uv;
  double depth = 0.0;  ///< [m] of the box centre
};

/// The box (at the session's frame) nearest to `channel`'s camera that has an edge wholly inside
/// its image (with `margin` [px]), and that edge's midpoint pixel, projected with the frame's
/// calibration (geometry::project).
std::optional<EdgePixel> nearest_edge(const plugin::Session& session, const std::string& channel,
                                      double margin) {
  const std::int64_t frame = session.frame();
  const formats::CameraImage* cam =
      session.sequence()->frames[static_cast<std::size_t>(frame)].image(channel);
  if (!cam) return std::nullopt;
  const geometry::Pose T_lidar_world =
      session.T_world_lidar(frame).value_or(geometry::Pose::Identity()).inverse();
  const auto inside = [&](const Eigen::Vector2d& p) {
    return p.x() > margin && p.y() > margin && p.x() < cam->camera.width - margin &&
           p.y() < cam->camera.height - margin;
  };
  std::optional<EdgePixel> best;
  for (const formats::Track& t : session.document().tracks) {
    auto world = session.box_in_world(t.id, frame);
    if (!world) continue;
    const geometry::Cuboid box = geometry::transform(T_lidar_world, *world);
    const Eigen::Vector3d centre = cam->T_cam_lidar * box.center;
    if (centre.z() < 1.0 || (best && centre.z() >= best->depth)) continue;
    const auto corners = box.corners();
    for (const auto& e : geometry::kCuboidEdges) {
      const Eigen::Vector3d a = cam->T_cam_lidar * corners[static_cast<std::size_t>(e[0])];
      const Eigen::Vector3d b = cam->T_cam_lidar * corners[static_cast<std::size_t>(e[1])];
      const auto pa = geometry::project(cam->camera, a);
      const auto pb = geometry::project(cam->camera, b);
      const auto mid = geometry::project(cam->camera, 0.5 * (a + b));
      if (!pa || !pb || !mid || !inside(*pa) || !inside(*pb)) continue;
      if ((*pa - *pb).norm() < 12.0) continue;  // too short to find among the others
      best = EdgePixel{t.id, *mid, centre.z()};
      break;
    }
  }
  return best;
}

/// Whether the grabbed `view` has colour `c` within `radius` widget pixels of image pixel `uv`.
bool painted_near(CameraView* view, const Eigen::Vector2d& uv, const Rgb& c, int radius = 2) {
  const QImage shot = view->grab().toImage().convertToFormat(QImage::Format_RGB888);
  const QPoint p = view->widget_of(uv).toPoint();
  for (int dy = -radius; dy <= radius; ++dy) {
    for (int dx = -radius; dx <= radius; ++dx) {
      const QPoint q = p + QPoint(dx, dy);
      if (!shot.rect().contains(q)) continue;
      if (shot.pixelColor(q) == QColor(c[0], c[1], c[2])) return true;
    }
  }
  return false;
}

/// The colour the 3D views give track `id`'s box at the current frame (the shared legend).
Rgb look_of(ws::WorkstationWindow& w, std::int64_t id) {
  const plugin::Session& s = w.session();
  const formats::Track* t = s.document().track(id);
  return viewer::box_look(w.main_view()->scene().style(), s.document(), t->label, *t->at(s.frame()),
                          s.selection().track == id)
      .color;
}

class CameraPanelTest : public WorkstationTest {
 protected:
  /// The sample KITTI tracking sequence with image_02/0000/<frame>.png written as generated_pixel()
  /// says; frame `corrupt` (if any) gets bytes that are no PNG.
  fs::path kitti_with_images(int corrupt = -1) {
    const fs::path root = dir_ / "kitti_cams" / "training";
    fs::create_directories(root);
    fs::copy(sample_ / "training", root, fs::copy_options::recursive);
    const fs::path images = root / "image_02" / "0000";
    fs::create_directories(images);
    int frames = 0;
    for (const auto& e : fs::directory_iterator(root / "velodyne" / "0000")) {
      frames += e.path().extension() == ".bin";
    }
    for (int f = 0; f < frames; ++f) {
      char name[32];
      std::snprintf(name, sizeof(name), "%06d.png", f);
      if (f == corrupt) {
        std::ofstream(images / name) << "this is no PNG";
        continue;
      }
      QImage image(kWidth, kHeight, QImage::Format_RGB888);
      for (int v = 0; v < kHeight; ++v) {
        for (int u = 0; u < kWidth; ++u) {
          const Rgb c = generated_pixel(u, v, f);
          image.setPixelColor(u, v, QColor(c[0], c[1], c[2]));
        }
      }
      EXPECT_TRUE(image.save(QString::fromStdString((images / name).string()), "PNG"));
    }
    return root.parent_path();
  }

  ws::WorkstationWindow& open_kitti(int corrupt = -1) {
    ws::WorkstationOptions options;
    options.sequence = kitti_with_images(corrupt);
    ws::WorkstationWindow& w = open(options);
    QTest::qWait(100);
    return w;
  }

  static CameraView* only_view(ws::WorkstationWindow& w) {
    EXPECT_EQ(w.camera_panel()->cameras(), std::vector<std::string>{"image_02"});
    return w.camera_panel()->view("image_02");
  }
};

TEST_F(CameraPanelTest, ShowsTheFramesImageWithBoxOutlinesInClassColours) {
  ws::WorkstationWindow& w = open_kitti();
  ASSERT_TRUE(w.camera_panel()->isVisible());
  CameraView* view = only_view(w);
  ASSERT_NE(view, nullptr);
  ASSERT_TRUE(view->image()) << view->error().toStdString();
  EXPECT_EQ(view->image()->width, kWidth);
  EXPECT_EQ(view->image()->height, kHeight);
  const std::uint8_t* px = view->image()->at(300, 200);
  EXPECT_EQ((Rgb{px[0], px[1], px[2]}), generated_pixel(300, 200, 0));
  // The photo is drawn: away from the boxes its blue is the frame's (constant over the image).
  const QImage shot = view->grab().toImage().convertToFormat(QImage::Format_RGB888);
  int frame_blue = 0;
  for (int u = 20; u < kWidth; u += 100) {
    frame_blue += shot.pixelColor(view->widget_of({u, 360}).toPoint()).blue() == 20;
  }
  EXPECT_GE(frame_blue, 8);

  const auto edge = nearest_edge(w.session(), "image_02", 4.0);
  ASSERT_TRUE(edge) << "no box of the sample projects into image_02";
  EXPECT_TRUE(painted_near(view, edge->uv, look_of(w, edge->track)))
      << "track " << edge->track << " at pixel " << edge->uv.transpose();
}

TEST_F(CameraPanelTest, ClickOnProjectedBoxSelectsItsTrackInTheViews) {
  ws::WorkstationWindow& w = open_kitti();
  CameraView* view = only_view(w);
  ASSERT_NE(view, nullptr);
  const auto edge = nearest_edge(w.session(), "image_02", 4.0);
  ASSERT_TRUE(edge);
  ASSERT_FALSE(w.session().selection().track);
  // The projected box centre lies inside its outline.
  const formats::CameraImage* cam = w.session().sequence()->frames[0].image("image_02");
  const auto box = w.session().box_in_world(edge->track, 0);
  ASSERT_TRUE(box);
  const auto centre = geometry::project(cam->camera, cam->T_cam_lidar * box->center);
  ASSERT_TRUE(centre);
  QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, view->widget_of(*centre).toPoint());
  QTest::qWait(50);
  EXPECT_EQ(w.session().selection().track, edge->track);
  bool drawn_selected = false;
  for (const viewer::SceneBox& b : w.main_view()->scene().boxes()) {
    if (b.track_id == edge->track) drawn_selected = b.selected;
  }
  EXPECT_TRUE(drawn_selected) << "the main view does not draw the clicked track selected";
  // ...and the camera draws it in the selection colour.
  EXPECT_TRUE(painted_near(view, edge->uv, w.main_view()->scene().style().selection_color));
}

TEST_F(CameraPanelTest, PolylineIsDrawnInItsClassColourAndAClickSelectsIt) {
  ws::WorkstationWindow& w = open_kitti();
  CameraView* view = only_view(w);
  plugin::Session& session = w.session();
  // A lane line on the road to the right, in the LiDAR frame (no poses: the world).
  geometry::Polyline line;
  for (double x = 6.0; x <= 30.0; x += 6.0) line.vertices.emplace_back(x, -3.2, -1.7);
  ASSERT_TRUE(session.apply(plugin::create_polyline(session.document(), "Lane marking", 0, line)));
  QTest::qWait(50);
  ASSERT_EQ(session.document().polylines.size(), 1u);
  const std::int64_t id = session.document().polylines.front().id;
  ASSERT_FALSE(session.selection().polyline);
  const formats::CameraImage* cam = session.sequence()->frames[0].image("image_02");
  // On a far segment, left of the cyclist ahead on the right: no box outline holds it.
  const auto uv =
      geometry::project(cam->camera, cam->T_cam_lidar * Eigen::Vector3d(27.0, -3.2, -1.7));
  ASSERT_TRUE(uv);
  ASSERT_TRUE(uv->x() > 0 && uv->x() < kWidth && uv->y() > 0 && uv->y() < kHeight);
  EXPECT_TRUE(painted_near(
      view, *uv,
      viewer::polyline_color(w.main_view()->scene().style(), session.document(), "Lane marking")));
  QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, view->widget_of(*uv).toPoint());
  QTest::qWait(50);
  EXPECT_EQ(session.selection().polyline, id);
  EXPECT_FALSE(session.selection().track);
  EXPECT_TRUE(painted_near(view, *uv, w.main_view()->scene().style().selection_color));
}

TEST_F(CameraPanelTest, EditingTheBoxMovesItsOutlineAndUndoMovesItBack) {
  ws::WorkstationWindow& w = open_kitti();
  CameraView* view = only_view(w);
  const auto edge = nearest_edge(w.session(), "image_02", 4.0);
  ASSERT_TRUE(edge);
  w.select_track(edge->track);
  QTest::qWait(50);
  const Rgb selected = w.main_view()->scene().style().selection_color;
  ASSERT_TRUE(painted_near(view, edge->uv, selected));
  const auto before = w.session().box_in_world(edge->track, 0);
  ASSERT_TRUE(before);
  // Nudges (the box editor, as Alt+arrows would) move it 1 m or so across the top view.
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(w.nudge_selected("Up", false));
  QTest::qWait(50);
  const auto after = w.session().box_in_world(edge->track, 0);
  ASSERT_TRUE(after);
  ASSERT_GT((after->center - before->center).norm(), 0.3);
  const auto moved = nearest_edge(w.session(), "image_02", 4.0);
  ASSERT_TRUE(moved);
  ASSERT_EQ(moved->track, edge->track);
  ASSERT_GT((moved->uv - edge->uv).norm(), 8.0) << "the nudge hardly moves the edge";
  EXPECT_TRUE(painted_near(view, moved->uv, selected)) << "not drawn where the box went";
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(w.undo());  // one undo step a nudge
  QTest::qWait(50);
  EXPECT_TRUE(painted_near(view, edge->uv, selected)) << "undo did not move it back";
}

TEST_F(CameraPanelTest, DraggingABoxInTheTopViewShowsItInTheCameraLive) {
  ws::WorkstationWindow& w = open_kitti();
  CameraView* view = only_view(w);
  const auto edge = nearest_edge(w.session(), "image_02", 4.0);
  ASSERT_TRUE(edge);
  w.select_track(edge->track);
  QTest::qWait(100);
  ws::SceneView* top = w.top_view();
  const auto box = w.session().box_in_world(edge->track, 0);
  const QPoint from = top->pixel_of(box->center).toPoint();
  send(top, QEvent::MouseButtonPress, from, Qt::LeftButton, Qt::LeftButton);
  for (int i = 1; i <= 6; ++i) {
    send(top, QEvent::MouseMove, from + QPoint(0, -5 * i), Qt::NoButton, Qt::LeftButton);
  }
  QApplication::processEvents();
  // Mid-drag: the dragged box is drawn in the camera in the preview colour, before any edit.
  EXPECT_FALSE(view->preview().empty());
  EXPECT_EQ(view->preview_color(), w.main_view()->scene().style().preview_color);
  send(top, QEvent::MouseButtonRelease, from + QPoint(0, -30), Qt::LeftButton, Qt::NoButton);
  QApplication::processEvents();
  EXPECT_TRUE(view->preview().empty());
  const auto moved = nearest_edge(w.session(), "image_02", 4.0);
  ASSERT_TRUE(moved);
  EXPECT_TRUE(painted_near(view, moved->uv, w.main_view()->scene().style().selection_color));
}

TEST_F(CameraPanelTest, FrameChangeShowsTheNextImage) {
  ws::WorkstationWindow& w = open_kitti();
  CameraView* view = only_view(w);
  ASSERT_TRUE(w.step(1));
  QTest::qWait(50);
  ASSERT_TRUE(view->image());
  EXPECT_EQ(view->image()->at(100, 100)[2], generated_pixel(100, 100, 1)[2]);
  const QImage shot = view->grab().toImage().convertToFormat(QImage::Format_RGB888);
  int frame_blue = 0;
  for (int u = 20; u < kWidth; u += 100) {
    frame_blue += shot.pixelColor(view->widget_of({u, 360}).toPoint()).blue() == 60;
  }
  EXPECT_GE(frame_blue, 8);
}

TEST_F(CameraPanelTest, AnImageThatDoesNotDecodeShowsItsError) {
  ws::WorkstationWindow& w = open_kitti(/*corrupt=*/1);
  CameraView* view = only_view(w);
  ASSERT_TRUE(view->image());
  ASSERT_TRUE(w.step(1));
  QTest::qWait(50);
  EXPECT_FALSE(view->image());
  EXPECT_NE(view->error().indexOf("000001.png"), -1) << view->error().toStdString();
  EXPECT_FALSE(view->grab().isNull());
  ASSERT_TRUE(w.step(1));  // and on to a good one
  QTest::qWait(50);
  EXPECT_TRUE(view->image());
}

TEST_F(CameraPanelTest, DoubleClickOpensTheCameraFullSizeAndEscapeClosesIt) {
  ws::WorkstationWindow& w = open_kitti();
  CameraView* view = only_view(w);
  const QPoint middle = view->image_rect().center().toPoint();
  QTest::mouseDClick(view, Qt::LeftButton, Qt::NoModifier, middle);
  QTest::qWait(100);
  CameraView* full = w.camera_panel()->full_view();
  ASSERT_NE(full, nullptr);
  EXPECT_TRUE(full->isWindow());
  EXPECT_GT(full->width(), view->width() / 2);
  EXPECT_GE(full->image_rect().height(), std::min(kHeight * 0.9, full->height() * 0.9));
  // It follows the frame.
  ASSERT_TRUE(w.step(1));
  QTest::qWait(50);
  ASSERT_TRUE(full->image());
  EXPECT_EQ(full->image()->at(5, 5)[2], generated_pixel(5, 5, 1)[2]);
  QTest::keyClick(full, Qt::Key_Escape);
  QTest::qWait(50);
  EXPECT_EQ(w.camera_panel()->full_view(), nullptr);
}

TEST_F(CameraPanelTest, CameraRgbColouringGivesPointsTheirPixelsColour) {
  ws::WorkstationWindow& w = open_kitti();
  w.set_color_by(viewer::ColorBy::kCamera);
  QTest::qWait(50);
  const auto& scene = w.main_view()->scene();
  const auto cloud = scene.cloud();
  ASSERT_TRUE(cloud);
  auto* colors =
      vtkUnsignedCharArray::SafeDownCast(scene.cloud_polydata()->GetPointData()->GetScalars());
  ASSERT_NE(colors, nullptr);
  ASSERT_EQ(static_cast<std::size_t>(colors->GetNumberOfTuples()), cloud->size());
  const formats::CameraImage* cam = w.session().sequence()->frames[0].image("image_02");
  int seen = 0, unseen = 0;
  for (std::size_t i = 0; i < cloud->size(); i += 97) {
    const Eigen::Vector3d p = cloud->point(i);
    const auto uv = geometry::project(cam->camera, cam->T_cam_lidar * p);
    unsigned char got[3];
    colors->GetTypedTuple(static_cast<vtkIdType>(i), got);
    const bool in =
        uv && uv->x() > 1 && uv->y() > 1 && uv->x() < kWidth - 2 && uv->y() < kHeight - 2;
    if (in) {
      // Away from the rounding boundary between two pixels.
      const double fu = uv->x() - std::floor(uv->x()), fv = uv->y() - std::floor(uv->y());
      if (std::abs(fu - 0.5) < 0.05 || std::abs(fv - 0.5) < 0.05) continue;
      const Rgb want = generated_pixel(static_cast<int>(std::lround(uv->x())),
                                       static_cast<int>(std::lround(uv->y())), 0);
      EXPECT_EQ((Rgb{got[0], got[1], got[2]}), want) << "point " << i << " at " << uv->transpose();
      ++seen;
    } else if (!uv && p.x() < -5.0) {  // behind the car: no camera sees it
      EXPECT_EQ((Rgb{got[0], got[1], got[2]}), scene.style().no_camera_color) << "point " << i;
      ++unseen;
    }
  }
  EXPECT_GT(seen, 50);
  EXPECT_GT(unseen, 50);
}

TEST_F(CameraPanelTest, ShortcutsToggleDepthPointsAndProjected2dBoxes) {
  ws::WorkstationWindow& w = open_kitti();
  CameraView* view = only_view(w);
  const formats::CameraImage* cam = w.session().sequence()->frames[0].image("image_02");
  // Pixels in any box's colour: a 2D box adds its frame wherever the projection is not itself a
  // rectangle (boxes seen at an angle).
  std::vector<QColor> looks;
  for (const formats::Track& t : w.session().document().tracks) {
    if (!t.at(0)) continue;
    const Rgb c = look_of(w, t.id);
    looks.emplace_back(c[0], c[1], c[2]);
  }
  const auto box_pixels = [&] {
    const QImage shot = view->grab().toImage().convertToFormat(QImage::Format_RGB888);
    int n = 0;
    for (int y = 0; y < shot.height(); ++y) {
      for (int x = 0; x < shot.width(); ++x) {
        n += std::find(looks.begin(), looks.end(), shot.pixelColor(x, y)) != looks.end();
      }
    }
    return n;
  };
  const int without = box_pixels();
  QTest::keyClick(&w, Qt::Key_B, Qt::ControlModifier | Qt::ShiftModifier);
  QTest::qWait(50);
  EXPECT_TRUE(view->shows_boxes_2d());
  EXPECT_GT(box_pixels(), without + 50) << "no 2D boxes drawn";

  // Depth points: a point's pixel takes the depth ramp's colour.
  ASSERT_TRUE(view->overlay().points.u.empty());
  QTest::keyClick(&w, Qt::Key_D, Qt::ControlModifier | Qt::ShiftModifier);
  QTest::qWait(50);
  ASSERT_FALSE(view->overlay().points.u.empty());
  const QImage shot = view->grab().toImage().convertToFormat(QImage::Format_RGB888);
  const auto cloud = w.main_view()->scene().cloud();
  int tried = 0, found = 0;
  for (std::size_t i = 0; i < cloud->size() && tried < 200; i += 53) {
    const Eigen::Vector3d p = cam->T_cam_lidar * cloud->point(i);
    const auto uv = geometry::project(cam->camera, p);
    if (!uv || uv->x() < 5 || uv->y() < 5 || uv->x() > kWidth - 5 || uv->y() > kHeight - 5) {
      continue;
    }
    ++tried;
    const Rgb c = viewer::depth_color(p.z(), 60.0);
    const QPoint at = view->widget_of(*uv).toPoint();
    bool hit = false;
    for (int dy = -1; dy <= 1 && !hit; ++dy) {
      for (int dx = -1; dx <= 1 && !hit; ++dx) {
        hit = shot.pixelColor(at + QPoint(dx, dy)) == QColor(c[0], c[1], c[2]);
      }
    }
    found += hit;
  }
  EXPECT_GT(tried, 100);
  // Points drawn later (and the box outlines over them) cover some: a quarter of the sample is
  // enough to tell drawn points from none, or from points in other colours or places.
  EXPECT_GT(found, tried / 4) << "points not drawn in their depth colour where they project";
}

fs::path nuscenes_cameras_root() {
  return shared_data_dir() / "nuscenes_cameras" / "v1.0-mini-scene0061";
}

TEST_F(CameraPanelTest, NuscenesStripShowsTheSixCamerasInRingOrderWithBoxes) {
  PCANNO_REQUIRE_DATA(nuscenes_cameras_root() / "samples" / "CAM_FRONT");
  ws::WorkstationOptions options;
  options.sequence = nuscenes_cameras_root();
  ws::WorkstationWindow& w = open(options);
  QTest::qWait(100);
  ws::CameraPanel* panel = w.camera_panel();
  const std::vector<std::string> ring = {"CAM_FRONT_LEFT", "CAM_FRONT", "CAM_FRONT_RIGHT",
                                         "CAM_BACK_RIGHT", "CAM_BACK",  "CAM_BACK_LEFT"};
  ASSERT_EQ(panel->cameras(), ring);
  const std::vector<CameraView*> shown = panel->visible_views();
  ASSERT_EQ(shown.size(), 6u);
  for (std::size_t i = 0; i < shown.size(); ++i) {
    EXPECT_EQ(shown[i]->channel().toStdString(), ring[i]);
    ASSERT_TRUE(shown[i]->image()) << shown[i]->error().toStdString();
    EXPECT_EQ(shown[i]->image()->width, 1600);
    EXPECT_EQ(shown[i]->image()->height, 900);
    if (i > 0) {
      EXPECT_LT(shown[i - 1]->x(), shown[i]->x()) << "left to right";
    }
  }
  ASSERT_FALSE(w.session().document().tracks.empty()) << "the scene's annotations did not load";
  const auto edge = nearest_edge(w.session(), "CAM_FRONT", 10.0);
  ASSERT_TRUE(edge);
  EXPECT_TRUE(painted_near(panel->view("CAM_FRONT"), edge->uv, look_of(w, edge->track)));

  // One camera chosen: it alone fills the panel.
  panel->chooser()->setCurrentIndex(2);
  QTest::qWait(50);
  ASSERT_EQ(panel->visible_views().size(), 1u);
  EXPECT_EQ(panel->shown_camera(), "CAM_FRONT");
  EXPECT_GT(panel->view("CAM_FRONT")->width(), shown[0]->width() * 3);
  EXPECT_TRUE(painted_near(panel->view("CAM_FRONT"), edge->uv, look_of(w, edge->track)));
}

TEST_F(CameraPanelTest, NuscenesCameraRgbTakesTheFirstCameraInRingOrderThatSeesAPoint) {
  PCANNO_REQUIRE_DATA(nuscenes_cameras_root() / "samples" / "CAM_FRONT");
  ws::WorkstationOptions options;
  options.sequence = nuscenes_cameras_root();
  ws::WorkstationWindow& w = open(options);
  w.set_color_by(viewer::ColorBy::kCamera);
  QTest::qWait(50);
  const auto& scene = w.top_view()->scene();
  const auto cloud = scene.cloud();
  ASSERT_TRUE(cloud);
  auto* colors =
      vtkUnsignedCharArray::SafeDownCast(scene.cloud_polydata()->GetPointData()->GetScalars());
  ASSERT_NE(colors, nullptr);
  // The images decoded here, independently of the window's cache.
  const formats::FrameRef& frame = w.session().sequence()->frames[0];
  std::vector<formats::Image> images;
  for (const formats::CameraImage& c : frame.images) {
    auto decoded = formats::decode_image(c.path);
    ASSERT_TRUE(decoded) << decoded.error().describe();
    images.push_back(std::move(*decoded));
  }
  int checked = 0, in_two = 0;
  for (std::size_t i = 0; i < cloud->size(); i += 7) {
    const Eigen::Vector3d p = cloud->point(i);
    std::optional<Rgb> want;
    int cameras_seeing = 0;
    bool ambiguous = false;
    double depth = 0.0;
    for (std::size_t c = 0; c < frame.images.size(); ++c) {
      const auto uv = geometry::project(frame.images[c].camera, frame.images[c].T_cam_lidar * p);
      if (!uv) continue;
      // A camera sees pixels [-0.5, size - 0.5) (pixel centres are integers); a point within a
      // pixel of that border could fall either way in single precision.
      const auto margin = [](double x, int size) { return std::min(x + 0.5, size - 0.5 - x); };
      const double m =
          std::min(margin(uv->x(), images[c].width), margin(uv->y(), images[c].height));
      if (std::abs(m) < 1.0) ambiguous = true;
      if (m <= 0.0) continue;
      ++cameras_seeing;
      if (want) continue;
      depth = (frame.images[c].T_cam_lidar * p).z();
      const double fu = uv->x() - std::floor(uv->x()), fv = uv->y() - std::floor(uv->y());
      ambiguous = ambiguous || std::abs(fu - 0.5) < 0.05 || std::abs(fv - 0.5) < 0.05;
      const int u = std::clamp(static_cast<int>(std::lround(uv->x())), 0, images[c].width - 1);
      const int v = std::clamp(static_cast<int>(std::lround(uv->y())), 0, images[c].height - 1);
      const std::uint8_t* px = images[c].at(u, v);
      want = Rgb{px[0], px[1], px[2]};
    }
    if (!want || ambiguous) continue;
    unsigned char got[3];
    colors->GetTypedTuple(static_cast<vtkIdType>(i), got);
    EXPECT_EQ((Rgb{got[0], got[1], got[2]}), *want) << "point " << i << " depth " << depth;
    ++checked;
    in_two += cameras_seeing > 1;
  }
  EXPECT_GT(checked, 1000);
  EXPECT_GT(in_two, 10) << "no point where two cameras overlap: the order is not tested";
}

}  // namespace
}  // namespace pcanno::test
