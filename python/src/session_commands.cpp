// The commands of pcanno.Session: one method per engine command factory (plugin/command.hpp,
// track_edits.hpp, polyline_commands.hpp, attribute_rules.hpp, tilt.hpp). Each is one undo step
// (or part of the open transaction) and journals as one line.
#include <cmath>
#include <optional>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "box_arrays.hpp"
#include "pcanno/formats/labels/document/class_schema_file.hpp"
#include "pcanno/plugin/attribute_rules.hpp"
#include "pcanno/plugin/polyline_commands.hpp"
#include "pcanno/plugin/tilt.hpp"
#include "pcanno/plugin/track_edits.hpp"
#include "session.hpp"

namespace pcanno::python {
namespace {

using Cls = py::class_<PySession, std::shared_ptr<PySession>>;

geometry::Cuboid one_box(const py::object& row) { return box_from_row(row, "box"); }

/// The upright box in frame B of `box` given in frame A (T_b_a: A -> B): the centre through the
/// pose, the size kept, and the heading in B whose box, seen in A, has `box`'s yaw (the heading of
/// its +x projected on A's xy plane: Cuboid::yaw()). That heading lies in the plane through A's +z
/// and that projected heading, carried into B, and in B's xy plane: their intersection. So an
/// upright box of B moved to A through the full pose and given back as a yaw-only row (the 7
/// columns of boxes()), or as its exact rotation, comes back unchanged; a full transform would
/// tilt the first by A's pitch and roll, which a tilt-locked track refuses.
geometry::Cuboid upright_moved(const geometry::Pose& T_b_a, const geometry::Cuboid& box) {
  const geometry::Cuboid full = geometry::transform(T_b_a, box);
  const double yaw_a = box.yaw();
  const Eigen::Vector3d heading_a(std::cos(yaw_a), std::sin(yaw_a), 0.0);
  const Eigen::Vector3d normal_b = T_b_a.rotation() * heading_a.cross(Eigen::Vector3d::UnitZ());
  const Eigen::Vector3d heading_b = Eigen::Vector3d::UnitZ().cross(normal_b);
  // A's +z lying in B's xy plane leaves no such heading: keep the full transform's.
  const double yaw_b =
      heading_b.head<2>().norm() < 1e-9 ? full.yaw() : std::atan2(heading_b.y(), heading_b.x());
  return geometry::Cuboid::from_yaw(full.center, box.size, yaw_b);
}

/// `box`, given in `given`, in the frame `stored` at `frame`, through the frame's pose; upright
/// in `stored` (upright_moved) when the track's tilt is locked.
geometry::Cuboid moved(const plugin::Session& s, std::int64_t frame, const geometry::Cuboid& box,
                       formats::ShapeFrame given, formats::ShapeFrame stored, bool upright) {
  if (given == stored) return box;
  const auto T = s.T_world_lidar(frame);
  if (!T) {
    raise_error(formats::Error{formats::ErrorCode::kUnsupported,
                               "frame " + std::to_string(frame) +
                                   ": the box is given in another frame of reference than the "
                                   "stored box's, and the session has no pose for this frame",
                               ""});
  }
  const geometry::Pose T_stored_given =
      given == formats::ShapeFrame::kLidar ? *T : geometry::invert(*T);
  return upright ? upright_moved(T_stored_given, box) : geometry::transform(T_stored_given, box);
}

geometry::Polyline polyline_arg(
    const py::array_t<double, py::array::c_style | py::array::forcecast>& v, bool closed) {
  if (v.ndim() != 2 || v.shape(1) != 3 || v.shape(0) < 1) {
    throw py::value_error("vertices must have shape (M, 3), M >= 1");
  }
  geometry::Polyline line;
  line.closed = closed;
  auto a = v.unchecked<2>();
  for (py::ssize_t i = 0; i < a.shape(0); ++i)
    line.vertices.emplace_back(a(i, 0), a(i, 1), a(i, 2));
  return line;
}

Eigen::Vector3d point_arg(const std::vector<double>& p) {
  if (p.size() != 3) throw py::value_error("a point is (x, y, z)");
  return {p[0], p[1], p[2]};
}

std::optional<plugin::FrameRange> range_arg(std::optional<std::int64_t> first,
                                            std::optional<std::int64_t> last) {
  if (!first && !last) return std::nullopt;
  if (!first || !last) throw py::value_error("give both first and last, or neither");
  if (*last < *first) throw py::value_error("last must be >= first");
  return plugin::FrameRange{*first, *last};
}

void bind_box_commands(Cls& cls) {
  cls.def(
         "create_track",
         [](PySession& s, const py::object& box, std::optional<std::int64_t> frame,
            const std::string& label, const std::string& frame_of_reference,
            const std::string& provenance, bool keyframe, std::int64_t track_id) {
           const Held session = s.hold();
           plugin::NewBox nb;
           nb.label = label;
           nb.frame = frame ? *frame : session->frame();
           nb.box = one_box(box);
           nb.shape_frame = parse_shape_frame(frame_of_reference);
           nb.provenance = parse_provenance(provenance);
           nb.keyframe = keyframe;
           const std::int64_t id =
               track_id >= 0 ? track_id : plugin::next_track_id(session->document());
           apply(s, plugin::create_track(session->document(), nb, id));
           return id;
         },
         py::arg("box"), py::arg("frame") = py::none(), py::kw_only(), py::arg("label") = "",
         py::arg("frame_of_reference") = "lidar", py::arg("provenance") = "manual",
         py::arg("keyframe") = true, py::arg("track_id") = -1,
         "A new track holding one box (a (7,) or (10,) row in frame_of_reference) at `frame` "
         "(default: the current frame), class `label` (default: the document's default class, "
         "added to the schema when new); returns the new track's id.")
      .def(
          "add_box",
          [](PySession& s, std::int64_t track_id, std::int64_t frame, const py::object& box,
             const std::string& frame_of_reference, const std::string& provenance, bool keyframe,
             std::optional<double> score, std::optional<formats::AttributeMap> attributes) {
            formats::BoxState state;
            state.frame = frame;
            state.box = one_box(box);
            state.shape_frame = parse_shape_frame(frame_of_reference);
            state.provenance = parse_provenance(provenance);
            state.keyframe = keyframe;
            state.score = score;
            if (attributes) state.attributes = *attributes;
            apply(s, plugin::put_box(s.hold()->document(), track_id, std::move(state)));
          },
          py::arg("track_id"), py::arg("frame"), py::arg("box"), py::kw_only(),
          py::arg("frame_of_reference") = "lidar", py::arg("provenance") = "manual",
          py::arg("keyframe") = true, py::arg("score") = py::none(),
          py::arg("attributes") = py::none(),
          "Adds or replaces the box of track `track_id` at `frame`.")
      .def(
          "modify_box",
          [](PySession& s, std::int64_t track_id, std::int64_t frame, const py::object& box,
             const std::string& frame_of_reference) {
            const Held session = s.hold();
            const formats::Annotations& doc = session->document();
            const formats::Track* t = doc.track(track_id);
            const formats::BoxState* b = t ? t->at(frame) : nullptr;
            geometry::Cuboid cuboid = one_box(box);
            if (b != nullptr) {
              cuboid = moved(*session, frame, cuboid, parse_shape_frame(frame_of_reference),
                             b->shape_frame, plugin::tilt_locked(doc, track_id));
            }
            apply(s, plugin::modify_box_checked(doc, track_id, frame, cuboid));
          },
          py::arg("track_id"), py::arg("frame"), py::arg("box"), py::kw_only(),
          py::arg("frame_of_reference") = "lidar",
          "Moves, turns or resizes a box (given in frame_of_reference; stored in its own frame). "
          "The box becomes a manual keyframe. Tilting an upright class's box raises ConflictError "
          "unless the track has free_tilt. A tilt-locked box given in the other frame than the "
          "stored one stays upright in its stored frame: its centre moves through the frame's "
          "pose and its heading is the one whose row in frame_of_reference has the given yaw "
          "(what boxes() gives), so a row read with boxes(frame, 7, ...) and submitted unchanged "
          "changes nothing.")
      .def(
          "delete_box",
          [](PySession& s, std::int64_t track_id, std::int64_t frame) {
            apply(s, plugin::delete_box(s.hold()->document(), track_id, frame));
          },
          py::arg("track_id"), py::arg("frame"), "Removes one box (the track with its last box).")
      .def(
          "delete_track",
          [](PySession& s, std::int64_t track_id) {
            apply(s, plugin::delete_track(s.hold()->document(), track_id));
          },
          py::arg("track_id"), "Removes a track and all its boxes.")
      .def(
          "set_class",
          [](PySession& s, std::int64_t track_id, const std::string& label) {
            apply(s, plugin::set_class(s.hold()->document(), track_id, label));
          },
          py::arg("track_id"), py::arg("label"), "Changes a track's class (added when new).")
      .def(
          "set_track_attribute",
          [](PySession& s, std::int64_t track_id, const std::string& key,
             std::optional<std::string> value) {
            apply(s,
                  plugin::set_track_attribute_checked(s.hold()->document(), track_id, key, value));
          },
          py::arg("track_id"), py::arg("key"), py::arg("value"),
          "Sets (str) or removes (None) a track-level attribute, checked against the class's "
          "declared attributes (MalformedError names what is allowed).")
      .def(
          "set_box_attribute",
          [](PySession& s, std::int64_t track_id, std::int64_t frame, const std::string& key,
             std::optional<std::string> value) {
            apply(s, plugin::set_box_attribute_checked(s.hold()->document(), track_id, frame, key,
                                                       value));
          },
          py::arg("track_id"), py::arg("frame"), py::arg("key"), py::arg("value"),
          "Sets (str) or removes (None) a frame-level attribute of one box, checked like "
          "set_track_attribute.")
      .def(
          "set_tag",
          [](PySession& s, const std::string& key, std::optional<std::string> value,
             std::int64_t frame) {
            apply(s, plugin::set_tag(s.hold()->document(), frame, key, value));
          },
          py::arg("key"), py::arg("value"), py::kw_only(), py::arg("frame") = -1,
          "Sets or removes a scene tag (frame -1) or the tag of frame `frame`.")
      .def(
          "set_keyframe",
          [](PySession& s, std::int64_t track_id, std::int64_t frame, bool k) {
            apply(s, plugin::set_keyframe(s.hold()->document(), track_id, frame, k));
          },
          py::arg("track_id"), py::arg("frame"), py::arg("keyframe") = true,
          "Marks (or unmarks) a box as a keyframe, the boxes track completion keeps.")
      .def(
          "set_free_tilt",
          [](PySession& s, std::int64_t track_id, bool free_tilt) {
            apply(s, plugin::set_free_tilt(s.hold()->document(), track_id, free_tilt));
          },
          py::arg("track_id"), py::arg("free_tilt") = true,
          "Lets (or stops) the track's boxes tilt although its class is upright.");
}

py::dict overlap(const PySession& s, std::int64_t a, std::int64_t b) {
  const Held session = s.hold();
  const formats::Annotations& doc = session->document();
  const formats::Track* ta = doc.track(a);
  const formats::Track* tb = doc.track(b);
  if (ta == nullptr || tb == nullptr) {
    raise_error(formats::Error{formats::ErrorCode::kNotFound,
                               "no track " + std::to_string(ta == nullptr ? a : b), ""});
  }
  const plugin::TrackOverlap o = plugin::track_overlap(*ta, *tb);
  py::list gaps;
  for (const plugin::FrameRange& r : o.gaps) gaps.append(py::make_tuple(r.first, r.last));
  py::dict out;
  out["overlaps"] = o.overlaps;
  out["gaps"] = gaps;
  return out;
}

void bind_track_commands(Cls& cls) {
  cls.def("track_overlap", &overlap, py::arg("a"), py::arg("b"),
          "What stands between tracks a and b and one merged track: {'overlaps': frames where "
          "both have a box (merge_tracks refuses them), 'gaps': [(first, last)] frames between "
          "their boxes where neither has one}.");
  cls.def(
         "merge_tracks",
         [](PySession& s, std::int64_t kept, std::int64_t absorbed) {
           apply(s, plugin::merge_tracks(s.hold()->document(), kept, absorbed));
         },
         py::arg("kept_id"), py::arg("absorbed_id"),
         "Moves every box of absorbed_id into kept_id; ConflictError naming the frames where both "
         "have a box.")
      .def(
          "split_track",
          [](PySession& s, std::int64_t track_id, std::int64_t first_frame, std::int64_t new_id) {
            const std::int64_t id =
                new_id >= 0 ? new_id : plugin::next_track_id(s.hold()->document());
            apply(s, plugin::split_track(s.hold()->document(), track_id, first_frame, id));
            return id;
          },
          py::arg("track_id"), py::arg("first_frame"), py::arg("new_id") = -1,
          "Moves the boxes from first_frame on into a new track; returns its id.")
      .def(
          "relink_box",
          [](PySession& s, std::int64_t track_id, std::int64_t frame, std::int64_t target_id) {
            const Held session = s.hold();
            const formats::Annotations& doc = session->document();
            const std::int64_t id = target_id >= 0 ? target_id : plugin::next_track_id(doc);
            apply(s, plugin::relink_box(doc, track_id, frame, id));
            return id;
          },
          py::arg("track_id"), py::arg("frame"), py::arg("target_id") = -1,
          "Moves one box into track target_id (a new track of the same class when -1 or unused); "
          "returns the target's id. ConflictError when the target has a box there.")
      .def(
          "delete_frames",
          [](PySession& s, std::int64_t track_id, std::int64_t first, std::int64_t last) {
            apply(s,
                  plugin::delete_frames(s.hold()->document(), track_id, *range_arg(first, last)));
          },
          py::arg("track_id"), py::arg("first"), py::arg("last"),
          "Removes the track's boxes in frames first..last (inclusive).")
      .def(
          "apply_size",
          [](PySession& s, std::int64_t track_id, std::int64_t from_frame,
             std::optional<std::int64_t> first, std::optional<std::int64_t> last) {
            apply(s, plugin::apply_size(s.hold()->document(), track_id, from_frame,
                                        range_arg(first, last)));
          },
          py::arg("track_id"), py::arg("from_frame"), py::arg("first") = py::none(),
          py::arg("last") = py::none(),
          "Gives every box of the track (in first..last, or all) the size of its box at "
          "from_frame.")
      .def(
          "flip_heading",
          [](PySession& s, std::int64_t track_id, std::int64_t first, std::int64_t last) {
            apply(s, plugin::flip_heading(s.hold()->document(), track_id, *range_arg(first, last)));
          },
          py::arg("track_id"), py::arg("first"), py::arg("last"),
          "Turns the track's boxes in first..last by 180 degrees about their own z axis.")
      .def(
          "refit_track",
          [](PySession& s, std::int64_t track_id, std::optional<std::int64_t> first,
             std::optional<std::int64_t> last, const py::object& progress) {
            const Held session = s.hold();
            const std::optional<plugin::FrameRange> range = range_arg(first, last);
            ProgressBridge bridge(progress);
            plugin::RefitReport report;
            formats::Expected<plugin::Command> command = [&] {
              // A job while the GIL is released: edits, undo and save from the progress
              // callback or another thread get BusyError instead of changing the document
              // the fit reads (no JobScope: the callback runs on this thread).
              const JobClaim job(*session, "Refit track");
              py::gil_scoped_release release;
              return plugin::refit_track(*session, track_id, range,
                                         plugin::sequence_clouds(*session), bridge.callback(),
                                         &report);
            }();
            bridge.rethrow_if_raised();
            apply(s, std::move(command));
            py::dict out;
            out["refitted"] = report.refitted;
            out["kept_frames"] = report.kept_frames;
            return out;
          },
          py::arg("track_id"), py::arg("first") = py::none(), py::arg("last") = py::none(),
          py::kw_only(), py::arg("progress") = py::none(),
          "Re-fits the track's boxes (in first..last, or all) to their frames' points (needs a "
          "sequence); returns {'refitted', 'kept_frames'}. The GIL is released while fitting, as a "
          "job: edits, undo, save and close() meanwhile (from `progress` or another thread) "
          "raise BusyError.")
      .def(
          "add_class",
          [](PySession& s, const std::string& name, std::int64_t position) {
            const Held session = s.hold();
            const formats::Annotations& doc = session->document();
            if (doc.class_spec(name) != nullptr) {
              raise_error(formats::Error{formats::ErrorCode::kConflict,
                                         "the schema already has a class '" + name + "'", ""});
            }
            apply(s, plugin::Command{
                         "Add class",
                         {formats::ClassEdit{name, formats::make_class_spec(name), position}}});
          },
          py::arg("name"), py::arg("position") = -1,
          "Adds the class `name` to the schema (as the default schema knows it) at `position` (-1: "
          "last); ConflictError when present.")
      .def(
          "remove_class",
          [](PySession& s, const std::string& name) {
            if (s.hold()->document().class_spec(name) == nullptr) {
              raise_error(
                  formats::Error{formats::ErrorCode::kNotFound, "no class '" + name + "'", ""});
            }
            apply(s, plugin::Command{"Remove class", {formats::ClassEdit{name, std::nullopt, -1}}});
          },
          py::arg("name"), "Removes the class `name` from the schema (its tracks keep the label).")
      .def(
          "load_class_schema",
          [](PySession& s, const std::filesystem::path& path) {
            const formats::ClassSchema schema = unwrap(formats::read_class_schema(path));
            apply(s, plugin::load_class_schema(s.hold()->document(), schema));
          },
          py::arg("path"), "Loads a class schema file into the document, one undo step.");
}

void bind_polyline_commands(Cls& cls) {
  using Vertices = py::array_t<double, py::array::c_style | py::array::forcecast>;
  cls.def(
         "create_polyline",
         [](PySession& s, const std::string& label, std::int64_t frame, const Vertices& vertices,
            bool closed, const std::string& frame_of_reference, std::int64_t id) {
           const Held session = s.hold();
           const formats::Annotations& doc = session->document();
           const std::int64_t chosen = id >= 0 ? id : plugin::next_polyline_id(doc);
           apply(s, plugin::create_polyline(doc, label, frame, polyline_arg(vertices, closed),
                                            parse_shape_frame(frame_of_reference), chosen));
           return chosen;
         },
         py::arg("label"), py::arg("frame"), py::arg("vertices"), py::kw_only(),
         py::arg("closed") = false, py::arg("frame_of_reference") = "lidar", py::arg("id") = -1,
         "A new polyline track with one line (vertices [m] (M, 3) in frame_of_reference); returns "
         "its id.")
      .def(
          "set_polyline",
          [](PySession& s, std::int64_t id, std::int64_t frame, const Vertices& vertices,
             bool closed) {
            apply(s, plugin::set_polyline(s.hold()->document(), id, frame,
                                          polyline_arg(vertices, closed)));
          },
          py::arg("id"), py::arg("frame"), py::arg("vertices"), py::kw_only(),
          py::arg("closed") = false, "Replaces (or adds) the line of polyline `id` at `frame`.")
      .def(
          "insert_vertex",
          [](PySession& s, std::int64_t id, std::int64_t frame, std::size_t index,
             const std::vector<double>& point) {
            apply(s,
                  plugin::insert_vertex(s.hold()->document(), id, frame, index, point_arg(point)));
          },
          py::arg("id"), py::arg("frame"), py::arg("index"), py::arg("point"),
          "Inserts point (x, y, z) before vertex `index` (index == vertex count appends).")
      .def(
          "move_vertex",
          [](PySession& s, std::int64_t id, std::int64_t frame, std::size_t index,
             const std::vector<double>& point) {
            apply(s, plugin::move_vertex(s.hold()->document(), id, frame, index, point_arg(point)));
          },
          py::arg("id"), py::arg("frame"), py::arg("index"), py::arg("point"),
          "Moves vertex `index` to point (x, y, z).")
      .def(
          "delete_vertex",
          [](PySession& s, std::int64_t id, std::int64_t frame, std::size_t index) {
            apply(s, plugin::delete_vertex(s.hold()->document(), id, frame, index));
          },
          py::arg("id"), py::arg("frame"), py::arg("index"),
          "Removes vertex `index` (a line keeps at least one vertex).")
      .def(
          "set_closed",
          [](PySession& s, std::int64_t id, std::int64_t frame, bool closed) {
            apply(s, plugin::set_closed(s.hold()->document(), id, frame, closed));
          },
          py::arg("id"), py::arg("frame"), py::arg("closed"),
          "Opens or closes the line at `frame`.")
      .def(
          "delete_polyline",
          [](PySession& s, std::int64_t id) {
            apply(s, plugin::delete_polyline(s.hold()->document(), id));
          },
          py::arg("id"), "Removes a polyline track and all its lines.")
      .def(
          "delete_polyline_state",
          [](PySession& s, std::int64_t id, std::int64_t frame) {
            apply(s, plugin::delete_polyline_state(s.hold()->document(), id, frame));
          },
          py::arg("id"), py::arg("frame"),
          "Removes the line at `frame` (the polyline with its last).")
      .def(
          "set_polyline_class",
          [](PySession& s, std::int64_t id, const std::string& label) {
            apply(s, plugin::set_polyline_class(s.hold()->document(), id, label));
          },
          py::arg("id"), py::arg("label"), "Changes a polyline track's class (added when new).")
      .def(
          "set_polyline_attribute",
          [](PySession& s, std::int64_t id, const std::string& key,
             std::optional<std::string> value) {
            apply(s, plugin::set_polyline_attribute_checked(s.hold()->document(), id, key, value));
          },
          py::arg("id"), py::arg("key"), py::arg("value"),
          "Sets (str) or removes (None) an attribute of a polyline track.");
}

}  // namespace

void bind_session_commands(Cls& cls) {
  bind_box_commands(cls);
  bind_track_commands(cls);
  bind_polyline_commands(cls);
}

}  // namespace pcanno::python
