#pragma once
// Boxes as numpy rows, one convention for every binding:
//   (N, 7):  x, y, z, length, width, height, yaw
//   (N, 10): x, y, z, length, width, height, qw, qx, qy, qz
// centre [m] and size [m] in the box's parent frame (the frame the caller names: LiDAR, world);
// yaw [rad] counter-clockwise about parent +z from parent +x; (qw, qx, qy, qz) the unit rotation
// box frame -> parent frame. Seven columns hold upright boxes only: a tilted box keeps its pitch
// and roll only in the ten-column form.
#include <vector>

#include "bindings.hpp"
#include "pcanno/geometry/cuboid.hpp"

namespace pcanno::python {

/// The column names, in order ("x", ..., "yaw") and ("x", ..., "qz").
const std::vector<const char*>& box7_columns();
const std::vector<const char*>& box10_columns();

/// The one box of a (7,) / (10,) row (or a (1, 7) / (1, 10) array; any real dtype), read as the
/// geometry bindings read rows (geometry_rows.hpp). ValueError naming `name` for another shape,
/// a non-finite value, a size <= 0 or a zero quaternion.
geometry::Cuboid box_from_row(const py::handle& row, const char* name);

/// (N, columns) float64 rows of `boxes`, columns 7 or 10.
py::array_t<double> boxes_to_array(const std::vector<geometry::Cuboid>& boxes, int columns);

void bind_box_arrays(py::module_& m);

}  // namespace pcanno::python
