#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>

// Private to the nuScenes writer: deterministic record tokens.
namespace pcanno::formats::detail {

/// A 128-bit digest of `bytes`: two 64-bit FNV-1a lanes with different offset bases, each finished
/// with MurmurHash3's fmix64 so that inputs differing in one byte differ in about half the bits.
/// Not cryptographic; tokens only need to be stable and, in practice, unique (the allocator below
/// checks uniqueness anyway).
std::array<std::uint64_t, 2> hash128(std::string_view bytes);

/// 32 lower-case hex digits of hash128(table + '\n' + key): the same record content gives the same
/// token in every export, so re-exports are byte-identical.
std::string make_token(std::string_view table, std::string_view key);

/// True for 16..128 lower-case hex digits: a token another nuScenes-style tool could have written
/// (nuScenes 32, Lyft 64). Names like "000042" or "3" are not kept as tokens.
bool looks_like_token(std::string_view text);

/// Hands out tokens unique within one table: a kept source token when it looks like a token and is
/// still free, else a generated one (re-salted on the unlikely collision with a kept token).
class TokenAllocator {
 public:
  explicit TokenAllocator(std::string table) : table_(std::move(table)) {}

  std::string take(std::string_view key, std::string_view source_token = {});

 private:
  std::string table_;
  std::unordered_set<std::string> used_;
};

}  // namespace pcanno::formats::detail
