#pragma once
#include <string>

#include "pcanno/plugin/session.hpp"
#include "pcanno/plugin/tool.hpp"

namespace pcanno::plugin {

/// Picks boxes and polylines.
///
/// - Left press: selects what the ray hits at the current frame. A polyline vertex, then a
///   polyline segment, within kPickPixels of the ray come first (they are thin: a click near one
///   means it); in the perspective view only when no box lies nearer along the ray. Otherwise the
///   box the ray hits nearest along the ray; in the top view the box whose footprint contains the
///   pointer, the tallest (nearest the camera) when footprints overlap. Boxes the session hides
///   (Session::min_model_score) are passed through. An empty click clears the
///   selection and is left to the view (kRender without kConsumed) so it may orbit or pan.
/// - Delete / BackSpace: deletes the selected box at the current frame (the rest of its track
///   stays), or the selected polyline vertex.
/// - Escape: clears the selection.
class SelectTool : public Tool {
 public:
  static constexpr double kPickPixels = 8.0;

  std::string id() const override { return "select"; }
  int on_pointer(Session& session, const PointerEvent& event) override;
  int on_key(Session& session, const KeyEvent& event) override;

  /// What a click along `ray` in `view` selects at the session's current frame (empty: nothing).
  static Selection pick(const Session& session, const Ray& ray, const ViewInfo& view);
};

}  // namespace pcanno::plugin
