// pcanno.eval: tracking and detection evaluation as `pcanno eval --json` (app/eval_command.cpp)
// gives them, as a dict with the same keys.
#include <cmath>
#include <utility>

#include <pybind11/stl.h>

#include "automation.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/services/detection_eval.hpp"
#include "pcanno/plugin/services/eval_input.hpp"
#include "pcanno/plugin/services/eval_report.hpp"
#include "pcanno/plugin/services/evaluation.hpp"

namespace pcanno::python::automation {
namespace {

/// eval's frames: None, the CLI's text, or an iterable of frame numbers.
std::vector<std::int64_t> frames_arg(const py::object& frames) {
  if (frames.is_none()) return {};
  if (py::isinstance<py::str>(frames)) {
    const std::string text = frames.cast<std::string>();
    auto parsed = plugin::parse_frames(text);
    if (!parsed) {
      raise_error(invalid("frames: expected A-B, N or a comma-separated list of them, got '" +
                          text + "'"));
    }
    return std::move(*parsed);
  }
  std::vector<std::int64_t> out;
  try {
    out = frames.cast<std::vector<std::int64_t>>();
  } catch (const py::cast_error&) {
    raise_error(invalid("frames: expected a str such as \"0-4,10\" or an iterable of frames"));
  }
  for (std::int64_t f : out) {
    if (f < 0) raise_error(invalid("frames: " + std::to_string(f) + " is negative"));
  }
  return out;
}


struct EvalArgs {
  LabelsArg pred;
  LabelsArg gt;
  std::string from_pred;
  std::string from_gt;
  SequenceInput sequence;
  bool detection = false;
  plugin::EvalOptions tracking;
  plugin::DetectionInputOptions detection_input;
  std::size_t min_points = 0;
};

struct EvalOutcome {
  std::optional<plugin::EvalReport> tracking;
  std::optional<plugin::DetectionInput> input;
  std::optional<plugin::DetectionReport> detection;
};

/// load_inputs, run_eval and run_detection of app/eval_command.cpp, without the GIL.
formats::Expected<EvalOutcome> run_eval(EvalArgs& a, const plugin::Registry& registry,
                                        const std::function<bool(double)>& progress) {
  auto dataset = a.sequence.dataset_for(a.gt.path);
  if (!dataset) return std::move(dataset).error();
  const formats::Sequence* seq = *dataset ? &**dataset : nullptr;
  auto gt = load(a.gt, registry, a.from_gt, seq, span(progress, 0.0, 0.3));
  if (!gt) return std::move(gt).error();
  auto pred = load(a.pred, registry, a.from_pred, seq, span(progress, 0.3, 0.6));
  if (!pred) return std::move(pred).error();
  // Without `sequence`, poses and clouds come from the dataset the ground truth names.
  std::optional<formats::Sequence> referenced;
  if (seq == nullptr) {
    referenced = open_referenced_dataset(*gt);
    if (referenced) seq = &*referenced;
  }
  if (progress && !progress(0.6)) {
    return formats::Error{formats::ErrorCode::kCancelled, "cancelled", ""};
  }
  EvalOutcome o;
  if (!a.detection) {
    auto report = plugin::evaluate(*pred, *gt, seq, a.tracking);
    if (!report) return std::move(report).error();
    o.tracking = std::move(*report);
  } else {
    if (a.min_points > 0 && seq == nullptr) {
      return invalid("min_points counts points in the clouds; give the dataset as sequence");
    }
    auto input = plugin::detection_input(*pred, *gt, seq, a.detection_input);
    if (!input) return std::move(input).error();
    if (a.min_points > 0) {
      formats::Status marked =
          plugin::mark_sparse_ground_truth(input->gt, *seq, a.min_points,
                                           span(progress, 0.6, 0.95));
      if (!marked) return marked.error();
    }
    auto result = plugin::evaluate_detection(input->pred, input->gt, {});
    if (!result) return std::move(result).error();
    o.input = std::move(*input);
    o.detection = std::move(*result);
  }
  if (progress && !progress(1.0)) {
    return formats::Error{formats::ErrorCode::kCancelled, "cancelled", ""};
  }
  return o;
}

py::dict eval(py::object pred, py::object gt, const std::optional<std::string>& pred_format,
              const std::optional<std::string>& gt_format, py::object sequence_value,
              std::string sequence_name, py::object frames, bool exclude_keyframes,
              bool exclude_derived_gt, bool detection, std::optional<double> min_score,
              std::optional<double> max_range, py::object classes, std::size_t min_points,
              bool dont_care, py::object progress) {
  EvalArgs a;
  a.pred = labels_arg(pred, "pred");
  a.gt = labels_arg(gt, "gt");
  const plugin::Registry& reg = python_registry();
  a.from_pred = format_arg(reg, pred_format, a.pred, "pred_format");
  a.from_gt = format_arg(reg, gt_format, a.gt, "gt_format");
  a.sequence = sequence_input(sequence_value, sequence_name);
  a.detection = detection;
  a.min_points = min_points;
  const std::vector<std::int64_t> selected = frames_arg(frames);
  std::vector<std::string> class_list;
  if (!classes.is_none()) {
    try {
      class_list = py::isinstance<py::str>(classes)
                       ? std::vector<std::string>{classes.cast<std::string>()}
                       : classes.cast<std::vector<std::string>>();
    } catch (const py::cast_error&) {
      raise_error(invalid("classes: expected a class name or a list of class names"));
    }
    for (const std::string& c : class_list) {
      if (c.empty()) raise_error(invalid("classes: a class name is empty"));
    }
    if (class_list.empty()) raise_error(invalid("classes: expected at least one class name"));
  }
  if (!detection) {
    const std::pair<bool, const char*> given[] = {{min_score.has_value(), "min_score"},
                                                  {max_range.has_value(), "max_range"},
                                                  {!classes.is_none(), "classes"},
                                                  {min_points > 0, "min_points"},
                                                  {!dont_care, "dont_care"}};
    for (const auto& [set, name] : given) {
      if (set) raise_error(invalid(std::string(name) + " applies to detection=True only"));
    }
    a.tracking.frames = selected;
    a.tracking.exclude_keyframes = exclude_keyframes;
    a.tracking.exclude_derived_gt = exclude_derived_gt;
  } else {
    if (exclude_keyframes || exclude_derived_gt) {
      raise_error(invalid("exclude_keyframes and exclude_derived_gt score tracks; they do not "
                          "combine with detection=True"));
    }
    a.detection_input.frames = selected;
    a.detection_input.classes = class_list;
    if (min_score) {
      if (!std::isfinite(*min_score)) raise_error(invalid("min_score: expected a number"));
      a.detection_input.min_score = *min_score;
    }
    if (max_range) {
      if (!(*max_range > 0.0 && std::isfinite(*max_range))) {
        raise_error(invalid("max_range: expected a distance above 0 [m], got " +
                            std::to_string(*max_range)));
      }
      a.detection_input.max_range = *max_range;
    }
    a.detection_input.dont_care = dont_care;
  }
  ProgressBridge bridge(std::move(progress));
  std::optional<formats::Expected<EvalOutcome>> run;
  {
    py::gil_scoped_release release;
    run.emplace(run_eval(a, reg, bridge.callback()));
  }
  const EvalOutcome o = bridge.unwrap(std::move(*run));
  const py::object frames_json = frames.is_none()                     ? py::object(py::none())
                                 : py::isinstance<py::str>(frames) ? frames
                                                                   : py::object(py::cast(selected));
  py::dict j;
  if (!detection) {
    j["pred"] = a.pred.json();
    j["gt"] = a.gt.json();
    j["exclude_keyframes"] = exclude_keyframes;
    j["exclude_derived_gt"] = exclude_derived_gt;
    j["frames"] = frames_json;
    plugin::ReportValue fields = plugin::ReportValue::object();
    plugin::add_tracking_report(fields, *o.tracking);
    update(j, fields);
    j["plot"] = py::none();  // the CLI's --plot PNG is not offered: matplotlib is at hand
    return j;
  }
  j["mode"] = "detection";
  j["pred"] = a.pred.json();
  j["gt"] = a.gt.json();
  j["frames"] = frames_json;
  j["classes_selected"] = py::cast(class_list);
  j["min_score"] = optional(min_score);
  j["max_range"] = optional(max_range);
  j["min_points"] = min_points;
  plugin::ReportValue fields = plugin::ReportValue::object();
  plugin::add_detection_report(fields, *o.input, *o.detection);
  update(j, fields);
  return j;
}

}  // namespace

void bind_eval(py::module_& m) {
  m.def("eval", &eval, py::arg("pred"), py::arg("gt"), py::kw_only(),
        py::arg("pred_format") = py::none(), py::arg("gt_format") = py::none(),
        py::arg("sequence") = py::none(), py::arg("sequence_name") = "",
        py::arg("frames") = py::none(), py::arg("exclude_keyframes") = false,
        py::arg("exclude_derived_gt") = false, py::arg("detection") = false,
        py::arg("min_score") = py::none(), py::arg("max_range") = py::none(),
        py::arg("classes") = py::none(), py::arg("min_points") = 0, py::arg("dont_care") = true,
        py::arg("progress") = py::none(),
        R"doc(Score predictions against ground truth (`pcanno eval --json`).

Tracking (default): predicted boxes are matched to ground-truth boxes by track id and frame,
never by overlap; every ground-truth box gets its 3D and BEV IoU (0 when missed), summarised
per class, track, frame, keyframe distance and overall.

Detection (`detection=True`, --detection): boxes are matched by overlap per frame and class,
greedily by descending score; precision, recall and KITTI's 40-point AP (R40) per class, BEV and
3D, at IoU 0.5 and 0.7. Predictions without a score count as 1.

Args:
    pred, gt: predicted and ground-truth labels: paths (any readable format) or
        pcanno.Annotations.
    pred_format, gt_format: formats of the paths, overriding detection (--from-pred, --from-gt).
    sequence: dataset supplying calibration, poses (needed when the two store boxes in
        different frames) and clouds (min_points): a path or a pcanno.Sequence.
    sequence_name: sequence or scene inside the dataset.
    frames: only these frames: "A-B", "N", "A-B,N" or an iterable of frame numbers.
    exclude_keyframes: tracking: skip ground truth whose predicted box is a keyframe.
    exclude_derived_gt: tracking: skip ground-truth boxes that are the exact midpoint of their
        neighbours (a labelling tool interpolated them).
    detection: score detections instead of tracks.
    min_score: detection: leave out predictions scored below.
    max_range: detection: leave out boxes farther than this [m] from the sensor (ground plane).
    classes: detection: only these classes (a name or a list of names).
    min_points: detection: ground-truth boxes with fewer LiDAR points are ignored (needs the
        clouds).
    dont_care: detection: predictions inside KITTI DontCare regions that match nothing are
        ignored (False: they are false positives).
    progress: callable(fraction in [0, 1]); returning False cancels.

Returns:
    dict with the keys of `pcanno eval --json` (tracking: pred, gt, exclude_keyframes,
    exclude_derived_gt, frames, overall, classes, tracks, frame_results,
    keyframe_distance_results, boxes, unmatched_predictions, excluded_keyframes,
    excluded_derived_gt, label_mismatches; detection: mode, pred, gt, frames,
    classes_selected, min_score, max_range, min_points, ground_truth, ignored_ground_truth,
    predictions, unscored_predictions, dont_care_regions, dont_care_predictions, classes with
    their metrics, mean). "pred" and "gt" are None for Annotations objects; `frames` given as
    an iterable is listed. The CLI's --plot is not offered ("plot" is None): plot the dict with
    matplotlib (examples/python/plot_tracks.py).

Raises:
    pcanno.InvalidArgumentError for options that do not apply or bad values;
    pcanno.CancelledError when cancelled; the reading errors of the inputs.)doc");
}

}  // namespace pcanno::python::automation
