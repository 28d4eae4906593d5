#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "pcanno/formats/datasets/frame_cache.hpp"
#include "pcanno/formats/datasets/sequence.hpp"

namespace pcanno::viewer::workstation {

/// The workstation's frames: a FrameCache over the sequence, bounded in bytes, that loads the
/// next frames (in the direction of travel) in the background, so that stepping and playing
/// rarely wait on disk. When the sequence has cameras, each load decodes the frame's camera
/// images too (formats::decode_image), so that they are prefetched with the cloud under the same
/// byte bound.
class FrameSource {
 public:
  static constexpr std::size_t kMaxBytes = std::size_t{768} << 20;  ///< [bytes]

  explicit FrameSource(const formats::Sequence* sequence);

  /// Frame `i`'s cloud, and the prefetch re-planned around it; nullptr with no sequence. `error`
  /// gets the reason when the frame cannot be read.
  formats::FrameCache::FramePtr get(std::size_t i, std::string* error = nullptr);
  /// Frame `i` with its decoded camera images (LoadedFrame::images, parallel to
  /// FrameRef::images; null where an image failed, its reason in image_errors); the same rules as
  /// get().
  formats::FrameCache::LoadedFramePtr get_frame(std::size_t i, std::string* error = nullptr);
  /// Whether loads decode camera images (the sequence lists cameras).
  bool decodes_images() const { return decodes_images_; }
  const formats::FrameCache* cache() const { return cache_ ? &*cache_ : nullptr; }
  /// For readers of other frames (the display's accumulation) through the same prefetch.
  formats::FrameCache* cache() { return cache_ ? &*cache_ : nullptr; }

 private:
  std::optional<formats::FrameCache> cache_;
  bool decodes_images_ = false;
};

}  // namespace pcanno::viewer::workstation
