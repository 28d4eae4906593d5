// pcanno.track and pcanno.prelabel: label sets made by the engine's automation, as
// `pcanno track` (app/track_command.cpp) and `pcanno prelabel` (app/prelabel_command.cpp) make
// them, returned as pcanno.Annotations and optionally written like their --out.
#include <filesystem>
#include <utility>

#include <pybind11/stl.h>

#include "automation.hpp"
#include "pcanno/formats/labels/document/edit.hpp"
#include "pcanno/plugin/automation/ego_motion.hpp"
#include "pcanno/plugin/automation/prelabel.hpp"
#include "pcanno/plugin/automation/track_completion.hpp"
#include "pcanno/plugin/detectors/detector_list.hpp"
#include "pcanno/plugin/detectors/guarded.hpp"
#include "pcanno/plugin/registry.hpp"

namespace pcanno::python::automation {
namespace {

/// Gives the sequence poses (estimated ego motion, cached unless `cache` is false) when it has
/// none, as the CLI does before interpolating, propagating or associating.
formats::Status ensure_poses(formats::Sequence& sequence, bool cache,
                             const std::function<bool(double)>& progress) {
  if (sequence.has_poses()) return {};
  plugin::EgoMotionOptions ego;
  if (cache) ego.cache_dir = plugin::default_ego_motion_cache();
  auto estimated = plugin::ensure_poses(sequence, ego, progress);
  if (!estimated) return estimated.error();
  return {};
}

/// A result, with its report when asked for.
py::object result(formats::Annotations&& doc, py::dict report, bool with_report) {
  py::object annotations = py::cast(std::move(doc));
  if (with_report) return py::make_tuple(annotations, report);
  return annotations;
}

/// The output's path, or "" for no output; `to` without `out` is refused.
std::string output_arg(const py::object& out, const std::optional<std::string>& to) {
  if (out.is_none()) {
    if (to && !to->empty()) raise_error(invalid("to: names the format of out; give out as well"));
    return "";
  }
  return path_arg(out, "out");
}

struct TrackArgs {
  SequenceInput sequence;
  std::string labels;  ///< empty: `doc` was given
  std::optional<formats::Annotations> doc;
  std::string out;
  std::string to;
  std::string from;
  plugin::CompletionMethod method = plugin::CompletionMethod::kAuto;
  std::size_t keyframes_every = 0;
  bool first_keyframe_only = false;
  bool refine = false;
  bool force = false;
  bool cache = true;
};

struct TrackOutcome {
  formats::Annotations doc;
  plugin::CompletionReport completion;
  std::size_t beyond = 0;
  std::size_t keyframes = 0;
  std::size_t keyframe_lines = 0;
  std::optional<formats::WriteReport> written;
  std::string writer_id;
};

/// run_track of app/track_command.cpp, without the GIL.
formats::Expected<TrackOutcome> run_track(TrackArgs& a, const plugin::Registry& registry,
                                          const std::function<bool(double)>& progress) {
  auto sequence = a.sequence.open(registry);
  if (!sequence) return sequence.error();

  const formats::LabelCodecRegistry& codecs = registry.codecs();
  const formats::LabelCodec* reader = nullptr;
  if (!a.doc) {
    const auto selected = codecs.select(a.labels, a.from);
    if (!selected) return selected.error();
    reader = *selected;
    if (!reader->read) return invalid("cannot read labels as '" + reader->id + "'", a.labels);
  }
  TrackOutcome outcome;
  const formats::LabelCodec* writer = nullptr;
  if (!a.out.empty()) {
    // An Annotations object has no format of its own: the native document keeps everything.
    outcome.writer_id = !a.to.empty() ? a.to : reader != nullptr ? reader->id : "pcanno";
    writer = codecs.find(outcome.writer_id);
    if (writer == nullptr || !writer->write) {
      return invalid("to: cannot write labels as '" + outcome.writer_id + "'");
    }
  }
  // The keyframes take the dataset's calibration wherever their file is; boxes on frames the
  // dataset has no clouds for are dropped below and counted.
  formats::LabelContext context;
  context.overwrite = a.force;
  context.sequence = &*sequence;
  if (a.doc) {
    outcome.doc = std::move(*a.doc);
  } else {
    context.frames_beyond_sequence = true;
    auto doc = reader->read(a.labels, context);
    if (!doc) return doc.error();
    context.frames_beyond_sequence = false;
    outcome.doc = std::move(*doc);
  }
  formats::Annotations& doc = outcome.doc;
  outcome.beyond = plugin::crop_to_frames(doc, sequence->size());
  if (a.first_keyframe_only) {
    plugin::keep_keyframes_every(doc, 0, false);
  } else if (a.keyframes_every > 0) {
    plugin::keep_keyframes_every(doc, a.keyframes_every);
  }
  outcome.keyframes = doc.box_count();
  for (const formats::PolylineTrack& p : doc.polylines) {
    for (const formats::PolylineState& state : p.states) {
      outcome.keyframe_lines += state.keyframe ? 1 : 0;
    }
  }
  double start = 0.0;
  if (a.method != plugin::CompletionMethod::kLinear && !sequence->has_poses()) {
    start = 0.3;
    if (formats::Status s = ensure_poses(*sequence, a.cache, span(progress, 0.0, start)); !s) {
      return s.error();
    }
  }
  plugin::CompletionOptions completion;
  completion.method = a.method;
  completion.refine = a.refine;
  auto done = plugin::complete_tracks(doc, *sequence, completion,
                                      span(progress, start, writer != nullptr ? 0.95 : 1.0));
  if (!done) return done.error();
  outcome.completion = std::move(*done);
  if (writer != nullptr) {
    context.progress = span(progress, 0.95, 1.0);
    auto written = plugin::write_labels_output(*writer, doc, a.out, context);
    if (!written) return written.error();
    outcome.written = std::move(*written);
  }
  return outcome;
}

py::object track(py::object sequence, py::object labels, py::object out,
                 const std::optional<std::string>& to, const std::optional<std::string>& format,
                 std::string sequence_name, const std::string& method,
                 std::size_t keyframes_every, bool first_keyframe_only, bool refine, bool force,
                 bool cache, py::object progress, bool with_report) {
  TrackArgs a;
  a.sequence = sequence_input(sequence, sequence_name);
  a.doc = annotations_arg(labels, "labels");
  if (!a.doc) a.labels = path_arg(labels, "labels");
  a.out = output_arg(out, to);
  a.to = to.value_or("");
  a.from = format.value_or("");
  if (a.doc && !a.from.empty()) {
    raise_error(invalid("format: names the format of a labels path, not of an Annotations"));
  }
  const auto parsed = plugin::completion_method_from_string(method);
  if (!parsed) {
    raise_error(invalid("method: '" + method + "' is not one of linear, interpolate, propagate, "
                        "auto"));
  }
  a.method = *parsed;
  if (first_keyframe_only && keyframes_every > 0) {
    raise_error(invalid("first_keyframe_only and keyframes_every exclude each other"));
  }
  a.keyframes_every = keyframes_every;
  a.first_keyframe_only = first_keyframe_only;
  a.refine = refine;
  a.force = force;
  a.cache = cache;
  // An existing output file is refused before the work, not only by the writer at its end.
  std::error_code ec;
  if (!a.out.empty() && !force && std::filesystem::is_regular_file(a.out, ec)) {
    raise_error(exists(a.out));
  }
  const plugin::Registry& reg = python_registry();
  ProgressBridge bridge(std::move(progress));
  std::optional<formats::Expected<TrackOutcome>> run;
  {
    py::gil_scoped_release release;
    run.emplace(run_track(a, reg, bridge.callback()));
  }
  TrackOutcome outcome = bridge.unwrap(std::move(*run));
  if (outcome.beyond > 0) {
    warn(std::to_string(outcome.beyond) +
         (outcome.beyond == 1 ? " input box lies" : " input boxes lie") +
         " beyond the frames with clouds and " + (outcome.beyond == 1 ? "was" : "were") +
         " left out");
  }
  for (const std::string& note : outcome.completion.notes) warn(note);
  const plugin::CompletionReport& c = outcome.completion;
  py::dict report;
  report["method"] = plugin::to_string(a.method);
  report["keyframes"] = outcome.keyframes;
  report["tracks"] = outcome.doc.tracks.size();
  report["keyframe_polyline_states"] = outcome.keyframe_lines;
  report["polylines"] = outcome.doc.polylines.size();
  report["boxes_added"] = c.boxes_added;
  report["tracks_completed"] = c.tracks_completed;
  report["boxes_to_review"] = c.boxes_to_review;
  report["boxes_coasted"] = c.boxes_coasted;
  report["polyline_states_added"] = c.polyline_states_added;
  report["polylines_completed"] = c.polylines_completed;
  report["boxes_beyond_sequence"] = outcome.beyond;
  report["notes"] = py::cast(c.notes);
  report["written"] = outcome.written ? py::object(write_report_dict(*outcome.written,
                                                                     outcome.writer_id))
                                      : py::object(py::none());
  return result(std::move(outcome.doc), report, with_report);
}

/// prelabel's frames: None (all), N, "A-B", "A" or (A, B) inclusive.
std::pair<std::int64_t, std::int64_t> frame_range(const py::object& frames) {
  if (frames.is_none()) return {0, -1};
  if (py::isinstance<py::str>(frames)) {
    auto range = plugin::parse_frame_range(frames.cast<std::string>());
    if (!range) raise_error(invalid("frames: " + range.error().message));
    return *range;
  }
  try {
    if (py::isinstance<py::int_>(frames)) {
      const auto f = frames.cast<std::int64_t>();
      return {f, f};
    }
    const auto pair = frames.cast<std::pair<std::int64_t, std::int64_t>>();
    return pair;
  } catch (const py::cast_error&) {
    raise_error(invalid("frames: expected None, a frame N, \"A-B\" or (A, B) (inclusive)"));
  }
}

struct PrelabelArgs {
  SequenceInput sequence;
  std::string out;
  std::string to;
  std::string detector;
  std::int64_t first_frame = 0;
  std::int64_t last_frame = -1;
  double min_score = 0.0;
  std::size_t min_hits = 3;
  formats::AttributeMap parameters;
  bool force = false;
  bool cache = true;
};

struct PrelabelOutcome {
  formats::Annotations doc;
  plugin::PrelabelRun run;
  plugin::PrelabelNotes notes;
  std::optional<formats::WriteReport> written;
};

/// run_prelabel_command of app/prelabel_command.cpp, without the GIL.
formats::Expected<PrelabelOutcome> run_prelabel(const PrelabelArgs& a,
                                                const plugin::Registry& registry,
                                                const plugin::DetectorFactory& factory,
                                                const formats::LabelCodec* writer,
                                                const std::function<bool(double)>& progress) {
  auto sequence = a.sequence.open(registry);
  if (!sequence) return sequence.error();
  plugin::PrelabelOptions options;
  options.min_score = a.min_score;
  options.association.min_hits = a.min_hits;
  options.first_frame = a.first_frame;
  options.last_frame = a.last_frame;
  if (formats::Status s =
          plugin::check_frame_range(options.first_frame, options.last_frame, sequence->size());
      !s) {
    return invalid("frames: " + s.error().message + " (" + sequence->name + ")", a.sequence.path);
  }
  auto detector = plugin::create_detector(factory, a.parameters);
  if (!detector) {
    formats::Error e = std::move(detector).error();
    e.message = "detector '" + a.detector + "': " + e.message;
    return e;
  }
  const std::int64_t last =
      options.last_frame < 0 ? static_cast<std::int64_t>(sequence->size()) - 1 : options.last_frame;
  // Tracks are associated in the world frame: a range of frames needs poses.
  double start = 0.0;
  if (last > options.first_frame && !sequence->has_poses()) {
    start = 0.3;
    if (formats::Status s = ensure_poses(*sequence, a.cache, span(progress, 0.0, start)); !s) {
      return s.error();
    }
  }
  PrelabelOutcome outcome;
  formats::Annotations& doc = outcome.doc;
  doc.sequence = {sequence->layout, a.sequence.path, sequence->name};
  for (const formats::FrameRef& f : sequence->frames) {
    doc.frames.push_back(formats::FrameInfo{f.name, f.timestamp_us, {}, ""});
  }
  auto run = plugin::run_prelabel(**detector, *sequence, options, plugin::schema_classes(doc),
                                  span(progress, start, 0.95));
  if (!run) return run.error();
  outcome.run = std::move(*run);
  plugin::PrelabelApply apply;
  // The LiDAR frame: what KITTI stores, and every writer takes.
  apply.shape_frame = [](std::int64_t) { return formats::ShapeFrame::kLidar; };
  auto command = plugin::prelabel_command(doc, *sequence, outcome.run, apply, outcome.notes);
  if (!command) return command.error();
  if (auto applied = formats::apply_edits(doc, command->edits); !applied) return applied.error();
  if (progress && !progress(0.95)) {
    return formats::Error{formats::ErrorCode::kCancelled, "cancelled", ""};
  }
  if (writer != nullptr) {
    formats::LabelContext context;
    context.sequence = &*sequence;
    context.overwrite = a.force;
    context.progress = span(progress, 0.95, 1.0);
    auto written = plugin::write_labels_output(*writer, doc, a.out, context);
    if (!written) return written.error();
    outcome.written = std::move(*written);
  }
  return outcome;
}

py::object prelabel(py::object sequence, const std::string& detector, py::object frames,
                    double min_score, std::size_t min_hits, const py::object& detector_params,
                    std::string sequence_name, py::object out,
                    const std::optional<std::string>& to, bool force, bool cache,
                    py::object progress, bool with_report) {
  PrelabelArgs a;
  a.sequence = sequence_input(sequence, sequence_name);
  a.out = output_arg(out, to);
  a.to = to && !to->empty() ? *to : "pcanno";
  a.detector = detector;
  std::tie(a.first_frame, a.last_frame) = frame_range(frames);
  a.min_score = min_score;
  a.min_hits = min_hits;
  a.force = force;
  a.cache = cache;
  const plugin::Registry& reg = python_registry();
  const formats::LabelCodec* writer = nullptr;
  if (!a.out.empty()) {
    writer = reg.codecs().find(a.to);
    if (writer == nullptr || !writer->write) {
      raise_error(invalid("to: cannot write labels as '" + a.to + "'"));
    }
  }
  const plugin::DetectorFactory* factory = reg.detector(detector);
  if (factory == nullptr) {
    raise_error(invalid("detector: no detector '" + detector + "' (" +
                        plugin::detector_list(reg) + "; plugins add more via PCANNO_PLUGIN_PATH)"));
  }
  if (!detector_params.is_none()) {
    if (!py::isinstance<py::dict>(detector_params)) {
      throw py::type_error("detector_params: expected a dict {key: value}");
    }
    for (const auto& [key, value] : detector_params.cast<py::dict>()) {
      const std::string k = py::str(key);
      if (k.empty()) raise_error(invalid("detector_params: a key is empty"));
      // The CLI's key=value text: numbers and booleans as Python spells them.
      a.parameters[k] = py::isinstance<py::bool_>(value)
                            ? std::string(value.cast<bool>() ? "true" : "false")
                            : std::string(py::str(value));
    }
  }
  if (!(min_score >= 0.0 && min_score <= 1.0)) {
    raise_error(invalid("min_score: expected a number in [0, 1]"));
  }
  if (min_hits < 1) raise_error(invalid("min_hits: expected at least 1"));
  std::error_code ec;
  if (!a.out.empty() && !force && std::filesystem::exists(a.out, ec)) raise_error(exists(a.out));

  ProgressBridge bridge(std::move(progress));
  std::optional<formats::Expected<PrelabelOutcome>> run;
  {
    py::gil_scoped_release release;
    run.emplace(run_prelabel(a, reg, *factory, writer, bridge.callback()));
  }
  PrelabelOutcome outcome = bridge.unwrap(std::move(*run));
  for (const std::string& note : outcome.notes.notes) warn(note);
  const plugin::PrelabelRun& r = outcome.run;
  std::size_t found = r.association.detections + r.below_min_score;
  for (const auto& [name, count] : r.unknown_classes) found += count;
  py::dict report;
  report["detector"] = detector;
  report["found"] = found;
  report["first_frame"] = r.first_frame;
  report["last_frame"] = r.last_frame;
  report["below_min_score"] = r.below_min_score;
  report["unknown_classes"] = py::cast(r.unknown_classes);
  report["tracks"] = outcome.notes.tracks;
  report["boxes"] = outcome.notes.boxes;
  report["notes"] = py::cast(outcome.notes.notes);
  report["written"] = outcome.written ? py::object(write_report_dict(*outcome.written, a.to))
                                      : py::object(py::none());
  return result(std::move(outcome.doc), report, with_report);
}

}  // namespace

void bind_track(py::module_& m) {
  m.def("track", &track, py::arg("sequence"), py::arg("labels"), py::kw_only(),
        py::arg("out") = py::none(), py::arg("to") = py::none(), py::arg("format") = py::none(),
        py::arg("sequence_name") = "", py::arg("method") = "auto",
        py::arg("keyframes_every") = 0, py::arg("first_keyframe_only") = false,
        py::arg("refine") = false, py::arg("force") = false, py::arg("cache") = true,
        py::arg("progress") = py::none(), py::arg("with_report") = false,
        R"doc(Complete box and polyline tracks between keyframes (`pcanno track`).

Every frame between a track's keyframes gets a box; with `method="auto"` or "propagate" a
track with a single keyframe is followed to the end of the sequence. Existing boxes are kept.
New boxes have provenance "interpolated" or "tracked", keyframe False, and are stored in the
frame their track's keyframes use. A sequence without poses gets them from the estimated ego
motion first (all methods but "linear").

Args:
    sequence: dataset with the clouds (KITTI training/, a nuScenes dataroot, ...): a path, or a
        pcanno.Sequence, used as it was opened (sweeps, scene; the call gives a copy poses).
    labels: keyframe labels: a path in any readable format (KITTI labels take the dataset's
        calibration), or a pcanno.Annotations (not changed: the result is a new object).
    out: also write the result here (file or folder; missing folders are made), as --out.
    to: format of `out` (default: the input's; "pcanno" for an Annotations input).
    format: format of a labels path, overriding detection (--from).
    sequence_name: sequence or scene inside the dataset.
    method: "linear" (plain parameter interpolation in each frame's LiDAR frame, as other
        tools), "interpolate" (world frame), "propagate" (predict and register), "auto".
    keyframes_every: keep only each track's first, every K-th and last box as keyframes
        (to measure completion against full ground truth); 0 keeps all.
    first_keyframe_only: keep only each track's first box (to measure propagation alone).
    refine: move interpolated boxes onto their frame's points (within 0.5 m, 10 degrees).
    force: replace an existing `out`.
    cache: read and write the ego-motion cache (False: --no-cache).
    progress: callable(fraction in [0, 1]); returning False cancels.
    with_report: return (annotations, report) instead of the annotations alone.

Returns:
    pcanno.Annotations; with `with_report`, also a dict: method, keyframes, tracks,
    keyframe_polyline_states, polylines, boxes_added, tracks_completed, boxes_to_review,
    boxes_coasted, polyline_states_added, polylines_completed, boxes_beyond_sequence, notes,
    written (None, or format, written paths, boxes_written, dropped, warnings, ...).
    Boxes beyond the sequence's clouds and the completion's notes are also UserWarnings.

Raises:
    pcanno.CancelledError when `progress` returned False (nothing is written), or the
    callable's own exception; pcanno.PermissionDeniedError for an existing `out` without
    `force`; pcanno.InvalidArgumentError for bad options; the reading errors of the inputs.)doc");
}

void bind_prelabel(py::module_& m) {
  m.def("prelabel", &prelabel, py::arg("sequence"), py::kw_only(),
        py::arg("detector") = "classical", py::arg("frames") = py::none(),
        py::arg("min_score") = 0.0, py::arg("min_hits") = 3,
        py::arg("detector_params") = py::none(), py::arg("sequence_name") = "",
        py::arg("out") = py::none(), py::arg("to") = py::none(), py::arg("force") = false,
        py::arg("cache") = true, py::arg("progress") = py::none(),
        py::arg("with_report") = false,
        R"doc(Pre-label a sequence with a detector (`pcanno prelabel`).

The detector runs on every frame of the range; its detections are associated into tracks in the
world frame (poses from the ego motion when the sequence has none) and become boxes with
provenance "model", the detection's score and keyframe False, in each frame's LiDAR frame.

Args:
    sequence: dataset with the clouds: a path, or a pcanno.Sequence (used as opened).
    detector: detector id: "classical" (built in), or an external-process or plugin detector
        registered on PCANNO_PLUGIN_PATH (e.g. "numpy-example", examples/detectors).
    frames: None (all), a frame N, "A-B" or "A", or (A, B); inclusive.
    min_score: leave out detections scoring below, in [0, 1].
    min_hits: frames an object must be detected in before it becomes a track.
    detector_params: {key: value} handed to the detector (--detector-param key=value).
    sequence_name: sequence or scene inside the dataset.
    out: also write the result here (file or folder), as --out.
    to: format of `out` (default "pcanno", which keeps provenance and scores).
    force: replace an existing `out`.
    cache: read and write the ego-motion cache.
    progress: callable(fraction in [0, 1]); returning False cancels.
    with_report: return (annotations, report) instead of the annotations alone.

Returns:
    pcanno.Annotations; with `with_report`, also a dict: detector, found, first_frame,
    last_frame, below_min_score, unknown_classes, tracks, boxes, notes, written.

Raises:
    pcanno.InvalidArgumentError for an unknown detector, bad parameters or frames outside the
    sequence; pcanno.CancelledError when cancelled (nothing is written); the detector's errors
    naming it and the frame.)doc");
}

}  // namespace pcanno::python::automation
