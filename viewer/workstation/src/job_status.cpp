#include "pcanno/viewer/workstation/job_status.hpp"

#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>

#include "pcanno/viewer/workstation/automation_job.hpp"

namespace pcanno::viewer::workstation {

JobStatus::JobStatus(AutomationJob& job, QStatusBar* bar)
    : QObject(bar), job_(job), bar_(new QProgressBar(bar)), cancel_(new QPushButton("Cancel", bar)) {
  bar_->setObjectName("job_progress");
  bar_->setRange(0, 100);
  bar_->setMinimumWidth(220);
  bar_->setTextVisible(true);
  cancel_->setObjectName("job_cancel");
  cancel_->setToolTip("Stop the running job (Esc); nothing changes");
  bar->addPermanentWidget(bar_);
  bar->addPermanentWidget(cancel_);
  hide();
  connect(cancel_, &QPushButton::clicked, this, &JobStatus::cancel_clicked);
  connect(&job_, &AutomationJob::progress, this, [this](int percent, const QString& step) {
    if (job_.cancelling()) return;  // "cancelling" stays until the worker has stopped
    bar_->setFormat(step + " %p%");
    bar_->setValue(percent);
  });
}

void JobStatus::show_started(const std::string& name) {
  bar_->setFormat(QString::fromStdString(name) + " %p%");
  bar_->setValue(0);
  bar_->show();
  cancel_->setEnabled(true);
  cancel_->show();
}

void JobStatus::show_cancelling(const std::string& name) {
  bar_->setFormat("cancelling " + QString::fromStdString(name) + "...");
  cancel_->setEnabled(false);
}

void JobStatus::hide() {
  bar_->hide();
  cancel_->hide();
}

QString JobStatus::text() const { return bar_->isVisible() ? bar_->text() : QString(); }

}  // namespace pcanno::viewer::workstation
