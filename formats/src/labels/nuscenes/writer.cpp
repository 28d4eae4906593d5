// Annotations -> a complete nuScenes dataroot (formats.md 6): the tables planned by
// nuscenes_export_plan.cpp (whose header lists the conventions), the LiDAR files, camera images
// and map rasters.
#include <new>
#include <optional>
#include <stdexcept>
#include <utility>

#include "labels/nuscenes/export_plan.hpp"
#include "labels/nuscenes/table_writer.hpp"
#include "pcanno/formats/labels/nuscenes/codec.hpp"
#include "pcanno/formats/support/atomic_write.hpp"
#include "pcanno/formats/support/output_folder.hpp"
#include "pcanno/geometry/points_in_cuboid.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;
using detail::NuscenesExportFrame;
using detail::NuscenesExportPlan;

/// Writes frame `frame`'s LiDAR file and counts the points in its boxes. Without clouds the
/// file is empty: a hard link to `empty_cloud`, the first such file, where the file system allows.
Status write_cloud(NuscenesExportPlan& plan, const NuscenesExportFrame& frame, const fs::path& root,
                   std::optional<fs::path>& empty_cloud) {
  NuscenesDb& db = plan.db;
  const Sequence* seq = frame.sequence;
  const fs::path dest = root / db.sample_data[frame.data].filename;
  std::error_code ec;
  fs::create_directories(dest.parent_path(), ec);
  if (ec) {
    return Error{ErrorCode::kIo, "cannot create folder: " + ec.message(),
                 dest.parent_path().string()};
  }
  if (seq == nullptr) {
    if (empty_cloud && (fs::create_hard_link(*empty_cloud, dest, ec), !ec)) return {};
    if (Status s = write_staged_file(dest, ""); !s) return s;
    empty_cloud = dest;
    return {};
  }
  const FrameRef& ref = seq->frames[static_cast<std::size_t>(frame.index)];
  const bool copy = ref.format == "nuscenes-bin";
  if (copy) {
    fs::copy_file(ref.cloud_path, dest, ec);
    if (ec)
      return Error{ErrorCode::kIo, "cannot copy the cloud: " + ec.message(),
                   ref.cloud_path.string()};
    if (frame.annotations.empty()) return {};
  }
  Expected<CloudFile> file = seq->load_frame(static_cast<std::size_t>(frame.index));
  if (!file) return std::move(file).error();
  if (!copy) {
    Status s =
        write_staged_file(dest, detail::to_nuscenes_bin(file->cloud, ref.format == "kitti-bin"));
    if (!s) return s;
  }
  if (frame.annotations.empty()) return {};
  // The cloud's floats are relative to its origin (georeferenced clouds): the boxes go there too.
  std::vector<geometry::Cuboid> boxes_in_cloud;
  for (const geometry::Cuboid& box : frame.boxes_in_lidar) {
    boxes_in_cloud.push_back(geometry::transform(file->cloud.T_lidar_cloud().inverse(), box));
  }
  const auto inside = geometry::points_in_cuboids(file->cloud.view(), boxes_in_cloud);
  for (std::size_t b = 0; b < frame.annotations.size(); ++b) {
    db.sample_annotations[frame.annotations[b]].num_lidar_pts = static_cast<int>(inside[b].size());
  }
  return {};
}

/// Copies frame `frame`'s camera images to the file names of their sample_data rows.
Status copy_images(const NuscenesExportPlan& plan, const NuscenesExportFrame& frame,
                   const fs::path& root) {
  for (const auto& [source, data] : frame.images) {
    const fs::path dest = root / plan.db.sample_data[data].filename;
    std::error_code ec;
    fs::create_directories(dest.parent_path(), ec);
    // Two rows naming one file (one image listed for two frames) share the copy.
    if (!ec) fs::copy_file(source, dest, fs::copy_options::skip_existing, ec);
    if (ec) return Error{ErrorCode::kIo, "cannot copy the image: " + ec.message(), source.string()};
  }
  return {};
}

Expected<std::vector<WriteReport>> write_dataset(const std::vector<NuscenesSceneExport>& scenes,
                                                 const fs::path& given_out,
                                                 const LabelContext& ctx) {
  // "nus/" names the folder "nus": the staging folder must be its sibling, not its child.
  const fs::path out = given_out.has_filename() ? given_out : given_out.parent_path();
  if (scenes.empty()) {
    return Error{ErrorCode::kMalformed, "nothing to export: no scene", out.string()};
  }
  NuscenesExportPlan plan;
  for (const NuscenesSceneExport& scene : scenes) {
    if (scene.annotations == nullptr) {
      return Error{ErrorCode::kMalformed, "a scene without a document", out.string()};
    }
    Status s = detail::add_nuscenes_scene(plan, *scene.annotations, scene.sequence, ctx);
    if (!s) return std::move(s).error();
  }
  OutputFolders folders;
  if (Status made = folders.create(out.parent_path()); !made) return std::move(made).error();
  Expected<StagedDirectory> staged = StagedDirectory::begin(out, ctx.overwrite);
  if (!staged) return std::move(staged).error();
  const fs::path root = staged->path();
  NuscenesDb& db = plan.db;
  db.dataroot = root;
  std::error_code ec;
  fs::create_directories(root / "maps", ec);
  if (ec) return Error{ErrorCode::kIo, "cannot create folder: " + ec.message(), root.string()};
  const std::size_t n = plan.frames.size();
  std::optional<fs::path> empty_cloud;
  for (std::size_t k = 0; k < n; ++k) {
    if (ctx.progress && !ctx.progress(static_cast<double>(k) / static_cast<double>(n))) {
      return Error{ErrorCode::kCancelled, "export cancelled; nothing was written", out.string()};
    }
    Status s = write_cloud(plan, plan.frames[k], root, empty_cloud);
    if (s) s = copy_images(plan, plan.frames[k], root);
    if (!s) return std::move(s).error();
  }
  std::optional<fs::path> grey_map;  // generated once, linked to by the other maps
  for (std::size_t m = 0; m < db.maps.size(); ++m) {
    const fs::path map_file = root / db.maps[m].filename;
    const std::optional<fs::path>& source = plan.map_sources[m];
    if (source) {
      fs::copy_file(*source, map_file, ec);
      if (ec)
        return Error{ErrorCode::kIo, "cannot copy the map: " + ec.message(), source->string()};
    } else if (!grey_map || (fs::create_hard_link(*grey_map, map_file, ec), ec)) {
      Status s = write_staged_file(map_file, detail::make_grey_png(1, 1, 128));
      if (!s) return std::move(s).error();
      grey_map = map_file;
    }
  }
  Status s = detail::write_nuscenes_tables(db);
  if (s) s = staged->commit();
  if (!s) return std::move(s).error();
  folders.keep();
  if (ctx.progress) ctx.progress(1.0);
  plan.reports.front().written.push_back(out);
  return std::move(plan.reports);
}

/// Failures of the standard library as errors naming the output: no exception leaves formats/.
template <typename T, typename Work>
Expected<T> guarded(const fs::path& out, Work&& work) {
  try {
    return work();
  } catch (const std::bad_alloc&) {
    return Error{ErrorCode::kOutOfMemory, "out of memory", out.string()};
  } catch (const std::length_error&) {
    return Error{ErrorCode::kOutOfMemory, "size exceeds what a container can hold", out.string()};
  } catch (const std::exception& e) {
    return Error{ErrorCode::kIo, e.what(), out.string()};
  }
}

}  // namespace

Expected<WriteReport> write_nuscenes_dataset(const Annotations& annotations,
                                             const fs::path& out_dataroot,
                                             const LabelContext& context) {
  return guarded<WriteReport>(out_dataroot, [&]() -> Expected<WriteReport> {
    Expected<std::vector<WriteReport>> reports =
        write_dataset({NuscenesSceneExport{&annotations, context.sequence}}, out_dataroot, context);
    if (!reports) return std::move(reports).error();
    return std::move(reports->front());
  });
}

Expected<std::vector<WriteReport>> write_nuscenes_scenes(
    const std::vector<NuscenesSceneExport>& scenes, const fs::path& out_dataroot,
    const LabelContext& context) {
  return guarded<std::vector<WriteReport>>(
      out_dataroot, [&] { return write_dataset(scenes, out_dataroot, context); });
}

}  // namespace pcanno::formats
