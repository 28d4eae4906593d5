// pcanno.read_labels / write_labels / convert / label_formats: every label codec of the registry
// (built-ins and PCANNO_PLUGIN_PATH plugins), with the options of `pcanno convert`.
#include <filesystem>
#include <optional>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "labels.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "pcanno/plugin/services/label_input.hpp"

namespace pcanno::python {
namespace {

namespace fs = std::filesystem;

std::string codec_ids(bool writable) {
  std::string ids;
  for (const auto& c : python_registry().codecs().codecs()) {
    if (writable ? !c.write : !c.read) continue;
    ids += (ids.empty() ? "" : ", ") + c.id;
  }
  return ids;
}

[[noreturn]] void raise_unsupported(const std::string& message, const std::string& path = "") {
  raise_error(formats::Error{formats::ErrorCode::kUnsupported, message, path});
}

const formats::LabelCodec& reader_for(const fs::path& path, const std::string& format) {
  const formats::LabelCodecRegistry& codecs = python_registry().codecs();
  if (!format.empty()) {
    const formats::LabelCodec* c = codecs.find(format);
    if (c == nullptr || !c->read) {
      raise_unsupported("cannot read labels as '" + format +
                        "'; input formats: " + codec_ids(false));
    }
  }
  const formats::LabelCodec* codec = unwrap(codecs.select(path, format));
  if (!codec->read) raise_unsupported("cannot read labels as '" + codec->id + "'", path.string());
  return *codec;
}

const formats::LabelCodec& writer_for(const std::string& format) {
  const formats::LabelCodec* c = python_registry().codecs().find(format);
  if (c == nullptr || !c->write) {
    raise_unsupported("cannot write labels as '" + format +
                      "'; output formats: " + codec_ids(true));
  }
  return *c;
}

/// A class map from None, a path to its JSON, or a dict {"Car": "vehicle.car", "Cyclist":
/// {"category": "vehicle.bicycle", "attributes": ["cycle.with_rider"]}}.
std::optional<formats::ClassMap> class_map_arg(const py::object& value) {
  if (value.is_none()) return std::nullopt;
  if (py::isinstance<py::dict>(value)) {
    formats::ClassMap map;
    for (auto item : value.cast<py::dict>()) {
      formats::ClassMapping entry;
      entry.name = py::str(item.first).cast<std::string>();
      if (py::isinstance<py::str>(item.second)) {
        entry.external = item.second.cast<std::string>();
      } else if (py::isinstance<py::dict>(item.second)) {
        const auto d = item.second.cast<py::dict>();
        if (!d.contains("category")) {
          throw py::value_error("class_map['" + entry.name + "'] needs a 'category'");
        }
        entry.external = d["category"].cast<std::string>();
        if (d.contains("attributes"))
          entry.attributes = d["attributes"].cast<std::vector<std::string>>();
      } else {
        throw py::type_error("class_map values are a category or {'category', 'attributes'}");
      }
      map.entries.push_back(std::move(entry));
    }
    return map;
  }
  return unwrap(formats::read_class_map(value.cast<fs::path>()));
}

/// A folder of several KITTI tracking sequences is one document per sequence (the CLI converts
/// them as a set); the codec reads the one the dataset names, so without a dataset or a name
/// the caller is asked to choose rather than getting the first silently.
void check_single_sequence(const formats::LabelCodec& codec, const fs::path& path,
                           const py::object& sequence, const std::string& sequence_name) {
  std::error_code ec;
  if (codec.id != "kitti-tracking" || !sequence.is_none() || !sequence_name.empty() ||
      !fs::is_directory(path, ec)) {
    return;
  }
  const std::vector<fs::path> files = formats::list_kitti_tracking_label_files(path);
  if (files.size() > 1) {
    raise_error(formats::Error{formats::ErrorCode::kInvalidArgument,
                               "holds " + std::to_string(files.size()) +
                                   " KITTI tracking sequences (" + files.front().stem().string() +
                                   " ... " + files.back().stem().string() +
                                   "); give sequence_name, or one label_02/SSSS.txt file",
                               path.string()});
  }
}

/// The dataset the CLI would use: `sequence` when given, else `input` itself when it is one.
SequenceArg dataset_for(const fs::path& input, const py::object& sequence,
                        const std::string& name) {
  if (!sequence.is_none()) return SequenceArg(sequence, name);
  if (!formats::detect_layout(input, &python_registry().readers()).empty()) {
    return SequenceArg(py::cast(input), name);
  }
  return SequenceArg();
}

/// The context of a read or write: the dataset's calibration and poses and the class map.
formats::LabelContext label_context(const SequenceArg& dataset,
                                    const std::optional<formats::ClassMap>& map) {
  formats::LabelContext context;
  context.sequence = dataset.get();
  context.class_map = map ? &*map : nullptr;
  return context;
}

/// The context of a write (write_labels, convert), with `pcanno convert`'s flags.
formats::LabelContext write_context(const SequenceArg& dataset,
                                    const std::optional<formats::ClassMap>& map, bool overwrite,
                                    bool include_outside_fov, bool all_frames) {
  formats::LabelContext context = label_context(dataset, map);
  context.overwrite = overwrite;
  context.include_outside_fov = include_outside_fov;
  context.keyframes_only = !all_frames;
  return context;
}

AnnotationsPtr read(const fs::path& path, const std::optional<std::string>& format_arg,
                    const py::object& sequence, const std::string& sequence_name,
                    const py::object& class_map, bool frames_beyond_sequence,
                    const py::object& progress) {
  const std::string format = format_arg.value_or("");
  const formats::LabelCodec& codec = reader_for(path, format);
  check_single_sequence(codec, path, sequence, sequence_name);
  const SequenceArg dataset = dataset_for(path, sequence, sequence_name);
  const std::optional<formats::ClassMap> map = class_map_arg(class_map);
  ProgressBridge bridge(progress);
  formats::LabelContext context = label_context(dataset, map);
  context.frames_beyond_sequence = frames_beyond_sequence;
  context.progress = bridge.callback();
  formats::Expected<formats::Annotations> result = [&] {
    py::gil_scoped_release release;
    return codec.read(path, context);
  }();
  return std::make_shared<formats::Annotations>(bridge.unwrap(std::move(result)));
}

py::dict write(const AnnotationsPtr& doc, const fs::path& out, const std::string& format,
               const py::object& sequence, const std::string& sequence_name,
               const py::object& class_map, bool overwrite, bool include_outside_fov,
               bool all_frames, const py::object& progress) {
  const formats::LabelCodec& codec = writer_for(format);
  const SequenceArg dataset = SequenceArg(sequence, sequence_name);
  const std::optional<formats::ClassMap> map = class_map_arg(class_map);
  ProgressBridge bridge(progress);
  formats::LabelContext context =
      write_context(dataset, map, overwrite, include_outside_fov, all_frames);
  context.progress = bridge.callback();
  // The writer reads a copy: `doc` is shared with Python, and the progress callback or another
  // thread may change it while the GIL is released.
  const formats::Annotations copy = *doc;
  formats::Expected<formats::WriteReport> report = [&] {
    py::gil_scoped_release release;
    return plugin::write_labels_output(codec, copy, out.string(), context);
  }();
  py::dict result = write_report_dict(bridge.unwrap(std::move(report)), codec.id);
  return result;
}

py::dict convert(const fs::path& input, const fs::path& out, const std::string& to,
                 const std::optional<std::string>& from_format, const py::object& sequence,
                 const std::string& sequence_name, const py::object& class_map, bool overwrite,
                 bool include_outside_fov, bool all_frames, const py::object& progress) {
  const formats::LabelCodec& writer = writer_for(to);
  const formats::LabelCodec& reader = reader_for(input, from_format.value_or(""));
  check_single_sequence(reader, input, sequence, sequence_name);
  const SequenceArg dataset = dataset_for(input, sequence, sequence_name);
  const std::optional<formats::ClassMap> map = class_map_arg(class_map);
  ProgressBridge bridge(progress);
  formats::LabelContext context =
      write_context(dataset, map, overwrite, include_outside_fov, all_frames);
  const std::function<bool(double)> callback = bridge.callback();
  std::optional<formats::Annotations> doc;
  formats::Expected<formats::WriteReport> report =
      [&]() -> formats::Expected<formats::WriteReport> {
    py::gil_scoped_release release;
    // Reading is the first half of the progress, writing the second (as the CLI's bar).
    context.progress = span(callback, 0.0, 0.5);
    auto read = reader.read(input, context);
    if (!read) return read.error();
    doc = std::move(*read);
    context.progress = span(callback, 0.5, 1.0);
    return plugin::write_labels_output(writer, *doc, out.string(), context);
  }();
  py::dict result = write_report_dict(bridge.unwrap(std::move(report)), writer.id);
  result["read_format"] = reader.id;
  result["tracks_read"] = doc->tracks.size();
  result["boxes_read"] = doc->box_count();
  result["polylines_read"] = doc->polylines.size();
  result["ignore_regions_read"] = doc->ignore_regions.size();
  return result;
}

}  // namespace

void bind_label_io(py::module_& m) {
  m.def("read_labels", &read, py::arg("path"), py::arg("format") = py::none(),
        py::arg("sequence") = py::none(), py::kw_only(), py::arg("sequence_name") = "",
        py::arg("class_map") = py::none(), py::arg("frames_beyond_sequence") = false,
        py::arg("progress") = py::none(), R"doc(
Reads labels into an Annotations document with any registered codec (label_formats()).

format: a codec id ('kitti-object', 'kitti-tracking', 'nuscenes', 'openlabel', 'pcanno' or a
plugin's) to force one; by default it is detected from the path. sequence: the dataset that gives
calibration, poses and frames (a path such as a KITTI training/ folder or a nuScenes dataroot, or
a pcanno.Sequence), as `pcanno convert --sequence`; when None and `path` is itself a dataset root,
that is used. sequence_name picks the sequence or scene inside it ('0003', 'scene-0061').
class_map: a JSON path or a dict {'Car': 'vehicle.car', ...}. frames_beyond_sequence: labels past
the sequence's last frame add frames instead of failing. progress(fraction) as in read_cloud; the
GIL is released while reading. Raises a pcanno.Error subclass with the path and line.)doc");

  m.def("write_labels", &write, py::arg("annotations"), py::arg("path"), py::arg("format"),
        py::kw_only(), py::arg("sequence") = py::none(), py::arg("sequence_name") = "",
        py::arg("class_map") = py::none(), py::arg("overwrite") = false,
        py::arg("include_outside_fov") = false, py::arg("all_frames") = false,
        py::arg("progress") = py::none(), R"doc(
Writes `annotations` to `path` as `format` (a codec id that writes). Codecs that need calibration
(KITTI object/tracking, nuScenes) take it from `sequence` (a dataset path or pcanno.Sequence).
overwrite replaces existing output; include_outside_fov (KITTI object) also writes boxes the camera
cannot see; all_frames (nuScenes) annotates every frame, not only keyframes. Missing folders are
made. Returns the report: {'format', 'written': [paths], 'boxes_written',
'polyline_states_written', 'ignore_regions_written', 'dropped': {reason: count},
'warnings': {reason: count}, 'summary': one line}; everything not written is under 'dropped'.)doc");

  m.def("convert", &convert, py::arg("input"), py::arg("out"), py::kw_only(), py::arg("to"),
        py::arg("from_format") = py::none(), py::arg("sequence") = py::none(),
        py::arg("sequence_name") = "", py::arg("class_map") = py::none(),
        py::arg("overwrite") = false, py::arg("include_outside_fov") = false,
        py::arg("all_frames") = false, py::arg("progress") = py::none(), R"doc(
Converts one label document from `input` to `out` as format `to`, as `pcanno convert INPUT --to TO
--out OUT` does for a single document (the options mirror its flags; from_format is --from). A
folder holding several sequences is not split here: pass sequence_name, or loop in Python.
Returns write_labels()'s report plus 'read_format', 'tracks_read', 'boxes_read',
'polylines_read' and 'ignore_regions_read'.)doc");

  m.def(
      "label_formats",
      [] {
        py::list out;
        for (const auto& c : python_registry().codecs().codecs()) {
          out.append(py::dict(py::arg("id") = c.id, py::arg("description") = c.description,
                              py::arg("read") = static_cast<bool>(c.read),
                              py::arg("write") = static_cast<bool>(c.write)));
        }
        return out;
      },
      "The registered label codecs, plugins included: [{'id', 'description', 'read', 'write'}].");
}

}  // namespace pcanno::python
