#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "pcanno/formats/support/expected.hpp"
#include "pcanno/plugin/session.hpp"

namespace pcanno::viewer::workstation {

/// What `pcanno view` opens.
struct WorkstationOptions {
  std::filesystem::path sequence;    ///< dataset root, or a folder holding datasets (sample_data/)
  /// Which sequence or scene of the dataset (formats::list_sequences() lists them): a KITTI
  /// tracking sequence "0001", a nuScenes scene "scene-0061"; empty: the first. A name the
  /// dataset does not hold is kNotFound listing the names it does.
  std::string sequence_name;
  /// nuScenes/Lyft: every LIDAR_TOP sweep between the keyframes (SequenceOptions::include_sweeps);
  /// kUnsupported for layouts without sweeps.
  bool include_sweeps = false;
  std::filesystem::path labels;      ///< labels in any registered format (optional)
  std::string labels_format;         ///< codec id; detected when empty
  std::filesystem::path document;    ///< native document: autosaved through the journal
  std::filesystem::path screenshot;  ///< save a PNG of the window once drawn, then quit
  std::filesystem::path layout_report;  ///< tests: write the views' screen geometry as JSON
  /// A tool of the session's registry (built-in or plugin) to start with; empty: the box editor.
  std::string tool;
  /// Unsaved edits of an earlier session (a crash, a window closed without saving): kOffer asks
  /// the user in a dialog before the window shows (`pcanno view --recover` / `--discard-recovery`
  /// decide on the command line instead).
  plugin::RecoveryPolicy recovery = plugin::RecoveryPolicy::kOffer;
  /// A class schema file (docs/class_schema.md) loaded into the document once it is open, as one
  /// undo step: the file's classes and tags replace the document's of the same name.
  std::filesystem::path schema;
  /// A project store task instead of a dataset (`--db URL [--user NAME] --task ID [--review]`):
  /// `store_url` alone prefills File > Open task, with `task_id` > 0 the task opens at start.
  std::string store_url;
  std::string store_user;
  std::int64_t task_id = 0;
  bool review = false;
};

/// The session the workstation edits:
/// - an existing `document`: opened (its journal replayed); `labels` are then ignored (a note);
/// - `labels` and a new `document`: the labels are written as the document, which is then opened,
///   so every edit is journalled from the start;
/// - `labels` alone: the labels, journaled in the recovery folder until saved (Save asks where);
/// - a new `document` alone: an empty document there;
/// - neither: the labels the dataset layout carries (KITTI label_02), when it has them, journaled
///   in the recovery folder like `labels` alone.
/// A `sequence` that is no dataset but holds some (the repo's sample_data/) opens the first
/// sub-folder that is one. Labels made on a scene's keyframes stay on the keyframes when the scene
/// is opened with its sweeps (plugin::fit_document_to_sequence). `notes` receives what was chosen
/// or ignored.
formats::Expected<std::unique_ptr<plugin::Session>> open_workstation_session(
    const WorkstationOptions& options, std::vector<std::string>* notes = nullptr);

}  // namespace pcanno::viewer::workstation
