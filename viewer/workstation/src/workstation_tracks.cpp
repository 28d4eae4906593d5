// The Track menu: repairing ID switches (merge, split, relink, extend, delete a track or frames)
// and whole-track edits (size, heading, class, re-fit). Each is one engine command, so one undo
// step, journaled; QA re-runs through the window's qa timer, which every edit starts.
#include <algorithm>

#include <QAction>
#include <QInputDialog>
#include <QMenuBar>
#include <QRegularExpression>
#include <QStatusBar>

#include "pcanno/plugin/tools/cuboid_create_tool.hpp"
#include "pcanno/plugin/track_edits.hpp"
#include "pcanno/viewer/workstation/edit_gate.hpp"
#include "pcanno/viewer/workstation/frame_source.hpp"
#include "pcanno/viewer/workstation/track_list_panel.hpp"
#include "pcanno/viewer/workstation/workstation_window.hpp"

namespace pcanno::viewer::workstation {
namespace {

QString describe(const formats::Error& e) { return QString::fromStdString(e.message); }

}  // namespace

void WorkstationWindow::build_track_actions() {
  QMenu* menu = menuBar()->addMenu("Trac&k");
  menu->setObjectName("track_menu");
  // Window-wide shortcuts, behind the edit gate (a job holds the session). None clashes with the
  // other menus' (workstation_actions.cpp, workstation_cameras.cpp) nor with the tools' plain
  // keys (q e w s d a r f + - C, arrows, Delete).
  const auto add = [this, menu](const QString& text, const QKeySequence& key, auto slot) {
    QAction* a = menu->addAction(text);
    a->setShortcut(key);
    a->setShortcutContext(Qt::WindowShortcut);
    connect(a, &QAction::triggered, this, slot);
    return gate_->add(a);
  };
  add("&Merge into the previously selected track", QKeySequence("Ctrl+M"),
      [this] { merge_selected(); });
  add("&Split at this frame", QKeySequence("Ctrl+X"), [this] { split_selected(); });
  add("Move this frame's box to the previously selected track (&relink)", QKeySequence("Ctrl+R"),
      [this] {
        // Without a previously selected track this is not Ctrl+Shift+R: say so, move nothing.
        if (const std::optional<std::int64_t> partner = merge_partner()) {
          relink_selected(partner);
        } else {
          statusBar()->showMessage(
              "relink: select the track to move the box to, then this one (Ctrl+Shift+R: to a "
              "new track)",
              5000);
        }
      });
  add("Move this frame's box to a &new track", QKeySequence("Ctrl+Shift+R"),
      [this] { relink_selected(std::nullopt); });
  extend_action_ = add("&Extend: new boxes join the selected track", QKeySequence("Ctrl+Shift+N"),
                       [this](bool on) { set_extend(on); });
  extend_action_->setCheckable(true);
  menu->addSeparator();
  add("&Delete track", QKeySequence("Shift+Del"), [this] { delete_selected_track(); });
  add("Delete &frames...", QKeySequence("Ctrl+Shift+Del"), [this] {
    if (const auto r = ask_range("Delete the boxes at frames")) {
      delete_selected_frames(r->first, r->second);
    }
  });
  menu->addSeparator();
  add("Si&ze of this box to every frame", QKeySequence("Ctrl+Shift+A"),
      [this] { size_selected(std::nullopt); });
  add("Size of this box to f&rames...", QKeySequence("Ctrl+Alt+A"), [this] {
    if (const auto r = ask_range("Apply this box's size at frames")) size_selected(*r);
  });
  add("Flip &heading over frames...", QKeySequence("Ctrl+Shift+H"), [this] {
    if (const auto r = ask_range("Flip the heading by 180 degrees at frames")) {
      flip_selected(r->first, r->second);
    }
  });
  add("&Class for the whole track...", QKeySequence("Ctrl+Shift+C"), [this] {
    const auto sel = session_->selection().track;
    const formats::Track* t = sel ? session_->document().track(*sel) : nullptr;
    if (t == nullptr) return;
    QStringList names;
    // Box classes only, from the list: a typed name would add a class to the schema.
    for (const formats::ClassSpec& c : session_->document().classes) {
      if (c.shape == formats::ShapeKind::kBox) names << QString::fromStdString(c.name);
    }
    bool ok = false;
    const QString chosen = QInputDialog::getItem(
        this, "Class for the whole track", QString("Track #%1").arg(t->id), names,
        std::max(0, static_cast<int>(names.indexOf(QString::fromStdString(t->label)))), false, &ok);
    if (ok && !chosen.isEmpty()) class_selected(chosen.toStdString());
  });
  add("Re-fit every &frame to its points", QKeySequence("Ctrl+Alt+F"),
      [this] { refit_selected(); });
}

void WorkstationWindow::update_track_repair() {
  const formats::Annotations& doc = session_->document();
  const std::optional<std::int64_t> sel = session_->selection().track;
  // Ctrl+M and Ctrl+R act on the last two tracks selected: remember the one before.
  if (sel && sel != repair_last_) {
    if (repair_last_ && doc.track(*repair_last_) != nullptr) repair_previous_ = repair_last_;
    repair_last_ = sel;
  }
  track_list_->set_merge_pair(doc, sel, merge_partner());
  // A new session has a new create tool: it takes the mode.
  if (extend_action_ != nullptr) set_extend(extend_action_->isChecked());
}

std::optional<std::int64_t> WorkstationWindow::merge_partner() const {
  const std::optional<std::int64_t> sel = session_->selection().track;
  if (!sel || !repair_previous_ || *repair_previous_ == *sel) return std::nullopt;
  if (session_->document().track(*repair_previous_) == nullptr) return std::nullopt;
  return repair_previous_;
}

bool WorkstationWindow::apply_repair(formats::Expected<plugin::Command> command,
                                     const QString& done) {
  if (!command) {
    statusBar()->showMessage(describe(command.error()), 10000);
    return false;
  }
  const formats::Status applied = session_->apply(*command);
  if (!applied) {
    statusBar()->showMessage(describe(applied.error()), 10000);
    return false;
  }
  statusBar()->showMessage(done, 6000);
  return true;
}

bool WorkstationWindow::merge_tracks(std::int64_t kept, std::int64_t absorbed) {
  if (!apply_repair(plugin::merge_tracks(session_->document(), kept, absorbed),
                    QString("merged track %1 into track %2").arg(absorbed).arg(kept))) {
    return false;
  }
  repair_previous_.reset();  // the pair is one track now
  select_track(kept);
  return true;
}

bool WorkstationWindow::merge_selected() {
  const std::optional<std::int64_t> sel = session_->selection().track;
  if (!sel) {
    statusBar()->showMessage("merge: select a track first", 4000);
    return false;
  }
  if (const std::optional<std::int64_t> partner = merge_partner()) {
    return merge_tracks(*partner, *sel);
  }
  // No earlier selection: choose the track to merge into, each with what blocks it.
  const formats::Annotations& doc = session_->document();
  const formats::Track* t = doc.track(*sel);
  if (t == nullptr) return false;
  QStringList items;
  std::vector<std::int64_t> ids;
  for (const formats::Track& other : doc.tracks) {
    if (other.id == *sel) continue;
    const plugin::TrackOverlap o = plugin::track_overlap(other, *t);
    QString item = QString("#%1 %2").arg(other.id).arg(QString::fromStdString(other.label));
    if (!o.overlaps.empty()) {
      item += QString(" (blocked at frames %1)")
                  .arg(QString::fromStdString(plugin::frame_list(o.overlaps)));
    }
    items << item;
    ids.push_back(other.id);
  }
  if (ids.empty()) return false;
  bool ok = false;
  const QString chosen = QInputDialog::getItem(
      this, "Merge tracks", QString("Merge track #%1 into").arg(*sel), items, 0, false, &ok);
  const int index = items.indexOf(chosen);
  if (!ok || index < 0) return false;
  return merge_tracks(ids[static_cast<std::size_t>(index)], *sel);
}

bool WorkstationWindow::split_selected() {
  const std::optional<std::int64_t> sel = session_->selection().track;
  if (!sel) return false;
  const std::int64_t id = plugin::next_track_id(session_->document());
  const std::int64_t frame = session_->frame();
  if (!apply_repair(plugin::split_track(session_->document(), *sel, frame, id),
                    QString("split track %1 at frame %2: the rest is track %3")
                        .arg(*sel)
                        .arg(frame)
                        .arg(id))) {
    return false;
  }
  select_track(id);
  return true;
}

bool WorkstationWindow::relink_selected(std::optional<std::int64_t> target) {
  const std::optional<std::int64_t> sel = session_->selection().track;
  if (!sel) return false;
  const std::int64_t id = target ? *target : plugin::next_track_id(session_->document());
  const std::int64_t frame = session_->frame();
  if (!apply_repair(plugin::relink_box(session_->document(), *sel, frame, id),
                    QString("moved the box of track %1 at frame %2 to track %3")
                        .arg(*sel)
                        .arg(frame)
                        .arg(id))) {
    return false;
  }
  select_track(id);
  return true;
}

void WorkstationWindow::set_extend(bool on) {
  if (extend_action_ != nullptr && extend_action_->isChecked() != on) {
    extend_action_->setChecked(on);
  }
  formats::Expected<plugin::Tool*> tool = tools_->tool("cuboid-create");
  if (auto* create = tool ? dynamic_cast<plugin::CuboidCreateTool*>(*tool) : nullptr) {
    if (create->extend() != on) {
      create->set_extend(on);
      statusBar()->showMessage(on ? "extend: new boxes (N) join the selected track"
                                  : "extend off: new boxes start new tracks",
                               4000);
    }
  }
}

bool WorkstationWindow::extend() const { return extend_action_ && extend_action_->isChecked(); }

bool WorkstationWindow::delete_selected_track() {
  const std::optional<std::int64_t> sel = session_->selection().track;
  if (!sel) return false;
  return apply_repair(plugin::delete_track(session_->document(), *sel),
                      QString("deleted track %1").arg(*sel));
}

bool WorkstationWindow::delete_selected_frames(std::int64_t first, std::int64_t last) {
  const std::optional<std::int64_t> sel = session_->selection().track;
  if (!sel) return false;
  return apply_repair(
      plugin::delete_frames(session_->document(), *sel, plugin::FrameRange{first, last}),
      QString("deleted the boxes of track %1 at frames %2-%3").arg(*sel).arg(first).arg(last));
}

bool WorkstationWindow::size_selected(std::optional<std::pair<std::int64_t, std::int64_t>> range) {
  const std::optional<std::int64_t> sel = session_->selection().track;
  if (!sel) return false;
  std::optional<plugin::FrameRange> frames;
  if (range) frames = plugin::FrameRange{range->first, range->second};
  const QString where =
      range ? QString("frames %1-%2").arg(range->first).arg(range->second) : "every frame";
  return apply_repair(plugin::apply_size(session_->document(), *sel, session_->frame(), frames),
                      QString("track %1 has this box's size at %2").arg(*sel).arg(where));
}

bool WorkstationWindow::flip_selected(std::int64_t first, std::int64_t last) {
  const std::optional<std::int64_t> sel = session_->selection().track;
  if (!sel) return false;
  return apply_repair(
      plugin::flip_heading(session_->document(), *sel, plugin::FrameRange{first, last}),
      QString("flipped the heading of track %1 at frames %2-%3").arg(*sel).arg(first).arg(last));
}

bool WorkstationWindow::class_selected(const std::string& label) {
  const std::optional<std::int64_t> sel = session_->selection().track;
  if (!sel) return false;
  return apply_repair(plugin::set_class(session_->document(), *sel, label),
                      QString("track %1 is a %2 now").arg(*sel).arg(QString::fromStdString(label)));
}

bool WorkstationWindow::refit_selected() {
  const std::optional<std::int64_t> sel = session_->selection().track;
  if (!sel || session_->sequence() == nullptr) return false;
  const std::int64_t id = *sel;
  refit_summary_.clear();
  // On the worker: every box's frame is read (through the window's cache) and fitted.
  return run_job("refit", [this, id](const std::function<bool(double)>& progress) {
    FrameSource* frames = frames_.get();
    const plugin::CloudOf clouds =
        [frames](std::int64_t f) -> formats::Expected<std::shared_ptr<const formats::PointCloud>> {
      std::string error;
      formats::FrameCache::FramePtr cloud = frames->get(static_cast<std::size_t>(f), &error);
      if (!cloud) {
        return formats::Error{formats::ErrorCode::kNotFound,
                              "frame " + std::to_string(f) + ": " + error, ""};
      }
      return cloud;
    };
    plugin::RefitReport report;
    formats::Expected<plugin::Command> command =
        plugin::refit_track(*session_, id, std::nullopt, clouds, progress, &report);
    if (!command) return formats::Status(std::move(command).error());
    if (formats::Status applied = session_->apply(*command); !applied) return applied;
    refit_summary_ =
        "re-fitted " + std::to_string(report.refitted) + " boxes of track " + std::to_string(id);
    if (!report.kept_frames.empty()) {
      refit_summary_ +=
          "; kept frames " + plugin::frame_list(report.kept_frames) + " (nothing but ground there)";
    }
    return formats::Status();
  });
}

QString WorkstationWindow::refit_outcome() const { return QString::fromStdString(refit_summary_); }

std::optional<std::pair<std::int64_t, std::int64_t>> WorkstationWindow::ask_range(
    const QString& what) {
  const std::optional<std::int64_t> sel = session_->selection().track;
  const formats::Track* t = sel ? session_->document().track(*sel) : nullptr;
  if (t == nullptr || t->boxes.empty()) return std::nullopt;
  // From here to the track's end: "from here on" is the usual repair.
  const std::int64_t first = session_->frame();
  const std::int64_t last = std::max(first, t->boxes.back().frame);
  bool ok = false;
  const QString text = QInputDialog::getText(this, "Track " + QString::number(t->id),
                                             what + " (first-last):", QLineEdit::Normal,
                                             QString("%1-%2").arg(first).arg(last), &ok);
  if (!ok) return std::nullopt;
  static const QRegularExpression kRange(R"(^\s*(\d+)\s*(?:-\s*(\d+))?\s*$)");
  const QRegularExpressionMatch m = kRange.match(text);
  if (!m.hasMatch()) {
    statusBar()->showMessage(QString("'%1' is not a frame range such as 12-40").arg(text), 6000);
    return std::nullopt;
  }
  const std::int64_t a = m.captured(1).toLongLong();
  const std::int64_t b = m.captured(2).isEmpty() ? a : m.captured(2).toLongLong();
  return std::make_pair(a, b);
}

}  // namespace pcanno::viewer::workstation
