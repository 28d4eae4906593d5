// Stepping through frames with their camera images (issue 18's target: with six cameras no slower
// than 1.5x stepping the clouds alone). Frames come from make_frame_cache() with
// formats::decode_image, so the images are decoded in the prefetch; the consumer spends a
// realistic time on each frame (100 ms: 10 Hz playback) before asking for the next, which is the
// time the prefetch has to hide the decoding in. Without consumer time the rows show the raw cost.
//
// The sequence is built in a temporary folder: the real KITTI frame of bench_data.hpp written as
// .bin files, and per frame six 1600x900 JPEGs: the six real nuScenes keyframe images from the
// shared data when present (every frame names the same six files; the cache decodes them again
// for each frame), else synthetic ones written here with libjpeg (reported on stderr).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
// jpeglib.h needs FILE and size_t declared first.
#include <jpeglib.h>
#include <cstddef>

#include "bench_data.hpp"
#include "pcanno/formats/datasets/frame_cache.hpp"
#include "pcanno/formats/datasets/image.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "temp_dir.hpp"

namespace pcanno::bench {
namespace {

namespace fs = std::filesystem;
constexpr int kFrames = 40;
const char* const kChannels[6] = {"CAM_FRONT_LEFT", "CAM_FRONT", "CAM_FRONT_RIGHT",
                                  "CAM_BACK_RIGHT", "CAM_BACK",  "CAM_BACK_LEFT"};

/// A 1600x900 street-like picture (sky gradient, textured ground, noise) as a quality-90 JPEG,
/// so that it decodes about as slowly as a camera image.
void write_synthetic_jpeg(const fs::path& path, unsigned seed) {
  const int w = 1600, h = 900;
  std::vector<unsigned char> rgb(std::size_t(w) * h * 3);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> noise(-12, 12);
  for (int v = 0; v < h; ++v) {
    for (int u = 0; u < w; ++u) {
      unsigned char* p = rgb.data() + (std::size_t(v) * w + u) * 3;
      const int base = v < h / 2 ? 150 + v / 8 : 60 + ((u / 7 + v / 5) % 40);
      for (int k = 0; k < 3; ++k)
        p[k] = static_cast<unsigned char>(std::clamp(base + 10 * k + noise(rng), 0, 255));
    }
  }
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return;
  jpeg_compress_struct info;
  jpeg_error_mgr errors;
  info.err = jpeg_std_error(&errors);
  jpeg_create_compress(&info);
  jpeg_stdio_dest(&info, file);
  info.image_width = w;
  info.image_height = h;
  info.input_components = 3;
  info.in_color_space = JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, 90, TRUE);
  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = rgb.data() + std::size_t(info.next_scanline) * w * 3;
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  std::fclose(file);
}

/// The benchmark's sequence, built once: kFrames clouds and six camera images per frame.
struct StepSequence {
  test::TempDir dir{"pcanno_bench_camera_"};
  formats::Sequence sequence;

  StepSequence() {
    const formats::PointCloud& cloud = kitti_frame();
    std::vector<float> xyzi;
    xyzi.reserve(cloud.size() * 4);
    const std::vector<float>* intensity = cloud.attribute("intensity");
    for (std::size_t i = 0; i < cloud.size(); ++i) {
      xyzi.insert(xyzi.end(),
                  {cloud.x[i], cloud.y[i], cloud.z[i], intensity ? (*intensity)[i] : 0.0f});
    }
    const fs::path velodyne = dir.path() / "velodyne";
    fs::create_directories(velodyne);
    std::vector<fs::path> images;
    const fs::path nuscenes =
        fs::path(PCANNO_SHARED_DATA_DIR) / "nuscenes_cameras/v1.0-mini-scene0061/samples";
    for (int c = 0; c < 6; ++c) {
      std::error_code ec;
      fs::path found;
      for (const auto& e : fs::directory_iterator(nuscenes / kChannels[c], ec)) found = e.path();
      if (found.empty()) {
        if (c == 0)
          std::fprintf(stderr,
                       "camera_frame_step_bench: shared data missing, writing synthetic JPEGs\n");
        found = dir.path() / (std::string(kChannels[c]) + ".jpg");
        write_synthetic_jpeg(found, static_cast<unsigned>(c));
      }
      images.push_back(found);
    }
    sequence.layout = "folder";
    sequence.name = "camera_step";
    sequence.root = dir.path();
    sequence.cameras.assign(std::begin(kChannels), std::end(kChannels));
    for (int f = 0; f < kFrames; ++f) {
      char name[32];
      std::snprintf(name, sizeof(name), "%06d.bin", f);
      std::FILE* out = std::fopen((velodyne / name).c_str(), "wb");
      if (out == nullptr) continue;
      std::fwrite(xyzi.data(), sizeof(float), xyzi.size(), out);
      std::fclose(out);
      formats::FrameRef frame;
      frame.cloud_path = velodyne / name;
      frame.format = "kitti-bin";
      frame.name = name;
      for (int c = 0; c < 6; ++c) {
        formats::CameraImage image;
        image.channel = kChannels[c];
        image.path = images[std::size_t(c)];
        image.camera.width = 1600;
        image.camera.height = 900;
        frame.images.push_back(image);
      }
      sequence.frames.push_back(frame);
    }
  }
};

const StepSequence& step_sequence() {
  static const StepSequence s;
  return s;
}

/// Args: cameras decoded per frame (0, 1 or 6), consumer time per frame [ms], loader threads.
/// Reports the step period (wait for the frame + consumer time) as the iteration time, and the
/// wait alone as `wait_ms`.
void BM_FrameStep(benchmark::State& state) {
  const int cameras = static_cast<int>(state.range(0));
  const auto consumer = std::chrono::milliseconds(state.range(1));
  const formats::Sequence& sequence = step_sequence().sequence;
  formats::FrameCacheOptions options;
  options.threads = static_cast<std::size_t>(state.range(2));
  std::vector<std::string> channels;
  if (cameras == 1) channels = {"CAM_FRONT"};  // one camera, as a KITTI layout has
  if (cameras > 1) channels.assign(std::begin(kChannels), std::begin(kChannels) + cameras);
  formats::FrameCache cache = make_frame_cache(
      sequence, options, {},
      cameras > 0 ? formats::file_image_decoder() : formats::ImageDecoder{},
      channels);
  if (!cache.get_frame(0)) {
    state.SkipWithError("frame 0 did not load");
    return;
  }
  std::size_t frame = 0;
  double wait_total = 0.0;
  std::size_t decoded = 0;
  for (auto _ : state) {
    frame = frame + 1 < sequence.size() ? frame + 1 : 1;
    const auto t0 = std::chrono::steady_clock::now();
    auto loaded = cache.get_frame(frame);
    const auto t1 = std::chrono::steady_clock::now();
    if (!loaded) {
      state.SkipWithError("a frame did not load");
      return;
    }
    for (const auto& image : (*loaded)->images) decoded += image != nullptr;
    std::this_thread::sleep_for(consumer);
    const auto t2 = std::chrono::steady_clock::now();
    wait_total += std::chrono::duration<double, std::milli>(t1 - t0).count();
    state.SetIterationTime(std::chrono::duration<double>(t2 - t0).count());
  }
  state.counters["wait_ms"] = wait_total / static_cast<double>(state.iterations());
  state.counters["images_per_frame"] =
      static_cast<double>(decoded) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_FrameStep)
    ->ArgNames({"cameras", "consumer_ms", "threads"})
    ->Args({0, 100, 1})
    ->Args({1, 100, 1})
    ->Args({6, 100, 1})
    ->Args({6, 100, 2})
    ->Args({0, 0, 1})
    ->Args({1, 0, 1})
    ->Args({6, 0, 1})
    ->Args({6, 0, 2})
    ->Iterations(kFrames - 1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pcanno::bench

BENCHMARK_MAIN();
