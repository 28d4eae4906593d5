#pragma once
#include <functional>
#include <optional>
#include <string>

#include "pcanno/formats/annotations.hpp"
#include "pcanno/formats/expected.hpp"
#include "pcanno/formats/label_codec.hpp"
#include "pcanno/formats/sequence.hpp"

namespace pcanno::plugin {
class Registry;
}

// Reading labels for the commands that analyse them (`eval`, `check`): any codec of the registry,
// with the dataset that gives calibration, poses and points.

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

/// Labels from `path` with codec `from` (detected when empty), a dataset supplying calibration.
/// `codec_id` receives the codec used; `progress` goes to the codec (LabelContext::progress).
formats::Expected<formats::Annotations> read_labels(
    const plugin::Registry& registry, const std::string& path, const std::string& from,
    const formats::Sequence* sequence, std::string* codec_id = nullptr,
    const std::function<bool(double)>& progress = {});

}  // namespace pcanno::app
