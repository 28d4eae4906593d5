#include "pcanno/formats/datasets/frame_cache.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "pcanno/formats/clouds/raw_bin.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
constexpr std::size_t kMiB = std::size_t{1} << 20;

/// A cloud whose every value says which frame it is. Per-frame constants are enough (the cache
/// never touches points) and keep 4000 fabrications cheap in sanitizer builds.
PointCloud fabricate(std::size_t frame, std::size_t points) {
  const float f = static_cast<float>(frame);
  PointCloud cloud;
  cloud.x.assign(points, f);
  cloud.y.assign(points, f + 0.5f);
  cloud.z.assign(points, -f);
  cloud.attributes.push_back(PointAttribute{std::string(attribute_names::kIntensity),
                                            std::vector<float>(points, f * 0.25f)});
  return cloud;
}

/// What the cache charges for a fabricated frame without images.
std::size_t charged(std::size_t points) {
  LoadedFrame frame;
  frame.cloud = fabricate(0, points);
  return frame_memory_bytes(frame);
}

/// Checks sizes fully and values at a stride (every value of every frame would dominate the run).
::testing::AssertionResult matches(const PointCloud& cloud, std::size_t frame, std::size_t points) {
  const std::vector<float>* intensity = cloud.attribute(attribute_names::kIntensity);
  if (cloud.x.size() != points || cloud.y.size() != points || cloud.z.size() != points ||
      intensity == nullptr || intensity->size() != points) {
    return ::testing::AssertionFailure() << "frame " << frame << ": wrong column sizes";
  }
  const float f = static_cast<float>(frame);
  const auto wrong_at = [&](std::size_t i) {
    return cloud.x[i] != f || cloud.y[i] != f + 0.5f || cloud.z[i] != -f ||
           (*intensity)[i] != f * 0.25f;
  };
  for (std::size_t i = 0; i < points; i += 97) {
    if (wrong_at(i)) return ::testing::AssertionFailure() << "frame " << frame << ": point " << i;
  }
  if (points > 0 && wrong_at(points - 1)) {
    return ::testing::AssertionFailure() << "frame " << frame << ": last point";
  }
  return ::testing::AssertionSuccess();
}

/// Loader calls per frame, and a switchable slow path that polls the cancel flag like a real
/// reader.
struct LoaderProbe {
  explicit LoaderProbe(std::size_t frames) : calls(frames), finished(frames) {}
  std::vector<std::atomic<int>> calls;
  std::vector<std::atomic<int>> finished;
  std::atomic<bool> fail{false};  ///< frame `fail_frame` returns kIo while set
  std::size_t fail_frame = 0;
  std::atomic<bool> slow{false};  ///< frames >= slow_from wait for cancel (at most 20 s) while set
  std::atomic<std::size_t> slow_from{1};
  std::chrono::milliseconds delay{0};  ///< every load
  std::atomic<bool> hold{false};       ///< frames != held_free wait while set (no cancel)
  std::atomic<std::size_t> held_free{0};
};

FrameCache::Loader probe_loader(std::shared_ptr<LoaderProbe> probe, std::size_t points) {
  return
      [probe, points](std::size_t frame, const std::atomic<bool>& cancel) -> Expected<PointCloud> {
        ++probe->calls[frame];
        struct Done {
          std::atomic<int>& counter;
          ~Done() { ++counter; }
        } done{probe->finished[frame]};
        if (probe->delay.count() > 0) std::this_thread::sleep_for(probe->delay);
        while (probe->hold && frame != probe->held_free) std::this_thread::sleep_for(1ms);
        if (probe->slow && frame >= probe->slow_from) {
          const auto give_up = Clock::now() + 20s;
          while (!cancel && Clock::now() < give_up) std::this_thread::sleep_for(1ms);
          if (cancel) return Error{ErrorCode::kCancelled, "cancelled", "frame.bin"};
        }
        if (probe->fail && frame == probe->fail_frame) {
          return Error{ErrorCode::kIo, "disk on fire", "frame.bin"};
        }
        return fabricate(frame, points);
      };
}

template <typename Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds timeout = 5000ms) {
  const auto end = Clock::now() + timeout;
  while (!predicate()) {
    if (Clock::now() > end) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// The acceptance test: scrubbing a long sequence end to end stays inside the budget.
TEST(FrameCache, ScrollsTwoThousandFramesWithinBudget) {
  constexpr std::size_t kFrames = 2000;
  constexpr std::size_t kPoints = 120000;
  constexpr std::size_t kBudget = 256 * kMiB;
  auto probe = std::make_shared<LoaderProbe>(kFrames);
  FrameCacheOptions options;
  options.max_bytes = kBudget;
  FrameCache cache(kFrames, probe_loader(probe, kPoints), options);

  const auto step = [&](std::size_t i) {
    Expected<FrameCache::FramePtr> frame = cache.get(i);
    ASSERT_TRUE(frame) << frame.error().describe();
    ASSERT_TRUE(matches(**frame, i, kPoints));
    ASSERT_LE(cache.stats().peak_bytes, kBudget) << "frame " << i;
    ASSERT_LE(cache.bytes(), kBudget) << "frame " << i;
  };
  for (std::size_t i = 0; i < kFrames; ++i) ASSERT_NO_FATAL_FAILURE(step(i));
  // Stepping by one never loads a frame twice: each was prefetched, waited for, or loaded once.
  EXPECT_EQ(cache.stats().loads, kFrames);
  EXPECT_GT(cache.stats().evictions, 0u);
  for (std::size_t i = kFrames; i-- > 0;) ASSERT_NO_FATAL_FAILURE(step(i));

  const FrameCache::Stats stats = cache.stats();
  EXPECT_EQ(stats.hits + stats.misses, 2 * kFrames);
  EXPECT_GT(stats.hits, 100u);  // the way back starts inside the ~130 frames still cached
  EXPECT_LT(stats.loads, 2 * kFrames);
}

TEST(FrameCache, PrefetchedNeighbourIsServedWithoutWaiting) {
  auto probe = std::make_shared<LoaderProbe>(20);
  probe->delay = 5ms;
  FrameCache cache(20, probe_loader(probe, 1000));

  ASSERT_TRUE(cache.get(5));
  // Travel is forward (the default), so the cache looks ahead 3 and behind 1.
  ASSERT_TRUE(eventually([&] {
    return cache.contains(6) && cache.contains(7) && cache.contains(8) && cache.contains(4);
  }));
  const FrameCache::Stats before = cache.stats();
  Expected<FrameCache::FramePtr> next = cache.get(6);
  ASSERT_TRUE(next);
  EXPECT_TRUE(matches(**next, 6, 1000));
  const FrameCache::Stats after = cache.stats();
  EXPECT_EQ(after.prefetch_hits, before.prefetch_hits + 1);
  EXPECT_EQ(after.hits, before.hits + 1);
  EXPECT_EQ(after.misses, before.misses);
  EXPECT_EQ(after.waits, before.waits);
  EXPECT_EQ(probe->calls[6], 1);                               // the get itself loaded nothing
  EXPECT_TRUE(eventually([&] { return cache.contains(9); }));  // the window moved with the cursor
  EXPECT_EQ(cache.stats().loads, 6u);                          // 4..9, each once
}

TEST(FrameCache, FrameInFlightIsNotLoadedTwice) {
  auto probe = std::make_shared<LoaderProbe>(10);
  probe->hold = true;  // everything but frame 0 waits until released
  FrameCacheOptions options;
  options.prefetch_ahead = 1;
  options.prefetch_behind = 0;
  FrameCache cache(10, probe_loader(probe, 1000), options);

  ASSERT_TRUE(cache.get(0));
  ASSERT_TRUE(eventually([&] { return probe->calls[1] == 1; }));  // prefetch of 1 is running
  std::thread release([&] {
    std::this_thread::sleep_for(20ms);
    probe->hold = false;
  });
  Expected<FrameCache::FramePtr> frame = cache.get(1);  // blocks on the prefetch
  release.join();
  ASSERT_TRUE(frame);
  EXPECT_TRUE(matches(**frame, 1, 1000));
  EXPECT_EQ(probe->calls[1], 1);
  EXPECT_EQ(cache.stats().waits, 1u);
  EXPECT_EQ(cache.stats().misses, 2u);
  EXPECT_EQ(cache.stats().prefetch_hits, 0u);

  // Two getters of the same missing frame share one load too.
  probe->hold = true;
  probe->held_free = 9;
  std::thread first([&] { EXPECT_TRUE(cache.get(5)); });
  ASSERT_TRUE(eventually([&] { return probe->calls[5] == 1; }));
  std::thread second([&] { EXPECT_TRUE(cache.get(5)); });
  ASSERT_TRUE(eventually([&] { return cache.stats().waits == 2; }));
  probe->hold = false;
  first.join();
  second.join();
  EXPECT_EQ(probe->calls[5], 1);
}

TEST(FrameCache, EvictsLeastRecentlyUsed) {
  const std::size_t frame_bytes = charged(1000);
  auto probe = std::make_shared<LoaderProbe>(10);
  FrameCacheOptions options;
  options.max_bytes = 3 * frame_bytes + frame_bytes / 2;  // room for 3 frames
  options.threads = 0;  // no prefetch: only the accesses below decide
  FrameCache cache(10, probe_loader(probe, 1000), options);

  for (std::size_t i : {0, 1, 2, 0, 3}) ASSERT_TRUE(cache.get(i));
  EXPECT_TRUE(cache.contains(0));  // touched again after 1
  EXPECT_FALSE(cache.contains(1));
  EXPECT_TRUE(cache.contains(2));
  EXPECT_TRUE(cache.contains(3));
  ASSERT_TRUE(cache.get(4));
  EXPECT_FALSE(cache.contains(2));
  EXPECT_TRUE(cache.contains(0));
  EXPECT_EQ(cache.bytes(), 3 * frame_bytes);
  EXPECT_EQ(cache.stats().evictions, 2u);
  EXPECT_EQ(cache.stats().hits, 1u);
  EXPECT_EQ(cache.stats().misses, 5u);

  cache.set_max_bytes(frame_bytes + frame_bytes / 2);
  EXPECT_EQ(cache.bytes(), frame_bytes);
  EXPECT_TRUE(cache.contains(4));  // the most recent survives
  EXPECT_EQ(cache.max_bytes(), frame_bytes + frame_bytes / 2);
}

TEST(FrameCache, PrefetchDoesNotEvictFramesNearerTheCursor) {
  const std::size_t frame_bytes = charged(1000);
  auto probe = std::make_shared<LoaderProbe>(30);
  probe->hold = true;  // prefetches start only once frame 10 is in, so the order is fixed
  probe->held_free = 10;
  FrameCacheOptions options;
  options.max_bytes = 3 * frame_bytes + frame_bytes / 2;
  options.prefetch_ahead = 5;
  options.prefetch_behind = 0;
  FrameCache cache(30, probe_loader(probe, 1000), options);

  ASSERT_TRUE(cache.get(10));
  probe->hold = false;
  // 11 and 12 fit; 13..15 could only make room by evicting 10..12, which are nearer.
  ASSERT_TRUE(eventually([&] { return cache.stats().prefetch_skipped == 3; }));
  EXPECT_TRUE(cache.contains(10));
  EXPECT_TRUE(cache.contains(11));
  EXPECT_TRUE(cache.contains(12));
  EXPECT_FALSE(cache.contains(13));
  EXPECT_EQ(cache.stats().evictions, 0u);
  EXPECT_LE(cache.stats().peak_bytes, options.max_bytes);

  // A get() does evict: frame 20 is what the viewer shows now.
  ASSERT_TRUE(cache.get(20));
  EXPECT_TRUE(cache.contains(20));
  EXPECT_FALSE(cache.contains(10));
}

TEST(FrameCache, LoaderErrorIsReturnedAndRetried) {
  auto probe = std::make_shared<LoaderProbe>(5);
  probe->fail = true;
  probe->fail_frame = 2;
  FrameCacheOptions options;
  options.threads = 0;
  FrameCache cache(5, probe_loader(probe, 100), options);

  Expected<FrameCache::FramePtr> failed = cache.get(2);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kIo);
  EXPECT_EQ(failed.error().message, "disk on fire");
  EXPECT_FALSE(cache.contains(2));

  probe->fail = false;
  Expected<FrameCache::FramePtr> retried = cache.get(2);
  ASSERT_TRUE(retried) << retried.error().describe();
  EXPECT_TRUE(matches(**retried, 2, 100));
  EXPECT_EQ(probe->calls[2], 2);
}

TEST(FrameCache, OutOfRangeIsNotFound) {
  auto probe = std::make_shared<LoaderProbe>(5);
  FrameCache cache(5, probe_loader(probe, 100));
  Expected<FrameCache::FramePtr> frame = cache.get(5);
  ASSERT_FALSE(frame);
  EXPECT_EQ(frame.error().code, ErrorCode::kNotFound);
  cache.prefetch(99);  // ignored
  EXPECT_EQ(cache.stats().loads, 0u);

  FrameCache empty(0, probe_loader(probe, 100));
  EXPECT_FALSE(empty.get(0));
}

TEST(FrameCache, FrameLargerThanBudgetIsReturnedButNotRetained) {
  auto probe = std::make_shared<LoaderProbe>(5);
  FrameCacheOptions options;
  options.max_bytes = charged(1000) / 2;
  FrameCache cache(5, probe_loader(probe, 1000), options);

  Expected<FrameCache::FramePtr> frame = cache.get(0);
  ASSERT_TRUE(frame);
  EXPECT_TRUE(matches(**frame, 0, 1000));
  EXPECT_FALSE(cache.contains(0));
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_LE(cache.stats().peak_bytes, options.max_bytes);
}

TEST(FrameCache, LoaderExceptionBecomesError) {
  FrameCache cache(3, [](std::size_t, const std::atomic<bool>&) -> Expected<PointCloud> {
    throw std::bad_alloc();
  });
  Expected<FrameCache::FramePtr> frame = cache.get(1);
  ASSERT_FALSE(frame);
  EXPECT_EQ(frame.error().code, ErrorCode::kOutOfMemory);
}

TEST(FrameCache, CancelPrefetchStopsSlowLoader) {
  auto probe = std::make_shared<LoaderProbe>(10);
  probe->slow = true;  // frames >= 1 run until cancelled
  FrameCache cache(10, probe_loader(probe, 100));

  ASSERT_TRUE(cache.get(0));
  ASSERT_TRUE(eventually([&] { return probe->calls[1] == 1; }));
  cache.cancel_prefetch();
  ASSERT_TRUE(eventually([&] { return cache.stats().cancelled == 1; }));
  EXPECT_EQ(probe->finished[1], 1);
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(probe->calls[2] + probe->calls[3], 0);  // the queued ones were dropped
  EXPECT_FALSE(cache.contains(1));

  probe->slow = false;
  Expected<FrameCache::FramePtr> frame = cache.get(1);  // cancelled is not cached: loads again
  ASSERT_TRUE(frame);
  EXPECT_TRUE(matches(**frame, 1, 100));
}

TEST(FrameCache, JumpingAwayCancelsPrefetchesOutsideTheWindow) {
  auto probe = std::make_shared<LoaderProbe>(200);
  probe->slow = true;
  probe->slow_from = 1;
  FrameCacheOptions options;
  options.prefetch_ahead = 1;
  options.prefetch_behind = 0;
  FrameCache cache(200, probe_loader(probe, 100), options);

  ASSERT_TRUE(cache.get(0));
  ASSERT_TRUE(eventually([&] { return probe->calls[1] == 1; }));
  probe->slow_from = 150;  // frame 101 loads at once
  ASSERT_TRUE(cache.get(100));
  EXPECT_TRUE(eventually([&] { return cache.stats().cancelled == 1; }));
  EXPECT_TRUE(eventually([&] { return cache.contains(101); }));
}

TEST(FrameCache, DestructionCancelsRunningLoad) {
  auto probe = std::make_shared<LoaderProbe>(10);
  probe->slow = true;
  auto cache = std::make_unique<FrameCache>(10, probe_loader(probe, 100));
  ASSERT_TRUE(cache->get(0));
  ASSERT_TRUE(eventually([&] { return probe->calls[1] == 1; }));

  const auto start = Clock::now();
  cache.reset();
  EXPECT_LT(Clock::now() - start, 5s);  // the loader gives up on its own after 20 s
  EXPECT_EQ(probe->finished[1], 1);
}

TEST(FrameCache, ConcurrentGetsReturnCorrectFrames) {
  constexpr std::size_t kFrames = 100;
  constexpr std::size_t kPoints = 2000;
  auto probe = std::make_shared<LoaderProbe>(kFrames);
  FrameCacheOptions options;
  options.max_bytes = 20 * charged(kPoints);
  options.threads = 2;
  FrameCache cache(kFrames, probe_loader(probe, kPoints), options);

  std::atomic<int> wrong{0};
  std::vector<std::thread> getters;
  for (unsigned t = 0; t < 4; ++t) {
    getters.emplace_back([&, t] {
      std::mt19937 rng(t);
      std::uniform_int_distribution<std::size_t> pick(0, kFrames - 1);
      for (int n = 0; n < 300; ++n) {
        const std::size_t i = pick(rng);
        Expected<FrameCache::FramePtr> frame = cache.get(i);
        if (!frame || !matches(**frame, i, kPoints)) ++wrong;
      }
    });
  }
  for (std::thread& t : getters) t.join();
  EXPECT_EQ(wrong, 0);
  const FrameCache::Stats stats = cache.stats();
  EXPECT_EQ(stats.hits + stats.misses, 1200u);
  EXPECT_LE(stats.peak_bytes, options.max_bytes);
  EXPECT_LE(cache.bytes(), options.max_bytes);
}

TEST(FrameCache, RealKittiTrackingSequence) {
  const std::filesystem::path dir =
      test::shared_data_dir() / "kitti_tracking/training/velodyne/0000";
  constexpr std::size_t kFrames = 20;
  Sequence sequence;
  std::vector<std::size_t> sizes;  // read directly, as the reference
  for (std::size_t i = 0; i < kFrames; ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "%06zu.bin", i);
    PCANNO_REQUIRE_DATA(dir / name);
    FrameRef ref;
    ref.cloud_path = dir / name;
    ref.format = "kitti-bin";
    sequence.frames.push_back(ref);
    Expected<PointCloud> direct = read_kitti_bin(ref.cloud_path);
    ASSERT_TRUE(direct) << direct.error().describe();
    sizes.push_back(direct->size());
  }
  FrameCacheOptions options;
  options.max_bytes = 8 * kMiB;  // about four frames: the walk evicts
  FrameCache cache = make_frame_cache(std::move(sequence), options);
  ASSERT_EQ(cache.frame_count(), kFrames);

  const auto check = [&](std::size_t i) {
    Expected<FrameCache::FramePtr> frame = cache.get(i);
    ASSERT_TRUE(frame) << frame.error().describe();
    ASSERT_EQ((*frame)->size(), sizes[i]);
    ASSERT_NE((*frame)->attribute(attribute_names::kIntensity), nullptr);
    ASSERT_LE(cache.stats().peak_bytes, options.max_bytes);
    ASSERT_LE(cache.bytes(), options.max_bytes);
  };
  for (std::size_t i = 0; i < kFrames; ++i) ASSERT_NO_FATAL_FAILURE(check(i));
  for (std::size_t i = kFrames; i-- > 0;) ASSERT_NO_FATAL_FAILURE(check(i));
  Expected<FrameCache::FramePtr> first = cache.get(0);
  ASSERT_TRUE(first);
  EXPECT_EQ((*first)->size(), 123398u);  // formats.md 1
  EXPECT_NEAR((*first)->x[0], 22.719, 1e-3);
  EXPECT_GT(cache.stats().evictions, 0u);
  EXPECT_FALSE(cache.get(kFrames));
}

TEST(FrameCache, SequenceLoadsStopThroughTheProgressCallback) {
  const std::filesystem::path file =
      test::shared_data_dir() / "kitti_tracking/training/velodyne/0000/000000.bin";
  PCANNO_REQUIRE_DATA(file);
  Sequence sequence;
  FrameRef ref;
  ref.cloud_path = file;
  ref.format = "kitti-bin";
  sequence.frames.push_back(ref);
  ReadOptions read_options;
  // The user's callback is still asked; its "stop" reaches the reader like a cancellation does.
  read_options.progress = [](double) { return false; };
  FrameCache cache = make_frame_cache(std::move(sequence), {}, read_options);
  Expected<FrameCache::FramePtr> frame = cache.get(0);
  ASSERT_FALSE(frame);
  EXPECT_EQ(frame.error().code, ErrorCode::kCancelled);
  EXPECT_FALSE(cache.contains(0));
}

}  // namespace
}  // namespace pcanno::formats

namespace pcanno::formats {
namespace {

/// A decoder that makes a `side` x `side` image whose first byte is the file name's length, and
/// fails for names containing "broken"; counts its calls.
struct FakeDecoder {
  int side = 64;
  std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);
  Expected<Image> operator()(const std::filesystem::path& path) const {
    ++*calls;
    if (path.filename().string().find("broken") != std::string::npos) {
      return Error{ErrorCode::kMalformed, "not an image", path.string()};
    }
    Image image;
    image.width = side;
    image.height = side;
    image.rgb.assign(static_cast<std::size_t>(side) * side * 3, 0);
    image.rgb[0] = static_cast<std::uint8_t>(path.filename().string().size());
    return image;
  }
};

/// Frames whose clouds are real KITTI files (any will do: the test is about the images beside
/// them), each with three camera images.
Sequence camera_sequence(std::size_t frames) {
  const std::filesystem::path cloud =
      test::shared_data_dir() / "kitti_tracking/training/velodyne/0000/000000.bin";
  Sequence sequence;
  sequence.cameras = {"CAM_A", "CAM_B", "CAM_C"};
  for (std::size_t i = 0; i < frames; ++i) {
    FrameRef ref;
    ref.cloud_path = cloud;
    ref.format = "kitti-bin";
    for (const char* channel : {"CAM_A", "CAM_B", "CAM_C"}) {
      CameraImage image;
      image.channel = channel;
      const bool broken = i == 1 && std::string(channel) == "CAM_B";
      image.path = std::string(broken ? "broken_" : "") + channel + std::to_string(i) + ".jpg";
      ref.images.push_back(image);
    }
    sequence.frames.push_back(ref);
  }
  return sequence;
}

TEST(FrameCacheImages, DecodesEachFramesImagesBesideItsCloud) {
  PCANNO_REQUIRE_DATA(test::shared_data_dir() / "kitti_tracking/training/velodyne/0000");
  FakeDecoder decoder;
  FrameCacheOptions options;
  options.threads = 0;
  FrameCache cache = make_frame_cache(camera_sequence(3), options, {}, decoder);

  Expected<FrameCache::LoadedFramePtr> frame = cache.get_frame(1);
  ASSERT_TRUE(frame) << frame.error().describe();
  const LoadedFrame& f = **frame;
  EXPECT_EQ(f.cloud.size(), 123398u);
  ASSERT_EQ(f.images.size(), 3u);
  ASSERT_EQ(f.image_errors.size(), 3u);
  ASSERT_TRUE(f.images[0]);
  EXPECT_EQ(f.images[0]->rgb[0], std::string("CAM_A1.jpg").size());
  // A broken image is reported and does not hide the cloud or the other images.
  EXPECT_FALSE(f.images[1]);
  EXPECT_NE(f.image_errors[1].find("broken_CAM_B1.jpg"), std::string::npos) << f.image_errors[1];
  ASSERT_TRUE(f.images[2]);
  EXPECT_TRUE(f.image_errors[2].empty());

  // The images are charged against the same bound as the cloud.
  EXPECT_EQ(cache.bytes(), frame_memory_bytes(f));
  EXPECT_GE(cache.bytes(), cloud_memory_bytes(f.cloud) + 2 * 64 * 64 * 3);

  // The cloud handed out by get() is the same frame's, and keeps it alive.
  Expected<FrameCache::FramePtr> cloud = cache.get(1);
  ASSERT_TRUE(cloud);
  EXPECT_EQ(cloud->get(), &f.cloud);
}

TEST(FrameCacheImages, OnlyRequestedChannelsAreDecoded) {
  PCANNO_REQUIRE_DATA(test::shared_data_dir() / "kitti_tracking/training/velodyne/0000");
  FakeDecoder decoder;
  FrameCacheOptions options;
  options.threads = 0;
  FrameCache cache = make_frame_cache(camera_sequence(2), options, {}, decoder, {"CAM_C"});
  Expected<FrameCache::LoadedFramePtr> frame = cache.get_frame(0);
  ASSERT_TRUE(frame) << frame.error().describe();
  EXPECT_EQ(*decoder.calls, 1);
  EXPECT_FALSE((*frame)->images[0]);
  EXPECT_FALSE((*frame)->images[1]);
  EXPECT_TRUE((*frame)->images[2]);
}

TEST(FrameCacheImages, PrefetchDecodesTheNeighboursImagesAndEvictsByBytes) {
  PCANNO_REQUIRE_DATA(test::shared_data_dir() / "kitti_tracking/training/velodyne/0000");
  FakeDecoder decoder;
  decoder.side = 512;  // 768 KiB per image: images dominate the bound
  FrameCacheOptions options;
  options.threads = 1;
  options.prefetch_ahead = 1;
  options.prefetch_behind = 0;
  FrameCache cache = make_frame_cache(camera_sequence(6), options, {}, decoder);
  ASSERT_TRUE(cache.get_frame(0));
  // Frame 1 arrives through the prefetch, images included.
  for (int i = 0; i < 500 && !cache.contains(1); ++i) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(cache.contains(1));
  EXPECT_EQ(*decoder.calls, 6);
  const std::size_t per_frame = cache.bytes() / 2;
  ASSERT_GT(per_frame, 3u * 512 * 512 * 3 / 2);

  cache.set_max_bytes(per_frame + per_frame / 2);  // room for one frame with its images
  EXPECT_LE(cache.bytes(), per_frame + per_frame / 2);
  EXPECT_TRUE(cache.contains(0) != cache.contains(1));
}

}  // namespace
}  // namespace pcanno::formats
