// PNG and JPEG camera images to RGB, with every libpng/libjpeg error turned into an Error.
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

// jpeglib.h needs FILE and size_t declared first.
#include <jerror.h>
#include <jpeglib.h>
#include <png.h>

#include "pcanno/formats/datasets/image.hpp"

namespace pcanno::formats {
namespace fs = std::filesystem;

namespace {

Error image_error(ErrorCode code, const fs::path& path, const std::string& what) {
  return Error{code, what, path.string()};
}

Error too_large(const fs::path& path, std::size_t width, std::size_t height) {
  return image_error(ErrorCode::kUnsupported, path,
                     "image of " + std::to_string(width) + "x" + std::to_string(height) +
                         " px is larger than the " + std::to_string(kMaxImagePixels) +
                         " px accepted");
}

enum class Kind { kPng, kJpeg, kOther };

Kind sniff(const std::uint8_t* head, std::size_t n) {
  static constexpr unsigned char kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (n >= 8 && std::memcmp(head, kPng, 8) == 0) return Kind::kPng;
  if (n >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF) return Kind::kJpeg;
  return Kind::kOther;
}

/// libpng's simplified API catches its own errors (no longjmp crosses this code).
Expected<Image> decode_png(const std::uint8_t* data, std::size_t size, const fs::path& path) {
  png_image png;
  std::memset(&png, 0, sizeof(png));
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, data, size)) {
    return image_error(ErrorCode::kMalformed, path, std::string("PNG header: ") + png.message);
  }
  const std::unique_ptr<png_image, void (*)(png_image*)> guard(&png, png_image_free);
  if (std::size_t{png.width} * png.height > kMaxImagePixels) {
    return too_large(path, png.width, png.height);
  }
  png.format = PNG_FORMAT_RGB;
  Image image;
  image.width = static_cast<int>(png.width);
  image.height = static_cast<int>(png.height);
  // Alpha is composed onto the buffer's contents: black.
  image.rgb.assign(PNG_IMAGE_SIZE(png), 0);
  if (!png_image_finish_read(&png, nullptr, image.rgb.data(), 0, nullptr)) {
    return image_error(ErrorCode::kMalformed, path, std::string("PNG data: ") + png.message);
  }
  return image;
}

struct JpegErrors {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX] = {};
  bool truncated = false;
};

[[noreturn]] void jpeg_fail(j_common_ptr info) {
  auto* errors = reinterpret_cast<JpegErrors*>(info->err);
  (*info->err->format_message)(info, errors->message);
  std::longjmp(errors->jump, 1);
}

/// Warnings are not printed; running out of data is remembered, since libjpeg fills the rest of
/// the image with grey and carries on.
void jpeg_note(j_common_ptr info, int level) {
  auto* errors = reinterpret_cast<JpegErrors*>(info->err);
  if (level < 0 && info->err->msg_code == JWRN_JPEG_EOF) errors->truncated = true;
}

/// The classic libjpeg API reports errors through longjmp: everything that owns memory lives
/// outside the jump's reach (declared before setjmp, freed by jpeg_destroy_decompress).
Expected<Image> decode_jpeg(const std::uint8_t* data, std::size_t size, const fs::path& path) {
  jpeg_decompress_struct info;
  JpegErrors errors;
  info.err = jpeg_std_error(&errors.manager);
  errors.manager.error_exit = jpeg_fail;
  errors.manager.emit_message = jpeg_note;
  Image image;
  if (setjmp(errors.jump) != 0) {
    jpeg_destroy_decompress(&info);
    return image_error(ErrorCode::kMalformed, path, std::string("JPEG: ") + errors.message);
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, data, static_cast<unsigned long>(size));
  jpeg_read_header(&info, TRUE);
  if (std::size_t{info.image_width} * info.image_height > kMaxImagePixels) {
    const std::size_t w = info.image_width, h = info.image_height;
    jpeg_destroy_decompress(&info);
    return too_large(path, w, h);
  }
  info.out_color_space = JCS_RGB;  // grey and YCbCr convert; CMYK fails with libjpeg's message
  jpeg_start_decompress(&info);
  image.width = static_cast<int>(info.output_width);
  image.height = static_cast<int>(info.output_height);
  image.rgb.resize(static_cast<std::size_t>(image.width) * image.height * 3);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row =
        image.rgb.data() + static_cast<std::size_t>(info.output_scanline) * image.width * 3;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  if (errors.truncated) {
    return image_error(ErrorCode::kTruncated, path, "JPEG data ends before the image is complete");
  }
  return image;
}

}  // namespace

Expected<Image> decode_image(const std::uint8_t* data, std::size_t size,
                             const fs::path& path_for_errors) {
  switch (sniff(data, size)) {
    case Kind::kPng:
      return decode_png(data, size, path_for_errors);
    case Kind::kJpeg:
      return decode_jpeg(data, size, path_for_errors);
    case Kind::kOther:
      break;
  }
  return image_error(ErrorCode::kMalformed, path_for_errors,
                     "expected a PNG or JPEG signature at byte 0");
}

Expected<Image> decode_image(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return image_error(ErrorCode::kNotFound, path, "no such image file");
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!file) return image_error(ErrorCode::kIo, path, "cannot open the image file");
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) return image_error(ErrorCode::kIo, path, "cannot read the image file's size");
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  if (std::fread(bytes.data(), 1, bytes.size(), file.get()) != bytes.size()) {
    return image_error(ErrorCode::kIo, path, "read error");
  }
  return decode_image(bytes.data(), bytes.size(), path);
}

ImageDecoder file_image_decoder() {
  return [](const fs::path& path) { return decode_image(path); };
}

}  // namespace pcanno::formats
