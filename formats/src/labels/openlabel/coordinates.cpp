// OpenLABEL reading: coordinate systems and the transforms between them.
#include <cmath>
#include <deque>
#include <limits>
#include <utility>

#include "labels/openlabel/json.hpp"
#include "support/text_scan.hpp"

namespace pcanno::formats::detail::openlabel {

namespace {

/// A rotation matrix may be rounded in print; beyond this it is not a rotation at all.
constexpr double kRigidTolerance = 1e-6;

bool read_translation(Checker& check, const Json& v, const Pointer& p, Eigen::Vector3d& out) {
  return check.required(v, p, "translation",
                        [&](const Json& m, const Pointer& q) { return check.vector3(m, q, out); });
}

bool read_matrix(Checker& check, const Json& v, const Pointer& p, geometry::Pose& out) {
  double m[16];
  if (!check.numbers(v, p, 16, m)) return false;
  Eigen::Matrix4d matrix;
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c) matrix(r, c) = m[4 * r + c];  // row-major in the file
  }
  const Eigen::Matrix3d R = matrix.topLeftCorner<3, 3>();
  const Eigen::RowVector4d bottom = matrix.row(3);
  const double orthogonality =
      (R.transpose() * R - Eigen::Matrix3d::Identity()).cwiseAbs().maxCoeff();
  if ((bottom - Eigen::RowVector4d(0, 0, 0, 1)).cwiseAbs().maxCoeff() > kRigidTolerance ||
      !(orthogonality <= kRigidTolerance) || R.determinant() < 0.0) {
    return check.fail(p,
                      "expected a rigid transform (a rotation, a translation, last row 0 0 0 1) "
                      "as a row-major 4x4 matrix");
  }
  out = geometry::Pose::Identity();
  out.linear() = R;
  out.translation() = matrix.topRightCorner<3, 1>();
  return true;
}

}  // namespace

Eigen::Quaterniond euler_rotation(std::string_view sequence, const double* angles) {
  Eigen::Quaterniond q = Eigen::Quaterniond::Identity();
  for (std::size_t i = 0; i < 3; ++i) {
    const char axis = sequence[i];
    const Eigen::Vector3d unit = axis == 'X'   ? Eigen::Vector3d::UnitX()
                                 : axis == 'Y' ? Eigen::Vector3d::UnitY()
                                               : Eigen::Vector3d::UnitZ();
    q = q * Eigen::Quaterniond(Eigen::AngleAxisd(angles[i], unit));
  }
  return q;
}

bool read_transform_data(Checker& check, const Json& v, const Pointer& p, geometry::Pose& out) {
  if (!check.object(v, p)) return false;
  if (const auto it = v.find("matrix4x4"); it != v.end()) {
    return read_matrix(check, *it, p.member("matrix4x4"), out);
  }
  Eigen::Vector3d translation;
  if (const auto it = v.find("quaternion"); it != v.end()) {
    double xyzw[4];
    const Pointer q = p.member("quaternion");
    if (!check.numbers(*it, q, 4, xyzw)) return false;
    const Eigen::Quaterniond rotation(xyzw[3], xyzw[0], xyzw[1], xyzw[2]);
    if (!(rotation.norm() > 0.0)) return check.fail(q, "expected a rotation, found all zeros");
    if (!read_translation(check, v, p, translation)) return false;
    out = geometry::make_pose(rotation, translation);
    return true;
  }
  if (const auto it = v.find("euler_angles"); it != v.end()) {
    double angles[3];
    if (!check.numbers(*it, p.member("euler_angles"), 3, angles)) return false;
    std::string sequence = "ZYX";  // the standard's default
    if (const auto s = v.find("sequence"); s != v.end()) {
      if (!check.text(*s, p.member("sequence"), sequence)) return false;
      for (char& c : sequence) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
      if (sequence.size() != 3 || sequence.find_first_not_of("XYZ") != std::string::npos) {
        return check.expected(p.member("sequence"), "three axes of X, Y, Z such as \"ZYX\"", *s);
      }
    }
    if (!read_translation(check, v, p, translation)) return false;
    out = geometry::make_pose(euler_rotation(sequence, angles), translation);
    return true;
  }
  return check.fail(p,
                    "expected a transform: matrix4x4, quaternion and translation, or "
                    "euler_angles and translation");
}

bool CoordinateSystems::read(Checker& check, const Json& openlabel, const Pointer& p) {
  std::map<std::string, std::string> parents;
  const auto systems = openlabel.find("coordinate_systems");
  const Pointer q = p.member("coordinate_systems");
  if (systems != openlabel.end()) {
    if (!check.object(*systems, q)) return false;
    for (auto it = systems->begin(); it != systems->end(); ++it) {
      const Pointer c = q.member(it.key());
      const Json& cs = it.value();
      std::string type, parent;
      if (!check.object(cs, c)) return false;
      if (const auto t = cs.find("type");
          t != cs.end() && !check.text(*t, c.member("type"), type)) {
        return false;
      }
      if (const auto t = cs.find("parent");
          t != cs.end() && !check.text(*t, c.member("parent"), parent)) {
        return false;
      }
      declared_.emplace(it.key(), type);
      parents.emplace(it.key(), parent);
    }
    for (auto it = systems->begin(); it != systems->end(); ++it) {
      const Pointer c = q.member(it.key());
      const std::string& parent = parents[it.key()];
      if (!parent.empty() && !is_declared(parent)) {
        return check.fail(c.member("parent"),
                          "unknown coordinate system '" + parent + "' (declared: " + names() + ")");
      }
      const auto pose = it.value().find("pose_wrt_parent");
      if (pose == it.value().end()) continue;
      geometry::Pose T_parent_child;
      if (!read_transform_data(check, *pose, c.member("pose_wrt_parent"), T_parent_child)) {
        return false;
      }
      if (!parent.empty()) static_.push_back(Edge{it.key(), parent, T_parent_child});
    }
  }

  // The LiDAR: "lidar", else a coordinate system named after a stream of type lidar, else the
  // first whose name says so ("velodyne", "LIDAR_TOP", "velo_top").
  std::vector<std::string> lidar_streams;
  if (const auto streams = openlabel.find("streams");
      streams != openlabel.end() && streams->is_object()) {
    for (auto it = streams->begin(); it != streams->end(); ++it) {
      const auto type = it.value().is_object() ? it.value().find("type") : it.value().end();
      if (type != it.value().end() && *type == "lidar") lidar_streams.push_back(it.key());
    }
  }
  if (is_declared(kOpenlabelLidarFrame)) lidar_ = kOpenlabelLidarFrame;
  for (const std::string& s : lidar_streams) {
    if (lidar_.empty() && is_declared(s)) lidar_ = s;
  }
  for (const auto& [name, type] : declared_) {
    const std::string lower = lower_ascii(name);
    if (lidar_.empty() &&
        (lower.find("lidar") != std::string::npos || lower.find("velo") != std::string::npos)) {
      lidar_ = name;
    }
  }
  // The world: "world", "odom" or "map", else the first root of a static kind.
  for (const char* candidate : {"world", "odom", "map"}) {
    for (const auto& [name, type] : declared_) {
      if (world_.empty() && name != lidar_ && lower_ascii(name) == candidate) world_ = name;
    }
  }
  for (const auto& [name, type] : declared_) {
    const bool static_kind = type == "scene_cs" || type == "geo_utm" || type == "geo_wgs84";
    if (world_.empty() && name != lidar_ && parents[name].empty() && static_kind) world_ = name;
  }
  return true;
}

std::string CoordinateSystems::names() const {
  std::string out;
  for (const auto& entry : declared_) out += (out.empty() ? "" : ", ") + entry.first;
  return out.empty() ? "none" : out;
}

bool CoordinateSystems::frame_transforms(Checker& check, const Json& v, const Pointer& p,
                                         std::vector<Edge>& out) const {
  if (!check.object(v, p)) return false;
  for (auto it = v.begin(); it != v.end(); ++it) {
    const Pointer t = p.member(it.key());
    const Json& transform = it.value();
    if (!check.object(transform, t)) return false;
    Edge edge;
    for (const auto& [key, field] : {std::pair("src", &edge.a), std::pair("dst", &edge.b)}) {
      std::string& name = *field;
      if (!check.required(transform, t, key, [&](const Json& m, const Pointer& q) {
            return check.text(m, q, name) &&
                   (is_declared(name) || check.fail(q, "unknown coordinate system '" + name +
                                                           "' (declared: " + names() + ")"));
          })) {
        return false;
      }
    }
    if (!check.required(transform, t, "transform_src_to_dst", [&](const Json& m, const Pointer& q) {
          return read_transform_data(check, m, q, edge.T_b_a);
        })) {
      return false;
    }
    out.push_back(std::move(edge));
  }
  return true;
}

std::optional<Placement> CoordinateSystems::place(const std::string& cs,
                                                  const std::vector<Edge>& frame) const {
  if (!lidar_.empty() && cs == lidar_) return Placement{ShapeFrame::kLidar, std::nullopt};
  if (!world_.empty() && cs == world_) return Placement{ShapeFrame::kWorld, std::nullopt};
  // A frame's transform replaces the static pose of the same pair, in either direction.
  std::vector<const Edge*> edges;
  for (const Edge& e : frame) edges.push_back(&e);
  for (const Edge& s : static_) {
    bool overridden = false;
    for (const Edge& f : frame) {
      overridden = overridden || (f.a == s.a && f.b == s.b) || (f.a == s.b && f.b == s.a);
    }
    if (!overridden) edges.push_back(&s);
  }
  for (const auto& [target, frame_kind] :
       {std::pair(&lidar_, ShapeFrame::kLidar), std::pair(&world_, ShapeFrame::kWorld)}) {
    if (target->empty()) continue;
    // Breadth first from `cs`, keeping T_<node>_<cs> for every node reached.
    std::map<std::string, geometry::Pose, std::less<>> reached{{cs, geometry::Pose::Identity()}};
    std::deque<std::string> queue{cs};
    while (!queue.empty()) {
      const std::string node = queue.front();
      queue.pop_front();
      const geometry::Pose T_node_cs = reached.at(node);
      for (const Edge* e : edges) {
        if (e->a == node && !reached.count(e->b)) {
          reached.emplace(e->b, e->T_b_a * T_node_cs);
          queue.push_back(e->b);
        } else if (e->b == node && !reached.count(e->a)) {
          reached.emplace(e->a, geometry::invert(e->T_b_a) * T_node_cs);
          queue.push_back(e->a);
        }
      }
    }
    if (const auto it = reached.find(*target); it != reached.end()) {
      return Placement{frame_kind, it->second};
    }
  }
  return std::nullopt;
}

}  // namespace pcanno::formats::detail::openlabel
