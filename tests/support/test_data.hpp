#pragma once
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace pcanno::test {

/// `../shared/data` beside the checkout: real KITTI, nuScenes, PCD, PLY and LAS files (not in a
/// user's clone).
inline std::filesystem::path shared_data_dir() { return PCANNO_SHARED_DATA_DIR; }

/// `sample_data/` in the repository: a small real excerpt that every clone has.
inline std::filesystem::path sample_data_dir() { return PCANNO_SAMPLE_DATA_DIR; }

inline bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && *ci != '\0' && std::string(ci) != "0" && std::string(ci) != "false";
}

}  // namespace pcanno::test

/// Skips the test with a visible message when a shared data file is missing; under CI it fails
/// instead, so CI can never pass by skipping.
#define PCANNO_REQUIRE_DATA(data_file)                                                         \
  do {                                                                                         \
    const std::filesystem::path pcanno_required_path_ = (data_file);                           \
    if (!std::filesystem::exists(pcanno_required_path_)) {                                     \
      if (::pcanno::test::running_in_ci()) {                                                   \
        FAIL() << "required test data missing under CI: " << pcanno_required_path_.string();   \
      }                                                                                        \
      GTEST_SKIP() << "test data not found, skipping: " << pcanno_required_path_.string()      \
                   << " (the shared data set is only present on development machines and CI)"; \
    }                                                                                          \
  } while (0)
