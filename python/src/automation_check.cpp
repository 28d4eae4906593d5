// pcanno.check: quality checks as `pcanno check --json` (app/check_command.cpp) gives them, as a
// dict with the same keys.
#include <utility>

#include <pybind11/stl.h>

#include "automation.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/formats/labels/document/class_schema_file.hpp"
#include "pcanno/plugin/services/automation_reports.hpp"
#include "pcanno/plugin/services/qa.hpp"

namespace pcanno::python::automation {
namespace {

struct CheckOutcome {
  formats::Annotations labels;
  std::optional<formats::Sequence> sequence;
  plugin::QaReport report;
};

py::dict check_json(const py::object& labels_json, const CheckOutcome& o) {
  py::dict out;
  out["labels"] = labels_json;
  plugin::ReportValue fields = plugin::ReportValue::object();
  plugin::add_check_report(fields, o.labels, o.sequence ? &*o.sequence : nullptr, o.report);
  update(out, fields);
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
