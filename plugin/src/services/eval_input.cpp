#include "pcanno/plugin/services/eval_input.hpp"

#include <cerrno>
#include <cstdlib>
#include <map>
#include <sstream>
#include <utility>

#include "pcanno/plugin/services/box_points.hpp"

namespace pcanno::plugin {

std::optional<std::vector<std::int64_t>> parse_frames(const std::string& text) {
  std::vector<std::int64_t> frames;
  std::istringstream parts(text);
  for (std::string part; std::getline(parts, part, ',');) {
    const std::size_t dash = part.find('-', 1);
    const std::string a = part.substr(0, dash);
    const std::string b = dash == std::string::npos ? a : part.substr(dash + 1);
    char* end_a = nullptr;
    char* end_b = nullptr;
    errno = 0;
    const long long first = std::strtoll(a.c_str(), &end_a, 10);
    const long long last = std::strtoll(b.c_str(), &end_b, 10);
    if (a.empty() || b.empty() || *end_a != '\0' || *end_b != '\0' || errno != 0 || first < 0 ||
        last < first || last - first > 10'000'000) {
      return std::nullopt;
    }
    for (long long f = first; f <= last; ++f) frames.push_back(f);
  }
  if (frames.empty()) return std::nullopt;
  return frames;
}

formats::Status mark_sparse_ground_truth(std::vector<DetectionBox>& gt,
                                         const formats::Sequence& sequence, std::size_t min_points,
                                         const std::function<bool(double)>& progress) {
  std::map<std::int64_t, std::vector<std::size_t>> by_frame;
  for (std::size_t i = 0; i < gt.size(); ++i) by_frame[gt[i].frame].push_back(i);
  std::size_t done = 0;
  for (const auto& [frame, indices] : by_frame) {
    if (progress && !progress(static_cast<double>(done) / static_cast<double>(by_frame.size()))) {
      return formats::Error{formats::ErrorCode::kCancelled, "cancelled", ""};
    }
    if (frame < 0 || static_cast<std::size_t>(frame) >= sequence.size()) {
      return formats::Error{formats::ErrorCode::kInvalidArgument,
                            "ground truth has boxes in frame " + std::to_string(frame) +
                                " but the dataset has " + std::to_string(sequence.size()) +
                                " frames",
                            sequence.root.string()};
    }
    auto cloud = sequence.load_frame(static_cast<std::size_t>(frame));
    if (!cloud) return std::move(cloud).error();
    std::vector<geometry::Cuboid> boxes;
    for (std::size_t i : indices) boxes.push_back(gt[i].box);
    const std::vector<std::size_t> counts = count_points_in_boxes(cloud->cloud, boxes);
    for (std::size_t k = 0; k < indices.size(); ++k) {
      if (counts[k] < min_points) gt[indices[k]].ignore = true;
    }
    ++done;
  }
  if (progress) progress(1.0);  // the bar ends full; the work is done, so no cancel now
  return {};
}

}  // namespace pcanno::plugin
