#include "pcanno/viewer/workstation/track_list_panel.hpp"

#include <QLineEdit>
#include <QListWidget>
#include <QVBoxLayout>

namespace pcanno::viewer::workstation {
namespace {
constexpr int kTrackRole = Qt::UserRole + 1;
}

TrackListPanel::TrackListPanel(QWidget* parent)
    : QWidget(parent), filter_(new QLineEdit(this)), list_(new QListWidget(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  filter_->setPlaceholderText("Filter tracks (class, #id)");
  filter_->setClearButtonEnabled(true);
  layout->addWidget(filter_);
  layout->addWidget(list_);
  list_->setSelectionMode(QAbstractItemView::SingleSelection);
  connect(filter_, &QLineEdit::textChanged, this, [this] { apply_filter(); });
  connect(list_, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
    if (!updating_ && item) emit track_selected(item->data(kTrackRole).toLongLong());
  });
  connect(list_, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
    if (item) emit track_activated(item->data(kTrackRole).toLongLong());
  });
}

void TrackListPanel::set_tracks(const formats::Annotations& doc,
                                std::optional<std::int64_t> selected) {
  updating_ = true;
  list_->clear();
  for (const formats::Track& t : doc.tracks) {
    QString text = QString("#%1 %2").arg(t.id).arg(QString::fromStdString(t.label));
    if (!t.boxes.empty()) {
      text += QString(", %1 box%2, frames %3-%4")
                  .arg(t.boxes.size())
                  .arg(t.boxes.size() == 1 ? "" : "es")
                  .arg(t.boxes.front().frame)
                  .arg(t.boxes.back().frame);
    }
    auto* item = new QListWidgetItem(text, list_);
    item->setData(kTrackRole, static_cast<qlonglong>(t.id));
    if (const formats::ClassSpec* spec = doc.class_spec(t.label)) {
      item->setForeground(QColor(spec->color[0], spec->color[1], spec->color[2]).darker(130));
    }
    if (selected && *selected == t.id) list_->setCurrentItem(item);
  }
  apply_filter();
  updating_ = false;
}

void TrackListPanel::set_filter(const QString& text) { filter_->setText(text); }

void TrackListPanel::apply_filter() {
  const QString needle = filter_->text().trimmed();
  for (int i = 0; i < list_->count(); ++i) {
    QListWidgetItem* item = list_->item(i);
    item->setHidden(!needle.isEmpty() && !item->text().contains(needle, Qt::CaseInsensitive));
  }
}

std::vector<std::int64_t> TrackListPanel::visible_tracks() const {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < list_->count(); ++i) {
    const QListWidgetItem* item = list_->item(i);
    if (!item->isHidden()) ids.push_back(item->data(kTrackRole).toLongLong());
  }
  return ids;
}

}  // namespace pcanno::viewer::workstation
