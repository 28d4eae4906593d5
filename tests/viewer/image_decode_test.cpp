// formats::decode_image(): PNG and JPEG to RGB, checked against images VTK's writers encode here
// (an independent encoder) and on the real KITTI and nuScenes camera files.
#include "pcanno/formats/datasets/image.hpp"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <vtkImageData.h>
#include <vtkImageWriter.h>
#include <vtkJPEGWriter.h>
#include <vtkNew.h>
#include <vtkPNGWriter.h>
#include <vtkSmartPointer.h>

#include "temp_dir.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;

/// A 37 x 23 image whose every pixel differs: R = 5x, G = 9y, B = x + y (mod 256).
std::uint8_t channel(int x, int y, int k) {
  const int v = k == 0 ? 5 * x : k == 1 ? 9 * y : x + y;
  return static_cast<std::uint8_t>(v % 256);
}
constexpr int kWidth = 37, kHeight = 23;

/// Writes the pattern with `writer` (rows bottom-up, as VTK stores them), `components` 1 or 3.
void write_pattern(vtkImageWriter* writer, const fs::path& path, int components) {
  vtkNew<vtkImageData> data;
  data->SetDimensions(kWidth, kHeight, 1);
  data->AllocateScalars(VTK_UNSIGNED_CHAR, components);
  for (int y = 0; y < kHeight; ++y) {
    for (int x = 0; x < kWidth; ++x) {
      auto* p = static_cast<std::uint8_t*>(data->GetScalarPointer(x, kHeight - 1 - y, 0));
      for (int k = 0; k < components; ++k) p[k] = channel(x, y, k);
    }
  }
  writer->SetInputData(data);
  writer->SetFileName(path.c_str());
  writer->Write();
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

TEST(ImageDecoder, PngDecodesExactlyTopRowFirst) {
  test::TempDir dir;
  const fs::path png = dir.path() / "pattern.png";
  vtkNew<vtkPNGWriter> writer;
  write_pattern(writer, png, 3);
  auto image = decode_image(png);
  ASSERT_TRUE(image) << image.error().describe();
  ASSERT_EQ(image->width, kWidth);
  ASSERT_EQ(image->height, kHeight);
  ASSERT_EQ(image->rgb.size(), std::size_t{kWidth} * kHeight * 3);
  for (int y = 0; y < kHeight; ++y) {
    for (int x = 0; x < kWidth; ++x) {
      for (int k = 0; k < 3; ++k) ASSERT_EQ(image->at(x, y)[k], channel(x, y, k)) << x << "," << y;
    }
  }
}

TEST(ImageDecoder, GreyBecomesRgbAndTheSignatureDecidesNotTheName) {
  test::TempDir dir;
  const fs::path misnamed = dir.path() / "grey.jpg";  // a PNG in fact
  vtkNew<vtkPNGWriter> writer;
  write_pattern(writer, misnamed, 1);
  auto image = decode_image(misnamed);
  ASSERT_TRUE(image) << image.error().describe();
  for (int k = 0; k < 3; ++k) EXPECT_EQ(image->at(30, 20)[k], channel(30, 20, 0));
}

TEST(ImageDecoder, JpegDecodesCloseToWhatWasEncoded) {
  test::TempDir dir;
  const fs::path jpg = dir.path() / "pattern.jpg";
  vtkNew<vtkJPEGWriter> writer;
  writer->SetQuality(100);
  write_pattern(writer, jpg, 3);
  auto image = decode_image(jpg);
  ASSERT_TRUE(image) << image.error().describe();
  ASSERT_EQ(image->width, kWidth);
  ASSERT_EQ(image->height, kHeight);
  double error = 0.0;
  for (int y = 0; y < kHeight; ++y) {
    for (int x = 0; x < kWidth; ++x) {
      for (int k = 0; k < 3; ++k) error += std::abs(image->at(x, y)[k] - channel(x, y, k));
    }
  }
  // Lossy, but a flipped or shifted image would be off by tens on average.
  EXPECT_LT(error / (kWidth * kHeight * 3), 6.0);
}

TEST(ImageDecoder, BadFilesGiveErrorsNamingThem) {
  test::TempDir dir;
  const fs::path missing = dir.path() / "missing.png";
  auto none = decode_image(missing);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(none.error().path, missing.string());

  const fs::path text = dir.path() / "notes.png";
  std::ofstream(text) << "not an image at all";
  auto bad = decode_image(text);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(bad.error().path, text.string());

  // A PNG cut after its header: the reader must fail cleanly, not crash.
  const fs::path whole = dir.path() / "whole.png";
  vtkNew<vtkPNGWriter> writer;
  write_pattern(writer, whole, 3);
  const fs::path cut = dir.path() / "cut.png";
  write_bytes(cut, read_bytes(whole).substr(0, 40));
  auto truncated = decode_image(cut);
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().path, cut.string());

  // A JPEG cut in its entropy-coded data: reported, not silently padded with grey.
  const fs::path jpg = dir.path() / "whole.jpg";
  vtkNew<vtkJPEGWriter> jpeg_writer;
  write_pattern(jpeg_writer, jpg, 3);
  const fs::path cut_jpg = dir.path() / "cut.jpg";
  const std::string jpeg_bytes = read_bytes(jpg);
  write_bytes(cut_jpg, jpeg_bytes.substr(0, jpeg_bytes.size() * 2 / 3));
  auto short_jpeg = decode_image(cut_jpg);
  ASSERT_FALSE(short_jpeg);
  EXPECT_EQ(short_jpeg.error().path, cut_jpg.string());

  // Every prefix of a PNG and a JPEG fails cleanly (readers never crash, whatever the bytes),
  // unless only the end marker is missing and every pixel arrived.
  for (const fs::path& source : {whole, jpg}) {
    const std::string bytes = read_bytes(source);
    const auto full = decode_image(source);
    ASSERT_TRUE(full) << full.error().describe();
    const fs::path prefix = dir.path() / ("prefix" + source.extension().string());
    for (std::size_t n = 0; n < bytes.size(); n += 3) {
      write_bytes(prefix, bytes.substr(0, n));
      const auto part = decode_image(prefix);
      if (part) {
        EXPECT_GE(n + 12, bytes.size()) << source << " cut at " << n;
        EXPECT_EQ(part->rgb, full->rgb) << source << " cut at " << n;
      } else {
        EXPECT_EQ(part.error().path, prefix.string());
      }
    }
  }
}

/// The fuzz seeds were written by a script with a known pattern (fuzz/seeds/image/): every PNG
/// colour type libpng converts, and baseline, grey and progressive JPEGs.
TEST(ImageDecoder, EveryKindOfSeedDecodes) {
  const fs::path seeds = fs::path(PCANNO_SAMPLE_DATA_DIR) / "../fuzz/seeds/image";
  struct Expect {
    const char* name;
    int width, height;
  };
  for (const Expect& e :
       {Expect{"rgb8.png", 16, 12}, Expect{"grey8.png", 9, 7}, Expect{"rgba8.png", 8, 8},
        Expect{"rgb16.png", 5, 4}, Expect{"palette.png", 6, 6}, Expect{"rgb.jpg", 24, 16},
        Expect{"grey.jpg", 17, 9}, Expect{"progressive.jpg", 32, 20}}) {
    auto image = decode_image(seeds / e.name);
    ASSERT_TRUE(image) << image.error().describe();
    EXPECT_EQ(image->width, e.width) << e.name;
    EXPECT_EQ(image->height, e.height) << e.name;
    EXPECT_EQ(image->rgb.size(), std::size_t(e.width) * e.height * 3) << e.name;
  }
  // rgb8.png holds (x * 37 + y * 11 + k) mod 256 in channel k of pixel (x, y).
  auto rgb = decode_image(seeds / "rgb8.png");
  ASSERT_TRUE(rgb);
  for (int y = 0; y < 12; ++y) {
    for (int x = 0; x < 16; ++x) {
      for (int k = 0; k < 3; ++k) ASSERT_EQ(rgb->at(x, y)[k], (x * 37 + y * 11 + k) % 256);
    }
  }
  // Grey expands to equal channels; the palette holds bytes 0, 1, 2, ... so entry i is
  // (3i, 3i + 1, 3i + 2) mod 256.
  auto grey = decode_image(seeds / "grey8.png");
  ASSERT_TRUE(grey);
  EXPECT_EQ(grey->at(3, 2)[0], (3 * 37 + 2 * 11) % 256);
  EXPECT_EQ(grey->at(3, 2)[1], grey->at(3, 2)[0]);
  auto palette = decode_image(seeds / "palette.png");
  ASSERT_TRUE(palette);
  const int index = (4 * 37 + 5 * 11) % 256;
  for (int k = 0; k < 3; ++k) EXPECT_EQ(palette->at(4, 5)[k], (3 * index + k) % 256);
}

TEST(ImageDecoder, RealKittiAndNuscenesCameraImages) {
  const fs::path kitti = test::shared_data_dir() / "kitti_object/training/image_2/000001.png";
  const fs::path front =
      test::shared_data_dir() / "nuscenes_cameras/v1.0-mini-scene0061/samples/CAM_FRONT";
  PCANNO_REQUIRE_DATA(kitti);
  PCANNO_REQUIRE_DATA(front);
  auto k = decode_image(kitti);
  ASSERT_TRUE(k) << k.error().describe();
  EXPECT_EQ(k->width, 1242);
  EXPECT_EQ(k->height, 375);
  fs::path jpg;
  for (const auto& e : fs::directory_iterator(front)) jpg = e.path();
  auto n = decode_image(jpg);
  ASSERT_TRUE(n) << n.error().describe();
  EXPECT_EQ(n->width, 1600);
  EXPECT_EQ(n->height, 900);
  // Daylight street scenes: the sky (top rows) is brighter than the road (bottom rows).
  const auto mean_row = [](const Image& im, int y) {
    double s = 0;
    for (int x = 0; x < im.width; ++x) s += im.at(x, y)[0] + im.at(x, y)[1] + im.at(x, y)[2];
    return s / im.width;
  };
  EXPECT_GT(mean_row(*n, 5), mean_row(*n, n->height - 5));
}

}  // namespace
}  // namespace pcanno::formats
