#pragma once
#include <cstdint>
#include <random>
#include <string>

#include "pcanno/plugin/session.hpp"

// The edits of the journal crash test: an endless pseudo-random stream of commands, undo, redo,
// transactions and saves, the same for a given seed. The crash child applies it to a journaled
// session until it is killed; the test replays it in memory to know what the document must hold.

namespace pcanno::test {

/// What one step did.
enum class StepKind { kEdit, kUndo, kRedo, kBegin, kCommit, kCancel, kSave, kRefused };

struct StepResult {
  StepKind kind = StepKind::kRefused;
  formats::Status status;  ///< a Session call that failed; refused commands are not failures
};

class CommandStream {
 public:
  /// Frames the boxes go to: 0..kFrames-1.
  static constexpr std::int64_t kFrames = 20;

  explicit CommandStream(std::uint64_t seed) : rng_(seed) {}

  /// Takes the next step on `session`. Each step makes at most one Session call that journals,
  /// so a kill between two acknowledgements leaves the document one step ahead at most.
  /// `save` false turns saves into no-ops (the in-memory replay has no file) while drawing the
  /// same random numbers, so both sides stay in step.
  StepResult step(plugin::Session& session, bool save);

 private:
  double uniform(double lo, double hi);  ///< the same on every platform, unlike <random>'s
  std::uint64_t below(std::uint64_t n) { return rng_() % n; }
  StepResult edit(plugin::Session& session);

  std::mt19937_64 rng_;
};

/// The initial document of a trial that starts from a saved file: kFrames frames, two tracks.
formats::Annotations initial_document();

}  // namespace pcanno::test
