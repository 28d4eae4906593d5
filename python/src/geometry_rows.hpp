#pragma once
// What the geometry bindings (geometry.cpp, geometry_frames.cpp) share: box rows read straight from
// an array's memory, one Cuboid at a time on the stack, so that a million pairs cost no per-row
// allocation and no per-row Python call; and 4x4 / 3x3 matrices from numpy.
#include <cmath>
#include <string>

#include <Eigen/Core>

#include "bindings.hpp"
#include "pcanno/geometry/cuboid.hpp"

namespace pcanno::python {

/// Rows of an (N, 7) or (N, 10) box array in the box_arrays.hpp convention, as float64 C-order
/// (no copy when the array already is; other dtypes and layouts are converted once).
struct BoxRows {
  py::array_t<double, py::array::c_style | py::array::forcecast> array;
  const double* data = nullptr;
  py::ssize_t n = 0;
  int columns = 0;
  bool single = false;  ///< given as one 1-D box

  const double* row(py::ssize_t i) const { return data + i * columns; }
};

/// Reads `obj` as box rows; ValueError naming `name` and the shape found when it is not (N, 7),
/// (N, 10), (7,) or (10,).
BoxRows box_rows(const py::handle& obj, const char* name);

/// Why a box row is invalid (non-finite value, size <= 0, zero quaternion), or nullptr. The check
/// box_from_row() makes too, so that every binding rejects the same rows.
inline const char* box_row_problem(const double* r, int columns) {
  for (int k = 0; k < columns; ++k) {
    if (!std::isfinite(r[k])) return "a value is not finite";
  }
  if (!(r[3] > 0.0 && r[4] > 0.0 && r[5] > 0.0)) return "length, width and height must be > 0";
  if (columns == 10 && !(r[6] * r[6] + r[7] * r[7] + r[8] * r[8] + r[9] * r[9] > 1e-24))
    return "the quaternion is zero";
  return nullptr;
}

/// The Cuboid of a valid row (no allocation). Seven columns: Cuboid::from_yaw; ten: the quaternion
/// normalised.
inline geometry::Cuboid cuboid_from_row(const double* r, int columns) {
  const Eigen::Vector3d center(r[0], r[1], r[2]);
  const Eigen::Vector3d size(r[3], r[4], r[5]);
  if (columns == 7) return geometry::Cuboid::from_yaw(center, size, r[6]);
  return geometry::Cuboid{center, size, Eigen::Quaterniond(r[6], r[7], r[8], r[9]).normalized()};
}

/// The first invalid row of `rows`, or -1 (run it with the GIL released; cheap beside any kernel).
py::ssize_t first_invalid_row(const BoxRows& rows);

/// Raises ValueError "<name> row <i>: <problem>" when `rows` holds an invalid row.
void check_box_rows(const BoxRows& rows, const char* name);

/// A finite float64 matrix of exactly `rows` x `cols` from `obj` (any real dtype); ValueError
/// naming `name` and the shape found otherwise.
Eigen::MatrixXd matrix_from_array(const py::handle& obj, const char* name, int rows, int cols);

/// A 4x4 transform from a (4, 4) array, or from (3, 4) with the bottom row 0 0 0 1 implied.
Eigen::Matrix4d transform_from_array(const py::handle& obj, const char* name);

/// (rows, cols) float64 numpy copy of `m`.
py::array_t<double> matrix_to_array(const Eigen::MatrixXd& m);

/// Formats an array's shape as "(3, 5)" for error messages.
std::string shape_text(const py::array& array);

void bind_geometry_frames(py::module_& m);

}  // namespace pcanno::python
