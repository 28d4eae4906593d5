// The read-only records a pcanno.Sequence hands out: FrameInfo, CameraImage, Calibration and
// KittiCalib. They are copies (a sequence is a list of paths and matrices), so they stay valid
// whatever happens to the sequence.
#include <cctype>
#include <optional>
#include <string>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "sequences.hpp"

namespace pcanno::python {
namespace {

py::object optional_pose(const std::optional<geometry::Pose>& pose) {
  return pose ? py::object(pose_array(*pose)) : py::object(py::none());
}

/// The KITTI camera index a channel names ("image_2", "image_02" -> 2), or -1.
int kitti_camera_index(const std::string& channel) {
  if (channel.empty() || !std::isdigit(static_cast<unsigned char>(channel.back()))) return -1;
  const int index = channel.back() - '0';
  return index <= 3 ? index : -1;
}

CameraInfo make_camera_info(const formats::Sequence& seq, std::size_t frame,
                            const formats::CameraImage& image) {
  CameraInfo out;
  out.image = image;
  out.K = image.camera.P.leftCols<3>();
  const formats::Calibration* calibration = seq.calibration_of(frame);
  const int index = kitti_camera_index(image.channel);
  if (calibration != nullptr && calibration->kitti && index >= 0 &&
      calibration->kitti->has_P[static_cast<std::size_t>(index)]) {
    out.K = calibration->kitti->P[static_cast<std::size_t>(index)].leftCols<3>();
  }
  return out;
}

std::string posix(const std::filesystem::path& p) { return p.string(); }

}  // namespace

FrameInfo frame_info(const formats::Sequence& seq, std::size_t i) {
  FrameInfo out;
  out.index = i;
  out.ref = seq.frames[i];
  for (const formats::CameraImage& image : out.ref.images)
    out.images.push_back(make_camera_info(seq, i, image));
  return out;
}

std::optional<CameraInfo> camera_info(const formats::Sequence& seq, std::size_t i,
                                      const std::string& channel) {
  const formats::CameraImage* image = seq.frames[i].image(channel);
  if (image == nullptr) return std::nullopt;
  return make_camera_info(seq, i, *image);
}

void bind_sequence_records(py::module_& m) {
  py::class_<CameraInfo>(m, "CameraImage", R"doc(
One camera image that belongs to a LiDAR frame, with what is needed to project into it.

Frames: ``T_cam_lidar`` maps this frame's LiDAR coordinates into the camera frame (nuScenes: the
camera's own frame at the image's time, so a static point lands where the moving camera saw it;
KITTI: unrectified camera 0, as Tr_velo_to_cam). ``P`` (3, 4) maps camera-frame points to
homogeneous pixels, so ``P @ T_cam_lidar @ [x, y, z, 1]`` projects a LiDAR point exactly as the
KITTI and nuScenes devkits do. The image is not decoded: ``Sequence.image()`` reads it.)doc")
      .def_property_readonly(
          "channel", [](const CameraInfo& c) { return c.image.channel; },
          "'image_2' (KITTI object), 'image_02' (tracking, raw), 'CAM_FRONT'...")
      .def_property_readonly(
          "path", [](const CameraInfo& c) { return posix(c.image.path); },
          "The image file (it may be missing on disk).")
      .def_property_readonly(
          "timestamp_us",
          [](const CameraInfo& c) -> py::object {
            if (c.image.timestamp_us < 0) return py::none();
            return py::int_(c.image.timestamp_us);
          },
          "[us] when the image was taken, or None when unknown.")
      .def_property_readonly(
          "width", [](const CameraInfo& c) { return c.image.camera.width; },
          "[px] image width; 0 when the dataset does not say.")
      .def_property_readonly(
          "height", [](const CameraInfo& c) { return c.image.camera.height; },
          "[px] image height; 0 when the dataset does not say.")
      .def_property_readonly(
          "P", [](const CameraInfo& c) { return matrix_array(c.image.camera.P); },
          "float64 (3, 4) [px]: camera frame -> homogeneous pixels. KITTI: "
          "P_rect_0i @ R_rect_00 (padded); nuScenes: [K | 0].")
      .def_property_readonly(
          "K", [](const CameraInfo& c) { return matrix_array(c.K); },
          "float64 (3, 3) [px] intrinsics: nuScenes camera_intrinsic; KITTI "
          "P_rect_0i[:, :3] of the rectified camera.")
      .def_property_readonly(
          "T_cam_lidar", [](const CameraInfo& c) { return pose_array(c.image.T_cam_lidar); },
          "float64 (4, 4): this frame's LiDAR frame -> the camera frame.")
      .def_property_readonly(
          "T_ego_camera", [](const CameraInfo& c) { return optional_pose(c.image.T_ego_camera); },
          "float64 (4, 4) camera -> ego body (nuScenes calibrated_sensor), or None (KITTI).")
      .def_property_readonly(
          "T_world_ego", [](const CameraInfo& c) { return optional_pose(c.image.T_world_ego); },
          "float64 (4, 4) ego body at the image's time -> world (nuScenes ego_pose), or None.")
      .def_property_readonly(
          "sample_data_token", [](const CameraInfo& c) { return c.image.sample_data_token; },
          "nuScenes/Lyft: the image's sample_data token; '' elsewhere.")
      .def("__repr__", [](const CameraInfo& c) {
        return "<pcanno.CameraImage " + c.image.channel + " " +
               std::to_string(c.image.camera.width) + "x" + std::to_string(c.image.camera.height) +
               " " + posix(c.image.path) + ">";
      });

  py::class_<FrameInfo>(m, "FrameInfo", R"doc(
What a sequence knows about one frame without reading its cloud: the file, time, pose and images.
``Sequence.frame_info(i)`` returns it; ``Sequence[i]`` reads the cloud.)doc")
      .def_property_readonly(
          "index", [](const FrameInfo& f) { return f.index; },
          "Position of the frame in the sequence (time order).")
      .def_property_readonly(
          "name", [](const FrameInfo& f) { return f.ref.name; },
          "'000042' (KITTI), the sample_data token (nuScenes), the file stem "
          "(folder).")
      .def_property_readonly(
          "cloud_path", [](const FrameInfo& f) { return posix(f.ref.cloud_path); },
          "The frame's point-cloud file.")
      .def_property_readonly(
          "format", [](const FrameInfo& f) { return f.ref.format; },
          "The reader id the cloud is read with, e.g. 'kitti-bin'.")
      .def_property_readonly(
          "timestamp_us",
          [](const FrameInfo& f) -> py::object {
            if (f.ref.timestamp_us < 0) return py::none();
            return py::int_(f.ref.timestamp_us);
          },
          "[us] since the epoch (nuScenes, KITTI raw) or the sequence start (KITTI tracking: "
          "nominal 10 Hz from the frame number), or None when unknown.")
      .def_property_readonly(
          "is_keyframe", [](const FrameInfo& f) { return f.ref.is_keyframe; },
          "nuScenes: an annotated 2 Hz sample (sweeps are not); True elsewhere.")
      .def_property_readonly(
          "sample_token", [](const FrameInfo& f) { return f.ref.sample_token; },
          "nuScenes: the sample of a keyframe; '' elsewhere.")
      .def_property_readonly(
          "calibration",
          [](const FrameInfo& f) -> py::object {
            if (f.ref.calibration < 0) return py::none();
            return py::int_(f.ref.calibration);
          },
          "Index into Sequence.calibrations, or None when the frame has none.")
      .def_property_readonly(
          "T_world_lidar", [](const FrameInfo& f) { return optional_pose(f.ref.T_world_lidar); },
          "float64 (4, 4): LiDAR frame -> the sequence's world frame (KITTI: oxts, relative to "
          "the first record; nuScenes: ego_pose @ calibrated_sensor), or None without a pose.")
      .def_property_readonly(
          "images",
          [](const FrameInfo& f) {
            py::dict out;
            for (const CameraInfo& c : f.images) out[py::str(c.image.channel)] = py::cast(c);
            return out;
          },
          "{channel: CameraImage} of the cameras with an image for this frame, in camera order.")
      .def("__repr__", [](const FrameInfo& f) {
        return "<pcanno.FrameInfo " + std::to_string(f.index) + " '" + f.ref.name + "' " +
               posix(f.ref.cloud_path) + ">";
      });

  py::class_<formats::KittiCalib>(m, "KittiCalib", R"doc(
KITTI calibration (object calib/NNNNNN.txt, tracking calib/SSSS.txt, or a raw drive's
calib_*_to_*.txt), as stored in the file (not orthonormalised). All matrices are float64 copies.)doc")
      .def_property_readonly(
          "P",
          [](const formats::KittiCalib& c) {
            py::array_t<double> out({4, 3, 4});
            auto view = out.mutable_unchecked<3>();
            for (int k = 0; k < 4; ++k)
              for (int r = 0; r < 3; ++r)
                for (int col = 0; col < 4; ++col)
                  view(k, r, col) = c.P[static_cast<std::size_t>(k)](r, col);
            return out;
          },
          "float64 (4, 3, 4) [px]: P0..P3, rectified camera i -> pixels; zero where absent.")
      .def_property_readonly(
          "has_P",
          [](const formats::KittiCalib& c) {
            return std::vector<bool>(c.has_P.begin(), c.has_P.end());
          },
          "Which of P0..P3 the file had.")
      .def_property_readonly(
          "R0_rect", [](const formats::KittiCalib& c) { return matrix_array(c.R0_rect); },
          "float64 (3, 3): unrectified -> rectified camera 0.")
      .def_property_readonly(
          "Tr_velo_to_cam",
          [](const formats::KittiCalib& c) { return matrix_array(c.Tr_velo_to_cam); },
          "float64 (3, 4) [R|t]: Velodyne -> unrectified camera 0, t [m].")
      .def_property_readonly(
          "T_cam_lidar",
          [](const formats::KittiCalib& c) {
            Eigen::Matrix4d T = Eigen::Matrix4d::Identity();
            T.topRows<3>() = c.Tr_velo_to_cam;
            return matrix_array(T);
          },
          "float64 (4, 4): Tr_velo_to_cam padded; LiDAR -> unrectified camera 0.")
      .def_property_readonly(
          "T_rect_velo", [](const formats::KittiCalib& c) { return matrix_array(c.T_rect_velo()); },
          "float64 (4, 4): LiDAR -> rectified camera 0 (the labels' frame), "
          "R0_rect @ Tr_velo_to_cam.")
      .def_property_readonly(
          "Tr_imu_to_velo",
          [](const formats::KittiCalib& c) -> py::object {
            if (!c.has_imu_to_velo) return py::none();
            return matrix_array(c.Tr_imu_to_velo);
          },
          "float64 (3, 4) [R|t]: IMU (oxts) -> Velodyne, or None when the file has none.");

  py::class_<formats::Calibration>(m, "Calibration", R"doc(
What a sequence knows about its sensors. A KITTI object frame has one each; a tracking sequence, a
raw drive or a nuScenes scene share one (nuScenes: one per distinct LiDAR calibrated_sensor).)doc")
      .def_property_readonly(
          "kitti",
          [](const formats::Calibration& c) -> py::object {
            if (!c.kitti) return py::none();
            return py::cast(*c.kitti);
          },
          "The KittiCalib of KITTI layouts, else None.")
      .def_property_readonly(
          "T_ego_lidar", [](const formats::Calibration& c) { return optional_pose(c.T_ego_lidar); },
          "float64 (4, 4): LiDAR -> vehicle body (nuScenes calibrated_sensor; "
          "KITTI: inverse of Tr_imu_to_velo), or None.")
      .def_property_readonly(
          "source", [](const formats::Calibration& c) { return posix(c.source); },
          "The file the calibration came from.");

  m.def(
      "read_kitti_calib",
      [](const std::filesystem::path& path) {
        formats::Expected<formats::KittiCalib> calib = [&] {
          py::gil_scoped_release release;
          return formats::read_kitti_calib(path);
        }();
        return unwrap(std::move(calib));
      },
      py::arg("path"), R"doc(
Reads a KITTI object or tracking calibration file (either key spelling) as a KittiCalib.
Raises NotFoundError for a missing file and MalformedError naming the file and line of a bad entry
(a wrong count of numbers, a token that is not a number, a key given twice).)doc");
}

}  // namespace pcanno::python
