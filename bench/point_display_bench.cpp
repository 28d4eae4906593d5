// Accumulating 10 frames of 120k points into the current frame through the world frame (issue 19:
// at most 30 ms), beside the naive way: a per-point Eigen transform in double with push_back into
// fresh vectors. Frames come from a FrameCache that already holds them (the workstation's
// prefetch), so the disk is not measured.
#include <chrono>
#include <cmath>

#include <benchmark/benchmark.h>

#include "bench_data.hpp"
#include "pcanno/plugin/display/point_display.hpp"

namespace pcanno::bench {
namespace {

constexpr int kFrames = 11;  ///< the current frame and 10 past ones
constexpr std::size_t kPoints = 120'000;

/// The real KITTI frame cut to 120k points, the same for every frame (only the poses differ).
const formats::PointCloud& frame_points() {
  static const formats::PointCloud cloud = [] {
    formats::PointCloud c = kitti_frame();
    c.resize(std::min(kPoints, c.size()));
    return c;
  }();
  return cloud;
}

geometry::Pose pose_of(int k) {  // 1 m and 1 degree per frame
  geometry::Pose T = geometry::Pose::Identity();
  T.linear() = Eigen::AngleAxisd(k * M_PI / 180, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  T.translation() = Eigen::Vector3d(1.0 * k, 0.1 * k, 0.0);
  return T;
}

struct Fixture {
  formats::FrameCache cache{static_cast<std::size_t>(kFrames),
                            [](std::size_t, const std::atomic<bool>&)
                                -> formats::Expected<formats::PointCloud> { return frame_points(); },
                            [] {
                              formats::FrameCacheOptions o;
                              o.threads = 0;
                              return o;
                            }()};
  plugin::DisplaySource source;
  Fixture() {
    source.frames = &cache;
    for (int k = 0; k < kFrames; ++k) {
      source.T_world_lidar.push_back(pose_of(k));
      (void)cache.get(static_cast<std::size_t>(k));  // all cached, as after the prefetch
    }
  }
};

void BM_Accumulate10Frames_pcanno(benchmark::State& state) {
  Fixture f;
  plugin::PointDisplay display;
  plugin::DisplayOptions options;
  options.past = kFrames - 1;
  std::size_t points = 0;
  for (auto _ : state) {
    auto built = display.build(f.source, kFrames - 1, options);
    if (!built) state.SkipWithError(built.error().describe().c_str());
    points = (*built)->size();
    benchmark::DoNotOptimize(points);
  }
  state.counters["points"] = static_cast<double>(points);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(points));
}
BENCHMARK(BM_Accumulate10Frames_pcanno)->Unit(benchmark::kMillisecond);

/// The textbook version: each point to Eigen double, through the pose, pushed into new vectors.
void BM_Accumulate10Frames_naive_eigen_push_back(benchmark::State& state) {
  Fixture f;
  std::size_t points = 0;
  for (auto _ : state) {
    formats::PointCloud out;
    std::vector<float> offset;
    const geometry::Pose T_now_world = f.source.T_world_lidar.back()->inverse();
    for (int k = 0; k < kFrames; ++k) {
      auto cloud = f.cache.get(static_cast<std::size_t>(k));
      const geometry::Pose T = T_now_world * *f.source.T_world_lidar[static_cast<std::size_t>(k)];
      const formats::PointCloud& in = **cloud;
      for (std::size_t i = 0; i < in.size(); ++i) {
        const Eigen::Vector3d p = T * Eigen::Vector3d(in.x[i], in.y[i], in.z[i]);
        out.x.push_back(static_cast<float>(p.x()));
        out.y.push_back(static_cast<float>(p.y()));
        out.z.push_back(static_cast<float>(p.z()));
        offset.push_back(static_cast<float>(k - (kFrames - 1)));
      }
    }
    points = out.size();
    benchmark::DoNotOptimize(out.x.data());
    benchmark::DoNotOptimize(offset.data());
  }
  state.counters["points"] = static_cast<double>(points);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(points));
}
BENCHMARK(BM_Accumulate10Frames_naive_eigen_push_back)->Unit(benchmark::kMillisecond);

/// With the ground hidden (ground models cached per frame after the first build) and a focus
/// box: what the workstation does while an annotator looks at a sparse object.
void BM_Accumulate10FramesHideGroundFocus_pcanno(benchmark::State& state) {
  Fixture f;
  formats::Annotations doc;
  formats::Track t;
  t.id = 1;
  formats::BoxState s;
  s.frame = kFrames - 1;
  s.box = geometry::Cuboid::from_yaw(Eigen::Vector3d(10, 2, -0.8), Eigen::Vector3d(4, 2, 1.6), 0.2);
  t.boxes.push_back(s);
  doc.tracks.push_back(t);
  f.source.document = &doc;
  plugin::PointDisplay display;
  plugin::DisplayOptions options;
  options.past = kFrames - 1;
  options.hide_ground = true;
  options.focus_track = 1;
  // The first build fits each frame's ground model (reported apart); the views then rebuild
  // with the models kept.
  const auto fit_start = std::chrono::steady_clock::now();
  (void)display.build(f.source, kFrames - 1, options);
  state.counters["first_build_ms"] =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - fit_start)
          .count();
  std::size_t points = 0;
  for (auto _ : state) {
    auto built = display.build(f.source, kFrames - 1, options);
    if (!built) state.SkipWithError(built.error().describe().c_str());
    points = (*built)->size();
    benchmark::DoNotOptimize(points);
  }
  state.counters["points"] = static_cast<double>(points);
}
BENCHMARK(BM_Accumulate10FramesHideGroundFocus_pcanno)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pcanno::bench

BENCHMARK_MAIN();
