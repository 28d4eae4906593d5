// Vectorised boxes: all boxes of a frame (Annotations.boxes) or of a track (Track.boxes_array) as
// (N, 7) / (N, 10) float64 rows in the box_arrays.hpp convention, in an explicit frame of
// reference, with the track ids, classes, scores and flags as parallel arrays.
#include <limits>

#include <pybind11/stl.h>

#include "box_arrays.hpp"
#include "labels.hpp"
#include "pcanno/formats/labels/shape_frames.hpp"

namespace pcanno::python {
namespace {

/// What Annotations.boxes() returns.
struct FrameBoxes {
  std::int64_t frame = 0;
  std::string frame_of_reference;
  int columns = 7;
  py::object boxes, track_ids, labels, scores, keyframe, provenance;
};

/// `state`'s box in `target`, through the frame's pose when it is stored in the other frame.
geometry::Cuboid box_in(const formats::BoxState& state, formats::ShapeFrame target,
                        const formats::Sequence* sequence) {
  return unwrap(target == formats::ShapeFrame::kLidar ? formats::box_in_lidar(state, sequence)
                                                      : formats::box_in_world(state, sequence));
}

py::object str_array(const std::vector<std::string>& values) {
  return py::module_::import("numpy").attr("array")(py::cast(values), py::arg("dtype") = "str");
}

FrameBoxes frame_boxes(const AnnotationsPtr& doc, std::int64_t frame, int columns,
                       const std::string& frame_of_reference, const py::object& sequence,
                       const std::string& sequence_name) {
  if (columns != 7 && columns != 10) throw py::value_error("columns must be 7 or 10");
  const formats::ShapeFrame target = parse_shape_frame(frame_of_reference);
  // The sequence is opened only when a box needs moving between frames.
  std::optional<SequenceArg> seq;
  std::vector<geometry::Cuboid> boxes;
  std::vector<std::int64_t> ids;
  std::vector<std::string> labels, provenance;
  std::vector<double> scores;
  std::vector<bool> keyframes;
  for (const formats::Track& track : doc->tracks) {
    const formats::BoxState* state = track.at(frame);
    if (state == nullptr) continue;
    if (state->shape_frame != target && !seq) seq.emplace(sequence, sequence_name);
    boxes.push_back(box_in(*state, target, seq ? seq->get() : nullptr));
    ids.push_back(track.id);
    labels.push_back(track.label);
    provenance.emplace_back(formats::to_string(state->provenance));
    scores.push_back(state->score ? *state->score : std::numeric_limits<double>::quiet_NaN());
    keyframes.push_back(state->keyframe);
  }
  FrameBoxes out;
  out.frame = frame;
  out.frame_of_reference = frame_of_reference;
  out.columns = columns;
  out.boxes = boxes_to_array(boxes, columns);
  out.track_ids = py::array_t<std::int64_t>(static_cast<py::ssize_t>(ids.size()), ids.data());
  out.labels = str_array(labels);
  out.provenance = str_array(provenance);
  out.scores = py::array_t<double>(static_cast<py::ssize_t>(scores.size()), scores.data());
  py::array_t<bool> key(static_cast<py::ssize_t>(keyframes.size()));
  for (std::size_t i = 0; i < keyframes.size(); ++i)
    key.mutable_at(static_cast<py::ssize_t>(i)) = keyframes[i];
  out.keyframe = key;
  return out;
}

py::tuple track_boxes(const TrackRef& ref, int columns, const std::string& frame_of_reference,
                      const py::object& sequence, const std::string& sequence_name) {
  if (columns != 7 && columns != 10) throw py::value_error("columns must be 7 or 10");
  const formats::ShapeFrame target = parse_shape_frame(frame_of_reference);
  const formats::Track& track = ref.get();
  std::optional<SequenceArg> seq;
  std::vector<geometry::Cuboid> boxes;
  std::vector<std::int64_t> frames;
  for (const formats::BoxState& state : track.boxes) {
    if (state.shape_frame != target && !seq) seq.emplace(sequence, sequence_name);
    boxes.push_back(box_in(state, target, seq ? seq->get() : nullptr));
    frames.push_back(state.frame);
  }
  return py::make_tuple(
      py::array_t<std::int64_t>(static_cast<py::ssize_t>(frames.size()), frames.data()),
      boxes_to_array(boxes, columns));
}

}  // namespace

void bind_label_arrays(py::module_& m) {
  py::class_<FrameBoxes>(m, "FrameBoxes", R"doc(
All boxes of one frame as parallel arrays (what Annotations.boxes() returns), in track order:
boxes float64 (N, 7) [x y z length width height yaw] or (N, 10) [x y z length width height qw qx
qy qz] (the names in `columns`), in `frame_of_reference` ('lidar': the frame's sensor frame;
'world': the sequence's world frame); track_ids int64 (N,); labels str (N,); scores float64 (N,)
(NaN without a score); keyframe bool (N,); provenance str (N,).)doc")
      .def_readonly("frame", &FrameBoxes::frame)
      .def_readonly("frame_of_reference", &FrameBoxes::frame_of_reference)
      .def_property_readonly("columns", [](const FrameBoxes& f) {
        const auto& names = f.columns == 7 ? box7_columns() : box10_columns();
        py::tuple out(names.size());
        for (std::size_t i = 0; i < names.size(); ++i) out[i] = py::str(names[i]);
        return out;
      })
      .def_readonly("boxes", &FrameBoxes::boxes)
      .def_readonly("track_ids", &FrameBoxes::track_ids)
      .def_readonly("labels", &FrameBoxes::labels)
      .def_readonly("scores", &FrameBoxes::scores)
      .def_readonly("keyframe", &FrameBoxes::keyframe)
      .def_readonly("provenance", &FrameBoxes::provenance)
      .def("__len__", [](const FrameBoxes& f) { return py::len(f.track_ids); })
      .def("__repr__", [](const FrameBoxes& f) {
        return "<pcanno.FrameBoxes frame " + std::to_string(f.frame) + ", " +
               std::to_string(py::len(f.track_ids)) + " boxes, " + f.frame_of_reference + ">";
      });

  auto annotations = py::reinterpret_borrow<py::class_<formats::Annotations, AnnotationsPtr>>(
      m.attr("Annotations"));
  annotations.def("boxes", &frame_boxes, py::arg("frame"), py::arg("columns") = 7,
                  py::arg("frame_of_reference") = "lidar", py::arg("sequence") = py::none(),
                  py::kw_only(), py::arg("sequence_name") = "", R"doc(
All boxes of `frame` as a FrameBoxes of parallel arrays: boxes (N, columns) float64 in
`frame_of_reference` ('lidar' or 'world'), track_ids, labels, scores, keyframe, provenance.
Boxes stored in the other frame are moved through the frame's T_world_lidar, which `sequence`
(a dataset path or pcanno.Sequence) supplies; without it such a box raises UnsupportedError.)doc");

  auto track = py::reinterpret_borrow<py::class_<TrackRef>>(m.attr("Track"));
  track.def("boxes_array", &track_boxes, py::arg("columns") = 7,
            py::arg("frame_of_reference") = "lidar", py::arg("sequence") = py::none(),
            py::kw_only(), py::arg("sequence_name") = "", R"doc(
The track's boxes as (frames int64 (K,), boxes float64 (K, columns)) in `frame_of_reference`
('lidar' or 'world'; the other frame needs `sequence` for the poses, as Annotations.boxes()).)doc");
}

}  // namespace pcanno::python
