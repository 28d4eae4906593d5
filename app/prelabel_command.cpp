// `pcanno prelabel SEQUENCE --out OUT`: pre-labels a sequence with a detector (the built-in
// `classical` one, or a plugin's), its detections associated into tracks, as model boxes with
// scores (plugin/automation/prelabel.hpp).
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli_support.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/document/edit.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/plugin/services/label_input.hpp"
#include "pcanno/plugin/automation/ego_motion.hpp"
#include "pcanno/plugin/automation/prelabel.hpp"
#include "pcanno/plugin/detectors/detector_list.hpp"
#include "pcanno/plugin/detectors/guarded.hpp"
#include "pcanno/plugin/registry.hpp"
#include "progress.hpp"

namespace pcanno::app {
namespace {

struct PrelabelCommandOptions {
  std::string sequence;
  std::string sequence_name;
  std::string out;
  std::string to = "pcanno";
  std::string detector = "classical";
  std::string frames;
  double min_score = 0.0;
  std::size_t min_hits = 3;
  std::vector<std::string> detector_params;
  bool force = false;
  bool no_cache = false;
};

int run_prelabel_command(const PrelabelCommandOptions& opt, const GlobalOptions& global,
                         const plugin::Registry& registry) {
  warn_plugin_failures(registry);
  const formats::LabelCodec* writer = registry.codecs().find(opt.to);
  if (writer == nullptr || !writer->write) {
    return report_usage("--to: cannot write labels as '" + opt.to + "'");
  }
  const plugin::DetectorFactory* factory = registry.detector(opt.detector);
  if (factory == nullptr) {
    return report_usage("--detector: no detector '" + opt.detector + "' (" +
                        plugin::detector_list(registry) + "; plugins add more via PCANNO_PLUGIN_PATH)");
  }
  formats::AttributeMap parameters;
  for (const std::string& kv : opt.detector_params) {
    const std::size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return report_usage("--detector-param: expected key=value, got '" + kv + "'");
    }
    parameters[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  if (!(opt.min_score >= 0.0 && opt.min_score <= 1.0)) {
    return report_usage("--min-score: expected a number in [0, 1]");
  }
  if (opt.min_hits < 1) return report_usage("--min-hits: expected at least 1");
  // An existing output is refused before the work, not only by the writer at its end.
  std::error_code ec;
  if (!opt.force && std::filesystem::exists(opt.out, ec)) return refuse_to_replace({opt.out});

  formats::SequenceOptions seq_options;
  seq_options.name = opt.sequence_name;
  seq_options.readers = registry.shared_readers();
  auto sequence = formats::open_sequence(opt.sequence, seq_options);
  if (!sequence) return report(sequence.error());
  plugin::PrelabelOptions options;
  options.min_score = opt.min_score;
  options.association.min_hits = opt.min_hits;
  if (!opt.frames.empty()) {
    auto range = plugin::parse_frame_range(opt.frames);
    if (!range) return report_usage("--frames: " + range.error().message);
    options.first_frame = range->first;
    options.last_frame = range->second;
  }
  if (formats::Status s =
          plugin::check_frame_range(options.first_frame, options.last_frame, sequence->size());
      !s) {
    return report_usage("--frames: " + s.error().message + " (" + sequence->name + ")");
  }
  auto detector = pcanno::plugin::create_detector(*factory, parameters);
  if (!detector) {
    formats::Error e = std::move(detector).error();
    e.message = "detector '" + opt.detector + "': " + e.message;
    return e.code == formats::ErrorCode::kInvalidArgument ? report_usage(e.message) : report(e);
  }
  const std::int64_t last =
      options.last_frame < 0 ? static_cast<std::int64_t>(sequence->size()) - 1 : options.last_frame;
  // Tracks are associated in the world frame: a range of frames needs poses.
  if (last > options.first_frame && !sequence->has_poses()) {
    plugin::EgoMotionOptions ego;
    if (!opt.no_cache) ego.cache_dir = plugin::default_ego_motion_cache();
    ProgressBar bar("estimating ego motion", global.quiet);
    auto estimated = plugin::ensure_poses(*sequence, ego, bar.callback());
    if (!estimated) return report(estimated.error());
  }

  formats::Annotations doc;
  doc.sequence = {sequence->layout, opt.sequence, sequence->name};
  for (const formats::FrameRef& f : sequence->frames) {
    doc.frames.push_back(formats::FrameInfo{f.name, f.timestamp_us, {}, ""});
  }
  ProgressBar bar("pre-labelling", global.quiet);
  auto run = plugin::run_prelabel(**detector, *sequence, options, plugin::schema_classes(doc),
                                  bar.callback(0.0, 0.95));
  if (!run) return report(run.error());
  plugin::PrelabelApply apply;
  // The LiDAR frame: what KITTI stores, and every writer takes.
  apply.shape_frame = [](std::int64_t) { return formats::ShapeFrame::kLidar; };
  plugin::PrelabelNotes notes;
  auto command = plugin::prelabel_command(doc, *sequence, *run, apply, notes);
  if (!command) return report(command.error());
  if (auto applied = formats::apply_edits(doc, command->edits); !applied) {
    return report(applied.error());
  }
  if (formats::Status s = CancelToken::check(); !s) return report(s.error());

  // Missing folders of --out are made, and taken away again when the write fails.
  formats::LabelContext context;
  context.sequence = &*sequence;
  context.overwrite = opt.force;
  context.progress = bar.callback(0.95, 1.0);
  auto written = plugin::write_labels_output(*writer, doc, opt.out, context);
  if (!written) return report(written.error());
  for (const std::string& note : notes.notes) std::cerr << "pcanno: warning: " << note << '\n';
  if (!global.quiet) {
    std::size_t found = run->association.detections + run->below_min_score;
    for (const auto& [name, count] : run->unknown_classes) found += count;
    std::cout << "detector " << opt.detector << " found " << found << " objects in frames "
              << run->first_frame << "-" << run->last_frame;
    if (run->below_min_score > 0)
      std::cout << " (" << run->below_min_score << " below --min-score)";
    std::cout << "; " << notes.tracks << " tracks, " << notes.boxes << " boxes\n";
    print_write_report(*written, writer->id);
  }
  return kExitOk;
}

}  // namespace

void add_prelabel_command(CLI::App& app, const GlobalOptions& global,
                          const plugin::Registry& registry, CommandAction& action) {
  auto opt = std::make_shared<PrelabelCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "prelabel",
      "Pre-label a sequence with a detector: its detections associated into tracks, as model "
      "boxes with scores for a person to correct");
  cmd->add_option("sequence", opt->sequence, "Dataset with the clouds (KITTI training/, ...)")
      ->required();
  cmd->add_option("--out", opt->out, "Output file or folder (made when missing)")->required();
  cmd->add_option("--to", opt->to,
                  "Output format (default pcanno: the native document keeps provenance and "
                  "scores; kitti-tracking writes scores in its last column)");
  cmd->add_option("--detector", opt->detector,
                  "Detector id (default classical; `pcanno plugins` lists them)");
  cmd->add_option("--frames", opt->frames, "Frames A-B (inclusive) or A (default: all)");
  cmd->add_option("--min-score", opt->min_score,
                  "Leave out detections scoring below S, in [0, 1] (default 0: keep all)");
  cmd->add_option("--min-hits", opt->min_hits,
                  "Frames an object must be detected in before it becomes a track (default 3)");
  cmd->add_option("--detector-param", opt->detector_params,
                  "A detector parameter key=value (repeatable)");
  cmd->add_option("--sequence-name", opt->sequence_name, "Sequence or scene inside the dataset");
  cmd->add_flag("-f,--force", opt->force, "Replace existing output");
  cmd->add_flag("--no-cache", opt->no_cache, "Do not read or write the ego-motion cache");
  cmd->callback([opt, &global, &registry, &action] {
    action = [opt, &global, &registry] { return run_prelabel_command(*opt, global, registry); };
  });
}

}  // namespace pcanno::app
