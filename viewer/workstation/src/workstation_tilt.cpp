// The box panel (numeric entry of the selected box's nine values, the per-track free tilt) and
// what its edits do: each one command through the engine, obeying the tilt lock.
#include "pcanno/plugin/command.hpp"
#include "pcanno/plugin/tilt.hpp"
#include "pcanno/viewer/workstation/box_panel.hpp"
#include "pcanno/viewer/workstation/edit_gate.hpp"
#include "pcanno/viewer/workstation/workstation_window.hpp"

namespace pcanno::viewer::workstation {

QWidget* WorkstationWindow::build_box_panel() {
  box_panel_ = new BoxPanel(this);
  connect(box_panel_, &BoxPanel::value_edited, this,
          [this](int field, double value) { edit_box_value(field, value); });
  connect(box_panel_, &BoxPanel::free_tilt_toggled, this, [this](bool on) {
    const std::optional<std::int64_t> sel = session_->selection().track;
    if (!sel) return;
    report(session_->apply(plugin::set_free_tilt(session_->document(), *sel, on)), "free tilt");
    update_box_panel();  // a refused change puts the box back
  });
  gate_->add(box_panel_);
  return box_panel_;
}

void WorkstationWindow::update_box_panel() {
  const formats::Annotations& doc = session_->document();
  const std::optional<std::int64_t> sel = session_->selection().track;
  const formats::Track* track = sel ? doc.track(*sel) : nullptr;
  const formats::BoxState* state = track ? track->at(session_->frame()) : nullptr;
  const std::optional<std::string> locked =
      track ? plugin::tilt_lock_reason(doc, track->id, "pitch and roll") : std::nullopt;
  box_panel_->show_box(track, state, locked.value_or(""));
}

void WorkstationWindow::edit_box_value(int field, double value) {
  const std::optional<std::int64_t> sel = session_->selection().track;
  const formats::Track* track = sel ? session_->document().track(*sel) : nullptr;
  const formats::BoxState* state = track ? track->at(session_->frame()) : nullptr;
  if (state == nullptr || field < 0 || field >= BoxPanel::kFieldCount) return;
  const geometry::Cuboid box =
      BoxPanel::edited(state->box, static_cast<BoxPanel::Field>(field), value);
  const formats::Status done = session_->apply(
      plugin::modify_box_checked(session_->document(), *sel, session_->frame(), box));
  report(done, "box");
  if (!done) update_box_panel();  // the refused value goes back to the stored one
}

}  // namespace pcanno::viewer::workstation
