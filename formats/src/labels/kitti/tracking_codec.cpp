// KITTI tracking labels (label_02/SSSS.txt) <-> Annotations, formats.md 4.1.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "datasets/layouts.hpp"
#include "labels/kitti/projection.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "pcanno/formats/labels/kitti/label.hpp"
#include "pcanno/formats/support/atomic_write.hpp"
#include "pcanno/formats/support/output_folder.hpp"
#include "support/input_file.hpp"
#include "support/text_scan.hpp"

namespace pcanno::formats {
namespace fs = std::filesystem;

namespace {

namespace kitti = detail::kitti;
using kitti::KittiBenchmark;

constexpr std::size_t kProgressEvery = 4096;  // rows or boxes between progress calls

bool is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

bool is_txt(const fs::path& p) { return p.extension() == ".txt"; }

/// `label_02/` and `label_02` name the same folder; only the second has a filename().
fs::path without_trailing_slash(const fs::path& p) {
  return p.has_filename() ? p : p.parent_path();
}

/// The training folder holding `label_02/`: `path` itself, `path/training`, or the parent of a
/// `label_02` folder; empty when none.
fs::path tracking_labels_root(const fs::path& given) {
  const fs::path path = without_trailing_slash(given);
  if (path.filename() == "label_02" && is_dir(path)) {
    return path.parent_path().empty() ? fs::path(".") : path.parent_path();
  }
  for (const fs::path& root : {path, path / "training"}) {
    if (is_dir(root / "label_02")) return root;
  }
  return {};
}

Expected<fs::path> resolve_label_file(const fs::path& path, const LabelContext& context) {
  if (!is_dir(path)) return path;  // a missing file is reported by the reader
  const fs::path root = tracking_labels_root(path);
  if (root.empty()) {
    return Error{ErrorCode::kNotFound, "no label_02 folder (KITTI tracking labels) here",
                 path.string()};
  }
  if (context.sequence != nullptr && !context.sequence->name.empty()) {
    return root / "label_02" / (context.sequence->name + ".txt");
  }
  const std::vector<fs::path> files = detail::list_files(root / "label_02", is_txt);
  if (files.empty()) {
    return Error{ErrorCode::kNotFound, "no label_02/SSSS.txt files", root.string()};
  }
  return files.front();
}

Error row_error(const fs::path& file, const KittiLabelRow& row, std::string message) {
  Error e{ErrorCode::kMalformed, std::move(message), file.string()};
  e.line = static_cast<std::int64_t>(row.source_line);
  return e;
}

std::string frame_name(std::int64_t index) {
  char name[32];
  std::snprintf(name, sizeof(name), "%06lld", static_cast<long long>(index));
  return name;
}

Expected<Annotations> read_tracking(const fs::path& path, const LabelContext& context) {
  Expected<fs::path> file = resolve_label_file(path, context);
  if (!file) return std::move(file).error();
  Expected<std::vector<KittiLabelRow>> rows = read_kitti_tracking_labels(*file);
  if (!rows) return std::move(rows).error();

  std::optional<Sequence> discovered;
  const Sequence* sequence = context.sequence;
  int max_frame = -1;
  for (const KittiLabelRow& row : *rows) max_frame = std::max(max_frame, row.frame);
  const fs::path folder = file->parent_path();
  if (sequence == nullptr && folder.filename() == "label_02") {
    std::vector<std::string> names;
    for (int i = 0; i <= max_frame; ++i) names.push_back(frame_name(i));
    discovered = kitti::discover_kitti_sequence(folder.parent_path(), KittiBenchmark::kTracking,
                                                file->stem().string(), names);
    if (discovered) sequence = &*discovered;
    if (sequence == nullptr) {
      const fs::path calib = folder.parent_path() / "calib" / (file->stem().string() + ".txt");
      return kitti::no_calibration(*file, "sequence " + file->stem().string() + ": " +
                                              calib.string() + " is missing or unreadable");
    }
  }
  if (sequence == nullptr) return kitti::no_calibration(*file);
  if (context.frames_beyond_sequence && max_frame >= 0 &&
      static_cast<std::size_t>(max_frame) >= sequence->size() && sequence == context.sequence) {
    // Rows past the clouds: more frames of the same drive, sharing its one calibration.
    discovered = *sequence;
    const int calibration = discovered->frames.empty() ? -1 : discovered->frames.back().calibration;
    while (discovered->frames.size() <= static_cast<std::size_t>(max_frame)) {
      FrameRef frame;
      frame.name = frame_name(static_cast<std::int64_t>(discovered->frames.size()));
      frame.calibration = calibration;
      discovered->frames.push_back(std::move(frame));
    }
    sequence = &*discovered;
  }

  Annotations out;
  out.sequence = SequenceRef{sequence->layout, sequence->root.string(), sequence->name};
  out.attributes["source_format"] = "kitti-tracking";
  for (const FrameRef& f : sequence->frames) {
    FrameInfo info;
    info.name = f.name;
    info.timestamp_us = f.timestamp_us;
    out.frames.push_back(std::move(info));
  }

  std::map<int, std::size_t> track_of_id;                  // id -> index in out.tracks
  std::map<int, std::size_t> class_line;                   // id -> line that set its class
  std::map<std::pair<int, int>, std::size_t> line_of_box;  // (id, frame) -> line
  for (std::size_t i = 0; i < rows->size(); ++i) {
    if (i % kProgressEvery == 0) {
      Status go = kitti::report_progress(context, static_cast<double>(i) / rows->size(), *file);
      if (!go) return std::move(go).error();
    }
    const KittiLabelRow& row = (*rows)[i];
    if (static_cast<std::size_t>(row.frame) >= out.frames.size()) {
      return row_error(*file, row,
                       "frame " + std::to_string(row.frame) + " is beyond the sequence's " +
                           std::to_string(out.frames.size()) + " frames (" +
                           sequence->root.string() + ")");
    }
    if (row.is_dont_care()) {
      out.ignore_regions.push_back(IgnoreRegion{row.frame, row.bbox, "DontCare"});
      continue;
    }
    if (row.track_id < 0) {
      return row_error(*file, row,
                       "track id " + std::to_string(row.track_id) + " on a '" + row.type +
                           "' row; only DontCare rows may have a negative id");
    }
    const auto [box_it, fresh] =
        line_of_box.emplace(std::pair(row.track_id, row.frame), row.source_line);
    if (!fresh) {
      return row_error(*file, row,
                       "track " + std::to_string(row.track_id) + " appears twice in frame " +
                           std::to_string(row.frame) + " (first on line " +
                           std::to_string(box_it->second) + ")");
    }
    const Calibration* calibration = sequence->calibration_of(static_cast<std::size_t>(row.frame));
    if (calibration == nullptr || !calibration->kitti) {
      return kitti::no_calibration(*file, "frame " + std::to_string(row.frame) +
                                              " has no KITTI calibration in " +
                                              sequence->root.string());
    }

    const auto [track_it, new_track] = track_of_id.emplace(row.track_id, out.tracks.size());
    if (new_track) {
      Track track;
      track.id = row.track_id;
      track.label = kitti::class_of_kitti_type(row.type, context);
      out.ensure_class(track.label);
      out.tracks.push_back(std::move(track));
      class_line.emplace(row.track_id, row.source_line);
    }
    Track& track = out.tracks[track_it->second];
    if (track.label != kitti::class_of_kitti_type(row.type, context)) {
      return row_error(*file, row,
                       "track " + std::to_string(row.track_id) + " is '" + track.label +
                           "' on line " + std::to_string(class_line[row.track_id]) + " but '" +
                           row.type + "' here; a track keeps one class");
    }
    track.boxes.push_back(
        kitti::box_state_from_row(row, row.frame, calibration->kitti->T_rect_velo()));
  }
  out.normalize();
  Status done = kitti::report_progress(context, 1.0, *file);
  if (!done) return std::move(done).error();
  return out;
}

/// The seqmap with this sequence's line added or replaced, other sequences' lines kept.
Expected<std::string> merged_seqmap(const fs::path& seqmap, const std::string& name,
                                    std::int64_t frame_count) {
  std::vector<std::pair<std::string, std::string>> lines;  // (sequence, line)
  std::error_code ec;
  if (fs::exists(seqmap, ec)) {
    Expected<std::string> text = detail::read_file_text(seqmap);
    if (!text) return std::move(text).error();
    detail::LineScanner scanner(*text);
    std::string_view line;
    std::vector<std::string_view> tokens;
    while (scanner.next(line)) {
      detail::split_tokens(line, tokens);
      if (tokens.empty() || tokens.front() == name) continue;
      lines.emplace_back(std::string(tokens.front()), std::string(line));
    }
  }
  char ours[96];
  std::snprintf(ours, sizeof(ours), "%s empty 000000 %06lld", name.c_str(),
                static_cast<long long>(frame_count));
  lines.emplace_back(name, ours);
  std::stable_sort(lines.begin(), lines.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& entry : lines) out += entry.second + "\n";
  return out;
}

struct OutputLine {
  std::int64_t frame = 0;
  std::int64_t id = -1;
  std::string text;
};

Expected<WriteReport> write_tracking(const Annotations& annotations, const fs::path& out,
                                     const LabelContext& context) {
  std::optional<Sequence> storage;
  const Sequence* sequence = kitti::writer_sequence(annotations, context, storage);
  std::string name = sequence != nullptr ? sequence->name : annotations.sequence.name;
  if (name.empty()) name = "0000";
  const bool to_file = out.extension() == ".txt";
  const fs::path file = to_file ? out : out / (name + ".txt");
  if (to_file) name = out.stem().string();
  const fs::path folder = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  const fs::path seqmap = folder / kKittiTrackingSeqmapName;

  std::error_code ec;
  const bool existed = fs::exists(file, ec);
  if (existed && !context.overwrite) {
    return Error{ErrorCode::kPermission,
                 "exists already; pass the overwrite option (--force) to replace it",
                 file.string()};
  }
  if (sequence == nullptr && annotations.box_count() > 0) return kitti::no_calibration(file);

  WriteReport report;
  kitti::count_unwritable(annotations, report);
  kitti::ImageSizes images(sequence);
  std::vector<OutputLine> lines;
  const std::size_t total = std::max<std::size_t>(annotations.box_count(), 1);
  std::size_t done = 0;
  for (const Track& track : annotations.tracks) {
    if (Status ok = kitti::check_kitti_type(kitti::kitti_type_of_class(track.label, context));
        !ok) {
      Error e = std::move(ok).error();
      e.path = file.string();
      return e;
    }
    if (track.id < 0 || track.id > std::numeric_limits<int>::max()) {
      return Error{ErrorCode::kUnsupported,
                   "track id " + std::to_string(track.id) +
                       " cannot be written: KITTI tracking ids are 0..2147483647",
                   file.string()};
    }
    for (const BoxState& state : track.boxes) {
      if (done++ % kProgressEvery == 0) {
        Status go = kitti::report_progress(context, 0.95 * done / total, file);
        if (!go) return std::move(go).error();
      }
      auto row = kitti::box_row(track, state, sequence, KittiBenchmark::kTracking, context, images,
                                report);
      if (!row) {
        Error e = std::move(row).error();
        e.path = file.string();
        return e;
      }
      if (!*row) continue;
      kitti::apply_declared_camera_fields(annotations, track, state, KittiBenchmark::kTracking,
                                          **row);  // ontology
      lines.push_back({state.frame, track.id, format_kitti_tracking_row(**row)});
      ++report.boxes_written;
    }
  }
  for (const IgnoreRegion& region : annotations.ignore_regions) {
    KittiLabelRow row;
    row.frame = static_cast<int>(region.frame);
    row.type = "DontCare";  // KITTI knows no other kind of ignored region
    row.bbox = region.bbox;
    const bool finite =
        std::all_of(row.bbox.begin(), row.bbox.end(), [](double v) { return std::isfinite(v); });
    if (!finite || region.frame < 0) {
      return Error{ErrorCode::kMalformed,
                   "ignore region in frame " + std::to_string(region.frame) +
                       " has a negative frame or a non-finite 2D box",
                   file.string()};
    }
    lines.push_back({region.frame, -1, format_kitti_tracking_row(row)});
    ++report.ignore_regions_written;
  }
  std::stable_sort(lines.begin(), lines.end(), [](const OutputLine& a, const OutputLine& b) {
    return a.frame != b.frame ? a.frame < b.frame : a.id < b.id;
  });

  std::int64_t frame_count = static_cast<std::int64_t>(annotations.frames.size());
  if (sequence != nullptr) {
    frame_count = std::max(frame_count, static_cast<std::int64_t>(sequence->size()));
  }
  if (!lines.empty()) frame_count = std::max(frame_count, lines.back().frame + 1);

  std::string text;
  for (const OutputLine& line : lines) text += line.text;
  Expected<std::string> seqmap_text = merged_seqmap(seqmap, name, frame_count);
  if (!seqmap_text) return std::move(seqmap_text).error();
  Status go = kitti::report_progress(context, 0.95, file);
  if (!go) return std::move(go).error();

  OutputFolders folders;
  if (Status made = folders.create(folder); !made) return std::move(made).error();
  Status written = write_file_atomic(file, text, context.overwrite);
  if (!written) return std::move(written).error();
  // The seqmap is an index shared by the sequences in this folder, so it is always updated.
  Status indexed = write_file_atomic(seqmap, *seqmap_text, true);
  if (!indexed) {
    if (!existed) fs::remove(file, ec);  // no labels without their seqmap line
    return std::move(indexed).error();
  }
  folders.keep();
  report.written = {file, seqmap};
  return report;
}

bool detect_tracking(const fs::path& path) {
  if (is_dir(path)) return !tracking_labels_root(path).empty();
  std::error_code ec;
  if (!is_txt(path) || !fs::is_regular_file(path, ec)) return false;
  if (path.parent_path().filename() == "label_02") return true;
  const std::vector<std::string> tokens = kitti::first_line_tokens(path);
  int frame = 0, id = 0;
  double number = 0.0;
  return (tokens.size() == 17 || tokens.size() == 18) && detail::parse_int(tokens[0], frame) &&
         detail::parse_int(tokens[1], id) && !detail::parse_double(tokens[2], number);
}

}  // namespace

Expected<Annotations> read_kitti_tracking_annotations(const fs::path& labels,
                                                      const LabelContext& context) {
  return detail::guard_allocation(
      labels.string(), [&]() -> Expected<Annotations> { return read_tracking(labels, context); });
}

Expected<WriteReport> write_kitti_tracking_annotations(const Annotations& annotations,
                                                       const fs::path& out,
                                                       const LabelContext& context) {
  return detail::guard_allocation(out.string(), [&]() -> Expected<WriteReport> {
    return write_tracking(annotations, out, context);
  });
}

std::vector<fs::path> list_kitti_tracking_label_files(const fs::path& path) {
  if (!is_dir(path)) {
    std::error_code ec;
    return fs::is_regular_file(path, ec) ? std::vector<fs::path>{path} : std::vector<fs::path>{};
  }
  const fs::path root = tracking_labels_root(path);
  if (root.empty()) return {};
  return detail::list_files(root / "label_02", is_txt);
}

LabelCodec make_kitti_tracking_codec() {
  LabelCodec codec;
  codec.id = "kitti-tracking";
  codec.description =
      "KITTI tracking label_02/SSSS.txt (camera frame: needs the calibration, --sequence)";
  codec.priority = 10;
  codec.detect = detect_tracking;
  codec.read = read_kitti_tracking_annotations;
  codec.write = write_kitti_tracking_annotations;
  return codec;
}

}  // namespace pcanno::formats
