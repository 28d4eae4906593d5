#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/plugin/services/detection_eval.hpp"

// The inputs of an evaluation as `pcanno eval` and pcanno.eval() take them: a frame list written
// as text, and ground truth too sparse to count. One place for both front ends.

namespace pcanno::plugin {

/// "0-19", "3", "0-4,10-14": the frames named, in the order written; none when the text is
/// malformed (empty, a negative number, a range that runs backwards or spans more than ten
/// million frames).
std::optional<std::vector<std::int64_t>> parse_frames(const std::string& text);

/// Marks the ground-truth boxes with fewer than `min_points` points of their frame's cloud of
/// `sequence` as ignored (count_points_in_boxes). `progress` is called with the fraction of frames
/// done before each frame; false cancels (kCancelled). kInvalidArgument naming the dataset for a
/// box in a frame the sequence does not have.
formats::Status mark_sparse_ground_truth(std::vector<DetectionBox>& gt,
                                         const formats::Sequence& sequence, std::size_t min_points,
                                         const std::function<bool(double)>& progress = {});

}  // namespace pcanno::plugin
