// Track ids on screen: beside the box's outline on a dark backing, readable over bright points, and
// not over the object itself.
#include <gtest/gtest.h>

#include <memory>

#include "display.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/viewer/render_png.hpp"
#include "pcanno/viewer/scene_renderer.hpp"
#include "sample_scene.hpp"

namespace pcanno::viewer {
namespace {

struct Counts {
  int white = 0;  ///< text pixels
  int dark = 0;   ///< backing pixels
};

const std::uint8_t* pixel(const Image& image, int x, int y) {
  return image.rgb.data() + (std::size_t(y) * image.width + std::size_t(x)) * 3;
}

bool is_white(const std::uint8_t* c) { return c[0] > 225 && c[1] > 225 && c[2] > 225; }
bool is_dark(const std::uint8_t* c) { return c[0] < 100 && c[1] < 100 && c[2] < 100; }

// Pixels of the text box that stands on `anchor` (centred on it, growing up the screen).
Counts label_box(const Image& image, const Eigen::Vector2d& anchor, int half_width = 16,
                 int height = 22) {
  Counts n;
  for (int y = int(anchor.y()) - height; y <= int(anchor.y()) + 2; ++y) {
    for (int x = int(anchor.x()) - half_width; x <= int(anchor.x()) + half_width; ++x) {
      if (x < 0 || y < 0 || x >= image.width || y >= image.height) continue;
      n.white += is_white(pixel(image, x, y));
      n.dark += is_dark(pixel(image, x, y));
    }
  }
  return n;
}

// Dark pixels well inside the box's footprint: in a top view a label there would hide the object.
int dark_inside_footprint(const Image& image, const CameraPose& camera,
                          const geometry::Cuboid& box) {
  int dark = 0;
  const Eigen::Matrix3d R = box.rotation.toRotationMatrix();
  for (double u = -0.35; u <= 0.35; u += 0.05) {
    for (double v = -0.35; v <= 0.35; v += 0.05) {
      const Eigen::Vector3d p =
          box.center + R * Eigen::Vector3d(u * box.size.x(), v * box.size.y(), box.size.z() / 2);
      if (auto px = project(camera, p, image.width, image.height)) {
        dark += is_dark(pixel(image, int(px->x()), int(px->y())));
      }
    }
  }
  return dark;
}

std::unique_ptr<plugin::Session> one_car(double yaw) {
  formats::Annotations doc;
  doc.ensure_class("Car").color = {200, 60, 60};
  doc.frames.resize(1);
  formats::Track t;
  t.id = 417;
  t.label = "Car";
  formats::BoxState s;
  s.box = geometry::Cuboid::from_yaw({3.0, -2.0, 0.8}, {4.2, 1.8, 1.6}, yaw);
  t.boxes.push_back(s);
  doc.tracks.push_back(t);
  return plugin::Session::create(std::move(doc));
}

TEST(Labels, AnchorIsBesideTheLeftEdgeAboveTheRoof) {
  const geometry::Cuboid box = geometry::Cuboid::from_yaw({1, 2, 3}, {4, 2, 1.5}, 0.9);
  const Eigen::Vector3d in_box = box.rotation.inverse() * (label_anchor(box) - box.center);
  EXPECT_NEAR(in_box.x(), 0.0, 1e-12);
  EXPECT_NEAR(in_box.y(), box.size.y() / 2 + kLabelOffset, 1e-12);
  EXPECT_NEAR(in_box.z(), box.size.z() / 2 + kLabelOffset, 1e-12);
}

// On a white background (the worst case of bright points under a label), the white id is only
// readable because of its backing: both must be there, beside the outline and not inside it.
TEST(Labels, IdOnADarkBackingBesideTheOutlineInTheTopView) {
  PCANNO_REQUIRE_DISPLAY();
  for (const double yaw : {0.0, 0.6}) {
    auto session = one_car(yaw);
    RenderRequest request;
    request.width = 500;
    request.height = 400;
    request.view = plugin::ViewKind::kTop;
    request.style.background = {1.0, 1.0, 1.0};
    auto image = render_image(*session, nullptr, request);
    ASSERT_TRUE(image) << image.error().describe();
    const CameraPose camera = render_camera(*session, request);
    const geometry::Cuboid box = session->document().tracks[0].boxes[0].box;
    const auto anchor = project(camera, label_anchor(box), request.width, request.height);
    ASSERT_TRUE(anchor);
    const Counts near = label_box(*image, *anchor);
    EXPECT_GT(near.dark, 60) << "no backing behind the id, yaw " << yaw;
    EXPECT_GT(near.white, 10) << "no white text on the backing, yaw " << yaw;
    EXPECT_EQ(dark_inside_footprint(*image, camera, box), 0)
        << "the id covers the box, yaw " << yaw;

    request.style.label_backing_opacity = 0.0;  // and without the backing it is unreadable
    auto bare = render_image(*session, nullptr, request);
    ASSERT_TRUE(bare);
    EXPECT_LT(label_box(*bare, *anchor).dark, 5);
  }
}

// The real sample, coloured both ways: every id is drawn legibly where label_anchor() projects.
class TopViewLabels : public ::testing::TestWithParam<ColorBy> {};

TEST_P(TopViewLabels, EveryIdIsLegibleOverTheSampleCloud) {
  PCANNO_REQUIRE_DISPLAY();
  test::SampleScene scene = test::sample_scene(0);
  plugin::Session* session = scene.session.get();
  const auto& cloud = scene.cloud;

  RenderRequest request;
  request.width = 900;
  request.height = 600;
  request.view = plugin::ViewKind::kTop;
  request.style.color_by = GetParam();
  request.style.point_size = 3.0f;
  auto image = render_image(*session, cloud, request);
  ASSERT_TRUE(image) << image.error().describe();
  const CameraPose camera = render_camera(*session, request);
  int checked = 0;
  for (const plugin::BoxAtFrame& b : session->boxes_at(0)) {
    const auto box = session->box_in_world(b.track->id, 0);
    ASSERT_TRUE(box);
    const auto anchor = project(camera, label_anchor(*box), request.width, request.height);
    ASSERT_TRUE(anchor);
    const Counts n = label_box(*image, *anchor);
    EXPECT_GT(n.dark, 40) << "track " << b.track->id;
    EXPECT_GT(n.white, 8) << "track " << b.track->id;
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

INSTANTIATE_TEST_SUITE_P(ColourModes, TopViewLabels,
                         ::testing::Values(ColorBy::kIntensity, ColorBy::kHeight),
                         [](const auto& param_info) {
                           return std::string(to_string(param_info.param));
                         });

}  // namespace
}  // namespace pcanno::viewer
