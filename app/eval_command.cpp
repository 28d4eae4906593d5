// `pcanno eval PRED GT`: predicted tracks against ground truth, matched by track id and frame;
// per-box 3D and BEV IoU, per class, per track, overall; a table, --json, or a --plot PNG.
// `pcanno eval --detection PRED GT`: detections matched by overlap, precision, recall and KITTI's
// R40 AP per class, BEV and 3D, at IoU 0.5 and 0.7 (plugin/services/detection_eval.hpp).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
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
#include "pcanno/plugin/services/detection_eval.hpp"
#include "pcanno/plugin/services/eval_input.hpp"
#include "pcanno/plugin/services/eval_report.hpp"
#include "pcanno/plugin/services/evaluation.hpp"
#include "progress.hpp"
#include "report_json.hpp"

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
  // --detection and its filters (the options are kept to tell whether they were given).
  bool detection = false;
  double min_score = 0.0;
  double max_range = 0.0;  ///< [m]
  std::string classes;
  std::size_t min_points = 0;
  bool no_dont_care = false;
  const CLI::Option* min_score_option = nullptr;
  const CLI::Option* max_range_option = nullptr;
  const CLI::Option* classes_option = nullptr;
  const CLI::Option* min_points_option = nullptr;
  const CLI::Option* no_dont_care_option = nullptr;
};

/// Both documents and the datasets that give their calibration, poses and clouds.
struct EvalInputs {
  formats::Annotations pred;
  formats::Annotations gt;
  std::optional<formats::Sequence> dataset;     ///< --sequence, or GT when it is a dataset root
  std::optional<formats::Sequence> referenced;  ///< the dataset GT names, when no `dataset`
  const formats::Sequence* sequence() const {
    return dataset ? &*dataset : referenced ? &*referenced : nullptr;
  }
};

json report_json(const EvalCommandOptions& opt, const plugin::EvalReport& r) {
  plugin::ReportValue fields = plugin::ReportValue::object();
  plugin::add_tracking_report(fields, r);
  json j = to_json(fields);
  j["pred"] = opt.pred;
  j["gt"] = opt.gt;
  j["exclude_keyframes"] = opt.exclude_keyframes;
  j["exclude_derived_gt"] = opt.exclude_derived_gt;
  j["frames"] = opt.frames.empty() ? json(nullptr) : json(opt.frames);
  return j;
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

/// The usage message for --from-pred / --from-gt naming a format that cannot be read, or "".
std::string unreadable_formats(const EvalCommandOptions& opt, const plugin::Registry& registry) {
  for (const auto& [id, option] :
       {std::pair{opt.from_pred, "--from-pred"}, std::pair{opt.from_gt, "--from-gt"}}) {
    std::string message = unreadable_format(registry.codecs(), id, option);
    if (!message.empty()) return message;
  }
  return "";
}

/// --frames as a list, or a usage message in `error`.
std::vector<std::int64_t> selected_frames(const EvalCommandOptions& opt, std::string& error) {
  if (opt.frames.empty()) return {};
  auto frames = plugin::parse_frames(opt.frames);
  if (!frames) {
    error = "--frames: expected A-B, N or a comma-separated list of them, got '" + opt.frames + "'";
    return {};
  }
  return std::move(*frames);
}

/// Reads GT, then PRED, with the calibration of --sequence (or of GT when it is a dataset root).
formats::Expected<EvalInputs> load_inputs(const EvalCommandOptions& opt,
                                          const GlobalOptions& global,
                                          const plugin::Registry& registry) {
  EvalInputs in;
  auto dataset = open_dataset(opt.gt, opt.sequence, opt.sequence_name);
  if (!dataset) return std::move(dataset).error();
  in.dataset = std::move(*dataset);
  const formats::Sequence* seq = in.sequence();
  ProgressBar bar("reading labels", global.quiet || opt.json);
  auto gt = read_labels(registry, opt.gt, opt.from_gt, seq, nullptr, bar.callback(0.0, 0.5));
  if (!gt) return std::move(gt).error();
  auto pred = read_labels(registry, opt.pred, opt.from_pred, seq, nullptr, bar.callback(0.5, 1.0));
  if (!pred) return std::move(pred).error();
  in.gt = std::move(*gt);
  in.pred = std::move(*pred);
  // Without --sequence, poses (needed only when the two documents use different shape frames)
  // come from the dataset the ground truth names.
  if (seq == nullptr) in.referenced = open_referenced_dataset(in.gt);
  return in;
}

int run_detection(const EvalCommandOptions& opt, const GlobalOptions& global,
                  const plugin::Registry& registry);

int run_eval(const EvalCommandOptions& opt, const GlobalOptions& global,
             const plugin::Registry& registry) {
  warn_plugin_failures(registry);
  if (const std::string message = unreadable_formats(opt, registry); !message.empty()) {
    return report_usage(message);
  }
  if (opt.detection) return run_detection(opt, global, registry);
  for (const CLI::Option* o : {opt.min_score_option, opt.max_range_option, opt.classes_option,
                               opt.min_points_option, opt.no_dont_care_option}) {
    if (o != nullptr && o->count() > 0) {
      return report_usage(o->get_name() + " applies to --detection only");
    }
  }
  plugin::EvalOptions options;
  options.exclude_keyframes = opt.exclude_keyframes;
  options.exclude_derived_gt = opt.exclude_derived_gt;
  std::string frames_error;
  options.frames = selected_frames(opt, frames_error);
  if (!frames_error.empty()) return report_usage(frames_error);

  // An existing --plot is refused before the work, not after it.
  std::error_code ec;
  if (!opt.plot.empty() && !opt.force && std::filesystem::exists(opt.plot, ec)) {
    return refuse_to_replace({opt.plot});
  }
  auto inputs = load_inputs(opt, global, registry);
  if (!inputs) return report(inputs.error());
  if (formats::Status go = CancelToken::check(); !go) return report(go.error());
  auto report_or = plugin::evaluate(inputs->pred, inputs->gt, inputs->sequence(), options);
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

/// "Car,Van" -> {"Car", "Van"}; an empty name is a usage message in `error`.
std::vector<std::string> split_classes(const std::string& text, std::string& error) {
  std::vector<std::string> out;
  std::istringstream parts(text);
  for (std::string part; std::getline(parts, part, ',');) {
    const auto first = part.find_first_not_of(' ');
    const auto last = part.find_last_not_of(' ');
    if (first == std::string::npos) {
      error = "--classes: expected class names separated by commas (Car,Van), got '" + text + "'";
      return {};
    }
    out.push_back(part.substr(first, last - first + 1));
  }
  if (out.empty()) error = "--classes: expected at least one class name";
  return out;
}

std::string optional_num(const std::optional<double>& v) { return v ? num(*v) : "-"; }

/// One table row per class (or the mean) and threshold: precision, recall and AP, BEV then 3D.
void add_detection_rows(std::vector<std::vector<std::string>>& rows, const std::string& label,
                        const std::string& gt, const std::string& pred,
                        const std::vector<plugin::DetectionMetrics>& metrics,
                        const std::vector<double>& thresholds) {
  for (std::size_t t = 0; t < thresholds.size(); ++t) {
    const plugin::DetectionMetrics& bev = metrics[t];
    const plugin::DetectionMetrics& box = metrics[thresholds.size() + t];
    rows.push_back({t == 0 ? label : "", t == 0 ? gt : "", t == 0 ? pred : "",
                    num(thresholds[t]).substr(0, 3), optional_num(bev.precision),
                    optional_num(bev.recall), optional_num(bev.ap_r40), optional_num(box.precision),
                    optional_num(box.recall), optional_num(box.ap_r40)});
  }
}

int run_detection(const EvalCommandOptions& opt, const GlobalOptions& global,
                  const plugin::Registry& registry) {
  if (!opt.plot.empty() || opt.exclude_keyframes || opt.exclude_derived_gt ||
      opt.by_keyframe_distance) {
    return report_usage(
        "--plot, --exclude-keyframes, --exclude-derived-gt and --by-keyframe-distance score "
        "tracks; they do not combine with --detection");
  }
  plugin::DetectionInputOptions in_options;
  std::string error;
  in_options.frames = selected_frames(opt, error);
  if (error.empty() && !opt.classes.empty()) in_options.classes = split_classes(opt.classes, error);
  if (!error.empty()) return report_usage(error);
  if (opt.min_score_option->count() > 0) {
    if (!std::isfinite(opt.min_score)) return report_usage("--min-score: expected a number");
    in_options.min_score = opt.min_score;
  }
  if (opt.max_range_option->count() > 0) {
    if (!(opt.max_range > 0.0 && std::isfinite(opt.max_range))) {
      return report_usage("--max-range: expected a distance above 0 [m], got " +
                          std::to_string(opt.max_range));
    }
    in_options.max_range = opt.max_range;
  }
  in_options.dont_care = !opt.no_dont_care;

  auto inputs = load_inputs(opt, global, registry);
  if (!inputs) return report(inputs.error());
  const formats::Sequence* seq = inputs->sequence();
  if (opt.min_points > 0 && seq == nullptr) {
    return report_usage(
        "--min-points counts points in the clouds; give the dataset with --sequence");
  }
  auto input = plugin::detection_input(inputs->pred, inputs->gt, seq, in_options);
  if (!input) return report(input.error());
  if (opt.min_points > 0) {
    ProgressBar bar("counting points in ground-truth boxes", global.quiet || opt.json);
    formats::Status marked =
        plugin::mark_sparse_ground_truth(input->gt, *seq, opt.min_points, bar.callback());
    if (!marked) return report(marked.error());
  }
  if (formats::Status go = CancelToken::check(); !go) return report(go.error());
  const plugin::DetectionEvalOptions eval_options;
  auto result = plugin::evaluate_detection(input->pred, input->gt, eval_options);
  if (!result) return report(result.error());

  std::size_t ignored_gt = 0;
  for (const plugin::DetectionBox& b : input->gt) ignored_gt += b.ignore ? 1 : 0;
  if (opt.json) {
    plugin::ReportValue fields = plugin::ReportValue::object();
    plugin::add_detection_report(fields, *input, *result);
    json j = to_json(fields);
    j["mode"] = "detection";
    j["pred"] = opt.pred;
    j["gt"] = opt.gt;
    j["frames"] = opt.frames.empty() ? json(nullptr) : json(opt.frames);
    j["classes_selected"] = in_options.classes;
    j["min_score"] = opt.min_score_option->count() > 0 ? json(opt.min_score) : json(nullptr);
    j["max_range"] = opt.max_range_option->count() > 0 ? json(opt.max_range) : json(nullptr);
    j["min_points"] = opt.min_points;
    std::cout << j.dump(2) << '\n';
    return kExitOk;
  }
  std::ostringstream out;
  out << "detection: " << input->gt.size() << " ground-truth boxes";
  if (opt.min_points > 0) {
    out << " (" << ignored_gt << " with fewer than " << opt.min_points << " points ignored)";
  }
  out << ", " << input->pred.size() << " predictions";
  if (input->unscored_predictions > 0) {
    out << " (" << input->unscored_predictions << " without a score, taken as 1)";
  }
  out << "\nDontCare regions: " << input->dont_care_regions
      << ", predictions inside them: " << input->dont_care_predictions << "\n\n";
  std::vector<std::vector<std::string>> rows{
      {"CLASS", "GT", "PRED", "IOU", "BEV P", "BEV R", "BEV AP", "3D P", "3D R", "3D AP"}};
  for (const plugin::DetectionClassResult& c : result->classes) {
    add_detection_rows(rows, c.label, std::to_string(c.ground_truth - c.ignored_ground_truth),
                       std::to_string(c.predictions), c.metrics, eval_options.iou_thresholds);
  }
  add_detection_rows(rows, "mean", "", "", result->mean, eval_options.iou_thresholds);
  out << aligned_table(rows)
      << "\nP precision, R recall, AP KITTI's 40-point interpolated average precision; GT counts "
         "the boxes not ignored; the mean row: precision and recall over all boxes, AP averaged "
         "over the classes with ground truth\n";
  std::cout << out.str();
  return kExitOk;
}
}  // namespace

void add_eval_command(CLI::App& app, const GlobalOptions& global, const plugin::Registry& registry,
                      CommandAction& action) {
  auto opt = std::make_shared<EvalCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "eval",
      "Score predicted tracks against ground truth: boxes matched by track id and frame, 3D and "
      "BEV IoU per box, class, track and overall, share of boxes with IoU >= 0.5 and >= 0.7; with "
      "--detection, score detections: precision, recall and KITTI's 40-point AP per class");
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
  cmd->add_flag("--detection", opt->detection,
                "Score detections instead of tracks: boxes matched by overlap per frame and class "
                "(greedy by descending score), precision, recall and KITTI's 40-point AP per "
                "class, BEV and 3D, at IoU 0.5 and 0.7; predictions without a score count as 1");
  opt->min_score_option = cmd->add_option("--min-score", opt->min_score,
                                          "--detection: leave out predictions scored below S");
  opt->max_range_option =
      cmd->add_option("--max-range", opt->max_range,
                      "--detection: leave out boxes (both sides) whose centre is farther than R "
                      "[m] from the sensor on the ground plane");
  opt->classes_option = cmd->add_option("--classes", opt->classes,
                                        "--detection: evaluate only these classes, e.g. Car,Van");
  opt->min_points_option = cmd->add_option(
      "--min-points", opt->min_points,
      "--detection: ground-truth boxes with fewer LiDAR points count neither as found nor as "
      "missed, and predictions on them are not false positives (needs the clouds)");
  opt->no_dont_care_option =
      cmd->add_flag("--no-dont-care", opt->no_dont_care,
                    "--detection: count predictions inside KITTI DontCare regions as false "
                    "positives too (by default one that matches nothing is ignored)");
  cmd->callback([opt, &global, &registry, &action] {
    action = [opt, &global, &registry] { return run_eval(*opt, global, registry); };
  });
}

}  // namespace pcanno::app
