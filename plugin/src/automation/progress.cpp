#include "pcanno/plugin/automation/progress.hpp"

#include <algorithm>
#include <utility>

namespace pcanno::plugin {
namespace {

/// Per thread: services run on a host's worker thread while the host's UI thread may run another
/// job's steps (or none).
thread_local std::string g_current_step;

}  // namespace

ProgressStep::ProgressStep(Progress whole, double begin, double end, std::string name)
    : whole_(std::move(whole)), begin_(begin), end_(end), previous_(std::move(g_current_step)) {
  g_current_step = std::move(name);
}

ProgressStep::~ProgressStep() { g_current_step = std::move(previous_); }

bool ProgressStep::operator()(double fraction) const {
  if (!whole_) return true;
  return whole_(begin_ + (end_ - begin_) * std::clamp(fraction, 0.0, 1.0));
}

Progress ProgressStep::callback() const {
  return [this](double fraction) { return (*this)(fraction); };
}

const std::string& current_step() { return g_current_step; }

}  // namespace pcanno::plugin
