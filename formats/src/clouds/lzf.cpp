#include "clouds/lzf.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace pcanno::formats::detail {
namespace {
constexpr std::size_t kWide = 32;  ///< the longest literal run

/// Copies `len` bytes from `distance` back to `dst`, LZ style: when the two overlap, the output
/// repeats its last `distance` bytes. Fixed-size steps, which compile to plain moves, are used
/// wherever `room` (bytes writable at dst) allows them to run past `len`; variable-length memcpy
/// compiles to `rep movs`, slow at the few bytes a typical back-reference copies.
inline void copy_reference(std::uint8_t* dst, std::size_t distance, std::size_t len,
                           std::size_t room) {
  const std::uint8_t* src = dst - distance;
  if (room >= len + 16) {
    // Each step reads only bytes written before it, because distance >= the step.
    if (distance >= 16) {
      for (std::size_t k = 0; k < len; k += 16) std::memcpy(dst + k, src + k, 16);
      return;
    }
    if (distance >= 8) {
      for (std::size_t k = 0; k < len; k += 8) std::memcpy(dst + k, src + k, 8);
      return;
    }
  }
  if (distance >= len) {
    std::memcpy(dst, src, len);
  } else if (len <= 32) {
    for (std::size_t k = 0; k < len; ++k) dst[k] = src[k];
  } else {
    // Long runs of a short period (NaN padding of organised clouds): doubling spans that stay
    // multiples of the period take a handful of non-overlapping copies.
    std::memcpy(dst, src, distance);
    for (std::size_t done = distance; done < len; done *= 2) {
      std::memcpy(dst + done, dst, std::min(done, len - done));
    }
  }
}

}  // namespace

bool LzfDecoder::fail(std::size_t at, std::string problem) {
  failed_at_ = at;
  problem_ = std::move(problem);
  return false;
}

bool LzfDecoder::decode_until(std::size_t output_goal) {
  if (!problem_.empty()) return false;
  // Locals, not members: the compiler then keeps them in registers across the memcpy calls.
  const std::uint8_t* const in = in_;
  std::uint8_t* const out = out_;
  const std::size_t in_n = in_n_;
  const std::size_t out_n = out_n_;
  std::size_t ip = ip_;
  std::size_t op = op_;
  bool ok = true;
  while (ip < in_n && op < output_goal) {
    const std::size_t at = ip;
    const unsigned control = in[ip++];
    if (control < 32) {  // literal run
      const std::size_t len = control + 1;
      if (in_n - ip < len || out_n - op < len) {
        ok = literal_failure(at, len, in_n - ip, op);
        break;
      }
      if (in_n - ip >= kWide && out_n - op >= kWide) {
        // A fixed-size copy compiles to two vector moves; a variable one to a slow `rep movs`.
        // The bytes past `len` are overwritten by the instructions that follow.
        std::memcpy(out + op, in + ip, kWide);
      } else {
        std::memcpy(out + op, in + ip, len);
      }
      ip += len;
      op += len;
      continue;
    }
    std::size_t len = control >> 5;
    if (len == 7) {
      if (ip >= in_n) {
        ok = fail(at, "LZF back-reference cut off before its length byte");
        break;
      }
      len += in[ip++];
    }
    len += 2;
    if (ip >= in_n) {
      ok = fail(at, "LZF back-reference cut off before its distance byte");
      break;
    }
    const std::size_t distance = ((std::size_t{control} & 31u) << 8) + in[ip++] + 1;
    if (distance > op || out_n - op < len) {
      ok = reference_failure(at, distance, len, op);
      break;
    }
    copy_reference(out + op, distance, len, out_n - op);
    op += len;
  }
  ip_ = ip;
  op_ = op;
  return ok;
}

bool LzfDecoder::literal_failure(std::size_t at, std::size_t len, std::size_t in_left,
                                 std::size_t op) {
  if (in_left < len) {
    return fail(at, "LZF literal run of " + std::to_string(len) + " bytes, but only " +
                        std::to_string(in_left) + " bytes of the block remain");
  }
  return fail(at, "LZF literal run of " + std::to_string(len) + " bytes would write past the " +
                      std::to_string(out_n_) + "-byte raw size (" + std::to_string(op) +
                      " bytes already decoded)");
}

bool LzfDecoder::reference_failure(std::size_t at, std::size_t distance, std::size_t len,
                                   std::size_t op) {
  if (distance > op) {
    return fail(at, "LZF back-reference " + std::to_string(distance - op) +
                        " bytes before the start of the output");
  }
  return fail(at, "LZF back-reference of " + std::to_string(len) + " bytes would write past the " +
                      std::to_string(out_n_) + "-byte raw size (" + std::to_string(op) +
                      " bytes already decoded)");
}

bool LzfDecoder::finished() {
  if (!decode_until(out_n_)) return false;
  if (ip_ < in_n_) {
    // Every instruction writes at least one byte, so input left over means the raw size was full.
    return fail(ip_, "LZF data continues after the " + std::to_string(out_n_) +
                         "-byte raw size was reached");
  }
  if (op_ != out_n_) {
    return fail(in_n_, "LZF block ends after " + std::to_string(op_) + " of " +
                           std::to_string(out_n_) + " raw bytes");
  }
  return true;
}

}  // namespace pcanno::formats::detail
