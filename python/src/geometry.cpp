// pcanno.iou_3d / iou_bev (element-wise, with one-box broadcasting), their all-pairs *_matrix
// forms, and points_in_boxes: the engine's geometry kernels over numpy rows, with the GIL released
// and no per-row Python work or allocation (rows are read straight from the array's memory).
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "geometry_rows.hpp"
#include "pcanno/geometry/iou.hpp"
#include "pcanno/geometry/points_in_cuboid.hpp"

namespace pcanno::python {
namespace {

using geometry::Cuboid;

/// pcanno.Cloud, looked up once when the module is built (clouds.cpp binds it first).
py::handle cloud_type;

/// Rows paired element-wise: both N, or one of them a single box that pairs with every row.
py::ssize_t paired_rows(const BoxRows& a, const BoxRows& b, const char* function) {
  if (a.n == b.n) return a.n;
  if (a.n == 1) return b.n;
  if (b.n == 1) return a.n;
  throw py::value_error(std::string(function) +
                        "(a, b) pairs rows element-wise and needs a and b "
                        "of the same length (or one box), but a has " +
                        std::to_string(a.n) + " rows and b " + std::to_string(b.n) + "; use " +
                        function + "_matrix(a, b) for all pairs");
}

template <typename Iou>
py::object iou_elementwise(const py::object& a_obj, const py::object& b_obj, Iou iou,
                           const char* function) {
  const BoxRows a = box_rows(a_obj, "a");
  const BoxRows b = box_rows(b_obj, "b");
  const py::ssize_t n = paired_rows(a, b, function);
  py::array_t<double> out(n);
  double* dst = out.mutable_data();
  py::ssize_t bad = -1;
  {
    py::gil_scoped_release release;
    const py::ssize_t step_a = a.n == 1 ? 0 : 1;
    const py::ssize_t step_b = b.n == 1 ? 0 : 1;
    // Each row is checked as it is read (already in cache) rather than in a pass of its own.
    for (py::ssize_t i = 0; i < n; ++i) {
      const double* ra = a.row(i * step_a);
      const double* rb = b.row(i * step_b);
      if (box_row_problem(ra, a.columns) || box_row_problem(rb, b.columns)) {
        bad = i;
        break;
      }
      dst[i] = iou(cuboid_from_row(ra, a.columns), cuboid_from_row(rb, b.columns));
    }
  }
  if (bad >= 0) {
    // The first bad row of a, else of b, in row order, as check_box_rows() reports it.
    check_box_rows(a, "a");
    check_box_rows(b, "b");
  }
  if (a.single && b.single) return py::float_(dst[0]);
  return std::move(out);
}

std::vector<Cuboid> cuboids_of(const BoxRows& rows) {
  std::vector<Cuboid> out(static_cast<std::size_t>(rows.n));
  for (py::ssize_t i = 0; i < rows.n; ++i)
    out[static_cast<std::size_t>(i)] = cuboid_from_row(rows.row(i), rows.columns);
  return out;
}

template <typename Iou>
py::array_t<double> iou_all_pairs(const py::object& a_obj, const py::object& b_obj, Iou iou) {
  const BoxRows a = box_rows(a_obj, "a");
  const BoxRows b = box_rows(b_obj, "b");
  check_box_rows(a, "a");
  check_box_rows(b, "b");
  py::array_t<double> out({a.n, b.n});
  double* dst = out.mutable_data();
  {
    py::gil_scoped_release release;
    const std::vector<Cuboid> ca = cuboids_of(a), cb = cuboids_of(b);
    for (std::size_t i = 0; i < ca.size(); ++i)
      for (std::size_t j = 0; j < cb.size(); ++j) dst[i * cb.size() + j] = iou(ca[i], cb[j]);
  }
  return out;
}

double iou_3d_of(const Cuboid& a, const Cuboid& b) { return geometry::iou_3d(a, b); }
double iou_bev_of(const Cuboid& a, const Cuboid& b) { return geometry::iou_bev(a, b); }

// ---- points_in_boxes ---------------------------------------------------------------------------

/// Points as the engine's float32 PointView, with the offset of the view's zero in the points'
/// frame; `keep` holds the arrays the view reads.
struct PointsArg {
  geometry::PointView view;
  Eigen::Vector3d origin = Eigen::Vector3d::Zero();
  std::vector<float> converted;
  std::vector<py::object> keep;
};

/// Where float64 points are made relative before they become float32: the middle of the box
/// centres, rounded to metres, so that points near the boxes keep their precision even in a
/// world frame with coordinates in the thousands.
Eigen::Vector3d local_origin(const std::vector<Cuboid>& boxes) {
  if (boxes.empty()) return Eigen::Vector3d::Zero();
  Eigen::Vector3d lo = boxes.front().center, hi = lo;
  for (const Cuboid& box : boxes) {
    lo = lo.cwiseMin(box.center);
    hi = hi.cwiseMax(box.center);
  }
  return (0.5 * (lo + hi)).array().round().matrix();
}

void points_from_cloud(const py::object& cloud, PointsArg& out) {
  using Column = py::array_t<float, py::array::c_style | py::array::forcecast>;
  const Column x = Column::ensure(cloud.attr("x"));
  const Column y = Column::ensure(cloud.attr("y"));
  const Column z = Column::ensure(cloud.attr("z"));
  const auto origin = py::array_t<double, py::array::forcecast>::ensure(cloud.attr("origin"));
  out.origin = Eigen::Vector3d(origin.at(0), origin.at(1), origin.at(2));
  out.view =
      geometry::PointView::soa(x.data(), y.data(), z.data(), static_cast<std::size_t>(x.size()));
  out.keep = {x, y, z};
}

void points_from_array(const py::object& obj, const std::vector<Cuboid>& boxes, PointsArg& out) {
  const py::array any = py::array::ensure(obj);
  if (!any || std::string("biuf").find(any.dtype().kind()) == std::string::npos) {
    PyErr_Clear();
    throw py::type_error(
        "points must be a pcanno.Cloud or a numeric array of shape (N, 3) or "
        "(N, 4) [x y z ...]");
  }
  if (any.ndim() != 2 || any.shape(1) < 3) {
    throw py::value_error(
        "points must have shape (N, 3) or (N, k >= 3) with x y z in the first "
        "three columns, not " +
        shape_text(any));
  }
  const auto n = static_cast<std::size_t>(any.shape(0));
  const auto k = static_cast<std::size_t>(any.shape(1));
  if (any.dtype().is(py::dtype::of<float>())) {
    // float32 rows are read in place (a copy only when the array is not C-contiguous).
    auto rows = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(any);
    out.view = geometry::PointView::interleaved(rows.data(), n, k);
    out.keep = {rows};
    return;
  }
  auto rows = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(any);
  if (!rows) throw py::error_already_set();
  out.origin = local_origin(boxes);
  out.converted.resize(3 * n);
  const double* src = rows.data();
  {
    py::gil_scoped_release release;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t c = 0; c < 3; ++c)
        out.converted[3 * i + c] = static_cast<float>(src[i * k + c] - out.origin[c]);
  }
  out.view = geometry::PointView::interleaved(out.converted.data(), n, 3);
}

/// A 1-D numpy array that takes over `values` (no copy).
template <typename T>
py::array_t<T> adopt(std::vector<T>&& values) {
  auto* owned = new std::vector<T>(std::move(values));
  py::capsule owner(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(static_cast<py::ssize_t>(owned->size()), owned->data(), owner);
}

py::object points_in_boxes(const py::object& points, const py::object& boxes_obj,
                           const std::string& output, double margin) {
  if (output != "index" && output != "mask" && output != "indices") {
    throw py::value_error(
        "output must be 'index' (per point, the first box or -1), 'mask' "
        "((N_boxes, N_points) bool) or 'indices' (one array per box), not '" +
        output + "'");
  }
  if (!std::isfinite(margin)) throw py::value_error("margin must be finite");
  const BoxRows rows = box_rows(boxes_obj, "boxes");
  check_box_rows(rows, "boxes");
  std::vector<Cuboid> boxes = cuboids_of(rows);
  PointsArg pts;
  if (cloud_type && py::isinstance(points, cloud_type)) {
    points_from_cloud(points, pts);
  } else {
    points_from_array(points, boxes, pts);
  }
  // Test in the view's frame: the boxes move by -origin, in double, instead of every point.
  for (Cuboid& box : boxes) box.center -= pts.origin;

  if (output == "index") {
    std::vector<std::int32_t> index;
    {
      py::gil_scoped_release release;
      index = geometry::box_index_per_point(pts.view, boxes, margin);
    }
    return adopt(std::move(index));
  }
  std::vector<std::vector<std::uint32_t>> inside;
  {
    py::gil_scoped_release release;
    inside = geometry::points_in_cuboids(pts.view, boxes, margin);
  }
  if (output == "mask") {
    const auto n_points = static_cast<py::ssize_t>(pts.view.size);
    py::array_t<bool> mask({static_cast<py::ssize_t>(boxes.size()), n_points});
    bool* dst = mask.mutable_data();
    {
      py::gil_scoped_release release;
      std::fill(dst, dst + mask.size(), false);
      for (std::size_t b = 0; b < inside.size(); ++b)
        for (std::uint32_t i : inside[b]) dst[static_cast<py::ssize_t>(b) * n_points + i] = true;
    }
    return std::move(mask);
  }
  py::list lists;
  for (const std::vector<std::uint32_t>& ids : inside) {
    py::array_t<std::int64_t> arr(static_cast<py::ssize_t>(ids.size()));
    std::copy(ids.begin(), ids.end(), arr.mutable_data());
    lists.append(arr);
  }
  return std::move(lists);
}

}  // namespace

void bind_geometry(py::module_& m) {
  cloud_type = m.attr("Cloud");

  m.def(
      "iou_3d",
      [](const py::object& a, const py::object& b) {
        return iou_elementwise(a, b, &iou_3d_of, "iou_3d");
      },
      py::arg("a"), py::arg("b"), R"doc(
Exact 3D intersection-over-union of box pairs, element-wise: ``out[i] = IoU(a[i], b[i])``.

a, b: box rows in one shared parent frame, (N, 7) [x y z length width height yaw] or (N, 10)
[x y z length width height qw qx qy qz] (pcanno.BOX7_COLUMNS / BOX10_COLUMNS; the two forms may
be mixed). Rows pair element-wise: a and b have the same N, or one of them is a single box
(shape (7,), (10,) or (1, k)) that is compared with every row of the other, as numpy broadcasts.
For all pairs (an (N, M) matrix) use iou_3d_matrix(a, b).

Returns float64 (N,), in [0, 1]; a float when both a and b are single 1-D boxes. Upright boxes
(yaw only) take the engine's fast path (rectangle clipping times the height overlap); tilted
boxes are intersected as convex polyhedra. The GIL is released for the loop.
Raises ValueError for another shape, a non-finite value, a size <= 0 or a zero quaternion
(naming the row), or lengths that do not pair.)doc");

  m.def(
      "iou_bev",
      [](const py::object& a, const py::object& b) {
        return iou_elementwise(a, b, &iou_bev_of, "iou_bev");
      },
      py::arg("a"), py::arg("b"), R"doc(
Bird's-eye-view IoU of box pairs, element-wise: the overlap of the footprints on the parent
xy-plane (rectangles for upright boxes, the hull of the projected corners otherwise); heights
and z are ignored. Same rows, pairing and errors as iou_3d; iou_bev_matrix(a, b) for all
pairs.)doc");

  m.def(
      "iou_3d_matrix",
      [](const py::object& a, const py::object& b) { return iou_all_pairs(a, b, &iou_3d_of); },
      py::arg("a"), py::arg("b"), R"doc(
3D IoU of every box of a with every box of b: float64 (N, M), ``out[i, j] = IoU(a[i], b[j])``.
Rows as in iou_3d. The GIL is released for the loop.)doc");

  m.def(
      "iou_bev_matrix",
      [](const py::object& a, const py::object& b) { return iou_all_pairs(a, b, &iou_bev_of); },
      py::arg("a"), py::arg("b"), R"doc(
Bird's-eye-view IoU of every box of a with every box of b: float64 (N, M). Rows as in iou_3d.)doc");

  m.def("points_in_boxes", &points_in_boxes, py::arg("points"), py::arg("boxes"), py::kw_only(),
        py::arg("output") = "index", py::arg("margin") = 0.0, R"doc(
Which points lie inside which boxes (the boundary counts as inside).

points: a pcanno.Cloud (its columns are relative to cloud.origin; the boxes are taken in the
file's LiDAR frame and moved by -origin, so nothing is copied), or an (N, 3) / (N, k >= 3) array
whose first three columns are x y z. float32 rows are read in place; other dtypes are converted
to float32 relative to a local origin (the middle of the box centres, rounded to metres), so that
world-frame float64 points keep their precision near the boxes.
boxes: (M, 7) or (M, 10) box rows (pcanno.BOX7_COLUMNS / BOX10_COLUMNS) in the points' frame.
margin [m] grows (negative: shrinks) every box on every face.
output:
  "index"    int32 (N,): for each point, the first box (lowest row) that holds it, or -1;
  "mask"     bool (M, N): mask[b, i] is True when box b holds point i;
  "indices"  a list of M int64 arrays: the points inside each box, ascending.
Points are binned once into a bird's-eye-view grid over the boxes, so the cost grows with the
points near the boxes. The GIL is released while testing.)doc");

  bind_geometry_frames(m);
}

}  // namespace pcanno::python
