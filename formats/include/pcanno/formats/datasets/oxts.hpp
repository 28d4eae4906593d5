#pragma once
#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "pcanno/formats/support/expected.hpp"
#include "pcanno/geometry/pose.hpp"

namespace pcanno::formats {

/// One KITTI oxts (GPS/IMU) record: 30 numbers (formats.md section 5.2).
struct OxtsRecord {
  double lat = 0.0;    ///< [deg] WGS84
  double lon = 0.0;    ///< [deg] WGS84
  double alt = 0.0;    ///< [m]
  double roll = 0.0;   ///< [rad] + = left side up
  double pitch = 0.0;  ///< [rad] + = nose down
  double yaw = 0.0;    ///< [rad] 0 = east, counter-clockwise
  std::array<double, 30>
      values{};  ///< all 30 columns in file order (velocities, rates, accuracies...)
};

/// Parses oxts text: one record per non-empty line (a tracking `oxts/SSSS.txt` has one per frame; a
/// raw `oxts/data/NNNNNNNNNN.txt` has exactly one). kMalformed names the line and column.
Expected<std::vector<OxtsRecord>> parse_oxts(std::string_view text,
                                             const std::string& path_for_errors);
Expected<std::vector<OxtsRecord>> read_oxts(const std::filesystem::path& path);

/// Where the poses' world frame sits.
enum class OxtsOrigin {
  kFirstFrame,  ///< the first record's IMU pose is the identity (MATLAB devkit: P_i = T_0^-1 T_i)
  kMercator,    ///< absolute Mercator east-north-up with the scale of the first record
};

/// `T_world_imu` per record by the KITTI devkit formula: Mercator translation with scale cos(lat0)
/// from the first record, rotation Rz(yaw) Ry(pitch) Rx(roll). The IMU frame is x forward, y left,
/// z up.
std::vector<geometry::Pose> oxts_to_poses(const std::vector<OxtsRecord>& records,
                                          OxtsOrigin origin = OxtsOrigin::kFirstFrame);

/// The Mercator pose of one record with an explicit scale (cos of the reference latitude).
geometry::Pose oxts_mercator_pose(const OxtsRecord& record, double scale);

}  // namespace pcanno::formats
