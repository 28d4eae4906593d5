#include "pcanno/formats/labels/kitti/label.hpp"

#include <cstdint>
#include <iterator>
#include <utility>

#include "support/input_file.hpp"
#include "support/text_scan.hpp"

namespace pcanno::formats {
namespace {

// Column names after the tracking prefix (frame, track_id); formats.md 2.1.
constexpr const char* kObjectColumns[] = {"type",      "truncated", "occluded",   "alpha",
                                          "bbox_left", "bbox_top",  "bbox_right", "bbox_bottom",
                                          "height",    "width",     "length",     "x",
                                          "y",         "z",         "rotation_y", "score"};
constexpr std::size_t kObjectColumnCount = 15;  // without score

/// Cursor over one line's tokens that knows each column's name, so that every error says where it
/// is.
class RowReader {
 public:
  RowReader(const std::vector<std::string_view>& tokens, std::size_t prefix,
            const std::string& path, std::int64_t line)
      : tokens_(tokens), prefix_(prefix), path_(path), line_(line) {}

  const char* name(std::size_t column) const {
    if (column < prefix_) return column == 0 ? "frame" : "track_id";
    return kObjectColumns[column - prefix_];
  }

  Error error(std::size_t column, const char* expected) const {
    Error e{ErrorCode::kMalformed,
            "column " + std::to_string(column + 1) + " (" + name(column) + "): expected " +
                expected + ", found " + detail::quote_token(tokens_[column]),
            path_};
    e.line = line_;
    return e;
  }

  bool number(std::size_t column, double& value, std::optional<Error>& failure) const {
    if (detail::parse_double(tokens_[column], value)) return true;
    failure = error(column, "a number");
    return false;
  }

  bool integer(std::size_t column, int& value, std::optional<Error>& failure) const {
    if (detail::parse_int(tokens_[column], value)) return true;
    failure = error(column, "an integer");
    return false;
  }

 private:
  const std::vector<std::string_view>& tokens_;
  std::size_t prefix_;
  const std::string& path_;
  std::int64_t line_;
};

/// `prefix` = 0 for object labels, 2 for tracking (frame, track id).
Expected<std::vector<KittiLabelRow>> parse(std::string_view text, const std::string& path,
                                           std::size_t prefix) {
  const std::size_t base_columns = prefix + kObjectColumnCount;
  std::vector<KittiLabelRow> rows;
  std::vector<std::string_view> tokens;
  detail::LineScanner lines(text);
  std::string_view line;
  while (lines.next(line)) {
    if (line.empty()) continue;
    detail::split_tokens(line, tokens);
    if (tokens.size() != base_columns && tokens.size() != base_columns + 1) {
      Error e{ErrorCode::kMalformed,
              "expected " + std::to_string(base_columns) + " or " +
                  std::to_string(base_columns + 1) + " columns (" +
                  (prefix ? "frame, track_id, " : "") + "type ... rotation_y[, score]), found " +
                  std::to_string(tokens.size()),
              path};
      e.line = lines.line_number();
      return e;
    }

    const RowReader reader(tokens, prefix, path, lines.line_number());
    std::optional<Error> failure;
    KittiLabelRow row;
    row.source_line = static_cast<std::size_t>(lines.line_number());
    if (prefix != 0) {
      if (!reader.integer(0, row.frame, failure)) return std::move(*failure);
      if (row.frame < 0) return reader.error(0, "a frame index >= 0");
      if (!reader.integer(1, row.track_id, failure)) return std::move(*failure);
    }
    const std::size_t c = prefix;  // first object column
    row.type = std::string(tokens[c]);
    double* const numbers[] = {&row.alpha,
                               &row.bbox[0],
                               &row.bbox[1],
                               &row.bbox[2],
                               &row.bbox[3],
                               &row.box.hwl.x(),
                               &row.box.hwl.y(),
                               &row.box.hwl.z(),
                               &row.box.location.x(),
                               &row.box.location.y(),
                               &row.box.location.z(),
                               &row.box.rotation_y};
    if (!reader.number(c + 1, row.truncated, failure)) return std::move(*failure);
    if (!reader.integer(c + 2, row.occluded, failure)) return std::move(*failure);
    for (std::size_t k = 0; k < std::size(numbers); ++k) {
      if (!reader.number(c + 3 + k, *numbers[k], failure)) return std::move(*failure);
    }
    if (tokens.size() == base_columns + 1) {
      double score = 0.0;
      if (!reader.number(base_columns, score, failure)) return std::move(*failure);
      row.score = score;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Expected<std::vector<KittiLabelRow>> guarded_parse(std::string_view text, const std::string& path,
                                                   std::size_t prefix) {
  return detail::guard_allocation(
      path, [&]() -> Expected<std::vector<KittiLabelRow>> { return parse(text, path, prefix); });
}

Expected<std::vector<KittiLabelRow>> read(const std::filesystem::path& path, std::size_t prefix) {
  Expected<std::string> text = detail::read_file_text(path);
  if (!text) return std::move(text).error();
  return guarded_parse(*text, path.string(), prefix);
}

}  // namespace

Expected<std::vector<KittiLabelRow>> parse_kitti_object_labels(std::string_view text,
                                                               const std::string& path_for_errors) {
  return guarded_parse(text, path_for_errors, 0);
}

Expected<std::vector<KittiLabelRow>> parse_kitti_tracking_labels(
    std::string_view text, const std::string& path_for_errors) {
  return guarded_parse(text, path_for_errors, 2);
}

Expected<std::vector<KittiLabelRow>> read_kitti_object_labels(const std::filesystem::path& path) {
  return read(path, 0);
}

Expected<std::vector<KittiLabelRow>> read_kitti_tracking_labels(const std::filesystem::path& path) {
  return read(path, 2);
}

}  // namespace pcanno::formats
