#include "pcanno/viewer/workstation/attribute_panel.hpp"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QTableWidget>
#include <QVBoxLayout>

namespace pcanno::viewer::workstation {

AttributePanel::AttributePanel(QWidget* parent)
    : QWidget(parent),
      table_(new QTableWidget(0, 3, this)),
      scope_(new QComboBox(this)),
      line_(new QLineEdit(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  table_->setHorizontalHeaderLabels({"scope", "key", "value"});
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->hide();
  layout->addWidget(table_);
  auto* row = new QHBoxLayout;
  scope_->addItems({"track", "frame"});
  line_->setPlaceholderText("key=value, Return adds");
  row->addWidget(scope_);
  row->addWidget(line_);
  layout->addLayout(row);
  connect(line_, &QLineEdit::returnPressed, this, [this] { add_from_line(); });
  connect(table_, &QTableWidget::cellChanged, this, [this](int r, int c) {
    if (updating_ || c != 2) return;
    emit attribute_edited(table_->item(r, 0)->text() == "frame", table_->item(r, 1)->text(),
                          table_->item(r, 2)->text());
  });
}

void AttributePanel::add_row(const QString& scope, const std::string& key,
                             const std::string& value, const std::vector<std::string>& allowed) {
  const int r = table_->rowCount();
  table_->insertRow(r);
  for (int c = 0; c < 2; ++c) {
    auto* item = new QTableWidgetItem(c == 0 ? scope : QString::fromStdString(key));
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    table_->setItem(r, c, item);
  }
  table_->setItem(r, 2, new QTableWidgetItem(QString::fromStdString(value)));
  if (allowed.empty()) return;
  auto* pick = new QComboBox(table_);
  pick->addItem(QString());  // none: the attribute is removed
  for (const std::string& v : allowed) pick->addItem(QString::fromStdString(v));
  // A value outside the allowed ones (read from a file) is shown as it is.
  if (pick->findText(QString::fromStdString(value)) < 0) pick->addItem(QString::fromStdString(value));
  pick->setCurrentText(QString::fromStdString(value));
  const QString k = QString::fromStdString(key);
  // Queued: the edit refreshes the panel, which deletes this list; not inside its own signal.
  connect(
      pick, &QComboBox::currentTextChanged, this,
      [this, k](const QString& v) {
        if (!updating_) emit attribute_edited(false, k, v);
      },
      Qt::QueuedConnection);
  table_->setCellWidget(r, 2, pick);
}

void AttributePanel::show_track(const formats::Track* track, std::int64_t frame) {
  updating_ = true;
  table_->setRowCount(0);
  setEnabled(track != nullptr);
  scope_->setEnabled(true);
  if (track) {
    for (const auto& [k, v] : track->attributes) add_row("track", k, v);
    if (const formats::BoxState* b = track->at(frame)) {
      for (const auto& [k, v] : b->attributes) add_row("frame", k, v);
    }
  }
  updating_ = false;
}

void AttributePanel::show_polyline(const formats::PolylineTrack* polyline,
                                   const formats::ClassSpec& spec) {
  updating_ = true;
  table_->setRowCount(0);
  setEnabled(polyline != nullptr);
  // A polyline's attributes are its track's: no per-frame scope.
  scope_->setCurrentIndex(0);
  scope_->setEnabled(false);
  if (polyline) {
    for (const auto& [k, allowed] : spec.attributes) {
      const auto it = polyline->attributes.find(k);
      add_row("track", k, it == polyline->attributes.end() ? std::string() : it->second, allowed);
    }
    for (const auto& [k, v] : polyline->attributes) {
      if (spec.attributes.find(k) == spec.attributes.end()) add_row("track", k, v);
    }
  }
  updating_ = false;
}

void AttributePanel::add_from_line() {
  const QString text = line_->text();
  const int eq = text.indexOf('=');
  if (eq <= 0) return;
  emit attribute_edited(scope_->currentIndex() == 1, text.left(eq).trimmed(),
                        text.mid(eq + 1).trimmed());
  line_->clear();
}

}  // namespace pcanno::viewer::workstation
