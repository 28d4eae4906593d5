#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "pcanno/geometry/point_view.hpp"

namespace pcanno::geometry::detail {

/// Calls `visit(i)` in ascending order for every point `i` for which `may_pass(x, y, z)` holds, on
/// the float coordinates. `may_pass` is a cheap, conservative pre-test that runs branch-free over
/// chunks of the scan, so the compiler vectorises it; `visit` makes the exact test. It is taken by
/// value: a local closure keeps its captures in registers, where stores to the flag array cannot
/// alias them.
template <typename MayPass, typename Visit>
void for_each_candidate(const PointView& points, MayPass may_pass, Visit&& visit) {
  constexpr std::size_t kChunk = 512;
  std::uint8_t flag[kChunk];
  const std::size_t stride = points.stride;
  for (std::size_t base = 0; base < points.size; base += kChunk) {
    const std::size_t m = std::min(kChunk, points.size - base);
    const float* x = points.x + base * stride;
    const float* y = points.y + base * stride;
    const float* z = points.z + base * stride;
    if (stride == 1) {
      for (std::size_t j = 0; j < m; ++j) flag[j] = may_pass(x[j], y[j], z[j]);
    } else {
      for (std::size_t j = 0; j < m; ++j) {
        const std::size_t k = j * stride;
        flag[j] = may_pass(x[k], y[k], z[k]);
      }
    }
    // Eight flags at a time (most points fail); a short last chunk is padded to whole words.
    const std::size_t words = (m + 7) / 8 * 8;
    std::fill(flag + m, flag + words, std::uint8_t{0});
    for (std::size_t i = 0; i < words; i += 8) {
      std::uint64_t word;
      std::memcpy(&word, flag + i, sizeof word);
      if (word == 0) continue;
      for (std::size_t j = i; j < i + 8; ++j) {
        if (flag[j]) visit(base + j);
      }
    }
  }
}

}  // namespace pcanno::geometry::detail
