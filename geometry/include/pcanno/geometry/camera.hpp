#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include <Eigen/Core>

#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/geometry/point_view.hpp"
#include "pcanno/geometry/pose.hpp"

namespace pcanno::geometry {

/// A pinhole camera whose images are already undistorted (nuScenes) or rectified (KITTI).
/// Pixels are `P * [x; y; z; 1]` of a point in the camera's frame, divided by the third
/// component, which is the point's depth along this camera's optical axis [m].
///
/// - nuScenes and Lyft: the camera frame is the camera's own (x right, y down, z forward) and
///   P = [K | 0] with K the calibrated_sensor's camera_intrinsic.
/// - KITTI: the camera frame is the unrectified camera 0 that Tr_velo_to_cam maps to, and
///   P = P_rect_0i * R_rect_00, which carries the rectification and the stereo baseline, so that a
///   LiDAR point maps exactly as the KITTI devkits do (P_rect_0i * R_rect_00 * Tr_velo_to_cam).
///   The third row of P_rect_0i is [0 0 1 t], so the depth is still metric.
struct PinholeCamera {
  Eigen::Matrix<double, 3, 4> P =
      Eigen::Matrix<double, 3, 4>::Identity();  ///< camera frame -> homogeneous pixels [px]
  int width = 0;      ///< [px]; 0 while unknown (a Lyft row without size, before decoding)
  int height = 0;     ///< [px]
  double near = 0.1;  ///< [m] nearer than this depth, geometry is clipped away

  /// Camera with intrinsic matrix `K` [px] and P = [K | 0].
  static PinholeCamera from_intrinsics(const Eigen::Matrix3d& K, int width, int height);
};

/// A 2D line segment in pixels [px], (u right, v down) with (0, 0) the top-left pixel's centre.
struct PixelSegment {
  Eigen::Vector2d a = Eigen::Vector2d::Zero();
  Eigen::Vector2d b = Eigen::Vector2d::Zero();
};

/// Axis-aligned pixel rectangle [px]; empty when left > right.
struct PixelBox {
  double left = 0.0;
  double top = 0.0;
  double right = -1.0;
  double bottom = -1.0;

  bool empty() const { return !(left <= right && top <= bottom); }
  /// The part inside [0, width - 1] x [0, height - 1] (KITTI's convention for 2D boxes): each
  /// side clamped to that range; empty when the box is, or when width or height is not positive.
  PixelBox clipped(int width, int height) const;
  double area() const { return empty() ? 0.0 : (right - left) * (bottom - top); }
};

/// Depth of a camera-frame point along the camera's optical axis [m].
double depth_of(const PinholeCamera& camera, const Eigen::Vector3d& p_cam);

/// Pixel of a camera-frame point; nullopt when its depth is below camera.near.
std::optional<Eigen::Vector2d> project(const PinholeCamera& camera, const Eigen::Vector3d& p_cam);

/// The part of segment a-b (camera frame) at depth >= camera.near, projected; nullopt when all of
/// it is nearer. Cutting in 3D before dividing keeps a segment that passes beside the camera from
/// flipping through infinity.
std::optional<PixelSegment> project_segment(const PinholeCamera& camera, const Eigen::Vector3d& a,
                                            const Eigen::Vector3d& b);

/// The 12 edges of a cuboid, in corner pairs of geometry::Cuboid: bottom face (0-3), top face
/// (4-7), then the four vertical edges (8-11).
inline constexpr std::array<std::array<int, 2>, 12> kCuboidEdges = {{{0, 1},
                                                                     {1, 2},
                                                                     {2, 3},
                                                                     {3, 0},
                                                                     {4, 5},
                                                                     {5, 6},
                                                                     {6, 7},
                                                                     {7, 4},
                                                                     {0, 4},
                                                                     {1, 5},
                                                                     {2, 6},
                                                                     {3, 7}}};
/// Edge indices (into kCuboidEdges) of the front face (box +x), drawn as the heading face.
inline constexpr std::array<int, 4> kCuboidFrontEdges = {3, 7, 8, 11};

/// A cuboid seen by a camera.
struct ProjectedCuboid {
  /// Edge i of kCuboidEdges, clipped at the near plane; nullopt where nothing of it is in front.
  std::array<std::optional<PixelSegment>, 12> edges;
  /// Bounds of the visible part (corners in front plus near-plane crossings), unclipped to the
  /// image; empty when nothing is in front.
  PixelBox bounds;
  bool centre_in_front = false;  ///< the box centre's depth is at least camera.near

  bool projects() const { return !bounds.empty(); }
};

/// Projects a cuboid given in some frame F (`T_cam_f` maps F into the camera frame).
ProjectedCuboid project_cuboid(const PinholeCamera& camera, const Pose& T_cam_f,
                               const Cuboid& box_in_f);

/// The segments of a polyline (vertices in frame F), each clipped at the near plane; a closed
/// polyline adds the segment from its last vertex to its first. Segments wholly behind the camera
/// are left out.
std::vector<PixelSegment> project_polyline(const PinholeCamera& camera, const Pose& T_cam_f,
                                           const std::vector<Eigen::Vector3d>& vertices_in_f,
                                           bool closed);

/// Points projected in bulk (for overlays and colouring).
struct ProjectedPoints {
  std::vector<float> u, v;           ///< [px] pixel positions of the kept points
  std::vector<float> depth;          ///< [m] along the optical axis
  std::vector<std::uint32_t> index;  ///< each kept point's index in the input view
};

/// Projects points of frame F, keeping those at depth >= camera.near whose pixel falls inside the
/// image (-0.5 <= u < width - 0.5, the same for v; with an unknown size, every point in front),
/// in input order. Single
/// precision after the combined 3x4 matrix is formed in double, which is plenty at pixel scale.
ProjectedPoints project_points(const PinholeCamera& camera, const Pose& T_cam_f,
                               const PointView& points_in_f);

}  // namespace pcanno::geometry
