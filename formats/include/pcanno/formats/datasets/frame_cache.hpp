#pragma once
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pcanno/formats/clouds/point_cloud.hpp"
#include "pcanno/formats/clouds/reader.hpp"
#include "pcanno/formats/datasets/image.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/support/expected.hpp"

namespace pcanno::formats {

/// What the cache charges for a frame [bytes]: the capacity (not the size) of x, y, z and every
/// attribute column, attribute names, and the structs themselves. Capacity, because that is what
/// the allocator holds; allocator headers are not counted.
std::size_t cloud_memory_bytes(const PointCloud& cloud);

/// One frame as a cache holds it: the cloud and, when the cache decodes images, the frame's camera
/// images.
struct LoadedFrame {
  using ImagePtr = std::shared_ptr<const Image>;
  PointCloud cloud;
  /// Parallel to FrameRef::images; null where the image was not asked for or did not decode.
  std::vector<ImagePtr> images;
  std::vector<std::string> image_errors;  ///< parallel to `images`; empty where all went well
};

/// What the cache charges for a loaded frame [bytes]: the cloud (cloud_memory_bytes()) plus the
/// capacity of every decoded image.
std::size_t frame_memory_bytes(const LoadedFrame& frame);

struct FrameCacheOptions {
  std::size_t max_bytes = std::size_t{1} << 30;  ///< [bytes] bound on entries + in-flight loads
  std::size_t prefetch_ahead = 3;   ///< [frames] loaded ahead of the cursor, direction of travel
  std::size_t prefetch_behind = 1;  ///< [frames] loaded behind it, for stepping back
  std::size_t threads = 1;          ///< background loaders; 0 disables prefetching
};

/// Frames of a sequence loaded on demand and kept in an LRU bounded by bytes, with the neighbours
/// of the last requested frame (the cursor) loaded in the background so that stepping forward or
/// backward does not wait on disk. All members are thread-safe; no exception leaves them except
/// std::bad_alloc from the constructor.
///
/// Memory bound: the bytes of the cache's entries plus reservations for loads in flight (the size
/// of the last loaded frame each) never exceed max_bytes. A frame larger than what can be made free
/// is returned by get() but not retained. Frames are handed out as shared pointers, so a caller
/// may keep one after it was evicted; that memory is then the caller's and no longer counted.
class FrameCache {
 public:
  using FramePtr = std::shared_ptr<const PointCloud>;
  using LoadedFramePtr = std::shared_ptr<const LoadedFrame>;
  /// Loads one frame; called from get() and from the cache's threads, possibly concurrently, so it
  /// must be thread-safe. Long work should poll `cancel` and return ErrorCode::kCancelled once it
  /// is set (the result is no longer wanted, or the cache is being destroyed).
  using Loader =
      std::function<Expected<PointCloud>(std::size_t frame, const std::atomic<bool>& cancel)>;
  /// Loads a frame with its images; the same rules as Loader.
  using FrameLoader =
      std::function<Expected<LoadedFrame>(std::size_t frame, const std::atomic<bool>& cancel)>;

  struct Stats {
    std::size_t hits = 0;           ///< get() found the frame cached
    std::size_t prefetch_hits = 0;  ///< hits whose entry a prefetch loaded (first get() of it)
    std::size_t misses = 0;         ///< get() did not find it cached: loaded it or waited
    std::size_t waits = 0;          ///< misses that blocked on a load already in flight
    std::size_t loads = 0;          ///< loader calls, by get() and by prefetch
    std::size_t evictions = 0;      ///< entries dropped to make room
    std::size_t cancelled = 0;      ///< loads whose result was dropped after cancellation
    /// Prefetches not started or not retained because the room could only have come from frames
    /// nearer the cursor.
    std::size_t prefetch_skipped = 0;
    std::size_t peak_bytes = 0;  ///< [bytes] highest entries + reservations so far
  };

  /// `frame_count` frames, indices 0 .. frame_count - 1.
  FrameCache(std::size_t frame_count, Loader loader, FrameCacheOptions options = {});
  FrameCache(std::size_t frame_count, FrameLoader loader, FrameCacheOptions options = {});
  /// Cancels queued and running prefetches and waits for the threads (a loader that polls its flag
  /// keeps this short). No get() may be running.
  ~FrameCache();
  /// A moved-from cache may only be destroyed or assigned to.
  FrameCache(FrameCache&&) noexcept;
  FrameCache& operator=(FrameCache&&) noexcept;
  FrameCache(const FrameCache&) = delete;
  FrameCache& operator=(const FrameCache&) = delete;

  std::size_t frame_count() const;

  /// The frame, loading it on this thread if needed; a frame already being loaded is waited for,
  /// never loaded twice. Moves the cursor to `frame` and re-plans the prefetch around it. Out of
  /// range is kNotFound; a loader error is returned and not cached, so a later get() retries.
  Expected<FramePtr> get(std::size_t frame);
  /// get(), with the frame's images. The cloud get() returns shares ownership with this.
  Expected<LoadedFramePtr> get_frame(std::size_t frame);

  /// Queues a background load; no-op when out of range, cached, queued or in flight. The next
  /// get() re-plans around its frame: a request outside the new window is dropped if queued and
  /// cancelled if running.
  void prefetch(std::size_t frame);

  /// Drops queued prefetches and sets the cancel flag of running ones (not of loads a get() waits
  /// for).
  void cancel_prefetch();

  bool contains(std::size_t frame) const;
  std::size_t bytes() const;  ///< [bytes] held by the cache's entries
  std::size_t max_bytes() const;
  /// Evicts least recently used entries down to the new bound. Loads already in flight keep their
  /// reservation until they finish (and are not retained when they no longer fit).
  void set_max_bytes(std::size_t max_bytes);
  Stats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A cache over `sequence`'s frames read with Sequence::load_frame(). The sequence is copied (it is
/// a list of paths), so it need not outlive the cache. The cancel flag is wired into
/// ReadOptions::progress; a progress callback in `read_options` is called from the cache's threads.
///
/// With a `decoder`, each load also decodes the frame's camera images (FrameRef::images; only
/// those of `channels` when it is not empty), so that images are prefetched with their clouds and
/// count against the same byte bound. An image that fails to decode leaves a null pointer and its
/// error in LoadedFrame::image_errors; the frame still loads.
FrameCache make_frame_cache(Sequence sequence, FrameCacheOptions options = {},
                            ReadOptions read_options = {}, ImageDecoder decoder = {},
                            std::vector<std::string> channels = {});

}  // namespace pcanno::formats
