// The workstation's side of the ontology: attribute and tag edits from the attribute panel become
// commands checked against the class schema (plugin/attribute_rules.hpp). A refused value leaves
// the document unchanged, says why in the status bar, and the panel shows the document again.
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <QStatusBar>

#include "pcanno/plugin/attribute_rules.hpp"
#include "pcanno/viewer/workstation/attribute_panel.hpp"
#include "pcanno/viewer/workstation/workstation_window.hpp"

namespace pcanno::viewer::workstation {

void WorkstationWindow::edit_attribute(const EditTarget& target, bool frame_scope,
                                       const QString& key, const QString& value) {
  const auto sel = target.track;
  const auto line = target.polyline;
  if ((!sel && !line) || key.isEmpty()) return;
  const std::optional<std::string> v =
      value.isEmpty() ? std::nullopt : std::optional<std::string>(value.toStdString());
  const formats::Annotations& doc = session_->document();
  const std::string k = key.toStdString();
  formats::Status applied;
  if (!sel) {
    applied = session_->apply(plugin::set_polyline_attribute_checked(doc, *line, k, v));
  } else if (frame_scope) {
    applied = session_->apply(plugin::set_box_attribute_checked(doc, *sel, target.frame, k, v));
  } else {
    applied = session_->apply(plugin::set_track_attribute_checked(doc, *sel, k, v));
  }
  if (!applied) {
    refresh();                             // the panel shows the value the document still holds
    report(applied, "attribute refused");  // after: a refresh may show the tool's own status
  }
}

void WorkstationWindow::keep_class_schema(std::shared_ptr<const formats::ClassSchema> schema) {
  class_schema_ = std::move(schema);
}

void WorkstationWindow::edit_tag(const EditTarget& target, bool frame_tag, const QString& key,
                                 const QString& value) {
  if (key.isEmpty()) return;
  const std::optional<std::string> v =
      value.isEmpty() ? std::nullopt : std::optional<std::string>(value.toStdString());
  const formats::Status applied = session_->apply(
      plugin::set_tag(session_->document(), frame_tag ? target.frame : -1, key.toStdString(), v));
  if (!applied) {
    refresh();
    report(applied, "tag refused");
  }
}

}  // namespace pcanno::viewer::workstation
