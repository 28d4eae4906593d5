#pragma once
#include <cstdint>
#include <functional>
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

/// What an attribute or tag edit applies to: the shape and frame the panel showed when the value
/// was typed, not whatever is selected when the edit arrives (a click on another box both ends the
/// typing and selects that box).
struct EditTarget {
  std::optional<std::int64_t> track;     ///< the track shown, or
  std::optional<std::int64_t> polyline;  ///< the polyline shown
  std::int64_t frame = 0;                ///< the frame its rows (and the frame tags) were read at
};

/// The selected track's attributes (scope "track") and those of its box at the current frame
/// (scope "frame"), or the selected polyline's (scope "track": a polyline's attributes hold for
/// every frame); below them the scene tags and the current frame's tags.
///
/// Every attribute the class declares (ClassSpec::attributes) and every declared tag has a row,
/// set or not, edited with the widget of its type: a list of the allowed values (enum), a check
/// box (bool, partly checked: not set), a spin box within the declared range (number), a line
/// (text). An unset row shows the default in italics; a mandatory one's key ends in " *".
/// Attributes the schema does not declare are free text (clearing the value removes them), and
/// "key=value" in the line below adds one at the scope chosen beside it. The window turns each
/// edit into one undoable command and refuses a value the schema does not allow, saying why in the
/// status bar.
class AttributePanel : public QWidget {
  Q_OBJECT

 public:
  explicit AttributePanel(QWidget* parent = nullptr);

  /// `doc` gives the track's class (its declared attributes); null: free-form rows only.
  void show_track(const formats::Track* track, std::int64_t frame,
                  const formats::Annotations* doc = nullptr);
  /// `polyline` null: nothing shown (as show_track(nullptr, ...)).
  void show_polyline(const formats::PolylineTrack* polyline, const formats::ClassSpec& spec);
  /// The scene tags (Annotations::attributes) and the tags of frame `frame`.
  void show_tags(const formats::Annotations& doc, std::int64_t frame);
  QTableWidget* table() const { return table_; }
  QTableWidget* tags_table() const { return tags_; }

 signals:
  /// `value` empty: remove. `frame_scope`: the box of `target` at its frame, else the track.
  void attribute_edited(EditTarget target, bool frame_scope, QString key, QString value);
  /// `value` empty: remove. `frame_tag`: the tag of `target.frame`, else the scene's.
  void tag_edited(EditTarget target, bool frame_tag, QString key, QString value);

 private:
  using Emit = std::function<void(const QString&)>;
  void add_from_line();
  /// Appends a row of `scope` to `table`; `spec` non-null: its widget, else free text.
  void add_row(QTableWidget* table, const QString& scope, const std::string& key,
               const std::optional<std::string>& value, const formats::AttributeSpec* spec);
  QWidget* value_widget(const formats::AttributeSpec& spec, const std::optional<std::string>& value,
                        Emit emit_value);
  void emit_row(QTableWidget* table, int row, const QString& value);

  QTableWidget* table_;
  QTableWidget* tags_;
  QComboBox* scope_;
  QLineEdit* line_;
  bool updating_ = false;
  EditTarget shown_;       ///< what table_ shows
  EditTarget tags_shown_;  ///< the frame tags_ shows
};

}  // namespace pcanno::viewer::workstation
