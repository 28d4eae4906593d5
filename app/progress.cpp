#include "progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>

namespace pcanno::app {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;
struct sigaction g_previous {};

extern "C" void on_interrupt(int /*signal*/) { g_interrupted = 1; }

}  // namespace

CancelToken::CancelToken() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  // SA_RESETHAND: the first Ctrl+C asks the command to stop; a second one kills it.
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, &g_previous);
}

CancelToken::~CancelToken() { sigaction(SIGINT, &g_previous, nullptr); }

bool CancelToken::requested() { return g_interrupted != 0; }

formats::Status CancelToken::check() {
  if (!requested()) return {};
  return formats::Error{formats::ErrorCode::kCancelled, "cancelled (Ctrl+C)", ""};
}

ProgressBar::ProgressBar(std::string label, std::size_t total, bool quiet)
    : label_(std::move(label)), total_(total), enabled_(!quiet && isatty(STDERR_FILENO) == 1) {}

ProgressBar::ProgressBar(std::string label, bool quiet)
    : ProgressBar(std::move(label), 1000, quiet) {
  percent_ = true;
}

ProgressBar::~ProgressBar() {
  if (drawn_) std::fprintf(stderr, "\r\033[K");
}

void ProgressBar::update(std::size_t done) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && done < total_ && now - last_draw_ < std::chrono::milliseconds(50)) return;
  last_draw_ = now;
  draw(done);
}

std::function<bool(double)> ProgressBar::callback(double from, double to) {
  return [this, from, to](double fraction) {
    const double at = from + (to - from) * std::clamp(fraction, 0.0, 1.0);
    update(static_cast<std::size_t>(at * static_cast<double>(total_)));
    return !CancelToken::requested();
  };
}

void ProgressBar::draw(std::size_t done) {
  constexpr int kWidth = 30;
  const double fraction =
      total_ == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total_);
  const int filled = static_cast<int>(fraction * kWidth + 0.5);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(kWidth, ' ');
  if (percent_) {
    std::fprintf(stderr, "\r%s [%s] %3d%%", label_.c_str(), bar.c_str(),
                 static_cast<int>(100.0 * fraction));
  } else {
    std::fprintf(stderr, "\r%s [%s] %zu/%zu", label_.c_str(), bar.c_str(), done, total_);
  }
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace pcanno::app
