#pragma once
#include <functional>
#include <string>

// Progress and cancellation of long jobs (ego motion, propagation, track completion, QA, export).
// A job reports the fraction done in [0, 1] to a callback; the callback returning false cancels
// the job, which then stops within a fraction of a second (it polls inside single expensive units
// too: one scan-to-scan registration, one frame's load) and returns kCancelled having changed
// nothing.

namespace pcanno::plugin {

/// Fraction done in [0, 1]; returning false cancels.
using Progress = std::function<bool(double)>;

/// One step of a longer job: its own fraction in [0, 1] is reported as [begin, end] of the whole
/// job's, and its name is the current_step() while it lives, so that a host shows "estimating ego
/// motion 40%" while "propagate" first estimates the ego motion and then propagates. Steps nest:
/// a step made from another step's callback() maps into that step's range. Lives on the stack of
/// the thread that runs the job.
class ProgressStep {
 public:
  /// `whole` may be empty: nothing is reported and the job is never cancelled.
  ProgressStep(Progress whole, double begin, double end, std::string name);
  ~ProgressStep();  ///< the enclosing step's name is current again
  ProgressStep(const ProgressStep&) = delete;
  ProgressStep& operator=(const ProgressStep&) = delete;

  /// Reports `fraction` of this step (clamped to [0, 1]); false when the job is to stop.
  bool operator()(double fraction) const;
  /// The step as a callback, for the functions it calls; valid while the step lives.
  Progress callback() const;

 private:
  Progress whole_;
  double begin_ = 0.0;
  double end_ = 1.0;
  std::string previous_;  ///< the enclosing step's name
};

/// The name of the innermost ProgressStep alive on the calling thread, "" when none. A service
/// calls its host's progress callback on the thread that runs it, so the callback can read it.
const std::string& current_step();

}  // namespace pcanno::plugin
