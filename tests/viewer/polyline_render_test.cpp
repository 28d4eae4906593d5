// Polylines on screen: in their class colours along every segment, a handle on every vertex, the
// selected one in the selection colour and wider with its selected vertex marked, and areas
// (closed lines) filled translucently in the top view only, never outside their outline and
// never for an open line.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include <vtkActorCollection.h>
#include <vtkNew.h>
#include <vtkRenderer.h>

#include "display.hpp"
#include "edge_check.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/class_schema.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/viewer/box_look.hpp"
#include "pcanno/viewer/render_png.hpp"
#include "pcanno/viewer/scene_renderer.hpp"

namespace pcanno::viewer {
namespace {

using Vertices = std::vector<Eigen::Vector3d>;

constexpr Rgb kLaneColor{40, 200, 90};
constexpr Rgb kAreaColor{60, 120, 255};

// An open U-shaped lane line (its mouth would enclose a square if it were closed) and an L-shaped
// area (concave: the notch of the L is outside it although inside its convex hull), on the ground.
const Vertices kLane = {{0, -14, 0}, {0, -6, 0}, {10, -6, 0}, {10, -14, 0}};
const Vertices kArea = {{4, 2, 0}, {14, 2, 0}, {14, 6, 0}, {8, 6, 0}, {8, 10, 0}, {4, 10, 0}};

// The first open and the first closed polyline class of the default schema.
std::string polyline_class(bool closed) {
  for (const formats::ClassSpec& c : formats::default_class_schema()) {
    if (c.shape == formats::ShapeKind::kPolyline && c.closed == closed) return c.name;
  }
  ADD_FAILURE() << "the default schema has no " << (closed ? "closed" : "open")
                << " polyline class";
  return "";
}

formats::PolylineTrack polyline(std::int64_t id, const std::string& label, const Vertices& v,
                                bool closed) {
  formats::PolylineTrack t;
  t.id = id;
  t.label = label;
  formats::PolylineState s;
  s.frame = 0;
  s.line.vertices = v;
  s.line.closed = closed;
  t.states.push_back(s);
  return t;
}

std::unique_ptr<plugin::Session> lane_and_area_session() {
  formats::Annotations doc;
  doc.frames.resize(1);
  const std::string lane = polyline_class(false), area = polyline_class(true);
  doc.ensure_class(lane).color = kLaneColor;
  doc.ensure_class(area).color = kAreaColor;
  doc.polylines = {polyline(1, lane, kLane, false), polyline(2, area, kArea, true)};
  return plugin::Session::create(std::move(doc));
}

struct Shot {
  Image image;
  CameraPose camera;
  const std::uint8_t* at(const Eigen::Vector2d& p) const {
    const int x = std::clamp(static_cast<int>(p.x()), 0, image.width - 1);
    const int y = std::clamp(static_cast<int>(p.y()), 0, image.height - 1);
    return image.rgb.data() + (std::size_t(y) * image.width + x) * 3;
  }
  Eigen::Vector2d px(const Eigen::Vector3d& world) const {
    auto p = project(camera, world, image.width, image.height);
    EXPECT_TRUE(p.has_value());
    return p.value_or(Eigen::Vector2d::Zero());
  }
  /// A pixel of colour `c` within `radius` of `p`.
  bool near(const Eigen::Vector2d& p, const Rgb& c, int radius = 2) const {
    for (int dy = -radius; dy <= radius; ++dy) {
      for (int dx = -radius; dx <= radius; ++dx) {
        if (test::close_color(at(p + Eigen::Vector2d(dx, dy)), c, 12)) return true;
      }
    }
    return false;
  }
  /// Pixels of colour `c` in the square of side 2 * half + 1 around `p`.
  int count(const Eigen::Vector2d& p, const Rgb& c, int half) const {
    int n = 0;
    for (int dy = -half; dy <= half; ++dy) {
      for (int dx = -half; dx <= half; ++dx) {
        n += test::close_color(at(p + Eigen::Vector2d(dx, dy)), c, 12) ? 1 : 0;
      }
    }
    return n;
  }
  /// How many pixels of colour `c` the line covers across itself at `p` (direction `along`).
  int width_across(const Eigen::Vector2d& p, const Eigen::Vector2d& along, const Rgb& c) const {
    const Eigen::Vector2d normal = Eigen::Vector2d(-along.y(), along.x()).normalized();
    int n = 0;
    for (int d = -8; d <= 8; ++d) {
      n += test::close_color(at(p + normal * d), c, 12) ? 1 : 0;
    }
    return n;
  }
};

Shot render(const plugin::Session& session, plugin::ViewKind view) {
  RenderRequest request;
  request.width = 800;
  request.height = 600;
  request.view = view;
  auto image = render_image(session, nullptr, request);
  EXPECT_TRUE(image) << (image ? "" : image.error().describe());
  return Shot{image ? std::move(*image) : Image{}, render_camera(session, request)};
}

// Samples along every segment (a closed line's closing one too), away from the vertices.
std::vector<std::pair<Eigen::Vector3d, Eigen::Vector3d>> segment_samples(const Vertices& v,
                                                                         bool closed) {
  std::vector<std::pair<Eigen::Vector3d, Eigen::Vector3d>> out;  // point, direction
  const std::size_t n = closed ? v.size() : v.size() - 1;
  for (std::size_t i = 0; i < n; ++i) {
    const Eigen::Vector3d a = v[i], b = v[(i + 1) % v.size()];
    for (double t : {0.25, 0.4, 0.55, 0.7}) out.emplace_back(a + t * (b - a), b - a);
  }
  return out;
}

TEST(PolylineRender, ClassColoursHandlesAndAreaFillInTheTopView) {
  PCANNO_REQUIRE_DISPLAY();
  auto session = lane_and_area_session();
  const Shot shot = render(*session, plugin::ViewKind::kTop);
  ASSERT_EQ(shot.image.width, 800);
  const SceneStyle style;

  // Along every segment, the class colour; both lines are in view.
  for (const auto& [v, closed, color] :
       {std::tuple{kLane, false, kLaneColor}, std::tuple{kArea, true, kAreaColor}}) {
    int hits = 0, samples = 0;
    for (const auto& [p, dir] : segment_samples(v, closed)) {
      ++samples;
      hits += shot.near(shot.px(p), color) ? 1 : 0;
    }
    EXPECT_EQ(hits, samples) << "class colour " << int(color[0]) << "," << int(color[1]) << ","
                             << int(color[2]) << " missing along the line";
  }
  // A handle on every vertex: a square several pixels wide in the line's colour, where the line
  // alone is a couple of pixels wide.
  const int half = static_cast<int>(style.handle_size) / 2 - 1;  // inside the square
  for (const auto& [v, color] : {std::pair{kLane, kLaneColor}, std::pair{kArea, kAreaColor}}) {
    for (const Eigen::Vector3d& vertex : v) {
      const int side = 2 * half + 1;
      EXPECT_GE(shot.count(shot.px(vertex), color, half), side * side - 2)
          << "no handle at vertex " << vertex.transpose();
    }
    const auto [mid, dir] = segment_samples(v, false)[1];
    const Eigen::Vector2d along = shot.px(mid + dir) - shot.px(mid);
    EXPECT_LE(shot.width_across(shot.px(mid), along, color), 3) << "the line is handle-wide";
  }

  // Inside the L: the area's colour at area_opacity over the black background.
  Rgb fill;
  for (int k = 0; k < 3; ++k) {
    fill[k] = static_cast<std::uint8_t>(kAreaColor[k] * style.area_opacity + 0.5);
  }
  int inside = 0, filled = 0;
  for (double x = 4.6; x <= 7.4; x += 0.4) {
    for (double y = 2.6; y <= 9.4; y += 0.4) {
      ++inside;
      filled += test::close_color(shot.at(shot.px({x, y, 0})), fill, 4) ? 1 : 0;
    }
  }
  for (double x = 8.6; x <= 13.4; x += 0.4) {
    for (double y = 2.6; y <= 5.4; y += 0.4) {
      ++inside;
      filled += test::close_color(shot.at(shot.px({x, y, 0})), fill, 4) ? 1 : 0;
    }
  }
  EXPECT_EQ(filled, inside) << "fill expected " << int(fill[0]) << "," << int(fill[1]) << ","
                            << int(fill[2]);
  // Outside it: in the notch of the L, beyond its outline, and in the mouth of the open U.
  const auto black = [&](const Eigen::Vector3d& p) {
    const std::uint8_t* c = shot.at(shot.px(p));
    return c[0] + c[1] + c[2] == 0;
  };
  for (const Eigen::Vector3d& p :
       {Eigen::Vector3d(11, 8.5, 0), Eigen::Vector3d(12.5, 7, 0), Eigen::Vector3d(16, 6, 0),
        Eigen::Vector3d(6, 12, 0), Eigen::Vector3d(2, 6, 0)}) {
    EXPECT_TRUE(black(p)) << "outside the area, yet lit at " << p.transpose();
  }
  for (double x = 1.5; x <= 8.5; x += 1.0) {
    for (double y = -12.5; y <= -7.5; y += 1.0) {
      EXPECT_TRUE(black({x, y, 0})) << "an open line is filled at " << x << "," << y;
    }
  }
}

TEST(PolylineRender, AreasAreNotFilledInTheOtherViews) {
  PCANNO_REQUIRE_DISPLAY();
  auto session = lane_and_area_session();
  const Shot shot = render(*session, plugin::ViewKind::kPerspective);
  // The outline is there ...
  int hits = 0;
  for (const auto& [p, dir] : segment_samples(kArea, true)) {
    hits += shot.near(shot.px(p), kAreaColor) ? 1 : 0;
  }
  EXPECT_GE(hits, 20);
  // ... but not the fill.
  for (const Eigen::Vector3d& p :
       {Eigen::Vector3d(6, 4, 0), Eigen::Vector3d(6, 8, 0), Eigen::Vector3d(11, 4, 0)}) {
    const std::uint8_t* c = shot.at(shot.px(p));
    EXPECT_EQ(c[0] + c[1] + c[2], 0) << "filled in the perspective view at " << p.transpose();
  }
}

// Every view draws the lines: along each segment that is not seen end-on, a class colour (in the
// side and front views the flat lines lie on top of each other, the nearer one hides the other).
TEST(PolylineRender, EveryViewDrawsTheLines) {
  PCANNO_REQUIRE_DISPLAY();
  auto session = lane_and_area_session();
  for (const plugin::ViewKind view : {plugin::ViewKind::kPerspective, plugin::ViewKind::kTop,
                                      plugin::ViewKind::kSide, plugin::ViewKind::kFront}) {
    const Shot shot = render(*session, view);
    int samples = 0, hits = 0;
    for (const auto& [v, closed, color] :
         {std::tuple{kLane, false, kLaneColor}, std::tuple{kArea, true, kAreaColor}}) {
      const std::size_t n = closed ? v.size() : v.size() - 1;
      for (std::size_t i = 0; i < n; ++i) {
        const Eigen::Vector2d a = shot.px(v[i]), b = shot.px(v[(i + 1) % v.size()]);
        if ((b - a).norm() < 12.0) continue;  // seen end-on
        for (double t : {0.3, 0.5, 0.7}) {
          ++samples;
          const Eigen::Vector2d p = a + t * (b - a);
          const bool own = shot.near(p, color);
          if (view == plugin::ViewKind::kTop || view == plugin::ViewKind::kPerspective) {
            hits += own ? 1 : 0;
          } else {
            hits += own || shot.near(p, kLaneColor) || shot.near(p, kAreaColor) ? 1 : 0;
          }
        }
      }
    }
    EXPECT_GE(samples, 9) << "view " << int(view);
    EXPECT_GE(hits, samples * 9 / 10) << "view " << int(view) << ": " << hits << "/" << samples;
  }
}

TEST(PolylineRender, SelectedLineIsHighlightedWiderWithItsVertexMarked) {
  PCANNO_REQUIRE_DISPLAY();
  auto session = lane_and_area_session();
  const Shot plain = render(*session, plugin::ViewKind::kTop);
  plugin::Selection selection;
  selection.polyline = 1;
  selection.vertex = 2;
  session->set_selection(selection);
  const Shot shot = render(*session, plugin::ViewKind::kTop);
  const SceneStyle style;

  int hits = 0, samples = 0;
  for (const auto& [p, dir] : segment_samples(kLane, false)) {
    ++samples;
    hits += shot.near(shot.px(p), style.selection_color) ? 1 : 0;
    EXPECT_FALSE(shot.near(shot.px(p), kLaneColor, 1)) << "class colour left on the selection";
  }
  EXPECT_EQ(hits, samples);
  // Wider than the same line unselected.
  const auto [mid, dir] = segment_samples(kLane, false)[5];
  const Eigen::Vector2d along = shot.px(mid + dir) - shot.px(mid);
  const int selected_width = shot.width_across(shot.px(mid), along, style.selection_color);
  const int plain_width = plain.width_across(plain.px(mid), along, kLaneColor);
  EXPECT_GT(selected_width, plain_width);
  EXPECT_GE(selected_width, static_cast<int>(style.selected_line_width) - 1);
  // The selected vertex is a bigger square in its own colour; the other vertices are not.
  const int half = static_cast<int>(style.selected_vertex_size) / 2 - 1;
  const int side = 2 * half + 1;
  EXPECT_GE(shot.count(shot.px(kLane[2]), style.selected_vertex_color, half), side * side - 2);
  for (std::size_t i : {0u, 1u, 3u}) {
    EXPECT_EQ(shot.count(shot.px(kLane[i]), style.selected_vertex_color, half), 0) << i;
    EXPECT_TRUE(shot.near(shot.px(kLane[i]), style.selection_color, 0)) << i;
  }
  // The other polyline keeps its class colour.
  EXPECT_TRUE(shot.near(shot.px(kArea[0] + (kArea[1] - kArea[0]) / 2), kAreaColor));
}

TEST(PolylineRender, ScenePolylinesTakeClassColoursAndTheSelection) {
  formats::Annotations doc;
  doc.frames.resize(1);
  const std::string lane = polyline_class(false), area = polyline_class(true);
  doc.ensure_class(lane).color = kLaneColor;
  // `area` is not in the document: the default schema's colour for it.
  doc.polylines = {polyline(1, lane, kLane, false), polyline(2, area, kArea, true),
                   polyline(3, lane, {kLane[0], kLane[1]}, true)};
  auto session = plugin::Session::create(std::move(doc));
  plugin::Selection selection;
  selection.polyline = 2;
  selection.vertex = 4;
  session->set_selection(selection);
  SceneStyle style;
  std::vector<ScenePolyline> lines = scene_polylines(*session, style);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].color, kLaneColor);
  EXPECT_EQ(lines[1].color, formats::make_class_spec(area).color);
  EXPECT_FALSE(lines[0].closed_area);
  EXPECT_TRUE(lines[1].closed_area);
  EXPECT_FALSE(lines[2].closed_area) << "two vertices enclose nothing";
  EXPECT_FALSE(lines[0].selected);
  EXPECT_FALSE(lines[0].selected_vertex);
  EXPECT_TRUE(lines[1].selected);
  EXPECT_EQ(lines[1].selected_vertex, std::optional<std::size_t>(4));
  style.class_colors[lane] = {1, 2, 3};
  EXPECT_EQ(scene_polylines(*session, style)[0].color, (Rgb{1, 2, 3}));
}

// One actor per kind of mark: the count does not grow with the number of polylines.
TEST(PolylineRender, PolylinesAreBatched) {
  vtkNew<vtkRenderer> renderer;
  SceneRenderer scene(renderer);
  scene.set_fill_areas(true);
  const int empty = renderer->GetActors()->GetNumberOfItems();
  std::vector<ScenePolyline> many;
  for (int i = 0; i < 50; ++i) {
    ScenePolyline p;
    p.id = i;
    p.line_in_world.vertices = kArea;
    p.line_in_world.closed = i % 2 == 0;
    p.closed_area = p.line_in_world.closed;
    p.selected = i == 7;
    p.selected_vertex = 1;
    many.push_back(p);
  }
  scene.set_polylines(many);
  EXPECT_EQ(renderer->GetActors()->GetNumberOfItems(), empty);
  EXPECT_EQ(scene.polylines().size(), 50u);
  EXPECT_TRUE(scene.fill_areas());
}

}  // namespace
}  // namespace pcanno::viewer
