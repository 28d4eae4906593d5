#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <utility>

#include "pcanno/formats/support/expected.hpp"
#include "pcanno/plugin/automation/propagation.hpp"

// What box and polyline propagation share: the frames from a start towards an end, one at a time,
// with progress and cancel, also while a frame's cloud loads.

namespace pcanno::plugin::detail {

/// kNotFound, naming the sequence, when `from` lies outside it.
inline formats::Status check_walk_start(const formats::Sequence& seq, std::int64_t from) {
  const auto frames = static_cast<std::int64_t>(seq.size());
  if (from >= 0 && from < frames) return {};
  return formats::Error{formats::ErrorCode::kNotFound,
                        "propagation starts at frame " + std::to_string(from) +
                            ", the sequence has " + std::to_string(frames) + " frames",
                        seq.root.string()};
}

/// The frames after `from` up to `to` (clamped into the sequence; `to` < `from` walks backward).
/// Reports progress per frame; the clouds' loads report the last fraction again, so that a
/// cancel lands while a frame loads too.
class FrameWalk {
 public:
  /// `from` must lie in the sequence (check_walk_start()).
  FrameWalk(SequenceClouds& clouds, std::int64_t from, std::int64_t to,
            std::function<bool(double)> progress)
      : from_(from),
        to_(std::clamp<std::int64_t>(to, 0,
                                     static_cast<std::int64_t>(clouds.sequence().size()) - 1)),
        step_(to_ >= from ? 1 : -1),
        count_(std::abs(to_ - from)),
        root_(clouds.sequence().root.string()),
        progress_(std::move(progress)),
        stop_loads_(clouds, [this] { return !report(done_); }) {}
  FrameWalk(const FrameWalk&) = delete;
  FrameWalk& operator=(const FrameWalk&) = delete;

  std::int64_t step() const { return step_; }  ///< +1 forward, -1 backward
  std::int64_t first() const { return from_ + step_; }
  bool covers(std::int64_t frame) const { return step_ > 0 ? frame <= to_ : frame >= to_; }

  /// Reports `fraction` done; false when cancelled.
  bool report(double fraction) {
    done_ = fraction;
    return !progress_ || progress_(fraction);
  }
  /// Reports the walk's progress before working on `frame`; false when cancelled.
  bool report_before(std::int64_t frame) {
    return report(static_cast<double>(std::abs(frame - from_) - 1) /
                  static_cast<double>(std::max<std::int64_t>(count_, 1)));
  }
  formats::Error cancelled() const {
    return formats::Error{formats::ErrorCode::kCancelled, "propagation cancelled", root_};
  }

 private:
  std::int64_t from_;
  std::int64_t to_;
  std::int64_t step_;
  std::int64_t count_;
  std::string root_;
  std::function<bool(double)> progress_;
  double done_ = 0.0;  ///< the fraction reported last
  CloudLoadStop stop_loads_;
};

}  // namespace pcanno::plugin::detail
