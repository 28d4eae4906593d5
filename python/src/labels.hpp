#pragma once
// What the label bindings (labels*.cpp) and the session bindings (session*.cpp) share: the
// Annotations holder, the handles of its tracks, boxes and polylines, and how a `sequence`
// argument from Python becomes a formats::Sequence.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "bindings.hpp"
#include "registry.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/plugin/registry.hpp"

namespace pcanno::python {

/// pcanno.Annotations is held by this: sessions, automation results and handles share one document.
using AnnotationsPtr = std::shared_ptr<formats::Annotations>;

/// pcanno.Track: a track of a document, found again by id on every access, so that a handle stays
/// valid (or fails cleanly) while the document's vectors grow or shrink under it.
struct TrackRef {
  AnnotationsPtr doc;
  std::int64_t id = 0;
  formats::Track& get() const;  ///< raises LookupError when the track is gone
};

/// pcanno.Box: the box of track `track` at frame `frame`.
struct BoxRef {
  AnnotationsPtr doc;
  std::int64_t track = 0;
  std::int64_t frame = 0;
  formats::BoxState& get() const;
};

/// pcanno.Polyline: a polyline track.
struct PolylineRef {
  AnnotationsPtr doc;
  std::int64_t id = 0;
  formats::PolylineTrack& get() const;
};

/// pcanno.PolylineState: a polyline track's line at one frame.
struct PolylineStateRef {
  AnnotationsPtr doc;
  std::int64_t id = 0;
  std::int64_t frame = 0;
  formats::PolylineState& get() const;
};

/// pcanno.ClassSchema: the document's classes and its scene and frame tags.
struct SchemaRef {
  AnnotationsPtr doc;
};

/// A `sequence` argument: None, a path (str or PathLike, opened here like the CLI's --sequence,
/// `name` choosing the sequence or scene inside it), a pcanno.Sequence, or any object with `path`
/// (and `name`) attributes. Keeps what it opened alive.
class SequenceArg {
 public:
  SequenceArg() = default;
  SequenceArg(const py::object& sequence, const std::string& name);
  const formats::Sequence* get() const { return ptr_; }
  explicit operator bool() const { return ptr_ != nullptr; }

 private:
  std::shared_ptr<const formats::Sequence> owner_;
  const formats::Sequence* ptr_ = nullptr;
};

/// "lidar" / "world" -> ShapeFrame; ValueError otherwise.
formats::ShapeFrame parse_shape_frame(const std::string& name);
formats::Provenance parse_provenance(const std::string& name);

/// (3,), (4,) float64 copies of Eigen values.
py::array_t<double> vector3_array(const Eigen::Vector3d& v);
py::array_t<double> quaternion_array(const Eigen::Quaterniond& q);

/// The write report as a dict: format (`codec_id`), written (list of str), boxes_written,
/// polyline_states_written, ignore_regions_written, dropped {reason: count}, warnings {reason:
/// count}, summary (one line). write_labels(), convert() and the automation's `out` return it.
py::dict write_report_dict(const formats::WriteReport& report, const std::string& codec_id);

/// `whole` seen from a step that is [begin, end] of it; empty stays empty.
std::function<bool(double)> span(const std::function<bool(double)>& whole, double begin,
                                 double end);

/// A pcanno.FrameBoxes of the boxes of `frame` in `frame_of_reference`, moved between frames with
/// `sequence`'s poses (may be null: then a box stored in the other frame raises UnsupportedError).
py::object boxes_of_frame(const formats::Annotations& doc, std::int64_t frame, int columns,
                          const std::string& frame_of_reference, const formats::Sequence* sequence);

void bind_annotations(py::module_& m);   // labels.cpp
void bind_tracks(py::module_& m);        // labels_tracks.cpp
void bind_label_io(py::module_& m);      // labels_io.cpp
void bind_label_arrays(py::module_& m);  // labels_arrays.cpp

}  // namespace pcanno::python
