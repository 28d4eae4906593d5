#pragma once
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "run_command.hpp"

// Shared by the `eval` and `check` tests: run the binary, and native documents made from the
// sample KITTI tracking labels that a test can doctor.

namespace pcanno::test {

inline CommandResult pcanno(const std::string& args, bool with_stderr = true) {
  return run_command(std::string(PCANNO_BINARY) + " " + args + (with_stderr ? " 2>&1" : ""));
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A fresh temporary folder per test, and the sample KITTI tracking data (frames 0-4 of 0000).
class LabelsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pcanno_app_labels_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  /// The sample labels as a native document, parsed.
  nlohmann::json native_labels() {
    const std::filesystem::path doc = dir_ / "labels.pcanno.json";
    const CommandResult r =
        pcanno("convert " + labels_.string() + " --to pcanno --force --out " + doc.string());
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return nlohmann::json::parse(slurp(doc));
  }

  std::filesystem::path write(const nlohmann::json& doc, const std::string& name) {
    const std::filesystem::path p = dir_ / name;
    std::ofstream(p) << doc.dump(1);
    return p;
  }

  std::filesystem::path dir_;
  const std::filesystem::path training_ =
      std::filesystem::path(PCANNO_SAMPLE_DATA_DIR) / "kitti_tracking/training";
  const std::filesystem::path labels_ = training_ / "label_02/0000.txt";
};

}  // namespace pcanno::test
