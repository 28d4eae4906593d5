#include "pcanno/viewer/workstation/comments_panel.hpp"

#include <QHeaderView>
#include <QTableWidget>
#include <QVBoxLayout>

namespace pcanno::viewer::workstation {
namespace {
enum Column { kAuthor, kFrame, kTrack, kText, kResolved, kColumns };
}

CommentsPanel::CommentsPanel(QWidget* parent) : QWidget(parent), table_(new QTableWidget(this)) {
  table_->setObjectName("comments");
  table_->setColumnCount(kColumns);
  table_->setHorizontalHeaderLabels({"Author", "Frame", "Track", "Text", "Resolved"});
  table_->horizontalHeader()->setSectionResizeMode(kText, QHeaderView::Stretch);
  table_->verticalHeader()->hide();
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(table_);
  connect(table_, &QTableWidget::cellDoubleClicked, this,
          [this](int row, int) { emit activated(row); });
  connect(table_, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
    if (filling_ || item->column() != kResolved) return;
    const int row = item->row();
    if (row < 0 || row >= static_cast<int>(comments_.size())) return;
    emit resolve_toggled(comments_[row].id, item->checkState() == Qt::Checked);
  });
}

void CommentsPanel::set_comments(const std::vector<store::Comment>& comments, bool can_resolve) {
  filling_ = true;
  comments_ = comments;
  table_->setRowCount(static_cast<int>(comments.size()));
  for (int row = 0; row < static_cast<int>(comments.size()); ++row) {
    const store::Comment& c = comments[row];
    const auto text = [&](int column, const QString& value) {
      table_->setItem(row, column, new QTableWidgetItem(value));
    };
    text(kAuthor, QString::fromStdString(c.author));
    text(kFrame, QString::number(c.frame));
    text(kTrack, c.track_id ? QString("#%1").arg(*c.track_id) : QString());
    text(kText, QString::fromStdString(c.text));
    auto* resolved = new QTableWidgetItem();
    resolved->setFlags(can_resolve ? Qt::ItemIsEnabled | Qt::ItemIsUserCheckable
                                   : Qt::ItemIsEnabled);
    resolved->setCheckState(c.resolved ? Qt::Checked : Qt::Unchecked);
    table_->setItem(row, kResolved, resolved);
  }
  filling_ = false;
}

}  // namespace pcanno::viewer::workstation
