// Progress and cancellation of long jobs: "propagate" on a 600-frame sequence without poses first
// estimates the ego motion of every frame (many seconds), then propagates. A cancel requested in
// the middle of the estimate must end the job within half a second (issue #15), with kCancelled,
// the document and its undo history exactly as before, and no ego-motion cache written.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "long_sequence.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/plugin/automation/ego_motion.hpp"
#include "pcanno/plugin/automation/progress.hpp"
#include "pcanno/plugin/automation/track_completion.hpp"
#include "pcanno/plugin/command.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/session.hpp"
#include "temp_dir.hpp"

namespace pcanno::plugin {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

/// Every file under `dir` (none when it does not exist).
std::size_t files_under(const fs::path& dir) {
  std::error_code ec;
  std::size_t n = 0;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    n += it->is_regular_file() ? 1 : 0;
  }
  return n;
}

class LongJobCancel : public ::testing::Test {
 protected:
  void SetUp() override {
    // The services cache the estimated ego motion under XDG_CACHE_HOME.
    ::setenv("XDG_CACHE_HOME", (dir_ / "cache").c_str(), 1);
    test::write_street_scans(dir_ / "scans", test::long_street());
    auto seq = formats::open_sequence(dir_ / "scans");
    ASSERT_TRUE(seq) << seq.error().describe();
    ASSERT_EQ(seq->size(), 600u);
    ASSERT_FALSE(seq->has_poses());
    session_ = Session::create(test::parked_car_document(*seq), std::move(*seq));
  }
  test::TempDir temp_;
  const fs::path dir_ = temp_.path();
  std::unique_ptr<Session> session_;
};

TEST_F(LongJobCancel, PropagateCancelledDuringTheEgoMotionStopsWithinHalfASecond) {
  // An edit first, so that the undo history has a step the job must leave on top.
  ASSERT_TRUE(
      session_->apply(set_track_attribute(session_->document(), 1, "parked", std::string("yes"))));
  const std::string before = formats::serialize_pcanno_document(session_->document());
  const bool could_undo = session_->can_undo();
  const std::string undo_name = session_->undo_name();
  const bool dirty = session_->dirty();

  // The progress callback as a host's: it records what it is told and returns the cancel flag.
  std::atomic<bool> cancel{false};
  std::atomic<double> fraction{0.0};
  std::mutex step_mutex;
  std::string step;
  const Progress progress = [&](double f) {
    fraction = f;
    {
      const std::lock_guard<std::mutex> lock(step_mutex);
      step = current_step();
    }
    return !cancel.load();
  };
  const AutomationService* propagate = session_->registry().service("propagate");
  ASSERT_NE(propagate, nullptr);
  Status status;
  Clock::time_point returned;
  std::thread worker([&] {
    status = propagate->run(*session_, {{"track", "1"}, {"from", "0"}}, progress);
    returned = Clock::now();
  });

  std::this_thread::sleep_for(std::chrono::seconds(1));
  const double fraction_at_cancel = fraction;
  std::string step_at_cancel;
  {
    const std::lock_guard<std::mutex> lock(step_mutex);
    step_at_cancel = step;
  }
  const Clock::time_point requested = Clock::now();
  cancel = true;
  worker.join();

  // Still estimating the ego motion when cancelled, with the progress moving (not 0% throughout).
  EXPECT_EQ(step_at_cancel, "estimating ego motion");
  EXPECT_GT(fraction_at_cancel, 0.0);
  EXPECT_LT(fraction_at_cancel, 0.5);
  const double latency = std::chrono::duration<double>(returned - requested).count();
  std::printf("cancelled at %.1f%% (%s), returned %.3f s after the request\n",
              100.0 * fraction_at_cancel, step_at_cancel.c_str(), latency);
  EXPECT_LE(latency, 0.5) << "the job ran on " << latency << " s after the cancel";
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, formats::ErrorCode::kCancelled) << status.error().describe();

  // Nothing changed: the document byte for byte, the undo history, the saved state.
  EXPECT_EQ(formats::serialize_pcanno_document(session_->document()), before);
  EXPECT_EQ(session_->can_undo(), could_undo);
  EXPECT_EQ(session_->undo_name(), undo_name);
  EXPECT_FALSE(session_->can_redo());
  EXPECT_EQ(session_->dirty(), dirty);
  EXPECT_FALSE(session_->in_transaction());
  ASSERT_TRUE(session_->undo());  // the edit before the job, and nothing from it
  EXPECT_FALSE(session_->can_undo());
  EXPECT_EQ(session_->document().track(1)->attributes.count("parked"), 0u);
  EXPECT_EQ(session_->document().track(1)->boxes.size(), 1u);
  // And no half-written ego-motion cache.
  EXPECT_EQ(files_under(dir_ / "cache"), 0u);
}

TEST(ProgressStep, MapsItsRangeAndNamesItselfWhileItLives) {
  std::vector<std::pair<double, std::string>> seen;
  const Progress whole = [&](double f) {
    seen.emplace_back(f, current_step());
    return f < 0.9;
  };
  EXPECT_EQ(current_step(), "");
  {
    const ProgressStep first(whole, 0.0, 0.6, "estimating ego motion");
    EXPECT_TRUE(first(0.5));
    {
      // A step inside a step maps into the outer one's range.
      const ProgressStep inner(first.callback(), 0.5, 1.0, "inner");
      EXPECT_TRUE(inner(0.0));
      EXPECT_EQ(current_step(), "inner");
    }
    EXPECT_EQ(current_step(), "estimating ego motion");
    EXPECT_TRUE(first(2.0));  // clamped to the step's end
  }
  const ProgressStep second(whole, 0.6, 1.0, "propagating");
  EXPECT_FALSE(second(0.75));  // 0.9 of the whole: the host said stop
  const ProgressStep silent({}, 0.0, 1.0, "no host");
  EXPECT_TRUE(silent(0.5));  // without a callback nothing is reported and nothing cancels
  const std::vector<std::pair<double, std::string>> expected{{0.3, "estimating ego motion"},
                                                             {0.3, "inner"},
                                                             {0.6, "estimating ego motion"},
                                                             {0.9, "propagating"}};
  ASSERT_EQ(seen.size(), expected.size());
  for (std::size_t i = 0; i < seen.size(); ++i) {
    EXPECT_NEAR(seen[i].first, expected[i].first, 1e-12) << i;
    EXPECT_EQ(seen[i].second, expected[i].second) << i;
  }
}

TEST_F(LongJobCancel, CancelledEstimateLeavesNoCacheAndPollsInsideEachFrame) {
  // A cancel while the first frames register: the estimate polls between ICP iterations, so
  // the callback hears from it several times per frame, and a cancel lands inside one.
  EgoMotionOptions options;
  options.cache_dir = dir_ / "ego";
  std::size_t calls = 0;
  double last = 0.0;
  auto estimate = estimate_ego_motion(*session_->sequence(), options, [&](double f) {
    ++calls;
    last = f;
    return f < 3.5 / 600.0;  // stop in the middle of frame 3
  });
  ASSERT_FALSE(estimate);
  EXPECT_EQ(estimate.error().code, formats::ErrorCode::kCancelled);
  EXPECT_GT(calls, 4u * 2);  // at least two reports per frame before it
  EXPECT_GE(last, 3.5 / 600.0);
  EXPECT_LT(last, 4.0 / 600.0);  // stopped in frame 3, not at the start of frame 4
  EXPECT_EQ(files_under(options.cache_dir), 0u);
  EXPECT_FALSE(ego_motion_cached(*session_->sequence(), options));
}

TEST_F(LongJobCancel, CancelledCompletionLeavesTheDocumentAsItWas) {
  // Give the sequence poses (the truth) so that completion starts at once, then cancel it part
  // way: complete_tracks() changes the document only when it finishes.
  formats::Sequence seq = *session_->sequence();
  for (int f = 0; f < static_cast<int>(seq.size()); ++f) {
    seq.frames[static_cast<std::size_t>(f)].T_world_lidar =
        test::street_pose(test::long_street(), f);
  }
  formats::Annotations doc = session_->document();
  const std::string before = formats::serialize_pcanno_document(doc);
  CompletionOptions options;
  options.method = CompletionMethod::kPropagate;
  options.max_propagate = 40;
  std::vector<double> seen;
  auto done = complete_tracks(doc, seq, options, [&](double f) {
    seen.push_back(f);
    return f < 0.5;
  });
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, formats::ErrorCode::kCancelled);
  EXPECT_EQ(formats::serialize_pcanno_document(doc), before);
  ASSERT_FALSE(seen.empty());
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_GT(seen.size(), 10u);  // per propagated frame, not once per track
}

}  // namespace
}  // namespace pcanno::plugin
