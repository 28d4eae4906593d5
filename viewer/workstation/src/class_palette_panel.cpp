#include "pcanno/viewer/workstation/class_palette_panel.hpp"

#include <algorithm>

#include <QListWidget>
#include <QVBoxLayout>

namespace pcanno::viewer::workstation {
namespace {
/// The palette is filled up to the hotkeys 1..9 from the default class schema, so that an empty
/// document can be labelled; further classes would have no key.
constexpr std::size_t kHotkeys = 9;
}  // namespace

ClassPalettePanel::ClassPalettePanel(QWidget* parent)
    : QWidget(parent), list_(new QListWidget(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addWidget(list_);
  connect(list_, &QListWidget::itemClicked, this,
          [this](QListWidgetItem* item) { choose(list_->row(item)); });
}

void ClassPalettePanel::set_classes(const formats::Annotations& doc) {
  std::vector<std::string> names;
  std::vector<std::array<std::uint8_t, 3>> colours;
  for (const formats::ClassSpec& c : doc.classes) {
    names.push_back(c.name);
    colours.push_back(c.color);
  }
  for (const formats::ClassSpec& c : formats::default_class_schema()) {
    if (names.size() >= kHotkeys) break;
    if (std::find(names.begin(), names.end(), c.name) == names.end()) {
      names.push_back(c.name);
      colours.push_back(c.color);
    }
  }
  if (current_.empty()) current_ = doc.default_class();
  if (names == classes_) return;
  classes_ = std::move(names);
  colours_ = std::move(colours);
  rebuild();
}

void ClassPalettePanel::rebuild() {
  list_->clear();
  for (std::size_t i = 0; i < classes_.size(); ++i) {
    const QString key = i < 9 ? QString::number(i + 1) : QString(" ");
    auto* item = new QListWidgetItem(key + "  " + QString::fromStdString(classes_[i]), list_);
    QPixmap swatch(12, 12);
    swatch.fill(QColor(colours_[i][0], colours_[i][1], colours_[i][2]));
    item->setIcon(QIcon(swatch));
    if (classes_[i] == current_) list_->setCurrentItem(item);
  }
}

std::string ClassPalettePanel::current() const { return current_; }

bool ClassPalettePanel::choose(int index) {
  if (index < 0 || static_cast<std::size_t>(index) >= classes_.size()) return false;
  current_ = classes_[static_cast<std::size_t>(index)];
  list_->setCurrentRow(index);
  emit class_chosen(QString::fromStdString(current_));
  return true;
}

}  // namespace pcanno::viewer::workstation
