#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <QDialog>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace pcanno::viewer::workstation {

/// One sequence or scene a dataset folder holds, as File > Open sequence lists it.
struct SequenceRow {
  std::filesystem::path dataset;  ///< the dataset root it belongs to
  std::string layout;             ///< "kitti-tracking", "nuscenes", ...
  std::string name;               ///< "0001", "scene-0061", ...
  std::size_t frames = 0;         ///< keyframes, or every frame with the sweeps
};

/// The sequences of `path` (formats::list_sequences(), frames counted with the sweeps when
/// `sweeps`); a folder that is no dataset but holds some (the repo's sample_data/) lists those of
/// each sub-folder that is one. An unreadable dataset is an error; a folder holding none gives an
/// empty list and `error` says so.
std::vector<SequenceRow> list_dataset_sequences(const std::filesystem::path& path, bool sweeps,
                                                std::string* error);

/// What File > Open sequence... returns.
struct SequenceChoice {
  std::filesystem::path dataset;
  std::string layout;
  std::string name;
  bool sweeps = false;  ///< nuScenes/Lyft: every LiDAR sweep, keyframes marked
};

/// File > Open sequence...: the dataset folder (typed or chosen with Browse...), a table of its
/// sequences and scenes (layout, name, frame count), and "Include sweeps" for layouts that have
/// them (nuScenes, Lyft; the box is disabled for others). Open (or a double click) accepts the
/// selected row.
class SequenceDialog : public QDialog {
  Q_OBJECT

 public:
  /// Lists `dataset` (nothing when empty) with the row of sequence `current` selected.
  SequenceDialog(const std::filesystem::path& dataset, const std::string& current, bool sweeps,
                 QWidget* parent = nullptr);

  /// Lists the sequences of `path` again, keeping the selected name when it is still there.
  void set_dataset(const QString& path);
  /// The selected row (empty name when there is none) and the sweeps box.
  SequenceChoice choice() const;
  const std::vector<SequenceRow>& rows() const { return rows_; }

  QTableWidget* table() const { return table_; }
  QCheckBox* sweeps_box() const { return sweeps_; }
  QLineEdit* path_edit() const { return path_; }
  QLabel* message() const { return message_; }
  QPushButton* open_button() const { return open_; }

 private:
  void fill(const std::string& keep);
  void selection_changed();
  void browse();

  QLineEdit* path_ = nullptr;
  QTableWidget* table_ = nullptr;
  QCheckBox* sweeps_ = nullptr;
  QLabel* message_ = nullptr;
  QPushButton* open_ = nullptr;
  std::vector<SequenceRow> rows_;
};

}  // namespace pcanno::viewer::workstation
