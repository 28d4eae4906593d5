#include "pcanno/viewer/workstation/timeline_model.hpp"

#include "pcanno/plugin/automation/propagation.hpp"

namespace pcanno::viewer::workstation {

bool needs_review(const formats::BoxState& box) {
  return box.provenance == formats::Provenance::kTracked && box.score &&
         *box.score < plugin::kReviewScore;
}

std::vector<TimelineCell> timeline_cells(const formats::Annotations& doc, std::size_t frame_count,
                                         std::optional<std::int64_t> track,
                                         const plugin::QaReport* qa) {
  std::vector<TimelineCell> cells(frame_count);
  for (std::size_t i = 0; i < frame_count; ++i) cells[i].frame = static_cast<std::int64_t>(i);
  if (!track) return cells;
  if (const formats::Track* t = doc.track(*track)) {
    for (const formats::BoxState& b : t->boxes) {
      if (b.frame < 0 || static_cast<std::size_t>(b.frame) >= frame_count) continue;
      TimelineCell& c = cells[static_cast<std::size_t>(b.frame)];
      c.has_box = true;
      c.keyframe = b.keyframe;
      c.provenance = b.provenance;
      c.score = b.score;
      c.review = needs_review(b);
    }
  }
  if (!qa) return cells;
  for (const plugin::Finding& f : qa->findings) {
    if (f.track != *track || f.frame < 0 || static_cast<std::size_t>(f.frame) >= frame_count) {
      continue;
    }
    TimelineCell& c = cells[static_cast<std::size_t>(f.frame)];
    if (!c.qa || static_cast<int>(f.severity) > static_cast<int>(*c.qa)) c.qa = f.severity;
    if (!c.qa_text.empty()) c.qa_text += '\n';
    c.qa_text += std::string(plugin::to_string(f.severity)) + " " + f.check + ": " + f.message;
  }
  return cells;
}

void mark_sweeps(std::vector<TimelineCell>& cells, const formats::Sequence* sequence) {
  if (sequence == nullptr) return;
  for (TimelineCell& c : cells) {
    if (c.frame >= 0 && static_cast<std::size_t>(c.frame) < sequence->size()) {
      c.sweep = !sequence->frames[static_cast<std::size_t>(c.frame)].is_keyframe;
    }
  }
}

std::vector<TimelineCell> polyline_timeline_cells(const formats::Annotations& doc,
                                                  std::size_t frame_count,
                                                  std::optional<std::int64_t> polyline) {
  std::vector<TimelineCell> cells = timeline_cells(doc, frame_count, std::nullopt, nullptr);
  if (!polyline) return cells;
  for (const formats::PolylineTrack& p : doc.polylines) {
    if (p.id != *polyline) continue;
    for (const formats::PolylineState& s : p.states) {
      if (s.frame < 0 || static_cast<std::size_t>(s.frame) >= frame_count) continue;
      TimelineCell& c = cells[static_cast<std::size_t>(s.frame)];
      c.has_box = true;
      c.keyframe = s.keyframe;
      c.provenance = s.provenance;
    }
  }
  return cells;
}

}  // namespace pcanno::viewer::workstation
