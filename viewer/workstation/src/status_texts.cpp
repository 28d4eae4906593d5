#include "pcanno/viewer/workstation/status_texts.hpp"

#include "pcanno/plugin/sequence_frames.hpp"
#include "pcanno/plugin/session.hpp"

namespace pcanno::viewer::workstation {
namespace {

QString tool_text(const std::string& id) {
  if (id == "cuboid-edit") return "EDIT";
  if (id == "cuboid-create") return "CREATE (drag in top view)";
  if (id == "polyline") return "POLYLINE (click vertices, Return ends)";
  return QString::fromStdString(id).toUpper();
}

QString polyline_text(const plugin::Session& session) {
  const plugin::Selection& selection = session.selection();
  if (!selection.polyline) return "no selection";
  for (const formats::PolylineTrack& p : session.document().polylines) {
    if (p.id != *selection.polyline) continue;
    QString text = QString("polyline %1 %2").arg(p.id).arg(QString::fromStdString(p.label));
    for (const formats::PolylineState& s : p.states) {
      if (s.frame != session.frame()) continue;
      text += QString(" %1%2 %3 vertices%4")
                  .arg(formats::to_string(s.provenance), s.keyframe ? " key" : "")
                  .arg(s.line.vertices.size())
                  .arg(s.line.closed ? " closed" : "");
    }
    if (selection.vertex) text += QString(", vertex %1").arg(*selection.vertex);
    return text;
  }
  return "no selection";
}

QString selection_text(const plugin::Session& session) {
  const auto id = session.selection().track;
  const formats::Track* t = id ? session.document().track(*id) : nullptr;
  if (t == nullptr) return polyline_text(session);
  QString text = QString("#%1 %2").arg(*id).arg(QString::fromStdString(t->label));
  if (const formats::BoxState* b = t->at(session.frame())) {
    text += QString(" %1%2 %3x%4x%5 m")
                .arg(formats::to_string(b->provenance), b->keyframe ? " key" : "")
                .arg(b->box.size.x(), 0, 'f', 2)
                .arg(b->box.size.y(), 0, 'f', 2)
                .arg(b->box.size.z(), 0, 'f', 2);
  }
  return text;
}

}  // namespace

StatusTexts status_texts(const plugin::Session& session, std::size_t points,
                         const std::string& tool_id) {
  StatusTexts texts;
  const std::int64_t frame = session.frame();
  QString name;
  if (const formats::Sequence* seq = session.sequence();
      seq && frame >= 0 && static_cast<std::size_t>(frame) < seq->size()) {
    const formats::FrameRef& f = seq->frames[static_cast<std::size_t>(frame)];
    name = QString::fromStdString(f.name);
    // With a scene's sweeps, which frames are its annotated keyframes matters to the annotator.
    if (plugin::has_sweeps(*seq)) name += f.is_keyframe ? "  keyframe" : "  sweep";
  }
  texts.frame = QString("Frame %1 / %2  %3").arg(frame).arg(session.frame_count()).arg(name);
  texts.points = QString("%L1 points").arg(points);
  texts.tool = tool_text(tool_id);
  texts.selection = selection_text(session);
  texts.title = "pcanno view";
  if (!session.document_path().empty()) {
    texts.title += " - " + QString::fromStdString(session.document_path().filename().string());
  }
  if (session.dirty()) texts.title += " *";
  return texts;
}

}  // namespace pcanno::viewer::workstation
