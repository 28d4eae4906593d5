#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <QWidget>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/class_schema.hpp"

class QLabel;
class QListWidget;

namespace pcanno::viewer::workstation {

/// The classes new shapes get, in two groups by ClassSpec::shape: box classes and polyline classes
/// (lane marking, curb, ...). The group of the active mode (set_shape) is shown under its header,
/// numbered for the hotkeys 1..9: the document's classes of that shape in schema order, then the
/// default schema's it does not have yet. Choosing one (click or hotkey) emits class_chosen; the
/// window gives it to the tools and to the selected track or polyline. Each group keeps its own
/// current class.
class ClassPalettePanel : public QWidget {
  Q_OBJECT

 public:
  explicit ClassPalettePanel(QWidget* parent = nullptr);

  void set_classes(const formats::Annotations& doc);
  /// Shows the group of `shape`; its current class stays.
  void set_shape(formats::ShapeKind shape);
  formats::ShapeKind shape() const { return shape_; }
  /// The shown group's classes, hotkey order.
  const std::vector<std::string>& classes() const { return group().classes; }
  /// The shown group's current class.
  std::string current() const { return group().current; }
  std::string current(formats::ShapeKind shape) const;
  /// Makes class `index` (0-based) current and emits class_chosen; false when out of range.
  bool choose(int index);

 signals:
  void class_chosen(QString label);

 private:
  struct Group {
    std::vector<std::string> classes;
    std::vector<std::array<std::uint8_t, 3>> colours;
    std::string current;  ///< the document's default class of the shape until one is chosen
  };
  const Group& group() const { return groups_[shape_ == formats::ShapeKind::kPolyline ? 1 : 0]; }
  Group& group() { return groups_[shape_ == formats::ShapeKind::kPolyline ? 1 : 0]; }
  void rebuild();

  QLabel* header_;
  QListWidget* list_;
  formats::ShapeKind shape_ = formats::ShapeKind::kBox;
  std::array<Group, 2> groups_;  ///< boxes, polylines
};

}  // namespace pcanno::viewer::workstation
