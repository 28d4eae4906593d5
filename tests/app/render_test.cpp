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
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/viewer/box_look.hpp"

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

}  // namespace
}  // namespace pcanno::test
