#include "clouds/builtin_readers.hpp"

#include "pcanno/formats/clouds/las.hpp"
#include "pcanno/formats/clouds/pcd.hpp"
#include "pcanno/formats/clouds/ply.hpp"
#include "pcanno/formats/clouds/raw_bin.hpp"

namespace pcanno::formats::detail {
namespace {

CloudReader raw_bin_reader(RawBinLayout layout) {
  CloudReader r;
  const bool kitti = layout == RawBinLayout::kKitti;
  r.id = kitti ? "kitti-bin" : "nuscenes-bin";
  r.description = kitti ? "KITTI velodyne .bin: float32 x y z reflectance"
                        : "nuScenes LIDAR_TOP .pcd.bin: float32 x y z intensity ring";
  r.suffixes = {kitti ? ".bin" : ".pcd.bin"};
  // Headerless: nothing to sniff, so these only win by suffix or an explicit id.
  r.read = [layout, id = r.id](const std::filesystem::path& path,
                               const ReadOptions& options) -> Expected<CloudFile> {
    if (options.progress && !options.progress(0.0)) {
      return Error{ErrorCode::kCancelled, "cancelled", path.string()};
    }
    auto cloud = read_raw_bin(path, layout);
    if (!cloud) return cloud.error();
    if (options.progress) options.progress(1.0);
    CloudFile file{std::move(*cloud), CloudFileInfo{}};
    file.info.format = id;
    file.info.variant = "float32 records";
    return file;
  };
  return r;
}

}  // namespace

std::vector<CloudReader> builtin_cloud_readers() {
  std::vector<CloudReader> readers;
  readers.push_back(raw_bin_reader(RawBinLayout::kKitti));
  readers.push_back(raw_bin_reader(RawBinLayout::kNuscenes));
  readers.push_back(make_pcd_reader());
  readers.push_back(make_ply_reader());
  readers.push_back(make_las_reader());
  return readers;
}

}  // namespace pcanno::formats::detail
