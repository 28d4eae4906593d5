// pcanno.check: quality checks as `pcanno check --json` (app/check_command.cpp) gives them, as a
// dict with the same keys.
#include <utility>

#include <pybind11/stl.h>

#include "automation.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/formats/labels/document/class_schema_file.hpp"
#include "pcanno/plugin/services/qa.hpp"

namespace pcanno::python::automation {
namespace {

struct CheckOutcome {
  formats::Annotations labels;
  std::optional<formats::Sequence> sequence;
  plugin::QaReport report;
};

py::dict check_json(const py::object& labels_json, const CheckOutcome& o) {
  const plugin::QaReport& r = o.report;
  py::list findings;
  for (const plugin::Finding& f : r.findings) {
    const formats::Track* t = f.track >= 0 ? o.labels.track(f.track) : nullptr;
    py::dict finding;
    finding["severity"] = plugin::to_string(f.severity);
    finding["check"] = f.check;
    finding["track"] = f.track >= 0 ? py::object(py::int_(f.track)) : py::object(py::none());
    finding["label"] = t != nullptr ? py::object(py::str(t->label)) : py::object(py::none());
    finding["frame"] = f.frame >= 0 ? py::object(py::int_(f.frame)) : py::object(py::none());
    finding["value"] = f.value;
    finding["limit"] = f.limit;
    finding["message"] = f.message;
    findings.append(finding);
  }
  py::object sequence = py::none();
  if (o.sequence) {
    py::dict s;
    s["layout"] = o.sequence->layout;
    s["name"] = o.sequence->name;
    s["path"] = o.sequence->root.string();
    sequence = s;
  }
  py::dict summary;
  summary["errors"] = r.count(plugin::Severity::kError);
  summary["warnings"] = r.count(plugin::Severity::kWarning);
  summary["infos"] = r.count(plugin::Severity::kInfo);
  summary["tracks"] = r.tracks;
  summary["boxes"] = r.boxes;
  summary["clouds_read"] = r.clouds_read;
  summary["motion_in_world"] = r.motion_in_world;
  py::dict out;
  out["labels"] = labels_json;
  out["sequence"] = sequence;
  out["summary"] = summary;
  out["findings"] = findings;
  return out;
}

py::dict check(py::object labels_arg_value, const std::optional<std::string>& format,
               py::object sequence_value, std::string sequence_name, py::object schema_arg,
               std::size_t min_points, bool points, py::object progress) {
  LabelsArg labels = labels_arg(labels_arg_value, "labels");
  const plugin::Registry& reg = python_registry();
  const std::string from = format_arg(reg, format, labels, "format");
  const SequenceInput sequence = sequence_input(sequence_value, sequence_name);
  const std::string schema = schema_arg.is_none() ? "" : path_arg(schema_arg, "schema");
  ProgressBridge bridge(std::move(progress));
  const std::function<bool(double)> whole = bridge.callback();
  std::optional<formats::Expected<CheckOutcome>> run;
  {
    py::gil_scoped_release release;
    run.emplace([&]() -> formats::Expected<CheckOutcome> {
      CheckOutcome o;
      auto dataset = sequence.dataset_for(labels.path);
      if (!dataset) return std::move(dataset).error();
      o.sequence = std::move(*dataset);
      auto doc = load(labels, reg, from, o.sequence ? &*o.sequence : nullptr, {});
      if (!doc) return std::move(doc).error();
      o.labels = std::move(*doc);
      if (!schema.empty()) {
        // The file wins over the labels' own classes (formats::apply_class_schema).
        auto read = formats::read_class_schema(schema);
        if (!read) return std::move(read).error();
        formats::apply_class_schema(o.labels, *read);
      }
      // Without `sequence`, the dataset the labels name gives poses and points when it opens.
      if (!o.sequence) o.sequence = open_referenced_dataset(o.labels);
      plugin::QaOptions options;
      options.min_points = min_points;
      options.check_points = points;
      options.progress = whole;
      auto checked =
          plugin::check_annotations(o.labels, o.sequence ? &*o.sequence : nullptr, options);
      if (!checked) return std::move(checked).error();
      o.report = std::move(*checked);
      return o;
    }());
  }
  CheckOutcome outcome = bridge.unwrap(std::move(*run));
  return check_json(labels.json(), outcome);
}

}  // namespace

void bind_check(py::module_& m) {
  m.def("check", &check, py::arg("labels"), py::kw_only(), py::arg("format") = py::none(),
        py::arg("sequence") = py::none(), py::arg("sequence_name") = "",
        py::arg("schema") = py::none(), py::arg("min_points") = plugin::QaOptions{}.min_points,
        py::arg("points") = true, py::arg("progress") = py::none(),
        R"doc(Quality checks on labels (`pcanno check --json`).

Checks speed, acceleration and yaw rate per class (in the world frame when poses are known),
heading flips, size drift within a track, boxes with too few LiDAR points, overlapping boxes,
and with a class schema the attribute and tag rules. The call succeeds whatever it finds: look
at result["summary"]["errors"] (the CLI exits 1 when it is not 0).

Args:
    labels: label file, label folder or dataset root holding labels (any readable format), or a
        pcanno.Annotations (not changed).
    format: format of a labels path, overriding detection (--from).
    sequence: dataset supplying poses, timestamps and points, a path or a pcanno.Sequence
        (default: the one the labels name, or the labels path itself when it is a dataset
        root).
    sequence_name: sequence or scene inside the dataset ("0003", "scene-0061").
    schema: class schema file whose classes, attributes and tags replace the labels' own.
    min_points: boxes with fewer LiDAR points get a warning (none at all: an error unless the
        box is a keyframe).
    points: read the clouds to count points in boxes (False: --no-points).
    progress: callable(fraction in [0, 1]); returning False cancels.

Returns:
    dict with the keys of `pcanno check --json`: labels (the path, None for an object),
    sequence (None or layout, name, path), summary (errors, warnings, infos, tracks, boxes,
    clouds_read, motion_in_world) and findings (severity, check, track, label, frame, value,
    limit, message), sorted by track then frame.

Raises:
    pcanno.CancelledError when cancelled; the reading errors of the labels, sequence and schema.)doc");
}

}  // namespace pcanno::python::automation
