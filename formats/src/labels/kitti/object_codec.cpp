// KITTI object labels (label_2/NNNNNN.txt) <-> Annotations, formats.md 2.1.
#include <algorithm>
#include <cmath>
#include <cstdio>
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

bool is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

bool is_txt(const fs::path& p) { return p.extension() == ".txt"; }

/// `label_2/` and `label_2` name the same folder; only the second has a filename().
fs::path without_trailing_slash(const fs::path& p) {
  return p.has_filename() ? p : p.parent_path();
}

/// The training folder holding `label_2/`: `path` itself or `path/training`; empty when neither.
fs::path object_labels_root(const fs::path& path) {
  for (const fs::path& root : {path, path / "training"}) {
    if (is_dir(root / "label_2")) return root;
  }
  return {};
}

struct LabelFiles {
  fs::path folder;  ///< the label_2 folder (or the single file's folder)
  std::vector<fs::path> files;
};

LabelFiles resolve_label_files(const fs::path& given) {
  const fs::path path = without_trailing_slash(given);
  if (!is_dir(path)) return {path.parent_path(), {path}};
  const fs::path root = object_labels_root(path);
  const fs::path folder = root.empty() ? path : root / "label_2";
  return {folder, detail::list_files(folder, is_txt)};
}

Expected<Annotations> read_object(const fs::path& path, const LabelContext& context) {
  const LabelFiles labels = resolve_label_files(path);
  std::vector<std::vector<KittiLabelRow>> rows_of_file;
  std::vector<std::string> stems;
  for (std::size_t i = 0; i < labels.files.size(); ++i) {
    Status go = kitti::report_progress(context, 0.5 * i / labels.files.size(), labels.folder);
    if (!go) return std::move(go).error();
    Expected<std::vector<KittiLabelRow>> rows = read_kitti_object_labels(labels.files[i]);
    if (!rows) return std::move(rows).error();
    rows_of_file.push_back(std::move(rows).value());
    stems.push_back(labels.files[i].stem().string());
  }

  std::optional<Sequence> discovered;
  const Sequence* sequence = context.sequence;
  if (sequence == nullptr && labels.folder.filename() == "label_2") {
    discovered = kitti::discover_kitti_sequence(labels.folder.parent_path(),
                                                KittiBenchmark::kObject, "", stems);
    if (discovered) sequence = &*discovered;
  }
  if (sequence == nullptr) return kitti::no_calibration(path);

  Annotations out;
  out.sequence = SequenceRef{sequence->layout, sequence->root.string(), sequence->name};
  out.attributes["source_format"] = "kitti-object";
  std::map<std::string, std::size_t, std::less<>> frame_of_name;
  for (const FrameRef& f : sequence->frames) {
    frame_of_name.emplace(f.name, out.frames.size());
    FrameInfo info;
    info.name = f.name;
    info.timestamp_us = f.timestamp_us;
    out.frames.push_back(std::move(info));
  }

  std::int64_t next_id = 0;
  for (std::size_t i = 0; i < labels.files.size(); ++i) {
    const fs::path& file = labels.files[i];
    const auto frame_it = frame_of_name.find(stems[i]);
    if (frame_it == frame_of_name.end()) {
      return Error{ErrorCode::kNotFound,
                   "no frame named '" + stems[i] + "' in the sequence (" + sequence->root.string() +
                       "); label files are matched to frames by name",
                   file.string()};
    }
    const std::size_t frame = frame_it->second;
    const Calibration* calibration = sequence->calibration_of(frame);
    for (const KittiLabelRow& row : rows_of_file[i]) {
      if (row.is_dont_care()) {
        out.ignore_regions.push_back(
            IgnoreRegion{static_cast<std::int64_t>(frame), row.bbox, "DontCare"});
        continue;
      }
      if (calibration == nullptr || !calibration->kitti) {
        return kitti::no_calibration(file, "frame '" + stems[i] + "' has no KITTI calibration");
      }
      Track track;
      track.id = next_id++;
      track.label = kitti::class_of_kitti_type(row.type, context);
      track.boxes.push_back(kitti::box_state_from_row(row, static_cast<std::int64_t>(frame),
                                                      calibration->kitti->T_rect_velo()));
      out.ensure_class(track.label);
      out.tracks.push_back(std::move(track));
    }
  }
  out.normalize();
  Status done = kitti::report_progress(context, 1.0, labels.folder);
  if (!done) return std::move(done).error();
  return out;
}

struct FrameContent {
  std::vector<std::pair<const Track*, const BoxState*>> boxes;  // in track order
  std::vector<const IgnoreRegion*> regions;
};

/// File names of the frames: the frame names when all are KITTI's six digits and distinct (the
/// evaluator pairs label_2 with image_2 and calib by name), else the frame indices.
std::vector<std::string> output_names(const Annotations& annotations, const Sequence* sequence,
                                      std::size_t frame_count) {
  std::vector<std::string> names(frame_count);
  for (std::size_t i = 0; i < frame_count; ++i) {
    if (i < annotations.frames.size()) {
      names[i] = annotations.frames[i].name;
    } else if (sequence != nullptr && i < sequence->frames.size()) {
      names[i] = sequence->frames[i].name;
    }
  }
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  const bool usable =
      std::all_of(names.begin(), names.end(),
                  [](const std::string& n) { return kitti::is_digit_name(n, 6); }) &&
      std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end();
  if (!usable) {
    for (std::size_t i = 0; i < frame_count; ++i) {
      char name[32];
      std::snprintf(name, sizeof(name), "%06zu", i);
      names[i] = name;
    }
  }
  return names;
}

/// One frame's file: objects by track id, then the DontCare rows in document order.
Expected<std::string> frame_text(const Annotations& annotations, const FrameContent& content,
                                 const Sequence* sequence, const LabelContext& context,
                                 kitti::ImageSizes& images, WriteReport& report) {
  std::string text;
  for (const auto& [track, state] : content.boxes) {
    auto row =
        kitti::box_row(*track, *state, sequence, KittiBenchmark::kObject, context, images, report);
    if (!row) return std::move(row).error();
    if (!*row) continue;
    kitti::apply_declared_camera_fields(annotations, *track, *state, KittiBenchmark::kObject,
                                        **row);  // ontology
    text += format_kitti_object_row(**row);
    ++report.boxes_written;
  }
  for (const IgnoreRegion* region : content.regions) {
    KittiLabelRow row;
    row.type = "DontCare";  // KITTI knows no other kind of ignored region
    row.bbox = region->bbox;
    if (!std::all_of(row.bbox.begin(), row.bbox.end(), [](double v) { return std::isfinite(v); })) {
      return Error{
          ErrorCode::kMalformed,
          "ignore region in frame " + std::to_string(region->frame) + " has a non-finite 2D box",
          ""};
    }
    text += format_kitti_object_row(row);
    ++report.ignore_regions_written;
  }
  return text;
}

Expected<WriteReport> write_object(const Annotations& annotations, const fs::path& given_out,
                                   const LabelContext& context) {
  const fs::path out = without_trailing_slash(given_out);
  std::optional<Sequence> storage;
  const Sequence* sequence = kitti::writer_sequence(annotations, context, storage);
  if (sequence == nullptr && annotations.box_count() > 0) return kitti::no_calibration(out);
  std::error_code ec;
  if (!context.overwrite && fs::exists(out, ec)) {
    return Error{ErrorCode::kPermission,
                 "exists already; pass the overwrite option (--force) to replace it", out.string()};
  }

  // Group by frame first: files are written one frame at a time.
  std::size_t frame_count = annotations.frames.size();
  if (sequence != nullptr) frame_count = std::max(frame_count, sequence->size());
  const auto need_frame = [&frame_count](std::int64_t frame) -> Status {
    if (frame < 0) return Error{ErrorCode::kMalformed, "negative frame index", ""};
    frame_count = std::max(frame_count, static_cast<std::size_t>(frame) + 1);
    return {};
  };
  for (const Track& track : annotations.tracks) {
    Status type_ok = kitti::check_kitti_type(kitti::kitti_type_of_class(track.label, context));
    if (!type_ok) return std::move(type_ok).error();
    for (const BoxState& state : track.boxes) {
      if (Status ok = need_frame(state.frame); !ok) return std::move(ok).error();
    }
  }
  for (const IgnoreRegion& region : annotations.ignore_regions) {
    if (Status ok = need_frame(region.frame); !ok) return std::move(ok).error();
  }
  std::vector<FrameContent> frames(frame_count);
  std::vector<const Track*> by_id;
  for (const Track& track : annotations.tracks) by_id.push_back(&track);
  std::stable_sort(by_id.begin(), by_id.end(),
                   [](const Track* a, const Track* b) { return a->id < b->id; });
  for (const Track* track : by_id) {
    for (const BoxState& state : track->boxes) {
      frames[static_cast<std::size_t>(state.frame)].boxes.emplace_back(track, &state);
    }
  }
  for (const IgnoreRegion& region : annotations.ignore_regions) {
    frames[static_cast<std::size_t>(region.frame)].regions.push_back(&region);
  }

  WriteReport report;
  kitti::count_unwritable(annotations, report);
  kitti::ImageSizes images(sequence);
  const auto located = [](Error e, const fs::path& file) {
    e.path = file.string();
    return e;
  };

  OutputFolders folders;
  if (out.extension() == ".txt") {
    if (frame_count > 1) {
      return Error{ErrorCode::kUnsupported,
                   std::to_string(frame_count) +
                       " frames need a label_2 folder (one file per frame); name a folder",
                   out.string()};
    }
    Expected<std::string> text =
        frames.empty() ? std::string()
                       : frame_text(annotations, frames[0], sequence, context, images, report);
    if (!text) return located(std::move(text).error(), out);
    if (Status made = folders.create(out.parent_path()); !made) return std::move(made).error();
    Status written = write_file_atomic(out, *text, context.overwrite);
    if (!written) return std::move(written).error();
    folders.keep();
    report.written = {out};
    return report;
  }

  if (Status made = folders.create(out.parent_path()); !made) return std::move(made).error();
  Expected<StagedDirectory> staged = StagedDirectory::begin(out, context.overwrite);
  if (!staged) return std::move(staged).error();
  const std::vector<std::string> names = output_names(annotations, sequence, frame_count);
  for (std::size_t f = 0; f < frame_count; ++f) {
    const fs::path final_file = out / (names[f] + ".txt");
    Status go = kitti::report_progress(context, static_cast<double>(f) / frame_count, out);
    if (!go) return std::move(go).error();
    Expected<std::string> text =
        frame_text(annotations, frames[f], sequence, context, images, report);
    if (!text) return located(std::move(text).error(), final_file);
    Status written = write_staged_file(staged->path() / (names[f] + ".txt"), *text);
    if (!written) return std::move(written).error();
  }
  Status committed = staged->commit();
  if (!committed) return std::move(committed).error();
  folders.keep();
  report.written = {out};
  return report;
}

bool detect_object(const fs::path& given) {
  const fs::path path = without_trailing_slash(given);
  if (is_dir(path)) {
    return path.filename() == "label_2" || !object_labels_root(path).empty();
  }
  std::error_code ec;
  if (!is_txt(path) || !fs::is_regular_file(path, ec)) return false;
  if (path.parent_path().filename() == "label_2") return true;
  const std::vector<std::string> tokens = kitti::first_line_tokens(path);
  double number = 0.0;
  return (tokens.size() == 15 || tokens.size() == 16) && !detail::parse_double(tokens[0], number) &&
         detail::parse_double(tokens[1], number);
}

}  // namespace

Expected<Annotations> read_kitti_object_annotations(const fs::path& labels,
                                                    const LabelContext& context) {
  return detail::guard_allocation(
      labels.string(), [&]() -> Expected<Annotations> { return read_object(labels, context); });
}

Expected<WriteReport> write_kitti_object_annotations(const Annotations& annotations,
                                                     const fs::path& out,
                                                     const LabelContext& context) {
  return detail::guard_allocation(out.string(), [&]() -> Expected<WriteReport> {
    return write_object(annotations, out, context);
  });
}

LabelCodec make_kitti_object_codec() {
  LabelCodec codec;
  codec.id = "kitti-object";
  codec.description =
      "KITTI object label_2/NNNNNN.txt (camera frame: needs the calibration, --sequence)";
  codec.priority = 10;
  codec.detect = detect_object;
  codec.read = read_kitti_object_annotations;
  codec.write = write_kitti_object_annotations;
  return codec;
}

}  // namespace pcanno::formats
