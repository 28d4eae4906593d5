#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <QWidget>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/class_schema.hpp"

class QLineEdit;
class QTableWidget;
class QComboBox;

namespace pcanno::viewer::workstation {

/// The selected track's attributes (scope "track") and those of its box at the current frame
/// (scope "frame"), or the selected polyline's (scope "track": a polyline's attributes hold for
/// every frame). Editing a value sets it, clearing it removes the attribute; "key=value" in the
/// line below adds one. For a polyline every attribute its class allows (ClassSpec::attributes)
/// has a row, set or not; one with allowed values is edited with a list of them (empty: removed).
/// The window turns each edit into one undoable command.
class AttributePanel : public QWidget {
  Q_OBJECT

 public:
  explicit AttributePanel(QWidget* parent = nullptr);

  void show_track(const formats::Track* track, std::int64_t frame);
  /// `polyline` null: nothing shown (as show_track(nullptr, ...)).
  void show_polyline(const formats::PolylineTrack* polyline, const formats::ClassSpec& spec);
  QTableWidget* table() const { return table_; }

 signals:
  /// `value` empty: remove. `frame_scope`: the box at the current frame, else the track.
  void attribute_edited(bool frame_scope, QString key, QString value);

 private:
  void add_from_line();
  /// Appends a row; `allowed` non-empty: the value is picked from them (and "", removing it).
  void add_row(const QString& scope, const std::string& key, const std::string& value,
               const std::vector<std::string>& allowed = {});

  QTableWidget* table_;
  QComboBox* scope_;
  QLineEdit* line_;
  bool updating_ = false;
};

}  // namespace pcanno::viewer::workstation
