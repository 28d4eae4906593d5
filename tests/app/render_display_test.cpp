// `pcanno render` with the display options (issue 19, seeing sparse objects): accumulated frames
// coloured by time offset, focus and crops that leave points out, and the options' errors.
#include <functional>

#include <gtest/gtest.h>

#include "app_test_support.hpp"
#include "display.hpp"
#include "pcanno/formats/datasets/image.hpp"

namespace pcanno::test {
namespace {

namespace fs = std::filesystem;

class RenderDisplay : public LabelsTest {
 protected:
  /// Runs `pcanno render` on the sample with its own ego motion cache (the sample has no poses).
  CommandResult render(const std::string& args, const fs::path& out) {
    fs::create_directories(dir_ / "cache");
    return run_command("XDG_CACHE_HOME=" + (dir_ / "cache").string() + " " +
                       std::string(PCANNO_BINARY) + " render " + training_.string() + " " + args +
                       " --size 400x300 --out " + out.string() + " 2>&1");
  }
  /// Pixels of `png` for which `pick` holds.
  std::size_t pixels(const fs::path& png, const std::function<bool(int, int, int)>& pick) {
    auto image = formats::decode_image(png);
    EXPECT_TRUE(image) << (image ? "" : image.error().describe());
    if (!image) return 0;
    std::size_t n = 0;
    for (std::size_t i = 0; i + 2 < image->rgb.size(); i += 3) {
      n += pick(image->rgb[i], image->rgb[i + 1], image->rgb[i + 2]) ? 1 : 0;
    }
    return n;
  }
  static bool lit(int r, int g, int b) { return r + g + b > 30; }
  static bool blue(int r, int g, int b) { return b > 180 && r < 60 && g < 60; }
  static bool red(int r, int g, int b) { return r > 180 && g < 60 && b < 60; }
};

TEST_F(RenderDisplay, AccumulatedFramesColouredByTheirTimeOffset) {
  PCANNO_REQUIRE_DISPLAY();
  const fs::path alone = dir_ / "alone.png", accumulated = dir_ / "accumulated.png";
  CommandResult r = render("--frame 2 --view top --color-by time", alone);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = render("--frame 2 --view top --color-by time --accumulate 2,2", accumulated);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  // Alone, every point is the current frame's (green); accumulated, frame 0 is blue, frame 4 red.
  EXPECT_EQ(pixels(alone, blue) + pixels(alone, red), 0u);
  EXPECT_GT(pixels(accumulated, blue), 200u);
  EXPECT_GT(pixels(accumulated, red), 200u);
}

TEST_F(RenderDisplay, FocusCropAndGroundLeavePointsOut) {
  PCANNO_REQUIRE_DISPLAY();
  // The same camera for all (centred on the van, track 0), so that fewer points light fewer pixels.
  const std::string base = "--labels " + labels_.string() + " --frame 0 --view top --track 0 ";
  const fs::path full = dir_ / "full.png";
  ASSERT_EQ(render(base, full).exit_code, 0);
  const std::size_t all = pixels(full, lit);
  ASSERT_GT(all, 2000u);
  for (const char* option :
       {"--focus-track 0 --focus-margin 1", "--crop-track 0", "--crop -3,-3,-5,3,3,5",
        "--hide-ground", "--intensity-min 0.5"}) {
    const fs::path out = dir_ / "option.png";
    const CommandResult r = render(base + option + " --force", out);
    ASSERT_EQ(r.exit_code, 0) << option << ": " << r.out;
    EXPECT_LT(pixels(out, lit), all * 9 / 10) << option;
  }
}

TEST_F(RenderDisplay, BadOptionsAreRefusedNamingThem) {
  const fs::path out = dir_ / "x.png";
  CommandResult r = render("--frame 0 --accumulate two", out);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--accumulate"), std::string::npos) << r.out;
  r = render("--frame 0 --accumulate 1,-1", out);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  r = render("--frame 0 --crop 1,2,3", out);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("expected 6 comma-separated numbers"), std::string::npos) << r.out;
  r = render("--frame 0 --camera image_2 --hide-ground", out);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(RenderDisplay, AFocusTrackWithoutABoxIsAnError) {
  PCANNO_REQUIRE_DISPLAY();
  const fs::path out = dir_ / "x.png";
  const CommandResult r =
      render("--labels " + labels_.string() + " --frame 0 --focus-track 99", out);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("track 99 has no box in frame 0"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace pcanno::test
