#include "box_arrays.hpp"

#include <cmath>
#include <string>

namespace pcanno::python {

const std::vector<const char*>& box7_columns() {
  static const std::vector<const char*> names = {"x", "y", "z", "length", "width", "height", "yaw"};
  return names;
}

const std::vector<const char*>& box10_columns() {
  static const std::vector<const char*> names = {"x",      "y",  "z",  "length", "width",
                                                 "height", "qw", "qx", "qy",     "qz"};
  return names;
}

std::vector<geometry::Cuboid> boxes_from_array(const py::handle& array) {
  auto rows = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(array);
  if (!rows) throw py::type_error("boxes must be a numeric array of shape (N, 7) or (N, 10)");
  if (rows.ndim() == 1) rows = rows.reshape({py::ssize_t{1}, rows.shape(0)});
  const py::ssize_t columns = rows.ndim() == 2 ? rows.shape(1) : -1;
  if (columns != 7 && columns != 10) {
    throw py::value_error("boxes must have shape (N, 7) [x y z length width height yaw] or "
                          "(N, 10) [x y z length width height qw qx qy qz]");
  }
  const auto n = rows.shape(0);
  std::vector<geometry::Cuboid> boxes(static_cast<std::size_t>(n));
  const double* data = rows.data();
  for (py::ssize_t i = 0; i < n; ++i) {
    const double* r = data + i * columns;
    for (py::ssize_t k = 0; k < columns; ++k) {
      if (!std::isfinite(r[k]))
        throw py::value_error("box row " + std::to_string(i) + " column " + std::to_string(k) +
                              " is not finite");
    }
    if (!(r[3] > 0.0 && r[4] > 0.0 && r[5] > 0.0))
      throw py::value_error("box row " + std::to_string(i) + ": length, width and height must be > 0");
    const Eigen::Vector3d center(r[0], r[1], r[2]);
    const Eigen::Vector3d size(r[3], r[4], r[5]);
    if (columns == 7) {
      boxes[static_cast<std::size_t>(i)] = geometry::Cuboid::from_yaw(center, size, r[6]);
      continue;
    }
    Eigen::Quaterniond q(r[6], r[7], r[8], r[9]);
    if (!(q.norm() > 1e-12))
      throw py::value_error("box row " + std::to_string(i) + ": the quaternion is zero");
    q.normalize();
    geometry::Cuboid& box = boxes[static_cast<std::size_t>(i)];
    box.center = center;
    box.size = size;
    box.rotation = q;
  }
  return boxes;
}

py::array_t<double> boxes_to_array(const std::vector<geometry::Cuboid>& boxes, int columns) {
  if (columns != 7 && columns != 10) throw py::value_error("columns must be 7 or 10");
  const auto n = static_cast<py::ssize_t>(boxes.size());
  py::array_t<double> out({n, static_cast<py::ssize_t>(columns)});
  double* data = out.mutable_data();
  for (py::ssize_t i = 0; i < n; ++i) {
    const geometry::Cuboid& box = boxes[static_cast<std::size_t>(i)];
    double* r = data + i * columns;
    for (int k = 0; k < 3; ++k) {
      r[k] = box.center[k];
      r[3 + k] = box.size[k];
    }
    if (columns == 7) {
      r[6] = box.yaw();
    } else {
      r[6] = box.rotation.w();
      r[7] = box.rotation.x();
      r[8] = box.rotation.y();
      r[9] = box.rotation.z();
    }
  }
  return out;
}

namespace {
py::tuple as_tuple(const std::vector<const char*>& names) {
  py::tuple out(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) out[i] = py::str(names[i]);
  return out;
}
}  // namespace

void bind_box_arrays(py::module_& m) {
  m.attr("BOX7_COLUMNS") = as_tuple(box7_columns());
  m.attr("BOX10_COLUMNS") = as_tuple(box10_columns());
}

}  // namespace pcanno::python
