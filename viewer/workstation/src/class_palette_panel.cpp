#include "pcanno/viewer/workstation/class_palette_panel.hpp"

#include <algorithm>

#include <QLabel>
#include <QListWidget>
#include <QVBoxLayout>

namespace pcanno::viewer::workstation {
namespace {
/// The palette is filled up to the hotkeys 1..9 from the default class schema, so that an empty
/// document can be labelled; further classes would have no key.
constexpr std::size_t kHotkeys = 9;
}  // namespace

ClassPalettePanel::ClassPalettePanel(QWidget* parent)
    : QWidget(parent), header_(new QLabel(this)), list_(new QListWidget(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  header_->setObjectName("class_group");
  layout->addWidget(header_);
  layout->addWidget(list_);
  connect(list_, &QListWidget::itemClicked, this,
          [this](QListWidgetItem* item) { choose(list_->row(item)); });
  header_->setText("Box classes");
}

void ClassPalettePanel::set_classes(const formats::Annotations& doc) {
  bool changed = false;
  for (const formats::ShapeKind shape : {formats::ShapeKind::kBox, formats::ShapeKind::kPolyline}) {
    Group& g = groups_[shape == formats::ShapeKind::kPolyline ? 1 : 0];
    std::vector<std::string> names;
    std::vector<std::array<std::uint8_t, 3>> colours;
    const auto take = [&](const formats::ClassSpec& c) {
      if (c.shape != shape || std::find(names.begin(), names.end(), c.name) != names.end()) return;
      names.push_back(c.name);
      colours.push_back(c.color);
    };
    for (const formats::ClassSpec& c : doc.classes) take(c);
    for (const formats::ClassSpec& c : formats::default_class_schema()) {
      if (names.size() >= kHotkeys) break;
      take(c);
    }
    if (g.current.empty()) g.current = doc.default_class(shape);
    if (names == g.classes) continue;
    g.classes = std::move(names);
    g.colours = std::move(colours);
    changed = true;
  }
  if (changed) rebuild();
}

void ClassPalettePanel::set_shape(formats::ShapeKind shape) {
  if (shape == shape_) return;
  shape_ = shape;
  header_->setText(shape == formats::ShapeKind::kPolyline ? "Polyline classes" : "Box classes");
  rebuild();
}

void ClassPalettePanel::rebuild() {
  const Group& g = group();
  list_->clear();
  for (std::size_t i = 0; i < g.classes.size(); ++i) {
    const QString key = i < 9 ? QString::number(i + 1) : QString(" ");
    auto* item = new QListWidgetItem(key + "  " + QString::fromStdString(g.classes[i]), list_);
    QPixmap swatch(12, 12);
    swatch.fill(QColor(g.colours[i][0], g.colours[i][1], g.colours[i][2]));
    item->setIcon(QIcon(swatch));
    if (g.classes[i] == g.current) list_->setCurrentItem(item);
  }
}

std::string ClassPalettePanel::current(formats::ShapeKind shape) const {
  return groups_[shape == formats::ShapeKind::kPolyline ? 1 : 0].current;
}

bool ClassPalettePanel::choose(int index) {
  Group& g = group();
  if (index < 0 || static_cast<std::size_t>(index) >= g.classes.size()) return false;
  g.current = g.classes[static_cast<std::size_t>(index)];
  list_->setCurrentRow(index);
  emit class_chosen(QString::fromStdString(g.current));
  return true;
}

}  // namespace pcanno::viewer::workstation
