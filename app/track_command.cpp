// `pcanno track SEQUENCE LABELS --out OUT`: completes tracks from keyframe labels (any supported
// format) by interpolation in the world frame, propagation, or the linear baseline of other tools.
// Polyline tracks (lanes, curbs) are completed the same way (plugin/automation/
// polyline_completion.hpp).
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>

#include "cli_support.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/plugin/services/label_input.hpp"
#include "pcanno/plugin/automation/ego_motion.hpp"
#include "pcanno/plugin/automation/track_completion.hpp"
#include "pcanno/plugin/registry.hpp"
#include "progress.hpp"

namespace pcanno::app {
namespace {

struct TrackOptions {
  std::string sequence;
  std::string labels;
  std::string out;
  std::string to;
  std::string from;
  std::string sequence_name;
  std::string method = "auto";
  std::size_t keyframes_every = 0;
  bool first_keyframe_only = false;
  bool refine = false;
  bool force = false;
  bool no_cache = false;
};

int run_track(const TrackOptions& opt, const GlobalOptions& global,
              const plugin::Registry& registry) {
  warn_plugin_failures(registry);
  const std::optional<plugin::CompletionMethod> method =
      plugin::completion_method_from_string(opt.method);
  if (!method) {
    return report_usage("--method: '" + opt.method +
                        "' is not one of linear, interpolate, propagate, auto");
  }
  // An existing output file is refused before the work, not only by the writer at its end.
  std::error_code ec;
  if (!opt.force && std::filesystem::is_regular_file(opt.out, ec)) {
    return refuse_to_replace({opt.out});
  }
  formats::SequenceOptions seq_options;
  seq_options.name = opt.sequence_name;
  auto sequence = formats::open_sequence(opt.sequence, seq_options);
  if (!sequence) return report(sequence.error());

  const formats::LabelCodecRegistry& codecs = registry.codecs();
  const auto reader = codecs.select(opt.labels, opt.from);
  if (!reader) return report(reader.error());
  if (!(*reader)->read) return report_message("cannot read labels as '" + (*reader)->id + "'");
  const formats::LabelCodec* writer = codecs.find(opt.to.empty() ? (*reader)->id : opt.to);
  if (writer == nullptr || !writer->write) {
    return report_usage("--to: cannot write labels as '" + opt.to + "'");
  }

  // The keyframes take the dataset's calibration wherever their file is. They may cover more
  // frames than the dataset holds clouds for: those are read as frames of the same drive and
  // their boxes dropped below, said so.
  formats::LabelContext context;
  context.overwrite = opt.force;
  context.sequence = &*sequence;
  context.frames_beyond_sequence = true;
  auto doc = (*reader)->read(opt.labels, context);
  if (!doc) return report(doc.error());
  context.frames_beyond_sequence = false;
  const std::size_t beyond = plugin::crop_to_frames(*doc, sequence->size());
  if (opt.first_keyframe_only) {
    plugin::keep_keyframes_every(*doc, 0, false);
  } else if (opt.keyframes_every > 0) {
    plugin::keep_keyframes_every(*doc, opt.keyframes_every);
  }
  const std::size_t keyframes = doc->box_count();
  std::size_t keyframe_lines = 0;
  for (const formats::PolylineTrack& p : doc->polylines) {
    for (const formats::PolylineState& state : p.states) keyframe_lines += state.keyframe ? 1 : 0;
  }

  if (*method != plugin::CompletionMethod::kLinear && !sequence->has_poses()) {
    plugin::EgoMotionOptions ego;
    if (!opt.no_cache) ego.cache_dir = plugin::default_ego_motion_cache();
    ProgressBar bar("estimating ego motion", global.quiet);
    auto estimated = plugin::ensure_poses(*sequence, ego, bar.callback());
    if (!estimated) return report(estimated.error());
  }
  plugin::CompletionOptions completion;
  completion.method = *method;
  completion.refine = opt.refine;
  ProgressBar bar("completing tracks", global.quiet);
  auto done = plugin::complete_tracks(*doc, *sequence, completion, bar.callback(0.0, 0.9));
  if (!done) return report(done.error());
  // Missing folders of --out are made, and taken away again when the write fails.
  context.progress = bar.callback(0.9, 1.0);
  auto written = plugin::write_labels_output(*writer, *doc, opt.out, context);
  if (!written) return report(written.error());
  // Left-out boxes and tracks that ended early are warnings: they change what the output holds.
  if (beyond > 0) {
    std::cerr << "pcanno: warning: " << beyond
              << (beyond == 1 ? " input box lies" : " input boxes lie") << " beyond the "
              << sequence->size() << " frames with clouds and " << (beyond == 1 ? "was" : "were")
              << " left out\n";
  }
  for (const std::string& note : done->notes) std::cerr << "pcanno: warning: " << note << '\n';
  if (!global.quiet) {
    std::cout << "read " << keyframes << " keyframe boxes in " << doc->tracks.size() << " tracks";
    if (!doc->polylines.empty()) {
      std::cout << ", " << keyframe_lines << " keyframe polyline states in "
                << doc->polylines.size() << " polylines";
    }
    std::cout << "; " << plugin::to_string(*method) << " added " << done->boxes_added << " boxes";
    if (done->boxes_to_review > 0) {
      std::cout << " (" << done->boxes_to_review << " to review: tracked with a score below "
                << plugin::kReviewScore << ", " << done->boxes_coasted
                << " of them coasted through occlusion)";
    }
    if (!doc->polylines.empty()) {
      std::cout << ", " << done->polyline_states_added << " polyline states";
    }
    std::cout << '\n';
    print_write_report(*written, writer->id);
  }
  return kExitOk;
}

}  // namespace

void add_track_command(CLI::App& app, const GlobalOptions& global, const plugin::Registry& registry,
                       CommandAction& action) {
  auto opt = std::make_shared<TrackOptions>();
  CLI::App* cmd = app.add_subcommand(
      "track",
      "Complete box and polyline tracks between keyframes: world-frame interpolation, "
      "propagation, or the linear baseline");
  cmd->add_option("sequence", opt->sequence, "Dataset with the clouds (KITTI training/, ...)")
      ->required();
  cmd->add_option("labels", opt->labels,
                  "Keyframe labels in any supported format, anywhere (KITTI labels take the "
                  "dataset's calibration)")
      ->required();
  cmd->add_option("--out", opt->out, "Output file or folder (made when missing)")->required();
  cmd->add_option("--to", opt->to, "Output format (default: the input's)");
  cmd->add_option("--from", opt->from, "Input format, overriding detection");
  cmd->add_option("--sequence-name", opt->sequence_name, "Sequence or scene inside the dataset");
  cmd->add_option("--method", opt->method,
                  "linear (plain parameter interpolation, as other tools), interpolate (world "
                  "frame), propagate (predict + register), auto (default)");
  CLI::Option* keyframes_every = cmd->add_option(
      "--keyframes-every", opt->keyframes_every,
      "Keep only each track's (and polyline's) first, every K-th and last box (line) as "
      "keyframes (to measure completion against full ground truth)");
  cmd->add_flag("--first-keyframe-only", opt->first_keyframe_only,
                "Keep only each track's (and polyline's) first box (line) as a keyframe (to "
                "measure propagation alone)")
      ->excludes(keyframes_every);
  cmd->add_flag("--refine", opt->refine,
                "Move interpolated boxes onto their frame's points (bounded: 0.5 m, 10 degrees)");
  cmd->add_flag("-f,--force", opt->force, "Replace existing output");
  cmd->add_flag("--no-cache", opt->no_cache, "Do not read or write the ego-motion cache");
  cmd->callback([opt, &global, &registry, &action] {
    action = [opt, &global, &registry] { return run_track(*opt, global, registry); };
  });
}

}  // namespace pcanno::app
