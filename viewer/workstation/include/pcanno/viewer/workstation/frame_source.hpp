#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "pcanno/formats/datasets/frame_cache.hpp"
#include "pcanno/formats/datasets/sequence.hpp"

namespace pcanno::viewer::workstation {

/// The workstation's clouds: a FrameCache over the sequence, bounded in bytes, that loads the
/// next frames (in the direction of travel) in the background, so that stepping and playing
/// rarely wait on disk.
class FrameSource {
 public:
  static constexpr std::size_t kMaxBytes = std::size_t{768} << 20;  ///< [bytes]

  explicit FrameSource(const formats::Sequence* sequence);

  /// Frame `i`, and the prefetch re-planned around it; nullptr with no sequence. `error` gets
  /// the reason when the frame cannot be read.
  formats::FrameCache::FramePtr get(std::size_t i, std::string* error = nullptr);
  const formats::FrameCache* cache() const { return cache_ ? &*cache_ : nullptr; }

 private:
  std::optional<formats::FrameCache> cache_;
};

}  // namespace pcanno::viewer::workstation
