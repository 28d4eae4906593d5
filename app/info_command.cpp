// `pcanno info PATH`: what a path holds. A point-cloud file: format, points, fields, bounds. A
// dataset folder: layout, frames, time span, calibration, poses, cameras; with --frames, every
// frame decoded.
#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "pcanno/formats/clouds/reader.hpp"
#include "pcanno/formats/datasets/frame_cache.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/plugin/registry.hpp"
#include "progress.hpp"

namespace pcanno::app {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct InfoOptions {
  std::string path;
  std::string format;  ///< cloud reader id; empty: suffix, then content
  formats::SequenceOptions sequence;
  bool json = false;
  bool frames = false;
};

json bounds_json(const formats::Bounds3d& b) {
  if (b.empty()) return nullptr;
  return {{"min", {b.min.x(), b.min.y(), b.min.z()}}, {"max", {b.max.x(), b.max.y(), b.max.z()}}};
}

/// `x [min, max]  y [...]  z [...]` to the millimetre: the bounds are double (a cloud at UTM
/// coordinates keeps them exact through its local origin).
std::string bounds_text(const formats::Bounds3d& b) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(3) << "x [" << b.min.x() << ", " << b.max.x() << "]  y ["
      << b.min.y() << ", " << b.max.y() << "]  z [" << b.min.z() << ", " << b.max.z() << "] m";
  return out.str();
}

int info_cloud(const InfoOptions& opt, const GlobalOptions&,
               const std::shared_ptr<const formats::CloudReaderRegistry>& readers) {
  formats::ReadOptions read;
  read.readers = readers;
  const auto file = formats::read_cloud(opt.path, read, opt.format);
  if (!file) return report(file.error());
  const formats::PointCloud& cloud = file->cloud;
  std::vector<std::string> fields{"x", "y", "z"};
  for (const auto& a : cloud.attributes) fields.push_back(a.name);
  const formats::Bounds3d b = cloud.bounds();
  const std::optional<formats::Bounds3d>& declared = file->info.declared_bounds;

  if (opt.json) {
    json j{{"path", opt.path},
           {"kind", "cloud"},
           {"format", file->info.format},
           {"variant", file->info.variant},
           {"points", cloud.size()},
           {"fields", fields},
           {"bounds", bounds_json(b)},
           {"origin", {cloud.origin.x(), cloud.origin.y(), cloud.origin.z()}}};
    if (declared) j["declared_bounds"] = bounds_json(*declared);
    if (file->info.height > 0)
      j["organized"] = {{"width", file->info.width}, {"height", file->info.height}};
    std::cout << j.dump(2) << '\n';
    return kExitOk;
  }
  std::ostringstream out;
  out << opt.path << ": point cloud\n";
  out << "  format  " << file->info.format;
  if (!file->info.variant.empty()) out << " (" << file->info.variant << ")";
  out << "\n  points  " << cloud.size();
  if (file->info.height > 0)
    out << " (organised " << file->info.width << " x " << file->info.height << ")";
  out << "\n  fields ";
  for (const auto& f : fields) out << ' ' << f;
  out << '\n';
  if (!b.empty()) out << "  bounds  " << bounds_text(b) << '\n';
  if (declared && !declared->empty()) out << "  header  " << bounds_text(*declared) << '\n';
  if (!cloud.origin.isZero()) {
    out << std::fixed << std::setprecision(3) << "  origin  (" << cloud.origin.x() << ", "
        << cloud.origin.y() << ", " << cloud.origin.z()
        << ") m: float coordinates are kept relative to it\n";
  }
  std::cout << out.str();
  return kExitOk;
}

struct FrameStats {
  std::size_t min = 0, median = 0, max = 0, total = 0;
};

/// Decodes every frame; a frame that fails to read fails the command, naming the file.
formats::Expected<FrameStats> decode_all(const formats::Sequence& seq,
                                         const GlobalOptions& global) {
  std::vector<std::size_t> counts;
  counts.reserve(seq.size());
  ProgressBar bar("decoding frames", seq.size(), global.quiet);
  // The cache decodes the next frames on a worker thread while this one is counted.
  formats::FrameCacheOptions cache_options;
  cache_options.max_bytes = std::size_t{256} << 20;
  formats::FrameCache cache = formats::make_frame_cache(seq, cache_options);
  for (std::size_t i = 0; i < seq.size(); ++i) {
    if (formats::Status go = CancelToken::check(); !go) return std::move(go).error();
    const auto frame = cache.get(i);
    if (!frame) return frame.error();
    counts.push_back((*frame)->size());
    bar.update(i + 1);
  }
  FrameStats s;
  if (counts.empty()) return s;
  for (std::size_t c : counts) s.total += c;
  std::sort(counts.begin(), counts.end());
  s.min = counts.front();
  s.max = counts.back();
  s.median = counts[counts.size() / 2];
  return s;
}

/// What `info` says about one camera channel of a sequence.
struct CameraSummary {
  std::string channel;
  std::vector<std::pair<int, int>> sizes;  ///< distinct known image sizes [px], in frame order
  std::size_t frames = 0;                  ///< frames with an image of this channel
  std::size_t missing = 0;                 ///< of those, images whose file is not on disk
};

std::vector<CameraSummary> summarise_cameras(const formats::Sequence& seq) {
  std::vector<CameraSummary> out;
  for (const std::string& channel : seq.cameras) {
    CameraSummary c;
    c.channel = channel;
    for (const formats::FrameRef& frame : seq.frames) {
      const formats::CameraImage* image = frame.image(channel);
      if (image == nullptr) continue;
      ++c.frames;
      std::error_code ec;
      if (!fs::exists(image->path, ec)) ++c.missing;
      const std::pair<int, int> size{image->camera.width, image->camera.height};
      if (size.first > 0 && std::find(c.sizes.begin(), c.sizes.end(), size) == c.sizes.end())
        c.sizes.push_back(size);
    }
    out.push_back(std::move(c));
  }
  return out;
}

/// `1242x375`, `1224x370, 1242x375` when frames differ, `size unknown` when no size is known.
std::string sizes_text(const CameraSummary& c) {
  if (c.sizes.empty()) return "size unknown";
  std::ostringstream out;
  for (std::size_t i = 0; i < c.sizes.size(); ++i) {
    out << (i == 0 ? "" : ", ") << c.sizes[i].first << 'x' << c.sizes[i].second;
  }
  return out.str();
}

int info_sequence(const InfoOptions& opt, const GlobalOptions& global,
                  const std::shared_ptr<const formats::CloudReaderRegistry>& readers) {
  formats::SequenceOptions sequence_options = opt.sequence;
  sequence_options.readers = readers;
  const auto seq = formats::open_sequence(opt.path, sequence_options);
  if (!seq) return report(seq.error());
  const auto all = formats::list_sequences(opt.path, sequence_options);
  std::optional<FrameStats> stats;
  if (opt.frames) {
    auto decoded = decode_all(*seq, global);
    if (!decoded) return report(decoded.error());
    stats = *decoded;
  }
  const bool timed = seq->has_timestamps();
  const std::int64_t first_us = timed ? seq->frames.front().timestamp_us : -1;
  const std::int64_t last_us = timed ? seq->frames.back().timestamp_us : -1;

  const std::vector<CameraSummary> cameras = summarise_cameras(*seq);

  if (opt.json) {
    json j{{"path", opt.path},
           {"kind", "sequence"},
           {"layout", seq->layout},
           {"name", seq->name},
           {"frames", seq->size()},
           {"calibration", seq->has_calibration()},
           {"poses", seq->has_poses()},
           {"labels", seq->labels.empty() ? json(nullptr) : json(seq->labels.string())},
           {"warnings", seq->warnings}};
    j["timestamps"] = timed ? json{{"first_us", first_us},
                                   {"last_us", last_us},
                                   {"span_s", (last_us - first_us) * 1e-6}}
                            : json(nullptr);
    j["cameras"] = json::array();
    for (const CameraSummary& c : cameras) {
      json sizes = json::array();
      for (const auto& [w, h] : c.sizes) sizes.push_back({{"width", w}, {"height", h}});
      j["cameras"].push_back({{"channel", c.channel},
                              {"sizes", sizes},
                              {"frames_with_image", c.frames},
                              {"missing_files", c.missing}});
    }
    if (all) {
      j["sequences"] = json::array();
      for (const auto& s : *all) j["sequences"].push_back({{"name", s.name}, {"frames", s.frames}});
    }
    if (stats) {
      j["points_per_frame"] = {{"min", stats->min},
                               {"median", stats->median},
                               {"max", stats->max},
                               {"total", stats->total}};
    }
    std::cout << j.dump(2) << '\n';
    return kExitOk;
  }
  std::ostringstream out;
  out << opt.path << ": " << seq->layout << " sequence " << seq->name << '\n';
  out << "  frames       " << seq->size() << '\n';
  out << "  timestamps   ";
  if (timed) {
    out << std::fixed << std::setprecision(3) << (last_us - first_us) * 1e-6 << " s span ("
        << first_us << " .. " << last_us << " us)\n";
  } else {
    out << "none\n";
  }
  out << "  calibration  " << (seq->has_calibration() ? "yes" : "no") << '\n';
  out << "  poses        " << (seq->has_poses() ? "yes (T_world_lidar per frame)" : "no") << '\n';
  if (!seq->labels.empty()) out << "  labels       " << seq->labels.string() << '\n';
  out << "  cameras      " << (cameras.empty() ? "none" : std::to_string(cameras.size())) << '\n';
  for (const CameraSummary& c : cameras) {
    out << "    " << std::left << std::setw(17) << c.channel << std::right << sizes_text(c) << ", "
        << c.frames << " of " << seq->size() << " frames with an image";
    if (c.missing != 0)
      out << " (" << c.missing << (c.missing == 1 ? " file" : " files") << " missing)";
    out << '\n';
  }
  if (all && all->size() > 1) {
    out << "  sequences    " << all->size() << " here:";
    for (const auto& s : *all) out << ' ' << s.name << " (" << s.frames << ')';
    out << '\n';
  }
  if (stats) {
    out << "  points/frame min " << stats->min << ", median " << stats->median << ", max "
        << stats->max << ", total " << stats->total << '\n';
  }
  for (const auto& w : seq->warnings) out << "  note: " << w << '\n';
  std::cout << out.str();
  return kExitOk;
}

int run_info(const InfoOptions& opt, const GlobalOptions& global,
             const std::shared_ptr<const formats::CloudReaderRegistry>& readers) {
  std::error_code ec;
  if (!fs::exists(opt.path, ec)) {
    return report(
        formats::Error{formats::ErrorCode::kNotFound, "no such file or directory", opt.path});
  }
  return fs::is_directory(opt.path, ec) ? info_sequence(opt, global, readers)
                                        : info_cloud(opt, global, readers);
}

}  // namespace

void add_info_command(CLI::App& app, const GlobalOptions& global, const plugin::Registry& registry,
                      CommandAction& action) {
  auto opt = std::make_shared<InfoOptions>();
  CLI::App* cmd = app.add_subcommand(
      "info",
      "Say what a path holds: a point-cloud file (format, points, fields, bounds) or a dataset "
      "folder (layout, frames, time span, calibration, poses, cameras)");
  cmd->add_option("path", opt->path, "Point-cloud file or dataset folder")->required();
  // Built-in and plugin readers alike: read_cloud() and open_sequence() get the registry's.
  std::shared_ptr<const formats::CloudReaderRegistry> readers = registry.shared_readers();
  std::vector<std::string> ids;
  for (const auto& r : readers->readers()) ids.push_back(r.id);
  cmd->add_option("--format", opt->format, "Cloud format, overriding detection")
      ->check(CLI::IsMember(ids));
  cmd->add_option("--layout", opt->sequence.layout,
                  "Dataset layout, overriding detection (kitti-tracking, kitti-object, kitti-raw, "
                  "nuscenes, folder)");
  cmd->add_option("--sequence", opt->sequence.name,
                  "Which sequence: KITTI tracking number (0003) or nuScenes scene (scene-0061)");
  cmd->add_option("--version-dir", opt->sequence.nuscenes_version,
                  "nuScenes version folder (v1.0-mini, ...); detected when omitted");
  cmd->add_flag("--sweeps", opt->sequence.include_sweeps,
                "nuScenes: every LiDAR sweep, not only keyframes");
  cmd->add_flag("--frames", opt->frames, "Decode every frame and report points per frame");
  cmd->add_flag("--json", opt->json, "Machine-readable output");
  cmd->callback([opt, &global, &action, readers] {
    action = [opt, &global, readers] { return run_info(*opt, global, readers); };
  });
}

}  // namespace pcanno::app
