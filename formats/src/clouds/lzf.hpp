#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace pcanno::formats::detail {

/// Decoder for the LZF streams of PCD `binary_compressed` data (formats.md 7), bounds-checked on
/// every instruction: a damaged stream is reported, never read or written past either buffer.
/// Resumable, so that the caller can report progress while a large block inflates.
class LzfDecoder {
 public:
  /// `out` must hold `out_n` bytes: the raw size the file promises.
  LzfDecoder(const std::uint8_t* in, std::size_t in_n, std::uint8_t* out, std::size_t out_n)
      : in_(in), in_n_(in_n), out_(out), out_n_(out_n) {}

  /// Decodes instructions until at least `output_goal` bytes are out or the input ends. False on
  /// corrupt data; failed_at() and problem() then say where and why.
  bool decode_until(std::size_t output_goal);

  /// True when the whole input was consumed and produced exactly out_n bytes; else sets the
  /// problem.
  bool finished();

  std::size_t produced() const { return op_; }
  std::size_t failed_at() const { return failed_at_; }  ///< offset into the LZF input
  const std::string& problem() const { return problem_; }

 private:
  bool fail(std::size_t at, std::string problem);
  // Out of line, so that building messages does not weigh on the hot loop.
  bool literal_failure(std::size_t at, std::size_t len, std::size_t in_left, std::size_t op);
  bool reference_failure(std::size_t at, std::size_t distance, std::size_t len, std::size_t op);

  const std::uint8_t* in_;
  std::size_t in_n_;
  std::uint8_t* out_;
  std::size_t out_n_;
  std::size_t ip_ = 0;
  std::size_t op_ = 0;
  std::size_t failed_at_ = 0;
  std::string problem_;
};

/// Largest raw size an LZF stream of `compressed` bytes can decode to: a 3-byte back-reference
/// yields at most 264 bytes. Lets a reader reject an absurd raw size before allocating it.
constexpr std::size_t kLzfMaxExpansion = 88;

}  // namespace pcanno::formats::detail
