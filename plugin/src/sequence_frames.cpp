#include "pcanno/plugin/sequence_frames.hpp"

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace pcanno::plugin {
namespace {

using formats::Error;
using formats::ErrorCode;

/// Sequence index by frame name; empty when a name is empty or repeats (nothing to match by).
std::unordered_map<std::string, std::size_t> index_by_name(const formats::Sequence& sequence) {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < sequence.frames.size(); ++i) {
    const std::string& name = sequence.frames[i].name;
    if (name.empty() || !index.emplace(name, i).second) return {};
  }
  return index;
}

/// Where each document frame lies in the sequence, in order; empty when some does not match.
std::vector<std::int64_t> match_frames(const formats::Annotations& doc,
                                       const formats::Sequence& sequence) {
  const auto index = index_by_name(sequence);
  if (index.empty()) return {};
  std::vector<std::int64_t> to;
  for (const formats::FrameInfo& f : doc.frames) {
    const auto it = index.find(f.name);
    if (it == index.end()) return {};
    const auto i = static_cast<std::int64_t>(it->second);
    if (!to.empty() && i <= to.back()) return {};  // out of order: another frame list
    to.push_back(i);
  }
  return to;
}

/// True when every sequence frame is among the document's (by name).
bool holds_every_frame(const formats::Annotations& doc, const formats::Sequence& sequence) {
  std::unordered_map<std::string, int> names;
  for (const formats::FrameInfo& f : doc.frames) ++names[f.name];
  return std::all_of(sequence.frames.begin(), sequence.frames.end(),
                     [&](const formats::FrameRef& f) { return names.count(f.name) > 0; });
}

/// `what` ("track 3", "polyline 1", "an ignore region") lies on a frame the document lacks.
Error off_the_list(const std::string& what, std::int64_t frame, std::size_t last) {
  return Error{ErrorCode::kMalformed,
               what + " lies on frame " + std::to_string(frame) +
                   " but the document lists frames 0.." + std::to_string(last) + " only",
               ""};
}

}  // namespace

bool has_sweeps(const formats::Sequence& sequence) {
  return std::any_of(sequence.frames.begin(), sequence.frames.end(),
                     [](const formats::FrameRef& f) { return !f.is_keyframe; });
}

bool layout_has_sweeps(const std::string& layout) { return layout == "nuscenes"; }

formats::Expected<std::optional<std::string>> fit_document_to_sequence(
    formats::Annotations& doc, const formats::Sequence& sequence) {
  const std::size_t have = doc.frames.size();
  const std::size_t want = sequence.frames.size();
  if (have == 0 || want == 0 || have == want) return std::optional<std::string>();
  if (have > want) {
    if (!holds_every_frame(doc, sequence)) return std::optional<std::string>();
    return Error{ErrorCode::kConflict,
                 "the document lists " + std::to_string(have) + " frames, the sequence '" +
                     sequence.name + "' only " + std::to_string(want) +
                     " of them: the labels were made with the sweeps; open the sequence with "
                     "its sweeps (pcanno view --sweeps, or the sweeps box of Open sequence)",
                 ""};
  }
  const std::vector<std::int64_t> to = match_frames(doc, sequence);
  if (to.empty()) return std::optional<std::string>();

  // Every shape is checked before anything moves: a failure leaves the document as it was.
  const auto n = static_cast<std::int64_t>(have);
  for (const formats::Track& t : doc.tracks) {
    for (const formats::BoxState& b : t.boxes) {
      if (b.frame < 0 || b.frame >= n)
        return off_the_list("track " + std::to_string(t.id), b.frame, have - 1);
    }
  }
  for (const formats::PolylineTrack& p : doc.polylines) {
    for (const formats::PolylineState& s : p.states) {
      if (s.frame < 0 || s.frame >= n) {
        return off_the_list("polyline " + std::to_string(p.id), s.frame, have - 1);
      }
    }
  }
  for (const formats::IgnoreRegion& r : doc.ignore_regions) {
    if (r.frame < 0 || r.frame >= n) return off_the_list("an ignore region", r.frame, have - 1);
  }

  std::vector<formats::FrameInfo> frames;
  frames.reserve(want);
  for (const formats::FrameRef& f : sequence.frames) {
    frames.push_back(formats::FrameInfo{f.name, f.timestamp_us, {}, f.sample_token});
  }
  for (std::size_t i = 0; i < have; ++i) {
    formats::FrameInfo& into = frames[static_cast<std::size_t>(to[i])];
    formats::FrameInfo& own = doc.frames[i];
    // The document's facts win; what it lacks (a sample token, a time) the sequence gives.
    if (own.source_token.empty()) own.source_token = into.source_token;
    if (own.timestamp_us < 0) own.timestamp_us = into.timestamp_us;
    into = std::move(own);
  }
  doc.frames = std::move(frames);
  const auto moved = [&to](std::int64_t frame) { return to[static_cast<std::size_t>(frame)]; };
  for (formats::Track& t : doc.tracks) {
    for (formats::BoxState& b : t.boxes) b.frame = moved(b.frame);
  }
  for (formats::PolylineTrack& p : doc.polylines) {
    for (formats::PolylineState& s : p.states) s.frame = moved(s.frame);
  }
  for (formats::IgnoreRegion& r : doc.ignore_regions) r.frame = moved(r.frame);
  return std::optional<std::string>(
      "the document's " + std::to_string(have) + " frames are " +
      (has_sweeps(sequence) ? "the keyframes" : "some") + " of the " + std::to_string(want) +
      " frames of '" + sequence.name + "'" + (has_sweeps(sequence) ? " with its sweeps" : "") +
      ": its labels stay on their frames (now numbered among all " + std::to_string(want) + ")");
}

}  // namespace pcanno::plugin
