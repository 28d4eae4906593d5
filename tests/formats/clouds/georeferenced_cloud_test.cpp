#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "las_writer.hpp"
#include "pcanno/formats/clouds/las.hpp"
#include "pcanno/formats/clouds/reader.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

// Clouds at real-world (UTM) coordinates: a float holds a northing of 5.8e6 only to 0.5 m, so the
// readers keep a double origin and float offsets; the coordinates must come back to the file's
// scale and the bounds to the millimetre.

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;

/// A 300 m x 200 m patch of UTM zone 32N at millimetre resolution, with its corners included.
std::vector<Eigen::Vector3d> utm_points() {
  std::vector<Eigen::Vector3d> points = {{500000.123, 5800000.456, 101.234},
                                         {500300.987, 5800200.001, 98.765}};
  for (int i = 0; i < 500; ++i) {
    const double t = i / 499.0;
    points.emplace_back(500000.123 + 300.864 * t, 5800000.456 + 199.545 * (1.0 - t) * t * 4.0,
                        100.0 + 0.001 * (i % 7));
  }
  for (Eigen::Vector3d& p : points) p = (p * 1000.0).array().round() / 1000.0;  // the mm grid
  return points;
}

TEST(GeoreferencedCloud, LasAtUtmKeepsEveryCoordinateToTheScale) {
  const std::vector<Eigen::Vector3d> points = utm_points();
  test::TempDir dir;
  const fs::path file = dir.write("utm.las", test::las_bytes(points));
  const Expected<CloudFile> got = read_cloud(file);
  ASSERT_TRUE(got) << got.error().describe();
  const PointCloud& cloud = got->cloud;
  ASSERT_EQ(cloud.size(), points.size());
  // Far from the CRS origin in x and y: a local origin; z is near zero and stays absolute.
  EXPECT_GT(std::abs(cloud.origin.x()), 1e5);
  EXPECT_GT(std::abs(cloud.origin.y()), 1e6);
  EXPECT_EQ(cloud.origin.z(), 0.0);
  for (std::size_t i = 0; i < points.size(); ++i) {
    // The 1 mm scale: a tenth of it is far below what absolute floats (0.5 m steps) would give.
    ASSERT_LT((cloud.point(i) - points[i]).cwiseAbs().maxCoeff(), 1e-4)
        << i << ": " << cloud.point(i).transpose();
  }
  const Bounds3d b = cloud.bounds();
  EXPECT_NEAR(b.min.x(), 500000.123, 1e-4);
  EXPECT_NEAR(b.min.y(), 5800000.456, 1e-4);
  EXPECT_NEAR(b.max.x(), 500300.987, 1e-4);
  EXPECT_NEAR(b.max.y(), 5800200.001, 1e-4);
  EXPECT_NEAR(b.max.z(), 101.234, 1e-4);
  ASSERT_TRUE(got->info.declared_bounds);
  EXPECT_NEAR(got->info.declared_bounds->min.y(), 5800000.456, 1e-9);
}

/// `v` in the file's byte order (little-endian host).
template <typename T>
std::string bytes_of(T v, bool big_endian = false) {
  std::string b(reinterpret_cast<const char*>(&v), sizeof(T));
  if (big_endian) std::reverse(b.begin(), b.end());
  return b;
}

/// A PLY or PCD writer at double precision (PDAL's and labelCloud's PLY, PCL's PointXYZ with
/// double fields) gives the same exact coordinates, ascii and binary.
TEST(GeoreferencedCloud, DoublePlyAndPcdAtUtmKeepEveryCoordinate) {
  const std::vector<Eigen::Vector3d> points = utm_points();
  const std::string n = std::to_string(points.size());
  std::string ply_ascii = "ply\nformat ascii 1.0\nelement vertex " + n +
                          "\nproperty double x\nproperty double y\nproperty double z\nend_header\n";
  std::string ply_le = "ply\nformat binary_little_endian 1.0\nelement vertex " + n +
                       "\nproperty double x\nproperty double y\nproperty double z\n"
                       "property uchar class\nend_header\n";
  std::string ply_be = "ply\nformat binary_big_endian 1.0\nelement vertex " + n +
                       "\nproperty float64 x\nproperty float64 y\nproperty float64 z\nend_header\n";
  const std::string pcd_head =
      "# .PCD v0.7\nVERSION 0.7\nFIELDS x y z\nSIZE 8 8 8\nTYPE F F F\n"
      "COUNT 1 1 1\nWIDTH " +
      n +
      "\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\n"
      "POINTS " +
      n + "\n";
  std::string pcd_ascii = pcd_head + "DATA ascii\n";
  std::string pcd_binary = pcd_head + "DATA binary\n";
  char line[128];
  for (const Eigen::Vector3d& p : points) {
    std::snprintf(line, sizeof(line), "%.3f %.3f %.3f\n", p.x(), p.y(), p.z());
    ply_ascii += line;
    pcd_ascii += line;
    for (int k = 0; k < 3; ++k) {
      ply_le += bytes_of(p[k]);
      ply_be += bytes_of(p[k], true);
      pcd_binary += bytes_of(p[k]);
    }
    ply_le += bytes_of(std::uint8_t{2});
  }
  test::TempDir dir;
  for (const auto& [name, bytes] :
       std::vector<std::pair<std::string, std::string>>{{"a.ply", ply_ascii},
                                                        {"le.ply", ply_le},
                                                        {"be.ply", ply_be},
                                                        {"a.pcd", pcd_ascii},
                                                        {"b.pcd", pcd_binary}}) {
    const Expected<CloudFile> got = read_cloud(dir.write(name, bytes));
    ASSERT_TRUE(got) << got.error().describe();
    ASSERT_EQ(got->cloud.size(), points.size()) << name;
    EXPECT_GT(std::abs(got->cloud.origin.y()), 1e6) << name;
    for (std::size_t i = 0; i < points.size(); ++i) {
      ASSERT_LT((got->cloud.point(i) - points[i]).cwiseAbs().maxCoeff(), 1e-4)
          << name << " point " << i << ": " << got->cloud.point(i).transpose();
    }
  }
}

TEST(GeoreferencedCloud, RealStatePlaneLasBoundsMatchItsHeaderToTheMillimetre) {
  // Autzen (Oregon state plane, feet): x ~ 6.4e5, y ~ 8.5e5, where float32 steps are 1/16 unit.
  const fs::path file = test::shared_data_dir() / "las" / "autzen.las";
  PCANNO_REQUIRE_DATA(file);
  Expected<CloudFile> read = read_cloud(file);
  ASSERT_TRUE(read) << read.error().describe();
  ASSERT_TRUE(read->info.declared_bounds);
  EXPECT_GT(read->cloud.origin.head<2>().norm(), 1e5);  // kept local to the data
  const Bounds3d from_points = read->cloud.bounds();
  const Bounds3d& header = *read->info.declared_bounds;
  for (int a = 0; a < 3; ++a) {
    EXPECT_NEAR(from_points.min[a], header.min[a], 1e-3) << "axis " << a;
    EXPECT_NEAR(from_points.max[a], header.max[a], 1e-3) << "axis " << a;
  }
}

TEST(GeoreferencedCloud, SensorFrameCloudsKeepAZeroOrigin) {
  test::TempDir dir;
  const fs::path file =
      dir.write("near.las", test::las_bytes({{-80.5, 12.25, -1.5}, {75.125, -60.0, 3.0}}));
  const Expected<CloudFile> got = read_cloud(file);
  ASSERT_TRUE(got) << got.error().describe();
  EXPECT_EQ(got->cloud.origin, Eigen::Vector3d::Zero());
  EXPECT_EQ(got->cloud.x[0], -80.5f);
  EXPECT_EQ(got->cloud.y[1], -60.0f);
}

TEST(GeoreferencedCloud, DroppingNonFinitePointsKeepsTheOrigin) {
  test::TempDir dir;
  const fs::path file = dir.write("utm.las", test::las_bytes(utm_points()));
  ReadOptions options;
  options.drop_non_finite = true;
  const Expected<CloudFile> got = read_cloud(file, options);
  ASSERT_TRUE(got) << got.error().describe();
  EXPECT_NEAR(got->cloud.point(0).y(), 5800000.456, 1e-4);
}

}  // namespace
}  // namespace pcanno::formats
