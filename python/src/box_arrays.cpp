#include "box_arrays.hpp"

#include "geometry_rows.hpp"

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

geometry::Cuboid box_from_row(const py::handle& row, const char* name) {
  const BoxRows rows = box_rows(row, name);
  if (rows.n != 1) {
    throw py::value_error(std::string(name) + ": expected one box row, (7,) or (10,), not " +
                          shape_text(rows.array));
  }
  check_box_rows(rows, name);
  return cuboid_from_row(rows.row(0), rows.columns);
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
