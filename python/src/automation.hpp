#pragma once
// What the automation bindings (automation*.cpp: fit, track, prelabel, check, eval) share: the
// component registry (registry.hpp), path and label arguments as the CLI takes them, progress
// sub-ranges and the output writing of `--out`.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "bindings.hpp"
#include "labels.hpp"
#include "registry.hpp"
#include "sequences.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/plugin/services/label_input.hpp"
#include "pcanno/plugin/services/report_value.hpp"

namespace pcanno::plugin {
class Registry;
}

namespace pcanno::python::automation {

/// os.fspath(`value`) as UTF-8: a str or os.PathLike names a file; anything else is a TypeError
/// naming `argument`.
std::string path_arg(py::handle value, const char* argument);

/// A sequence argument: a str or os.PathLike the call opens (with `name`, as the CLI does), or a
/// pcanno.Sequence used as it was opened (sweeps, scene and readers kept: given_sequence()); an
/// object with a `path` attribute (and `name`) is opened from there.
struct SequenceInput {
  std::string path;  ///< the path, or the pcanno.Sequence's root; empty for None
  std::string name;  ///< the sequence or scene inside `path`
  std::shared_ptr<const formats::Sequence> given;  ///< the pcanno.Sequence's
  /// A copy of `given` (the automation gives its copy estimated poses), else `path` opened with
  /// `name` and `registry`'s readers.
  formats::Expected<formats::Sequence> open(const plugin::Registry& registry) const;
  /// eval and check: a copy of `given`, else plugin::open_dataset(labels, path, name).
  formats::Expected<std::optional<formats::Sequence>> dataset_for(const std::string& labels) const;
};
/// None gives an empty SequenceInput.
SequenceInput sequence_input(py::handle value, const std::string& name);

/// True when `value` is a str, bytes or os.PathLike (a path the CLI would take).
bool is_path(py::handle value);

/// A copy of the pcanno.Annotations `value` (the call must not change the caller's object), or
/// none when `value` is a path. A TypeError naming `argument` for anything else.
std::optional<formats::Annotations> annotations_arg(py::handle value, const char* argument);

/// A kInvalidArgument error (pcanno.InvalidArgumentError), naming `path` when given.
formats::Error invalid(std::string message, std::string path = {});

/// The error the writers give for an existing output without `force` (kPermission), raised before
/// the work as the CLI refuses it.
formats::Error exists(const std::string& path);

// Reading labels, opening their dataset and writing an output are the engine's, shared with the
// CLI (plugin/services/label_input.hpp).
using plugin::open_dataset;
using plugin::open_referenced_dataset;
using plugin::read_labels;

/// The engine's report tree (plugin/services/report_value.hpp) as Python objects: dicts (keys in
/// the engine's order), lists, int, float, str, bool and None.
py::object report_object(const plugin::ReportValue& v);
/// Adds the fields of the object `fields` to `j`.
void update(py::dict& j, const plugin::ReportValue& fields);

/// None or the value, for the dicts' optional numbers.
py::object optional(const std::optional<double>& v);

/// A labels argument: a path (`path`, empty for an object) or a copy of a pcanno.Annotations.
struct LabelsArg {
  std::string path;
  std::optional<formats::Annotations> doc;
  /// What the CLI's JSON says for it: the path, None for an object.
  py::object json() const;
};
LabelsArg labels_arg(py::handle value, const char* argument);

/// `a`'s labels: its object (moved out), else read with codec `from` and `sequence`.
formats::Expected<formats::Annotations> load(LabelsArg& a, const plugin::Registry& registry,
                                             const std::string& from,
                                             const formats::Sequence* sequence,
                                             const std::function<bool(double)>& progress);

/// The format argument of a labels argument: unreadable ids are refused before any work (the
/// CLI's unreadable_format()), and so is a format for an Annotations object.
std::string format_arg(const plugin::Registry& registry, const std::optional<std::string>& id,
                       const LabelsArg& labels, const char* argument);

void bind_fit(py::module_& m);
void bind_track(py::module_& m);
void bind_prelabel(py::module_& m);
void bind_check(py::module_& m);
void bind_eval(py::module_& m);

}  // namespace pcanno::python::automation
