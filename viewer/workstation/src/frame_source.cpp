#include "pcanno/viewer/workstation/frame_source.hpp"

namespace pcanno::viewer::workstation {

FrameSource::FrameSource(const formats::Sequence* sequence) {
  if (!sequence || sequence->size() == 0) return;
  formats::FrameCacheOptions options;
  options.max_bytes = kMaxBytes;
  options.prefetch_ahead = 4;  // 0.4 s of playback at 10 Hz
  options.prefetch_behind = 2;
  options.threads = 1;  // one disk reader; the UI thread and the renderer need the other core
  formats::ReadOptions read;
  read.drop_non_finite = true;
  // Images decode in the same (prefetched) load as their cloud: stepping waits on neither.
  decodes_images_ = !sequence->cameras.empty();
  cache_.emplace(formats::make_frame_cache(
      *sequence, options, read,
      decodes_images_ ? formats::file_image_decoder() : formats::ImageDecoder()));
}

formats::FrameCache::FramePtr FrameSource::get(std::size_t i, std::string* error) {
  formats::FrameCache::LoadedFramePtr frame = get_frame(i, error);
  if (!frame) return nullptr;
  return formats::FrameCache::FramePtr(frame, &frame->cloud);  // keeps the whole frame alive
}

formats::FrameCache::LoadedFramePtr FrameSource::get_frame(std::size_t i, std::string* error) {
  if (!cache_) return nullptr;
  auto frame = cache_->get_frame(i);
  if (!frame) {
    if (error) *error = frame.error().describe();
    return nullptr;
  }
  return *frame;
}

}  // namespace pcanno::viewer::workstation
