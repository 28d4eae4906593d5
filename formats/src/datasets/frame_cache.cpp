#include "pcanno/formats/datasets/frame_cache.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <list>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace pcanno::formats {

namespace {

/// Building a message allocates; when memory is what ran out, an Error without one still carries
/// the code.
Error make_error(ErrorCode code, std::size_t frame, const char* what) noexcept {
  Error error;
  error.code = code;
  try {
    error.message = "frame " + std::to_string(frame) + ": " + what;
  } catch (...) {
  }
  return error;
}

}  // namespace

std::size_t cloud_memory_bytes(const PointCloud& cloud) {
  std::size_t bytes = sizeof(PointCloud);
  bytes += (cloud.x.capacity() + cloud.y.capacity() + cloud.z.capacity()) * sizeof(float);
  bytes += cloud.attributes.capacity() * sizeof(PointAttribute);
  for (const PointAttribute& a : cloud.attributes) {
    bytes += a.name.capacity() + a.values.capacity() * sizeof(float);
  }
  return bytes;
}

std::size_t frame_memory_bytes(const LoadedFrame& frame) {
  std::size_t bytes = cloud_memory_bytes(frame.cloud) + sizeof(LoadedFrame) - sizeof(PointCloud);
  bytes += frame.images.capacity() * sizeof(LoadedFrame::ImagePtr);
  for (const auto& image : frame.images) {
    if (image) bytes += sizeof(Image) + image->rgb.capacity();
  }
  bytes += frame.image_errors.capacity() * sizeof(std::string);
  for (const std::string& e : frame.image_errors) bytes += e.capacity();
  return bytes;
}

struct FrameCache::Impl {
  struct Entry {
    LoadedFramePtr cloud;
    std::size_t bytes = 0;
    std::list<std::size_t>::iterator lru;  ///< position in lru_
    bool prefetched = false;               ///< loaded ahead and not yet handed to get()
  };

  /// One load in flight. Shared with the getters waiting for it, so they can read the outcome after
  /// it left jobs_.
  struct Job {
    std::atomic<bool> cancel{false};
    std::size_t reserved = 0;  ///< [bytes] counted against max_bytes_ until the load finishes
    bool prefetch = false;     ///< started by a worker
    bool demanded = false;     ///< a get() needs it: never cancelled short of destruction
    bool done = false;
    LoadedFramePtr cloud;  ///< set on success, also when it was not retained
    std::optional<Error> error;
  };

  Impl(std::size_t frame_count, FrameLoader loader, const FrameCacheOptions& options)
      : frame_count_(frame_count),
        loader_(std::move(loader)),
        ahead_(options.prefetch_ahead),
        behind_(options.prefetch_behind),
        max_bytes_(options.max_bytes) {
    for (std::size_t i = 0; i < options.threads; ++i) {
      try {
        workers_.emplace_back([this] { work(); });
      } catch (...) {
        break;  // fewer threads still work; none disables prefetching
      }
    }
  }

  ~Impl() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
      queue_.clear();
      for (auto& [frame, job] : jobs_) job->cancel = true;
    }
    work_cv_.notify_all();
    for (std::thread& t : workers_) t.join();
  }

  Expected<LoadedFramePtr> get(std::size_t frame) {
    std::unique_lock<std::mutex> lock(mutex_);
    move_cursor(frame);
    bool counted = false;
    for (;;) {
      if (auto it = entries_.find(frame); it != entries_.end()) {
        Entry& entry = it->second;
        lru_.splice(lru_.begin(), lru_, entry.lru);
        if (!counted) {
          ++stats_.hits;
          if (entry.prefetched) ++stats_.prefetch_hits;
        }
        entry.prefetched = false;
        plan_prefetch();
        return entry.cloud;
      }
      if (!counted) ++stats_.misses;
      counted = true;

      if (auto it = jobs_.find(frame); it != jobs_.end()) {
        const std::shared_ptr<Job> job = it->second;
        job->demanded = true;
        // A prefetch cancelled by an earlier re-plan may not have noticed yet; it is wanted again.
        if (!stopping_) job->cancel = false;
        ++stats_.waits;
        plan_prefetch();
        done_cv_.wait(lock, [&] { return job->done; });
        if (job->cloud) return job->cloud;
        if (!job->error) return make_error(ErrorCode::kIo, frame, "load ended without a result");
        if (job->error->code != ErrorCode::kCancelled || stopping_) return *job->error;
        continue;  // it stopped before we asked for it: load it ourselves
      }

      auto job = std::make_shared<Job>();
      job->demanded = true;
      jobs_.emplace(frame, job);
      // The frame asked for comes first: reserve before the neighbours do. When even evicting
      // everything cannot make room, load anyway; finish() then hands it out without keeping it.
      reserve(frame, /*protect_nearer=*/false, job->reserved);
      ++stats_.loads;
      plan_prefetch();  // the neighbours load on the workers while this thread reads
      lock.unlock();
      Expected<LoadedFrame> result = run_loader(frame, job->cancel);
      lock.lock();
      finish(frame, job, std::move(result));
      if (job->cloud) return job->cloud;
      return *job->error;
    }
  }

  void prefetch(std::size_t frame) {
    if (frame >= frame_count_ || workers_.empty()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_ || entries_.count(frame) != 0 || jobs_.count(frame) != 0) return;
      if (std::find(queue_.begin(), queue_.end(), frame) != queue_.end()) return;
      queue_.push_back(frame);
    }
    work_cv_.notify_one();
  }

  void cancel_prefetch() {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.clear();
    for (auto& [frame, job] : jobs_) {
      if (job->prefetch && !job->demanded) job->cancel = true;
    }
  }

  void set_max_bytes(std::size_t max_bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    max_bytes_ = max_bytes;
    while (!lru_.empty() && entry_bytes_ + reserved_bytes_ > max_bytes_)
      evict(std::prev(lru_.end()));
  }

  // --- work() takes mutex_ itself; the helpers after it expect it held ---

  void work() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      const std::size_t frame = queue_.front();
      queue_.pop_front();
      if (entries_.count(frame) != 0 || jobs_.count(frame) != 0) continue;

      std::shared_ptr<Job> job;
      try {
        job = std::make_shared<Job>();
        job->prefetch = true;
        jobs_.emplace(frame, job);
      } catch (const std::bad_alloc&) {
        continue;  // prefetching is best effort
      }
      if (!reserve(frame, /*protect_nearer=*/true, job->reserved)) {
        jobs_.erase(frame);
        ++stats_.prefetch_skipped;
        continue;
      }
      ++stats_.loads;
      lock.unlock();
      Expected<LoadedFrame> result = run_loader(frame, job->cancel);
      lock.lock();
      finish(frame, job, std::move(result));
    }
  }

  Expected<LoadedFrame> run_loader(std::size_t frame, const std::atomic<bool>& cancel) noexcept {
    try {
      return loader_(frame, cancel);
    } catch (const std::bad_alloc&) {
      return make_error(ErrorCode::kOutOfMemory, frame, "out of memory while loading");
    } catch (const std::exception& e) {
      return make_error(ErrorCode::kIo, frame, e.what());
    } catch (...) {
      return make_error(ErrorCode::kIo, frame, "the loader threw");
    }
  }

  /// Records the outcome of a load, retains it if it fits, and wakes the getters waiting for it.
  void finish(std::size_t frame, const std::shared_ptr<Job>& job,
              Expected<LoadedFrame> result) noexcept {
    reserved_bytes_ -= job->reserved;
    job->reserved = 0;
    jobs_.erase(frame);
    const bool abandoned = job->cancel && !job->demanded;
    if (result) {
      try {
        job->cloud = std::make_shared<const LoadedFrame>(std::move(*result));
        const std::size_t size = frame_memory_bytes(*job->cloud);
        estimate_ = size;
        if (abandoned) {
          ++stats_.cancelled;
        } else {
          // A get() waiting on a prefetch consumed it: that was a wait, not a later prefetch hit.
          const bool by_prefetch = job->prefetch && !job->demanded;
          insert(frame, job->cloud, size, by_prefetch);
        }
      } catch (const std::bad_alloc&) {
        if (!job->cloud) job->error = make_error(ErrorCode::kOutOfMemory, frame, "out of memory");
      }
    } else {
      if (result.error().code == ErrorCode::kCancelled) ++stats_.cancelled;
      job->error = std::move(result).error();
    }
    job->done = true;
    done_cv_.notify_all();
  }

  void insert(std::size_t frame, const LoadedFramePtr& cloud, std::size_t size, bool by_prefetch) {
    if (!make_room(frame, size, by_prefetch)) {
      if (by_prefetch) ++stats_.prefetch_skipped;
      return;
    }
    lru_.push_front(frame);
    try {
      entries_.emplace(frame, Entry{cloud, size, lru_.begin(), by_prefetch});
    } catch (...) {
      lru_.pop_front();
      throw;
    }
    entry_bytes_ += size;
    note_peak();
  }

  /// Reserves the expected size of `frame` (the last loaded frame's) for its load.
  bool reserve(std::size_t frame, bool protect_nearer, std::size_t& reserved) {
    if (!make_room(frame, estimate_, protect_nearer)) return false;
    reserved = estimate_;
    reserved_bytes_ += reserved;
    note_peak();
    return true;
  }

  /// Evicts least recently used entries until `bytes` more fit. With `protect_nearer` (prefetch)
  /// only entries farther from the cursor than `frame` may go, so loading ahead never pushes out
  /// what the viewer is about to show. Evicts nothing when the room cannot be made.
  bool make_room(std::size_t frame, std::size_t bytes, bool protect_nearer) {
    const auto fits = [&] {
      const std::size_t used = entry_bytes_ + reserved_bytes_;
      return bytes <= max_bytes_ && used <= max_bytes_ - bytes;
    };
    if (fits()) return true;
    if (bytes > max_bytes_) return false;
    const std::size_t limit = distance(frame);
    const auto evictable = [&](std::size_t f) { return !protect_nearer || distance(f) > limit; };
    std::size_t freeable = 0;
    for (std::size_t f : lru_) {
      if (evictable(f)) freeable += entries_.find(f)->second.bytes;
    }
    if (entry_bytes_ - freeable + reserved_bytes_ > max_bytes_ - bytes) return false;
    for (auto it = lru_.end(); !fits() && it != lru_.begin();) {
      --it;
      if (evictable(*it)) it = evict(it);
    }
    return true;
  }

  std::list<std::size_t>::iterator evict(std::list<std::size_t>::iterator it) {
    const auto entry = entries_.find(*it);
    entry_bytes_ -= entry->second.bytes;
    entries_.erase(entry);
    ++stats_.evictions;
    return lru_.erase(it);
  }

  void note_peak() {
    stats_.peak_bytes = std::max(stats_.peak_bytes, entry_bytes_ + reserved_bytes_);
  }

  std::size_t distance(std::size_t frame) const {
    return frame > cursor_ ? frame - cursor_ : cursor_ - frame;
  }

  void move_cursor(std::size_t frame) {
    if (frame != cursor_) forward_ = frame > cursor_;
    cursor_ = frame;
  }

  /// Replaces the queue with the cursor's neighbours, nearest first, the direction of travel
  /// before the other, and cancels prefetches that fell out of that window (scrubbing far away).
  void plan_prefetch() noexcept {
    if (workers_.empty() || stopping_) return;
    queue_.clear();
    const std::size_t above = forward_ ? ahead_ : behind_;  // window in increasing frame order
    const std::size_t below = forward_ ? behind_ : ahead_;
    for (auto& [frame, job] : jobs_) {
      const bool in_window = frame >= cursor_ ? frame - cursor_ <= above : cursor_ - frame <= below;
      if (job->prefetch && !job->demanded && !in_window) job->cancel = true;
    }
    const auto want = [&](std::size_t frame) {
      if (entries_.count(frame) == 0 && jobs_.count(frame) == 0) queue_.push_back(frame);
    };
    try {
      const std::size_t after = frame_count_ - 1 - cursor_;  // frames above the cursor
      for (std::size_t k = 1; k <= std::min(ahead_, forward_ ? after : cursor_); ++k) {
        want(forward_ ? cursor_ + k : cursor_ - k);
      }
      for (std::size_t k = 1; k <= std::min(behind_, forward_ ? cursor_ : after); ++k) {
        want(forward_ ? cursor_ - k : cursor_ + k);
      }
    } catch (const std::bad_alloc&) {
      // prefetching is best effort
    }
    work_cv_.notify_all();
  }

  const std::size_t frame_count_;
  const FrameLoader loader_;
  const std::size_t ahead_;   ///< [frames]
  const std::size_t behind_;  ///< [frames]

  mutable std::mutex mutex_;
  std::condition_variable work_cv_;  ///< workers: the queue has work, or stopping_
  std::condition_variable done_cv_;  ///< getters: a job finished
  std::size_t max_bytes_;            ///< [bytes]
  std::size_t entry_bytes_ = 0;      ///< [bytes] sum of entries_
  std::size_t reserved_bytes_ = 0;   ///< [bytes] sum of the jobs' reservations
  std::size_t estimate_ = 0;         ///< [bytes] size of the last loaded frame
  std::unordered_map<std::size_t, Entry> entries_;
  std::list<std::size_t> lru_;  ///< frames of entries_, most recently used first
  std::unordered_map<std::size_t, std::shared_ptr<Job>> jobs_;
  std::deque<std::size_t> queue_;  ///< prefetches not started yet, next first
  std::size_t cursor_ = 0;         ///< last frame asked for by get()
  bool forward_ = true;            ///< direction of the last cursor move
  bool stopping_ = false;
  Stats stats_;
  std::vector<std::thread> workers_;
};

FrameCache::FrameCache(std::size_t frame_count, FrameLoader loader, FrameCacheOptions options)
    : impl_(std::make_unique<Impl>(frame_count, std::move(loader), options)) {}

FrameCache::FrameCache(std::size_t frame_count, Loader loader, FrameCacheOptions options)
    : FrameCache(frame_count,
                 FrameLoader([cloud_loader = std::move(loader)](
                                 std::size_t frame,
                                 const std::atomic<bool>& cancel) -> Expected<LoadedFrame> {
                   Expected<PointCloud> cloud = cloud_loader(frame, cancel);
                   if (!cloud) return std::move(cloud).error();
                   LoadedFrame out;
                   out.cloud = std::move(*cloud);
                   return out;
                 }),
                 options) {}

FrameCache::~FrameCache() = default;
FrameCache::FrameCache(FrameCache&&) noexcept = default;
FrameCache& FrameCache::operator=(FrameCache&&) noexcept = default;

std::size_t FrameCache::frame_count() const { return impl_->frame_count_; }

Expected<FrameCache::FramePtr> FrameCache::get(std::size_t frame) {
  Expected<LoadedFramePtr> loaded = get_frame(frame);
  if (!loaded) return std::move(loaded).error();
  // Shares ownership of the whole frame, so a caller's cloud keeps its images alive, not freed.
  const LoadedFramePtr& whole = *loaded;
  return FramePtr(whole, &whole->cloud);
}

Expected<FrameCache::LoadedFramePtr> FrameCache::get_frame(std::size_t frame) {
  try {
    if (frame >= impl_->frame_count_) {
      const std::string what =
          "out of range (the sequence has " + std::to_string(impl_->frame_count_) + " frames)";
      return make_error(ErrorCode::kNotFound, frame, what.c_str());
    }
    return impl_->get(frame);
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCode::kOutOfMemory, frame, "out of memory");
  } catch (...) {
    return make_error(ErrorCode::kIo, frame, "unexpected failure");
  }
}

void FrameCache::prefetch(std::size_t frame) {
  try {
    impl_->prefetch(frame);
  } catch (...) {
    // prefetching is best effort
  }
}

void FrameCache::cancel_prefetch() { impl_->cancel_prefetch(); }

bool FrameCache::contains(std::size_t frame) const {
  std::lock_guard<std::mutex> lock(impl_->mutex_);
  return impl_->entries_.count(frame) != 0;
}

std::size_t FrameCache::bytes() const {
  std::lock_guard<std::mutex> lock(impl_->mutex_);
  return impl_->entry_bytes_;
}

std::size_t FrameCache::max_bytes() const {
  std::lock_guard<std::mutex> lock(impl_->mutex_);
  return impl_->max_bytes_;
}

void FrameCache::set_max_bytes(std::size_t max_bytes) { impl_->set_max_bytes(max_bytes); }

FrameCache::Stats FrameCache::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mutex_);
  return impl_->stats_;
}

FrameCache make_frame_cache(Sequence sequence, FrameCacheOptions options, ReadOptions read_options,
                            ImageDecoder decoder, std::vector<std::string> channels) {
  auto shared = std::make_shared<const Sequence>(std::move(sequence));
  const std::size_t count = shared->size();
  auto loader = [shared, read_options, decoder = std::move(decoder),
                 channels = std::move(channels)](
                    std::size_t frame, const std::atomic<bool>& cancel) -> Expected<LoadedFrame> {
    ReadOptions per_load = read_options;
    // The readers already stop when progress says so: that is how a load notices cancellation.
    per_load.progress = [&cancel, user = read_options.progress](double fraction) {
      return !cancel.load(std::memory_order_relaxed) && (!user || user(fraction));
    };
    Expected<CloudFile> file = shared->load_frame(frame, per_load);
    if (!file) return std::move(file).error();
    LoadedFrame out;
    out.cloud = std::move(file->cloud);
    if (!decoder) return out;
    const std::vector<CameraImage>& refs = shared->frames[frame].images;
    out.images.resize(refs.size());
    out.image_errors.resize(refs.size());
    for (std::size_t i = 0; i < refs.size(); ++i) {
      if (cancel.load(std::memory_order_relaxed))
        return make_error(ErrorCode::kCancelled, frame, "cancelled");
      if (!channels.empty() &&
          std::find(channels.begin(), channels.end(), refs[i].channel) == channels.end()) {
        continue;
      }
      // A missing or broken image must not hide the cloud: it is reported beside it.
      Expected<Image> image = decoder(refs[i].path);
      if (image) {
        out.images[i] = std::make_shared<const Image>(std::move(*image));
      } else {
        out.image_errors[i] = image.error().describe();
      }
    }
    return out;
  };
  return FrameCache(count, FrameCache::FrameLoader(std::move(loader)), options);
}

}  // namespace pcanno::formats
