// Pre-labelling in the workstation: the "prelabel" service on this frame or the whole sequence as
// a job (progress, Esc cancels, one undo step), and the score threshold under which model boxes
// are hidden from the views, the camera panel and the track list. Hidden boxes stay in the
// document: changing the threshold brings them back, and export writes them with their scores
// (the threshold is a way of looking, not an edit; `pcanno prelabel --min-score` leaves
// detections out for good).
#include <algorithm>

#include <QAction>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QMenu>
#include <QStatusBar>
#include <QToolBar>

#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/services/prelabel_service.hpp"
#include "pcanno/viewer/workstation/edit_gate.hpp"
#include "pcanno/viewer/workstation/scene_view.hpp"
#include "pcanno/viewer/workstation/workstation_window.hpp"

namespace pcanno::viewer::workstation {

void WorkstationWindow::build_prelabel_actions(QMenu* edit) {
  // Ctrl+D / Ctrl+Alt+D ("detect"): free in every menu and tool (README key table).
  const auto add = [this, edit](const QString& text, const QKeySequence& key, auto slot) {
    QAction* a = edit->addAction(text);
    a->setShortcut(key);
    a->setShortcutContext(Qt::WindowShortcut);
    connect(a, &QAction::triggered, this, slot);
    return gate_->add(a);
  };
  add("Pre-label this &frame (detector)", QKeySequence("Ctrl+D"), [this] { prelabel_frame(); });
  add("Pre-label the whole se&quence (detector)", QKeySequence("Ctrl+Alt+D"),
      [this] { prelabel_sequence(); });

  prelabel_.box = new QDoubleSpinBox(this);
  prelabel_.box->setObjectName("prelabel_threshold");
  prelabel_.box->setRange(0.0, 1.0);
  prelabel_.box->setSingleStep(0.05);
  prelabel_.box->setDecimals(2);
  prelabel_.box->setValue(prelabel_.threshold);
  prelabel_.box->setToolTip(
      "Pre-labels (model boxes) scoring below this are hidden in the views and the track list; "
      "they stay in the document and in exports");
  // Not behind the edit gate: it changes what is shown, not the document.
  connect(prelabel_.box, QOverload<double>::of(&QDoubleSpinBox::valueChanged), this,
          [this](double v) { set_score_threshold(v); });
  if (modes_ != nullptr) {
    modes_->addSeparator();
    modes_->addWidget(new QLabel(" min score ", this));
    modes_->addWidget(prelabel_.box);
  } else {
    statusBar()->addPermanentWidget(prelabel_.box);
  }
}

std::string WorkstationWindow::prelabel_detector() const {
  const plugin::Registry& registry = session_->registry();
  if (!prelabel_.detector.empty()) return prelabel_.detector;
  if (registry.detector("classical") != nullptr || registry.detectors().empty()) {
    return "classical";
  }
  return registry.detectors().front().info.id;
}

void WorkstationWindow::set_prelabel_detector(const std::string& id) { prelabel_.detector = id; }

bool WorkstationWindow::prelabel_frame() {
  return run_service("prelabel", {{"detector", prelabel_detector()},
                                  {"frames", std::to_string(session_->frame())}});
}

bool WorkstationWindow::prelabel_sequence() {
  return run_service("prelabel", {{"detector", prelabel_detector()}});
}

QString WorkstationWindow::prelabel_outcome() const {
  const plugin::PrelabelOutcome* o = plugin::last_prelabel_outcome(session_->registry());
  if (o == nullptr) return {};
  QString text = QString("prelabel: %1 tracks, %2 boxes").arg(o->tracks).arg(o->boxes);
  if (o->replaced > 0) text += QString(" (%1 earlier pre-labels replaced)").arg(o->replaced);
  std::size_t hidden_boxes = 0;
  for (const formats::Track& t : session_->document().tracks) {
    hidden_boxes += static_cast<std::size_t>(std::count_if(
        t.boxes.begin(), t.boxes.end(),
        [this](const formats::BoxState& b) { return session_->hides(b); }));
  }
  if (hidden_boxes > 0) {
    text += QString("; %1 below min score %2 hidden").arg(hidden_boxes).arg(prelabel_.threshold);
  }
  if (!o->notes.empty()) text += "; " + QString::fromStdString(o->notes.front());
  return text;
}

void WorkstationWindow::set_score_threshold(double threshold) {
  threshold = std::clamp(threshold, 0.0, 1.0);
  if (prelabel_.box != nullptr && prelabel_.box->value() != threshold) {
    const QSignalBlocker block(prelabel_.box);
    prelabel_.box->setValue(threshold);
  }
  if (threshold == prelabel_.threshold) return;
  prelabel_.threshold = threshold;
  prelabel_.shown_stale = true;  // first: a deselection below refreshes the views at once
  session_->set_min_model_score(threshold);
  refresh();
}

double WorkstationWindow::score_threshold() const { return prelabel_.threshold; }

const formats::Annotations& WorkstationWindow::shown_document() {
  // Several panels ask on every refresh (each frame step): copy the document only after it or
  // the threshold changed.
  const formats::Annotations& doc = session_->document();
  if (!prelabel_.shown_stale.exchange(false)) return prelabel_.shown_hides ? prelabel_.shown : doc;
  const auto hidden = [this](const formats::BoxState& b) { return session_->hides(b); };
  prelabel_.shown_hides =
      std::any_of(doc.tracks.begin(), doc.tracks.end(), [&](const formats::Track& t) {
        return std::any_of(t.boxes.begin(), t.boxes.end(), hidden);
      });
  if (!prelabel_.shown_hides) {
    prelabel_.shown = {};
    return doc;
  }
  prelabel_.shown = doc;
  auto& tracks = prelabel_.shown.tracks;
  for (formats::Track& t : tracks) {
    t.boxes.erase(std::remove_if(t.boxes.begin(), t.boxes.end(), hidden), t.boxes.end());
  }
  tracks.erase(std::remove_if(tracks.begin(), tracks.end(),
                              [](const formats::Track& t) { return t.boxes.empty(); }),
               tracks.end());
  return prelabel_.shown;
}

void WorkstationWindow::hide_low_scores() {
  for (SceneView* v : views()) {
    const std::vector<SceneBox>& all = v->scene().boxes();
    if (std::none_of(all.begin(), all.end(),
                     [this](const SceneBox& b) { return session_->hides(b.state); })) {
      continue;
    }
    std::vector<SceneBox> shown;
    for (const SceneBox& b : all) {
      if (!session_->hides(b.state)) shown.push_back(b);
    }
    v->scene().set_boxes(std::move(shown), session_->document());
  }
}

void WorkstationWindow::drop_hidden_selection() {
  const std::optional<std::int64_t> id = session_->selection().track;
  if (!id) return;
  const formats::Track* track = session_->document().track(*id);
  const formats::BoxState* box = track != nullptr ? track->at(session_->frame()) : nullptr;
  if (box != nullptr && session_->hides(*box)) session_->set_selection({});
}

}  // namespace pcanno::viewer::workstation
