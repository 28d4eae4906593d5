// pcanno_synth_sequence: writes a synthetic KITTI tracking sequence with known truth.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "synthetic/lidar_sequence.hpp"

namespace {

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

int usage(const std::string& message) {
  std::cerr << "pcanno_synth_sequence: " << message << "\n(see --help)\n";
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  using pcanno::synthetic::ScenarioOptions;
  ScenarioOptions options;
  std::string out;
  std::string name = "0000";
  std::size_t min_label_points = 1;
  bool force = false;
  bool quiet = false;
  CLI::App app(
      "Write a synthetic KITTI tracking sequence (velodyne, label_02, calib, oxts): a 64-beam "
      "spinning LiDAR ray-cast through a street with scripted vehicles, cyclists and pedestrians "
      "that occlude each other. One seed gives the same bytes every time.",
      "pcanno_synth_sequence");
  app.add_option("--frames", options.frames, "Number of frames (10 Hz)")->capture_default_str();
  app.add_option("--seed", options.seed, "Random seed")->capture_default_str();
  app.add_option("--out", out, "Dataset root to write (velodyne/NAME/ etc. go inside)")->required();
  app.add_option("--name", name, "Sequence name (four digits, as KITTI)")->capture_default_str();
  app.add_option("--vehicles", options.vehicles, "Cars, vans and trucks")->capture_default_str();
  app.add_option("--cyclists", options.cyclists, "Cyclists")->capture_default_str();
  app.add_option("--pedestrians", options.pedestrians, "Pedestrians")->capture_default_str();
  app.add_option("--ego-speed", options.ego_speed, "Cruise speed of the recording car [m/s]")
      ->capture_default_str();
  app.add_option("--min-label-points", min_label_points,
                 "Label only the boxes with at least this many returns")
      ->capture_default_str();
  app.add_flag(
      "--no-occluders", [&](std::int64_t) { options.occluders = false; },
      "Do not time the actors to hide each other");
  app.add_flag("-f,--force", force, "Replace an existing sequence of that name");
  app.add_flag("-q,--quiet", quiet, "No progress on stderr");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the message and a hint to use --help
    return kExitUsage;
  }

  if (options.frames < 1 || options.frames > 100000) {
    return usage("--frames: expected 1..100000, got " + std::to_string(options.frames));
  }
  if (options.vehicles < 0 || options.cyclists < 0 || options.pedestrians < 0) {
    return usage("--vehicles, --cyclists and --pedestrians must not be negative");
  }
  if (!(options.ego_speed >= 0.5 && options.ego_speed <= 30.0)) {
    return usage("--ego-speed: expected 0.5..30 m/s, got " + std::to_string(options.ego_speed));
  }
  if (name.size() != 4 || name.find_first_not_of("0123456789") != std::string::npos) {
    return usage("--name: expected four digits (KITTI tracking sequences are 0000-9999), got '" +
                 name + "'");
  }
  const std::filesystem::path root(out);
  std::error_code ec;
  if (std::filesystem::exists(root, ec) && !std::filesystem::is_directory(root, ec)) {
    return usage("--out: " + out + " exists and is not a folder");
  }
  if (!force && std::filesystem::exists(root / "velodyne" / name, ec)) {
    return usage((root / "velodyne" / name).string() +
                 " exists already; pass --force to replace the sequence");
  }

  const auto start = std::chrono::steady_clock::now();
  const pcanno::synthetic::Scenario scenario = pcanno::synthetic::make_scenario(options);
  auto progress = [&](int frame, int frames) {
    if (!quiet && (frame % 10 == 0)) {
      std::fprintf(stderr, "\rframe %d/%d", frame, frames);
      std::fflush(stderr);
    }
    return true;
  };
  auto summary = pcanno::synthetic::write_kitti_tracking_report(scenario, root, name,
                                                                min_label_points, progress);
  if (!quiet) std::fprintf(stderr, "\r");
  if (!summary) {
    std::cerr << "pcanno_synth_sequence: " << summary.error().describe() << '\n';
    return kExitError;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "wrote %s sequence %s: %zu frames, %zu actors, %.0f points per frame, %zu truth boxes in "
      "range, %zu labelled (>= %zu points), %.1f s\n",
      root.string().c_str(), name.c_str(), summary->frames, scenario.actors.size(),
      summary->frames > 0 ? static_cast<double>(summary->points) / summary->frames : 0.0,
      summary->truth_boxes, summary->labelled_boxes, min_label_points, seconds);
  return 0;
}
