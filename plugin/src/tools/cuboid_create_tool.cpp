#include "pcanno/plugin/tools/cuboid_create_tool.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <variant>

#include "pcanno/geometry/box_fit.hpp"
#include "pcanno/plugin/automation/class_fit.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/plugin/tools/tool_geometry.hpp"

namespace pcanno::plugin {
namespace {

bool creates_in(ViewKind kind) { return kind == ViewKind::kTop || kind == ViewKind::kPerspective; }

/// The box of `track` nearest to `frame` (the track has boxes).
const formats::BoxState& nearest_box(const formats::Track& track, std::int64_t frame) {
  return *std::min_element(track.boxes.begin(), track.boxes.end(),
                           [frame](const formats::BoxState& a, const formats::BoxState& b) {
                             return std::llabs(a.frame - frame) < std::llabs(b.frame - frame);
                           });
}

std::string size_text(const std::string& label, const geometry::Cuboid& box) {
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, " %.2f x %.2f x %.2f m", box.size.x(), box.size.y(),
                box.size.z());
  return label + buffer;
}

}  // namespace

void CuboidCreateTool::set_label(const std::string& label) {
  if (!label.empty()) label_ = label;
}

std::string CuboidCreateTool::label_for(const formats::Annotations& doc) const {
  return label_.empty() ? doc.default_class() : label_;
}

Eigen::Vector3d CuboidCreateTool::size_prior(const Session& session) const {
  const formats::Annotations& doc = session.document();
  const std::optional<std::int64_t> selected = session.selection().track;
  const formats::Track* track = extend_ && selected ? doc.track(*selected) : nullptr;
  if (track == nullptr || track->boxes.empty()) return default_box_size(doc, label_);
  // Extending: the object's own size, from its box nearest this frame, not the palette's class.
  return nearest_box(*track, session.frame()).box.size;
}

void CuboidCreateTool::deactivate(Session& /*session*/) { cancel(); }

void CuboidCreateTool::cancel() {
  dragging_ = false;
  preview_ = ToolPreview{};
}

geometry::Cuboid CuboidCreateTool::box_for_drag(const Session& session,
                                                const Eigen::Vector3d& start,
                                                const Eigen::Vector3d& end, const ViewInfo& view) {
  const Eigen::Vector3d default_size = size_prior(session);
  const double yaw = screen_yaw(view);
  const Eigen::Vector2d along_x(std::cos(yaw), std::sin(yaw));  // screen x on the ground
  const Eigen::Vector2d along_y(-along_x.y(), along_x.x());     // screen y on the ground
  const Eigen::Vector2d drag = (end - start).head<2>();

  Eigen::Vector3d size = default_size;
  Eigen::Vector3d center(start.x(), start.y(), 0.0);
  if (drag.norm() >= pixels_to_meters(view, kClickPixels)) {
    size.x() = std::max(std::abs(drag.dot(along_x)), kMinSide);
    size.y() = std::max(std::abs(drag.dot(along_y)), kMinSide);
    center.head<2>() = 0.5 * (start + end).head<2>();
  }
  geometry::Cuboid box = geometry::Cuboid::from_yaw(center, size, yaw);
  const std::optional<double> ground =
      ground_z_under(points_.points(session), box, kGroundQuantile);
  box.center.z() = ground.value_or(0.0) + 0.5 * size.z();
  return box;
}

int CuboidCreateTool::on_pointer(Session& session, const PointerEvent& event) {
  const auto update_preview = [&] {
    const geometry::Cuboid box = box_for_drag(session, start_, end_, view_);
    preview_.boxes = {box};
    preview_.status = size_text(label_for(session.document()), box);
  };
  switch (event.type) {
    case PointerEvent::Type::kPress: {
      if (event.button != MouseButton::kLeft || !creates_in(event.view.kind)) return kIgnored;
      const std::optional<Eigen::Vector3d> p = intersect_ground(event.ray);
      if (!p) return kIgnored;
      dragging_ = true;
      start_ = end_ = *p;
      view_ = event.view;
      update_preview();
      return kConsumed | kRender;
    }
    case PointerEvent::Type::kMove: {
      if (!dragging_) return kIgnored;
      // A ray above the horizon keeps the last corner.
      if (const std::optional<Eigen::Vector3d> p = intersect_ground(event.ray)) end_ = *p;
      update_preview();
      return kConsumed | kRender;
    }
    case PointerEvent::Type::kRelease: {
      if (!dragging_ || event.button != MouseButton::kLeft) return kIgnored;
      if (const std::optional<Eigen::Vector3d> p = intersect_ground(event.ray)) end_ = *p;
      const bool click = (end_ - start_).head<2>().norm() < pixels_to_meters(view_, kClickPixels);
      const std::optional<geometry::Cuboid> fitted = click ? fit_at(session, start_) : std::nullopt;
      const geometry::Cuboid box = box_for_drag(session, start_, end_, view_);
      cancel();
      return fitted ? create(session, *fitted, formats::Provenance::kFitted) : create(session, box);
    }
    case PointerEvent::Type::kDoubleClick:
      return dragging_ ? kConsumed : kIgnored;
  }
  return kIgnored;
}

std::optional<geometry::Cuboid> CuboidCreateTool::fit_at(const Session& session,
                                                         const Eigen::Vector3d& click) {
  const std::vector<Eigen::Vector3d>& points = points_.points(session);
  if (points.size() < 10) return std::nullopt;
  // The fit runs on floats, so it works around the click ("local" frame, subtracted in double): at
  // world coordinates such as a UTM northing of 5.8e6 a float has 0.5 m steps, near the click it
  // keeps sub-millimetre ones.
  const Eigen::Vector3d t_world_local = click;
  std::vector<float> x(points.size()), y(points.size()), z(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Eigen::Vector3d p_local = points[i] - t_world_local;
    x[i] = static_cast<float>(p_local.x());
    y[i] = static_cast<float>(p_local.y());
    z[i] = static_cast<float>(p_local.z());
  }
  const geometry::PointView view = geometry::PointView::soa(x.data(), y.data(), z.data(), x.size());
  const std::optional<geometry::GroundModel> ground = geometry::GroundModel::fit(view);
  if (!ground) return std::nullopt;
  // The class's prior and kind; extending a track, the track's class, the object's own size and
  // its heading in the box nearest this frame (the local frame only moves the world's origin).
  const formats::Annotations& doc = session.document();
  const std::optional<std::int64_t> selected = session.selection().track;
  const formats::Track* track = extend_ && selected ? doc.track(*selected) : nullptr;
  geometry::FitOptions options =
      class_fit_options(doc.class_or_default(track != nullptr ? track->label : label_for(doc)));
  options.size_prior = size_prior(session);
  if (track != nullptr && !track->boxes.empty()) {
    const Expected<geometry::Cuboid> known =
        session.box_in_world(track->id, nearest_box(*track, session.frame()).frame);
    if (known) options.heading_hint = known->yaw();
  }
  options.sensor_origin = -t_world_local;  // without a pose the sensor sits at the world origin
  // Without motion or a previous box, the likeliest heading is the recording car's own.
  if (const std::optional<geometry::Pose> T_world_lidar = session.T_world_lidar(session.frame())) {
    options.sensor_origin = T_world_lidar->translation() - t_world_local;
    const Eigen::Vector3d forward = T_world_lidar->linear().col(0);
    options.preferred_heading = std::atan2(forward.y(), forward.x());
  }
  const Eigen::Vector3d seed(0.0, 0.0, ground->height_at(0.0, 0.0));
  const std::optional<geometry::FitResult> fit = geometry::fit_box(view, *ground, seed, options);
  if (!fit || fit->point_ids.size() < 5) return std::nullopt;
  geometry::Cuboid box_in_world = fit->box;
  box_in_world.center += t_world_local;
  return box_in_world;
}

int CuboidCreateTool::create(Session& session, const geometry::Cuboid& box_in_world,
                             formats::Provenance provenance) {
  const formats::Annotations& doc = session.document();
  const std::int64_t frame = session.frame();
  if (const std::optional<std::int64_t> selected = session.selection().track;
      extend_ && selected && doc.track(*selected) != nullptr) {
    return extend_track(session, *selected, box_in_world, provenance);
  }
  NewBox request;
  request.label = label_for(doc);
  request.frame = frame;
  request.provenance = provenance;
  request.shape_frame = session.shape_frame_for(frame);
  request.box = box_for_storage(session, request.shape_frame, frame, box_in_world);
  Expected<Command> command = create_track(doc, request);
  if (command) {
    // A class new to the document gets the size its first box defaulted to, so the next click
    // gives the same box.
    for (formats::DocumentEdit& edit : command->edits) {
      auto* class_edit = std::get_if<formats::ClassEdit>(&edit);
      if (class_edit != nullptr && class_edit->spec) {
        class_edit->spec->default_size = default_box_size(doc, label_);
      }
    }
  }
  const std::int64_t id = next_track_id(doc);
  const Status done = session.apply(std::move(command));
  if (!done) {
    preview_.status = "cannot create the box: " + done.error().describe();
    return kConsumed | kRender;
  }
  session.set_selection(Selection{id, std::nullopt, std::nullopt});
  preview_.status =
      "created track " + std::to_string(id) + ":" + size_text(label_for(doc), box_in_world);
  return kConsumed | kRender;
}

int CuboidCreateTool::extend_track(Session& session, std::int64_t track,
                                   const geometry::Cuboid& box_in_world,
                                   formats::Provenance provenance) {
  const formats::Annotations& doc = session.document();
  const std::int64_t frame = session.frame();
  if (doc.track(track)->at(frame) != nullptr) {
    preview_.status = "cannot extend track " + std::to_string(track) + ": it has a box at frame " +
                      std::to_string(frame) + " already";
    return kConsumed | kRender;
  }
  formats::BoxState state;
  state.frame = frame;
  state.provenance = provenance;
  state.shape_frame = session.shape_frame_for(frame);
  state.box = box_for_storage(session, state.shape_frame, frame, box_in_world);
  Expected<Command> command = put_box(doc, track, std::move(state));
  if (command) command->name = "Extend track";
  const std::string label = doc.track(track)->label;
  const Status done = session.apply(std::move(command));
  if (!done) {
    preview_.status = "cannot extend the track: " + done.error().describe();
    return kConsumed | kRender;
  }
  preview_.status =
      "extended track " + std::to_string(track) + ":" + size_text(label, box_in_world);
  // The selection stays, so the manager would not see a new track: back home after one box, as
  // after a create.
  return kConsumed | kRender | kFinished;
}

int CuboidCreateTool::on_key(Session& session, const KeyEvent& event) {
  if (!event.press) return kIgnored;
  if (event.key == "Escape") {
    if (!dragging_) return kConsumed | kFinished;
    cancel();
    return kConsumed | kRender;
  }
  if (event.key.size() == 1 && event.key[0] >= '1' && event.key[0] <= '9') {
    const auto index = static_cast<std::size_t>(event.key[0] - '1');
    const std::vector<formats::ClassSpec>& classes = session.document().classes;
    if (index >= classes.size()) return kIgnored;
    set_label(classes[index].name);
    preview_.status = "class " + label_;
    if (dragging_) preview_.boxes = {box_for_drag(session, start_, end_, view_)};
    return kConsumed | kRender;
  }
  return kIgnored;
}

}  // namespace pcanno::plugin
