#include "pcanno/plugin/tools/tool_support.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include "pcanno/plugin/session.hpp"
#include "pcanno/plugin/tools/tool_geometry.hpp"

namespace pcanno::plugin {

std::optional<geometry::Pose> T_world_shape(const Session& session, formats::ShapeFrame shape_frame,
                                            std::int64_t frame) {
  if (shape_frame == formats::ShapeFrame::kWorld) return std::nullopt;
  return session.T_world_lidar(frame);  // nullopt without a pose: the LiDAR frame is the world
}

geometry::Cuboid box_for_storage(const Session& session, formats::ShapeFrame shape_frame,
                                 std::int64_t frame, const geometry::Cuboid& box_in_world) {
  const std::optional<geometry::Pose> T_world_stored = T_world_shape(session, shape_frame, frame);
  if (!T_world_stored) return box_in_world;
  return geometry::transform(geometry::invert(*T_world_stored), box_in_world);
}

Eigen::Vector3d point_for_storage(const Session& session, formats::ShapeFrame shape_frame,
                                  std::int64_t frame, const Eigen::Vector3d& point_in_world) {
  const std::optional<geometry::Pose> T_world_stored = T_world_shape(session, shape_frame, frame);
  if (!T_world_stored) return point_in_world;
  return geometry::invert(*T_world_stored) * point_in_world;
}

const formats::PolylineState* polyline_state(const formats::Annotations& doc, std::int64_t id,
                                             std::int64_t frame) {
  const formats::PolylineTrack* p = doc.polyline(id);
  return p != nullptr ? p->at(frame) : nullptr;
}

std::optional<geometry::Polyline> polyline_in_world(const Session& session, std::int64_t id,
                                                    std::int64_t frame) {
  const formats::PolylineState* s = polyline_state(session.document(), id, frame);
  if (s == nullptr) return std::nullopt;
  const std::optional<geometry::Pose> T_world_stored =
      T_world_shape(session, s->shape_frame, frame);
  if (!T_world_stored) return s->line;
  return geometry::transform(*T_world_stored, s->line);
}

Eigen::Vector3d default_box_size(const formats::Annotations& doc, const std::string& label) {
  // The document's class, else the default schema's prior, so a first click on a new class gives
  // a box close to the object rather than a car-sized one.
  return doc.class_or_default(label.empty() ? doc.default_class() : label).default_size;
}

void FramePoints::set_points(std::shared_ptr<const std::vector<Eigen::Vector3d>> points_in_world) {
  injected_ = std::move(points_in_world);
}

void FramePoints::set_points(std::vector<Eigen::Vector3d> points_in_world) {
  injected_ = std::make_shared<const std::vector<Eigen::Vector3d>>(std::move(points_in_world));
}

void FramePoints::clear_points() { injected_.reset(); }

const geometry::GroundModel* FramePoints::ground(const std::vector<Eigen::Vector3d>& points,
                                                 std::int64_t frame) {
  // The cache's buffer is reused from frame to frame: the frame is part of the key.
  if (points.data() == ground_of_ && points.size() == ground_size_ && frame == ground_frame_) {
    return ground_ ? &*ground_ : nullptr;
  }
  ground_of_ = points.data();
  ground_size_ = points.size();
  ground_frame_ = frame;
  ground_origin_ = points.empty() ? Eigen::Vector3d::Zero() : points.front();
  std::vector<float> x, y, z;
  x.reserve(points.size());
  y.reserve(points.size());
  z.reserve(points.size());
  for (const Eigen::Vector3d& p : points) {
    const Eigen::Vector3d local = p - ground_origin_;
    x.push_back(static_cast<float>(local.x()));
    y.push_back(static_cast<float>(local.y()));
    z.push_back(static_cast<float>(local.z()));
  }
  ground_ = geometry::GroundModel::fit(
      geometry::PointView::soa(x.data(), y.data(), z.data(), points.size()));
  return ground_ ? &*ground_ : nullptr;
}

std::optional<Eigen::Vector3d> FramePoints::ground_hit(const Session& session, const Ray& ray) {
  const geometry::GroundModel* model = ground(points(session), session.frame());
  if (model == nullptr) return intersect_ground(ray);
  // The ray meets the global plane first; a few fixed-point steps then settle it on the local
  // patch's plane (patches differ by centimetres, so this converges at once).
  const Ray local{ray.origin - ground_origin_, ray.direction};
  std::optional<Eigen::Vector3d> hit = intersect_ground(local, model->global().height_at(0.0, 0.0));
  for (int i = 0; hit && i < 3; ++i) {
    hit = intersect_ground(local, model->height_at(hit->x(), hit->y()));
  }
  if (!hit) return std::nullopt;
  return Eigen::Vector3d(*hit + ground_origin_);
}

std::optional<Placement> FramePoints::place(const Session& session, const Ray& ray,
                                            const ViewInfo& view, bool snap, double snap_pixels,
                                            double slab_depth) {
  const bool slab_view = view.kind == ViewKind::kSide || view.kind == ViewKind::kFront;
  if (snap) {
    const auto in_slab = [&](const Eigen::Vector3d& p) {
      return std::abs((p - view.focus).dot(ray.direction)) <= slab_depth;
    };
    const Eigen::Vector3d* best =
        nearest_to_ray(points(session), ray, pixels_to_meters(view, snap_pixels),
                       slab_view ? std::function<bool(const Eigen::Vector3d&)>(in_slab) : nullptr);
    if (best != nullptr) return Placement{*best, true};
  }
  if (!slab_view) {
    if (std::optional<Eigen::Vector3d> ground = ground_hit(session, ray)) {
      return Placement{*ground, false};
    }
  }
  const std::optional<Eigen::Vector3d> on_plane =
      intersect_plane(ray, view.focus, towards_viewer(view));
  if (!on_plane) return std::nullopt;
  return Placement{*on_plane, false};
}

const std::vector<Eigen::Vector3d>& FramePoints::points(const Session& session) {
  if (injected_) return *injected_;
  const formats::Sequence* sequence = session.sequence();
  const std::int64_t frame = session.frame();
  if (sequence == cached_sequence_ && frame == cached_frame_) return cache_;
  cached_sequence_ = sequence;
  cached_frame_ = frame;
  cache_.clear();
  if (sequence == nullptr || frame < 0 || static_cast<std::size_t>(frame) >= sequence->size()) {
    return cache_;
  }
  // A frame that cannot be read leaves the tools without points (ground plane instead); the
  // views report the read error themselves.
  formats::Expected<formats::CloudFile> file =
      sequence->load_frame(static_cast<std::size_t>(frame));
  if (!file) return cache_;
  const formats::PointCloud& cloud = file->cloud;
  const std::optional<geometry::Pose> T_world_lidar = session.T_world_lidar(frame);
  cache_.reserve(cloud.size());
  for (std::size_t i = 0; i < cloud.size(); ++i) {
    // In double with the cloud's origin: a UTM cloud keeps its millimetres.
    const Eigen::Vector3d p_lidar = cloud.point(i);
    if (!p_lidar.allFinite()) continue;
    cache_.push_back(T_world_lidar ? Eigen::Vector3d(*T_world_lidar * p_lidar) : p_lidar);
  }
  return cache_;
}

std::optional<double> ground_z_under(const std::vector<Eigen::Vector3d>& points,
                                     const geometry::Cuboid& box, double q,
                                     std::size_t min_points) {
  const Eigen::Matrix3d R_box_world = box.rotation.toRotationMatrix().transpose();
  const Eigen::Vector2d half = 0.5 * box.size.head<2>();
  std::vector<double> z;
  for (const Eigen::Vector3d& p : points) {
    const Eigen::Vector3d p_box = R_box_world * (p - box.center);
    if (std::abs(p_box.x()) <= half.x() && std::abs(p_box.y()) <= half.y()) z.push_back(p.z());
  }
  if (z.size() < std::max<std::size_t>(min_points, 1)) return std::nullopt;
  const auto k = static_cast<std::size_t>(std::floor(std::clamp(q, 0.0, 1.0) * (z.size() - 1)));
  std::nth_element(z.begin(), z.begin() + static_cast<std::ptrdiff_t>(k), z.end());
  return z[k];
}

}  // namespace pcanno::plugin
