#include "pcanno/formats/labels/frame_time.hpp"

namespace pcanno::formats {

std::optional<double> recorded_time_s(const Sequence* sequence, const Annotations& document,
                                      std::int64_t frame) {
  if (frame >= 0) {
    const auto i = static_cast<std::size_t>(frame);
    if (sequence != nullptr && i < sequence->size() && sequence->frames[i].timestamp_us >= 0) {
      return static_cast<double>(sequence->frames[i].timestamp_us) * 1e-6;
    }
    if (i < document.frames.size() && document.frames[i].timestamp_us >= 0) {
      return static_cast<double>(document.frames[i].timestamp_us) * 1e-6;
    }
  }
  return std::nullopt;
}

double frame_time_s(const Sequence* sequence, const Annotations& document, std::int64_t frame) {
  return recorded_time_s(sequence, document, frame)
      .value_or(kNominalFramePeriodS * static_cast<double>(frame));
}

}  // namespace pcanno::formats
