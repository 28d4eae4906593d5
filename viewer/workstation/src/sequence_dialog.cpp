#include "pcanno/viewer/workstation/sequence_dialog.hpp"

#include <algorithm>

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/plugin/sequence_frames.hpp"

namespace pcanno::viewer::workstation {
namespace fs = std::filesystem;

namespace {

/// Appends the sequences of dataset `root` (of layout `layout`) to `rows`.
formats::Status append_sequences(const fs::path& root, const std::string& layout, bool sweeps,
                                 std::vector<SequenceRow>& rows) {
  formats::SequenceOptions options;
  options.layout = layout;
  options.include_sweeps = sweeps && plugin::layout_has_sweeps(layout);
  auto listed = formats::list_sequences(root, options);
  if (!listed) return std::move(listed).error();
  for (const formats::SequenceSummary& s : *listed) {
    rows.push_back(SequenceRow{root, s.layout, s.name, s.frames});
  }
  return {};
}

}  // namespace

std::vector<SequenceRow> list_dataset_sequences(const fs::path& path, bool sweeps,
                                                std::string* error) {
  std::vector<SequenceRow> rows;
  const auto fail = [&](const std::string& text) {
    if (error) *error = text;
    return std::vector<SequenceRow>{};
  };
  if (path.empty()) return fail("choose a dataset folder");
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return fail(path.string() + ": no such folder");
  const std::string layout = formats::detect_layout(path);
  if (!layout.empty()) {
    if (formats::Status ok = append_sequences(path, layout, sweeps, rows); !ok) {
      return fail(ok.error().describe());
    }
    return rows;
  }
  // A folder of datasets (the repo's sample_data/): each sub-folder that is one, by name.
  std::vector<fs::path> children;
  for (const fs::directory_entry& e : fs::directory_iterator(path, ec)) {
    if (e.is_directory(ec)) children.push_back(e.path());
  }
  std::sort(children.begin(), children.end());
  std::string first_error;
  for (const fs::path& child : children) {
    const std::string child_layout = formats::detect_layout(child);
    if (child_layout.empty()) continue;
    formats::Status ok = append_sequences(child, child_layout, sweeps, rows);
    if (!ok && first_error.empty()) first_error = ok.error().describe();
  }
  if (rows.empty()) {
    return fail(!first_error.empty() ? first_error
                                     : path.string() + ": no dataset layout recognised here");
  }
  return rows;
}

SequenceDialog::SequenceDialog(const fs::path& dataset, const std::string& current, bool sweeps,
                               QWidget* parent)
    : QDialog(parent) {
  setWindowTitle("Open sequence");
  auto* layout = new QVBoxLayout(this);
  auto* path_row = new QHBoxLayout;
  path_ = new QLineEdit(QString::fromStdString(dataset.string()), this);
  path_->setPlaceholderText("dataset folder");
  auto* browse_button = new QPushButton("&Browse...", this);
  path_row->addWidget(new QLabel("Dataset:", this));
  path_row->addWidget(path_, 1);
  path_row->addWidget(browse_button);
  layout->addLayout(path_row);

  table_ = new QTableWidget(0, 3, this);
  table_->setHorizontalHeaderLabels({"Layout", "Sequence / scene", "Frames"});
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
  layout->addWidget(table_, 1);

  sweeps_ =
      new QCheckBox("Include &sweeps (every LiDAR sweep; keyframes marked on the timeline)", this);
  sweeps_->setChecked(sweeps);
  layout->addWidget(sweeps_);
  message_ = new QLabel(this);
  message_->setWordWrap(true);
  layout->addWidget(message_);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
  open_ = buttons->addButton("&Open", QDialogButtonBox::AcceptRole);
  layout->addWidget(buttons);
  resize(620, 380);

  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(browse_button, &QPushButton::clicked, this, [this] { browse(); });
  connect(path_, &QLineEdit::editingFinished, this, [this] { set_dataset(path_->text()); });
  connect(table_, &QTableWidget::itemSelectionChanged, this, [this] { selection_changed(); });
  connect(table_, &QTableWidget::cellDoubleClicked, this, [this](int, int) {
    if (open_->isEnabled()) accept();
  });
  // The frame counts change with the sweeps: list again.
  connect(sweeps_, &QCheckBox::toggled, this, [this] { fill(choice().name); });
  fill(current);
}

void SequenceDialog::set_dataset(const QString& path) {
  if (path != path_->text()) path_->setText(path);
  fill(choice().name);
}

void SequenceDialog::fill(const std::string& keep) {
  std::string error;
  rows_ = list_dataset_sequences(path_->text().toStdString(), sweeps_->isChecked(), &error);
  const QSignalBlocker quiet(table_);
  table_->setRowCount(static_cast<int>(rows_.size()));
  int selected = rows_.empty() ? -1 : 0;
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    const SequenceRow& r = rows_[i];
    const int row = static_cast<int>(i);
    table_->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(r.layout)));
    table_->setItem(row, 1, new QTableWidgetItem(QString::fromStdString(r.name)));
    auto* frames = new QTableWidgetItem(QString::number(r.frames));
    frames->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    table_->setItem(row, 2, frames);
    if (!keep.empty() && r.name == keep) selected = row;
  }
  if (selected >= 0) table_->selectRow(selected);
  message_->setText(QString::fromStdString(error));
  selection_changed();
}

void SequenceDialog::selection_changed() {
  const SequenceChoice c = choice();
  open_->setEnabled(!c.name.empty());
  const bool can_sweep = !c.name.empty() && plugin::layout_has_sweeps(c.layout);
  sweeps_->setEnabled(can_sweep);
  sweeps_->setToolTip(can_sweep || c.name.empty()
                          ? QString()
                          : QString("a %1 dataset has no sweeps (nuScenes and Lyft scenes do)")
                                .arg(QString::fromStdString(c.layout)));
}

SequenceChoice SequenceDialog::choice() const {
  SequenceChoice c;
  const QList<QTableWidgetItem*> selected = table_->selectedItems();
  if (selected.isEmpty()) return c;
  const int row = selected.front()->row();
  if (row < 0 || static_cast<std::size_t>(row) >= rows_.size()) return c;
  const SequenceRow& r = rows_[static_cast<std::size_t>(row)];
  c.dataset = r.dataset;
  c.layout = r.layout;
  c.name = r.name;
  c.sweeps = sweeps_->isChecked() && plugin::layout_has_sweeps(r.layout);
  return c;
}

void SequenceDialog::browse() {
  const QString dir = QFileDialog::getExistingDirectory(this, "Dataset folder", path_->text());
  if (!dir.isEmpty()) set_dataset(dir);
}

}  // namespace pcanno::viewer::workstation
