#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "pcanno/formats/support/expected.hpp"

namespace pcanno::formats {

/// A decoded 8-bit RGB image, rows top to bottom, pixels left to right, 3 bytes per pixel.
struct Image {
  int width = 0;                  ///< [px]
  int height = 0;                 ///< [px]
  std::vector<std::uint8_t> rgb;  ///< width * height * 3 bytes

  bool empty() const { return width <= 0 || height <= 0; }
  /// The pixel at column `u`, row `v` (unchecked).
  const std::uint8_t* at(int u, int v) const {
    return rgb.data() + (static_cast<std::size_t>(v) * static_cast<std::size_t>(width) +
                         static_cast<std::size_t>(u)) *
                            3;
  }
};

/// Decodes one image file to RGB. Must be thread-safe: a FrameCache calls it from its loader
/// threads. Errors name the file.
using ImageDecoder = std::function<Expected<Image>(const std::filesystem::path& path)>;

/// Largest image decode_image() accepts [px], so that a forged header cannot ask for gigabytes.
inline constexpr std::size_t kMaxImagePixels = std::size_t{1} << 27;  // 134 Mpx

/// Decodes a PNG or JPEG file, told apart by its first bytes (not its name), to 8-bit RGB: grey
/// becomes RGB, alpha is composed onto black, palettes are expanded, 16-bit PNG samples are
/// reduced to 8 bits as libpng's simplified API does (linear light unless the file has a gAMA).
/// Uses libpng and libjpeg with their errors caught, so damaged bytes give an error, never a crash
/// (VTK's PNG reader crashes on a truncated file). Thread-safe.
///
/// Errors, each naming the file: kNotFound (missing), kMalformed (neither signature at byte 0,
/// or the decoder's own message: bad CRC, cut PNG, ...), kTruncated (JPEG data that ends early,
/// which libjpeg would pad with grey), kUnsupported (more than kMaxImagePixels).
Expected<Image> decode_image(const std::filesystem::path& path);

/// The same on bytes in memory; `path_for_errors` only labels messages.
Expected<Image> decode_image(const std::uint8_t* data, std::size_t size,
                             const std::filesystem::path& path_for_errors);

/// decode_image() of a file as an ImageDecoder, for make_frame_cache() (an overload set cannot be
/// passed by name).
ImageDecoder file_image_decoder();

}  // namespace pcanno::formats
