#pragma once
#include <array>
#include <filesystem>
#include <string>
#include <string_view>

#include <Eigen/Core>

#include "pcanno/formats/support/expected.hpp"

namespace pcanno::formats {

/// KITTI object (`calib/NNNNNN.txt`) or tracking (`calib/SSSS.txt`) calibration, formats.md 2.3
/// and 4.2. Matrices are as stored (row-major in the file), not orthonormalised: the exact KITTI
/// <-> LiDAR round trip depends on using them unchanged.
struct KittiCalib {
  /// Projections of rectified cameras 0-3 [px]; P[2] is the left colour camera (image_2). Zero when
  /// absent.
  std::array<Eigen::Matrix<double, 3, 4>, 4> P{
      Eigen::Matrix<double, 3, 4>::Zero(), Eigen::Matrix<double, 3, 4>::Zero(),
      Eigen::Matrix<double, 3, 4>::Zero(), Eigen::Matrix<double, 3, 4>::Zero()};
  std::array<bool, 4> has_P{};  ///< which P lines the file had; P2 is always present after parsing

  Eigen::Matrix3d R0_rect = Eigen::Matrix3d::Identity();  ///< unrectified -> rectified camera 0
  /// [R|t] Velodyne -> unrectified camera 0, t [m].
  Eigen::Matrix<double, 3, 4> Tr_velo_to_cam = Eigen::Matrix<double, 3, 4>::Identity();
  /// [R|t] IMU (oxts) -> Velodyne, t [m]; identity when absent.
  Eigen::Matrix<double, 3, 4> Tr_imu_to_velo = Eigen::Matrix<double, 3, 4>::Identity();
  bool has_imu_to_velo = false;

  /// Velodyne -> rectified camera 0 (the frame of the labels): R0_rect * Tr_velo_to_cam, padded to
  /// 4x4.
  Eigen::Matrix4d T_rect_velo() const;
};

/// Parses calibration text. Accepts both key spellings (object `R0_rect:`, `Tr_velo_to_cam:`,
/// `Tr_imu_to_velo:`; tracking `R_rect`, `Tr_velo_cam`, `Tr_imu_velo`), each with or without a
/// colon, with trailing blanks, CRLF and empty lines; other keys (raw-data `P_rect_02`,
/// `Tr_cam_to_road`, ...) are ignored. P2, R0_rect and Tr_velo_to_cam are required. kMalformed with
/// file and line for a wrong count of numbers (P and Tr: 12, R: 9), a token that is not a finite
/// number, or a key given twice; a missing required key is reported without a line.
/// `path_for_errors` only labels messages.
Expected<KittiCalib> parse_kitti_calib(std::string_view text, const std::string& path_for_errors);

/// Reads and parses a calibration file; file errors as in raw_bin.hpp.
Expected<KittiCalib> read_kitti_calib(const std::filesystem::path& path);

}  // namespace pcanno::formats
