#pragma once
#include <chrono>
#include <cstddef>
#include <string>

namespace pcanno::app {

/// A one-line progress bar on stderr, drawn only when stderr is a terminal and not --quiet, so that
/// pipes and logs stay clean. Redraws at most ~20 times a second.
class ProgressBar {
 public:
  ProgressBar(std::string label, std::size_t total, bool quiet);
  ~ProgressBar();  ///< clears the line
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(std::size_t done);

 private:
  void draw(std::size_t done);

  std::string label_;
  std::size_t total_ = 0;
  bool enabled_ = false;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace pcanno::app
