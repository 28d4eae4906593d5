#include "pcanno/viewer/workstation/task_dialog.hpp"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include "pcanno/store/open_store.hpp"

namespace pcanno::viewer::workstation {
namespace {

bool is_reviewer(store::ProjectStore& s) {
  auto users = s.users();
  if (!users) return false;
  for (const store::User& u : *users) {
    if (u.name != s.user()) continue;
    for (store::Role r : u.roles) {
      if (r != store::Role::kAnnotator) return true;
    }
  }
  return false;
}

}  // namespace

TaskDialog::TaskDialog(const std::string& url, const std::string& user, bool review,
                       QWidget* parent)
    : QDialog(parent),
      url_(new QLineEdit(QString::fromStdString(default_store_url(url)), this)),
      user_(new QLineEdit(QString::fromStdString(user), this)),
      review_(new QCheckBox("Review", this)),
      table_(new QTableWidget(this)),
      status_(new QLabel(this)) {
  setWindowTitle("Open task");
  url_->setObjectName("url");
  user_->setPlaceholderText("$PCANNO_USER / $USER (SQLite)");
  review_->setChecked(review);
  auto* list = new QPushButton("&List tasks", this);
  auto* form = new QFormLayout;
  form->addRow("Store URL", url_);
  form->addRow("User", user_);
  form->addRow("", review_);
  table_->setColumnCount(5);
  table_->setHorizontalHeaderLabels({"Id", "Sequence", "Frames", "State", "Assignee"});
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->hide();
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel, this);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(list);
  layout->addWidget(table_);
  layout->addWidget(status_);
  layout->addWidget(buttons);
  connect(list, &QPushButton::clicked, this, [this] { list_tasks(); });
  connect(review_, &QCheckBox::toggled, this, [this] { list_tasks(); });
  connect(buttons, &QDialogButtonBox::accepted, this, [this] {
    if (choice()) accept();
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(table_, &QTableWidget::cellDoubleClicked, this, [this] { accept(); });
  resize(640, 420);
  if (!url_->text().isEmpty()) list_tasks();
}

void TaskDialog::list_tasks() {
  tasks_.clear();
  table_->setRowCount(0);
  store::StoreOptions options;
  options.user = user_->text().toStdString();
  auto opened = store::open_store(url_->text().toStdString(), options);
  if (!opened) {
    status_->setText(QString::fromStdString(opened.error().describe()));
    return;
  }
  store::ProjectStore& s = **opened;
  const bool review = review_->isChecked() || is_reviewer(s);
  std::vector<store::TaskState> states =
      review
          ? std::vector<store::TaskState>{store::TaskState::kSubmitted, store::TaskState::kInReview}
          : std::vector<store::TaskState>{store::TaskState::kNew, store::TaskState::kInProgress,
                                          store::TaskState::kRejected};
  for (store::TaskState state : states) {
    store::TaskFilter filter;
    filter.state = state;
    if (!review) filter.assignee = s.user();
    auto tasks = s.tasks(filter);
    if (!tasks) {
      status_->setText(QString::fromStdString(tasks.error().describe()));
      return;
    }
    tasks_.insert(tasks_.end(), tasks->begin(), tasks->end());
  }
  table_->setRowCount(static_cast<int>(tasks_.size()));
  for (int row = 0; row < static_cast<int>(tasks_.size()); ++row) {
    const store::Task& t = tasks_[row];
    auto seq = s.sequence(t.sequence_id);
    const QStringList cells = {QString::number(t.id),
                               seq ? QString::fromStdString(seq->name) : QString(),
                               QString("%1-%2").arg(t.first_frame).arg(t.last_frame),
                               store::to_string(t.state), QString::fromStdString(t.assignee)};
    for (int c = 0; c < cells.size(); ++c) table_->setItem(row, c, new QTableWidgetItem(cells[c]));
  }
  if (!tasks_.empty()) table_->selectRow(0);
  status_->setText(QString("%1 tasks for %2%3")
                       .arg(tasks_.size())
                       .arg(QString::fromStdString(s.user()))
                       .arg(review ? " to review" : ""));
}

std::optional<TaskOpenOptions> TaskDialog::choice() const {
  const int row = table_->currentRow();
  if (row < 0 || row >= static_cast<int>(tasks_.size())) return std::nullopt;
  TaskOpenOptions options;
  options.url = url_->text().toStdString();
  options.user = user_->text().toStdString();
  options.task_id = tasks_[row].id;
  options.review = review_->isChecked();
  return options;
}

}  // namespace pcanno::viewer::workstation
