// pcanno.fit, track, prelabel, check and eval: the CLI's automation and QA commands over the same
// engine services (plugin/services, plugin/automation). This file holds what they share and
// `fit`; automation_complete.cpp has track and prelabel, automation_check.cpp and
// automation_eval.cpp check and eval.
#include <cstdio>
#include <utility>

#include <pybind11/stl.h>

#include "automation.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/geometry/box_fit.hpp"
#include "pcanno/geometry/ground.hpp"
#include "pcanno/plugin/automation/class_fit.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/services/automation_reports.hpp"

namespace pcanno::python {
namespace automation {

bool is_path(py::handle value) {
  if (py::isinstance<py::str>(value) || py::isinstance<py::bytes>(value)) return true;
  return py::isinstance(value, py::module_::import("os").attr("PathLike"));
}

std::string path_arg(py::handle value, const char* argument) {
  if (!is_path(value)) {
    throw py::type_error(std::string(argument) + ": expected a path (str or os.PathLike), got " +
                         std::string(py::str(py::type::handle_of(value).attr("__name__"))));
  }
  py::object fspath = py::module_::import("os").attr("fsdecode")(value);
  return fspath.cast<std::string>();
}

SequenceInput sequence_input(py::handle value, const std::string& name) {
  SequenceInput in;
  in.name = name;
  if (value.is_none()) return in;
  in.given = given_sequence(value, name);
  if (in.given) {
    in.path = in.given->root.string();
    in.name = in.given->name;
    return in;
  }
  if (is_path(value) || !py::hasattr(value, "path")) {
    in.path = path_arg(value, "sequence");
    return in;
  }
  if (in.name.empty() && py::hasattr(value, "name") && !value.attr("name").is_none()) {
    in.name = py::str(value.attr("name")).cast<std::string>();
  }
  in.path = path_arg(value.attr("path"), "sequence.path");
  return in;
}

formats::Expected<formats::Sequence> SequenceInput::open(const plugin::Registry& registry) const {
  if (given) return formats::Sequence(*given);
  formats::SequenceOptions options;
  options.name = name;
  options.readers = registry.shared_readers();
  return formats::open_sequence(path, options);
}

formats::Expected<std::optional<formats::Sequence>> SequenceInput::dataset_for(
    const std::string& labels) const {
  if (given) return std::optional<formats::Sequence>(*given);
  return open_dataset(labels, path, name);
}

std::optional<formats::Annotations> annotations_arg(py::handle value, const char* argument) {
  if (is_path(value)) return std::nullopt;
  try {
    return value.cast<const formats::Annotations&>();
  } catch (const py::cast_error&) {
    throw py::type_error(std::string(argument) +
                         ": expected a path (str or os.PathLike) or a pcanno.Annotations, got " +
                         std::string(py::str(py::type::handle_of(value).attr("__name__"))));
  }
}

formats::Error invalid(std::string message, std::string path) {
  return formats::Error{formats::ErrorCode::kInvalidArgument, std::move(message), std::move(path)};
}

formats::Error exists(const std::string& path) {
  return formats::Error{formats::ErrorCode::kPermission,
                        "exists already; pass force=True to replace it", path};
}

/// The engine's report tree as Python objects: dicts (keys in the engine's order), lists, int,
/// float, str, bool and None.
py::object report_object(const plugin::ReportValue& v) {
  using Kind = plugin::ReportValue::Kind;
  switch (v.kind()) {
    case Kind::kNull:
      return py::none();
    case Kind::kBool:
      return py::bool_(v.as_bool());
    case Kind::kInt:
      return py::int_(v.as_int());
    case Kind::kUnsigned:
      return py::int_(v.as_unsigned());
    case Kind::kDouble:
      return py::float_(v.as_double());
    case Kind::kString:
      return py::str(v.as_string());
    case Kind::kArray: {
      py::list out;
      for (const plugin::ReportValue& item : v.items()) out.append(report_object(item));
      return std::move(out);
    }
    case Kind::kObject: {
      py::dict out;
      for (std::size_t i = 0; i < v.items().size(); ++i) {
        out[py::str(v.keys()[i])] = report_object(v.items()[i]);
      }
      return std::move(out);
    }
  }
  return py::none();
}

void update(py::dict& j, const plugin::ReportValue& fields) {
  j.attr("update")(report_object(fields));
}

py::object optional(const std::optional<double>& v) {
  return v ? py::object(py::float_(*v)) : py::object(py::none());
}

py::object LabelsArg::json() const {
  return doc ? py::object(py::none()) : py::object(py::str(path));
}

LabelsArg labels_arg(py::handle value, const char* argument) {
  LabelsArg a;
  a.doc = annotations_arg(value, argument);
  if (!a.doc) a.path = path_arg(value, argument);
  return a;
}

/// Reads `a` (a copy of its object when it is one) with codec `from` and `sequence`.
formats::Expected<formats::Annotations> load(LabelsArg& a, const plugin::Registry& registry,
                                             const std::string& from,
                                             const formats::Sequence* sequence,
                                             const std::function<bool(double)>& progress) {
  if (a.doc) return std::move(*a.doc);
  return read_labels(registry, a.path, from, sequence, nullptr, progress);
}

/// A format argument for a labels argument: unreadable ids are refused before any work, as the
/// CLI's unreadable_format() does, and a format for an Annotations object is refused.
std::string format_arg(const plugin::Registry& registry, const std::optional<std::string>& id,
                       const LabelsArg& labels, const char* argument) {
  if (!id || id->empty()) return "";
  if (labels.doc) {
    raise_error(invalid(std::string(argument) +
                        ": names the format of a labels path, not of an Annotations"));
  }
  const std::string bad = plugin::unreadable_format(registry.codecs(), *id, argument);
  if (!bad.empty()) raise_error(invalid(bad));
  return *id;
}

namespace {

py::dict fit(py::object sequence_value, std::int64_t frame, py::object seed_arg,
             const std::optional<std::string>& label_arg, std::optional<double> heading,
             std::string sequence_name) {
  const SequenceInput input = sequence_input(sequence_value, sequence_name);
  const std::string& path = input.path;
  const std::string label =
      label_arg && !label_arg->empty() ? *label_arg : formats::Annotations{}.default_class();
  std::vector<double> seed_values;
  try {
    seed_values = py::cast<std::vector<double>>(seed_arg);
  } catch (const py::cast_error&) {
    seed_values.clear();
  }
  if (seed_values.size() != 3) {
    raise_error(invalid("seed: expected x, y, z in metres in the frame's LiDAR frame"));
  }
  const Eigen::Vector3d seed(seed_values[0], seed_values[1], seed_values[2]);
  const plugin::Registry& reg = python_registry();

  std::optional<geometry::FitResult> fitted;
  formats::Status status;
  {
    py::gil_scoped_release release;
    status = [&]() -> formats::Status {
      auto sequence = input.open(reg);
      if (!sequence) return sequence.error();
      if (frame < 0 || static_cast<std::size_t>(frame) >= sequence->size()) {
        return invalid("frame " + std::to_string(frame) + " is outside 0.." +
                           std::to_string(static_cast<std::int64_t>(sequence->size()) - 1) +
                           " (the sequence has " + std::to_string(sequence->size()) + " frames)",
                       path);
      }
      auto cloud = sequence->load_frame(static_cast<std::size_t>(frame));
      if (!cloud) return cloud.error();
      const auto ground = geometry::GroundModel::fit(cloud->cloud.view());
      if (!ground) return invalid("no ground found in frame " + std::to_string(frame), path);
      // As `pcanno fit`: the class's size prior from the default schema; the cloud's floats are
      // relative to its origin (georeferenced clouds), and the box goes back.
      geometry::FitOptions fit_options =
          plugin::class_fit_options(formats::make_class_spec(label));
      fit_options.heading_hint = heading;
      const Eigen::Vector3d& origin = cloud->cloud.origin;
      fit_options.sensor_origin = -origin;
      fitted = geometry::fit_box(cloud->cloud.view(), *ground, seed - origin, fit_options);
      if (!fitted) {
        char radius[32];
        std::snprintf(radius, sizeof(radius), "%.1f", fit_options.seed_radius);
        return invalid("frame " + std::to_string(frame) + ": no object within " + radius +
                           " m of the seed: only ground or nothing there",
                       path);
      }
      fitted->box.center += origin;
      return {};
    }();
  }
  unwrap(status);
  return report_object(plugin::fit_report(frame, label, *fitted)).cast<py::dict>();
}

}  // namespace

void bind_fit(py::module_& m) {
  m.def("fit", &fit, py::arg("sequence"), py::arg("frame"), py::arg("seed"), py::kw_only(),
        py::arg("label") = py::none(), py::arg("heading") = py::none(),
        py::arg("sequence_name") = "",
        R"doc(Fit a box to the object around a seed point (`pcanno fit --json`).

The workstation's one-click box: the ground of the frame is fitted, the points connected to the
seed are grown into a cluster and a yaw-only box is fitted to them, completed or cut with the
class's size prior from the default class schema.

Args:
    sequence: dataset or folder of clouds (str or os.PathLike, or a pcanno.Sequence, used as it
        was opened: sweeps=True makes frame count the sweeps), as `pcanno fit SEQUENCE`.
    frame: frame index in the sequence.
    seed: (x, y, z) [m] near the object, in the frame's LiDAR frame.
    label: class, for its size prior (default: the default schema's default class).
    heading: known heading [rad, LiDAR frame], e.g. from motion or the previous box.
    sequence_name: sequence or scene inside the dataset ("0000", "scene-0061").

Returns:
    dict with the keys of `pcanno fit --json`: frame, class, frame_of_reference ("lidar"),
    center (x, y, z) [m] and size (length, width, height) [m] in the frame's LiDAR frame, yaw
    [rad], rotation_wxyz, points (the object's point count), used_prior, cut_to_prior.

Raises:
    pcanno.NotFoundError and the other pcanno.Error subclasses for an unreadable sequence;
    pcanno.InvalidArgumentError for a frame outside the sequence, a bad seed, or no object near
    the seed (only ground or nothing there).)doc");
}

}  // namespace automation

void bind_automation(py::module_& m) {
  automation::bind_fit(m);
  automation::bind_track(m);
  automation::bind_prelabel(m);
  automation::bind_check(m);
  automation::bind_eval(m);
}

}  // namespace pcanno::python
