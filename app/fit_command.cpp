// `pcanno fit SEQUENCE --frame N --seed x,y,z [--class C] [--json]`: the one-click box of the
// workstation, from the command line: the box fitted to the object around a seed point.
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <utility>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/geometry/box_fit.hpp"
#include "pcanno/plugin/automation/class_fit.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/services/automation_reports.hpp"
#include "report_json.hpp"

namespace pcanno::app {
namespace {

struct FitCommandOptions {
  std::string sequence;
  std::string sequence_name;
  std::int64_t frame = 0;
  std::string seed;
  std::string label;  ///< empty: the default schema's default class
  std::optional<double> heading;
  bool json = false;
};

int run_fit(const FitCommandOptions& opt,
            std::shared_ptr<const formats::CloudReaderRegistry> readers) {
  const std::string label = opt.label.empty() ? formats::Annotations{}.default_class() : opt.label;
  Eigen::Vector3d seed;
  {
    std::string text = opt.seed;
    for (char& c : text) c = c == ',' ? ' ' : c;
    std::istringstream in(text);
    if (!(in >> seed.x() >> seed.y() >> seed.z())) {
      return report_usage("--seed: expected x,y,z in metres in the frame's LiDAR frame, got '" +
                          opt.seed + "'");
    }
  }
  int exit_code = kExitOk;
  auto sequence = open_sequence_at_frame(opt.sequence, opt.sequence_name, opt.frame, exit_code,
                                         std::move(readers));
  if (!sequence) return exit_code;
  auto cloud = sequence->load_frame(static_cast<std::size_t>(opt.frame));
  if (!cloud) return report(cloud.error());
  const std::optional<geometry::GroundModel> ground =
      geometry::GroundModel::fit(cloud->cloud.view());
  if (!ground) return report_message("no ground found in frame " + std::to_string(opt.frame));
  // No document here: the class's size prior and kind come from the default class schema.
  geometry::FitOptions options = plugin::class_fit_options(formats::make_class_spec(label));
  options.heading_hint = opt.heading;
  // The cloud's floats are relative to its origin (georeferenced clouds); the box goes back.
  const Eigen::Vector3d& origin = cloud->cloud.origin;
  options.sensor_origin = -origin;
  auto fit = geometry::fit_box(cloud->cloud.view(), *ground, seed - origin, options);
  if (fit) fit->box.center += origin;
  if (!fit) {
    char radius[32];
    std::snprintf(radius, sizeof(radius), "%.1f", options.seed_radius);
    return report_message(opt.sequence + ": frame " + std::to_string(opt.frame) +
                          ": no object within " + radius + " m of the seed (" + opt.seed +
                          "): only ground or nothing there");
  }
  const geometry::Cuboid& b = fit->box;
  if (opt.json) {
    const nlohmann::json out = to_json(plugin::fit_report(opt.frame, label, *fit));
    std::cout << out.dump(2) << '\n';
    return kExitOk;
  }
  std::printf("%s in frame %lld (LiDAR frame), %zu points%s\n", label.c_str(),
              static_cast<long long>(opt.frame), fit->point_ids.size(),
              fit->cut_to_prior ? ", cut at the seed to the class size prior"
              : fit->used_prior ? ", completed with the class size prior"
                                : "");
  std::printf(
      "  center  %.3f %.3f %.3f m\n  size    %.3f x %.3f x %.3f m (l x w x h)\n"
      "  yaw     %.4f rad\n",
      b.center.x(), b.center.y(), b.center.z(), b.size.x(), b.size.y(), b.size.z(), b.yaw());
  return kExitOk;
}

}  // namespace

void add_fit_command(CLI::App& app, const GlobalOptions& /*global*/,
                     const plugin::Registry& registry, CommandAction& action) {
  auto opt = std::make_shared<FitCommandOptions>();
  CLI::App* cmd = app.add_subcommand("fit", "Fit a box to the object around a seed point");
  cmd->add_option("sequence", opt->sequence, "Dataset or folder of clouds")->required();
  cmd->add_option("--frame", opt->frame, "Frame index")->required();
  cmd->add_option("--seed", opt->seed, "x,y,z [m] near the object, in the frame's LiDAR frame")
      ->required();
  cmd->add_option(
      "--class", opt->label,
      "Class, for its size prior (default " + formats::Annotations{}.default_class() + ")");
  cmd->add_option("--heading", opt->heading,
                  "Known heading [rad, LiDAR frame] from motion or the previous box");
  cmd->add_option("--sequence-name", opt->sequence_name, "Sequence or scene inside the dataset");
  cmd->add_flag("--json", opt->json, "Print the box as JSON");
  // Plugin cloud readers open the dataset's frames as the built-ins do.
  std::shared_ptr<const formats::CloudReaderRegistry> readers = registry.shared_readers();
  cmd->callback(
      [opt, &action, readers] { action = [opt, readers] { return run_fit(*opt, readers); }; });
}

}  // namespace pcanno::app
