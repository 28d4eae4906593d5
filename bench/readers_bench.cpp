// Point-cloud readers beside PCL, Open3D and a plain fread of the same bytes, on real KITTI-sized
// files. Files the shared data lacks (binary PCD, binary PLY of the KITTI frame) are written once
// by PCL into a temporary folder, so every reader parses the same points.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <vector>

#include <benchmark/benchmark.h>
#include <open3d/geometry/PointCloud.h>
#include <open3d/io/PointCloudIO.h>
#include <pcl/io/pcd_io.h>
#include <pcl/io/ply_io.h>
#include <pcl/point_types.h>

#include "pcanno/formats/clouds/raw_bin.hpp"
#include "pcanno/formats/clouds/reader.hpp"
#include "temp_dir.hpp"

namespace pcanno::bench {
namespace {

namespace fs = std::filesystem;

const fs::path kShared = PCANNO_SHARED_DATA_DIR;

struct Files {
  fs::path kitti_bin, nuscenes_bin, pcd_binary, pcd_compressed, ply_binary;
};

/// Paths of the benchmark inputs; the derived ones are made with PCL from the real KITTI frame.
const Files& files() {
  static const Files f = [] {
    Files out;
    out.kitti_bin = kShared / "kitti_tracking/training/velodyne/0000/000000.bin";
    out.nuscenes_bin = kShared /
                       "nuscenes/v1.0-mini-scene0061/samples/LIDAR_TOP/"
                       "n015-2018-07-24-11-22-45+0800__LIDAR_TOP__1532402927647951.pcd.bin";
    out.pcd_compressed = kShared / "pcd/kitti_trk0000_f000000_binary_compressed.pcd";
    out.ply_binary = kShared / "ply/kitti_trk0000_f000000_binary_from_pcl.ply";
    static const test::TempDir tmp("pcanno_readers_bench_");  // removed at exit
    out.pcd_binary = tmp.path() / "kitti_trk0000_f000000_binary.pcd";
    pcl::PointCloud<pcl::PointXYZI> cloud;
    if (pcl::io::loadPCDFile(out.pcd_compressed.string(), cloud) == 0) {
      pcl::io::savePCDFileBinary(out.pcd_binary.string(), cloud);
    } else {
      std::cerr << "bench: shared data missing (" << out.pcd_compressed
                << "); file benchmarks will fail\n";
    }
    return out;
  }();
  return f;
}

void report(benchmark::State& state, std::size_t points, const fs::path& file) {
  std::error_code ec;
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(fs::file_size(file, ec)));
  state.counters["points"] = static_cast<double>(points);
}

// ---- baselines and pcanno -----------------------------------------------------------------------

void read_with_fread(benchmark::State& state, const fs::path& file) {
  std::vector<char> buffer;
  for (auto _ : state) {
    std::FILE* f = std::fopen(file.c_str(), "rb");
    if (f == nullptr) {
      state.SkipWithError("cannot open file");
      return;
    }
    std::fseek(f, 0, SEEK_END);
    buffer.resize(static_cast<std::size_t>(std::ftell(f)));
    std::fseek(f, 0, SEEK_SET);
    benchmark::DoNotOptimize(std::fread(buffer.data(), 1, buffer.size(), f));
    std::fclose(f);
  }
  report(state, 0, file);
}

void read_with_pcanno(benchmark::State& state, const fs::path& file) {
  std::size_t points = 0;
  for (auto _ : state) {
    auto cloud = formats::read_cloud(file);
    if (!cloud) {
      state.SkipWithError(cloud.error().describe().c_str());
      return;
    }
    points = cloud->cloud.size();
    benchmark::DoNotOptimize(cloud->cloud.x.data());
  }
  report(state, points, file);
}

void read_with_pcl_pcd(benchmark::State& state, const fs::path& file) {
  std::size_t points = 0;
  for (auto _ : state) {
    pcl::PointCloud<pcl::PointXYZI> cloud;
    if (pcl::io::loadPCDFile(file.string(), cloud) != 0) {
      state.SkipWithError("PCL failed to read the file");
      return;
    }
    points = cloud.size();
    benchmark::DoNotOptimize(cloud.points.data());
  }
  report(state, points, file);
}

void read_with_pcl_ply(benchmark::State& state, const fs::path& file) {
  std::size_t points = 0;
  for (auto _ : state) {
    pcl::PointCloud<pcl::PointXYZI> cloud;
    if (pcl::io::loadPLYFile(file.string(), cloud) != 0) {
      state.SkipWithError("PCL failed to read the file");
      return;
    }
    points = cloud.size();
    benchmark::DoNotOptimize(cloud.points.data());
  }
  report(state, points, file);
}

void read_with_open3d(benchmark::State& state, const fs::path& file) {
  std::size_t points = 0;
  for (auto _ : state) {
    open3d::geometry::PointCloud cloud;
    if (!open3d::io::ReadPointCloud(file.string(), cloud)) {
      state.SkipWithError("Open3D failed to read the file");
      return;
    }
    points = cloud.points_.size();
    benchmark::DoNotOptimize(cloud.points_.data());
  }
  report(state, points, file);
}

#define PCANNO_READER_BENCH(name, function, member)                            \
  void BM_##name(benchmark::State& state) { function(state, files().member); } \
  BENCHMARK(BM_##name)->Unit(benchmark::kMicrosecond)

PCANNO_READER_BENCH(KittiBin_fread, read_with_fread, kitti_bin);
PCANNO_READER_BENCH(KittiBin_pcanno, read_with_pcanno, kitti_bin);
PCANNO_READER_BENCH(NuscenesBin_fread, read_with_fread, nuscenes_bin);
PCANNO_READER_BENCH(NuscenesBin_pcanno, read_with_pcanno, nuscenes_bin);
PCANNO_READER_BENCH(PcdBinary_fread, read_with_fread, pcd_binary);
PCANNO_READER_BENCH(PcdBinary_pcanno, read_with_pcanno, pcd_binary);
PCANNO_READER_BENCH(PcdBinary_pcl, read_with_pcl_pcd, pcd_binary);
PCANNO_READER_BENCH(PcdBinary_open3d, read_with_open3d, pcd_binary);
PCANNO_READER_BENCH(PcdCompressed_fread, read_with_fread, pcd_compressed);
PCANNO_READER_BENCH(PcdCompressed_pcanno, read_with_pcanno, pcd_compressed);
PCANNO_READER_BENCH(PcdCompressed_pcl, read_with_pcl_pcd, pcd_compressed);
PCANNO_READER_BENCH(PcdCompressed_open3d, read_with_open3d, pcd_compressed);
PCANNO_READER_BENCH(PlyBinary_fread, read_with_fread, ply_binary);
PCANNO_READER_BENCH(PlyBinary_pcanno, read_with_pcanno, ply_binary);
PCANNO_READER_BENCH(PlyBinary_pcl, read_with_pcl_ply, ply_binary);
PCANNO_READER_BENCH(PlyBinary_open3d, read_with_open3d, ply_binary);

}  // namespace
}  // namespace pcanno::bench

BENCHMARK_MAIN();
