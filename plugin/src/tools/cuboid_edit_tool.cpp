#include "pcanno/plugin/tools/cuboid_edit_tool.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "pcanno/geometry/angles.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/plugin/tilt.hpp"
#include "pcanno/plugin/tools/tool_geometry.hpp"
#include "pcanno/plugin/tools/tool_support.hpp"

namespace pcanno::plugin {
namespace {

using Handle = CuboidEditTool::Handle;

/// Box axis (0 x, 1 y, 2 z) and side (+1, -1) a face handle moves.
struct Face {
  int axis = 0;
  double sign = 1.0;
};

std::optional<Face> face_of(Handle h) {
  switch (h) {
    case Handle::kFront:
      return Face{0, 1.0};
    case Handle::kBack:
      return Face{0, -1.0};
    case Handle::kLeft:
      return Face{1, 1.0};
    case Handle::kRight:
      return Face{1, -1.0};
    case Handle::kTop:
      return Face{2, 1.0};
    case Handle::kBottom:
      return Face{2, -1.0};
    default:
      return std::nullopt;
  }
}

/// The two box axes a view shows (the third is the drag plane's normal).
std::pair<int, int> view_axes(ViewKind kind) {
  switch (kind) {
    case ViewKind::kSide:
      return {0, 2};
    case ViewKind::kFront:
      return {1, 2};
    default:
      return {0, 1};
  }
}

int normal_axis(ViewKind kind) {
  return kind == ViewKind::kSide ? 1 : kind == ViewKind::kFront ? 0 : 2;
}

/// `box` with size[axis] changed by `delta` [m] on the `sign` face, the opposite face kept.
geometry::Cuboid resized(geometry::Cuboid box, int axis, double sign, double delta) {
  const double size = std::max(CuboidEditTool::kMinSize, box.size[axis] + delta);
  box.center +=
      (sign * 0.5 * (size - box.size[axis])) * (box.rotation * Eigen::Vector3d::Unit(axis));
  box.size[axis] = size;
  return box;
}

/// `box` turned by `angle` [rad] about its own axis `axis` (0 x: roll, 1 y: pitch, 2 z: yaw).
geometry::Cuboid turned(geometry::Cuboid box, double angle, int axis = 2) {
  box.rotation =
      (box.rotation * Eigen::AngleAxisd(angle, Eigen::Vector3d::Unit(axis))).normalized();
  return box;
}

/// The box axis a turning handle turns about: 2 (yaw), 1 (pitch), 0 (roll); -1 for the others.
int turn_axis(Handle h) {
  return h == Handle::kRotate ? 2 : h == Handle::kPitch ? 1 : h == Handle::kRoll ? 0 : -1;
}

const char* drag_name(Handle h) {
  switch (h) {
    case Handle::kMove:
      return "Move box";
    case Handle::kRotate:
      return "Rotate box";
    case Handle::kPitch:
      return "Pitch box";
    case Handle::kRoll:
      return "Roll box";
    default:
      return "Resize box";
  }
}

}  // namespace

std::vector<CuboidEditTool::HandlePoint> CuboidEditTool::handles(const geometry::Cuboid& box,
                                                                 const ViewInfo& view) {
  const Eigen::Matrix3d R = box.rotation.toRotationMatrix();
  const Eigen::Vector3d half = 0.5 * box.size;
  const auto at = [&](int axis, double sign) -> Eigen::Vector3d {
    return box.center + (sign * half[axis]) * R.col(axis);
  };
  std::vector<HandlePoint> out;
  const auto [a, b] = view_axes(view.kind);
  const Handle positive[3] = {Handle::kFront, Handle::kLeft, Handle::kTop};
  const Handle negative[3] = {Handle::kBack, Handle::kRight, Handle::kBottom};
  for (int axis : {a, b}) {
    out.push_back(HandlePoint{positive[axis], at(axis, 1.0)});
    out.push_back(HandlePoint{negative[axis], at(axis, -1.0)});
  }
  if (view.kind == ViewKind::kTop || view.kind == ViewKind::kPerspective) {
    const double ahead = half.x() + pixels_to_meters(view, kRotateHandlePixels);
    out.push_back(HandlePoint{Handle::kRotate, box.center + ahead * R.col(0)});
  } else if (view.kind == ViewKind::kSide) {
    const double ahead = half.x() + pixels_to_meters(view, kRotateHandlePixels);
    out.push_back(HandlePoint{Handle::kPitch, box.center + ahead * R.col(0)});
  } else if (view.kind == ViewKind::kFront) {
    const double above = half.z() + pixels_to_meters(view, kRotateHandlePixels);
    out.push_back(HandlePoint{Handle::kRoll, box.center + above * R.col(2)});
  }
  return out;
}

Eigen::Vector3d CuboidEditTool::drag_plane_normal(const geometry::Cuboid& box, ViewKind kind) {
  return box.rotation * Eigen::Vector3d::Unit(normal_axis(kind));
}

geometry::Cuboid CuboidEditTool::dragged(const geometry::Cuboid& start, Handle handle,
                                         const Eigen::Vector3d& from, const Eigen::Vector3d& to) {
  if (handle == Handle::kMove) {
    geometry::Cuboid box = start;
    box.center += to - from;
    return box;
  }
  if (const int axis = turn_axis(handle); axis >= 0) {
    // The turn that takes the grab point's direction from the centre to the pointer's, about
    // the box axis `axis`, measured in the plane of the other two (i, j), right-handed.
    const int i = (axis + 1) % 3, j = (axis + 2) % 3;
    const Eigen::Vector3d u = start.rotation.conjugate() * (from - start.center);
    const Eigen::Vector3d v = start.rotation.conjugate() * (to - start.center);
    const Eigen::Vector2d u2(u[i], u[j]), v2(v[i], v[j]);
    if (u2.norm() < 1e-9 || v2.norm() < 1e-9) return start;
    return turned(start,
                  std::atan2(u2.x() * v2.y() - u2.y() * v2.x(), u2.x() * v2.x() + u2.y() * v2.y()),
                  axis);
  }
  const std::optional<Face> face = face_of(handle);
  if (!face) return start;
  const Eigen::Vector3d axis = start.rotation * Eigen::Vector3d::Unit(face->axis);
  return resized(start, face->axis, face->sign, face->sign * (to - from).dot(axis));
}

std::optional<CuboidEditTool::Selected> CuboidEditTool::selected(const Session& session) const {
  const std::optional<std::int64_t> track = session.selection().track;
  if (!track) return std::nullopt;
  Expected<geometry::Cuboid> box = session.box_in_world(*track, session.frame());
  if (!box) return std::nullopt;
  return Selected{*track, session.frame(), *box};
}

Handle CuboidEditTool::hit(const geometry::Cuboid& box, const Ray& ray, const ViewInfo& view,
                           Eigen::Vector3d& on_plane) const {
  const std::optional<Eigen::Vector3d> p =
      intersect_plane(ray, box.center, drag_plane_normal(box, view.kind));
  if (!p) return Handle::kNone;
  on_plane = *p;
  Handle best = Handle::kNone;
  double best_distance = pixels_to_meters(view, kHandlePixels);
  for (const HandlePoint& h : handles(box, view)) {
    const double d = distance_to_ray(ray, h.position);
    if (d <= best_distance) {
      best = h.handle;
      best_distance = d;
    }
  }
  if (best != Handle::kNone) return best;
  const Eigen::Vector3d p_box = box.rotation.conjugate() * (*p - box.center);
  const auto [a, b] = view_axes(view.kind);
  const bool inside =
      std::abs(p_box[a]) <= 0.5 * box.size[a] && std::abs(p_box[b]) <= 0.5 * box.size[b];
  return inside ? Handle::kMove : Handle::kNone;
}

void CuboidEditTool::show(const geometry::Cuboid& box, const ViewInfo& view, bool dragging) {
  preview_.boxes.clear();
  if (dragging) preview_.boxes.push_back(box);
  preview_.handles.clear();
  for (const HandlePoint& h : handles(box, view)) preview_.handles.push_back(h.position);
  preview_.hot_handle.reset();
}

void CuboidEditTool::deactivate(Session& /*session*/) {
  handle_ = Handle::kNone;
  preview_ = ToolPreview{};
}

int CuboidEditTool::on_pointer(Session& session, const PointerEvent& event) {
  view_ = event.view;
  if (handle_ != Handle::kNone) {
    if (event.type == PointerEvent::Type::kMove || event.type == PointerEvent::Type::kRelease) {
      // A ray parallel to the drag plane keeps the last position; a few pixels of jitter in a
      // click move nothing.
      const std::optional<Eigen::Vector3d> to =
          intersect_plane(event.ray, target_.box.center, plane_normal_);
      if (to && (moved_ || (*to - from_).norm() > pixels_to_meters(event.view, kDragPixels))) {
        moved_ = true;
        current_ = dragged(target_.box, handle_, from_, *to);
      }
      show(current_, event.view, true);
    }
    if (event.type != PointerEvent::Type::kRelease) return kConsumed | kRender;
    if (event.button != MouseButton::kLeft) return kConsumed;
    const Handle handle = handle_;
    handle_ = Handle::kNone;
    preview_.boxes.clear();
    const bool changed = current_.center != target_.box.center ||
                         current_.size != target_.box.size ||
                         current_.rotation.coeffs() != target_.box.rotation.coeffs();
    if (!changed) return kConsumed | kRender;
    return commit(session, target_, current_, drag_name(handle));
  }

  const std::optional<Selected> target = selected(session);
  if (!target) {
    preview_ = ToolPreview{};
    return kIgnored;
  }
  Eigen::Vector3d on_plane;
  const Handle under = hit(target->box, event.ray, event.view, on_plane);
  const ToolPreview before = preview_;
  show(target->box, event.view, false);
  if (event.type == PointerEvent::Type::kMove) {
    const std::vector<HandlePoint> points = handles(target->box, event.view);
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (points[i].handle == under) preview_.hot_handle = i;
    }
    // Redraw only when the handles or the one under the pointer changed.
    const bool same =
        before.hot_handle == preview_.hot_handle &&
        before.handles.size() == preview_.handles.size() &&
        std::equal(before.handles.begin(), before.handles.end(), preview_.handles.begin());
    return same ? kIgnored : kRender;
  }
  if (event.type != PointerEvent::Type::kPress || event.button != MouseButton::kLeft ||
      under == Handle::kNone) {
    return kIgnored;
  }
  if (under == Handle::kPitch || under == Handle::kRoll) {
    // Refused at the press, with the reason, rather than a drag that silently does nothing.
    const std::optional<std::string> locked = tilt_lock_reason(
        session.document(), target->track, under == Handle::kPitch ? "pitch" : "roll");
    if (locked) {
      preview_.status = *locked;
      return kConsumed | kRender;
    }
  }
  handle_ = under;
  moved_ = false;
  target_ = *target;
  current_ = target->box;
  from_ = on_plane;
  plane_normal_ = drag_plane_normal(target->box, event.view.kind);
  preview_.status = drag_name(under);
  return kConsumed | kRender;
}

int CuboidEditTool::commit(Session& session, const Selected& target,
                           const geometry::Cuboid& box_in_world, const std::string& name) {
  const formats::Track* track = session.document().track(target.track);
  const formats::BoxState* state = track != nullptr ? track->at(target.frame) : nullptr;
  if (state == nullptr) {
    preview_.status = "the box is gone";
    return kConsumed | kRender;
  }
  const geometry::Cuboid stored =
      box_for_storage(session, state->shape_frame, target.frame, box_in_world);
  Expected<Command> command =
      modify_box_checked(session.document(), target.track, target.frame, stored);
  if (command) command->name = name;
  const Status done = session.apply(std::move(command));
  preview_.status = done ? name : "cannot edit the box: " + done.error().describe();
  if (view_) show(box_in_world, *view_, false);
  return kConsumed | kRender;
}

int CuboidEditTool::on_key(Session& session, const KeyEvent& event) {
  if (!event.press) return kIgnored;
  if (event.key == "Escape") {
    if (handle_ == Handle::kNone) return kConsumed | kFinished;
    handle_ = Handle::kNone;
    preview_.boxes.clear();
    preview_.status = "cancelled";
    return kConsumed | kRender;
  }
  if (handle_ != Handle::kNone) return kIgnored;  // no nudges in the middle of a drag
  return nudge(session, event);
}

int CuboidEditTool::nudge(Session& session, const KeyEvent& event) {
  const std::optional<Selected> target = selected(session);
  if (!target) return kIgnored;
  const ViewInfo view = event.view ? *event.view
                        : view_    ? *view_
                                   : make_top_view(target->box.center, 0.02);
  const bool fine = (event.modifiers & kShift) != 0;
  const double step = kNudgeStep * (fine ? kFineFactor : 1.0);
  const double yaw_step = kNudgeYawDeg * (fine ? kFineFactor : 1.0) * geometry::kPi / 180.0;
  const Eigen::Vector3d normal = drag_plane_normal(target->box, view.kind);
  const auto in_plane = [&](const Eigen::Vector3d& d) -> Eigen::Vector3d {
    const Eigen::Vector3d p = d - d.dot(normal) * normal;
    return p.norm() < 1e-9 ? Eigen::Vector3d::Zero() : Eigen::Vector3d(p.normalized());
  };

  geometry::Cuboid box = target->box;
  const std::string& k = event.key;
  if (k == "Left" || k == "Right" || k == "Up" || k == "Down") {
    const Eigen::Vector3d axis = k == "Left" || k == "Right" ? screen_right(view) : screen_up(view);
    const double sign = k == "Right" || k == "Up" ? 1.0 : -1.0;
    const Eigen::Vector3d direction = in_plane(axis);
    if (direction.isZero()) return kIgnored;
    box.center += (sign * step) * direction;
  } else if (k == "PageUp" || k == "PageDown") {
    const double sign =
        (towards_viewer(view).dot(normal) >= 0.0 ? 1.0 : -1.0) * (k == "PageUp" ? 1.0 : -1.0);
    box.center += (sign * step) * normal;
  } else if (k == "q" || k == "e") {
    box = turned(box, k == "q" ? yaw_step : -yaw_step);
  } else if (k == "w" || k == "s" || k == "d" || k == "a") {
    const int axis = k == "w" || k == "s" ? 0 : 1;
    box.size[axis] = std::max(kMinSize, box.size[axis] + (k == "w" || k == "d" ? step : -step));
  } else if (k == "r" || k == "f") {
    box = resized(box, 2, 1.0, k == "r" ? step : -step);
  } else if (k == "plus" || k == "minus") {
    const double delta = k == "plus" ? step : -step;
    for (int axis : {0, 1}) box.size[axis] = std::max(kMinSize, box.size[axis] + delta);
    box = resized(box, 2, 1.0, delta);
  } else {
    return kIgnored;
  }
  return commit(session, *target, box, "Nudge box");
}

}  // namespace pcanno::plugin
