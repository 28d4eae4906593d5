#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include <QWidget>

#include "pcanno/formats/labels/annotations.hpp"

class QLineEdit;
class QTableWidget;
class QComboBox;

namespace pcanno::viewer::workstation {

/// The selected track's attributes (scope "track") and those of its box at the current frame
/// (scope "frame"). Editing a value sets it, clearing it removes the attribute; "key=value" in
/// the line below adds one. The window turns each edit into one undoable command.
class AttributePanel : public QWidget {
  Q_OBJECT

 public:
  explicit AttributePanel(QWidget* parent = nullptr);

  void show_track(const formats::Track* track, std::int64_t frame);
  QTableWidget* table() const { return table_; }

 signals:
  /// `value` empty: remove. `frame_scope`: the box at the current frame, else the track.
  void attribute_edited(bool frame_scope, QString key, QString value);

 private:
  void add_from_line();

  QTableWidget* table_;
  QComboBox* scope_;
  QLineEdit* line_;
  bool updating_ = false;
};

}  // namespace pcanno::viewer::workstation
