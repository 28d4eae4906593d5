// The window's long jobs: automation services and exports on the worker thread (AutomationJob),
// which hold the session while they run; the edit gate closes meanwhile.
#include <QAction>
#include <QStatusBar>

#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/services/automation_services.hpp"
#include "pcanno/plugin/services/qa.hpp"
#include "pcanno/viewer/workstation/automation_job.hpp"
#include "pcanno/viewer/workstation/edit_gate.hpp"
#include "pcanno/viewer/workstation/job_status.hpp"
#include "pcanno/viewer/workstation/workstation_window.hpp"

namespace pcanno::viewer::workstation {
namespace fs = std::filesystem;

using Work = std::function<formats::Status(const std::function<bool(double)>&)>;

bool WorkstationWindow::job_running() const { return job_ && job_->running(); }

bool WorkstationWindow::propagate_selected() {
  const auto sel = session_->selection().track;
  job_polyline_.reset();
  if (const auto line = session_->selection().polyline; !sel && line) {
    // As for a box: from the polyline's latest line at or before this frame, forward.
    const formats::PolylineTrack* p = session_->document().polyline(*line);
    if (!p || p->states.empty()) return false;
    std::int64_t from = p->states.front().frame;
    for (const formats::PolylineState& s : p->states) {
      if (s.frame <= session_->frame()) from = s.frame;
    }
    job_polyline_.emplace(*line, p->states.size());
    return run_service("propagate", {{"polyline", std::to_string(*line)},
                                     {"from", std::to_string(from)},
                                     {"direction", "forward"}});
  }
  const formats::Track* track = sel ? session_->document().track(*sel) : nullptr;
  if (!track || track->boxes.empty()) return false;
  // From the track's latest box at or before this frame: stepping past the last box and pressing
  // P continues the track from where it ends, as annotators expect.
  std::int64_t from = track->boxes.front().frame;
  for (const formats::BoxState& b : track->boxes) {
    if (b.frame <= session_->frame()) from = b.frame;
  }
  return run_service(
      "propagate",
      {{"track", std::to_string(*sel)}, {"from", std::to_string(from)}, {"direction", "forward"}});
}

bool WorkstationWindow::interpolate_selected() {
  const auto sel = session_->selection().track;
  job_polyline_.reset();
  if (const auto line = session_->selection().polyline; !sel && line) {
    const formats::PolylineTrack* p = session_->document().polyline(*line);
    if (!p) return false;
    job_polyline_.emplace(*line, p->states.size());
    return run_service("interpolate", {{"polyline", std::to_string(*line)}});
  }
  if (!sel) return false;
  return run_service("interpolate", {{"track", std::to_string(*sel)}});
}

bool WorkstationWindow::run_checks_job() { return run_service("check", {}); }

bool WorkstationWindow::run_service(const std::string& id, formats::AttributeMap parameters) {
  const plugin::AutomationService* service = session_->registry().service(id);
  if (!service) {
    report(formats::Error{formats::ErrorCode::kNotFound, "no automation service " + id, ""},
           QString::fromStdString(id));
    return false;
  }
  return run_job(id,
                 [session = session_.get(), run = service->run,
                  parameters = std::move(parameters)](const std::function<bool(double)>& progress) {
                   return run(*session, parameters, progress);
                 });
}

bool WorkstationWindow::run_job(const std::string& name, Work work) {
  // The job holds the session from here (kBusy when another does) until it has ended.
  if (formats::Status started = job_->start(*session_, name, std::move(work)); !started) {
    report(started, QString::fromStdString(name));
    return false;
  }
  play_timer_.stop();
  qa_timer_.stop();
  gate_->set_open(false);
  job_cancel_action_->setEnabled(true);
  job_status_->show_started(name);
  statusBar()->showMessage(
      QString("%1 running (Esc or Cancel stops it)").arg(QString::fromStdString(name)));
  return true;
}

void WorkstationWindow::cancel_job() {
  if (!job_running() || job_->cancelling()) return;
  job_->cancel();
  // Said at once; the worker stops within half a second and job_finished() confirms.
  job_status_->show_cancelling(job_->name());
  statusBar()->showMessage("cancelling " + QString::fromStdString(job_->name()) + "...");
}

QString WorkstationWindow::job_progress_text() const { return job_status_->text(); }

void WorkstationWindow::job_finished(const QString& name, bool ok, bool cancelled,
                                     const QString& message) {
  job_status_->hide();
  job_cancel_action_->setEnabled(false);
  gate_->set_open(true);
  if (task_) set_labels_editable(!read_only());  // a task's labels: as its state says
  bool full_check = false;
  const QString text = cancelled ? name + " cancelled: nothing changed"
                       : !ok     ? name + " stopped: " + message
                                 : job_outcome(name, full_check);
  statusBar()->showMessage(text, 10000);
  job_polyline_.reset();
  refresh();
  if (!full_check) run_checks();  // the full report just arrived: keep it until the next edit
}

QString WorkstationWindow::job_outcome(const QString& name, bool& full_check) {
  if (name == "export") return QString::fromStdString(export_summary_);
  if (name == kEgoMotionJob) return display_job_outcome();  // sparse
  if (name == "refit") return refit_outcome();              // repair
  if (name == "prelabel") return prelabel_outcome();        // pre-labels
  if (name == "check") {
    const plugin::QaReport* r = plugin::last_check_report(session_->registry());
    if (!r) return {};
    qa_ = *r;
    full_check = true;
    return QString("check: %1 errors, %2 warnings")
        .arg(r->count(plugin::Severity::kError))
        .arg(r->count(plugin::Severity::kWarning));
  }
  const plugin::ServiceOutcome* outcome =
      plugin::last_service_outcome(session_->registry(), name.toStdString());
  QString text = QString("%1: %2 boxes").arg(name).arg(outcome ? outcome->boxes : 0);
  if (job_polyline_) {
    // "propagate: polyline 3 has lines at 20 frames (19 new)".
    const formats::PolylineTrack* p = session_->document().polyline(job_polyline_->first);
    const std::size_t now = p ? p->states.size() : 0;
    text = QString("%1: polyline %2 has lines at %3 frames (%4 new)")
               .arg(name)
               .arg(job_polyline_->first)
               .arg(now)
               .arg(now >= job_polyline_->second ? now - job_polyline_->second : 0);
    job_polyline_.reset();
  }
  if (outcome && !outcome->notes.empty()) {
    text += "; " + QString::fromStdString(outcome->notes.front());
  }
  return text;
}

formats::Expected<Work> WorkstationWindow::export_work(const fs::path& path,
                                                       const std::string& codec_id,
                                                       bool overwrite) {
  const formats::LabelCodec* codec = session_->registry().codecs().find(codec_id);
  if (!codec || !codec->write) {
    return formats::Error{formats::ErrorCode::kUnknownFormat,
                          "no label format " + codec_id + " that writes", path.string()};
  }
  // The codec writes to a temporary path and renames it into place: a cancelled export leaves
  // nothing behind.
  return Work([this, codec, path, overwrite](const std::function<bool(double)>& progress) {
    formats::LabelContext context;
    context.sequence = session_->sequence();
    context.overwrite = overwrite;
    context.progress = progress;
    auto written = codec->write(session_->document(), path, context);
    if (!written) return formats::Status(std::move(written).error());
    // What the format could not hold is said, not lost silently: "exported as kitti-tracking:
    // wrote 15 boxes; dropped 2 polyline states: KITTI labels hold boxes only".
    export_summary_ = "exported as " + codec->id + ": " + formats::summarize(*written);
    return formats::Status();
  });
}

formats::Status WorkstationWindow::export_labels(const fs::path& path, const std::string& codec_id,
                                                 bool overwrite) {
  auto work = export_work(path, codec_id, overwrite);
  if (!work) return std::move(work).error();
  // Held like a job while it writes, so that it is refused (kBusy) rather than racing a running
  // job's edits.
  if (formats::Status claimed = session_->begin_job("export"); !claimed) return claimed;
  const formats::Status written = (*work)({});
  session_->end_job();
  if (!written) return written;
  statusBar()->showMessage(QString::fromStdString(export_summary_), 8000);
  return {};
}

bool WorkstationWindow::export_labels_job(const fs::path& path, const std::string& codec_id,
                                          bool overwrite) {
  auto work = export_work(path, codec_id, overwrite);
  if (!work) {
    report(std::move(work).error(), "export");
    return false;
  }
  return run_job("export", std::move(*work));
}

}  // namespace pcanno::viewer::workstation
