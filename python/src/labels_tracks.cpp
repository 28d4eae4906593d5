// pcanno.Track, pcanno.Box, pcanno.Polyline and pcanno.PolylineState: handles into a shared
// Annotations document (labels.hpp says why handles rather than references).
#include <algorithm>
#include <limits>

#include <pybind11/stl.h>

#include "box_arrays.hpp"
#include "labels.hpp"

namespace pcanno::python {
namespace {

py::object optional_float(const std::optional<double>& v) {
  return v ? py::object(py::float_(*v)) : py::object(py::none());
}

py::object kitti_dict(const std::optional<formats::KittiCameraFields>& k) {
  if (!k) return py::none();
  py::dict d;
  d["truncated"] = k->truncated;
  d["occluded"] = k->occluded;
  d["alpha"] = k->alpha;
  d["bbox"] = py::make_tuple(k->bbox[0], k->bbox[1], k->bbox[2], k->bbox[3]);
  return std::move(d);
}

py::object nuscenes_dict(const std::optional<formats::NuscenesFields>& n) {
  if (!n) return py::none();
  py::dict d;
  d["annotation_token"] = n->annotation_token;
  d["visibility_token"] = n->visibility_token;
  d["num_lidar_pts"] = n->num_lidar_pts;
  d["num_radar_pts"] = n->num_radar_pts;
  return std::move(d);
}

/// Inserts or replaces the state of `frame` in a frame-sorted vector.
template <typename State>
State& put_sorted(std::vector<State>& states, State state) {
  auto it = std::lower_bound(states.begin(), states.end(), state.frame,
                             [](const State& s, std::int64_t f) { return s.frame < f; });
  if (it != states.end() && it->frame == state.frame) {
    *it = std::move(state);
    return *it;
  }
  return *states.insert(it, std::move(state));
}

std::int64_t next_id(const formats::Annotations& doc) {
  std::int64_t id = 0;
  for (const auto& t : doc.tracks) id = std::max(id, t.id + 1);
  for (const auto& p : doc.polylines) id = std::max(id, p.id + 1);
  return id;
}

void check_frame(const formats::Annotations& doc, std::int64_t frame) {
  if (frame < 0) throw py::index_error("frame must be >= 0");
  (void)doc;  // frames past the document's frame list are allowed: codecs add them by index
}

void bind_box(py::module_& m) {
  py::class_<BoxRef>(m, "Box", R"doc(
A track's box at one frame (a handle into its Annotations).

center [m] (3,), size [m] (3,) length, width, height, and rotation (4,) (qw, qx, qy, qz), the unit
rotation box -> parent frame, are float64 copies in the frame named by frame_of_reference ('lidar':
the sensor frame of this box's frame; 'world': the sequence's world frame). yaw [rad] is
counter-clockwise about parent +z from parent +x. provenance says how the box came to be
('manual', 'interpolated', 'tracked', 'fitted', 'imported', 'model'); keyframe is True for a box a
person set (or imported ground truth); score is a detector's confidence or None; attributes are
this box's frame-level attributes (a dict copy: assign to change them). kitti and nuscenes hold the
fields kept for round trips (dicts), or None.)doc")
      .def_property_readonly(
          "frame", [](const BoxRef& b) { return b.frame; }, "The frame index.")
      .def_property_readonly(
          "track_id", [](const BoxRef& b) { return b.track; }, "The id of the box's track.")
      .def_property_readonly(
          "label",
          [](const BoxRef& b) {
            b.get();  // raises when the box is gone
            return b.doc->track(b.track)->label;
          },
          "The class of the box's track.")
      .def_property_readonly(
          "center", [](const BoxRef& b) { return vector3_array(b.get().box.center); },
          "[m] float64 (3,), in frame_of_reference")
      .def_property_readonly(
          "size", [](const BoxRef& b) { return vector3_array(b.get().box.size); },
          "[m] float64 (3,): length (box x), width (box y), height (box z)")
      .def_property_readonly(
          "rotation", [](const BoxRef& b) { return quaternion_array(b.get().box.rotation); },
          "float64 (4,): (qw, qx, qy, qz), box frame -> frame_of_reference")
      .def_property_readonly(
          "yaw", [](const BoxRef& b) { return b.get().box.yaw(); },
          "[rad] heading about +z of frame_of_reference")
      .def(
          "to_array",
          [](const BoxRef& b, int columns) {
            return boxes_to_array({b.get().box}, columns).attr("reshape")(columns);
          },
          py::arg("columns") = 7,
          "float64 (7,) [x y z length width height yaw] or (10,) [... qw qx qy qz], in "
          "frame_of_reference (as stored).")
      .def_property_readonly(
          "frame_of_reference",
          [](const BoxRef& b) { return std::string(formats::to_string(b.get().shape_frame)); },
          "'lidar' or 'world': the frame center and rotation are expressed in")
      .def_property(
          "provenance",
          [](const BoxRef& b) { return std::string(formats::to_string(b.get().provenance)); },
          [](const BoxRef& b, const std::string& p) { b.get().provenance = parse_provenance(p); },
          "'manual', 'interpolated', 'tracked', 'fitted', 'imported' or 'model'.")
      .def_property(
          "keyframe", [](const BoxRef& b) { return b.get().keyframe; },
          [](const BoxRef& b, bool k) { b.get().keyframe = k; },
          "True for a box a person set (or imported ground truth).")
      .def_property(
          "score", [](const BoxRef& b) { return optional_float(b.get().score); },
          [](const BoxRef& b, std::optional<double> s) { b.get().score = s; },
          "Detector confidence, or None.")
      .def_property(
          "attributes", [](const BoxRef& b) { return b.get().attributes; },
          [](const BoxRef& b, const formats::AttributeMap& a) { b.get().attributes = a; },
          "Frame-level attributes {str: str} (a copy; assign a dict to replace them).")
      .def_property_readonly(
          "kitti", [](const BoxRef& b) { return kitti_dict(b.get().kitti); },
          "KITTI image-side fields {'truncated', 'occluded', 'alpha', 'bbox'} "
          "as imported, or None.")
      .def_property_readonly(
          "nuscenes", [](const BoxRef& b) { return nuscenes_dict(b.get().nuscenes); },
          "nuScenes fields {'annotation_token', 'visibility_token', 'num_lidar_pts', "
          "'num_radar_pts'} as imported, or None.")
      .def("__repr__", [](const BoxRef& b) {
        const formats::BoxState& s = b.get();
        return "<pcanno.Box track " + std::to_string(b.track) + " frame " +
               std::to_string(b.frame) + " (" + formats::to_string(s.shape_frame) + ", " +
               formats::to_string(s.provenance) + (s.keyframe ? ", keyframe" : "") + ")>";
      });
}

void bind_track(py::module_& m) {
  py::class_<TrackRef>(m, "Track", R"doc(
One object over time (a handle into its Annotations): a stable id, one class (label), track-level
attributes, and at most one Box per frame, sorted by frame.)doc")
      .def_property_readonly(
          "id", [](const TrackRef& t) { return t.id; }, "The stable track id.")
      .def_property(
          "label", [](const TrackRef& t) { return t.get().label; },
          [](const TrackRef& t, const std::string& l) { t.get().label = l; }, "The class name.")
      .def_property(
          "attributes", [](const TrackRef& t) { return t.get().attributes; },
          [](const TrackRef& t, const formats::AttributeMap& a) { t.get().attributes = a; },
          "Track-level attributes {str: str} (a copy; assign a dict to replace them).")
      .def_property_readonly(
          "source_id", [](const TrackRef& t) { return t.get().source_id; },
          "The id in the source format (a nuScenes instance token).")
      .def_property(
          "free_tilt", [](const TrackRef& t) { return t.get().free_tilt; },
          [](const TrackRef& t, bool v) { t.get().free_tilt = v; },
          "Pitch and roll may be edited although the class is upright.")
      .def_property_readonly(
          "frames",
          [](const TrackRef& t) {
            const auto& boxes = t.get().boxes;
            py::array_t<std::int64_t> out(static_cast<py::ssize_t>(boxes.size()));
            for (std::size_t i = 0; i < boxes.size(); ++i)
              out.mutable_at(static_cast<py::ssize_t>(i)) = boxes[i].frame;
            return out;
          },
          "int64 (K,): the frames the track has a box in, ascending.")
      .def_property_readonly(
          "boxes",
          [](const TrackRef& t) {
            py::list out;
            for (const auto& b : t.get().boxes) out.append(BoxRef{t.doc, t.id, b.frame});
            return out;
          },
          "The boxes (Box handles), by frame.")
      .def(
          "__len__", [](const TrackRef& t) { return t.get().boxes.size(); }, "The number of boxes.")
      .def(
          "box",
          [](const TrackRef& t, std::int64_t frame) -> py::object {
            if (t.get().at(frame) == nullptr) return py::none();
            return py::cast(BoxRef{t.doc, t.id, frame});
          },
          py::arg("frame"), "The box at `frame`, or None.")
      .def(
          "set_box",
          [](const TrackRef& t, std::int64_t frame, const py::object& box,
             const std::string& frame_of_reference, const std::string& provenance, bool keyframe,
             std::optional<double> score, std::optional<formats::AttributeMap> attributes) {
            check_frame(*t.doc, frame);
            const geometry::Cuboid parsed = box_from_row(box, "box");
            formats::BoxState state;
            state.frame = frame;
            state.box = parsed;
            state.shape_frame = parse_shape_frame(frame_of_reference);
            state.provenance = parse_provenance(provenance);
            state.keyframe = keyframe;
            state.score = score;
            if (attributes) state.attributes = *attributes;
            put_sorted(t.get().boxes, std::move(state));
            return BoxRef{t.doc, t.id, frame};
          },
          py::arg("frame"), py::arg("box"), py::kw_only(), py::arg("frame_of_reference") = "lidar",
          py::arg("provenance") = "manual", py::arg("keyframe") = true,
          py::arg("score") = py::none(), py::arg("attributes") = py::none(),
          "Sets (adds or replaces) the box at `frame` from a (7,) or (10,) row (BOX7_COLUMNS / "
          "BOX10_COLUMNS) in `frame_of_reference`; returns it. Edits the document directly, "
          "without undo: use a Session for undoable edits.")
      .def(
          "remove_box",
          [](const TrackRef& t, std::int64_t frame) {
            auto& boxes = t.get().boxes;
            const auto before = boxes.size();
            boxes.erase(
                std::remove_if(boxes.begin(), boxes.end(),
                               [&](const formats::BoxState& b) { return b.frame == frame; }),
                boxes.end());
            return boxes.size() != before;
          },
          py::arg("frame"), "Removes the box at `frame`; True when there was one.")
      .def("__repr__", [](const TrackRef& t) {
        const formats::Track& tr = t.get();
        return "<pcanno.Track " + std::to_string(t.id) + " '" + tr.label + "' " +
               std::to_string(tr.boxes.size()) + " boxes>";
      });
}

void bind_polyline(py::module_& m) {
  py::class_<PolylineStateRef>(m, "PolylineState", R"doc(
A polyline track's line at one frame (a handle): vertices [m] float64 (M, 3) (a copy) in the frame
named by frame_of_reference ('lidar' or 'world'), closed (a segment joins the last vertex to the
first), provenance, keyframe and frame-level attributes.)doc")
      .def_property_readonly(
          "frame", [](const PolylineStateRef& s) { return s.frame; }, "The frame index.")
      .def_property_readonly(
          "polyline_id", [](const PolylineStateRef& s) { return s.id; },
          "The id of the polyline track.")
      .def_property_readonly(
          "vertices",
          [](const PolylineStateRef& s) {
            const auto& v = s.get().line.vertices;
            py::array_t<double> out({static_cast<py::ssize_t>(v.size()), py::ssize_t{3}});
            auto o = out.mutable_unchecked<2>();
            for (std::size_t i = 0; i < v.size(); ++i)
              for (int k = 0; k < 3; ++k) o(static_cast<py::ssize_t>(i), k) = v[i][k];
            return out;
          },
          "[m] float64 (M, 3), in frame_of_reference")
      .def_property_readonly(
          "closed", [](const PolylineStateRef& s) { return s.get().line.closed; },
          "A segment joins the last vertex to the first.")
      .def_property_readonly(
          "frame_of_reference",
          [](const PolylineStateRef& s) {
            return std::string(formats::to_string(s.get().shape_frame));
          },
          "'lidar' or 'world': the frame the vertices are expressed in.")
      .def_property_readonly(
          "provenance",
          [](const PolylineStateRef& s) {
            return std::string(formats::to_string(s.get().provenance));
          },
          "How the line came to be ('manual', 'tracked', ...).")
      .def_property_readonly(
          "keyframe", [](const PolylineStateRef& s) { return s.get().keyframe; },
          "True for a line a person set.")
      .def_property_readonly(
          "attributes", [](const PolylineStateRef& s) { return s.get().attributes; },
          "Frame-level attributes {str: str} (a copy).")
      .def("__repr__", [](const PolylineStateRef& s) {
        return "<pcanno.PolylineState polyline " + std::to_string(s.id) + " frame " +
               std::to_string(s.frame) + ", " + std::to_string(s.get().line.vertices.size()) +
               " vertices>";
      });

  py::class_<PolylineRef>(m, "Polyline", R"doc(
A polyline track (lane line, curb, stop line; a handle): id, class label, track-level attributes
and one PolylineState per frame, sorted by frame.)doc")
      .def_property_readonly(
          "id", [](const PolylineRef& p) { return p.id; }, "The stable polyline id.")
      .def_property_readonly(
          "label", [](const PolylineRef& p) { return p.get().label; }, "The class name.")
      .def_property_readonly(
          "attributes", [](const PolylineRef& p) { return p.get().attributes; },
          "Track-level attributes {str: str} (a copy).")
      .def_property_readonly(
          "frames",
          [](const PolylineRef& p) {
            std::vector<std::int64_t> out;
            for (const auto& s : p.get().states) out.push_back(s.frame);
            return py::array_t<std::int64_t>(static_cast<py::ssize_t>(out.size()), out.data());
          },
          "int64 (K,): the frames with a line, ascending.")
      .def_property_readonly(
          "states",
          [](const PolylineRef& p) {
            py::list out;
            for (const auto& s : p.get().states) out.append(PolylineStateRef{p.doc, p.id, s.frame});
            return out;
          },
          "The lines (PolylineState handles), by frame.")
      .def(
          "state",
          [](const PolylineRef& p, std::int64_t frame) -> py::object {
            if (p.get().at(frame) == nullptr) return py::none();
            return py::cast(PolylineStateRef{p.doc, p.id, frame});
          },
          py::arg("frame"), "The line at `frame`, or None.")
      .def(
          "__len__", [](const PolylineRef& p) { return p.get().states.size(); },
          "The number of lines.")
      .def("__repr__", [](const PolylineRef& p) {
        return "<pcanno.Polyline " + std::to_string(p.id) + " '" + p.get().label + "' " +
               std::to_string(p.get().states.size()) + " states>";
      });
}

}  // namespace

void bind_tracks(py::module_& m) {
  bind_box(m);
  bind_track(m);
  bind_polyline(m);

  auto cls = py::reinterpret_borrow<py::class_<formats::Annotations, AnnotationsPtr>>(
      m.attr("Annotations"));
  cls.def_property_readonly(
         "tracks",
         [](const AnnotationsPtr& a) {
           py::list out;
           for (const auto& t : a->tracks) out.append(TrackRef{a, t.id});
           return out;
         },
         "The box tracks (Track handles), in document order (ascending id once normalized).")
      .def(
          "track",
          [](const AnnotationsPtr& a, std::int64_t id) {
            if (a->track(id) == nullptr) throw py::key_error("no track " + std::to_string(id));
            return TrackRef{a, id};
          },
          py::arg("id"), "The track with id `id` (KeyError when none).")
      .def(
          "add_track",
          [](const AnnotationsPtr& a, const std::string& label, std::optional<std::int64_t> id) {
            const std::int64_t chosen = id ? *id : next_id(*a);
            if (a->track(chosen) != nullptr || a->polyline(chosen) != nullptr) {
              throw py::value_error("id " + std::to_string(chosen) + " is in use");
            }
            formats::Track t;
            t.id = chosen;
            t.label = label;
            a->ensure_class(label);
            a->tracks.push_back(std::move(t));
            return TrackRef{a, chosen};
          },
          py::arg("label"), py::arg("id") = py::none(),
          "Adds an empty track of class `label` (added to the schema when new), with `id` or the "
          "next free id; returns it. No undo: use a Session for undoable edits.")
      .def(
          "remove_track",
          [](const AnnotationsPtr& a, std::int64_t id) {
            auto& v = a->tracks;
            const auto before = v.size();
            v.erase(std::remove_if(v.begin(), v.end(),
                                   [&](const formats::Track& t) { return t.id == id; }),
                    v.end());
            return v.size() != before;
          },
          py::arg("id"), "Removes the track `id`; True when there was one.")
      .def_property_readonly(
          "polylines",
          [](const AnnotationsPtr& a) {
            py::list out;
            for (const auto& p : a->polylines) out.append(PolylineRef{a, p.id});
            return out;
          },
          "The polyline tracks (Polyline handles).")
      .def(
          "polyline",
          [](const AnnotationsPtr& a, std::int64_t id) {
            if (a->polyline(id) == nullptr)
              throw py::key_error("no polyline " + std::to_string(id));
            return PolylineRef{a, id};
          },
          py::arg("id"), "The polyline track with id `id` (KeyError when none).")
      .def(
          "add_polyline",
          [](const AnnotationsPtr& a, const std::string& label, std::int64_t frame,
             const py::array_t<double, py::array::c_style | py::array::forcecast>& vertices,
             bool closed, const std::string& frame_of_reference, std::optional<std::int64_t> id) {
            if (vertices.ndim() != 2 || vertices.shape(1) != 3) {
              throw py::value_error("vertices must have shape (M, 3)");
            }
            check_frame(*a, frame);
            formats::PolylineState state;
            state.frame = frame;
            state.shape_frame = parse_shape_frame(frame_of_reference);
            state.line.closed = closed;
            auto v = vertices.unchecked<2>();
            for (py::ssize_t i = 0; i < v.shape(0); ++i)
              state.line.vertices.emplace_back(v(i, 0), v(i, 1), v(i, 2));
            formats::PolylineTrack* p = id ? a->polyline(*id) : nullptr;
            if (p == nullptr) {
              const std::int64_t chosen = id ? *id : next_id(*a);
              if (a->track(chosen) != nullptr)
                throw py::value_error("id " + std::to_string(chosen) + " is in use");
              formats::PolylineTrack track;
              track.id = chosen;
              track.label = label;
              a->ensure_class(label);
              a->polylines.push_back(std::move(track));
              p = &a->polylines.back();
            }
            put_sorted(p->states, std::move(state));
            return PolylineRef{a, p->id};
          },
          py::arg("label"), py::arg("frame"), py::arg("vertices"), py::kw_only(),
          py::arg("closed") = false, py::arg("frame_of_reference") = "lidar",
          py::arg("id") = py::none(),
          "Sets the line of polyline track `id` (a new track of class `label` when None or "
          "absent) at `frame`: vertices [m] (M, 3) in `frame_of_reference`. Returns the track.");
}

}  // namespace pcanno::python
