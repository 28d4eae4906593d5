// `pcanno ego-motion SEQUENCE [--out POSES.txt] [--json]`: the ego motion estimated from the scans
// alone (as `pcanno track` does for sequences without poses), written as KITTI odometry poses, and
// measured against the sequence's own poses where it has them (the drift report).
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/support/atomic_write.hpp"
#include "pcanno/formats/support/output_folder.hpp"
#include "pcanno/plugin/automation/ego_motion.hpp"
#include "progress.hpp"

namespace pcanno::app {
namespace {

using nlohmann::json;

constexpr double kDeg = 180.0 / M_PI;

struct EgoMotionCommandOptions {
  std::string sequence;
  std::string sequence_name;
  std::string out;
  bool json = false;
  bool no_cache = false;
  bool force = false;
  double low_fitness = 0.5;
};

/// KITTI odometry pose text: per frame, the top three rows of T_world_lidar, row-major.
std::string odometry_text(const std::vector<geometry::Pose>& poses) {
  std::string text;
  char buf[32];
  for (const geometry::Pose& T : poses) {
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 4; ++c) {
        std::snprintf(buf, sizeof(buf), "%.17g", T.matrix()(r, c));
        text += buf;
        text += r == 2 && c == 3 ? '\n' : ' ';
      }
    }
  }
  return text;
}

double path_length(const std::vector<geometry::Pose>& poses) {
  double length = 0.0;
  for (std::size_t i = 1; i < poses.size(); ++i) {
    length += (poses[i].translation() - poses[i - 1].translation()).norm();
  }
  return length;
}

json error_json(const geometry::TrajectoryError& e) {
  return {{"path_length_m", e.path_length},
          {"final_translation_m", e.final_translation},
          {"final_rotation_deg", e.final_rotation * kDeg},
          {"max_translation_m", e.max_translation},
          {"max_rotation_deg", e.max_rotation * kDeg},
          {"drift_percent", e.drift_percent},
          {"mean_step_translation_m", e.mean_step_translation},
          {"mean_step_rotation_deg", e.mean_step_rotation * kDeg},
          {"translation_m", e.translation},
          {"rotation_deg", [&] {
             std::vector<double> deg;
             for (const double r : e.rotation) deg.push_back(r * kDeg);
             return deg;
           }()}};
}

int run_ego_motion(const EgoMotionCommandOptions& opt, const GlobalOptions& global) {
  formats::SequenceOptions options;
  options.name = opt.sequence_name;
  // An existing --out is refused before the estimate, not after it.
  std::error_code ec;
  if (!opt.out.empty() && !opt.force && std::filesystem::exists(opt.out, ec)) {
    return refuse_to_replace({opt.out});
  }
  auto sequence = formats::open_sequence(opt.sequence, options);
  if (!sequence) return report(sequence.error());
  if (sequence->size() == 0) return report_message(opt.sequence + ": the sequence has no frames");

  plugin::EgoMotionOptions ego;
  if (!opt.no_cache) ego.cache_dir = plugin::default_ego_motion_cache();
  ProgressBar bar("estimating ego motion", global.quiet || opt.json);
  const auto progress = bar.callback();
  plugin::EgoMotion motion;
  std::optional<geometry::TrajectoryError> error;
  if (sequence->has_poses()) {
    auto check = plugin::check_ego_motion(*sequence, ego, progress);
    if (!check) return report(check.error());
    motion = std::move(check->estimate);
    error = std::move(check->error);
  } else {
    auto estimated = plugin::estimate_ego_motion(*sequence, ego, progress);
    if (!estimated) return report(estimated.error());
    motion = std::move(*estimated);
  }

  if (!opt.out.empty()) {
    // Missing folders of --out are made, and taken away again when the write fails.
    formats::OutputFolders folders;
    formats::Status written = folders.create(output_parent(opt.out));
    if (written) {
      written = formats::write_file_atomic(opt.out, odometry_text(motion.T_world_lidar), opt.force);
    }
    if (!written) return report(written.error());
    folders.keep();
  }
  std::vector<std::size_t> weak;  // frames registered poorly to the one before
  for (std::size_t i = 1; i < motion.fitness.size(); ++i) {
    if (motion.fitness[i] < opt.low_fitness) weak.push_back(i);
  }

  if (opt.json) {
    json poses = json::array();
    for (const geometry::Pose& T : motion.T_world_lidar) {
      json rows = json::array();
      for (int r = 0; r < 3; ++r) {
        rows.push_back({T.matrix()(r, 0), T.matrix()(r, 1), T.matrix()(r, 2), T.matrix()(r, 3)});
      }
      poses.push_back(rows);
    }
    json j = {{"sequence", opt.sequence},
              {"frames", motion.T_world_lidar.size()},
              {"from_cache", motion.from_cache},
              {"path_length_m", path_length(motion.T_world_lidar)},
              {"T_world_lidar", poses},
              {"fitness", motion.fitness},
              {"weak_frames", weak},
              {"reference", error ? error_json(*error) : json(nullptr)},
              {"out", opt.out.empty() ? json(nullptr) : json(opt.out)}};
    std::cout << j.dump(2) << '\n';
    return kExitOk;
  }

  char line[256];
  std::snprintf(line, sizeof(line), "%zu frames, %.2f m travelled (estimated%s)",
                motion.T_world_lidar.size(), path_length(motion.T_world_lidar),
                motion.from_cache ? ", from the cache" : "");
  std::cout << opt.sequence << ": " << line << '\n';
  if (weak.empty()) {
    std::cout << "every frame registered to the one before (fitness >= " << opt.low_fitness
              << ")\n";
  } else {
    std::cout << weak.size() << " frames registered poorly to the one before (fitness < "
              << opt.low_fitness << "), first " << weak.front()
              << ": check them, poses there follow the constant-velocity guess\n";
  }
  if (error) {
    std::snprintf(line, sizeof(line),
                  "against the sequence's poses over %.2f m: drift %.2f%% (final %.3f m, %.3f "
                  "deg); worst %.3f m, %.3f deg; per frame %.4f m, %.4f deg",
                  error->path_length, error->drift_percent, error->final_translation,
                  error->final_rotation * kDeg, error->max_translation, error->max_rotation * kDeg,
                  error->mean_step_translation, error->mean_step_rotation * kDeg);
    std::cout << line << '\n';
  } else {
    std::cout << "the sequence has no poses of its own: drift not measured\n";
  }
  if (!opt.out.empty()) std::cout << "poses (KITTI odometry format): " << opt.out << '\n';
  return kExitOk;
}

}  // namespace

void add_ego_motion_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto opt = std::make_shared<EgoMotionCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "ego-motion",
      "Estimate the sensor's motion from the scans alone (scan-to-scan ICP, as `track` does for "
      "sequences without poses); where the sequence has poses (oxts, nuScenes ego poses), report "
      "the estimate's drift against them");
  cmd->add_option("sequence", opt->sequence, "Dataset root or folder of scans")->required();
  cmd->add_option("--sequence-name", opt->sequence_name,
                  "Sequence or scene inside the dataset (0003, scene-0061)");
  cmd->add_option("--out", opt->out,
                  "Write the estimated T_world_lidar per frame, KITTI odometry format (12 numbers "
                  "per line; the world is frame 0's LiDAR frame); folders are made when missing");
  cmd->add_flag("-f,--force", opt->force, "Replace an existing --out file");
  cmd->add_flag("--no-cache", opt->no_cache, "Do not read or write the ego-motion cache");
  cmd->add_option("--low-fitness", opt->low_fitness,
                  "Flag frames whose share of registered points is below this")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_flag("--json", opt->json, "Machine-readable output");
  cmd->callback([opt, &global, &action] {
    action = [opt, &global] { return run_ego_motion(*opt, global); };
  });
}

}  // namespace pcanno::app
