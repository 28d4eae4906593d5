#pragma once
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "pcanno/formats/support/expected.hpp"

namespace pcanno::app {

/// Ctrl+C (SIGINT) cancels the running command. While a CancelToken lives (main() holds one around
/// the command), the first SIGINT only sets a flag: the commands' progress callbacks (ProgressBar::
/// callback()) return false from then on, the running step stops within a fraction of a second,
/// nothing half-written is left (outputs are written atomically), and the command exits with
/// kExitCancelled and "pcanno: cancelled" (cli_support.cpp). A second Ctrl+C kills at once, for a
/// step that does not poll.
class CancelToken {
 public:
  CancelToken();   ///< installs the SIGINT handler
  ~CancelToken();  ///< restores the previous handler
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  /// True once SIGINT arrived while a token lived.
  static bool requested();
  /// kCancelled once requested(), for commands to check between steps that do not poll.
  static formats::Status check();
};

/// A one-line progress bar on stderr, drawn only when stderr is a terminal and not --quiet, so that
/// pipes and logs stay clean. Redraws at most ~20 times a second.
class ProgressBar {
 public:
  /// Counts `total` items: "decoding frames [####      ] 120/600".
  ProgressBar(std::string label, std::size_t total, bool quiet);
  /// Shows a fraction, for callback(): "estimating ego motion [####      ] 40%".
  ProgressBar(std::string label, bool quiet);
  ~ProgressBar();  ///< clears the line
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(std::size_t done);

  /// A progress callback for the engine: fraction f of its work is [from, to] of the bar's total.
  /// Returns false once Ctrl+C was pressed (CancelToken), which cancels the work. Valid while the
  /// bar lives.
  std::function<bool(double)> callback(double from = 0.0, double to = 1.0);

 private:
  void draw(std::size_t done);

  std::string label_;
  std::size_t total_ = 0;
  bool percent_ = false;  ///< draw a percentage, not done/total
  bool enabled_ = false;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace pcanno::app
