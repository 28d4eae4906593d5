// Box frame conversions over numpy rows: KITTI rectified camera 0 <-> LiDAR, and nuScenes global
// <-> LiDAR, through the engine's own conventions (geometry/kitti_convention.hpp,
// nuscenes_convention.hpp), so that Python and the CLI agree to the last bit.
#include <cmath>
#include <string>
#include <vector>

#include <Eigen/LU>

#include "box_arrays.hpp"
#include "geometry_rows.hpp"
#include "pcanno/geometry/kitti_convention.hpp"
#include "pcanno/geometry/nuscenes_convention.hpp"

namespace pcanno::python {
namespace {

using geometry::Cuboid;

// The dataset-native row layouts, as their files and devkits spell them.
const char* const kKittiColumns[] = {"h", "w", "l", "x", "y", "z", "rotation_y"};
const char* const kNuscenesColumns[] = {"x", "y", "z", "w", "l", "h", "qw", "qx", "qy", "qz"};
constexpr const char* kKittiLayout =
    "[h w l x y z rotation_y] (the label file's columns 8-14, rectified camera 0)";
constexpr const char* kNuscenesLayout =
    "[x y z w l h qw qx qy qz] (the devkit Box: centre, wlh, rotation w x y z)";

/// Rows of a fixed width in a dataset-native layout (not the box_arrays.hpp convention).
struct NativeRows {
  py::array_t<double, py::array::c_style | py::array::forcecast> array;
  py::ssize_t n = 0;
  bool single = false;
  const double* row(py::ssize_t i) const {
    return array.data() + i * array.shape(array.ndim() - 1);
  }
};

NativeRows native_rows(const py::object& obj, const char* name, py::ssize_t columns,
                       const char* layout) {
  NativeRows rows;
  rows.array = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(obj);
  if (!rows.array) {
    PyErr_Clear();
    throw py::type_error(std::string(name) + " must be a numeric array of shape (N, " +
                         std::to_string(columns) + ")");
  }
  const py::array& a = rows.array;
  const bool ok =
      (a.ndim() == 1 && a.shape(0) == columns) || (a.ndim() == 2 && a.shape(1) == columns);
  if (!ok) {
    throw py::value_error(std::string(name) + " must have shape (N, " + std::to_string(columns) +
                          ") " + layout + ", not " + shape_text(a));
  }
  rows.single = a.ndim() == 1;
  rows.n = rows.single ? 1 : a.shape(0);
  return rows;
}

/// ValueError naming the first row with a non-finite value or a size <= 0 (sizes in columns
/// size_at .. size_at + 2), or, for nuScenes rows, a zero quaternion.
void check_native_rows(const NativeRows& rows, const char* name, int columns, int size_at) {
  for (py::ssize_t i = 0; i < rows.n; ++i) {
    const double* r = rows.row(i);
    const char* problem = nullptr;
    for (int k = 0; k < columns && !problem; ++k)
      if (!std::isfinite(r[k])) problem = "a value is not finite";
    if (!problem && !(r[size_at] > 0.0 && r[size_at + 1] > 0.0 && r[size_at + 2] > 0.0))
      problem = "the sizes must be > 0";
    if (!problem && columns == 10 &&
        !(r[6] * r[6] + r[7] * r[7] + r[8] * r[8] + r[9] * r[9] > 1e-24))
      problem = "the quaternion is zero";
    if (problem)
      throw py::value_error(std::string(name) + " row " + std::to_string(i) + ": " + problem);
  }
}

/// `out` (N, k) rows, or row 0 alone as (k,) when the input was one 1-D row.
py::array shaped(py::array_t<double> out, bool single) {
  if (!single) return std::move(out);
  return out.reshape({out.shape(1)});
}

/// A rigid 4x4 pose (rotation orthonormal within 1e-6, det +1); ValueError otherwise.
geometry::Pose rigid_pose(const py::object& obj, const char* name) {
  const Eigen::Matrix4d m = transform_from_array(obj, name);
  const Eigen::Matrix3d r = m.topLeftCorner<3, 3>();
  if (!(r.transpose() * r).isApprox(Eigen::Matrix3d::Identity(), 1e-6) || r.determinant() < 0.0) {
    throw py::value_error(std::string(name) +
                          " must be a rigid transform: its rotation part is not "
                          "orthonormal with determinant +1");
  }
  geometry::Pose pose = geometry::Pose::Identity();
  pose.linear() = r;
  pose.translation() = m.topRightCorner<3, 1>();
  return pose;
}

py::array_t<double> kitti_T_rect_velo(const py::object& R0_rect, const py::object& Tr_velo_to_cam) {
  const auto r0 = py::array::ensure(R0_rect);
  if (!r0) PyErr_Clear();
  Eigen::Matrix3d R;
  if (r0 && r0.ndim() == 2 && r0.shape(0) == 4 && r0.shape(1) == 4) {
    R = transform_from_array(R0_rect, "R0_rect").topLeftCorner<3, 3>();
  } else {
    R = matrix_from_array(R0_rect, "R0_rect", 3, 3);
  }
  const Eigen::Matrix4d Tr = transform_from_array(Tr_velo_to_cam, "Tr_velo_to_cam");
  return matrix_to_array(geometry::kitti_T_rect_velo(R, Tr.topRows<3>()));
}

Eigen::Matrix4d kitti_transform(const py::object& obj) {
  const Eigen::Matrix4d T = transform_from_array(obj, "T_rect_velo");
  if (!(std::abs(T.determinant()) > 1e-12)) throw py::value_error("T_rect_velo is singular");
  return T;
}

py::array kitti_camera_to_lidar(const py::object& boxes_camera, const py::object& T_rect_velo) {
  const NativeRows rows = native_rows(boxes_camera, "boxes_camera", 7, kKittiLayout);
  check_native_rows(rows, "boxes_camera", 7, 0);
  const Eigen::Matrix4d T = kitti_transform(T_rect_velo);
  std::vector<Cuboid> out(static_cast<std::size_t>(rows.n));
  {
    py::gil_scoped_release release;
    for (py::ssize_t i = 0; i < rows.n; ++i) {
      const double* r = rows.row(i);
      geometry::KittiCameraBox box;
      box.hwl = Eigen::Vector3d(r[0], r[1], r[2]);
      box.location = Eigen::Vector3d(r[3], r[4], r[5]);
      box.rotation_y = r[6];
      out[static_cast<std::size_t>(i)] = geometry::kitti_camera_to_lidar(box, T);
    }
  }
  return shaped(boxes_to_array(out, 7), rows.single);
}

py::array kitti_lidar_to_camera(const py::object& boxes_lidar, const py::object& T_rect_velo) {
  const BoxRows rows = box_rows(boxes_lidar, "boxes_lidar");
  check_box_rows(rows, "boxes_lidar");
  const Eigen::Matrix4d T = kitti_transform(T_rect_velo);
  py::array_t<double> out({rows.n, py::ssize_t{7}});
  double* dst = out.mutable_data();
  {
    py::gil_scoped_release release;
    for (py::ssize_t i = 0; i < rows.n; ++i) {
      const geometry::KittiCameraBox box =
          geometry::kitti_lidar_to_camera(cuboid_from_row(rows.row(i), rows.columns), T);
      double* r = dst + 7 * i;
      for (int k = 0; k < 3; ++k) {
        r[k] = box.hwl[k];
        r[3 + k] = box.location[k];
      }
      r[6] = box.rotation_y;
    }
  }
  return shaped(out, rows.single);
}

py::array nuscenes_global_to_lidar(const py::object& boxes_global, const py::object& T_global_ego,
                                   const py::object& T_ego_lidar, int columns) {
  if (columns != 7 && columns != 10) throw py::value_error("columns must be 7 or 10");
  const NativeRows rows = native_rows(boxes_global, "boxes_global", 10, kNuscenesLayout);
  check_native_rows(rows, "boxes_global", 10, 3);
  const geometry::Pose ego = rigid_pose(T_global_ego, "T_global_ego");
  const geometry::Pose lidar = rigid_pose(T_ego_lidar, "T_ego_lidar");
  std::vector<Cuboid> out(static_cast<std::size_t>(rows.n));
  {
    py::gil_scoped_release release;
    for (py::ssize_t i = 0; i < rows.n; ++i) {
      const double* r = rows.row(i);
      geometry::NuscenesBox box;
      box.translation = Eigen::Vector3d(r[0], r[1], r[2]);
      box.size_wlh = Eigen::Vector3d(r[3], r[4], r[5]);
      box.rotation = Eigen::Quaterniond(r[6], r[7], r[8], r[9]).normalized();
      out[static_cast<std::size_t>(i)] = geometry::nuscenes_global_to_lidar(box, ego, lidar);
    }
  }
  return shaped(boxes_to_array(out, columns), rows.single);
}

py::array nuscenes_lidar_to_global(const py::object& boxes_lidar, const py::object& T_global_ego,
                                   const py::object& T_ego_lidar) {
  const BoxRows rows = box_rows(boxes_lidar, "boxes_lidar");
  check_box_rows(rows, "boxes_lidar");
  const geometry::Pose ego = rigid_pose(T_global_ego, "T_global_ego");
  const geometry::Pose lidar = rigid_pose(T_ego_lidar, "T_ego_lidar");
  py::array_t<double> out({rows.n, py::ssize_t{10}});
  double* dst = out.mutable_data();
  {
    py::gil_scoped_release release;
    for (py::ssize_t i = 0; i < rows.n; ++i) {
      const geometry::NuscenesBox box = geometry::nuscenes_lidar_to_global(
          cuboid_from_row(rows.row(i), rows.columns), ego, lidar);
      double* r = dst + 10 * i;
      for (int k = 0; k < 3; ++k) {
        r[k] = box.translation[k];
        r[3 + k] = box.size_wlh[k];
      }
      r[6] = box.rotation.w();
      r[7] = box.rotation.x();
      r[8] = box.rotation.y();
      r[9] = box.rotation.z();
    }
  }
  return shaped(out, rows.single);
}

template <std::size_t N>
py::tuple names(const char* const (&list)[N]) {
  py::tuple out(N);
  for (std::size_t i = 0; i < N; ++i) out[i] = py::str(list[i]);
  return out;
}

}  // namespace

void bind_geometry_frames(py::module_& m) {
  m.attr("KITTI_CAMERA_COLUMNS") = names(kKittiColumns);
  m.attr("NUSCENES_COLUMNS") = names(kNuscenesColumns);

  m.def("kitti_T_rect_velo", &kitti_T_rect_velo, py::arg("R0_rect"), py::arg("Tr_velo_to_cam"),
        R"doc(
T_rect_velo = R0_rect * Tr_velo_to_cam (each padded to 4x4): Velodyne -> rectified camera 0.

R0_rect: (3, 3) (or the padded (4, 4)); Tr_velo_to_cam: (3, 4) as the calib file stores it (or
(4, 4)). Object calib files name them R0_rect / Tr_velo_to_cam, tracking ones R_rect /
Tr_velo_cam. Returns float64 (4, 4).)doc");

  m.def("kitti_camera_to_lidar", &kitti_camera_to_lidar, py::arg("boxes_camera"),
        py::arg("T_rect_velo"), R"doc(
KITTI label boxes -> LiDAR (Velodyne) boxes.

boxes_camera: (N, 7) rows [h w l x y z rotation_y] (pcanno.KITTI_CAMERA_COLUMNS), exactly the
label file's columns 8-14: size [m], bottom-face centre [m] in rectified camera 0 (x right,
y down, z forward), yaw about camera +y [rad]. T_rect_velo: (4, 4) from kitti_T_rect_velo().
Returns (N, 7) LiDAR rows [x y z length width height yaw] (pcanno.BOX7_COLUMNS): geometric
centre, yaw about +z = wrap(-rotation_y - pi/2), the OpenPCDet convention; the inverse of
kitti_lidar_to_camera to rounding. T_rect_velo is inverted as a general matrix (KITTI's
calibration is not exactly orthonormal). One 1-D row in gives one 1-D row out.)doc");

  m.def("kitti_lidar_to_camera", &kitti_lidar_to_camera, py::arg("boxes_lidar"),
        py::arg("T_rect_velo"), R"doc(
LiDAR boxes -> KITTI label rows [h w l x y z rotation_y] in rectified camera 0, the inverse of
kitti_camera_to_lidar. boxes_lidar: (N, 7) or (N, 10) (pcanno.BOX7_COLUMNS / BOX10_COLUMNS);
only the yaw of a tilted box is kept, KITTI boxes cannot tilt. Returns float64 (N, 7).)doc");

  m.def("nuscenes_global_to_lidar", &nuscenes_global_to_lidar, py::arg("boxes_global"),
        py::arg("T_global_ego"), py::arg("T_ego_lidar"), py::kw_only(), py::arg("columns") = 10,
        R"doc(
nuScenes boxes in the global (map) frame -> the LiDAR frame, as the devkit moves them.

boxes_global: (N, 10) rows [x y z w l h qw qx qy qz] (pcanno.NUSCENES_COLUMNS): the devkit Box /
sample_annotation (translation, size in w l h order, rotation w x y z, box -> global).
T_global_ego: (4, 4) the sample_data's ego_pose; T_ego_lidar: (4, 4) the LiDAR's
calibrated_sensor; both rigid (float64; a non-rigid matrix raises ValueError).
Returns (N, 10) LiDAR rows [x y z length width height qw qx qy qz] (pcanno.BOX10_COLUMNS), or
with columns=7 [x y z length width height yaw], which drops the small pitch and roll that the
ego pose leaves.)doc");

  m.def("nuscenes_lidar_to_global", &nuscenes_lidar_to_global, py::arg("boxes_lidar"),
        py::arg("T_global_ego"), py::arg("T_ego_lidar"), R"doc(
LiDAR boxes ((N, 7) or (N, 10), pcanno.BOX7_COLUMNS / BOX10_COLUMNS) -> nuScenes global rows
[x y z w l h qw qx qy qz] (pcanno.NUSCENES_COLUMNS), the inverse of nuscenes_global_to_lidar.)doc");
}

}  // namespace pcanno::python
