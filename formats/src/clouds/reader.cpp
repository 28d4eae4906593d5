#include "pcanno/formats/clouds/reader.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <utility>

#include "clouds/builtin_readers.hpp"
#include "support/input_file.hpp"
#include "support/text_scan.hpp"

namespace pcanno::formats {
namespace {

/// The first bytes of a file for sniffing; empty when it cannot be read (the reader reports why).
std::vector<std::uint8_t> file_head(const std::filesystem::path& path) {
  std::vector<std::uint8_t> head(512);
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  return head;
}

/// The candidate whose sniff scores `head` highest (ties go to priority) with its score; nullptr
/// when none scores above 0.
std::pair<const CloudReader*, int> best_sniff(const std::vector<const CloudReader*>& candidates,
                                              const std::vector<std::uint8_t>& head) {
  const CloudReader* best = nullptr;
  int best_score = 0;
  for (const CloudReader* r : candidates) {
    const int score = r->sniff ? r->sniff(head.data(), head.size()) : 0;
    if (score > best_score ||
        (score == best_score && best && score > 0 && r->priority > best->priority)) {
      best = r;
      best_score = score;
    }
  }
  return {best, best_score};
}

/// A regular file of 0 bytes (a failed copy, a placeholder): no format accepts it.
bool is_empty_file(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) && std::filesystem::file_size(path, ec) == 0 &&
         !ec;
}

std::string known_ids(const std::vector<CloudReader>& readers) {
  std::ostringstream out;
  for (std::size_t i = 0; i < readers.size(); ++i) out << (i ? ", " : "") << readers[i].id;
  return out.str();
}

}  // namespace

void CloudReaderRegistry::add(CloudReader reader) {
  for (auto& r : readers_) {
    if (r.id == reader.id) {
      r = std::move(reader);
      return;
    }
  }
  readers_.push_back(std::move(reader));
}

const CloudReader* CloudReaderRegistry::find(const std::string& id) const {
  for (const auto& r : readers_) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

Expected<const CloudReader*> CloudReaderRegistry::select(const std::filesystem::path& path,
                                                         const std::string& format_id) const {
  Expected<Choice> choice = choose(path, format_id);
  if (!choice) return std::move(choice).error();
  return choice->reader;
}

Expected<CloudReaderRegistry::Choice> CloudReaderRegistry::choose(
    const std::filesystem::path& path, const std::string& format_id) const {
  if (!format_id.empty()) {
    if (const CloudReader* r = find(format_id)) return Choice{r, false};
    return Error{ErrorCode::kUnsupported,
                 "unknown format '" + format_id + "' (known: " + known_ids(readers_) + ")",
                 path.string()};
  }
  const std::string name = detail::lower_ascii(path.filename().string());
  std::size_t best_len = 0;
  std::vector<const CloudReader*> candidates;
  for (const auto& r : readers_) {
    for (const auto& suffix : r.suffixes) {
      if (!detail::ends_with(name, suffix) || suffix.size() < best_len) continue;
      if (suffix.size() > best_len) candidates.clear();
      best_len = suffix.size();
      candidates.push_back(&r);
    }
  }
  if (candidates.size() == 1) return Choice{candidates.front(), true};
  if (candidates.empty()) {
    for (const auto& r : readers_) candidates.push_back(&r);
  }
  // Several readers claim the suffix, or none does: let the bytes decide.
  if (const CloudReader* best = best_sniff(candidates, file_head(path)).first) {
    return Choice{best, false};
  }
  if (best_len > 0) {  // suffix matched but nothing sniffs: highest priority among them
    return Choice{
        *std::max_element(candidates.begin(), candidates.end(),
                          [](const auto* a, const auto* b) { return a->priority < b->priority; }),
        true};
  }
  if (is_empty_file(path)) return detail::empty_file_error(path.string(), "a point-cloud file");
  std::ostringstream suffixes;
  for (const auto& r : readers_) {
    for (const auto& s : r.suffixes) suffixes << ' ' << s;
  }
  return Error{ErrorCode::kUnknownFormat,
               "not a recognised point-cloud file (known suffixes:" + suffixes.str() +
                   "; choose one with a format id: " + known_ids(readers_) + ")",
               path.string()};
}

const CloudReader* CloudReaderRegistry::recognise(const std::filesystem::path& path,
                                                  const CloudReader* except) const {
  std::vector<const CloudReader*> others;
  for (const CloudReader& r : readers_) {
    if (&r != except) others.push_back(&r);
  }
  const auto [best, score] = best_sniff(others, file_head(path));
  return score >= kRecognisedScore ? best : nullptr;
}

Expected<CloudFile> CloudReaderRegistry::read(const std::filesystem::path& path,
                                              const ReadOptions& options,
                                              const std::string& format_id) const {
  auto choice = choose(path, format_id);
  if (!choice) return choice.error();
  const CloudReader& reader = *choice->reader;
  // Every format needs at least one byte; a headerless raw reader would otherwise report an
  // empty cloud for what is almost always a failed copy.
  if (is_empty_file(path))
    return detail::empty_file_error(path.string(), "a " + reader.id + " file");
  auto file = reader.read(path, options);
  if (!file) {
    const ErrorCode code = file.error().code;
    const bool content_error = code == ErrorCode::kUnknownFormat || code == ErrorCode::kMalformed ||
                               code == ErrorCode::kTruncated || code == ErrorCode::kUnsupported;
    if (choice->by_suffix_alone && content_error) {
      if (const CloudReader* other = recognise(path, &reader)) {
        Error hint = file.error();
        hint.message = "this looks like " + other->id + " (" + other->description + "), not " +
                       reader.id + " as the file name suggests; use --format " + other->id +
                       " (the " + reader.id + " reader said: " + file.error().message + ")";
        hint.code = ErrorCode::kUnknownFormat;
        hint.line = -1;
        hint.offset = 0;  // the evidence is the first bytes
        return hint;
      }
    }
    return file;
  }
  if (file->info.format.empty()) file->info.format = reader.id;
  if (options.drop_non_finite) file->info.dropped_non_finite = remove_non_finite(file->cloud);
  return file;
}

CloudReaderRegistry CloudReaderRegistry::with_builtin_readers() {
  CloudReaderRegistry registry;
  for (CloudReader& r : detail::builtin_cloud_readers()) registry.add(std::move(r));
  return registry;
}

const CloudReaderRegistry& default_cloud_readers() {
  static const CloudReaderRegistry registry = CloudReaderRegistry::with_builtin_readers();
  return registry;
}

const CloudReaderRegistry& cloud_readers(const ReadOptions& options) {
  return options.readers ? *options.readers : default_cloud_readers();
}

Expected<CloudFile> read_cloud(const std::filesystem::path& path, const ReadOptions& options,
                               const std::string& format_id) {
  return cloud_readers(options).read(path, options, format_id);
}

}  // namespace pcanno::formats
