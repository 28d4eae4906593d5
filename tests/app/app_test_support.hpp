#pragma once
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "files.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"

// Shared by the `eval` and `check` tests: run the binary, and native documents made from the
// sample KITTI tracking labels that a test can doctor.

namespace pcanno::test {

inline CommandResult pcanno(const std::string& args, bool with_stderr = true) {
  return run_command(std::string(PCANNO_BINARY) + " " + args + (with_stderr ? " 2>&1" : ""));
}

/// A fresh temporary folder per test, and the sample KITTI tracking data (frames 0-4 of 0000).
class LabelsTest : public ::testing::Test {
 protected:
  /// The sample labels as a native document, parsed.
  nlohmann::json native_labels() {
    const std::filesystem::path doc = dir_ / "labels.pcanno.json";
    const CommandResult r =
        pcanno("convert " + labels_.string() + " --to pcanno --force --out " + doc.string());
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return nlohmann::json::parse(slurp(doc));
  }

  std::filesystem::path write(const nlohmann::json& doc, const std::string& name) {
    return temp_.write(name, doc.dump(1));
  }

  TempDir temp_;
  const std::filesystem::path dir_ = temp_.path();
  const std::filesystem::path training_ =
      std::filesystem::path(PCANNO_SAMPLE_DATA_DIR) / "kitti_tracking/training";
  const std::filesystem::path labels_ = training_ / "label_02/0000.txt";
};

}  // namespace pcanno::test
