#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

// A minimal LAS 1.2 point-format-0 writer for tests, written from the ASPRS offsets (formats.md 9)
// and independent of the reader: what a PDAL or LAStools export at real-world coordinates holds.

namespace pcanno::test {

/// LAS bytes holding `points` [m], stored as round((p - offset) / scale). Without an `offset`, the
/// smallest coordinate per axis floored to a kilometre (as PDAL and LAStools pick one): a northing
/// of 5.8e6 at millimetre scale does not fit an int32 otherwise. The header's min/max are the true
/// bounds of the stored coordinates.
inline std::string las_bytes(const std::vector<Eigen::Vector3d>& points,
                             const Eigen::Vector3d& scale = Eigen::Vector3d::Constant(0.001),
                             std::optional<Eigen::Vector3d> chosen_offset = std::nullopt) {
  Eigen::Vector3d offset = Eigen::Vector3d::Zero();
  if (chosen_offset) {
    offset = *chosen_offset;
  } else if (!points.empty()) {
    offset = points.front();
    for (const Eigen::Vector3d& p : points) offset = offset.cwiseMin(p);
    offset = (offset / 1000.0).array().floor() * 1000.0;
  }
  const auto put = [](std::string& b, std::size_t at, auto value) {
    std::memcpy(&b[at], &value, sizeof(value));
  };
  constexpr std::size_t kHeader = 227;
  constexpr std::size_t kRecord = 20;
  std::string b(kHeader, '\0');
  std::memcpy(&b[0], "LASF", 4);
  b[24] = 1;
  b[25] = 2;
  put(b, 94, std::uint16_t{kHeader});
  put(b, 96, std::uint32_t{kHeader});
  b[104] = 0;
  put(b, 105, std::uint16_t{kRecord});
  put(b, 107, static_cast<std::uint32_t>(points.size()));
  Eigen::Vector3d lo = Eigen::Vector3d::Constant(1e300), hi = -lo;
  std::string records;
  for (const Eigen::Vector3d& p : points) {
    std::string r(kRecord, '\0');
    for (int k = 0; k < 3; ++k) {
      const auto stored = static_cast<std::int32_t>(std::llround((p[k] - offset[k]) / scale[k]));
      put(r, 4 * static_cast<std::size_t>(k), stored);
      const double v = stored * scale[k] + offset[k];
      lo[k] = std::min(lo[k], v);
      hi[k] = std::max(hi[k], v);
    }
    put(r, 12, std::uint16_t{100});
    r[14] = 1;  // return 1 of 1
    records += r;
  }
  for (int k = 0; k < 3; ++k) {
    put(b, 131 + 8 * static_cast<std::size_t>(k), scale[k]);
    put(b, 155 + 8 * static_cast<std::size_t>(k), offset[k]);
    put(b, 179 + 16 * static_cast<std::size_t>(k), points.empty() ? 0.0 : hi[k]);
    put(b, 187 + 16 * static_cast<std::size_t>(k), points.empty() ? 0.0 : lo[k]);
  }
  return b + records;
}

}  // namespace pcanno::test
