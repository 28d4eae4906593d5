#pragma once
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/formats/support/expected.hpp"

// Reading and writing labels as the command line (app/) and the Python automation (python/) both
// do it: any codec of the registry, with the dataset that gives calibration, poses and points, and
// outputs whose missing folders are made and taken away again on failure. One place, so that
// `pcanno convert/eval/check` and pcanno.eval()/check() read the same labels the same way.

namespace pcanno::plugin {

class Registry;

/// "" when `id` is empty or names a codec that reads; else a usage message naming `option` (the
/// CLI's "--from", Python's "pred_format") and the formats that can be read:
/// "<option>: cannot read labels as '<id>'; input formats: a, b, ...".
std::string unreadable_format(const formats::LabelCodecRegistry& codecs, const std::string& id,
                              const std::string& option);

/// The dataset for the labels at `input`: `sequence` when not empty (sequence or scene `name`
/// inside it), else `input` itself when it is a dataset root (formats::detect_layout), else none.
/// The error of formats::open_sequence when the dataset does not open.
formats::Expected<std::optional<formats::Sequence>> open_dataset(const std::string& input,
                                                                 const std::string& sequence,
                                                                 const std::string& name);

/// The dataset the labels name (`labels.sequence`: the KITTI root their calibration came from, a
/// native document's sequence reference), when it exists and opens; else none.
std::optional<formats::Sequence> open_referenced_dataset(const formats::Annotations& labels);

/// Labels from `path` with codec `from` (detected from the path when empty), `sequence` supplying
/// calibration, poses and clouds. `codec_id` receives the codec used; `progress` goes to the
/// codec (LabelContext::progress). kUnsupported for a codec that only writes.
formats::Expected<formats::Annotations> read_labels(
    const Registry& registry, const std::string& path, const std::string& from,
    const formats::Sequence* sequence, std::string* codec_id = nullptr,
    const std::function<bool(double)>& progress = {});

/// The folder holding the output `out` ("a/b" for "a/b/c" and for "a/b/c/"): what is made before
/// writing, since an output may name folders that do not exist yet.
std::filesystem::path output_parent(const std::string& out);

/// Writes `doc` to `out` with `writer`, making the missing folders of `out` first and taking them
/// away again when the write fails (formats::OutputFolders), so that a failed write leaves nothing.
formats::Expected<formats::WriteReport> write_labels_output(const formats::LabelCodec& writer,
                                                            const formats::Annotations& doc,
                                                            const std::string& out,
                                                            const formats::LabelContext& context);

}  // namespace pcanno::plugin
