#pragma once
// What the two halves of the sequence bindings share: sequences_meta.cpp (the read-only frame,
// camera and calibration records) and sequences.cpp (pcanno.Sequence, its cache and images).
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "bindings.hpp"
#include "pcanno/formats/datasets/sequence.hpp"

namespace pcanno::python {

/// A float64 copy of a fixed-size Eigen matrix, rows x cols as numpy shows it (row-major).
template <typename Derived>
py::array_t<double> matrix_array(const Eigen::MatrixBase<Derived>& m) {
  py::array_t<double> out({static_cast<py::ssize_t>(m.rows()), static_cast<py::ssize_t>(m.cols())});
  auto view = out.template mutable_unchecked<2>();
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c) view(r, c) = m(r, c);
  return out;
}

/// A pose as a float64 (4, 4) array.
inline py::array_t<double> pose_array(const geometry::Pose& pose) {
  return matrix_array(pose.matrix());
}

/// One camera image of a frame with the intrinsics spelled out (pcanno.CameraImage).
struct CameraInfo {
  formats::CameraImage image;
  /// [px] the intrinsic matrix: nuScenes/Lyft camera_intrinsic (P = [K | 0]); KITTI the rectified
  /// camera's P_rect_0i[:, :3] (its P also carries R_rect_00 and the stereo baseline).
  Eigen::Matrix3d K = Eigen::Matrix3d::Identity();
};

/// One frame's record (pcanno.FrameInfo): the engine's FrameRef and its index.
struct FrameInfo {
  std::size_t index = 0;
  formats::FrameRef ref;
  std::vector<CameraInfo> images;
};

/// The record of frame `i` (in range) of `seq`.
FrameInfo frame_info(const formats::Sequence& seq, std::size_t i);
/// The camera record of `channel` in frame `i`, or nullopt when the frame has no such image.
std::optional<CameraInfo> camera_info(const formats::Sequence& seq, std::size_t i,
                                      const std::string& channel);

/// The engine sequence behind a pcanno.Sequence, for other bindings that accept one (shared: it
/// stays valid after the Python object is gone); null when `object` is not a pcanno.Sequence.
std::shared_ptr<const formats::Sequence> sequence_of(py::handle object);

/// The options a pcanno.Sequence was opened with (its resolved name and layout, version, sweeps),
/// for a binding that must open it again from its root (Session.open: the engine opens its
/// dataset itself); none when `object` is not a pcanno.Sequence.
std::optional<formats::SequenceOptions> sequence_options_of(py::handle object);

/// sequence_of() for an argument that comes with a `sequence_name`: the pcanno.Sequence is used as
/// it was opened (sweeps, scene, readers), never reopened, so a `name` that is neither empty nor
/// its own is a pcanno.InvalidArgumentError. Null when `object` is not a pcanno.Sequence.
std::shared_ptr<const formats::Sequence> given_sequence(py::handle object, const std::string& name);

/// pcanno.FrameInfo, CameraImage, Calibration and KittiCalib, and read_kitti_calib().
void bind_sequence_records(py::module_& m);

}  // namespace pcanno::python
