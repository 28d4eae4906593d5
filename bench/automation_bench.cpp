// Automation on KITTI tracking 0000 (frames 0-19, official ground truth): one-click fit (and its
// region growing beside a k-d tree search with Open3D's FLANN), one
// propagation step, one ego-motion registration (beside Open3D's point-to-plane ICP on the same
// thinned scans when Open3D is built in), and the whole of `pcanno track` in process. Needs the
// shared data; without it the benchmarks report an error and are skipped.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <optional>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/geometry/box_fit.hpp"
#include "pcanno/geometry/ground.hpp"
#include "pcanno/geometry/points_in_cuboid.hpp"
#include "pcanno/plugin/automation/ego_motion.hpp"
#include "pcanno/plugin/automation/propagation.hpp"
#include "pcanno/plugin/automation/track_completion.hpp"
#include "pcanno/plugin/registry.hpp"

#ifdef PCANNO_BENCH_WITH_OPEN3D
#include <open3d/geometry/KDTreeFlann.h>
#include <open3d/geometry/PointCloud.h>
#include <open3d/pipelines/registration/Registration.h>
#endif

namespace pcanno::bench {
namespace {

namespace fs = std::filesystem;

const fs::path& root() {
  static const fs::path r = fs::path(PCANNO_SHARED_DATA_DIR) / "kitti_tracking/training";
  return r;
}

struct Data {
  formats::Sequence sequence;  ///< with estimated poses
  formats::Annotations truth;  ///< cropped to the frames with clouds
};

/// The sequence with poses and the ground truth, loaded once; nullptr without the shared data.
const Data* data() {
  static const std::optional<Data> d = []() -> std::optional<Data> {
    formats::SequenceOptions options;
    options.name = "0000";
    auto seq = formats::open_sequence(root(), options);
    if (!seq) return std::nullopt;
    if (!plugin::ensure_poses(*seq, plugin::EgoMotionOptions{})) return std::nullopt;
    const plugin::Registry registry = plugin::Registry::with_builtins();
    const fs::path labels = root() / "label_02/0000.txt";
    auto codec = registry.codecs().select(labels, "");
    if (!codec) return std::nullopt;
    auto gt = (*codec)->read(labels, formats::LabelContext{});
    if (!gt) return std::nullopt;
    plugin::crop_to_frames(*gt, seq->size());
    return Data{std::move(*seq), std::move(*gt)};
  }();
  return d ? &*d : nullptr;
}

/// The box of `track` at `frame` in the world frame.
geometry::Cuboid world_box(const Data& d, std::int64_t track, std::int64_t frame) {
  for (const formats::Track& t : d.truth.tracks) {
    if (t.id != track) continue;
    const formats::BoxState* b = t.at(frame);
    if (b == nullptr) break;
    if (b->shape_frame == formats::ShapeFrame::kWorld) return b->box;
    return geometry::transform(*d.sequence.frames[static_cast<std::size_t>(frame)].T_world_lidar,
                               b->box);
  }
  return {};
}

void BM_FitCar(benchmark::State& state) {
  const Data* d = data();
  if (d == nullptr) return state.SkipWithError("no shared KITTI data");
  auto cloud = d->sequence.load_frame(0);
  if (!cloud) return state.SkipWithError("frame 0 unreadable");
  const geometry::PointView view = cloud->cloud.view();
  const auto ground = geometry::GroundModel::fit(view);
  if (!ground) return state.SkipWithError("no ground");
  // Track 0, the van nearest to the sensor in frame 0: the densest vehicle of the sequence.
  const formats::BoxState* van = d->truth.tracks.front().at(0);
  const std::size_t points = geometry::points_in_cuboid(view, van->box).size();
  geometry::FitOptions options;
  options.size_prior = Eigen::Vector3d(5.0, 2.0, 2.1);
  options.object_kind = geometry::ObjectKind::kVehicle;
  const Eigen::Vector3d seed = van->box.center + Eigen::Vector3d(0.3, -0.2, 0.0);
  for (auto _ : state) benchmark::DoNotOptimize(geometry::fit_box(view, *ground, seed, options));
  state.counters["object_points"] = static_cast<double>(points);
}
BENCHMARK(BM_FitCar)->Unit(benchmark::kMicrosecond);

/// The cut at the seed at its dearest: the same van clicked as a pedestrian, so that its whole
/// dense component is larger than the class and every placement of a person's footprint is tried.
void BM_FitCutAtTheSeed(benchmark::State& state) {
  const Data* d = data();
  if (d == nullptr) return state.SkipWithError("no shared KITTI data");
  auto cloud = d->sequence.load_frame(0);
  if (!cloud) return state.SkipWithError("frame 0 unreadable");
  const geometry::PointView view = cloud->cloud.view();
  const auto ground = geometry::GroundModel::fit(view);
  if (!ground) return state.SkipWithError("no ground");
  const formats::BoxState* van = d->truth.tracks.front().at(0);
  geometry::FitOptions options;
  options.size_prior = Eigen::Vector3d(0.8, 0.7, 1.75);
  options.object_kind = geometry::ObjectKind::kPedestrian;
  const Eigen::Vector3d seed = van->box.center + Eigen::Vector3d(0.3, -0.2, 0.0);
  const auto probe = geometry::fit_box(view, *ground, seed, options);
  if (!probe || !probe->cut_to_prior) return state.SkipWithError("the van was not cut");
  for (auto _ : state) benchmark::DoNotOptimize(geometry::fit_box(view, *ground, seed, options));
}
BENCHMARK(BM_FitCutAtTheSeed)->Unit(benchmark::kMicrosecond);

/// The fit's region-growing input: the points of frame 0 within 5 m (bird's-eye view) of the van
/// and 0.15-4 m above the ground, and the point nearest to the seed.
struct ClusterInput {
  std::vector<Eigen::Vector3d> points;
  Eigen::Vector3d seed = Eigen::Vector3d::Zero();
  std::size_t start = 0;
};

const ClusterInput* cluster_input() {
  static const std::optional<ClusterInput> input = []() -> std::optional<ClusterInput> {
    const Data* d = data();
    if (d == nullptr) return std::nullopt;
    auto cloud = d->sequence.load_frame(0);
    if (!cloud) return std::nullopt;
    const geometry::PointView view = cloud->cloud.view();
    const auto ground = geometry::GroundModel::fit(view);
    if (!ground) return std::nullopt;
    ClusterInput in;
    in.seed = d->truth.tracks.front().at(0)->box.center;
    for (std::size_t i = 0; i < view.size; ++i) {
      const Eigen::Vector3d p(view.x[i * view.stride], view.y[i * view.stride],
                              view.z[i * view.stride]);
      const double h = ground->height_above(p);
      if ((p - in.seed).head<2>().norm() > 5.0 || h < 0.15 || h > 4.0) continue;
      if ((p - in.seed).head<2>().squaredNorm() <
          (in.points.empty() ? 1e300 : (in.points[in.start] - in.seed).head<2>().squaredNorm())) {
        in.start = in.points.size();
      }
      in.points.push_back(p);
    }
    return in;
  }();
  return input ? &*input : nullptr;
}

constexpr double kClusterRadius = 0.5;  ///< FitOptions::cluster_radius

void BM_RegionGrowing_pcanno(benchmark::State& state) {
  const ClusterInput* in = cluster_input();
  if (in == nullptr) return state.SkipWithError("no shared KITTI data");
  std::size_t size = 0;
  for (auto _ : state) {
    size = geometry::grow_cluster(in->points, in->seed, kClusterRadius).size();
    benchmark::DoNotOptimize(size);
  }
  state.counters["candidates"] = static_cast<double>(in->points.size());
  state.counters["cluster"] = static_cast<double>(size);
}
BENCHMARK(BM_RegionGrowing_pcanno)->Unit(benchmark::kMicrosecond);

#ifdef PCANNO_BENCH_WITH_OPEN3D
/// The textbook way: a k-d tree (Open3D's, FLANN) and a breadth-first search of radius queries,
/// tree construction included as grow_cluster includes its grid.
void BM_RegionGrowing_open3d_kdtree(benchmark::State& state) {
  const ClusterInput* in = cluster_input();
  if (in == nullptr) return state.SkipWithError("no shared KITTI data");
  const open3d::geometry::PointCloud cloud(in->points);
  std::size_t size = 0;
  for (auto _ : state) {
    const open3d::geometry::KDTreeFlann tree(cloud);
    std::vector<bool> taken(in->points.size(), false);
    std::vector<std::size_t> queue{in->start};
    taken[in->start] = true;
    std::vector<int> found;
    std::vector<double> d2;
    for (std::size_t head = 0; head < queue.size(); ++head) {
      tree.SearchRadius(in->points[queue[head]], kClusterRadius, found, d2);
      for (const int j : found) {
        if (taken[static_cast<std::size_t>(j)]) continue;
        taken[static_cast<std::size_t>(j)] = true;
        queue.push_back(static_cast<std::size_t>(j));
      }
    }
    size = queue.size();
    benchmark::DoNotOptimize(size);
  }
  state.counters["candidates"] = static_cast<double>(in->points.size());
  state.counters["cluster"] = static_cast<double>(size);
}
BENCHMARK(BM_RegionGrowing_open3d_kdtree)->Unit(benchmark::kMicrosecond);
#endif

void BM_PropagateStep(benchmark::State& state) {
  const Data* d = data();
  if (d == nullptr) return state.SkipWithError("no shared KITTI data");
  const std::int64_t track = state.range(0);
  std::size_t steps = 0;
  for (auto _ : state) {
    state.PauseTiming();
    // Clouds are read before timing: the step, not the disk, is measured.
    plugin::SequenceClouds clouds(d->sequence, 20);
    for (std::int64_t f = 0; f < 20; ++f) clouds.get(f);
    state.ResumeTiming();
    auto r = plugin::propagate_box(clouds, 0, world_box(*d, track, 0), 19);
    if (!r) return state.SkipWithError(r.error().message.c_str());
    steps += r->boxes.size();
  }
  state.counters["steps"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kAvgIterations);
}
// Track 0 is the van, track 1 the cyclist.
BENCHMARK(BM_PropagateStep)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

std::vector<Eigen::Vector3d> thinned(const Data& d, std::size_t frame) {
  auto cloud = d.sequence.load_frame(frame);
  return cloud ? geometry::voxel_downsample(cloud->cloud.view(), 0.5, 60.0)
               : std::vector<Eigen::Vector3d>{};
}

void BM_EgoMotionPair_pcanno(benchmark::State& state) {
  const Data* d = data();
  if (d == nullptr) return state.SkipWithError("no shared KITTI data");
  const auto previous = thinned(*d, 4);
  for (auto _ : state) {
    // Thinning is part of each pair's cost: every new scan is thinned once.
    const auto current = thinned(*d, 5);
    benchmark::DoNotOptimize(
        geometry::register_point_to_plane(current, previous, geometry::Pose::Identity()));
  }
}
BENCHMARK(BM_EgoMotionPair_pcanno)->Unit(benchmark::kMillisecond);

#ifdef PCANNO_BENCH_WITH_OPEN3D
void BM_EgoMotionPair_open3d(benchmark::State& state) {
  const Data* d = data();
  if (d == nullptr) return state.SkipWithError("no shared KITTI data");
  open3d::geometry::PointCloud target(thinned(*d, 4));
  target.EstimateNormals(open3d::geometry::KDTreeSearchParamHybrid(1.0, 30));
  for (auto _ : state) {
    open3d::geometry::PointCloud source(thinned(*d, 5));
    benchmark::DoNotOptimize(open3d::pipelines::registration::RegistrationICP(
        source, target, 1.0, Eigen::Matrix4d::Identity(),
        open3d::pipelines::registration::TransformationEstimationPointToPlane(),
        open3d::pipelines::registration::ICPConvergenceCriteria(1e-6, 1e-6, 40)));
  }
}
BENCHMARK(BM_EgoMotionPair_open3d)->Unit(benchmark::kMillisecond);

/// The same, with the target's normals estimated in the loop as BM_EgoMotionPair_pcanno does:
/// along a sequence every scan is the target once, so each frame pays for its normals once.
void BM_EgoMotionPair_open3d_normals(benchmark::State& state) {
  const Data* d = data();
  if (d == nullptr) return state.SkipWithError("no shared KITTI data");
  const std::vector<Eigen::Vector3d> previous = thinned(*d, 4);
  for (auto _ : state) {
    open3d::geometry::PointCloud source(thinned(*d, 5));
    open3d::geometry::PointCloud target(previous);
    target.EstimateNormals(open3d::geometry::KDTreeSearchParamHybrid(1.0, 30));
    benchmark::DoNotOptimize(open3d::pipelines::registration::RegistrationICP(
        source, target, 1.0, Eigen::Matrix4d::Identity(),
        open3d::pipelines::registration::TransformationEstimationPointToPlane(),
        open3d::pipelines::registration::ICPConvergenceCriteria(1e-6, 1e-6, 40)));
  }
}
BENCHMARK(BM_EgoMotionPair_open3d_normals)->Unit(benchmark::kMillisecond);
#endif

void BM_TrackSequence(benchmark::State& state) {
  const Data* d = data();
  if (d == nullptr) return state.SkipWithError("no shared KITTI data");
  for (auto _ : state) {
    // What `pcanno track --keyframes-every 10 --method auto` computes, ego motion included.
    formats::Sequence seq = d->sequence;
    for (formats::FrameRef& f : seq.frames) f.T_world_lidar.reset();
    if (!plugin::ensure_poses(seq, plugin::EgoMotionOptions{})) {
      return state.SkipWithError("ego motion failed");
    }
    formats::Annotations doc = d->truth;
    plugin::keep_keyframes_every(doc, 10);
    benchmark::DoNotOptimize(plugin::complete_tracks(doc, seq, plugin::CompletionOptions{}));
  }
}
BENCHMARK(BM_TrackSequence)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace pcanno::bench

BENCHMARK_MAIN();
