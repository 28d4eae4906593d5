// Example pcanno plugin: the "csv-boxes" label codec, one CSV row per box, for spreadsheets and
// pandas. Doubles are printed with 17 significant digits, so reading the file back gives the very
// same numbers. Built as a MODULE library and loaded from PCANNO_PLUGIN_PATH (README.md).
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <pcanno/formats/support/atomic_write.hpp>
#include <pcanno/plugin/plugin_api.hpp>

namespace {

namespace fs = std::filesystem;
using pcanno::formats::Annotations;
using pcanno::formats::Error;
using pcanno::formats::ErrorCode;
using pcanno::formats::Expected;
using pcanno::formats::LabelCodec;
using pcanno::formats::LabelContext;
using pcanno::formats::WriteReport;

constexpr std::string_view kHeader =
    "track_id,label,frame,frame_of_reference,cx,cy,cz,length,width,height,qw,qx,qy,qz,provenance,"
    "keyframe";
constexpr std::size_t kColumns = 16;

void append_double(std::string& out, double value) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  out += buf;
}

/// RFC 4180 quoting, only when needed: class names are user text and may hold commas.
void append_text(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string to_csv(const Annotations& annotations) {
  std::vector<const pcanno::formats::Track*> tracks;
  for (const auto& t : annotations.tracks) tracks.push_back(&t);
  // Sorted output whatever the document's order, so that equal documents give equal files.
  std::stable_sort(tracks.begin(), tracks.end(),
                   [](const auto* a, const auto* b) { return a->id < b->id; });
  std::string out(kHeader);
  out += '\n';
  for (const auto* track : tracks) {
    std::vector<const pcanno::formats::BoxState*> boxes;
    for (const auto& b : track->boxes) boxes.push_back(&b);
    std::stable_sort(boxes.begin(), boxes.end(),
                     [](const auto* a, const auto* b) { return a->frame < b->frame; });
    for (const auto* state : boxes) {
      const auto& box = state->box;
      out += std::to_string(track->id);
      out += ',';
      append_text(out, track->label);
      out += ',' + std::to_string(state->frame) + ',' + to_string(state->shape_frame);
      for (double v :
           {box.center.x(), box.center.y(), box.center.z(), box.size.x(), box.size.y(),
            box.size.z(), box.rotation.w(), box.rotation.x(), box.rotation.y(), box.rotation.z()}) {
        out += ',';
        append_double(out, v);
      }
      out += ',';
      out += to_string(state->provenance);
      out += state->keyframe ? ",1\n" : ",0\n";
    }
  }
  return out;
}

Expected<WriteReport> write_csv(const Annotations& annotations, const fs::path& path,
                                const LabelContext& context) {
  if (context.progress && !context.progress(0.0)) {
    return Error{ErrorCode::kCancelled, "cancelled before writing", path.string()};
  }
  const std::string text = to_csv(annotations);
  const pcanno::formats::Status written =
      pcanno::formats::write_file_atomic(path, text, context.overwrite);
  if (!written) return written.error();
  if (context.progress) context.progress(1.0);

  WriteReport report;
  report.written.push_back(path);
  report.boxes_written = annotations.box_count();
  std::size_t polyline_states = 0;
  for (const auto& p : annotations.polylines) polyline_states += p.states.size();
  if (polyline_states > 0)
    report.dropped["polylines (csv-boxes holds boxes only)"] = polyline_states;
  if (!annotations.ignore_regions.empty()) {
    report.dropped["ignore regions (csv-boxes holds boxes only)"] =
        annotations.ignore_regions.size();
  }
  return report;
}

struct Record {
  std::vector<std::string> fields;
  std::int64_t line = 0;  ///< 1-based line the record starts on
};

/// Splits RFC 4180 text into records; quoted fields may hold commas, quotes and line breaks.
Expected<std::vector<Record>> split_records(std::string_view text, const std::string& path) {
  std::vector<Record> records;
  Record current{{std::string()}, 1};
  std::int64_t line = 1;
  bool quoted = false;
  bool any = false;  // the current record has content (a blank last line is not a record)
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        current.fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        current.fields.back() += c;
      }
    } else if (c == '"') {
      quoted = any = true;
    } else if (c == ',') {
      current.fields.emplace_back();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any) records.push_back(std::move(current));
      ++line;
      current = Record{{std::string()}, line};
      any = false;
    } else {
      current.fields.back() += c;
      any = true;
    }
  }
  if (quoted) {
    return Error{ErrorCode::kTruncated, "a quoted field is not closed", path, current.line};
  }
  if (any) records.push_back(std::move(current));
  return records;
}

bool parse_double(const std::string& s, double& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtod(s.c_str(), &end);
  // ERANGE also flags subnormal results, which %.17g writes and which must read back exactly.
  const bool overflow = errno == ERANGE && std::isinf(out);
  return end == s.c_str() + s.size() && !overflow;
}

bool parse_int(const std::string& s, std::int64_t& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtoll(s.c_str(), &end, 10);
  return end == s.c_str() + s.size() && errno != ERANGE;
}

Expected<Annotations> parse_csv(std::string_view text, const std::string& path) {
  auto records = split_records(text, path);
  if (!records) return records.error();
  if (records->empty() || records->front().fields.size() != kColumns) {
    return Error{ErrorCode::kMalformed, "expected the header row: " + std::string(kHeader), path,
                 1};
  }
  Annotations out;
  out.attributes["source_format"] = "csv-boxes";
  std::map<std::int64_t, std::size_t> track_index;
  std::int64_t last_frame = -1;
  for (std::size_t r = 1; r < records->size(); ++r) {
    const Record& rec = (*records)[r];
    const auto bad = [&](const std::string& what) {
      return Error{ErrorCode::kMalformed, what, path, rec.line};
    };
    const std::vector<std::string>& f = rec.fields;
    if (f.size() != kColumns) {
      return bad("expected " + std::to_string(kColumns) + " fields, found " +
                 std::to_string(f.size()));
    }
    pcanno::formats::BoxState state;
    std::int64_t track_id = 0;
    if (!parse_int(f[0], track_id)) return bad("track_id is not an integer: '" + f[0] + "'");
    if (!parse_int(f[2], state.frame) || state.frame < 0) {
      return bad("frame is not a non-negative integer: '" + f[2] + "'");
    }
    const auto shape_frame = pcanno::formats::shape_frame_from_string(f[3]);
    if (!shape_frame) return bad("frame_of_reference must be lidar or world: '" + f[3] + "'");
    state.shape_frame = *shape_frame;
    double v[10];
    for (int k = 0; k < 10; ++k) {
      if (!parse_double(f[4 + k], v[k])) {
        return bad("column " + std::to_string(5 + k) + " is not a number: '" + f[4 + k] + "'");
      }
    }
    state.box.center = Eigen::Vector3d(v[0], v[1], v[2]);
    state.box.size = Eigen::Vector3d(v[3], v[4], v[5]);
    state.box.rotation = Eigen::Quaterniond(v[6], v[7], v[8], v[9]);
    const auto provenance = pcanno::formats::provenance_from_string(f[14]);
    if (!provenance) return bad("unknown provenance '" + f[14] + "'");
    state.provenance = *provenance;
    if (f[15] != "0" && f[15] != "1") return bad("keyframe must be 0 or 1: '" + f[15] + "'");
    state.keyframe = f[15] == "1";

    auto [it, inserted] = track_index.emplace(track_id, out.tracks.size());
    if (inserted) {
      pcanno::formats::Track track;
      track.id = track_id;
      track.label = f[1];
      out.ensure_class(f[1]);
      out.tracks.push_back(std::move(track));
    }
    pcanno::formats::Track& track = out.tracks[it->second];
    if (track.label != f[1]) {
      return bad("track " + f[0] + " changes class from '" + track.label + "' to '" + f[1] + "'");
    }
    if (track.at(state.frame) != nullptr) {
      return bad("track " + f[0] + " has two boxes at frame " + f[2]);
    }
    last_frame = std::max(last_frame, state.frame);
    track.boxes.push_back(std::move(state));
  }
  // The file names no frames: number them, as KITTI names its frames.
  for (std::int64_t i = 0; i <= last_frame; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "%06lld", static_cast<long long>(i));
    out.frames.push_back(pcanno::formats::FrameInfo{name, -1, {}, {}});
  }
  out.normalize();
  return out;
}

Expected<Annotations> read_csv(const fs::path& path, const LabelContext& context) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{ErrorCode::kNotFound, "cannot open the file", path.string()};
  std::ostringstream text;
  text << in.rdbuf();
  if (context.progress && !context.progress(0.5)) {
    return Error{ErrorCode::kCancelled, "cancelled while reading", path.string()};
  }
  return parse_csv(text.str(), path.string());
}

/// A .csv file starting with our header.
bool detect_csv(const fs::path& path) {
  if (path.extension() != ".csv") return false;
  std::ifstream in(path, std::ios::binary);
  std::string first;
  if (!in || !std::getline(in, first)) return false;
  if (!first.empty() && first.back() == '\r') first.pop_back();
  return first == kHeader;
}

LabelCodec make_csv_codec() {
  LabelCodec codec;
  codec.id = "csv-boxes";
  codec.description =
      "CSV, one row per box (track, class, frame, centre, size, quaternion, provenance, keyframe); "
      "example plugin";
  codec.detect = [](const fs::path& path) {
    try {
      return detect_csv(path);
    } catch (...) {
      return false;
    }
  };
  codec.read = [](const fs::path& path, const LabelContext& context) -> Expected<Annotations> {
    try {
      return read_csv(path, context);
    } catch (const std::bad_alloc&) {
      return Error{ErrorCode::kOutOfMemory, "out of memory", path.string()};
    }
  };
  codec.write = [](const Annotations& annotations, const fs::path& path,
                   const LabelContext& context) -> Expected<WriteReport> {
    try {
      return write_csv(annotations, path, context);
    } catch (const std::bad_alloc&) {
      return Error{ErrorCode::kOutOfMemory, "out of memory", path.string()};
    }
  };
  return codec;
}

pcanno::formats::Status register_components(pcanno::plugin::PluginContext& context) {
  LabelCodec codec = make_csv_codec();
  pcanno::plugin::ComponentInfo info;
  info.version = "1.0.0";
  // Below the built-in formats: detection only claims files that start with our exact header.
  info.priority = 5;
  info.description = codec.description;
  context.add_codec(std::move(codec), std::move(info));
  return {};
}

}  // namespace

PCANNO_PLUGIN(register_components)
