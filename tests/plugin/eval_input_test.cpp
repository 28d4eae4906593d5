// The evaluation inputs `pcanno eval` and pcanno.eval() share: --frames text and the ground truth
// marked as too sparse to count (--min-points).
#include "pcanno/plugin/services/eval_input.hpp"

#include <filesystem>

#include <gtest/gtest.h>

namespace pcanno::plugin {
namespace {

namespace fs = std::filesystem;
using Frames = std::vector<std::int64_t>;

TEST(EvalInput, ParseFramesReadsRangesAndSingleFramesInOrder) {
  EXPECT_EQ(plugin::parse_frames("3"), Frames({3}));
  EXPECT_EQ(plugin::parse_frames("0-2,5"), Frames({0, 1, 2, 5}));
  EXPECT_EQ(plugin::parse_frames("7,1-2"), Frames({7, 1, 2}));
}

TEST(EvalInput, ParseFramesRefusesMalformedText) {
  for (const char* text : {"", "a", "-1", "3-1", "1-x", ",1", "0-20000000", "2.5"}) {
    EXPECT_FALSE(plugin::parse_frames(text)) << text;
  }
}

formats::Sequence sample_sequence() {
  formats::SequenceOptions options;
  options.name = "0000";
  auto seq =
      formats::open_sequence(fs::path(PCANNO_SAMPLE_DATA_DIR) / "kitti_tracking/training", options);
  EXPECT_TRUE(seq) << seq.error().describe();
  return std::move(*seq);
}

DetectionBox box_at(std::int64_t frame, const Eigen::Vector3d& center, double size) {
  DetectionBox b;
  b.frame = frame;
  b.label = "Car";
  b.box.center = center;
  b.box.size = Eigen::Vector3d::Constant(size);
  return b;
}

TEST(EvalInput, MarkSparseGroundTruthIgnoresBoxesWithTooFewPoints) {
  const formats::Sequence seq = sample_sequence();
  // A 200 m cube around the sensor holds the whole frame; a box 1 km up holds nothing.
  std::vector<DetectionBox> gt = {box_at(0, {0, 0, 0}, 200.0), box_at(1, {0, 0, 1000.0}, 1.0),
                                  box_at(1, {0, 0, 0}, 200.0)};
  auto frame0 = seq.load_frame(0);
  ASSERT_TRUE(frame0);
  std::vector<double> seen;
  formats::Status marked = mark_sparse_ground_truth(gt, seq, 1, [&](double f) {
    seen.push_back(f);
    return true;
  });
  ASSERT_TRUE(marked) << marked.error().describe();
  EXPECT_FALSE(gt[0].ignore);
  EXPECT_TRUE(gt[1].ignore);
  EXPECT_FALSE(gt[2].ignore);
  EXPECT_EQ(seen, std::vector<double>({0.0, 0.5, 1.0}));  // two frames, then done

  // More points than the frame has: every box is too sparse.
  std::vector<DetectionBox> all = {box_at(0, {0, 0, 0}, 200.0)};
  ASSERT_TRUE(mark_sparse_ground_truth(all, seq, frame0->cloud.size() + 1));
  EXPECT_TRUE(all[0].ignore);
}

TEST(EvalInput, MarkSparseGroundTruthRefusesFramesTheDatasetLacksAndStopsOnCancel) {
  const formats::Sequence seq = sample_sequence();
  std::vector<DetectionBox> beyond = {box_at(static_cast<std::int64_t>(seq.size()), {0, 0, 0}, 1)};
  formats::Status refused = mark_sparse_ground_truth(beyond, seq, 1);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, formats::ErrorCode::kInvalidArgument);

  std::vector<DetectionBox> gt = {box_at(0, {0, 0, 1000.0}, 1.0)};
  formats::Status cancelled = mark_sparse_ground_truth(gt, seq, 1, [](double) { return false; });
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().code, formats::ErrorCode::kCancelled);
  EXPECT_FALSE(gt[0].ignore);  // nothing counted
}

}  // namespace
}  // namespace pcanno::plugin
