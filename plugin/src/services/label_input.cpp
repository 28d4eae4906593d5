#include "pcanno/plugin/services/label_input.hpp"

#include <sstream>
#include <system_error>
#include <utility>

#include "pcanno/formats/support/output_folder.hpp"
#include "pcanno/plugin/registry.hpp"

namespace pcanno::plugin {

std::string unreadable_format(const formats::LabelCodecRegistry& codecs, const std::string& id,
                              const std::string& option) {
  if (id.empty()) return "";
  const formats::LabelCodec* codec = codecs.find(id);
  if (codec != nullptr && codec->read) return "";
  std::ostringstream ids;
  for (const auto& c : codecs.codecs()) {
    if (!c.read) continue;
    if (ids.tellp() > 0) ids << ", ";
    ids << c.id;
  }
  return option + ": cannot read labels as '" + id + "'; input formats: " + ids.str();
}

formats::Expected<std::optional<formats::Sequence>> open_dataset(const std::string& input,
                                                                 const std::string& sequence,
                                                                 const std::string& name) {
  const std::string dataset = !sequence.empty()                        ? sequence
                              : !formats::detect_layout(input).empty() ? input
                                                                       : std::string();
  if (dataset.empty()) return std::optional<formats::Sequence>();
  formats::SequenceOptions options;
  options.name = name;
  auto opened = formats::open_sequence(dataset, options);
  if (!opened) return std::move(opened).error();
  return std::optional<formats::Sequence>(std::move(*opened));
}

std::optional<formats::Sequence> open_referenced_dataset(const formats::Annotations& labels) {
  const formats::SequenceRef& ref = labels.sequence;
  std::error_code ec;
  if (ref.path.empty() || !std::filesystem::exists(ref.path, ec)) return std::nullopt;
  formats::SequenceOptions options;
  options.layout = ref.layout;
  options.name = ref.name;
  auto opened = formats::open_sequence(ref.path, options);
  if (!opened) return std::nullopt;
  return std::move(*opened);
}

formats::Expected<formats::Annotations> read_labels(const Registry& registry,
                                                    const std::string& path,
                                                    const std::string& from,
                                                    const formats::Sequence* sequence,
                                                    std::string* codec_id,
                                                    const std::function<bool(double)>& progress) {
  const auto codec = registry.codecs().select(path, from);
  if (!codec) return codec.error();
  if (!(*codec)->read) {
    return formats::Error{formats::ErrorCode::kUnsupported,
                          "cannot read labels as '" + (*codec)->id + "'", path};
  }
  if (codec_id != nullptr) *codec_id = (*codec)->id;
  formats::LabelContext context;
  context.sequence = sequence;
  context.progress = progress;
  return (*codec)->read(path, context);
}

std::filesystem::path output_parent(const std::string& out) {
  const std::filesystem::path p(out);
  return (p.has_filename() ? p : p.parent_path()).parent_path();
}

formats::Expected<formats::WriteReport> write_labels_output(const formats::LabelCodec& writer,
                                                            const formats::Annotations& doc,
                                                            const std::string& out,
                                                            const formats::LabelContext& context) {
  formats::OutputFolders folders;
  if (formats::Status made = folders.create(output_parent(out)); !made) return made.error();
  auto written = writer.write(doc, out, context);
  if (written) folders.keep();
  return written;
}

}  // namespace pcanno::plugin
