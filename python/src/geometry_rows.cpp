#include "geometry_rows.hpp"

namespace pcanno::python {

std::string shape_text(const py::array& array) {
  std::string out = "(";
  for (py::ssize_t k = 0; k < array.ndim(); ++k) {
    if (k > 0) out += ", ";
    out += std::to_string(array.shape(k));
  }
  if (array.ndim() == 1) out += ",";
  return out + ")";
}

BoxRows box_rows(const py::handle& obj, const char* name) {
  const std::string what = name;
  BoxRows rows;
  rows.array = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(obj);
  if (!rows.array) {
    PyErr_Clear();
    throw py::type_error(what + " must be a numeric array of shape (N, 7) or (N, 10), not " +
                         std::string(py::str(py::type::of(obj).attr("__name__"))));
  }
  const py::array& a = rows.array;
  py::ssize_t columns = -1;
  if (a.ndim() == 1) {
    columns = a.shape(0);
    rows.n = 1;
    rows.single = true;
  } else if (a.ndim() == 2) {
    columns = a.shape(1);
    rows.n = a.shape(0);
  }
  if (columns != 7 && columns != 10) {
    throw py::value_error(what +
                          " must have shape (N, 7) [x y z length width height yaw] or (N, 10) "
                          "[x y z length width height qw qx qy qz], not " +
                          shape_text(a));
  }
  rows.columns = static_cast<int>(columns);
  rows.data = rows.array.data();
  return rows;
}

py::ssize_t first_invalid_row(const BoxRows& rows) {
  for (py::ssize_t i = 0; i < rows.n; ++i) {
    if (box_row_problem(rows.row(i), rows.columns)) return i;
  }
  return -1;
}

void check_box_rows(const BoxRows& rows, const char* name) {
  py::ssize_t bad = -1;
  {
    py::gil_scoped_release release;
    bad = first_invalid_row(rows);
  }
  if (bad >= 0) {
    throw py::value_error(std::string(name) + " row " + std::to_string(bad) + ": " +
                          box_row_problem(rows.row(bad), rows.columns));
  }
}

Eigen::MatrixXd matrix_from_array(const py::handle& obj, const char* name, int rows, int cols) {
  const std::string what = name;
  auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(obj);
  if (!a) {
    PyErr_Clear();
    throw py::type_error(what + " must be a numeric array");
  }
  if (a.ndim() != 2 || a.shape(0) != rows || a.shape(1) != cols) {
    throw py::value_error(what + " must have shape (" + std::to_string(rows) + ", " +
                          std::to_string(cols) + "), not " + shape_text(a));
  }
  Eigen::MatrixXd m(rows, cols);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const double v = a.data()[r * cols + c];
      if (!std::isfinite(v)) throw py::value_error(what + " holds a non-finite value");
      m(r, c) = v;
    }
  }
  return m;
}

Eigen::Matrix4d transform_from_array(const py::handle& obj, const char* name) {
  auto a = py::array::ensure(obj);
  if (!a) PyErr_Clear();
  const bool three_rows = a && a.ndim() == 2 && a.shape(0) == 3 && a.shape(1) == 4;
  const bool four_rows = a && a.ndim() == 2 && a.shape(0) == 4 && a.shape(1) == 4;
  if (!three_rows && !four_rows) {
    throw py::value_error(std::string(name) +
                          " must be a (4, 4) transform (or (3, 4) with the "
                          "bottom row 0 0 0 1 implied), not " +
                          (a ? shape_text(a) : std::string("a non-array")));
  }
  if (three_rows) {
    Eigen::Matrix4d out = Eigen::Matrix4d::Identity();
    out.topRows<3>() = matrix_from_array(obj, name, 3, 4);
    return out;
  }
  const Eigen::Matrix4d out = matrix_from_array(obj, name, 4, 4);
  if (out(3, 0) != 0.0 || out(3, 1) != 0.0 || out(3, 2) != 0.0 || out(3, 3) != 1.0) {
    throw py::value_error(std::string(name) + " must be a 4x4 transform with bottom row 0 0 0 1");
  }
  return out;
}

py::array_t<double> matrix_to_array(const Eigen::MatrixXd& m) {
  py::array_t<double> out({static_cast<py::ssize_t>(m.rows()), static_cast<py::ssize_t>(m.cols())});
  auto o = out.mutable_unchecked<2>();
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c) o(r, c) = m(r, c);
  return out;
}

}  // namespace pcanno::python
