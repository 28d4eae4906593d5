// The workstation's side of the ontology: attribute and tag edits from the attribute panel become
// commands checked against the class schema (plugin/attribute_rules.hpp). A refused value leaves
// the document unchanged, says why in the status bar, and the panel shows the document again.
#include <optional>
#include <string>

#include <QStatusBar>

#include "pcanno/plugin/attribute_rules.hpp"
#include "pcanno/viewer/workstation/workstation_window.hpp"

namespace pcanno::viewer::workstation {

void WorkstationWindow::edit_attribute(bool frame_scope, const QString& key, const QString& value) {
  const auto sel = session_->selection().track;
  const auto line = session_->selection().polyline;
  if ((!sel && !line) || key.isEmpty()) return;
  const std::optional<std::string> v =
      value.isEmpty() ? std::nullopt : std::optional<std::string>(value.toStdString());
  const formats::Annotations& doc = session_->document();
  const std::string k = key.toStdString();
  formats::Status applied;
  if (!sel) {
    applied = session_->apply(plugin::set_polyline_attribute_checked(doc, *line, k, v));
  } else if (frame_scope) {
    applied =
        session_->apply(plugin::set_box_attribute_checked(doc, *sel, session_->frame(), k, v));
  } else {
    applied = session_->apply(plugin::set_track_attribute_checked(doc, *sel, k, v));
  }
  if (!applied) {
    refresh();  // the panel shows the value the document still holds
    report(applied, "attribute refused");  // after: a refresh may show the tool's own status
  }
}

void WorkstationWindow::edit_tag(bool frame_tag, const QString& key, const QString& value) {
  if (key.isEmpty()) return;
  const std::optional<std::string> v =
      value.isEmpty() ? std::nullopt : std::optional<std::string>(value.toStdString());
  const formats::Status applied = session_->apply(plugin::set_tag(
      session_->document(), frame_tag ? session_->frame() : -1, key.toStdString(), v));
  if (!applied) {
    refresh();
    report(applied, "tag refused");
  }
}

}  // namespace pcanno::viewer::workstation
