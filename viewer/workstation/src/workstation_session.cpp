#include "pcanno/viewer/workstation/workstation_session.hpp"

#include <algorithm>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/plugin/plugin_loader.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/sequence_frames.hpp"

namespace pcanno::viewer::workstation {
namespace fs = std::filesystem;
using formats::Error;
using formats::ErrorCode;
using formats::Expected;

namespace {

void note(std::vector<std::string>* notes, std::string text) {
  if (notes) notes->push_back(std::move(text));
}

/// `path` itself when it is a dataset, else its first sub-folder (by name) that is one.
Expected<fs::path> dataset_root(const fs::path& path, const formats::SequenceOptions& options,
                                std::vector<std::string>* notes) {
  Expected<formats::Sequence> direct = formats::open_sequence(path, options);
  if (direct) return path;
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return std::move(direct).error();
  std::vector<fs::path> children;
  for (const fs::directory_entry& e : fs::directory_iterator(path, ec)) {
    if (e.is_directory(ec)) children.push_back(e.path());
  }
  std::sort(children.begin(), children.end());
  for (const fs::path& child : children) {
    if (formats::open_sequence(child, options)) {
      note(notes, path.string() + " holds several datasets; opened " + child.filename().string());
      return child;
    }
  }
  return std::move(direct).error();
}

/// Labels read with the codec `format` (detected when empty). `source` receives what keys the
/// recovery journal of a session started from them: the codec and the absolute path.
Expected<formats::Annotations> read_labels(const fs::path& labels, const std::string& format,
                                           const formats::Sequence* sequence, std::string& source) {
  const plugin::Registry registry = plugin::Registry::with_builtins();
  Expected<const formats::LabelCodec*> codec = registry.codecs().select(labels, format);
  if (!codec) return std::move(codec).error();
  if (!(*codec)->read) {
    return Error{ErrorCode::kUnsupported, "format " + (*codec)->id + " cannot be read",
                 labels.string()};
  }
  formats::LabelContext context;
  context.sequence = sequence;
  std::error_code ec;
  const fs::path absolute = fs::weakly_canonical(labels, ec);
  source = (*codec)->id + ":" + (ec ? labels : absolute).string();
  return (*codec)->read(labels, context);
}

/// The sequence asked for is the one opened: layouts with one sequence (KITTI object, raw, a
/// folder) ignore SequenceOptions::name, and sweeps exist in nuScenes and Lyft only.
formats::Status check_choice(const formats::Sequence& seq, const WorkstationOptions& options) {
  if (options.include_sweeps && !plugin::layout_has_sweeps(seq.layout)) {
    return Error{ErrorCode::kUnsupported,
                 "sweeps were asked for, but this " + seq.layout +
                     " dataset has none (only nuScenes and Lyft scenes have LiDAR sweeps "
                     "between their keyframes)",
                 seq.root.string()};
  }
  const bool named_by_layout = seq.layout == "kitti-tracking" || seq.layout == "nuscenes";
  if (!options.sequence_name.empty() && !named_by_layout && seq.name != options.sequence_name) {
    return Error{ErrorCode::kNotFound,
                 "no sequence '" + options.sequence_name + "' (this " + seq.layout +
                     " dataset holds one: " + seq.name + ")",
                 seq.root.string()};
  }
  return {};
}

}  // namespace

Expected<std::unique_ptr<plugin::Session>> open_workstation_session(
    const WorkstationOptions& options, std::vector<std::string>* notes) {
  plugin::SessionOptions session_options;
  std::optional<formats::Sequence> sequence;
  if (!options.sequence.empty()) {
    // Plugin cloud readers recognise and read frames here as in the session itself.
    plugin::Registry registry = plugin::Registry::with_builtins();
    plugin::load_plugins_from_environment(registry);
    session_options.sequence_options.readers = registry.shared_readers();
    session_options.sequence_options.name = options.sequence_name;
    session_options.sequence_options.include_sweeps = options.include_sweeps;
    Expected<fs::path> root =
        dataset_root(options.sequence, session_options.sequence_options, notes);
    if (!root) return std::move(root).error();
    session_options.sequence = *root;
    Expected<formats::Sequence> seq =
        formats::open_sequence(*root, session_options.sequence_options);
    if (!seq) return std::move(seq).error();
    if (formats::Status chosen = check_choice(*seq, options); !chosen) {
      return std::move(chosen).error();
    }
    sequence = std::move(*seq);
  }
  session_options.document = options.document;
  session_options.recovery = options.recovery;
  std::error_code ec;
  const bool document_exists = !options.document.empty() && fs::exists(options.document, ec);

  fs::path labels = options.labels;
  if (labels.empty() && options.document.empty() && sequence && !sequence->labels.empty() &&
      fs::exists(sequence->labels, ec)) {
    // The dataset's own labels, read with the codec of its layout. They are a convenience: when
    // they cannot be read the dataset still opens, with an empty document.
    // The nuScenes codec reads the dataroot (tables and all), not the table folder.
    const fs::path own_labels = sequence->layout == "nuscenes" ? sequence->root : sequence->labels;
    Expected<formats::Annotations> own =
        read_labels(own_labels, sequence->layout, &*sequence, session_options.labels_source);
    if (own) {
      note(notes, "labels from the dataset: " + sequence->labels.string());
      session_options.labels = std::move(*own);
      return plugin::Session::open(session_options);
    }
    session_options.labels_source.clear();
    note(notes, "the dataset's labels were not opened: " + own.error().describe());
  }
  if (!labels.empty() && document_exists) {
    note(notes, "the document exists, so it is opened and --labels is ignored");
    labels.clear();
  }
  if (labels.empty()) return plugin::Session::open(session_options);

  std::string source;
  Expected<formats::Annotations> doc =
      read_labels(labels, options.labels_format, sequence ? &*sequence : nullptr, source);
  if (!doc) return std::move(doc).error();
  if (options.document.empty()) {
    // Journaled in the recovery folder under the dataset and these labels until saved.
    session_options.labels = std::move(*doc);
    session_options.labels_source = source;
    return plugin::Session::open(session_options);
  }
  // Written first and then opened, so that the journal covers every edit from the start.
  if (formats::Status written = formats::write_pcanno_document(*doc, options.document, false);
      !written) {
    return std::move(written).error();
  }
  note(notes, "labels written to the new document " + options.document.string());
  return plugin::Session::open(session_options);
}

}  // namespace pcanno::viewer::workstation
