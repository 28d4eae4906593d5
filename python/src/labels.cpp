// pcanno.Annotations and pcanno.ClassSchema: an annotation document (formats::Annotations) held by
// a shared pointer, so that tracks, boxes, sessions and automation results can share it. Tracks,
// boxes and polylines are handles (labels_tracks.cpp); the vectorised box arrays and the codecs
// are in labels_arrays.cpp and labels_io.cpp.
#include "labels.hpp"

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "pcanno/formats/labels/document/document.hpp"
#include "sequences.hpp"

namespace pcanno::python {

// ---- shared helpers -----------------------------------------------------------------------------

formats::Track& TrackRef::get() const {
  formats::Track* t = doc->track(id);
  if (t == nullptr)
    throw py::key_error("track " + std::to_string(id) + " is no longer in the document");
  return *t;
}

formats::BoxState& BoxRef::get() const {
  formats::Track* t = doc->track(track);
  formats::BoxState* b = t ? t->at(frame) : nullptr;
  if (b == nullptr) {
    throw py::key_error("track " + std::to_string(track) + " has no box at frame " +
                        std::to_string(frame) + " any more");
  }
  return *b;
}

formats::PolylineTrack& PolylineRef::get() const {
  formats::PolylineTrack* p = doc->polyline(id);
  if (p == nullptr) {
    throw py::key_error("polyline " + std::to_string(id) + " is no longer in the document");
  }
  return *p;
}

formats::PolylineState& PolylineStateRef::get() const {
  formats::PolylineTrack* p = doc->polyline(id);
  formats::PolylineState* s = p ? p->at(frame) : nullptr;
  if (s == nullptr) {
    throw py::key_error("polyline " + std::to_string(id) + " has no line at frame " +
                        std::to_string(frame) + " any more");
  }
  return *s;
}

formats::ShapeFrame parse_shape_frame(const std::string& name) {
  const auto f = formats::shape_frame_from_string(name);
  if (!f)
    throw py::value_error("frame_of_reference must be 'lidar' or 'world', not '" + name + "'");
  return *f;
}

formats::Provenance parse_provenance(const std::string& name) {
  const auto p = formats::provenance_from_string(name);
  if (!p) {
    throw py::value_error(
        "provenance must be one of manual, interpolated, tracked, fitted, "
        "imported, model; not '" +
        name + "'");
  }
  return *p;
}

py::array_t<double> vector3_array(const Eigen::Vector3d& v) {
  py::array_t<double> out(3);
  for (int i = 0; i < 3; ++i) out.mutable_at(i) = v[i];
  return out;
}

py::array_t<double> quaternion_array(const Eigen::Quaterniond& q) {
  py::array_t<double> out(4);
  out.mutable_at(0) = q.w();
  out.mutable_at(1) = q.x();
  out.mutable_at(2) = q.y();
  out.mutable_at(3) = q.z();
  return out;
}

SequenceArg::SequenceArg(const py::object& sequence, const std::string& name) {
  if (sequence.is_none()) return;
  std::filesystem::path path;
  std::string chosen = name;
  std::string layout;
  const py::module_ os = py::module_::import("os");
  if (py::isinstance<py::str>(sequence) || py::isinstance(sequence, os.attr("PathLike"))) {
    path = sequence.cast<std::filesystem::path>();
  } else {
    // A pcanno.Sequence, used as it was opened (its sweeps, scene and readers)...
    if (auto held = given_sequence(sequence, name)) {
      ptr_ = held.get();
      owner_ = std::move(held);
      return;
    }
    // ... or another object that says where a sequence is (`root` or `path`, `layout`, `name`):
    // opened from there.
    const char* where = py::hasattr(sequence, "root") ? "root" : "path";
    if (!py::hasattr(sequence, where)) {
      throw py::type_error("sequence must be None, a path or a pcanno.Sequence");
    }
    path = py::str(sequence.attr(where)).cast<std::string>();
    if (chosen.empty() && py::hasattr(sequence, "name")) {
      chosen = py::str(sequence.attr("name")).cast<std::string>();
    }
    if (py::hasattr(sequence, "layout"))
      layout = py::str(sequence.attr("layout")).cast<std::string>();
  }
  formats::SequenceOptions options;
  options.name = chosen;
  options.layout = layout;
  options.readers = python_registry().shared_readers();
  formats::Expected<formats::Sequence> opened = [&] {
    py::gil_scoped_release release;
    return formats::open_sequence(path, options);
  }();
  auto owned = std::make_shared<formats::Sequence>(unwrap(std::move(opened)));
  ptr_ = owned.get();
  owner_ = std::move(owned);
}

py::dict write_report_dict(const formats::WriteReport& report, const std::string& codec_id) {
  py::list written;
  for (const auto& p : report.written) written.append(py::str(p.string()));
  py::dict out;
  out["format"] = codec_id;
  out["written"] = written;
  out["boxes_written"] = report.boxes_written;
  out["polyline_states_written"] = report.polyline_states_written;
  out["ignore_regions_written"] = report.ignore_regions_written;
  out["dropped"] = py::cast(std::map<std::string, std::size_t>(report.dropped));
  out["warnings"] = py::cast(std::map<std::string, std::size_t>(report.warnings));
  out["summary"] = formats::summarize(report);
  return out;
}

std::function<bool(double)> span(const std::function<bool(double)>& whole, double begin,
                                 double end) {
  if (!whole) return {};
  return [whole, begin, end](double f) { return whole(begin + (end - begin) * f); };
}

namespace {

// ---- classes and tags ---------------------------------------------------------------------------

py::dict attribute_spec_dict(const formats::AttributeSpec& a) {
  py::dict d;
  d["name"] = a.name;
  d["type"] = formats::to_string(a.type);
  d["values"] = a.values;
  d["min"] = a.min ? py::object(py::float_(*a.min)) : py::object(py::none());
  d["max"] = a.max ? py::object(py::float_(*a.max)) : py::object(py::none());
  d["default"] = a.default_value;
  d["mandatory"] = a.mandatory;
  d["scope"] = formats::to_string(a.scope);
  return d;
}

py::list attribute_specs(const std::vector<formats::AttributeSpec>& specs) {
  py::list out;
  for (const auto& a : specs) out.append(attribute_spec_dict(a));
  return out;
}

void bind_class_spec(py::module_& m) {
  py::class_<formats::ClassSpec>(m, "ClassSpec", R"doc(
One class of a document's schema (a copy: editing it changes nothing in the document).

name as the tracks' labels spell it; color (r, g, b); default_size [m] (length, width, height), the
size prior of new boxes and of box fitting; shape 'box' or 'polyline'; motion the kind ('vehicle',
'pedestrian', 'cyclist', 'static', 'unknown') and QA limits; upright: boxes keep pitch and roll 0;
attributes: the declared attributes as dicts (name, type, values, min, max, default, mandatory,
scope).)doc")
      .def_readonly("name", &formats::ClassSpec::name,
                    "The class name, as tracks' labels spell it.")
      .def_property_readonly(
          "color",
          [](const formats::ClassSpec& c) {
            return py::make_tuple(c.color[0], c.color[1], c.color[2]);
          },
          "(r, g, b), 0..255")
      .def_property_readonly(
          "default_size", [](const formats::ClassSpec& c) { return vector3_array(c.default_size); },
          "[m] float64 (3,): length, width, height of a typical object")
      .def_property_readonly(
          "shape",
          [](const formats::ClassSpec& c) { return std::string(formats::to_string(c.shape)); },
          "'box' or 'polyline'")
      .def_readonly("closed", &formats::ClassSpec::closed,
                    "Polyline classes: a new line is a closed area")
      .def_property_readonly(
          "evidence",
          [](const formats::ClassSpec& c) { return std::string(formats::to_string(c.evidence)); },
          "Polyline classes: what a line follows: 'none', 'marking', 'curb'")
      .def_readonly("upright", &formats::ClassSpec::upright,
                    "Box classes: pitch and roll stay 0 unless a track has free_tilt.")
      .def_property_readonly(
          "motion",
          [](const formats::ClassSpec& c) {
            py::dict d;
            d["kind"] = formats::to_string(c.motion.kind);
            d["speed"] = c.motion.limits.speed;
            d["acceleration"] = c.motion.limits.acceleration;
            d["yaw_rate"] = c.motion.limits.yaw_rate;
            d["moves_along_heading"] = c.motion.moves_along_heading;
            return d;
          },
          "{'kind', 'speed' [m/s], 'acceleration' [m/s^2], 'yaw_rate' [rad/s], "
          "'moves_along_heading'}")
      .def_property_readonly(
          "attributes", [](const formats::ClassSpec& c) { return attribute_specs(c.attributes); },
          "The declared attributes, as dicts, in the order editors show them.")
      .def("__repr__", [](const formats::ClassSpec& c) {
        return "<pcanno.ClassSpec '" + c.name + "' " + formats::to_string(c.shape) + ">";
      });
  m.def(
      "default_class_schema", [] { return formats::default_class_schema(); },
      "The built-in classes (KITTI, nuScenes, Lyft, polyline classes) as ClassSpec copies.");
}

void bind_schema(py::module_& m) {
  py::class_<SchemaRef>(m, "ClassSchema", R"doc(
The classes of an Annotations document, in order (the first box class is the default of a new
box), plus its scene and frame tags. Indexing by position or by name gives ClassSpec copies.)doc")
      .def(
          "__len__", [](const SchemaRef& s) { return s.doc->classes.size(); },
          "The number of classes.")
      .def(
          "__iter__", [](const SchemaRef& s) { return py::iter(py::cast(s.doc->classes)); },
          "The classes (ClassSpec copies), in schema order.")
      .def(
          "__getitem__",
          [](const SchemaRef& s, py::object key) -> formats::ClassSpec {
            if (py::isinstance<py::str>(key)) {
              const formats::ClassSpec* c = s.doc->class_spec(key.cast<std::string>());
              if (!c)
                throw py::key_error("no class '" + key.cast<std::string>() + "' in the schema");
              return *c;
            }
            auto i = key.cast<py::ssize_t>();
            const auto n = static_cast<py::ssize_t>(s.doc->classes.size());
            if (i < 0) i += n;
            if (i < 0 || i >= n) throw py::index_error("class index out of range");
            return s.doc->classes[static_cast<std::size_t>(i)];
          },
          py::arg("key"), "The class at a position, or named `key`.")
      .def(
          "__contains__",
          [](const SchemaRef& s, const std::string& name) {
            return s.doc->class_spec(name) != nullptr;
          },
          py::arg("name"), "True when the schema has a class `name`.")
      .def_property_readonly(
          "names",
          [](const SchemaRef& s) {
            std::vector<std::string> out;
            for (const auto& c : s.doc->classes) out.push_back(c.name);
            return out;
          },
          "The class names, in schema order.")
      .def(
          "get",
          [](const SchemaRef& s, const std::string& name) { return s.doc->class_or_default(name); },
          py::arg("name"),
          "The class `name` as the document defines it, else as the default schema does (or an "
          "unknown class): what size priors and motion limits are read from.")
      .def(
          "default_class",
          [](const SchemaRef& s, const std::string& shape) {
            const auto kind = formats::shape_kind_from_string(shape);
            if (!kind) throw py::value_error("shape must be 'box' or 'polyline'");
            return s.doc->default_class(*kind);
          },
          py::arg("shape") = "box", "The class a new box (or polyline) gets when none is named.")
      .def(
          "add",
          [](const SchemaRef& s, const std::string& name) { return s.doc->ensure_class(name); },
          py::arg("name"),
          "Adds the class `name` (from the default schema when it knows it) unless present; "
          "returns it.")
      .def_property_readonly(
          "scene_tags", [](const SchemaRef& s) { return attribute_specs(s.doc->scene_tags); },
          "The scene tags (values in Annotations.attributes), as dicts.")
      .def_property_readonly(
          "frame_tags", [](const SchemaRef& s) { return attribute_specs(s.doc->frame_tags); },
          "The frame tags (values in LabelFrame.attributes), as dicts.")
      .def("__repr__", [](const SchemaRef& s) {
        return "<pcanno.ClassSchema " + std::to_string(s.doc->classes.size()) + " classes>";
      });
}

// ---- frames and ignore regions ------------------------------------------------------------------

void bind_frames(py::module_& m) {
  py::class_<formats::FrameInfo>(m, "LabelFrame", R"doc(
A frame of an annotation document (Annotations.frames, a copy; a sequence's own frames are
pcanno.FrameInfo): name ('000042', a token, a file stem),
timestamp_us [us] (-1 unknown), attributes (frame tags) and source_token (nuScenes sample).)doc")
      .def_readonly("name", &formats::FrameInfo::name,
                    "'000042', a sample_data token, a file stem.")
      .def_readonly("timestamp_us", &formats::FrameInfo::timestamp_us, "[us]; -1 when unknown.")
      .def_readonly("attributes", &formats::FrameInfo::attributes, "Frame tags {str: str}.")
      .def_readonly("source_token", &formats::FrameInfo::source_token,
                    "nuScenes sample token of a keyframe; '' otherwise.")
      .def("__repr__", [](const formats::FrameInfo& f) {
        return "<pcanno.LabelFrame '" + f.name + "' t=" + std::to_string(f.timestamp_us) + ">";
      });

  py::class_<formats::IgnoreRegion>(m, "IgnoreRegion", R"doc(
An image region marked "not labelled" (KITTI DontCare rows), a copy: frame, label and bbox
[px] (left, top, right, bottom) in image_2.)doc")
      .def_readonly("frame", &formats::IgnoreRegion::frame, "The frame index.")
      .def_readonly("label", &formats::IgnoreRegion::label, "'DontCare' as imported.")
      .def_property_readonly(
          "bbox",
          [](const formats::IgnoreRegion& r) {
            py::array_t<double> out(4);
            for (int i = 0; i < 4; ++i) out.mutable_at(i) = r.bbox[static_cast<std::size_t>(i)];
            return out;
          },
          "[px] float64 (4,): left, top, right, bottom in image_2")
      .def("__repr__", [](const formats::IgnoreRegion& r) {
        return "<pcanno.IgnoreRegion frame " + std::to_string(r.frame) + " " + r.label + ">";
      });
}

std::string to_json(const formats::Annotations& a) {
  std::string text = formats::serialize_pcanno_document(a);
  if (text.empty()) throw std::bad_alloc();
  return text;
}

}  // namespace

void bind_annotations(py::module_& m) {
  bind_class_spec(m);
  bind_schema(m);
  bind_frames(m);

  py::class_<formats::Annotations, AnnotationsPtr>(m, "Annotations", R"doc(
An annotation document: class schema, frames, box tracks, polyline tracks, ignore regions and
document attributes. What read_labels() returns, write_labels() writes and a Session edits.

Tracks, boxes and polylines are handles into this document: they read it on every access, so they
see later changes and raise KeyError once their object is removed. Their numpy arrays (centre,
size, rotation, vertices) are copies. Boxes are stored in the frame their `frame_of_reference`
names: 'lidar' (the sensor frame of the box's own frame, as KITTI gives them) or 'world' (the
sequence's world frame, as nuScenes gives them); boxes() converts, given a sequence with poses.)doc")
      .def(py::init([] { return std::make_shared<formats::Annotations>(); }), "An empty document.")
      .def(
          "to_json", [](const formats::Annotations& a) { return to_json(a); },
          "The document as the native format's JSON text (what write_labels(..., 'pcanno') "
          "writes): every double exact.")
      .def_static(
          "from_json",
          [](const std::string& text) {
            return std::make_shared<formats::Annotations>(
                unwrap(formats::parse_pcanno_document(text, "<json>")));
          },
          py::arg("text"),
          "A document from native JSON text (MalformedError names the JSON pointer).")
      .def(py::pickle(
          [](const formats::Annotations& a) { return py::make_tuple(to_json(a)); },
          [](const py::tuple& state) {
            return std::make_shared<formats::Annotations>(
                unwrap(formats::parse_pcanno_document(state[0].cast<std::string>(), "<pickle>")));
          }))
      .def(
          "__eq__",
          [](const formats::Annotations& a, const py::object& other) {
            if (!py::isinstance<formats::Annotations>(other)) return false;
            return to_json(a) == to_json(other.cast<const formats::Annotations&>());
          },
          "Equal documents: the same native JSON, bit for bit.")
      .def(
          "copy",
          [](const formats::Annotations& a) { return std::make_shared<formats::Annotations>(a); },
          "A deep copy, independent of this document.")
      .def_property_readonly(
          "schema", [](AnnotationsPtr a) { return SchemaRef{std::move(a)}; },
          "The class schema (ClassSchema) and scene/frame tags.")
      .def_property_readonly(
          "classes",
          [](const formats::Annotations& a) {
            std::vector<std::string> out;
            for (const auto& c : a.classes) out.push_back(c.name);
            return out;
          },
          "The class names of the schema, in order.")
      .def_property_readonly(
          "frames", [](const formats::Annotations& a) { return a.frames; },
          "The frames (LabelFrame copies), index = frame number.")
      .def_property_readonly(
          "frame_count", [](const formats::Annotations& a) { return a.frames.size(); },
          "len(frames).")
      .def(
          "add_frame",
          [](formats::Annotations& a, const std::string& name, std::int64_t timestamp_us) {
            formats::FrameInfo f;
            f.name = name;
            f.timestamp_us = timestamp_us;
            a.frames.push_back(std::move(f));
            return a.frames.size() - 1;
          },
          py::arg("name"), py::arg("timestamp_us") = -1,
          "Appends a frame (name, timestamp [us] or -1); returns its index.")
      .def_property_readonly(
          "ignore_regions", [](const formats::Annotations& a) { return a.ignore_regions; },
          "The ignore regions (KITTI DontCare), copies.")
      .def_property(
          "attributes", [](const formats::Annotations& a) { return a.attributes; },
          [](formats::Annotations& a, const formats::AttributeMap& v) { a.attributes = v; },
          "Document metadata and scene-tag values, a dict of str (a copy; assign a "
          "dict to replace them).")
      .def_property_readonly(
          "sequence",
          [](const formats::Annotations& a) {
            py::dict d;
            d["layout"] = a.sequence.layout;
            d["path"] = a.sequence.path;
            d["name"] = a.sequence.name;
            return d;
          },
          "Where the labelled data lives: {'layout', 'path', 'name'} (empty strings if unknown).")
      .def_property_readonly("box_count", &formats::Annotations::box_count,
                             "Boxes over all tracks and frames.")
      .def("normalize", &formats::Annotations::normalize,
           "Sorts tracks by id, and boxes and polyline states by frame.")
      .def("__repr__", [](const formats::Annotations& a) {
        return "<pcanno.Annotations " + std::to_string(a.frames.size()) + " frames, " +
               std::to_string(a.tracks.size()) + " tracks, " + std::to_string(a.box_count()) +
               " boxes, " + std::to_string(a.polylines.size()) + " polylines>";
      });

  bind_tracks(m);
  bind_label_arrays(m);
  bind_label_io(m);
}

void bind_labels(py::module_& m) { bind_annotations(m); }

}  // namespace pcanno::python
