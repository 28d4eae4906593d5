#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "pcanno/formats/support/expected.hpp"

namespace pcanno::app {

using Rgb = std::array<std::uint8_t, 3>;

/// An 8-bit RGB raster for the plots `pcanno eval --plot` draws; (0, 0) is the top-left pixel.
/// Drawing outside the image is clipped.
class RgbImage {
 public:
  RgbImage(int width, int height, Rgb background);

  int width() const { return width_; }
  int height() const { return height_; }
  const std::vector<std::uint8_t>& pixels() const { return pixels_; }  ///< rows, top first

  void set(int x, int y, Rgb color);
  /// Fills x0 <= x < x1, y0 <= y < y1 (corners in any order).
  void fill_rect(int x0, int y0, int x1, int y1, Rgb color);
  /// Text in a 3x5 pixel font scaled by `scale`: digits, '.', '-', '%', ' ' and upper-case
  /// letters; other characters are left blank. (x, y) is the top-left corner.
  void text(int x, int y, const std::string& s, Rgb color, int scale = 2);
  /// Width in pixels text() will use for `s`.
  static int text_width(const std::string& s, int scale = 2);

 private:
  int width_;
  int height_;
  std::vector<std::uint8_t> pixels_;
};

/// A complete PNG file (colour type 2, 8 bits per channel) with the image data in stored
/// (uncompressed) deflate blocks: no compression library, any PNG reader accepts it.
std::vector<std::uint8_t> encode_png(const RgbImage& image);

/// encode_png() written atomically to `path`; an existing file is replaced only when `overwrite`.
formats::Status write_png(const std::filesystem::path& path, const RgbImage& image, bool overwrite);

}  // namespace pcanno::app
