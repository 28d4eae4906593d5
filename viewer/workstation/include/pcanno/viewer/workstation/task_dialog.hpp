#pragma once
#include <optional>
#include <string>
#include <vector>

#include <QDialog>

#include "pcanno/store/model.hpp"
#include "pcanno/viewer/workstation/task_mode.hpp"

class QCheckBox;
class QLabel;
class QLineEdit;
class QTableWidget;

namespace pcanno::viewer::workstation {

/// File > Open task...: the store URL (from --db or $PCANNO_DB), then the person's tasks: for an
/// annotator those assigned to them that are new, in progress or rejected; for review (the box,
/// or a reviewer) the submitted and in-review ones. Columns id, sequence, frames, state,
/// assignee.
class TaskDialog : public QDialog {
  Q_OBJECT

 public:
  TaskDialog(const std::string& url, const std::string& user, bool review,
             QWidget* parent = nullptr);

  /// Lists the tasks of the URL in the box; the status line says why when it cannot.
  void list_tasks();
  /// The chosen task, once accepted.
  std::optional<TaskOpenOptions> choice() const;
  QTableWidget* table() const { return table_; }
  QLineEdit* url_edit() const { return url_; }

 private:
  QLineEdit* url_;
  QLineEdit* user_;
  QCheckBox* review_;
  QTableWidget* table_;
  QLabel* status_;
  std::vector<store::Task> tasks_;
};

}  // namespace pcanno::viewer::workstation
