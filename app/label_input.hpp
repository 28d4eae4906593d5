#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/plugin/services/label_input.hpp"

// Reading labels for the commands that convert or analyse them (`convert`, `eval`, `check`): any
// codec of the registry, with the dataset that gives calibration, poses and points.

namespace pcanno::app {

// Reading labels and opening their dataset are engine services, shared with the Python module.
using plugin::open_dataset;
using plugin::open_referenced_dataset;
using plugin::read_labels;
using plugin::unreadable_format;

/// One sequence of a label input, converted on its own.
struct LabelUnit {
  std::string name;              ///< sequence or scene name ("0003", "scene-0061")
  std::filesystem::path labels;  ///< what the codec reads
  /// Calibration, poses and clouds when a dataset gives them; else the codec finds the
  /// calibration beside the labels (KITTI `calib/`).
  std::optional<formats::Sequence> sequence;
};

/// The sequences a label input holds, for a codec that reads whole sets: every `label_02/*.txt` of
/// a KITTI tracking training root or `label_02` folder (clouds are not needed; a sequence's own
/// `velodyne/SSSS/` gives its frames when present, in `dataset` (--sequence) when given), every
/// scene of a nuScenes dataroot holding several (without `dataset`). `name` (--sequence-name)
/// keeps one sequence. An empty list means the input is a single document (a file, KITTI object
/// labels, one nuScenes scene, ...). kNotFound when `name` is not among them.
formats::Expected<std::vector<LabelUnit>> list_label_units(const std::string& codec_id,
                                                           const std::string& input,
                                                           const std::string& dataset,
                                                           const std::string& name);

}  // namespace pcanno::app
