// `pcanno eval PRED GT`: predicted tracks against ground truth, matched by track id and frame;
// per-box 3D and BEV IoU, per class, per track, overall; a table, --json, or a --plot PNG.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "eval_plot.hpp"
#include "label_input.hpp"
#include "pcanno/formats/support/output_folder.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/services/evaluation.hpp"
#include "progress.hpp"

namespace pcanno::app {
namespace {

using nlohmann::json;

struct EvalCommandOptions {
  std::string pred;
  std::string gt;
  std::string from_pred;
  std::string from_gt;
  std::string sequence;
  std::string sequence_name;
  std::string frames;
  std::string plot;
  bool exclude_keyframes = false;
  bool exclude_derived_gt = false;
  bool by_keyframe_distance = false;
  bool json = false;
  bool force = false;  ///< replace an existing --plot file
  std::size_t worst = 5;
};

/// "0-19", "3", "0-4,10-14": the frames named, or nullopt when the text is malformed.
std::optional<std::vector<std::int64_t>> parse_frames(const std::string& text) {
  std::vector<std::int64_t> frames;
  std::istringstream parts(text);
  for (std::string part; std::getline(parts, part, ',');) {
    const std::size_t dash = part.find('-', 1);
    const std::string a = part.substr(0, dash);
    const std::string b = dash == std::string::npos ? a : part.substr(dash + 1);
    char* end_a = nullptr;
    char* end_b = nullptr;
    errno = 0;
    const long long first = std::strtoll(a.c_str(), &end_a, 10);
    const long long last = std::strtoll(b.c_str(), &end_b, 10);
    if (a.empty() || b.empty() || *end_a != '\0' || *end_b != '\0' || errno != 0 || first < 0 ||
        last < first || last - first > 10'000'000) {
      return std::nullopt;
    }
    for (long long f = first; f <= last; ++f) frames.push_back(f);
  }
  if (frames.empty()) return std::nullopt;
  return frames;
}

json summary_json(const plugin::IouSummary& s) {
  return {{"boxes", s.boxes},
          {"missed", s.missed},
          {"mean_iou_3d", s.mean_iou_3d},
          {"mean_iou_bev", s.mean_iou_bev},
          {"fraction_3d_50", s.fraction_3d_50},
          {"fraction_3d_70", s.fraction_3d_70},
          {"fraction_bev_50", s.fraction_bev_50},
          {"fraction_bev_70", s.fraction_bev_70}};
}

json report_json(const EvalCommandOptions& opt, const plugin::EvalReport& r) {
  json classes = json::array();
  for (const auto& c : r.classes)
    classes.push_back({{"label", c.label}, {"iou", summary_json(c.iou)}});
  json tracks = json::array();
  for (const auto& t : r.tracks) {
    tracks.push_back({{"track", t.track_id},
                      {"label", t.label},
                      {"iou", summary_json(t.iou)},
                      {"min_iou_3d", t.min_iou_3d},
                      {"worst_frame", t.worst_frame}});
  }
  json distances = json::array();
  for (const auto& d : r.by_keyframe_distance)
    distances.push_back({{"keyframe_distance", d.distance}, {"iou", summary_json(d.iou)}});
  json frames = json::array();
  for (const auto& f : r.frames)
    frames.push_back({{"frame", f.frame}, {"iou", summary_json(f.iou)}});
  json boxes = json::array();
  for (const auto& b : r.boxes) {
    boxes.push_back({{"track", b.track_id},
                     {"frame", b.frame},
                     {"label", b.label},
                     {"predicted", b.predicted},
                     {"same_label", b.same_label},
                     {"iou_3d", b.iou_3d},
                     {"iou_bev", b.iou_bev}});
  }
  json unmatched = json::array();
  for (const auto& u : r.unmatched) {
    unmatched.push_back({{"track", u.track_id}, {"frame", u.frame}, {"label", u.label}});
  }
  return {{"pred", opt.pred},
          {"gt", opt.gt},
          {"exclude_keyframes", opt.exclude_keyframes},
          {"exclude_derived_gt", opt.exclude_derived_gt},
          {"frames", opt.frames.empty() ? json(nullptr) : json(opt.frames)},
          {"overall", summary_json(r.overall)},
          {"classes", classes},
          {"tracks", tracks},
          {"frame_results", frames},
          {"keyframe_distance_results", distances},
          {"boxes", boxes},
          {"unmatched_predictions", unmatched},
          {"excluded_keyframes", r.excluded_keyframes},
          {"excluded_derived_gt", r.excluded_derived},
          {"label_mismatches", r.label_mismatches}};
}

std::string pct(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * fraction);
  return buf;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}


std::vector<std::string> summary_row(const std::string& name, const plugin::IouSummary& s) {
  return {name,
          std::to_string(s.boxes),
          std::to_string(s.missed),
          num(s.mean_iou_3d),
          num(s.mean_iou_bev),
          pct(s.fraction_3d_50),
          pct(s.fraction_3d_70)};
}

void print_text(const EvalCommandOptions& opt, const plugin::EvalReport& r) {
  std::ostringstream out;
  out << "evaluated " << r.overall.boxes << " ground-truth boxes in " << r.tracks.size()
      << " tracks";
  if (!r.frames.empty()) {
    out << " (frames " << r.frames.front().frame << "-" << r.frames.back().frame << ")";
  }
  out << "\nmissed (no prediction): " << r.overall.missed
      << "; unmatched predictions: " << r.unmatched.size();
  if (opt.exclude_keyframes) out << "; keyframes excluded: " << r.excluded_keyframes;
  if (opt.exclude_derived_gt) {
    out << "; interpolated ground truth excluded: " << r.excluded_derived;
  }
  if (r.label_mismatches > 0) out << "; boxes with another class: " << r.label_mismatches;
  out << "\n\n";
  std::vector<std::vector<std::string>> rows{
      {"CLASS", "BOXES", "MISSED", "MEAN 3D", "MEAN BEV", "3D>=0.5", "3D>=0.7"}};
  for (const auto& c : r.classes) rows.push_back(summary_row(c.label, c.iou));
  rows.push_back(summary_row("overall", r.overall));
  out << aligned_table(rows);

  if (opt.by_keyframe_distance) {
    out << "\nby frames to the nearest keyframe:\n";
    std::vector<std::vector<std::string>> d_rows{
        {"FRAMES", "BOXES", "MISSED", "MEAN 3D", "MEAN BEV", "3D>=0.5", "3D>=0.7"}};
    for (const auto& d : r.by_keyframe_distance) {
      d_rows.push_back(summary_row(std::to_string(d.distance), d.iou));
    }
    out << aligned_table(d_rows);
  }

  std::vector<const plugin::TrackResult*> worst;
  for (const auto& t : r.tracks) worst.push_back(&t);
  std::stable_sort(worst.begin(), worst.end(), [](const auto* a, const auto* b) {
    return a->iou.mean_iou_3d < b->iou.mean_iou_3d;
  });
  worst.resize(std::min(worst.size(), opt.worst));
  if (!worst.empty()) {
    out << "\nworst tracks:\n";
    std::vector<std::vector<std::string>> t_rows{
        {"TRACK", "CLASS", "BOXES", "MEAN 3D", "MEAN BEV", "MIN 3D", "WORST FRAME"}};
    for (const auto* t : worst) {
      t_rows.push_back({std::to_string(t->track_id), t->label, std::to_string(t->iou.boxes),
                        num(t->iou.mean_iou_3d), num(t->iou.mean_iou_bev), num(t->min_iou_3d),
                        std::to_string(t->worst_frame)});
    }
    out << aligned_table(t_rows);
  }
  std::cout << out.str();
}

int run_eval(const EvalCommandOptions& opt, const GlobalOptions& global,
             const plugin::Registry& registry) {
  warn_plugin_failures(registry);
  for (const auto& [id, option] :
       {std::pair{opt.from_pred, "--from-pred"}, std::pair{opt.from_gt, "--from-gt"}}) {
    const std::string message = unreadable_format(registry.codecs(), id, option);
    if (!message.empty()) return report_usage(message);
  }
  plugin::EvalOptions options;
  options.exclude_keyframes = opt.exclude_keyframes;
  options.exclude_derived_gt = opt.exclude_derived_gt;
  if (!opt.frames.empty()) {
    auto frames = parse_frames(opt.frames);
    if (!frames) {
      return report_usage("--frames: expected A-B, N or a comma-separated list of them, got '" +
                          opt.frames + "'");
    }
    options.frames = std::move(*frames);
  }

  // An existing --plot is refused before the work, not after it.
  std::error_code ec;
  if (!opt.plot.empty() && !opt.force && std::filesystem::exists(opt.plot, ec)) {
    return refuse_to_replace({opt.plot});
  }
  auto sequence = open_dataset(opt.gt, opt.sequence, opt.sequence_name);
  if (!sequence) return report(sequence.error());
  const formats::Sequence* seq = *sequence ? &**sequence : nullptr;
  ProgressBar bar("reading labels", global.quiet || opt.json);
  auto gt = read_labels(registry, opt.gt, opt.from_gt, seq, nullptr, bar.callback(0.0, 0.5));
  if (!gt) return report(gt.error());
  auto pred = read_labels(registry, opt.pred, opt.from_pred, seq, nullptr, bar.callback(0.5, 1.0));
  if (!pred) return report(pred.error());

  // Without --sequence, poses (needed only when the two documents use different shape frames)
  // come from the dataset the ground truth names.
  std::optional<formats::Sequence> referenced;
  if (seq == nullptr) {
    referenced = open_referenced_dataset(*gt);
    if (referenced) seq = &*referenced;
  }
  if (formats::Status go = CancelToken::check(); !go) return report(go.error());
  auto report_or = plugin::evaluate(*pred, *gt, seq, options);
  if (!report_or) return report(report_or.error());
  if (formats::Status go = CancelToken::check(); !go) return report(go.error());
  const plugin::EvalReport& r = *report_or;

  if (!opt.plot.empty()) {
    // Missing folders of --plot are made, and taken away again when the write fails.
    formats::OutputFolders folders;
    formats::Status written = folders.create(output_parent(opt.plot));
    if (written) written = write_eval_plot(opt.plot, r, opt.force);
    if (!written) return report(written.error());
    folders.keep();
  }
  if (opt.json) {
    json j = report_json(opt, r);
    j["plot"] = opt.plot.empty() ? json(nullptr) : json(opt.plot);
    std::cout << j.dump(2) << '\n';
  } else {
    print_text(opt, r);
    if (!opt.plot.empty()) std::cout << "\nplot: " << opt.plot << '\n';
  }
  return kExitOk;
}

}  // namespace

void add_eval_command(CLI::App& app, const GlobalOptions& global, const plugin::Registry& registry,
                      CommandAction& action) {
  auto opt = std::make_shared<EvalCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "eval",
      "Score predicted tracks against ground truth: boxes matched by track id and frame, 3D and "
      "BEV IoU per box, class, track and overall, share of boxes with IoU >= 0.5 and >= 0.7");
  cmd->add_option("pred", opt->pred, "Predicted labels (any readable format)")->required();
  cmd->add_option("gt", opt->gt, "Ground-truth labels (any readable format)")->required();
  cmd->add_option("--from-pred", opt->from_pred, "Format of PRED, overriding detection");
  cmd->add_option("--from-gt", opt->from_gt, "Format of GT, overriding detection");
  cmd->add_option("--sequence", opt->sequence,
                  "Dataset supplying calibration and poses (needed when PRED and GT store boxes in "
                  "different frames)");
  cmd->add_option("--sequence-name", opt->sequence_name,
                  "Sequence or scene inside the dataset (0003, scene-0061)");
  cmd->add_option("--frames", opt->frames, "Evaluate only these frames: A-B, N, or a list A-B,N");
  cmd->add_flag("--by-keyframe-distance", opt->by_keyframe_distance,
                "Also tabulate IoU by the number of frames to the nearest keyframe");
  cmd->add_flag("--exclude-keyframes", opt->exclude_keyframes,
                "Skip ground-truth boxes whose predicted box is a keyframe (score only the boxes "
                "a tracker or interpolation made)");
  cmd->add_flag("--exclude-derived-gt", opt->exclude_derived_gt,
                "Skip ground-truth boxes that are the exact midpoint of their neighbours in the "
                "frames before and after: a labelling tool interpolated them (KITTI tracking "
                "labels are linear between the annotators' keyframes), so only hand-placed boxes "
                "are scored");
  cmd->add_option("--worst", opt->worst, "Tracks listed as worst in the table")
      ->capture_default_str();
  cmd->add_option("--plot", opt->plot,
                  "Write a PNG: mean 3D IoU per frame and a histogram of the per-box 3D IoU "
                  "(folders are made when missing)");
  cmd->add_flag("-f,--force", opt->force, "Replace an existing --plot file");
  cmd->add_flag("--json", opt->json, "Machine-readable output");
  cmd->callback([opt, &global, &registry, &action] {
    action = [opt, &global, &registry] { return run_eval(*opt, global, registry); };
  });
}

}  // namespace pcanno::app
