#pragma once
#include <cstring>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "files.hpp"
#include "pcanno/formats/clouds/las.hpp"
#include "pcanno/formats/clouds/point_cloud.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

// Shared by the LAS reader tests in this folder: the shared data's las/ files, raw bytes, and the
// test helpers they use.
namespace pcanno::formats::las_test {

namespace fs = std::filesystem;

inline std::filesystem::path las_file(const std::string& name) {
  return test::shared_data_dir() / "las" / name;
}

/// A little-endian value of the bytes at `offset`.
template <typename T>
T get(const std::string& bytes, std::size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

/// Overwrites the bytes at `offset` with `value`.
template <typename T>
void put(std::string& bytes, std::size_t offset, T value) {
  std::memcpy(&bytes[offset], &value, sizeof(T));
}

/// Every column as long as the cloud.
inline void expect_columns_consistent(const PointCloud& cloud) {
  EXPECT_EQ(cloud.y.size(), cloud.size());
  EXPECT_EQ(cloud.z.size(), cloud.size());
  for (const PointAttribute& a : cloud.attributes)
    EXPECT_EQ(a.values.size(), cloud.size()) << a.name;
}

}  // namespace pcanno::formats::las_test
