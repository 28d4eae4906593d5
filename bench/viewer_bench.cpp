// The viewer against a naive VTK pipeline (points copied into vtkPoints and a vtkVertexGlyphFilter
// rebuilt on every frame), in the same run, offscreen on whatever OpenGL the X display offers
// (Mesa llvmpipe under xvfb-run). KITTI tracking 0000 from the shared data (20 frames of ~120k
// points), else the 5 sample_data frames. Needs an X display: `xvfb-run -a`.
//
//   next_frame/*   frame change to rendered image: FrameCache (prefetch) + set_cloud + Render
//   orbit/*        one orbit step (2 degrees azimuth) rendered, at 120k, 1M and 4M points; the 4M
//                  cloud also with the level of detail the view switches to while the camera moves
//   scroll_rss/*   resident memory after scrolling 500 frames through a 16 MiB FrameCache
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkFloatArray.h>
#include <vtkOpenGLRenderWindow.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkVertexGlyphFilter.h>

#include "pcanno/formats/datasets/frame_cache.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/viewer/camera.hpp"
#include "pcanno/viewer/display_connection.hpp"
#include "pcanno/viewer/scene_renderer.hpp"

namespace pcanno::bench {
namespace {

namespace fs = std::filesystem;
template <class T>
using Ptr = vtkSmartPointer<T>;

constexpr int kWidth = 1280, kHeight = 800;

const formats::Sequence* sequence() {
  static const std::optional<formats::Sequence> seq = []() -> std::optional<formats::Sequence> {
    for (const fs::path& root : {fs::path(PCANNO_SHARED_DATA_DIR) / "kitti_tracking/training",
                                 fs::path(PCANNO_SAMPLE_DATA_DIR) / "kitti_tracking/training"}) {
      formats::SequenceOptions options;
      options.name = "0000";
      if (auto s = formats::open_sequence(root, options)) {
        std::fprintf(stderr, "viewer_bench: %s, %zu frames\n", root.c_str(), s->size());
        return std::move(*s);
      }
    }
    return std::nullopt;
  }();
  return seq ? &*seq : nullptr;
}

std::size_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

/// An offscreen window with one renderer; the display connection outlives the window.
struct Window {
  viewer::DisplayConnection display;
  Ptr<vtkRenderWindow> window;
  Ptr<vtkRenderer> renderer = Ptr<vtkRenderer>::New();

  Window() {
    if (!display.ok()) return;
    window = Ptr<vtkRenderWindow>::New();
    window->SetDisplayId(display.display());
    window->SetOffScreenRendering(1);
    window->SetMultiSamples(0);
    window->SetSize(kWidth, kHeight);
    window->AddRenderer(renderer);
    viewer::apply_camera(
        viewer::make_camera(plugin::ViewKind::kPerspective, Eigen::Vector3d(10, 0, 0), 60.0),
        renderer->GetActiveCamera());
  }
  ~Window() {
    if (window) window->Finalize();
  }
  // The frame is on screen (llvmpipe renders lazily: wait for it).
  void render() {
    renderer->ResetCameraClippingRange();
    window->Render();
    window->WaitForCompletion();
  }
};

/// The naive pipeline: every frame copied point by point into new vtkPoints, intensity copied,
/// and a new vtkVertexGlyphFilter making the vertex cells.
struct NaiveScene {
  Ptr<vtkPolyDataMapper> mapper = Ptr<vtkPolyDataMapper>::New();
  Ptr<vtkActor> actor = Ptr<vtkActor>::New();
  Ptr<vtkVertexGlyphFilter> glyph;

  explicit NaiveScene(vtkRenderer* renderer) {
    actor->SetMapper(mapper);
    actor->GetProperty()->SetPointSize(2.0f);
    actor->GetProperty()->LightingOff();
    renderer->AddActor(actor);
  }
  void set_cloud(const formats::PointCloud& cloud) {
    auto points = Ptr<vtkPoints>::New();
    points->SetNumberOfPoints(static_cast<vtkIdType>(cloud.size()));
    for (std::size_t i = 0; i < cloud.size(); ++i) {
      points->SetPoint(static_cast<vtkIdType>(i), cloud.x[i], cloud.y[i], cloud.z[i]);
    }
    auto intensity = Ptr<vtkFloatArray>::New();
    if (const auto* column = cloud.attribute("intensity")) {
      intensity->SetNumberOfTuples(static_cast<vtkIdType>(column->size()));
      std::copy(column->begin(), column->end(), intensity->GetPointer(0));
    }
    auto pd = Ptr<vtkPolyData>::New();
    pd->SetPoints(points);
    pd->GetPointData()->SetScalars(intensity);
    glyph = Ptr<vtkVertexGlyphFilter>::New();
    glyph->SetInputData(pd);
    mapper->SetInputConnection(glyph->GetOutputPort());
    mapper->SetScalarRange(0.0, 1.0);
  }
};

formats::FrameCache make_cache(std::size_t max_bytes, bool prefetch) {
  formats::FrameCacheOptions options;
  options.max_bytes = max_bytes;
  options.threads = prefetch ? 1 : 0;
  return formats::make_frame_cache(*sequence(), options);
}

/// `copies` copies of `cloud`, each shifted, for clouds bigger than a KITTI frame.
std::shared_ptr<const formats::PointCloud> replicated(const formats::PointCloud& cloud,
                                                      int copies) {
  auto out = std::make_shared<formats::PointCloud>();
  out->add_attribute("intensity");
  out->resize(cloud.size() * copies);
  const std::vector<float>& in_i = *cloud.attribute("intensity");
  std::vector<float>& out_i = *out->attribute("intensity");
  for (int c = 0; c < copies; ++c) {
    const float dx = 0.05f * (c % 8), dy = 0.05f * (c / 8), dz = 0.02f * c;
    const std::size_t o = c * cloud.size();
    for (std::size_t i = 0; i < cloud.size(); ++i) {
      out->x[o + i] = cloud.x[i] + dx;
      out->y[o + i] = cloud.y[i] + dy;
      out->z[o + i] = cloud.z[i] + dz;
      out_i[o + i] = in_i[i];
    }
  }
  return out;
}

bool ready(benchmark::State& state, const Window& w) {
  if (sequence() == nullptr) {
    state.SkipWithError("no KITTI sequence (shared data or sample_data)");
    return false;
  }
  if (!w.display.ok()) {
    state.SkipWithError(("no X display: " + w.display.error() + "; run under xvfb-run -a").c_str());
    return false;
  }
  return true;
}

// ---- next frame -------------------------------------------------------------------------------

void next_frame_pcanno(benchmark::State& state, bool prefetch) {
  Window w;
  if (!ready(state, w)) return;
  formats::FrameCache cache = make_cache(std::size_t{256} << 20, prefetch);
  viewer::SceneRenderer scene(w.renderer);
  std::size_t frame = 0, points = 0;
  for (auto _ : state) {
    auto cloud = cache.get(frame);
    if (!cloud) {
      state.SkipWithError(cloud.error().describe().c_str());
      return;
    }
    points = (*cloud)->size();
    scene.set_cloud(*cloud);
    w.render();
    frame = (frame + 1) % cache.frame_count();
  }
  state.counters["points"] = static_cast<double>(points);
}

void BM_NextFrame_Pcanno(benchmark::State& state) { next_frame_pcanno(state, true); }
void BM_NextFrame_PcannoNoPrefetch(benchmark::State& state) { next_frame_pcanno(state, false); }

void BM_NextFrame_NaiveVertexGlyph(benchmark::State& state) {
  Window w;
  if (!ready(state, w)) return;
  formats::FrameCache cache = make_cache(std::size_t{256} << 20, true);
  NaiveScene scene(w.renderer);
  std::size_t frame = 0;
  for (auto _ : state) {
    auto cloud = cache.get(frame);
    if (!cloud) {
      state.SkipWithError(cloud.error().describe().c_str());
      return;
    }
    scene.set_cloud(**cloud);
    w.render();
    frame = (frame + 1) % cache.frame_count();
  }
}

// The CPU side of a frame change alone (what runs before the GPU upload): pcanno swaps array
// pointers; the naive pipeline copies the points and runs the glyph filter.
void BM_FrameSwap_Pcanno(benchmark::State& state) {
  Window w;
  if (!ready(state, w)) return;
  formats::FrameCache cache = make_cache(std::size_t{256} << 20, false);
  std::vector<formats::FrameCache::FramePtr> frames;
  for (std::size_t i = 0; i < cache.frame_count(); ++i) frames.push_back(*cache.get(i));
  viewer::SceneRenderer scene(w.renderer);
  std::size_t frame = 0;
  for (auto _ : state) {
    scene.set_cloud(frames[frame]);
    benchmark::DoNotOptimize(scene.cloud_polydata()->GetNumberOfPoints());
    frame = (frame + 1) % frames.size();
  }
}

void BM_FrameSwap_NaiveVertexGlyph(benchmark::State& state) {
  Window w;
  if (!ready(state, w)) return;
  formats::FrameCache cache = make_cache(std::size_t{256} << 20, false);
  std::vector<formats::FrameCache::FramePtr> frames;
  for (std::size_t i = 0; i < cache.frame_count(); ++i) frames.push_back(*cache.get(i));
  NaiveScene scene(w.renderer);
  std::size_t frame = 0;
  for (auto _ : state) {
    scene.set_cloud(*frames[frame]);
    scene.glyph->Update();  // what the mapper would run on the next render
    frame = (frame + 1) % frames.size();
  }
}

// ---- orbit ------------------------------------------------------------------------------------

void orbit(benchmark::State& state, vtkRenderer* renderer, Window& w) {
  w.render();  // upload outside the timing
  for (auto _ : state) {
    renderer->GetActiveCamera()->Azimuth(2.0);
    w.render();
  }
  state.counters["fps"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_Orbit_Pcanno(benchmark::State& state) {
  Window w;
  if (!ready(state, w)) return;
  auto frame0 = sequence()->load_frame(0);
  auto cloud = replicated(frame0->cloud, static_cast<int>(state.range(0)));
  viewer::SceneStyle style;
  style.point_size = static_cast<float>(state.range(2));
  viewer::SceneRenderer scene(w.renderer, style);
  scene.set_cloud(cloud);
  scene.set_interacting(state.range(1) != 0);
  state.counters["points"] = static_cast<double>(cloud->size());
  state.counters["lod"] = scene.lod_active() ? 1.0 : 0.0;
  orbit(state, w.renderer, w);
}

void BM_Orbit_NaiveVertexGlyph(benchmark::State& state) {
  Window w;
  if (!ready(state, w)) return;
  auto frame0 = sequence()->load_frame(0);
  auto cloud = replicated(frame0->cloud, static_cast<int>(state.range(0)));
  NaiveScene scene(w.renderer);
  scene.set_cloud(*cloud);
  state.counters["points"] = static_cast<double>(cloud->size());
  orbit(state, w.renderer, w);
}

// ---- memory after scrolling -------------------------------------------------------------------

template <class Scene>
void scroll_rss(benchmark::State& state) {
  Window w;
  if (!ready(state, w)) return;
  for (auto _ : state) {
    // 16 MiB holds about 8 KITTI frames: scrolling 20 frames back and forth keeps evicting.
    formats::FrameCache cache = make_cache(std::size_t{16} << 20, true);
    Scene scene(w.renderer);
    const std::size_t n = cache.frame_count();
    std::size_t after_first_cycle = 0;
    for (std::size_t step = 0; step < 500; ++step) {
      // Back and forth through the sequence, as a person scrubbing the timeline does.
      const std::size_t cycle = step / n, i = step % n;
      const std::size_t frame = cycle % 2 == 0 ? i : n - 1 - i;
      auto cloud = cache.get(frame);
      if (!cloud) {
        state.SkipWithError(cloud.error().describe().c_str());
        return;
      }
      if constexpr (std::is_same_v<Scene, viewer::SceneRenderer>) {
        scene.set_cloud(*cloud);
      } else {
        scene.set_cloud(**cloud);
      }
      w.render();
      if (step + 1 == n) after_first_cycle = rss_bytes();
    }
    const double mib = 1024.0 * 1024.0;
    state.counters["rss_after_500_MiB"] = rss_bytes() / mib;
    state.counters["growth_after_first_pass_MiB"] =
        (static_cast<double>(rss_bytes()) - static_cast<double>(after_first_cycle)) / mib;
    state.counters["cache_MiB"] = cache.bytes() / mib;
  }
}

void BM_ScrollRss_Pcanno(benchmark::State& state) { scroll_rss<viewer::SceneRenderer>(state); }
void BM_ScrollRss_NaiveVertexGlyph(benchmark::State& state) { scroll_rss<NaiveScene>(state); }

}  // namespace

BENCHMARK(BM_NextFrame_Pcanno)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_NextFrame_PcannoNoPrefetch)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);
BENCHMARK(BM_NextFrame_NaiveVertexGlyph)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);
BENCHMARK(BM_FrameSwap_Pcanno)->Unit(benchmark::kMicrosecond)->MinTime(1.0);
BENCHMARK(BM_FrameSwap_NaiveVertexGlyph)->Unit(benchmark::kMicrosecond)->MinTime(1.0);
// Args: copies of the 120k frame (0: empty scene, the fixed cost of a frame; 1, 8 ~ 1M, 32 ~ 4M),
// camera moving (level of detail) or not, point size [px].
BENCHMARK(BM_Orbit_Pcanno)
    ->Args({0, 0, 2})
    ->Args({1, 0, 2})
    ->Args({1, 0, 1})
    ->Args({8, 0, 2})
    ->Args({32, 0, 2})
    ->Args({32, 1, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);
BENCHMARK(BM_Orbit_NaiveVertexGlyph)
    ->Args({1})
    ->Args({8})
    ->Args({32})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);
BENCHMARK(BM_ScrollRss_Pcanno)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_ScrollRss_NaiveVertexGlyph)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

}  // namespace pcanno::bench

BENCHMARK_MAIN();
