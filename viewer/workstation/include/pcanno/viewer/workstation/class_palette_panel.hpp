#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <QWidget>

#include "pcanno/formats/labels/annotations.hpp"

class QListWidget;

namespace pcanno::viewer::workstation {

/// The classes new boxes get, numbered for the hotkeys 1..9: the document's classes in schema
/// order, then common KITTI classes it does not have yet. Choosing one (click or hotkey) emits
/// class_chosen; the window gives it to the create tool and to the selected track.
class ClassPalettePanel : public QWidget {
  Q_OBJECT

 public:
  explicit ClassPalettePanel(QWidget* parent = nullptr);

  void set_classes(const formats::Annotations& doc);
  const std::vector<std::string>& classes() const { return classes_; }
  std::string current() const;
  /// Makes class `index` (0-based) current and emits class_chosen; false when out of range.
  bool choose(int index);

 signals:
  void class_chosen(QString label);

 private:
  void rebuild();

  QListWidget* list_;
  std::vector<std::string> classes_;
  std::vector<std::array<std::uint8_t, 3>> colours_;
  std::string current_;  ///< the document's default class until one is chosen
};

}  // namespace pcanno::viewer::workstation
