// pcanno.read_cloud and pcanno.Cloud: a point cloud whose columns are numpy views of the engine's
// own buffers (no copy; each array keeps the Cloud, and so the buffers, alive).
#include <cstdint>
#include <memory>
#include <string>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "cloud_object.hpp"
#include "pcanno/formats/clouds/reader.hpp"

namespace pcanno::python {
namespace {

const Cloud& as_cloud(const py::object& self) { return self.cast<const Cloud&>(); }

/// A writable float32 view of one column, owned by `self` (the Python Cloud).
py::array_t<float> column_view(const py::object& self, const std::string& name) {
  const std::vector<float>* column = as_cloud(self).column(name);
  if (!column) {
    throw py::key_error("the cloud has no column '" + name + "'; it has " +
                        py::str(py::cast(as_cloud(self).names())).cast<std::string>());
  }
  py::array_t<float> view = array_view(const_cast<float*>(column->data()),
                                       static_cast<py::ssize_t>(column->size()), self);
  if (as_cloud(self).shared) view.attr("setflags")(py::arg("write") = false);
  return view;
}

std::vector<std::string> columns_or_all(const Cloud& cloud, const py::object& columns) {
  if (columns.is_none()) return cloud.names();
  return columns.cast<std::vector<std::string>>();
}

/// Rows of the chosen columns, copied: the engine keeps each column apart.
py::array_t<float> stacked(const py::object& self, const py::object& columns) {
  const Cloud& cloud = as_cloud(self);
  const std::vector<std::string> names = columns_or_all(cloud, columns);
  std::vector<const std::vector<float>*> sources;
  for (const std::string& name : names) {
    const std::vector<float>* column = cloud.column(name);
    if (!column) throw py::key_error("the cloud has no column '" + name + "'");
    sources.push_back(column);
  }
  const auto n = static_cast<py::ssize_t>(cloud.cloud().size());
  const auto k = static_cast<py::ssize_t>(sources.size());
  py::array_t<float> out({n, k});
  float* dst = out.mutable_data();
  {
    py::gil_scoped_release release;
    for (py::ssize_t i = 0; i < n; ++i)
      for (py::ssize_t j = 0; j < k; ++j) dst[i * k + j] = (*sources[j])[i];
  }
  return out;
}

py::array structured(const py::object& self) {
  const Cloud& cloud = as_cloud(self);
  py::list fields;
  for (const std::string& name : cloud.names()) fields.append(py::make_tuple(name, "<f4"));
  py::array out(py::dtype::from_args(fields),
                std::vector<py::ssize_t>{static_cast<py::ssize_t>(cloud.cloud().size())});
  for (const std::string& name : cloud.names()) out[py::str(name)] = column_view(self, name);
  return out;
}

py::array_t<double> xyz(const py::object& self, const std::string& frame) {
  const formats::PointCloud& cloud = as_cloud(self).cloud();
  Eigen::Vector3d offset = Eigen::Vector3d::Zero();
  if (frame == "lidar") {
    offset = cloud.origin;
  } else if (frame != "cloud") {
    throw py::value_error("frame must be 'lidar' (the file's frame) or 'cloud' (relative to "
                          "origin), not '" + frame + "'");
  }
  const auto n = static_cast<py::ssize_t>(cloud.size());
  py::array_t<double> out({n, py::ssize_t{3}});
  double* dst = out.mutable_data();
  {
    py::gil_scoped_release release;
    for (py::ssize_t i = 0; i < n; ++i) {
      dst[3 * i + 0] = offset.x() + cloud.x[i];
      dst[3 * i + 1] = offset.y() + cloud.y[i];
      dst[3 * i + 2] = offset.z() + cloud.z[i];
    }
  }
  return out;
}

std::shared_ptr<Cloud> read(const std::filesystem::path& path, const py::object& format,
                            bool drop_non_finite, const py::object& progress) {
  ProgressBridge bridge(progress);
  formats::ReadOptions options;
  options.drop_non_finite = drop_non_finite;
  options.progress = bridge.callback();
  const std::string format_id = format.is_none() ? std::string() : format.cast<std::string>();
  formats::Expected<formats::CloudFile> file = [&] {
    py::gil_scoped_release release;
    return formats::read_cloud(path, options, format_id);
  }();
  return Cloud::from_file(bridge.unwrap(std::move(file)), path.string());
}

}  // namespace

void bind_clouds(py::module_& m) {
  py::class_<Cloud, std::shared_ptr<Cloud>>(m, "Cloud", R"doc(
A point cloud as the engine reads it: one float32 column per coordinate and attribute.

The columns (``x``, ``y``, ``z``, ``cloud["intensity"]``...) are numpy views of the engine's
buffers: no copy is made, and each array keeps the cloud alive, so it stays valid after the
``Cloud`` is gone. Coordinates [m] are relative to ``origin`` (zero for sensor-frame clouds; a
georeferenced LAS tile gets a local origin so that float32 keeps millimetres): a point in the
file's (LiDAR) frame is ``origin + (x, y, z)``, which ``xyz("lidar")`` computes in float64.
The engine stores each column apart, so the row-major ``to_array()`` and ``to_structured()`` are
copies. A frame of a ``Sequence`` shares its buffers with the sequence's frame cache, so its views
are read-only (``np.array(cloud.x)`` copies one to write to).)doc")
      .def("__len__", [](const Cloud& c) { return c.cloud().size(); })
      .def_property_readonly("x", [](py::object self) { return column_view(self, "x"); },
                             "[m] float32 view, cloud frame (relative to origin)")
      .def_property_readonly("y", [](py::object self) { return column_view(self, "y"); },
                             "[m] float32 view, cloud frame (relative to origin)")
      .def_property_readonly("z", [](py::object self) { return column_view(self, "z"); },
                             "[m] float32 view, cloud frame (relative to origin)")
      .def("__getitem__", &column_view, py::arg("name"),
           "The float32 view of the column `name` (a coordinate or an attribute).")
      .def("__contains__", [](const Cloud& c, const std::string& name) {
        return c.column(name) != nullptr;
      })
      .def_property_readonly("names", &Cloud::names,
                             "Column names: x, y, z, then the attributes in file order.")
      .def_property_readonly(
          "attributes",
          [](py::object self) {
            py::dict out;
            for (const formats::PointAttribute& a : as_cloud(self).cloud().attributes)
              out[py::str(a.name)] = column_view(self, a.name);
            return out;
          },
          "The attributes (not x, y, z) as {name: float32 view}, in file order.")
      .def_property_readonly(
          "origin",
          [](const Cloud& c) {
            py::array_t<double> out(3);
            for (int i = 0; i < 3; ++i) out.mutable_at(i) = c.cloud().origin[i];
            return out;
          },
          "[m] float64 (3,): where the columns' zero lies in the file's (LiDAR) frame.")
      .def_property_readonly(
          "T_lidar_cloud",
          [](const Cloud& c) {
            py::array_t<double> out({4, 4});
            auto T = out.mutable_unchecked<2>();
            const Eigen::Matrix4d M = c.cloud().T_lidar_cloud().matrix();
            for (int r = 0; r < 4; ++r)
              for (int k = 0; k < 4; ++k) T(r, k) = M(r, k);
            return out;
          },
          "float64 (4, 4): the cloud frame (the columns) -> the file's LiDAR frame.")
      .def("xyz", &xyz, py::arg("frame") = "lidar",
           "float64 (N, 3) copy of the coordinates in the 'lidar' frame (origin added) or the "
           "'cloud' frame (as stored).")
      .def("to_array", &stacked, py::arg("columns") = py::none(),
           "float32 (N, k) copy of the chosen columns (default: all, in `names` order), e.g. "
           "cloud.to_array(['x', 'y', 'z', 'intensity']) for a KITTI-style (N, 4).")
      .def("to_structured", &structured,
           "A structured numpy array (copy) with one float32 field per column.")
      .def_property_readonly(
          "bounds",
          [](const Cloud& c) -> py::object {
            const formats::Bounds3d b = c.cloud().bounds();
            if (b.empty()) return py::none();
            return py::make_tuple(py::make_tuple(b.min.x(), b.min.y(), b.min.z()),
                                  py::make_tuple(b.max.x(), b.max.y(), b.max.z()));
          },
          "[m] ((min x, y, z), (max x, y, z)) of the finite points in the LiDAR frame, or None.")
      .def_property_readonly(
          "path", [](const Cloud& c) { return c.path; },
          "The file the cloud was read from: the path given to read_cloud(), or the frame's "
          "cloud file for a Sequence's cloud.")
      .def_property_readonly("format", [](const Cloud& c) { return c.info.format; },
                             "The id of the reader that read the file, e.g. 'kitti-bin'.")
      .def_property_readonly("variant", [](const Cloud& c) { return c.info.variant; },
                             "The file's variant, e.g. 'binary_compressed'.")
      .def_property_readonly("width", [](const Cloud& c) { return c.info.width; },
                             "Organised clouds: points per row; 0 when unorganised.")
      .def_property_readonly("height", [](const Cloud& c) { return c.info.height; },
                             "Organised clouds: rows; 0 when unorganised.")
      .def_property_readonly(
          "dropped_non_finite", [](const Cloud& c) { return c.info.dropped_non_finite; },
          "Points with a NaN or infinite coordinate that read_cloud(drop_non_finite=True) "
          "removed; 0 when kept (the default) or none was found.")
      .def("_buffer_address",
           [](const Cloud& c, const std::string& name) {
             const std::vector<float>* column = c.column(name);
             if (!column) throw py::key_error(name);
             return reinterpret_cast<std::uintptr_t>(column->data());
           },
           "The address of a column's C++ buffer (for zero-copy checks).")
      .def("__repr__", [](const Cloud& c) {
        return "<pcanno.Cloud " + std::to_string(c.cloud().size()) + " points, " +
               c.info.format + ", columns " +
               py::str(py::cast(c.names())).cast<std::string>() + ">";
      });

  m.def("read_cloud", &read, py::arg("path"), py::arg("format") = py::none(), py::kw_only(),
        py::arg("drop_non_finite") = false, py::arg("progress") = py::none(),
        R"doc(
Reads a point cloud: KITTI .bin, nuScenes .pcd.bin, PCD, PLY or LAS (or a plugin's format).

format: a reader id ("kitti-bin", "nuscenes-bin", "pcd", "ply", "las") to force one; by default
the longest matching suffix chooses, then the content. drop_non_finite removes NaN/inf points
(organised PCDs). progress(fraction) is called from the reading thread; returning False cancels
(CancelledError), and an exception it raises is re-raised. The GIL is released while reading.
Raises a pcanno.Error subclass naming the file and the byte offset.)doc");

  m.def(
      "cloud_formats",
      []() {
        py::list out;
        for (const formats::CloudReader& r : formats::default_cloud_readers().readers())
          out.append(py::dict(py::arg("id") = r.id, py::arg("description") = r.description,
                              py::arg("suffixes") = r.suffixes));
        return out;
      },
      "The built-in point-cloud readers: [{'id', 'description', 'suffixes'}].");
}

}  // namespace pcanno::python
