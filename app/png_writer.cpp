#include "png_writer.hpp"

#include <algorithm>
#include <string_view>

#include "pcanno/formats/support/atomic_write.hpp"

namespace pcanno::app {

namespace {

/// 3x5 glyphs, rows top to bottom, '#' lit.
struct Glyph {
  char c;
  const char* rows;  ///< 15 characters
};

constexpr Glyph kFont[] = {
    {'0', "####.##.##.####"}, {'1', ".#.##..#..#.###"}, {'2', "###..#####..###"},
    {'3', "###..####..####"}, {'4', "#.##.####..#..#"}, {'5', "####..###..####"},
    {'6', "####..####.####"}, {'7', "###..#..#..#..#"}, {'8', "####.#####.####"},
    {'9', "####.####..####"}, {'.', ".............#."}, {'-', "......###......"},
    {'%', "#.#..#.#.#..#.#"}, {'>', "#...#...#.#.#.."}, {'=', "...###...###..."},
    {'(', ".#.#..#..#...#."}, {')', ".#...#..#..#.#."}, {'/', "..#..#.#.#..#.."},
    {':', "....#.....#...."}, {'A', ".#.#.#####.##.#"}, {'B', "##.#.###.#.###."},
    {'C', ".###..#..#...##"}, {'D', "##.#.##.##.###."}, {'E', "####..##.#..###"},
    {'F', "####..##.#..#.."}, {'G', ".###..#.##.#.##"}, {'H', "#.##.#####.##.#"},
    {'I', "###.#..#..#.###"}, {'J', "..#..#..##.#.#."}, {'K', "#.##.###.#.##.#"},
    {'L', "#..#..#..#..###"}, {'M', "#.########.##.#"}, {'N', "##.#.##.##.##.#"},
    {'O', ".#.#.##.##.#.#."}, {'P', "##.#.###.#..#.."}, {'Q', ".#.#.##.###..##"},
    {'R', "##.#.###.#.##.#"}, {'S', ".###...#...###."}, {'T', "###.#..#..#..#."},
    {'U', "#.##.##.##.####"}, {'V', "#.##.##.##.#.#."}, {'W', "#.##.########.#"},
    {'X', "#.##.#.#.#.##.#"}, {'Y', "#.##.#.#..#..#."}, {'Z', "###..#.#.#..###"},
};

const char* glyph(char c) {
  for (const Glyph& g : kFont) {
    if (g.c == c) return g.rows;
  }
  return nullptr;
}

std::uint32_t crc32(const std::uint8_t* data, std::size_t n, std::uint32_t crc = 0) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (std::size_t i = 0; i < n; ++i) crc = table[(crc ^ data[i]) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

std::uint32_t adler32(const std::vector<std::uint8_t>& data) {
  std::uint32_t a = 1, b = 0;
  for (std::uint8_t byte : data) {
    a = (a + byte) % 65521u;
    b = (b + a) % 65521u;
  }
  return (b << 16) | a;
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

void put_chunk(std::vector<std::uint8_t>& out, const char type[4],
               const std::vector<std::uint8_t>& data) {
  put_u32(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  put_u32(out, crc32(out.data() + start, out.size() - start));
}

}  // namespace

RgbImage::RgbImage(int width, int height, Rgb background)
    : width_(std::max(width, 1)), height_(std::max(height, 1)) {
  pixels_.resize(static_cast<std::size_t>(width_) * static_cast<std::size_t>(height_) * 3);
  for (std::size_t i = 0; i < pixels_.size(); i += 3) {
    std::copy(background.begin(), background.end(), pixels_.begin() + static_cast<long>(i));
  }
}

void RgbImage::set(int x, int y, Rgb color) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return;
  const std::size_t i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(width_) +
                         static_cast<std::size_t>(x)) *
                        3;
  std::copy(color.begin(), color.end(), pixels_.begin() + static_cast<long>(i));
}

void RgbImage::fill_rect(int x0, int y0, int x1, int y1, Rgb color) {
  if (x0 > x1) std::swap(x0, x1);
  if (y0 > y1) std::swap(y0, y1);
  for (int y = std::max(y0, 0); y < std::min(y1, height_); ++y) {
    for (int x = std::max(x0, 0); x < std::min(x1, width_); ++x) set(x, y, color);
  }
}

void RgbImage::text(int x, int y, const std::string& s, Rgb color, int scale) {
  for (char c : s) {
    const char upper = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    if (const char* rows = glyph(upper)) {
      for (int r = 0; r < 5; ++r) {
        for (int col = 0; col < 3; ++col) {
          if (rows[r * 3 + col] != '#') continue;
          fill_rect(x + col * scale, y + r * scale, x + (col + 1) * scale, y + (r + 1) * scale,
                    color);
        }
      }
    }
    x += 4 * scale;
  }
}

int RgbImage::text_width(const std::string& s, int scale) {
  return s.empty() ? 0 : static_cast<int>(s.size()) * 4 * scale - scale;
}

std::vector<std::uint8_t> encode_png(const RgbImage& image) {
  const auto w = static_cast<std::size_t>(image.width());
  const auto h = static_cast<std::size_t>(image.height());
  // Scanlines, each led by filter type 0 (none).
  std::vector<std::uint8_t> raw;
  raw.reserve(h * (1 + 3 * w));
  for (std::size_t y = 0; y < h; ++y) {
    raw.push_back(0);
    const auto row = image.pixels().begin() + static_cast<long>(y * 3 * w);
    raw.insert(raw.end(), row, row + static_cast<long>(3 * w));
  }
  // zlib stream: header (deflate, 32K window, no dictionary; 0x7801 is a multiple of 31), stored
  // blocks of at most 65535 bytes, Adler-32 of the uncompressed data.
  std::vector<std::uint8_t> z{0x78, 0x01};
  std::size_t pos = 0;
  do {
    const std::size_t n = std::min<std::size_t>(65535, raw.size() - pos);
    const bool last = pos + n == raw.size();
    z.push_back(last ? 1 : 0);
    z.push_back(static_cast<std::uint8_t>(n & 0xFF));
    z.push_back(static_cast<std::uint8_t>(n >> 8));
    z.push_back(static_cast<std::uint8_t>(~n & 0xFF));
    z.push_back(static_cast<std::uint8_t>((~n >> 8) & 0xFF));
    z.insert(z.end(), raw.begin() + static_cast<long>(pos),
             raw.begin() + static_cast<long>(pos + n));
    pos += n;
  } while (pos < raw.size());
  put_u32(z, adler32(raw));

  std::vector<std::uint8_t> png{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<std::uint8_t> ihdr;
  put_u32(ihdr, static_cast<std::uint32_t>(w));
  put_u32(ihdr, static_cast<std::uint32_t>(h));
  ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0});  // 8 bits, RGB, deflate, adaptive filters, no interlace
  put_chunk(png, "IHDR", ihdr);
  put_chunk(png, "IDAT", z);
  put_chunk(png, "IEND", {});
  return png;
}

formats::Status write_png(const std::filesystem::path& path, const RgbImage& image,
                          bool overwrite) {
  const std::vector<std::uint8_t> png = encode_png(image);
  return formats::write_file_atomic(
      path, std::string_view(reinterpret_cast<const char*>(png.data()), png.size()), overwrite);
}

}  // namespace pcanno::app
