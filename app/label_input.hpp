#pragma once
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/formats/support/expected.hpp"

namespace pcanno::plugin {
class Registry;
}

// Reading labels for the commands that convert or analyse them (`convert`, `eval`, `check`): any
// codec of the registry, with the dataset that gives calibration, poses and points.

namespace pcanno::app {

/// "" when `id` is empty or names a codec that reads; else a usage message naming `option` and
/// the formats that can be read.
std::string unreadable_format(const formats::LabelCodecRegistry& codecs, const std::string& id,
                              const std::string& option);

/// The dataset for `input`: `sequence` when given (sequence or scene `name` inside it), else
/// `input` itself when it is a dataset root, else none.
formats::Expected<std::optional<formats::Sequence>> open_dataset(const std::string& input,
                                                                 const std::string& sequence,
                                                                 const std::string& name);

/// The dataset the labels name (the KITTI root their calibration came from, a native document's
/// sequence reference), when it opens; else none.
std::optional<formats::Sequence> open_referenced_dataset(const formats::Annotations& labels);

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

/// Labels from `path` with codec `from` (detected when empty), a dataset supplying calibration.
/// `codec_id` receives the codec used; `progress` goes to the codec (LabelContext::progress).
formats::Expected<formats::Annotations> read_labels(
    const plugin::Registry& registry, const std::string& path, const std::string& from,
    const formats::Sequence* sequence, std::string* codec_id = nullptr,
    const std::function<bool(double)>& progress = {});

}  // namespace pcanno::app
