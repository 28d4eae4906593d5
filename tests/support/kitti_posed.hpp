#pragma once
#include <filesystem>
#include <memory>
#include <utility>

#include <gtest/gtest.h>

#include "kitti_fixtures.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/plugin/automation/ego_motion.hpp"

// KITTI tracking 0000 (no poses of its own) with its ego motion estimated, for the tests that
// measure automation against the real frames.

namespace pcanno::test {

/// The sequence with an estimated T_world_lidar per frame; nullptr without the shared clouds (the
/// caller skips with PCANNO_REQUIRE_DATA) or, with a test failure, when it cannot be opened. No
/// cache: the tests measure the estimator, not a file left by an earlier run.
inline std::unique_ptr<formats::Sequence> kitti_0000_with_estimated_poses() {
  const std::filesystem::path root = kitti_tracking_root();
  if (!std::filesystem::exists(root / "velodyne/0000/000019.bin")) return nullptr;
  formats::SequenceOptions options;
  options.name = "0000";
  auto seq = formats::open_sequence(root, options);
  if (!seq) {
    ADD_FAILURE() << seq.error().message;
    return nullptr;
  }
  auto estimated = plugin::ensure_poses(*seq, plugin::EgoMotionOptions{});
  if (!estimated || !*estimated) {
    ADD_FAILURE() << (estimated ? "no ego motion estimated" : estimated.error().message);
    return nullptr;
  }
  return std::make_unique<formats::Sequence>(std::move(*seq));
}

}  // namespace pcanno::test
