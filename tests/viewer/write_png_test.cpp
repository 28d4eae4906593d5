// write_png(): an RGB image to a PNG file without a display, atomically, read back exactly.
#include <gtest/gtest.h>

#include <filesystem>

#include "pcanno/formats/datasets/image.hpp"
#include "pcanno/viewer/render_png.hpp"
#include "temp_dir.hpp"

namespace pcanno::viewer {
namespace {

Image gradient(int width, int height) {
  Image image;
  image.width = width;
  image.height = height;
  image.rgb.resize(std::size_t(width) * height * 3);
  for (int v = 0; v < height; ++v) {
    for (int u = 0; u < width; ++u) {
      std::uint8_t* p = image.rgb.data() + (std::size_t(v) * width + std::size_t(u)) * 3;
      p[0] = static_cast<std::uint8_t>(u * 3);
      p[1] = static_cast<std::uint8_t>(v * 5);
      p[2] = static_cast<std::uint8_t>(u ^ v);
    }
  }
  return image;
}

TEST(WritePng, RoundTripsEveryPixelTopRowFirst) {
  test::TempDir dir;
  const Image image = gradient(37, 23);  // odd sizes: no row padding assumed
  const auto path = dir.path() / "out.png";
  ASSERT_TRUE(write_png(image, path));
  auto back = formats::decode_image(path);
  ASSERT_TRUE(back) << back.error().describe();
  EXPECT_EQ(back->width, 37);
  EXPECT_EQ(back->height, 23);
  EXPECT_EQ(back->rgb, image.rgb);
  // Only the file itself is left: the temporary sibling was renamed into place.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST(WritePng, KeepsAnExistingFileWithoutOverwrite) {
  test::TempDir dir;
  const auto path = dir.write("out.png", "not a png");
  const formats::Status refused = write_png(gradient(8, 8), path, /*overwrite=*/false);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().describe().find("out.png"), std::string::npos);
  EXPECT_EQ(test::slurp(path), "not a png");
  EXPECT_TRUE(write_png(gradient(8, 8), path, /*overwrite=*/true));
  EXPECT_TRUE(formats::decode_image(path));
}

TEST(WritePng, RefusesAnImageWhosePixelsDoNotMatchItsSize) {
  test::TempDir dir;
  Image image = gradient(8, 8);
  image.rgb.resize(10);
  const formats::Status refused = write_png(image, dir.path() / "bad.png");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().describe().find("bad.png"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "bad.png"));
  EXPECT_FALSE(write_png(Image{}, dir.path() / "empty.png"));
}

}  // namespace
}  // namespace pcanno::viewer
