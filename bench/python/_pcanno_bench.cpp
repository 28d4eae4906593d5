// The C++ side of python_bench.py: the engine's own calls, timed in C++, so that the same process
// measures `pcanno` from numpy beside them (same build flags, same data, same warm cache).
// Built only with the benchmarks; not part of the installed package.
#include <time.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "pcanno/formats/clouds/reader.hpp"
#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/geometry/iou.hpp"

namespace py = pybind11;

namespace {

/// Wall (steady_clock) and calling-thread CPU seconds, as python_bench.py's Stopwatch measures
/// them (time.perf_counter, time.thread_time).
class Stopwatch {
 public:
  Stopwatch() : wall_(std::chrono::steady_clock::now()), cpu_(thread_cpu()) {}
  void stop() {
    wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count();
    cpu_seconds = thread_cpu() - cpu_;
  }
  double wall_seconds = 0.0;
  double cpu_seconds = 0.0;

 private:
  static double thread_cpu() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  }
  std::chrono::steady_clock::time_point wall_;
  double cpu_;
};

py::array_t<float> copy_of(const std::vector<float>& v) {
  py::array_t<float> out(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), out.mutable_data());
  return out;
}

/// One formats::read_cloud() of `path`, timed; then (outside the timing) copies of its columns
/// so that the script can check that both sides read the same points.
py::tuple read_cloud(const std::string& path) {
  Stopwatch watch;
  pcanno::formats::Expected<pcanno::formats::CloudFile> file = [&] {
    py::gil_scoped_release release;
    watch = Stopwatch();
    auto result = pcanno::formats::read_cloud(path);
    watch.stop();
    return result;
  }();
  if (!file) throw std::runtime_error("read_cloud failed: " + file.error().message);
  py::dict columns;
  columns["x"] = copy_of(file->cloud.x);
  columns["y"] = copy_of(file->cloud.y);
  columns["z"] = copy_of(file->cloud.z);
  for (const auto& a : file->cloud.attributes) columns[py::str(a.name)] = copy_of(a.values);
  return py::make_tuple(watch.wall_seconds, watch.cpu_seconds, columns);
}

/// Upright boxes from (N, 7) rows [x y z length width height yaw], built before the timing: the
/// C++ caller's natural starting point is a std::vector<Cuboid>.
std::vector<pcanno::geometry::Cuboid> upright_boxes(
    const py::array_t<double, py::array::c_style | py::array::forcecast>& rows) {
  if (rows.ndim() != 2 || rows.shape(1) != 7) throw py::value_error("rows must be (N, 7)");
  std::vector<pcanno::geometry::Cuboid> out;
  out.reserve(static_cast<std::size_t>(rows.shape(0)));
  for (py::ssize_t i = 0; i < rows.shape(0); ++i) {
    const double* r = rows.data() + 7 * i;
    out.push_back(pcanno::geometry::Cuboid::from_yaw({r[0], r[1], r[2]}, {r[3], r[4], r[5]}, r[6]));
  }
  return out;
}

/// The C++ loop: result vector allocated and iou_3d of each pair, timed.
py::tuple iou_3d_loop(
    const py::array_t<double, py::array::c_style | py::array::forcecast>& a_rows,
    const py::array_t<double, py::array::c_style | py::array::forcecast>& b_rows) {
  const auto a = upright_boxes(a_rows);
  const auto b = upright_boxes(b_rows);
  if (a.size() != b.size()) throw py::value_error("a and b must have the same length");
  std::vector<double> out;
  Stopwatch watch;
  {
    py::gil_scoped_release release;
    watch = Stopwatch();
    out.resize(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) out[i] = pcanno::geometry::iou_3d(a[i], b[i]);
    watch.stop();
  }
  py::array_t<double> result(static_cast<py::ssize_t>(out.size()));
  std::copy(out.begin(), out.end(), result.mutable_data());
  return py::make_tuple(watch.wall_seconds, watch.cpu_seconds, result);
}

/// The same pairs with each Cuboid built from its row inside the timed loop (Cuboid::from_yaw), as
/// the binding must: separates the cost of the row format from the cost of crossing into Python.
py::tuple iou_3d_rows_loop(
    const py::array_t<double, py::array::c_style | py::array::forcecast>& a_rows,
    const py::array_t<double, py::array::c_style | py::array::forcecast>& b_rows) {
  if (a_rows.ndim() != 2 || a_rows.shape(1) != 7 || b_rows.ndim() != 2 || b_rows.shape(1) != 7 ||
      a_rows.shape(0) != b_rows.shape(0))
    throw py::value_error("a and b must be (N, 7) of the same N");
  const auto n = static_cast<std::size_t>(a_rows.shape(0));
  const double* a = a_rows.data();
  const double* b = b_rows.data();
  std::vector<double> out;
  Stopwatch watch;
  {
    py::gil_scoped_release release;
    watch = Stopwatch();
    out.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double* p = a + 7 * i;
      const double* q = b + 7 * i;
      out[i] = pcanno::geometry::iou_3d(
          pcanno::geometry::Cuboid::from_yaw({p[0], p[1], p[2]}, {p[3], p[4], p[5]}, p[6]),
          pcanno::geometry::Cuboid::from_yaw({q[0], q[1], q[2]}, {q[3], q[4], q[5]}, q[6]));
    }
    watch.stop();
  }
  py::array_t<double> result(static_cast<py::ssize_t>(out.size()));
  std::copy(out.begin(), out.end(), result.mutable_data());
  return py::make_tuple(watch.wall_seconds, watch.cpu_seconds, result);
}

}  // namespace

PYBIND11_MODULE(_pcanno_bench, m) {
  m.doc() = "C++ timing loops for bench/python/python_bench.py.";
  m.def("read_cloud", &read_cloud, py::arg("path"),
        "(wall s, CPU s, {column: float32 copy}): one timed formats::read_cloud().");
  m.def("iou_3d_loop", &iou_3d_loop, py::arg("a"), py::arg("b"),
        "(wall s, CPU s, float64 (N,)): the timed C++ iou_3d loop over upright (N, 7) pairs.");
  m.def("iou_3d_rows_loop", &iou_3d_rows_loop, py::arg("a"), py::arg("b"),
        "(wall s, CPU s, float64 (N,)): the same loop building each Cuboid from its row.");
}
