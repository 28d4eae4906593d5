// All 21 KITTI tracking label files (64 300 rows) to nuScenes datasets and back, each direction
// timed as a whole (parse + convert + write). No open tool writes both formats, so there is no peer
// to run beside; docs/performance.md compares with the 2 s target instead.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <benchmark/benchmark.h>

#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "pcanno/formats/labels/nuscenes/codec.hpp"
#include "temp_dir.hpp"

namespace pcanno::bench {
namespace {

namespace fs = std::filesystem;

const fs::path kTracking = fs::path(PCANNO_SHARED_DATA_DIR) / "kitti_tracking/training";

std::string sequence_name(int s) {
  char name[8];
  std::snprintf(name, sizeof(name), "%04d", s);
  return name;
}

/// A fresh folder for this run, removed at exit.
const fs::path& work_dir() {
  static const test::TempDir dir("pcanno_labels_bench_");
  return dir.path();
}

/// KITTI label_02 text -> annotations -> a nuScenes dataset per sequence.
bool kitti_to_nuscenes(benchmark::State& state) {
  std::size_t boxes = 0;
  for (int s = 0; s <= 20; ++s) {
    const std::string name = sequence_name(s);
    auto annotations =
        formats::read_kitti_tracking_annotations(kTracking / "label_02" / (name + ".txt"));
    if (!annotations) {
      state.SkipWithError(annotations.error().describe().c_str());
      return false;
    }
    formats::LabelContext context;
    context.overwrite = true;
    auto written =
        formats::write_nuscenes_dataset(*annotations, work_dir() / ("nus" + name), context);
    if (!written) {
      state.SkipWithError(written.error().describe().c_str());
      return false;
    }
    boxes += written->boxes_written;
  }
  state.counters["boxes"] = static_cast<double>(boxes);
  return true;
}

/// nuScenes dataset -> annotations -> KITTI label_02 text, with the dataset's poses and KITTI's
/// calibration.
bool nuscenes_to_kitti(benchmark::State& state) {
  for (int s = 0; s <= 20; ++s) {
    const std::string name = sequence_name(s);
    const fs::path dataroot = work_dir() / ("nus" + name);
    auto sequence = formats::open_sequence(dataroot);
    auto calib = formats::read_kitti_calib(kTracking / "calib" / (name + ".txt"));
    if (!sequence || !calib) {
      state.SkipWithError("export or calibration missing");
      return false;
    }
    formats::Calibration calibration;
    calibration.kitti = *calib;
    sequence->calibrations = {calibration};
    for (auto& frame : sequence->frames) frame.calibration = 0;
    formats::LabelContext context;
    context.sequence = &*sequence;
    context.overwrite = true;
    auto annotations = formats::read_nuscenes_annotations(dataroot, context);
    if (!annotations) {
      state.SkipWithError(annotations.error().describe().c_str());
      return false;
    }
    auto written = formats::write_kitti_tracking_annotations(*annotations,
                                                             work_dir() / (name + ".txt"), context);
    if (!written) {
      state.SkipWithError(written.error().describe().c_str());
      return false;
    }
  }
  return true;
}

void BM_Kitti21ToNuscenes(benchmark::State& state) {
  for (auto _ : state) {
    if (!kitti_to_nuscenes(state)) return;
  }
}
BENCHMARK(BM_Kitti21ToNuscenes)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_Nuscenes21ToKitti(benchmark::State& state) {
  if (!kitti_to_nuscenes(state)) return;  // the input datasets, outside the timed loop
  for (auto _ : state) {
    if (!nuscenes_to_kitti(state)) return;
  }
}
BENCHMARK(BM_Nuscenes21ToKitti)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace pcanno::bench

BENCHMARK_MAIN();
