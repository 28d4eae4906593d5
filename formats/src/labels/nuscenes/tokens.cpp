#include "labels/nuscenes/tokens.hpp"

#include <utility>

namespace pcanno::formats::detail {
namespace {

constexpr std::uint64_t kFnvPrime = 1099511628211ull;
constexpr std::uint64_t kFnvOffset = 14695981039346656037ull;
// Any other odd constant works for the second lane; this is the golden-ratio constant.
constexpr std::uint64_t kSecondOffset = 0x9e3779b97f4a7c15ull;

std::uint64_t fmix64(std::uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdull;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ull;
  k ^= k >> 33;
  return k;
}

std::uint64_t fnv1a(std::string_view bytes, std::uint64_t state) {
  for (const char c : bytes) state = (state ^ static_cast<std::uint8_t>(c)) * kFnvPrime;
  // The length keeps prefixes of a message apart after the final mix.
  return fmix64(state ^ static_cast<std::uint64_t>(bytes.size()));
}

}  // namespace

std::array<std::uint64_t, 2> hash128(std::string_view bytes) {
  return {fnv1a(bytes, kFnvOffset), fnv1a(bytes, kSecondOffset)};
}

std::string make_token(std::string_view table, std::string_view key) {
  std::string message;
  message.reserve(table.size() + 1 + key.size());
  message.append(table).append(1, '\n').append(key);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token(32, '0');
  const auto h = hash128(message);
  for (int lane = 0; lane < 2; ++lane) {
    for (int i = 0; i < 16; ++i) {
      token[static_cast<std::size_t>(lane * 16 + i)] = kHex[(h[lane] >> (60 - 4 * i)) & 0xf];
    }
  }
  return token;
}

bool looks_like_token(std::string_view text) {
  if (text.size() < 16 || text.size() > 128) return false;
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string TokenAllocator::take(std::string_view key, std::string_view source_token) {
  if (looks_like_token(source_token) && used_.emplace(source_token).second) {
    return std::string(source_token);
  }
  std::string token = make_token(table_, key);
  for (int salt = 1; !used_.insert(token).second; ++salt) {
    token = make_token(table_, std::string(key) + "#" + std::to_string(salt));
  }
  return token;
}

}  // namespace pcanno::formats::detail
