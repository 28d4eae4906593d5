#pragma once
#include <optional>
#include <string>

#include <Eigen/Core>

#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/plugin/tool.hpp"
#include "pcanno/plugin/tools/tool_geometry.hpp"

// Synthetic events for the tool tests: views, rays and the press-move-release sequences a view
// would send.

namespace pcanno::plugin::tool_test {

inline formats::Annotations frames_only(int n) {
  formats::Annotations doc;
  for (int i = 0; i < n; ++i) {
    doc.frames.push_back(formats::FrameInfo{std::to_string(i), -1, {}, ""});
  }
  return doc;
}

inline std::string text(const Session& s) {
  return formats::serialize_pcanno_document(s.document());
}

/// A north-up top view: world +x to the right, +y up the screen.
inline ViewInfo top_view(double meters_per_pixel = 0.02) {
  return make_top_view(Eigen::Vector3d::Zero(), meters_per_pixel);
}

/// A ray straight down through (x, y).
inline Ray ray_down(double x, double y) {
  return Ray{Eigen::Vector3d(x, y, 50.0), -Eigen::Vector3d::UnitZ()};
}

inline PointerEvent pointer(PointerEvent::Type type, const ViewInfo& view, const Ray& ray,
                            int modifiers = kNoModifier, MouseButton button = MouseButton::kLeft) {
  PointerEvent e;
  e.type = type;
  e.button = type == PointerEvent::Type::kMove ? MouseButton::kNone : button;
  e.modifiers = modifiers;
  e.ray = ray;
  e.view = view;
  return e;
}

inline PointerEvent at(PointerEvent::Type type, const ViewInfo& view, const Eigen::Vector3d& p,
                       int modifiers = kNoModifier) {
  return pointer(type, view, ray_through(view, p), modifiers);
}

/// Press at `from`, move half-way and to `to`, release at `to`; returns the release's flags.
inline int drag(Tool& tool, Session& s, const ViewInfo& view, const Eigen::Vector3d& from,
                const Eigen::Vector3d& to, int modifiers = kNoModifier) {
  using T = PointerEvent::Type;
  tool.on_pointer(s, at(T::kPress, view, from, modifiers));
  tool.on_pointer(s, at(T::kMove, view, 0.5 * (from + to), modifiers));
  tool.on_pointer(s, at(T::kMove, view, to, modifiers));
  return tool.on_pointer(s, at(T::kRelease, view, to, modifiers));
}

/// Press and release at `p`; returns the press's flags.
inline int click(Tool& tool, Session& s, const ViewInfo& view, const Eigen::Vector3d& p,
                 int modifiers = kNoModifier) {
  const int flags = tool.on_pointer(s, at(PointerEvent::Type::kPress, view, p, modifiers));
  tool.on_pointer(s, at(PointerEvent::Type::kRelease, view, p, modifiers));
  return flags;
}

inline int key(Tool& tool, Session& s, const std::string& name, int modifiers = kNoModifier,
               std::optional<ViewInfo> view = std::nullopt) {
  KeyEvent e;
  e.key = name;
  e.modifiers = modifiers;
  e.view = std::move(view);
  return tool.on_key(s, e);
}

}  // namespace pcanno::plugin::tool_test
