// Stepping frames in the real workstation window with no camera, one camera and the six nuScenes
// cameras: the step time an annotator feels (frame from the cache, the four 3D views and the camera
// panel repainted), at 10 Hz playback pace. Run under `xvfb-run -a`.
//
// The sequence is the nuScenes scene-0061 keyframe (LiDAR, its six 1600x900 JPEGs and 68 boxes)
// repeated as 30 frames: real image sizes, decode costs and overlay contents on every step. Each
// repeat names its own files (symlinks), so the cache decodes every frame afresh.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <QVTKOpenGLNativeWidget.h>
#include <QApplication>
#include <QSurfaceFormat>
#include <QTest>

#include <benchmark/benchmark.h>

#include "pcanno/plugin/session.hpp"
#include "pcanno/viewer/display_connection.hpp"
#include "pcanno/viewer/workstation/workstation_session.hpp"
#include "pcanno/viewer/workstation/workstation_window.hpp"

namespace {

namespace fs = std::filesystem;
namespace ws = pcanno::viewer::workstation;
using Clock = std::chrono::steady_clock;

constexpr int kFrames = 30;
constexpr int kConsumerMs = 100;  // 10 Hz playback: time spent looking at each frame

const fs::path kScene = fs::path(PCANNO_SHARED_DATA_DIR) / "nuscenes_cameras/v1.0-mini-scene0061";

/// A link to `target` named for repeat `i`, in `dir`.
fs::path repeat(const fs::path& dir, const fs::path& target, int i) {
  const fs::path link = dir / (std::to_string(i) + "_" + target.filename().string());
  std::error_code ec;
  fs::create_symlink(target, link, ec);
  return link;
}

/// The keyframe repeated `kFrames` times with its boxes at every frame; `cameras` keeps that many
/// of the ring's channels (0, 1: CAM_FRONT, 6).
std::unique_ptr<pcanno::plugin::Session> repeated_scene(const fs::path& dir, int cameras,
                                                        std::string& error) {
  ws::WorkstationOptions options;
  options.sequence = kScene;
  auto opened = ws::open_workstation_session(options);
  if (!opened) {
    error = opened.error().describe();
    return nullptr;
  }
  const pcanno::formats::Sequence& source = *(*opened)->sequence();
  pcanno::formats::Annotations doc = (*opened)->document();
  if (source.frames.size() != 1) {
    error = "expected the one keyframe of scene-0061";
    return nullptr;
  }
  pcanno::formats::Sequence seq = source;
  seq.frames.clear();
  const pcanno::formats::FrameRef& key = source.frames.front();
  for (int i = 0; i < kFrames; ++i) {
    pcanno::formats::FrameRef f = key;
    f.name = key.name + "_" + std::to_string(i);
    f.cloud_path = repeat(dir, key.cloud_path, i);
    f.images.clear();
    for (const pcanno::formats::CameraImage& image : key.images) {
      const bool keep = cameras == 6 || (cameras == 1 && image.channel == "CAM_FRONT");
      if (!keep) continue;
      pcanno::formats::CameraImage copy = image;
      copy.path = repeat(dir, image.path, i);
      f.images.push_back(copy);
    }
    seq.frames.push_back(f);
  }
  seq.cameras.clear();
  for (const auto& image : seq.frames.front().images) seq.cameras.push_back(image.channel);
  const pcanno::formats::FrameInfo info = doc.frames.front();
  doc.frames.assign(kFrames, info);
  for (pcanno::formats::Track& track : doc.tracks) {
    const pcanno::formats::BoxState state = track.boxes.front();
    track.boxes.clear();
    for (int i = 0; i < kFrames; ++i) {
      track.boxes.push_back(state);
      track.boxes.back().frame = i;
    }
  }
  return pcanno::plugin::Session::create(std::move(doc), std::move(seq));
}

void BM_WorkstationStep(benchmark::State& state) {
  if (!fs::exists(kScene)) {
    state.SkipWithError(("shared data missing: " + kScene.string()).c_str());
    return;
  }
  const fs::path dir = fs::temp_directory_path() / ("pcanno_step_bench_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  ::setenv("XDG_STATE_HOME", (dir / "state").c_str(), 1);
  std::string error;
  auto session = repeated_scene(dir, static_cast<int>(state.range(0)), error);
  if (!session) {
    state.SkipWithError(error.c_str());
    return;
  }
  {
    ws::WorkstationWindow window(std::move(session));
    window.resize(1600, 1000);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window)) {
      state.SkipWithError("the window was not exposed");
      return;
    }
    QTest::qWait(500);  // first frame drawn, prefetch under way
    int frame = 0;
    for (auto _ : state) {
      frame = (frame + 1) % kFrames;
      const auto start = Clock::now();
      window.set_frame(frame);
      // The views render and the panel paints from the event loop: run it until they have.
      QCoreApplication::processEvents(QEventLoop::AllEvents);
      QCoreApplication::sendPostedEvents();
      QCoreApplication::processEvents(QEventLoop::AllEvents);
      state.SetIterationTime(std::chrono::duration<double>(Clock::now() - start).count());
      QTest::qWait(kConsumerMs);  // the annotator looks; the prefetch works meanwhile
    }
  }
  fs::remove_all(dir);
}

}  // namespace

// Arg: cameras shown (0: none, 1: CAM_FRONT, 6: the ring).
BENCHMARK(BM_WorkstationStep)
    ->Arg(0)
    ->Arg(1)
    ->Arg(6)
    ->UseManualTime()
    ->Iterations(60)
    ->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  QSurfaceFormat::setDefaultFormat(QVTKOpenGLNativeWidget::defaultFormat());
  std::optional<pcanno::viewer::DisplayConnection> display;  // waits out an Xvfb reset for Qt
  if (pcanno::viewer::qt_uses_x11()) display.emplace();
  QApplication app(argc, argv);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
