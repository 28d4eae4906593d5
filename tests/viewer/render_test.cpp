// The offscreen render of the sample KITTI frame: in every view, box edges are drawn where the
// camera projects them, in their legend colour, and nowhere else.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "display.hpp"
#include "edge_check.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "pcanno/formats/labels/nuscenes/codec.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/viewer/box_look.hpp"
#include "pcanno/viewer/render_png.hpp"
#include "sample_scene.hpp"
#include "test_data.hpp"

namespace pcanno::viewer {
namespace {

using test::sample_scene;
using test::SampleScene;

std::vector<test::ExpectedBox> expected_boxes(const plugin::Session& session,
                                              const SceneStyle& style) {
  std::vector<test::ExpectedBox> out;
  for (const plugin::BoxAtFrame& b : session.boxes_at(session.frame())) {
    test::ExpectedBox e;
    e.box_in_world = *session.box_in_world(b.track->id, session.frame());
    e.color = box_look(style, session.document(), b.track->label, *b.state, false).color;
    out.push_back(e);
  }
  return out;
}

class RenderViews : public ::testing::TestWithParam<plugin::ViewKind> {};

TEST_P(RenderViews, BoxEdgesWhereTheCameraProjectsThem) {
  PCANNO_REQUIRE_DISPLAY();
  SampleScene scene = sample_scene(0);
  RenderRequest request;
  request.width = 800;
  request.height = 500;
  request.view = GetParam();
  request.style.color_by = ColorBy::kHeight;  // saturated ramp: never a class colour
  auto image = render_image(*scene.session, scene.cloud, request);
  ASSERT_TRUE(image) << image.error().describe();
  ASSERT_EQ(image->width, 800);
  ASSERT_EQ(image->height, 500);

  const auto boxes = expected_boxes(*scene.session, request.style);
  ASSERT_EQ(boxes.size(), 3u);  // Van 0, Cyclist 1, Pedestrian 2 in frame 0
  const test::EdgeCheck check =
      test::check_edges(*image, render_camera(*scene.session, request), boxes);
  EXPECT_GE(check.edge_samples, 40);
  EXPECT_GE(check.hit_ratio(), 0.95) << check.edge_hits << "/" << check.edge_samples
                                     << " edge samples in the box colour; misses: " << check.misses;
  ASSERT_GE(check.background_samples, 1000);
  EXPECT_EQ(check.background_box_colored, 0);
  // The points are drawn: a good share of the background samples are lit.
  EXPECT_GT(check.background_lit, check.background_samples / 50);

  // The check discriminates: the same boxes moved by 1 m are not found in the image.
  std::vector<test::ExpectedBox> moved = boxes;
  for (auto& b : moved) b.box_in_world.center += Eigen::Vector3d(1.0, 1.0, 0.5);
  const test::EdgeCheck wrong =
      test::check_edges(*image, render_camera(*scene.session, request), moved);
  EXPECT_LT(wrong.hit_ratio(), 0.5) << wrong.edge_hits << "/" << wrong.edge_samples;
}

INSTANTIATE_TEST_SUITE_P(AllViews, RenderViews,
                         ::testing::Values(plugin::ViewKind::kPerspective, plugin::ViewKind::kTop,
                                           plugin::ViewKind::kSide, plugin::ViewKind::kFront),
                         [](const ::testing::TestParamInfo<plugin::ViewKind>& p) {
                           switch (p.param) {
                             case plugin::ViewKind::kPerspective:
                               return std::string("perspective");
                             case plugin::ViewKind::kTop:
                               return std::string("top");
                             case plugin::ViewKind::kSide:
                               return std::string("side");
                             case plugin::ViewKind::kFront:
                               return std::string("front");
                           }
                           return std::string("view");
                         });

TEST(Render, CentredOnATrackInSideView) {
  PCANNO_REQUIRE_DISPLAY();
  SampleScene scene = sample_scene(0);
  RenderRequest request;
  request.width = 640;
  request.height = 480;
  request.view = plugin::ViewKind::kSide;
  request.center_track = 0;
  request.style.color_by = ColorBy::kHeight;
  auto image = render_image(*scene.session, scene.cloud, request);
  ASSERT_TRUE(image) << image.error().describe();
  std::vector<test::ExpectedBox> van = expected_boxes(*scene.session, request.style);
  van.resize(1);
  const test::EdgeCheck check =
      test::check_edges(*image, render_camera(*scene.session, request), van);
  EXPECT_GE(check.edge_samples, 20);
  EXPECT_GE(check.hit_ratio(), 0.95) << check.misses;
}

TEST(Render, SelectionColourAndBadSize) {
  PCANNO_REQUIRE_DISPLAY();
  SampleScene scene = sample_scene(0);
  RenderRequest request;
  request.width = 8;
  auto bad = render_image(*scene.session, scene.cloud, request);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("8x800"), std::string::npos) << bad.error().message;

  plugin::Selection selection;
  selection.track = 2;
  scene.session->set_selection(selection);
  request.width = 800;
  request.height = 500;
  request.view = plugin::ViewKind::kTop;
  request.center_track = 2;  // a pedestrian: too small to check edges in the whole-scene view
  request.style.color_by = ColorBy::kHeight;
  auto image = render_image(*scene.session, scene.cloud, request);
  ASSERT_TRUE(image);
  test::ExpectedBox selected;
  selected.box_in_world = *scene.session->box_in_world(2, 0);
  selected.color = request.style.selection_color;
  const test::EdgeCheck check =
      test::check_edges(*image, render_camera(*scene.session, request), {selected});
  EXPECT_GE(check.edge_samples, 20);
  EXPECT_GE(check.hit_ratio(), 0.95) << check.misses;
}

// nuScenes: boxes in the world frame, the cloud placed by T_world_lidar, views along the sensor's
// heading. Dozens of boxes, some only a few pixels wide.
TEST(Render, NuScenesWorldFrameTopView) {
  PCANNO_REQUIRE_DISPLAY();
  const auto root = test::sample_data_dir() / "nuscenes/v1.0-mini-scene0061";
  auto sequence = formats::open_sequence(root);
  ASSERT_TRUE(sequence) << sequence.error().describe();
  ASSERT_TRUE(sequence->has_poses());
  formats::LabelContext context;
  context.sequence = &*sequence;
  auto labels = formats::read_nuscenes_annotations(root, context);
  ASSERT_TRUE(labels) << labels.error().describe();
  auto cloud = sequence->load_frame(0);
  ASSERT_TRUE(cloud);
  auto points = std::make_shared<const formats::PointCloud>(std::move(cloud->cloud));
  auto session = plugin::Session::create(std::move(*labels), std::move(*sequence));
  ASSERT_TRUE(session->set_frame(0));
  RenderRequest request;
  request.width = 1000;
  request.height = 800;
  request.view = plugin::ViewKind::kTop;
  request.style.color_by = ColorBy::kHeight;
  request.style.show_labels = false;  // dozens of ids would cover the small boxes
  auto image = render_image(*session, points, request);
  ASSERT_TRUE(image) << image.error().describe();
  const auto boxes = expected_boxes(*session, request.style);
  ASSERT_GT(boxes.size(), 30u);
  const test::EdgeCheck check =
      test::check_edges(*image, render_camera(*session, request), boxes, 2, 12, 0.0);
  EXPECT_GE(check.edge_samples, 100);
  EXPECT_GE(check.hit_ratio(), 0.95)
      << check.edge_hits << "/" << check.edge_samples << " " << check.misses;
  EXPECT_EQ(check.background_box_colored, 0);
  EXPECT_GT(check.background_lit, 0);
}

// The provenance legend on screen: an interpolated box is dashed in the dimmed class colour, a
// tracked one solid in the automatic colour.
TEST(Render, ProvenanceLegendOnScreen) {
  PCANNO_REQUIRE_DISPLAY();
  formats::Annotations doc;
  doc.ensure_class("Car").color = {200, 60, 60};
  doc.frames.resize(1);
  const geometry::Cuboid a = geometry::Cuboid::from_yaw({0, 0, 0.8}, {4.0, 1.8, 1.6}, 0.0);
  const geometry::Cuboid b = geometry::Cuboid::from_yaw({0, 6, 0.8}, {4.0, 1.8, 1.6}, 0.0);
  for (int i = 0; i < 2; ++i) {
    formats::Track t;
    t.id = i + 1;
    t.label = "Car";
    formats::BoxState st;
    st.box = i == 0 ? a : b;
    st.keyframe = false;
    st.provenance = i == 0 ? formats::Provenance::kInterpolated : formats::Provenance::kTracked;
    t.boxes.push_back(st);
    doc.tracks.push_back(t);
  }
  auto session = plugin::Session::create(std::move(doc));
  RenderRequest request;
  request.width = 600;
  request.height = 600;
  request.view = plugin::ViewKind::kTop;
  request.style.show_labels = false;
  auto image = render_image(*session, nullptr, request);
  ASSERT_TRUE(image) << image.error().describe();
  const CameraPose camera = render_camera(*session, request);

  const Rgb dimmed = box_look(request.style, session->document(), "Car",
                              session->document().tracks[0].boxes[0], false)
                         .color;
  EXPECT_EQ(dimmed, (Rgb{110, 33, 33}));
  // Along the long edges of the interpolated box, pixel by pixel: dashes and gaps.
  int on = 0, off = 0, runs = 0;
  bool was_on = false;
  const auto corners = a.corners();
  for (const auto& [i, j] : {std::pair{4, 5}, std::pair{6, 7}}) {
    const Eigen::Vector2d p0 = *project(camera, corners[i], request.width, request.height);
    const Eigen::Vector2d p1 = *project(camera, corners[j], request.width, request.height);
    const int steps = static_cast<int>((p1 - p0).norm());
    for (int k = steps / 10; k < steps - steps / 10; ++k) {
      const Eigen::Vector2d p = p0 + (p1 - p0) * (double(k) / steps);
      bool hit = false;
      for (int d = -1; d <= 1 && !hit; ++d) {  // across the edge only
        const Eigen::Vector2d q =
            p + Eigen::Vector2d(-(p1 - p0).y(), (p1 - p0).x()).normalized() * d;
        const std::uint8_t* c =
            image->rgb.data() + (std::size_t(q.y()) * request.width + std::size_t(q.x())) * 3;
        hit = test::close_color(c, dimmed, 12);
      }
      (hit ? on : off)++;
      if (hit && !was_on) ++runs;
      was_on = hit;
    }
  }
  EXPECT_GT(on, 0);
  EXPECT_GT(off, on / 3) << "no gaps: the edge is not dashed";
  EXPECT_GE(runs, 6) << "expected several dashes per edge";

  test::ExpectedBox tracked{b, request.style.automatic_color};
  const test::EdgeCheck check = test::check_edges(*image, camera, {tracked}, 2, 12, 0.0);
  EXPECT_GE(check.edge_samples, 20);
  EXPECT_GE(check.hit_ratio(), 0.95) << check.misses;
}

TEST(Render, ClassColouringPaintsThePointsInsideBoxes) {
  PCANNO_REQUIRE_DISPLAY();
  SampleScene scene = sample_scene(0);
  RenderRequest request;
  request.width = 640;
  request.height = 480;
  request.view = plugin::ViewKind::kTop;
  request.center_track = 0;  // the van: ~1000 points inside
  request.style.color_by = ColorBy::kClass;
  request.style.show_labels = false;
  auto image = render_image(*scene.session, scene.cloud, request);
  ASSERT_TRUE(image) << image.error().describe();
  const CameraPose camera = render_camera(*scene.session, request);
  const geometry::Cuboid van = *scene.session->box_in_world(0, 0);
  const Rgb van_color = class_color(request.style, scene.session->document(), "Van");
  // Inside the footprint, well away from its edges and the heading arrow: van-coloured points.
  int inside = 0;
  const Eigen::Matrix3d R = van.rotation.toRotationMatrix();
  for (double u = -0.4; u <= 0.4; u += 0.02) {
    for (double v = -0.35; v <= 0.35; v += 0.02) {
      if (std::abs(v) < 0.12) continue;  // the arrow runs along the box's x axis
      const Eigen::Vector3d p =
          van.center + R * Eigen::Vector3d(u * van.size.x(), v * van.size.y(), 0.0);
      const auto px = project(camera, p, request.width, request.height);
      const std::uint8_t* c =
          image->rgb.data() + (std::size_t(px->y()) * request.width + std::size_t(px->x())) * 3;
      if (test::close_color(c, van_color, 2)) ++inside;
    }
  }
  EXPECT_GT(inside, 20);
  // ... and nowhere outside its footprint (other points are grey or in other classes' colours).
  int outside = 0, outside_van = 0;
  const geometry::Pose T_world_box = geometry::make_pose(van.rotation, van.center);
  for (int y = 2; y < request.height - 2; y += 5) {
    for (int x = 2; x < request.width - 2; x += 5) {
      const plugin::Ray ray =
          pixel_ray(camera, Eigen::Vector2d(x + 0.5, y + 0.5), request.width, request.height);
      const Eigen::Vector3d in_box = T_world_box.inverse() * ray.origin;
      if (std::abs(in_box.x()) < van.size.x() / 2 + 0.3 &&
          std::abs(in_box.y()) < van.size.y() / 2 + 0.3) {
        continue;
      }
      ++outside;
      const std::uint8_t* c = image->rgb.data() + (std::size_t(y) * request.width + x) * 3;
      if (test::close_color(c, van_color, 2)) ++outside_van;
    }
  }
  EXPECT_GT(outside, 5000);
  EXPECT_EQ(outside_van, 0);
}

}  // namespace
}  // namespace pcanno::viewer

namespace pcanno::viewer {
namespace {

// A frame without boxes is framed on its cloud: the Stanford bunny (15 cm across) fills the view
// instead of being a dot in 40 m of empty space.
TEST(Render, ABoxlessCloudFillsTheView) {
  PCANNO_REQUIRE_DISPLAY();
  auto sequence = formats::open_sequence(test::sample_data_dir() / "pcd");
  ASSERT_TRUE(sequence) << sequence.error().describe();
  auto loaded = sequence->load_frame(0);
  ASSERT_TRUE(loaded) << loaded.error().describe();
  auto cloud = std::make_shared<const formats::PointCloud>(std::move(loaded->cloud));
  ASSERT_GT(cloud->size(), 300u);
  auto session = plugin::Session::create(formats::Annotations{}, std::move(*sequence));
  for (const plugin::ViewKind view :
       {plugin::ViewKind::kTop, plugin::ViewKind::kPerspective, plugin::ViewKind::kFront}) {
    RenderRequest request;
    request.width = 400;
    request.height = 300;
    request.view = view;
    request.style.color_by = ColorBy::kHeight;
    auto image = render_image(*session, cloud, request);
    ASSERT_TRUE(image) << image.error().describe();
    int x0 = image->width, x1 = -1, y0 = image->height, y1 = -1;
    for (int y = 0; y < image->height; ++y) {
      for (int x = 0; x < image->width; ++x) {
        const std::uint8_t* c = image->rgb.data() + (std::size_t(y) * image->width + x) * 3;
        if (c[0] + c[1] + c[2] == 0) continue;
        x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
      }
    }
    ASSERT_GE(x1, 0) << "nothing drawn";
    const double cover = std::max(double(x1 - x0) / image->width, double(y1 - y0) / image->height);
    // The perspective camera looks at the object from behind and above, over its diagonal.
    const double least = view == plugin::ViewKind::kPerspective ? 0.35 : 0.5;
    EXPECT_GT(cover, least) << "the cloud covers only " << cover << " of view " << int(view);
    EXPECT_NEAR((x0 + x1) / 2.0, image->width / 2.0, image->width * 0.2);
    EXPECT_NEAR((y0 + y1) / 2.0, image->height / 2.0, image->height * 0.2);
  }
}

}  // namespace
}  // namespace pcanno::viewer
