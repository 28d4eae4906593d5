// pcanno.Session: the engine's editing session (plugin::Session) from Python: opening a sequence
// with a document or starting labels, undo and redo, transactions as context managers, save,
// recovery of journaled edits, and observers as Python callables. The commands are in
// session_commands.cpp.
#include "session.hpp"

#include <filesystem>
#include <optional>
#include <string>

#include <pybind11/functional.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "sequences.hpp"

namespace pcanno::python {

Held::Held(const PySession& owner) : owner_(owner), session_(owner.session) {
  if (!session_) throw py::value_error("the session is closed");
  ++owner_.calls;
}

Held PySession::hold() const { return Held(*this); }

void apply(PySession& s, formats::Expected<plugin::Command> command) {
  const Held session = s.hold();
  if (!command) raise_error(command.error());
  const formats::Status applied = session->apply(*command);
  unwrap(applied);
}

namespace {

namespace fs = std::filesystem;

const char* kind_name(plugin::ChangeKind kind) {
  switch (kind) {
    case plugin::ChangeKind::kEdit:
      return "edit";
    case plugin::ChangeKind::kUndo:
      return "undo";
    case plugin::ChangeKind::kRedo:
      return "redo";
    case plugin::ChangeKind::kFrame:
      return "frame";
    case plugin::ChangeKind::kSelection:
      return "selection";
    case plugin::ChangeKind::kSaved:
      return "saved";
  }
  return "edit";
}

py::dict change_dict(const plugin::Change& c) {
  py::dict d;
  d["kind"] = kind_name(c.kind);
  d["name"] = c.name;
  d["tracks"] = c.tracks;
  d["polylines"] = c.polylines;
  return d;
}

/// What add_observer() returns: removes the observer on remove() or at the end of a `with`.
struct Subscription {
  std::weak_ptr<PySession> session;
  int id = -1;
  void remove() {
    if (auto s = session.lock(); s && s->session && id >= 0) s->hold()->remove_observer(id);
    id = -1;
  }
};

/// What Session.transaction() returns.
struct Transaction {
  std::shared_ptr<PySession> session;
  std::string name;
  bool entered = false;
};

std::string path_arg(const py::object& value) {
  if (value.is_none()) return {};
  if (py::hasattr(value, "__fspath__") || py::isinstance<py::str>(value)) {
    return value.cast<fs::path>().string();
  }
  // a pcanno.Sequence keeps where it was opened in `root`
  for (const char* where : {"root", "path"}) {
    if (py::hasattr(value, where)) return py::str(value.attr(where)).cast<std::string>();
  }
  throw py::type_error("expected a path (str or os.PathLike) or None");
}

plugin::RecoveryPolicy recovery_policy(const std::string& name) {
  if (name == "recover") return plugin::RecoveryPolicy::kRecover;
  if (name == "offer") return plugin::RecoveryPolicy::kOffer;
  if (name == "discard") return plugin::RecoveryPolicy::kDiscard;
  throw py::value_error("recovery must be 'recover', 'offer' or 'discard', not '" + name + "'");
}

/// Session.save and save_as: writes the document to `path` (document_path when None) with the
/// GIL released. The save is a job: another thread's edits meanwhile get BusyError instead of
/// changing the document under the writer; the JobScope lets the save itself (and a 'saved'
/// observer on this thread) through.
void save(PySession& s, const py::object& path) {
  const std::string p = path_arg(path);
  const Held session = s.hold();
  const JobClaim job(*session, "Save");
  const plugin::Session::JobScope scope(*session);
  const formats::Status saved = [&] {
    py::gil_scoped_release release;
    return session->save(p);
  }();
  check(saved);
}

std::shared_ptr<PySession> open(const py::object& document, const py::object& sequence,
                                const std::string& sequence_name, const py::object& labels,
                                const std::optional<std::string>& labels_format, bool journal,
                                const std::string& journal_sync, const std::string& recovery,
                                const py::object& recovery_folder, bool load_plugins) {
  plugin::SessionOptions options;
  options.sequence = path_arg(sequence);
  options.sequence_options.name = sequence_name;
  if (given_sequence(sequence, sequence_name)) {
    // The engine opens the dataset itself (its path keys the journal): with the options the
    // pcanno.Sequence was opened with (sweeps, scene, layout).
    options.sequence_options = *sequence_options_of(sequence);
  } else if (sequence_name.empty() && !sequence.is_none() && !py::isinstance<py::str>(sequence) &&
             !py::hasattr(sequence, "__fspath__") && py::hasattr(sequence, "name")) {
    // Another object that names its sequence or scene itself.
    options.sequence_options.name = py::str(sequence.attr("name")).cast<std::string>();
  }
  options.document = path_arg(document);
  options.journal = journal;
  if (journal_sync != "data" && journal_sync != "none") {
    throw py::value_error("journal_sync must be 'data' or 'none'");
  }
  options.journal_sync =
      journal_sync == "data" ? plugin::JournalSync::kData : plugin::JournalSync::kNone;
  options.recovery = recovery_policy(recovery);
  options.recovery_folder = path_arg(recovery_folder);
  options.load_plugins = load_plugins;
  if (!labels.is_none()) {
    if (py::isinstance<formats::Annotations>(labels)) {
      options.labels = labels.cast<const formats::Annotations&>();
    } else {
      // Labels from a file with any codec, calibrated by the sequence, as the workstation opens
      // them; "<codec>:<absolute path>" keys the recovery journal, as there.
      const fs::path path = labels.cast<fs::path>();
      const formats::LabelCodec* codec =
          unwrap(python_registry().codecs().select(path, labels_format.value_or("")));
      if (!codec->read) {
        raise_error(formats::Error{formats::ErrorCode::kUnsupported,
                                   "cannot read labels as '" + codec->id + "'", path.string()});
      }
      const SequenceArg dataset(sequence, sequence_name);
      formats::LabelContext context;
      context.sequence = dataset.get();
      formats::Expected<formats::Annotations> read = [&] {
        py::gil_scoped_release release;
        return codec->read(path, context);
      }();
      options.labels = unwrap(std::move(read));
      std::error_code ec;
      const fs::path absolute = fs::absolute(path, ec);
      options.labels_source = codec->id + ":" + (ec ? path : absolute).string();
    }
  }
  formats::Expected<std::unique_ptr<plugin::Session>> opened = [&] {
    py::gil_scoped_release release;
    return plugin::Session::open(options);
  }();
  auto s = std::make_shared<PySession>();
  s->session = unwrap(std::move(opened));
  return s;
}

std::shared_ptr<PySession> create(const AnnotationsPtr& doc, const py::object& sequence,
                                  const std::string& sequence_name) {
  std::optional<formats::Sequence> seq;
  if (!sequence.is_none()) {
    const SequenceArg dataset(sequence, sequence_name);
    seq = *dataset.get();
  }
  auto s = std::make_shared<PySession>();
  s->session = plugin::Session::create(*doc, std::move(seq));
  return s;
}

void close(PySession& s) {
  if (s.calls > 0) {
    raise_error(formats::Error{
        formats::ErrorCode::kBusy,
        "cannot close the session while one of its calls is under way (from an observer, a "
        "progress callback, or another thread during save or refit_track): close it after the "
        "call returns",
        ""});
  }
  s.session.reset();
  s.transaction_depth = 0;
  s.transaction_doomed.clear();
}

Transaction& entered(Transaction& t) {
  if (!t.entered) throw py::value_error("the transaction '" + t.name + "' was not entered");
  return t;
}

std::string exception_text(const py::object& type, const py::object& value) {
  std::string what;
  try {
    what = py::str(value);
  } catch (py::error_already_set&) {
    // An exception whose str() fails is still named by its type.
  }
  return py::str(type.attr("__name__")).cast<std::string>() + (what.empty() ? "" : ": " + what);
}

bool exit_transaction(Transaction& t, const py::object& type, const py::object& value) {
  PySession& s = *entered(t).session;
  t.entered = false;
  const bool raised = !type.is_none();
  if (!s.session) {
    // close() inside the block dropped the engine's transaction with the engine session: the
    // block's own exception says more than this.
    if (raised) return false;
    throw py::value_error("the session was closed inside the transaction '" + t.name +
                          "': its commands were not committed");
  }
  if (--s.transaction_depth > 0) {
    // An inner block: the outermost one decides; a failure here dooms it.
    if (raised && s.transaction_doomed.empty()) {
      s.transaction_doomed =
          "the inner transaction '" + t.name + "' raised " + exception_text(type, value);
    }
    return false;
  }
  const std::string doomed = std::move(s.transaction_doomed);
  s.transaction_doomed.clear();
  const Held session = s.hold();
  if (!raised && doomed.empty()) {
    check(session->commit_transaction());
    return false;
  }
  check(session->cancel_transaction());
  if (!raised) {
    raise_error(formats::Error{formats::ErrorCode::kConflict,
                               "the transaction '" + t.name + "' was rolled back: " + doomed +
                                   " (the exception was caught inside the outer block)",
                               ""});
  }
  return false;  // the block's exception propagates
}

Subscription add_observer(const std::shared_ptr<PySession>& s, py::function callback) {
  const Held session = s->hold();
  // Observers run on the thread that changed the session, which holds the GIL when that is a
  // Python call; acquiring it again is cheap and keeps a C++-side caller safe. An exception in
  // the callable cannot undo the change it reports, so it goes to sys.unraisablehook, as in
  // Python's own callbacks.
  auto shared = std::make_shared<py::function>(std::move(callback));
  const int id = session->add_observer([shared](const plugin::Change& change) {
    py::gil_scoped_acquire gil;
    try {
      (*shared)(change_dict(change));
    } catch (py::error_already_set& e) {
      e.discard_as_unraisable(*shared);
    }
  });
  return Subscription{s, id};
}

void bind_subscription_and_transaction(py::module_& m) {
  py::class_<Subscription>(m, "Subscription", R"doc(
What Session.add_observer() returns: keep it, and call remove() (or leave its `with` block) to stop
the calls.)doc")
      .def("remove", &Subscription::remove, "Stops calling the observer (idempotent).")
      .def_property_readonly(
          "active", [](const Subscription& sub) { return sub.id >= 0 && !sub.session.expired(); },
          "True until remove() (or the session is gone).")
      .def(
          "__enter__", [](py::object self) { return self; }, "`with session.add_observer(f):`")
      .def(
          "__exit__",
          [](Subscription& sub, py::args) {
            sub.remove();
            return false;
          },
          "Removes the observer.");

  py::class_<Transaction>(m, "Transaction", R"doc(
A context manager from Session.transaction(name): the commands applied inside the `with` block
become one undo step named `name`, committed when the block ends normally and rolled back (every
command of the block undone, nothing left in the undo history) when it raises.

Nested blocks join the outermost one, which alone commits or rolls back, all or nothing: an inner
block that raises re-raises and dooms the outer transaction (its commands stay in the document
until the outermost block ends). If the outer block lets the exception through, everything rolls
back and it propagates; if the outer block catches it and ends normally, everything rolls back
all the same and the outer exit raises ConflictError naming the inner failure (nothing is
committed half-way). If the session is closed inside the block, nothing is
committed: the block's own exception propagates, or ValueError says so.)doc")
      .def(
          "__enter__",
          [](Transaction& t) {
            if (t.entered)
              throw py::value_error("the transaction '" + t.name + "' is already open");
            PySession& s = *t.session;
            const Held session = s.hold();
            if (s.transaction_depth == 0) {
              session->begin_transaction(t.name);
              s.transaction_doomed.clear();
            }
            ++s.transaction_depth;
            t.entered = true;
            return t.session;
          },
          "Begins the transaction (or joins the open one); returns the session.")
      .def(
          "__exit__",
          [](Transaction& t, const py::object& type, const py::object& value, const py::object&) {
            return exit_transaction(t, type, value);
          },
          "The outermost block commits, or rolls back when the block raised or an inner block "
          "did (see the class help); the block's exception propagates.");
}

}  // namespace

void bind_session(py::module_& m) {
  bind_subscription_and_transaction(m);

  py::class_<PySession, std::shared_ptr<PySession>> cls(m, "Session", R"doc(
An annotation session over the engine (the same one the workstation and the C ABI use): a
sequence, its document, unlimited undo and redo, transactions, a crash journal and observers.

Session(document=None, sequence=None, labels=None, ...) opens like the workstation: the native
document at `document` (loaded when it exists, created by the first save), else the starting
`labels` (a path read with any codec, calibrated by `sequence`, or an Annotations), and journals
every edit (beside the document, or in a recovery journal keyed by the dataset and the labels) so
that an edit survives a crash; reopening replays it (recovery='recover'), offers it
('offer': see pending_recovery) or sets it aside ('discard'). Session.create(annotations) is an
in-memory session without journal.

Commands (create_track, modify_box, merge_tracks, create_polyline, ...) are each one undo step;
boxes are (7,) or (10,) rows (BOX7_COLUMNS / BOX10_COLUMNS) in the frame of reference given
('lidar' by default: the frame's sensor frame; 'world': the sequence's world frame). Refusals
raise pcanno.Error subclasses: NotFoundError (no such track, frame or vertex), MalformedError,
ConflictError (overlapping merge, nothing to undo, a locked tilt), BusyError (a job holds the
session). Single-threaded, like the engine's: use it from one thread. save() and refit_track()
run as jobs with the GIL released: edits from elsewhere meanwhile raise BusyError, and so does
close().)doc");
  cls.def(py::init(&open), py::arg("document") = py::none(), py::arg("sequence") = py::none(),
          py::kw_only(), py::arg("sequence_name") = "", py::arg("labels") = py::none(),
          py::arg("labels_format") = py::none(), py::arg("journal") = true,
          py::arg("journal_sync") = "data", py::arg("recovery") = "recover",
          py::arg("recovery_folder") = py::none(), py::arg("load_plugins") = true,
          "Opens a session (see the class help). sequence: a dataset path (or a pcanno.Sequence); "
          "document: the native .json; labels: a label path (any codec; labels_format forces "
          "one) or an Annotations; journal_sync 'data' (fdatasync each edit) or 'none'; "
          "recovery 'recover', 'offer' or 'discard'; recovery_folder: where journals of "
          "sessions without a document go.")
      .def_static("create", &create, py::arg("annotations"), py::arg("sequence") = py::none(),
                  py::kw_only(), py::arg("sequence_name") = "",
                  "An in-memory session over a copy of `annotations`, without journal (nothing "
                  "survives a crash); save() needs a path.")
      .def_property_readonly(
          "annotations",
          [](const PySession& s) {
            return std::make_shared<formats::Annotations>(s.hold()->document());
          },
          R"doc(
The document as it is now, as a new Annotations copy on every access: later edits do not change
it, and changing it does not change the session (edit through the session's commands). Read it
once into a variable rather than in a loop over a large document.)doc")
      .def(
          "boxes",
          [](const PySession& s, std::int64_t frame, int columns,
             const std::string& frame_of_reference) {
            const Held session = s.hold();
            return boxes_of_frame(session->document(), frame, columns, frame_of_reference,
                                  session->sequence());
          },
          py::arg("frame"), py::arg("columns") = 7, py::arg("frame_of_reference") = "lidar",
          "All boxes of `frame` now, as Annotations.boxes() gives them (a FrameBoxes), moved "
          "between the 'lidar' and 'world' frames with the session's own sequence.")
      .def_property_readonly(
          "document_path", [](const PySession& s) { return s.hold()->document_path().string(); },
          "The native document's path ('' when none).")
      .def_property_readonly(
          "journal_path", [](const PySession& s) { return s.hold()->journal_path().string(); },
          "Where edits are journaled ('' with journaling off); the file appears with the first "
          "edit.")
      .def_property_readonly(
          "warnings", [](const PySession& s) { return s.hold()->warnings(); },
          "What opening replayed, offered or set aside.")
      .def_property_readonly(
          "frame_count", [](const PySession& s) { return s.hold()->frame_count(); },
          "Frames: the sequence's, else the document's.")
      .def_property(
          "frame", [](const PySession& s) { return s.hold()->frame(); },
          [](PySession& s, std::int64_t f) { check(s.hold()->set_frame(f)); },
          "The current frame (observers see a 'frame' change).")
      .def_property_readonly(
          "has_sequence", [](const PySession& s) { return s.hold()->sequence() != nullptr; },
          "True when the session was opened with a sequence (clouds, poses, calibration).")
      .def(
          "T_world_lidar",
          [](const PySession& s, std::int64_t frame) -> py::object {
            const auto T = s.hold()->T_world_lidar(frame);
            if (!T) return py::none();
            return pose_array(*T);
          },
          py::arg("frame"), "float64 (4, 4) LiDAR -> world pose of `frame`, or None without poses.")
      .def_property_readonly(
          "dirty", [](const PySession& s) { return s.hold()->dirty(); },
          "True when there are edits since the last save or open.")
      .def_property_readonly(
          "can_undo", [](const PySession& s) { return s.hold()->can_undo(); },
          "True when undo() has a step to revert.")
      .def_property_readonly(
          "can_redo", [](const PySession& s) { return s.hold()->can_redo(); },
          "True when redo() has a step to re-apply.")
      .def_property_readonly(
          "undo_name", [](const PySession& s) { return s.hold()->undo_name(); },
          "The name of the step undo() reverts ('' when none).")
      .def_property_readonly(
          "redo_name", [](const PySession& s) { return s.hold()->redo_name(); },
          "The name of the step redo() re-applies ('' when none).")
      .def(
          "undo", [](PySession& s) { check(s.hold()->undo()); },
          "Reverts the last step exactly (ConflictError when there is none).")
      .def(
          "redo", [](PySession& s) { check(s.hold()->redo()); },
          "Re-applies the last undone step (ConflictError when there is none).")
      .def(
          "transaction",
          [](const std::shared_ptr<PySession>& s, const std::string& name) {
            s->hold();  // ValueError once closed
            return Transaction{s, name};
          },
          py::arg("name"), R"doc(
`with session.transaction("Fix track 3"):` groups the commands of the block into one undo step;
an exception inside rolls them all back and propagates. Nested blocks join the outermost one, all
or nothing (see Transaction).)doc")
      .def_property_readonly(
          "in_transaction", [](const PySession& s) { return s.hold()->in_transaction(); },
          "True inside a `with session.transaction(...)` block.")
      .def("save", &save, py::arg("path") = py::none(), R"doc(
Writes the native document atomically to `path` (default: document_path) and removes the journal
of the saved edits; dirty becomes False.)doc")
      .def("save_as", &save, py::arg("path"),
           "Saves to `path`, which becomes document_path; the journal moves beside it.")
      .def_property_readonly(
          "pending_recovery",
          [](const PySession& s) -> py::object {
            const Held session = s.hold();
            const auto& p = session->pending_recovery();
            if (!p) return py::none();
            py::dict d;
            d["journal"] = p->journal.string();
            d["edits"] = p->edits;
            d["modified_unix_s"] = p->modified_unix_s;
            return std::move(d);
          },
          "recovery='offer': the unsaved edits found ({'journal', 'edits', 'modified_unix_s'}), "
          "or None. Edits are refused until recover() or discard_recovery().")
      .def(
          "recover", [](PySession& s) { check(s.hold()->recover()); },
          "Replays the pending unsaved edits.")
      .def(
          "discard_recovery", [](PySession& s) { check(s.hold()->discard_recovery()); },
          "Sets the pending journal aside as <journal>.discarded.")
      .def(
          "abandon", [](PySession& s) { check(s.hold()->abandon()); },
          "Closing without saving: removes the journal; the session refuses edits afterwards.")
      .def("close", &close, R"doc(
Closes the session (the journal stays for recovery when there are unsaved edits); idempotent.
Raises BusyError, leaving the session open, when called while one of the session's own calls is
under way: from an observer or a progress callback, or from another thread while save() or
refit_track() runs.)doc")
      .def(
          "__enter__", [](py::object self) { return self; },
          "`with Session(...) as s:` closes it at the end.")
      .def(
          "__exit__",
          [](PySession& s, py::args) {
            close(s);
            return false;
          },
          "Closes the session (as close()).")
      .def(
          "begin_job",
          [](PySession& s, const std::string& name) { check(s.hold()->begin_job(name)); },
          py::arg("name"),
          "Claims the session for a long job: until end_job(), edits, undo, redo and save raise "
          "BusyError naming the job.")
      .def(
          "end_job", [](PySession& s) { s.hold()->end_job(); },
          "Releases the session claimed by begin_job().")
      .def_property_readonly(
          "busy_job", [](const PySession& s) { return s.hold()->busy_job(); },
          "The job holding the session ('' when none).")
      .def_property(
          "selection",
          [](const PySession& s) {
            const Held session = s.hold();
            const plugin::Selection& sel = session->selection();
            py::dict d;
            d["track"] = sel.track ? py::object(py::int_(*sel.track)) : py::object(py::none());
            d["polyline"] =
                sel.polyline ? py::object(py::int_(*sel.polyline)) : py::object(py::none());
            d["vertex"] = sel.vertex ? py::object(py::int_(*sel.vertex)) : py::object(py::none());
            return d;
          },
          [](PySession& s, const py::dict& d) {
            plugin::Selection sel;
            for (auto item : d) {
              const std::string key = py::str(item.first);
              if (key != "track" && key != "polyline" && key != "vertex") {
                throw py::key_error("selection keys are 'track', 'polyline' and 'vertex'");
              }
              if (item.second.is_none()) continue;
              if (key == "track") sel.track = item.second.cast<std::int64_t>();
              if (key == "polyline") sel.polyline = item.second.cast<std::int64_t>();
              if (key == "vertex") sel.vertex = item.second.cast<std::size_t>();
            }
            s.hold()->set_selection(sel);
          },
          "What is selected, shared with tools: {'track', 'polyline', 'vertex'} (None when "
          "nothing). Assign a dict to select; observers see a 'selection' change. Not an edit.")
      .def_property(
          "min_model_score", [](const PySession& s) { return s.hold()->min_model_score(); },
          [](PySession& s, double score) { s.hold()->set_min_model_score(score); },
          "Pre-labels (provenance 'model') scoring below this are hidden from views and clicks "
          "(clamped to [0, 1]); a way of looking, not an edit: the boxes stay in the document.")
      .def("add_observer", &add_observer, py::arg("callback"), R"doc(
Calls callback(change) after every change, with the GIL held, where change is a dict: 'kind'
('edit', 'undo', 'redo', 'frame', 'selection', 'saved'), 'name' (the command), 'tracks' and
'polylines' (ids touched). Returns a Subscription: keep it and call remove() to stop. An exception
the callback raises goes to sys.unraisablehook (the change has happened). The session holds the
callback until remove() or close(), so a callback that refers to the session keeps it alive.)doc")
      .def("__repr__", [](const PySession& s) {
        if (!s.session) return std::string("<pcanno.Session closed>");
        const Held session = s.hold();
        const formats::Annotations& d = session->document();
        return "<pcanno.Session " + std::to_string(d.tracks.size()) + " tracks, " +
               std::to_string(d.box_count()) + " boxes" + (session->dirty() ? ", unsaved" : "") +
               ">";
      });
  bind_session_commands(cls);
}

}  // namespace pcanno::python
