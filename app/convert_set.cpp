#include "convert_set.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "pcanno/formats/labels/nuscenes/codec.hpp"
#include "pcanno/formats/support/atomic_write.hpp"
#include "pcanno/formats/support/output_folder.hpp"
#include "progress.hpp"

namespace pcanno::app {
namespace {

namespace fs = std::filesystem;

/// One sequence on its way through the conversion.
struct Converted {
  const LabelUnit* unit = nullptr;
  std::optional<formats::Annotations> doc;
  std::string error;  ///< why it was not converted
  std::optional<formats::WriteReport> report;
};

/// How one sequence's output is named in the --out folder: `<name><suffix>` for the built-in
/// formats that write one file per sequence; otherwise the codec gets `<out>/<name>` to make a
/// file or folder of.
std::string output_suffix(const std::string& codec_id) {
  if (codec_id == "kitti-tracking") return ".txt";
  if (codec_id == "openlabel") return ".json";
  if (codec_id == "pcanno") return ".pcanno.json";
  return "";
}

/// A sequence name as a file name: no separators, never "." or "..".
std::string file_name_of(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    if (c == '/' || c == '\\') c = '_';
  }
  return out.empty() || out == "." || out == ".." ? "sequence" : out;
}

std::string with_count(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}


std::vector<Converted> read_all(const std::vector<LabelUnit>& units,
                                const formats::LabelCodec& reader, formats::LabelContext context,
                                ProgressBar& bar) {
  std::vector<Converted> out;
  const double n = static_cast<double>(units.size());
  for (std::size_t i = 0; i < units.size(); ++i) {
    Converted c;
    c.unit = &units[i];
    context.sequence = units[i].sequence ? &*units[i].sequence : nullptr;
    context.progress =
        bar.callback(0.5 * static_cast<double>(i) / n, 0.5 * static_cast<double>(i + 1) / n);
    auto doc = reader.read(units[i].labels, context);
    if (doc) {
      c.doc = std::move(*doc);
    } else {
      c.error = doc.error().describe();
    }
    out.push_back(std::move(c));
  }
  return out;
}

/// nuScenes: one dataroot, one scene per sequence.
int write_nuscenes(const ConvertOptions& opt, std::vector<Converted>& converted,
                   formats::LabelContext context, ProgressBar& bar) {
  std::vector<formats::NuscenesSceneExport> scenes;
  std::vector<Converted*> order;
  for (Converted& c : converted) {
    if (!c.doc) continue;
    scenes.push_back({&*c.doc, c.unit->sequence ? &*c.unit->sequence : nullptr});
    order.push_back(&c);
  }
  context.sequence = nullptr;
  context.progress = bar.callback(0.5, 1.0);
  auto reports = formats::write_nuscenes_scenes(scenes, opt.out, context);
  if (!reports) return report(reports.error());
  for (std::size_t k = 0; k < order.size(); ++k) order[k]->report = std::move((*reports)[k]);
  return kExitOk;
}

/// Moves every entry of `staging` into the existing folder `out`; a folder in the way (allowed by
/// --force) is moved aside first and removed once the new one is in place.
formats::Status move_into(const fs::path& staging, const fs::path& out) {
  std::error_code ec;
  std::vector<fs::path> entries;
  for (const auto& e : fs::directory_iterator(staging, ec)) entries.push_back(e.path());
  if (ec) {
    return formats::Error{formats::ErrorCode::kIo, "cannot list: " + ec.message(),
                          staging.string()};
  }
  for (const fs::path& entry : entries) {
    const fs::path dest = out / entry.filename();
    fs::path aside;
    if (fs::is_directory(fs::symlink_status(dest, ec))) {
      aside = out / ("." + entry.filename().string() + ".replaced-" + std::to_string(::getpid()));
      fs::rename(dest, aside, ec);
      if (ec) {
        return formats::Error{formats::ErrorCode::kIo,
                              "cannot move the previous output aside: " + ec.message(),
                              dest.string()};
      }
    }
    fs::rename(entry, dest, ec);
    if (ec) {
      const std::string why = ec.message();
      if (!aside.empty()) fs::rename(aside, dest, ec);
      return formats::Error{formats::ErrorCode::kIo, "cannot move into place: " + why,
                            dest.string()};
    }
    if (!aside.empty()) fs::remove_all(aside, ec);
  }
  return sync_folder(out);
}

/// Other formats: one output per sequence in the --out folder.
int write_each(const ConvertOptions& opt, const formats::LabelCodec& writer,
               std::vector<Converted>& converted, formats::LabelContext context, ProgressBar& bar) {
  const fs::path out = opt.out;
  formats::OutputFolders folders;
  if (auto made = folders.create(out.parent_path()); !made) return report(made.error());
  // Staged beside --out, so that nothing appears before every sequence is written.
  auto staged = formats::StagedDirectory::begin(out, /*overwrite=*/true);
  if (!staged) return report(staged.error());
  const fs::path staging = staged->path();
  std::error_code ec;

  // The tracking seqmap indexes every sequence of the folder: lines of others are kept.
  const fs::path seqmap = out / formats::kKittiTrackingSeqmapName;
  const bool merge_seqmap = writer.id == "kitti-tracking" && fs::is_regular_file(seqmap, ec);
  if (merge_seqmap) {
    fs::copy_file(seqmap, staging / seqmap.filename(), ec);
    if (ec) {
      return report(formats::Error{formats::ErrorCode::kIo,
                                   "cannot read the seqmap: " + ec.message(), seqmap.string()});
    }
  }

  const std::string suffix = output_suffix(writer.id);
  std::size_t done = 0, total = 0;
  for (const Converted& c : converted) total += c.doc ? 1 : 0;
  for (Converted& c : converted) {
    if (!c.doc) continue;
    context.sequence = c.unit->sequence ? &*c.unit->sequence : nullptr;
    context.overwrite = false;  // two sequences must not write the same file
    context.progress = bar.callback(0.5 + 0.5 * static_cast<double>(done) / total,
                                    0.5 + 0.5 * static_cast<double>(done + 1) / total);
    const fs::path target = staging / (file_name_of(c.unit->name) + suffix);
    auto written = writer.write(*c.doc, target, context);
    if (!written) {
      formats::Error e = std::move(written).error();
      e.message = "sequence " + c.unit->name + ": " + e.message;
      return report(e);
    }
    for (fs::path& p : written->written) p = out / p.lexically_relative(staging);
    c.report = std::move(*written);
    ++done;
  }

  std::vector<fs::path> replaced;
  for (const auto& e : fs::directory_iterator(staging, ec)) {
    const fs::path dest = out / e.path().filename();
    if (merge_seqmap && dest == seqmap) continue;
    std::error_code exists_ec;
    if (fs::exists(fs::symlink_status(dest, exists_ec))) replaced.push_back(dest);
  }
  std::sort(replaced.begin(), replaced.end());
  if (!replaced.empty() && !opt.force) return refuse_to_replace(replaced);
  if (fs::exists(out, ec)) {
    formats::Status moved = move_into(staging, out);
    if (!moved) return report(moved.error());
  } else {
    formats::Status committed = staged->commit();
    if (!committed) return report(committed.error());
  }
  folders.keep();
  return kExitOk;
}

/// The outputs the conversion will make, known before reading: existing ones are refused early.
std::vector<fs::path> planned_outputs(const ConvertOptions& opt, const formats::LabelCodec& writer,
                                      const std::vector<LabelUnit>& units) {
  if (writer.id == "nuscenes") return {opt.out};
  std::vector<fs::path> out;
  for (const LabelUnit& unit : units) {
    out.push_back(fs::path(opt.out) / (file_name_of(unit.name) + output_suffix(writer.id)));
  }
  return out;
}

/// "61 boxes in 3 tracks, 27 ignore regions".
std::string describe_counts(std::size_t boxes, std::size_t tracks, std::size_t polyline_states,
                            std::size_t ignore_regions) {
  std::string out =
      with_count(boxes, "box", "boxes") + " in " + with_count(tracks, "track", "tracks");
  if (polyline_states > 0) {
    out += ", " + with_count(polyline_states, "polyline state", "polyline states");
  }
  if (ignore_regions > 0) {
    out += ", " + with_count(ignore_regions, "ignore region", "ignore regions");
  }
  return out;
}

void print_summary(const ConvertOptions& opt, const formats::LabelCodec& reader,
                   const formats::LabelCodec& writer, const std::vector<Converted>& converted) {
  std::size_t ok = 0, boxes = 0, tracks = 0, polylines = 0, regions = 0;
  formats::WriteReport total;
  for (const Converted& c : converted) {
    if (!c.report) continue;
    ++ok;
    boxes += c.doc->box_count();
    tracks += c.doc->tracks.size();
    polylines += formats::polyline_state_count(*c.doc);
    regions += c.doc->ignore_regions.size();
    total.boxes_written += c.report->boxes_written;
    total.polyline_states_written += c.report->polyline_states_written;
    total.ignore_regions_written += c.report->ignore_regions_written;
    for (const auto& [reason, n] : c.report->dropped) total.dropped[reason] += n;
    for (const auto& [reason, n] : c.report->warnings) total.warnings[reason] += n;
    for (const fs::path& p : c.report->written) {
      if (std::find(total.written.begin(), total.written.end(), p) == total.written.end()) {
        total.written.push_back(p);
      }
    }
  }
  std::cout << "converted " << ok << " of " << with_count(converted.size(), "sequence", "sequences")
            << " from " << opt.input << " (" << reader.id << ") to " << writer.id << ":\n";
  for (const Converted& c : converted) {
    std::cout << "  " << c.unit->name << ": ";
    if (c.report) {
      std::cout << "read " << describe_document(*c.doc) << "; " << formats::summarize(*c.report)
                << '\n';
    } else {
      std::cout << "not converted: " << c.error << '\n';
    }
  }
  std::cout << "total: read " << describe_counts(boxes, tracks, polylines, regions) << "; "
            << formats::summarize(total) << '\n';
  std::cout << "written:\n";
  for (const fs::path& p : total.written) std::cout << "  " << p.string() << '\n';
}

/// Reads every sequence, then writes them; `converted` receives each one's document and report.
int read_and_write(const ConvertOptions& opt, const GlobalOptions& global,
                   const formats::LabelCodec& reader, const formats::LabelCodec& writer,
                   const std::vector<LabelUnit>& units, formats::LabelContext context,
                   std::vector<Converted>& converted) {
  // Reading is the first half of the bar, writing the second; Ctrl+C cancels either.
  ProgressBar bar("converting", global.quiet);
  converted = read_all(units, reader, context, bar);
  if (formats::Status cancelled = CancelToken::check(); !cancelled)
    return report(cancelled.error());
  std::size_t failed = 0;
  for (const Converted& c : converted) {
    if (c.doc) continue;
    ++failed;
    std::cerr << "pcanno: " << (opt.skip_failed ? "warning" : "error") << ": sequence "
              << c.unit->name << " not converted: " << c.error << '\n';
  }
  if (failed == converted.size() || (failed > 0 && !opt.skip_failed)) {
    return report_message(
        with_count(failed, "sequence", "sequences") + " of " + std::to_string(converted.size()) +
        " cannot be read; nothing was written" +
        (failed < converted.size() ? " (--skip-failed converts the others)" : ""));
  }

  int code = kExitOk;
  if (units.size() == 1) {
    // One sequence is written to --out exactly as a single document would be.
    Converted& c = converted.front();
    context.sequence = c.unit->sequence ? &*c.unit->sequence : nullptr;
    context.progress = bar.callback(0.5, 1.0);
    formats::OutputFolders folders;
    if (auto made = folders.create(output_parent(opt.out)); !made) {
      return report(made.error());
    }
    auto written = writer.write(*c.doc, opt.out, context);
    if (!written) return report(written.error());
    folders.keep();
    c.report = std::move(*written);
  } else if (writer.id == "nuscenes") {
    code = write_nuscenes(opt, converted, context, bar);
  } else {
    code = write_each(opt, writer, converted, context, bar);
  }
  return code;
}

}  // namespace

std::string describe_document(const formats::Annotations& annotations) {
  return describe_counts(annotations.box_count(), annotations.tracks.size(),
                         formats::polyline_state_count(annotations),
                         annotations.ignore_regions.size());
}

int convert_set(const ConvertOptions& given, const GlobalOptions& global,
                const formats::LabelCodec& reader, const formats::LabelCodec& writer,
                std::vector<LabelUnit> units, formats::LabelContext context) {
  // "out/" names the folder "out": outputs are staged beside it, not inside.
  ConvertOptions opt = given;
  if (!fs::path(opt.out).has_filename()) opt.out = fs::path(opt.out).parent_path().string();
  const bool single = units.size() == 1;
  if (!single) {
    std::error_code ec;
    if (fs::exists(opt.out, ec) && !fs::is_directory(opt.out, ec)) {
      return report_usage("--out: " + with_count(units.size(), "sequence", "sequences") +
                          " are written into a folder; " + opt.out + " is a file");
    }
    if (!opt.force) {
      const std::vector<fs::path> existing = existing_paths(planned_outputs(opt, writer, units));
      if (!existing.empty()) return refuse_to_replace(existing);
    }
  }

  std::vector<Converted> converted;
  const int code = read_and_write(opt, global, reader, writer, units, context, converted);
  if (code != kExitOk || global.quiet) return code;
  print_summary(opt, reader, writer, converted);  // once the progress bar is gone
  return kExitOk;
}

}  // namespace pcanno::app
