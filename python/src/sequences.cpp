// pcanno.open_sequence and pcanno.Sequence: a dataset's frames with their times, poses, calibration
// and cameras; clouds come through the engine's FrameCache (background prefetch in the direction
// of travel) as zero-copy pcanno.Cloud objects, images as numpy arrays over the decoder's buffer.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "cloud_object.hpp"
#include "pcanno/formats/datasets/frame_cache.hpp"
#include "pcanno/formats/datasets/image.hpp"
#include "pcanno/plugin/sequence_frames.hpp"
#include "sequences.hpp"

namespace pcanno::python {
namespace {

namespace fs = std::filesystem;

/// What pcanno.Sequence holds: the engine's sequence and the cache its frames are read through,
/// made on first use so that listing a dataset costs no threads.
struct SequenceHandle {
  std::shared_ptr<const formats::Sequence> seq;
  formats::SequenceOptions options;  ///< what it was opened with (sequence_options_of())
  formats::FrameCacheOptions cache_options;
  formats::ReadOptions read_options;
  bool decode_images = false;         ///< the cache also decodes (and prefetches) images
  std::vector<std::string> channels;  ///< which ones; empty: every camera
  std::unique_ptr<formats::FrameCache> cache;
  std::mutex cache_mutex;  ///< guards the creation of `cache` (get() itself is thread-safe)

  formats::FrameCache& frame_cache() {
    std::lock_guard<std::mutex> lock(cache_mutex);
    if (!cache) {
      formats::ImageDecoder decoder;
      if (decode_images) decoder = formats::file_image_decoder();
      cache = std::make_unique<formats::FrameCache>(
          formats::make_frame_cache(*seq, cache_options, read_options, decoder, channels));
    }
    return *cache;
  }
};

using Handle = std::shared_ptr<SequenceHandle>;

/// `i` as a frame index: negative counts from the end; out of range is IndexError.
std::size_t frame_index(const SequenceHandle& h, std::int64_t i) {
  const auto n = static_cast<std::int64_t>(h.seq->size());
  const std::int64_t k = i < 0 ? i + n : i;
  if (k < 0 || k >= n) {
    throw py::index_error("frame " + std::to_string(i) + " is outside the sequence's " +
                          std::to_string(n) + " frames");
  }
  return static_cast<std::size_t>(k);
}

/// The frame from the cache, as a Cloud sharing the cache's buffers. The shared pointer keeps the
/// points alive after the cache evicts them.
std::shared_ptr<Cloud> load_cloud(SequenceHandle& h, std::size_t i) {
  formats::FrameCache& cache = h.frame_cache();
  formats::Expected<formats::FrameCache::FramePtr> frame = [&] {
    py::gil_scoped_release release;
    return cache.get(i);
  }();
  auto out = std::make_shared<Cloud>();
  out->points = unwrap(std::move(frame));
  out->info.format = h.seq->frames[i].format;
  out->path = h.seq->frames[i].cloud_path.string();
  out->shared = true;
  return out;
}

/// A uint8 (H, W, 3) view of a decoded image that keeps `image` alive.
py::array_t<std::uint8_t> image_view(std::shared_ptr<const formats::Image> image, bool writable) {
  const auto h = static_cast<py::ssize_t>(image->height);
  const auto w = static_cast<py::ssize_t>(image->width);
  auto* data = const_cast<std::uint8_t*>(image->rgb.data());
  py::capsule owner(new std::shared_ptr<const formats::Image>(std::move(image)),
                    [](void* p) { delete static_cast<std::shared_ptr<const formats::Image>*>(p); });
  py::array_t<std::uint8_t> out = array_view(data, {h, w, 3}, {w * 3, 3, 1}, owner);
  if (!writable) out.attr("setflags")(py::arg("write") = false);
  return out;
}

py::array_t<std::uint8_t> read_image(SequenceHandle& h, const std::string& camera,
                                     std::int64_t index) {
  const std::size_t i = frame_index(h, index);
  const formats::FrameRef& frame = h.seq->frames[i];
  std::size_t slot = frame.images.size();
  for (std::size_t k = 0; k < frame.images.size(); ++k)
    if (frame.images[k].channel == camera) slot = k;
  if (slot == frame.images.size()) {
    std::string known;
    for (const std::string& c : h.seq->cameras) known += (known.empty() ? "" : ", ") + c;
    throw py::key_error("frame " + std::to_string(i) + " has no image of camera '" + camera +
                        "' (the sequence's cameras: " + (known.empty() ? "none" : known) + ")");
  }
  const bool cached = h.decode_images &&
                      (h.channels.empty() ||
                       std::find(h.channels.begin(), h.channels.end(), camera) != h.channels.end());
  if (cached) {
    // The cache decoded it with the frame (and prefetches the next ones); its buffer is shared.
    formats::FrameCache& cache = h.frame_cache();
    formats::Expected<formats::FrameCache::LoadedFramePtr> loaded = [&] {
      py::gil_scoped_release release;
      return cache.get_frame(i);
    }();
    formats::FrameCache::LoadedFramePtr frame_data = unwrap(std::move(loaded));
    // The cache keeps a failed image's message but not its error code: fall through to decoding
    // it here, which raises the right pcanno.Error subclass (or succeeds if the file was fixed).
    if (frame_data->images[slot]) {
      return image_view(
          std::shared_ptr<const formats::Image>(frame_data, frame_data->images[slot].get()), false);
    }
  }
  formats::Expected<formats::Image> decoded = [&] {
    py::gil_scoped_release release;
    return formats::decode_image(frame.images[slot].path);
  }();
  return image_view(std::make_shared<const formats::Image>(unwrap(std::move(decoded))), true);
}

py::array_t<std::int64_t> timestamps(const SequenceHandle& h) {
  py::array_t<std::int64_t> out(static_cast<py::ssize_t>(h.seq->size()));
  auto view = out.mutable_unchecked<1>();
  for (std::size_t i = 0; i < h.seq->size(); ++i)
    view(static_cast<py::ssize_t>(i)) = h.seq->frames[i].timestamp_us;
  return out;
}

py::array_t<double> stacked_poses(const SequenceHandle& h) {
  const auto n = static_cast<py::ssize_t>(h.seq->size());
  py::array_t<double> out({n, py::ssize_t{4}, py::ssize_t{4}});
  auto view = out.mutable_unchecked<3>();
  for (py::ssize_t i = 0; i < n; ++i) {
    const auto& pose = h.seq->frames[static_cast<std::size_t>(i)].T_world_lidar;
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 4; ++c)
        view(i, r, c) = pose ? pose->matrix()(r, c) : std::numeric_limits<double>::quiet_NaN();
  }
  return out;
}

py::dict cache_stats(SequenceHandle& h) {
  formats::FrameCache& cache = h.frame_cache();
  const formats::FrameCache::Stats s = cache.stats();
  py::dict out;
  out["hits"] = s.hits;
  out["prefetch_hits"] = s.prefetch_hits;
  out["misses"] = s.misses;
  out["waits"] = s.waits;
  out["loads"] = s.loads;
  out["evictions"] = s.evictions;
  out["cancelled"] = s.cancelled;
  out["prefetch_skipped"] = s.prefetch_skipped;
  out["peak_bytes"] = s.peak_bytes;
  out["bytes"] = cache.bytes();
  out["max_bytes"] = cache.max_bytes();
  return out;
}

/// Iterates a sequence's frames forward or backward through its cache.
struct FrameIterator {
  Handle handle;
  std::int64_t next = 0;
  std::int64_t step = 1;
};

formats::SequenceOptions sequence_options(const py::object& name, const py::object& layout,
                                          const py::object& version, bool sweeps) {
  formats::SequenceOptions options;
  // str(): a KITTI tracking number may be given as an int (3 -> "3" -> "0003").
  if (!name.is_none()) options.name = py::str(name).cast<std::string>();
  if (!layout.is_none()) options.layout = layout.cast<std::string>();
  if (!version.is_none()) options.nuscenes_version = version.cast<std::string>();
  options.include_sweeps = sweeps;
  return options;
}

Handle open(const fs::path& path, const py::object& name, const py::object& layout,
            const py::object& version, bool sweeps, std::size_t cache_bytes,
            std::size_t prefetch_ahead, std::size_t prefetch_behind, std::size_t threads,
            const py::object& images, bool drop_non_finite) {
  const formats::SequenceOptions options = sequence_options(name, layout, version, sweeps);
  auto handle = std::make_shared<SequenceHandle>();
  handle->cache_options.max_bytes = cache_bytes;
  handle->cache_options.prefetch_ahead = prefetch_ahead;
  handle->cache_options.prefetch_behind = prefetch_behind;
  handle->cache_options.threads = threads;
  handle->read_options.drop_non_finite = drop_non_finite;
  if (py::isinstance<py::bool_>(images)) {
    handle->decode_images = images.cast<bool>();
  } else if (py::isinstance<py::str>(images)) {
    // A str is a sequence of characters to Python: take it as one channel, as meant.
    handle->decode_images = true;
    handle->channels = {images.cast<std::string>()};
  } else if (!images.is_none()) {
    handle->decode_images = true;
    try {
      handle->channels = images.cast<std::vector<std::string>>();
    } catch (const py::cast_error&) {
      throw py::type_error("images: expected True/False, a camera channel or a list of them, got " +
                           py::str(py::type::of(images)).cast<std::string>());
    }
  }
  formats::Expected<formats::Sequence> opened = [&] {
    py::gil_scoped_release release;
    return formats::open_sequence(path, options);
  }();
  handle->seq = std::make_shared<const formats::Sequence>(unwrap(std::move(opened)));
  handle->options = options;
  for (const std::string& channel : handle->channels) {
    const std::vector<std::string>& cameras = handle->seq->cameras;
    if (std::find(cameras.begin(), cameras.end(), channel) != cameras.end()) continue;
    std::string known;
    for (const std::string& c : cameras) known += (known.empty() ? "" : ", ") + c;
    raise_error(formats::Error{formats::ErrorCode::kInvalidArgument,
                               "images: no camera channel '" + channel + "' in this sequence (" +
                                   (known.empty() ? std::string("it has no cameras") : known) + ")",
                               path.string()});
  }
  if (sweeps && !plugin::layout_has_sweeps(handle->seq->layout)) {
    // As the CLI's --sweeps: asking for sweeps of a layout without them is a mistake, not a no-op.
    raise_error(formats::Error{formats::ErrorCode::kInvalidArgument,
                               "sweeps=True: this is a " + handle->seq->layout +
                                   " dataset, which has no sweeps (only nuScenes and Lyft scenes "
                                   "have LiDAR sweeps between their keyframes)",
                               path.string()});
  }
  return handle;
}

}  // namespace

std::shared_ptr<const formats::Sequence> sequence_of(py::handle object) {
  if (!py::isinstance<SequenceHandle>(object)) return nullptr;
  return object.cast<const SequenceHandle&>().seq;
}

std::optional<formats::SequenceOptions> sequence_options_of(py::handle object) {
  if (!py::isinstance<SequenceHandle>(object)) return std::nullopt;
  const SequenceHandle& handle = object.cast<const SequenceHandle&>();
  formats::SequenceOptions options = handle.options;
  options.name = handle.seq->name;  // what a default name resolved to
  options.layout = handle.seq->layout;
  return options;
}

std::shared_ptr<const formats::Sequence> given_sequence(py::handle object,
                                                        const std::string& name) {
  std::shared_ptr<const formats::Sequence> seq = sequence_of(object);
  if (seq && !name.empty() && name != seq->name) {
    raise_error(formats::Error{formats::ErrorCode::kInvalidArgument,
                               "sequence_name: '" + name + "' is not the pcanno.Sequence's '" +
                                   seq->name + "'; open that sequence, or pass its path",
                               seq->root.string()});
  }
  return seq;
}

void bind_sequences(py::module_& m) {
  bind_sequence_records(m);

  py::class_<FrameIterator>(m, "FrameIterator",
                            "Iterates a Sequence's clouds in order through its frame cache.")
      .def("__iter__", [](py::object self) { return self; })
      .def("__next__", [](FrameIterator& it) {
        const auto n = static_cast<std::int64_t>(it.handle->seq->size());
        if (it.next < 0 || it.next >= n) throw py::stop_iteration();
        const std::size_t i = static_cast<std::size_t>(it.next);
        it.next += it.step;
        return load_cloud(*it.handle, i);
      });

  py::class_<SequenceHandle, Handle>(m, "Sequence", R"doc(
An ordered set of LiDAR frames of a dataset (KITTI tracking/object/raw, nuScenes/Lyft, or a folder
of clouds) with timing, calibration, poses and cameras. ``pcanno.open_sequence()`` makes one.

``seq[i]`` / ``seq.frame(i)`` reads frame i as a ``pcanno.Cloud`` and ``for cloud in seq`` reads
them in order, both through the engine's FrameCache: the next frames are loaded on a background
thread in the direction of travel, and a cloud's arrays share the cache's buffers (no copy,
read-only, kept alive by the arrays after the cache drops the frame). The cache keeps the points,
not the reader's file details: such a cloud's ``variant`` is empty and ``width``/``height`` are 0
(``read_cloud(seq.cloud_paths[i])`` gives them). Per-frame metadata needs no read:
``timestamps_us``, ``T_world_lidar``, ``frame_info(i)``, ``image_paths(camera)`` (each property
access builds a new array).

Frames of reference: clouds are in each frame's LiDAR frame; ``T_world_lidar[i]`` maps them into
the sequence's world frame (KITTI: oxts east-north-up relative to the first record; nuScenes: the
log's map frame).)doc")
      .def("__len__", [](const SequenceHandle& h) { return h.seq->size(); })
      .def_property_readonly(
          "layout", [](const SequenceHandle& h) { return h.seq->layout; },
          "'kitti-tracking', 'kitti-object', 'kitti-raw', 'nuscenes' or 'folder'.")
      .def_property_readonly(
          "name", [](const SequenceHandle& h) { return h.seq->name; },
          "'0000', 'scene-0061', the drive or folder name.")
      .def_property_readonly(
          "root", [](const SequenceHandle& h) { return h.seq->root.string(); },
          "The folder that was opened (KITTI: the one holding velodyne/).")
      .def_property_readonly(
          "labels",
          [](const SequenceHandle& h) -> py::object {
            if (h.seq->labels.empty()) return py::none();
            return py::str(h.seq->labels.string());
          },
          "The layout's label file or folder (label_02/SSSS.txt, label_2/, the nuScenes tables), "
          "or None.")
      .def_property_readonly(
          "warnings", [](const SequenceHandle& h) { return h.seq->warnings; },
          "Tolerated deviations: nominal times, missing oxts or files...")
      .def_property_readonly(
          "cameras", [](const SequenceHandle& h) { return h.seq->cameras; },
          "Camera channels with an image in some frame, in display order.")
      .def_property_readonly(
          "frame_names",
          [](const SequenceHandle& h) {
            std::vector<std::string> out;
            for (const auto& f : h.seq->frames) out.push_back(f.name);
            return out;
          },
          "Frame names: '000042' (KITTI), sample_data tokens (nuScenes), stems.")
      .def_property_readonly(
          "cloud_paths",
          [](const SequenceHandle& h) {
            std::vector<std::string> out;
            for (const auto& f : h.seq->frames) out.push_back(f.cloud_path.string());
            return out;
          },
          "Each frame's point-cloud file, in frame order.")
      .def_property_readonly("timestamps_us", &timestamps,
                             "int64 (F,) [us] per frame; -1 where unknown. KITTI tracking has no "
                             "times: nominal 10 Hz from the frame numbers (see warnings).")
      .def_property_readonly(
          "has_timestamps", [](const SequenceHandle& h) { return h.seq->has_timestamps(); },
          "Every frame has a timestamp.")
      .def_property_readonly(
          "has_poses", [](const SequenceHandle& h) { return h.seq->has_poses(); },
          "Every frame has T_world_lidar.")
      .def_property_readonly(
          "has_pose",
          [](const SequenceHandle& h) {
            py::array_t<bool> out(static_cast<py::ssize_t>(h.seq->size()));
            for (std::size_t i = 0; i < h.seq->size(); ++i)
              out.mutable_at(static_cast<py::ssize_t>(i)) =
                  h.seq->frames[i].T_world_lidar.has_value();
            return out;
          },
          "bool (F,): which frames have a pose.")
      .def_property_readonly("T_world_lidar", &stacked_poses,
                             "float64 (F, 4, 4): each frame's LiDAR frame -> the world frame; NaN "
                             "for frames without a pose (see has_pose).")
      .def(
          "pose",
          [](const SequenceHandle& h, std::int64_t i) -> py::object {
            const auto& pose = h.seq->frames[frame_index(h, i)].T_world_lidar;
            return pose ? py::object(pose_array(*pose)) : py::object(py::none());
          },
          py::arg("i"), "float64 (4, 4) T_world_lidar of frame i, or None without a pose.")
      .def_property_readonly(
          "has_calibration", [](const SequenceHandle& h) { return h.seq->has_calibration(); },
          "The sequence has at least one Calibration.")
      .def_property_readonly(
          "calibrations", [](const SequenceHandle& h) { return h.seq->calibrations; },
          "Every Calibration of the sequence; FrameInfo.calibration indexes it.")
      .def(
          "calibration_of",
          [](const SequenceHandle& h, std::int64_t i) -> py::object {
            const formats::Calibration* c = h.seq->calibration_of(frame_index(h, i));
            return c ? py::cast(*c) : py::object(py::none());
          },
          py::arg("i"), "The Calibration of frame i, or None.")
      .def(
          "frame_info",
          [](const SequenceHandle& h, std::int64_t i) {
            return frame_info(*h.seq, frame_index(h, i));
          },
          py::arg("i"), "The FrameInfo of frame i (no file is read).")
      .def(
          "camera_image",
          [](const SequenceHandle& h, const std::string& camera, std::int64_t i) -> py::object {
            auto info = camera_info(*h.seq, frame_index(h, i), camera);
            return info ? py::cast(std::move(*info)) : py::object(py::none());
          },
          py::arg("camera"), py::arg("i"),
          "The CameraImage (path, P, K, T_cam_lidar, size) of `camera` in frame i, or None.")
      .def(
          "image_paths",
          [](const SequenceHandle& h, const std::string& camera) {
            py::list out;
            for (const auto& f : h.seq->frames) {
              const formats::CameraImage* image = f.image(camera);
              out.append(image ? py::object(py::str(image->path.string()))
                               : py::object(py::none()));
            }
            return out;
          },
          py::arg("camera"), "The image file of `camera` per frame (None where it has none).")
      .def(
          "frame",
          [](const Handle& h, std::int64_t i) { return load_cloud(*h, frame_index(*h, i)); },
          py::arg("i"), "Reads frame i through the cache (see the class doc); the GIL is released.")
      .def(
          "__getitem__",
          [](const Handle& h, std::int64_t i) { return load_cloud(*h, frame_index(*h, i)); },
          py::arg("i"), "seq[i] is seq.frame(i); negative indices count from the end.")
      .def(
          "__iter__",
          [](const Handle& h) {
            return FrameIterator{h, 0, 1};
          },
          "Frames 0, 1, ... as Clouds; the cache prefetches the next ones.")
      .def(
          "__reversed__",
          [](const Handle& h) {
            return FrameIterator{h, static_cast<std::int64_t>(h->seq->size()) - 1, -1};
          },
          "Frames last to first; the cache prefetches backwards.")
      .def(
          "image",
          [](const Handle& h, const std::string& camera, std::int64_t i) {
            return read_image(*h, camera, i);
          },
          py::arg("camera"), py::arg("i"), R"doc(
The image of `camera` in frame i as uint8 (H, W, 3) RGB, rows top to bottom. It is a view of the
decoder's buffer (no copy). With open_sequence(images=...) covering the camera it comes from the
frame cache, which prefetches images with their clouds, and is read-only; otherwise it is decoded
now and writable. KeyError when the frame has no image of that camera; NotFoundError,
MalformedError or TruncatedError for a missing or damaged file.)doc")
      .def(
          "cached",
          [](SequenceHandle& h, std::int64_t i) {
            return h.frame_cache().contains(frame_index(h, i));
          },
          py::arg("i"), "Whether frame i is in the cache now (a prefetch may still be running).")
      .def("cache_stats", &cache_stats, R"doc(
The frame cache's counters: hits, prefetch_hits (hits on frames a prefetch loaded), misses,
waits, loads, evictions, cancelled, prefetch_skipped, peak_bytes, bytes, max_bytes.)doc")
      .def("__repr__", [](const SequenceHandle& h) {
        return "<pcanno.Sequence " + h.seq->layout + " '" + h.seq->name + "', " +
               std::to_string(h.seq->size()) + " frames>";
      });

  m.def("open_sequence", &open, py::arg("path"), py::arg("name") = py::none(), py::kw_only(),
        py::arg("layout") = py::none(), py::arg("version") = py::none(), py::arg("sweeps") = false,
        py::arg("cache_bytes") = std::size_t{1} << 30, py::arg("prefetch_ahead") = 3,
        py::arg("prefetch_behind") = 1, py::arg("threads") = 1, py::arg("images") = false,
        py::arg("drop_non_finite") = false, R"doc(
Opens one sequence of a dataset folder; the layout is detected as ``pcanno info`` does.

name: the KITTI tracking sequence ('0003' or '3') or nuScenes/Lyft scene ('scene-0061'); default
the first one (list_sequences() lists them). layout forces 'kitti-tracking', 'kitti-object',
'kitti-raw', 'nuscenes' or 'folder'; version the nuScenes table folder ('v1.0-mini'; detected by
default); sweeps=True lists every nuScenes LIDAR_TOP sweep, not only keyframes
(InvalidArgumentError for a layout without sweeps).
Frame cache: cache_bytes bounds it [bytes]; prefetch_ahead / prefetch_behind frames are loaded
around the last frame read by `threads` background loaders (0: no prefetch). images=True (or a
list of channels) makes the cache decode and prefetch camera images with the clouds.
Raises NotFoundError (missing folder, unknown sequence name listing the available ones),
UnknownFormatError (no layout recognised), MalformedError (a bad calibration file, with its line).)doc");

  m.def(
      "list_sequences",
      [](const fs::path& path, const py::object& layout, const py::object& version, bool sweeps) {
        const formats::SequenceOptions options =
            sequence_options(py::none(), layout, version, sweeps);
        formats::Expected<std::vector<formats::SequenceSummary>> all = [&] {
          py::gil_scoped_release release;
          return formats::list_sequences(path, options);
        }();
        py::list out;
        for (const auto& s : unwrap(std::move(all)))
          out.append(py::dict(py::arg("layout") = s.layout, py::arg("name") = s.name,
                              py::arg("frames") = s.frames));
        return out;
      },
      py::arg("path"), py::kw_only(), py::arg("layout") = py::none(),
      py::arg("version") = py::none(), py::arg("sweeps") = false,
      "Every sequence `path` holds as [{'layout', 'name', 'frames'}] (all KITTI tracking "
      "sequences, all nuScenes scenes, else the one sequence).");

  m.def(
      "detect_layout",
      [](const fs::path& path) -> py::object {
        const std::string layout = formats::detect_layout(path);
        return layout.empty() ? py::object(py::none()) : py::object(py::str(layout));
      },
      py::arg("path"), "The dataset layout `path` looks like, or None; no file is parsed.");

  m.def(
      "read_image",
      [](const fs::path& path) {
        formats::Expected<formats::Image> decoded = [&] {
          py::gil_scoped_release release;
          return formats::decode_image(path);
        }();
        return image_view(std::make_shared<const formats::Image>(unwrap(std::move(decoded))), true);
      },
      py::arg("path"),
      "Decodes a PNG or JPEG file to uint8 (H, W, 3) RGB (a view of the decoder's buffer, no "
      "copy). NotFoundError, MalformedError or TruncatedError for a missing or damaged file.");
}

}  // namespace pcanno::python
