#include "pcanno/viewer/workstation/track_list_panel.hpp"

#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QVBoxLayout>

#include "pcanno/plugin/track_edits.hpp"

namespace pcanno::viewer::workstation {
namespace {
constexpr int kTrackRole = Qt::UserRole + 1;
constexpr int kPolylineRole = Qt::UserRole + 2;  ///< true on polyline rows
}

TrackListPanel::TrackListPanel(QWidget* parent)
    : QWidget(parent),
      filter_(new QLineEdit(this)),
      list_(new QListWidget(this)),
      merge_info_(new QLabel(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  filter_->setPlaceholderText("Filter tracks (class, #id)");
  filter_->setClearButtonEnabled(true);
  layout->addWidget(filter_);
  layout->addWidget(list_);
  merge_info_->setWordWrap(true);
  merge_info_->setObjectName("merge_info");
  merge_info_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(merge_info_);
  list_->setSelectionMode(QAbstractItemView::SingleSelection);
  connect(filter_, &QLineEdit::textChanged, this, [this] { apply_filter(); });
  connect(list_, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
    if (updating_ || !item) return;
    const qint64 id = item->data(kTrackRole).toLongLong();
    if (item->data(kPolylineRole).toBool()) {
      emit polyline_selected(id);
    } else {
      emit track_selected(id);
    }
  });
  connect(list_, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
    if (!item) return;
    const qint64 id = item->data(kTrackRole).toLongLong();
    if (item->data(kPolylineRole).toBool()) {
      emit polyline_activated(id);
    } else {
      emit track_activated(id);
    }
  });
}

void TrackListPanel::set_tracks(const formats::Annotations& doc,
                                std::optional<std::int64_t> selected,
                                std::optional<std::int64_t> selected_polyline) {
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
  for (const formats::PolylineTrack& p : doc.polylines) {
    QString text = QString("polyline %1 %2").arg(p.id).arg(QString::fromStdString(p.label));
    if (!p.states.empty()) {
      text += QString(", %1 line%2, frames %3-%4")
                  .arg(p.states.size())
                  .arg(p.states.size() == 1 ? "" : "s")
                  .arg(p.states.front().frame)
                  .arg(p.states.back().frame);
    }
    auto* item = new QListWidgetItem(text, list_);
    item->setData(kTrackRole, static_cast<qlonglong>(p.id));
    item->setData(kPolylineRole, true);
    const formats::ClassSpec spec = doc.class_or_default(p.label);
    item->setForeground(QColor(spec.color[0], spec.color[1], spec.color[2]).darker(130));
    if (selected_polyline && *selected_polyline == p.id) list_->setCurrentItem(item);
  }
  apply_filter();
  updating_ = false;
}

namespace {

/// "blocked: both have boxes at frames 4, 5, 9" / "possible, gaps 10-11" for one pair.
QString merge_verdict(const plugin::TrackOverlap& o) {
  QString text;
  if (!o.overlaps.empty()) {
    text = QString("blocked: both have boxes at frame%1 %2")
               .arg(o.overlaps.size() == 1 ? "" : "s")
               .arg(QString::fromStdString(plugin::frame_list(o.overlaps)));
  } else {
    text = "possible";
  }
  if (!o.gaps.empty()) {
    text += QString("; gap%1 %2")
                .arg(o.gaps.size() == 1 ? "" : "s")
                .arg(QString::fromStdString(plugin::range_list(o.gaps)));
  }
  return text;
}

}  // namespace

void TrackListPanel::set_merge_pair(const formats::Annotations& doc,
                                    std::optional<std::int64_t> selected,
                                    std::optional<std::int64_t> partner) {
  const formats::Track* sel = selected ? doc.track(*selected) : nullptr;
  const formats::Track* other = partner ? doc.track(*partner) : nullptr;
  QStringList mergeable;
  QStringList blocked;
  for (int i = 0; i < list_->count(); ++i) {
    QListWidgetItem* item = list_->item(i);
    if (item->data(kPolylineRole).toBool()) continue;
    const formats::Track* t = doc.track(item->data(kTrackRole).toLongLong());
    if (sel == nullptr || t == nullptr || t == sel) {
      item->setToolTip(QString());
      continue;
    }
    const plugin::TrackOverlap o = plugin::track_overlap(*sel, *t);
    item->setToolTip(QString("merge with #%1: %2").arg(sel->id).arg(merge_verdict(o)));
    if (o.overlaps.empty()) {
      mergeable << QString("#%1").arg(t->id);
    } else {
      blocked << QString("#%1 (frames %2)")
                     .arg(t->id)
                     .arg(QString::fromStdString(plugin::frame_list(o.overlaps)));
    }
  }
  if (sel == nullptr) {
    merge_info_->clear();
  } else if (other != nullptr && other != sel) {
    merge_info_->setText(QString("Merge #%1 into #%2: %3")
                             .arg(sel->id)
                             .arg(other->id)
                             .arg(merge_verdict(plugin::track_overlap(*other, *sel))));
  } else {
    // Long lists would fill the dock: the first few, and how many more.
    const auto shortened = [](QStringList ids) {
      constexpr int kShown = 8;
      if (ids.size() > kShown) {
        const int more = ids.size() - kShown;
        ids = ids.mid(0, kShown);
        ids << QString("%1 more").arg(more);
      }
      return ids.join(", ");
    };
    QString text = QString("#%1 can merge with: %2")
                       .arg(sel->id)
                       .arg(mergeable.isEmpty() ? "none" : shortened(mergeable));
    if (!blocked.isEmpty()) text += QString("\nblocked: %1").arg(shortened(blocked));
    merge_info_->setText(text);
  }
}

QString TrackListPanel::merge_text() const { return merge_info_->text(); }

void TrackListPanel::set_filter(const QString& text) { filter_->setText(text); }

void TrackListPanel::apply_filter() {
  const QString needle = filter_->text().trimmed();
  for (int i = 0; i < list_->count(); ++i) {
    QListWidgetItem* item = list_->item(i);
    item->setHidden(!needle.isEmpty() && !item->text().contains(needle, Qt::CaseInsensitive));
  }
}

std::vector<std::int64_t> TrackListPanel::visible(bool polylines) const {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < list_->count(); ++i) {
    const QListWidgetItem* item = list_->item(i);
    if (!item->isHidden() && item->data(kPolylineRole).toBool() == polylines) {
      ids.push_back(item->data(kTrackRole).toLongLong());
    }
  }
  return ids;
}

std::vector<std::int64_t> TrackListPanel::visible_tracks() const { return visible(false); }

std::vector<std::int64_t> TrackListPanel::visible_polylines() const { return visible(true); }

int TrackListPanel::polyline_row(std::int64_t id) const {
  for (int i = 0; i < list_->count(); ++i) {
    const QListWidgetItem* item = list_->item(i);
    if (item->data(kPolylineRole).toBool() && item->data(kTrackRole).toLongLong() == id) return i;
  }
  return -1;
}

}  // namespace pcanno::viewer::workstation
