// `pcanno render`: the PNG of the sample KITTI frame with its labels, in each view, has the box
// edges where the same camera projects them; and the command's errors and exit codes.
#include <unistd.h>

#include <filesystem>
#include <memory>

#include <gtest/gtest.h>
#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPNGReader.h>

#include "../viewer/edge_check.hpp"
#include "app_test_support.hpp"
#include "display.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/viewer/box_look.hpp"
#include "pcanno/viewer/render_png.hpp"
#include "pcanno/viewer/scene_renderer.hpp"

namespace pcanno::test {
namespace {

namespace fs = std::filesystem;

viewer::Image read_png(const fs::path& path) {
  vtkNew<vtkPNGReader> reader;
  reader->SetFileName(path.c_str());
  reader->Update();
  vtkImageData* data = reader->GetOutput();
  int dims[3];
  data->GetDimensions(dims);
  viewer::Image image;
  image.width = dims[0];
  image.height = dims[1];
  const int comps = data->GetNumberOfScalarComponents();
  image.rgb.resize(std::size_t(dims[0]) * dims[1] * 3);
  for (int y = 0; y < dims[1]; ++y) {
    for (int x = 0; x < dims[0]; ++x) {
      // PNG rows are read bottom-up by VTK.
      auto* px = static_cast<std::uint8_t*>(data->GetScalarPointer(x, dims[1] - 1 - y, 0));
      for (int k = 0; k < 3; ++k) {
        image.rgb[(std::size_t(y) * dims[0] + x) * 3 + k] = px[std::min(k, comps - 1)];
      }
    }
  }
  return image;
}

class RenderCommand : public LabelsTest {
 protected:
  std::string render_args(const std::string& view, const fs::path& out) {
    return "render " + training_.string() + " --labels " + labels_.string() + " --frame 0 --view " +
           view + " --size 720x480 --color-by height --out " + out.string();
  }
};

class RenderCommandViews : public RenderCommand,
                           public ::testing::WithParamInterface<const char*> {};

TEST_P(RenderCommandViews, BoxEdgesWhereTheSameCameraProjectsThem) {
  PCANNO_REQUIRE_DISPLAY();
  const std::string view = GetParam();
  const fs::path out = dir_ / ("shot_" + view + ".png");
  const CommandResult r = pcanno(render_args(view, out));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ASSERT_TRUE(fs::exists(out));
  const viewer::Image image = read_png(out);
  ASSERT_EQ(image.width, 720);
  ASSERT_EQ(image.height, 480);

  // The scene the command drew, rebuilt here: same labels, same camera.
  auto sequence = formats::open_sequence(training_);
  ASSERT_TRUE(sequence);
  formats::LabelContext context;
  context.sequence = &*sequence;
  auto labels = formats::read_kitti_tracking_annotations(labels_, context);
  ASSERT_TRUE(labels);
  auto session = plugin::Session::create(std::move(*labels), std::move(*sequence));
  ASSERT_TRUE(session->set_frame(0));
  viewer::RenderRequest request;
  request.width = 720;
  request.height = 480;
  request.view = view == "top"     ? plugin::ViewKind::kTop
                 : view == "side"  ? plugin::ViewKind::kSide
                 : view == "front" ? plugin::ViewKind::kFront
                                   : plugin::ViewKind::kPerspective;
  std::vector<ExpectedBox> boxes;
  for (const plugin::BoxAtFrame& b : session->boxes_at(0)) {
    ExpectedBox e;
    e.box_in_world = *session->box_in_world(b.track->id, 0);
    e.color =
        viewer::box_look(request.style, session->document(), b.track->label, *b.state, false).color;
    boxes.push_back(e);
  }
  ASSERT_EQ(boxes.size(), 3u);
  const EdgeCheck check = check_edges(image, viewer::render_camera(*session, request), boxes);
  EXPECT_GE(check.edge_samples, 30);
  EXPECT_GE(check.hit_ratio(), 0.95)
      << check.edge_hits << "/" << check.edge_samples << " misses: " << check.misses;
  ASSERT_GE(check.background_samples, 1000);
  EXPECT_EQ(check.background_box_colored, 0);
  EXPECT_GT(check.background_lit, check.background_samples / 50);
}

INSTANTIATE_TEST_SUITE_P(AllViews, RenderCommandViews,
                         ::testing::Values("perspective", "top", "side", "front"));

TEST_F(RenderCommand, ErrorsAndExitCodes) {
  PCANNO_REQUIRE_DISPLAY();
  const fs::path out = dir_ / "shot.png";
  // Frame out of range: a usage error naming the valid range.
  CommandResult r = pcanno("render " + training_.string() + " --frame 7 --out " + out.string());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("outside 0..4"), std::string::npos) << r.out;
  // Bad size.
  r = pcanno("render " + training_.string() + " --frame 0 --size 12x --out " + out.string());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--size"), std::string::npos) << r.out;
  // Unknown view: CLI11 rejects it.
  r = pcanno("render " + training_.string() + " --frame 0 --view sky --out " + out.string());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  // Missing dataset / labels: failures with the path.
  r = pcanno("render " + (dir_ / "nope").string() + " --frame 0 --out " + out.string());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("nope"), std::string::npos) << r.out;
  r = pcanno("render " + training_.string() + " --frame 0 --labels " + (dir_ / "x.txt").string() +
             " --out " + out.string());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_FALSE(fs::exists(out));
  // Written once; not replaced without --force; replaced with it. No temporary file remains.
  r = pcanno("render " + training_.string() + " --frame 0 --size 64x48 --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = pcanno("render " + training_.string() + " --frame 0 --size 64x48 --out " + out.string());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  r = pcanno("render " + training_.string() + " --frame 0 --size 64x48 --force --out " +
             out.string());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir_)) files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 1u);
  EXPECT_EQ(read_png(out).width, 64);
}

TEST_F(RenderCommand, EveryColourModeAndPointSize) {
  PCANNO_REQUIRE_DISPLAY();
  for (const char* mode : {"intensity", "height", "distance", "class"}) {
    const fs::path out = dir_ / (std::string(mode) + ".png");
    const CommandResult r =
        pcanno("render " + training_.string() + " --labels " + labels_.string() +
               " --frame 2 --view top --size 200x150 --point-size 3 --color-by " + mode +
               " --out " + out.string());
    EXPECT_EQ(r.exit_code, 0) << mode << ": " << r.out;
    EXPECT_EQ(read_png(out).width, 200) << mode;
  }
  CommandResult r = pcanno("render " + training_.string() + " --frame 0 --point-size 0 --out " +
                           (dir_ / "x.png").string());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  r = pcanno("render " + training_.string() + " --frame 0 --color-by rainbow --out " +
             (dir_ / "x.png").string());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  r = pcanno("render " + training_.string() + " --labels " + labels_.string() +
             " --frame 0 --track 99 --out " + (dir_ / "x.png").string());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("track 99"), std::string::npos) << r.out;
}

TEST_F(RenderCommand, HelpAndNoDisplay) {
  CommandResult r = pcanno("render --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* word : {"--view", "--size", "--color-by", "--point-size", "--labels", "xvfb"}) {
    EXPECT_NE(r.out.find(word), std::string::npos) << word << " missing from:\n" << r.out;
  }
  r = run_command("env -u DISPLAY " + std::string(PCANNO_BINARY) + " render " + training_.string() +
                  " --frame 0 --out " + (dir_ / "nodisplay.png").string() + " 2>&1");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("xvfb-run"), std::string::npos) << r.out;
}

// A document with a lane line and an area: the top view draws the line in its class colour and
// fills the area, blended over exactly what is drawn without them, and changes nothing else.
TEST_F(RenderCommand, PolylinesInClassColoursAreasFilledFromAbove) {
  PCANNO_REQUIRE_DISPLAY();
  const viewer::Rgb lane_color{255, 0, 255}, area_color{160, 100, 255};  // on no height ramp
  nlohmann::json doc = native_labels();
  doc["classes"].push_back(
      {{"name", "painted line"}, {"color", lane_color}, {"shape", "polyline"}});
  doc["classes"].push_back(
      {{"name", "painted area"}, {"color", area_color}, {"shape", "polyline"}, {"closed", true}});
  const fs::path plain_labels = write(doc, "plain.pcanno.json");

  // Inside the extent of the frame's boxes (so the camera, which frames boxes and polylines,
  // is the same with and without them), in the LiDAR frame.
  auto sequence = formats::open_sequence(training_);
  ASSERT_TRUE(sequence) << sequence.error().describe();
  auto plain_doc = formats::read_pcanno_document(plain_labels);
  ASSERT_TRUE(plain_doc) << plain_doc.error().describe();
  auto session = plugin::Session::create(std::move(*plain_doc), *sequence);
  ASSERT_TRUE(session->set_frame(0));
  const geometry::Pose T_lidar_world =
      session->T_world_lidar(0).value_or(geometry::Pose::Identity()).inverse();
  Eigen::Vector3d lo = Eigen::Vector3d::Constant(1e9), hi = -lo;
  for (const plugin::BoxAtFrame& b : session->boxes_at(0)) {
    for (const Eigen::Vector3d& corner : session->box_in_world(b.track->id, 0)->corners()) {
      lo = lo.cwiseMin(T_lidar_world * corner);
      hi = hi.cwiseMax(T_lidar_world * corner);
    }
  }
  const Eigen::Vector3d c = (lo + hi) / 2.0;
  ASSERT_GT(hi.x() - lo.x(), 7.0);
  ASSERT_GT(hi.y() - lo.y(), 8.0);
  const auto at = [&](double dx, double dy) {
    return nlohmann::json::array({c.x() + dx, c.y() + dy, c.z()});
  };
  const auto state = [](bool closed, nlohmann::json vertices) {
    return nlohmann::json{{"frame", 0},
                          {"frame_of_reference", "lidar"},
                          {"closed", closed},
                          {"vertices", std::move(vertices)},
                          {"provenance", "manual"},
                          {"keyframe", true}};
  };
  doc["polylines"] = nlohmann::json::array(
      {{{"id", 0},
        {"label", "painted line"},
        {"states", nlohmann::json::array({state(false, {at(-2, -3), at(0, -2.6), at(2, -3)})})}},
       {{"id", 1},
        {"label", "painted area"},
        {"states", nlohmann::json::array(
                       {state(true, {at(-1.5, -1), at(1.5, -1), at(1.5, 2), at(-1.5, 2)})})}}});
  const fs::path lined_labels = write(doc, "lined.pcanno.json");

  const auto shot = [&](const fs::path& labels, const std::string& name) {
    const fs::path out = dir_ / name;
    const CommandResult r = pcanno("render " + training_.string() + " --labels " + labels.string() +
                                   " --frame 0 --view top --size 720x480 "
                                   "--color-by height --out " +
                                   out.string());
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return out;
  };
  const fs::path with_png = shot(lined_labels, "lined.png");
  const viewer::Image with = read_png(with_png);
  const viewer::Image without = read_png(shot(plain_labels, "plain.png"));
  ASSERT_EQ(with.width, 720);
  ASSERT_EQ(without.width, 720);

  // The command's camera, the same with the polylines as without.
  auto lined_doc = formats::read_pcanno_document(lined_labels);
  ASSERT_TRUE(lined_doc) << lined_doc.error().describe();
  session = plugin::Session::create(std::move(*lined_doc), *sequence);
  ASSERT_TRUE(session->set_frame(0));
  viewer::RenderRequest request;
  request.width = 720;
  request.height = 480;
  request.view = plugin::ViewKind::kTop;
  const viewer::CameraPose camera = viewer::render_camera(*session, request);
  {
    auto plain_again = formats::read_pcanno_document(plain_labels);
    ASSERT_TRUE(plain_again);
    auto plain_session = plugin::Session::create(std::move(*plain_again), *sequence);
    ASSERT_TRUE(plain_session->set_frame(0));
    const viewer::CameraPose plain_camera = viewer::render_camera(*plain_session, request);
    ASSERT_EQ(camera.focal_point, plain_camera.focal_point) << "the polylines moved the camera";
    ASSERT_EQ(camera.parallel_scale, plain_camera.parallel_scale);
  }
  const std::vector<viewer::ScenePolyline> lines = viewer::scene_polylines(*session, request.style);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].color, lane_color);
  std::vector<std::pair<Eigen::Vector2d, Eigen::Vector2d>> segments;
  for (const viewer::ScenePolyline& l : lines) {
    const auto& v = l.line_in_world.vertices;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i + 1 == v.size() && !l.line_in_world.closed) break;
      const auto a = viewer::project(camera, v[i], 720, 480);
      const auto b = viewer::project(camera, v[(i + 1) % v.size()], 720, 480);
      ASSERT_TRUE(a && b);
      segments.emplace_back(*a, *b);
    }
  }
  const auto pixel = [](const viewer::Image& im, int x, int y) {
    return im.rgb.data() + (std::size_t(y) * im.width + x) * 3;
  };
  // The lane's colour along its two segments.
  int samples = 0, hits = 0;
  for (std::size_t s = 0; s < 2; ++s) {
    for (double t = 0.2; t < 0.85; t += 0.1) {
      const Eigen::Vector2d p = segments[s].first + t * (segments[s].second - segments[s].first);
      bool hit = false;
      for (int dy = -2; dy <= 2; ++dy) {
        for (int dx = -2; dx <= 2; ++dx) {
          hit = hit || close_color(pixel(with, int(p.x()) + dx, int(p.y()) + dy), lane_color, 12);
        }
      }
      ++samples;
      hits += hit ? 1 : 0;
    }
  }
  EXPECT_EQ(hits, samples);
  // Inside the area (in its frame: between its edges), a quarter of its colour over what the
  // same shot without polylines has there; away from the lines, nothing changed.
  int inside = 0, blended = 0, outside = 0, changed = 0;
  for (int y = 2; y < 478; y += 3) {
    for (int x = 2; x < 718; x += 3) {
      const Eigen::Vector2d p(x + 0.5, y + 0.5);
      double clearance = 1e9;
      for (const auto& [a, b] : segments)
        clearance = std::min(clearance, distance_to_segment(p, a, b));
      if (clearance < 10.0) continue;
      const plugin::Ray ray = viewer::pixel_ray(camera, p, 720, 480);
      const Eigen::Vector3d q = T_lidar_world * ray.origin;
      const bool in_area = std::abs(q.x() - c.x()) < 1.5 && q.y() > c.y() - 1 && q.y() < c.y() + 2;
      const std::uint8_t* w = pixel(with, x, y);
      const std::uint8_t* o = pixel(without, x, y);
      if (in_area) {
        ++inside;
        viewer::Rgb expected;
        for (int k = 0; k < 3; ++k) {
          expected[k] = static_cast<std::uint8_t>(request.style.area_opacity * area_color[k] +
                                                  (1 - request.style.area_opacity) * o[k] + 0.5);
        }
        blended += close_color(w, expected, 3) ? 1 : 0;
      } else {
        ++outside;
        changed += std::equal(w, w + 3, o) ? 0 : 1;
      }
    }
  }
  EXPECT_GT(inside, 100);
  EXPECT_GE(blended, inside * 95 / 100) << blended << "/" << inside;
  EXPECT_GT(outside, 10000);
  EXPECT_LE(changed, outside / 200) << changed << "/" << outside;

  // An independent PNG decoder sees the lane's colour too.
  const CommandResult py = run_command("python3 " + std::string(PCANNO_CHECK_PNG) +
                                       " --any-filter " + with_png.string());
  ASSERT_EQ(py.exit_code, 0) << py.out;
  const auto colours = nlohmann::json::parse(py.out).at("colours");
  EXPECT_TRUE(colours.contains("ff00ff")) << "no lane-coloured pixel in the PNG";
}

}  // namespace
}  // namespace pcanno::test
