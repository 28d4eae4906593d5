#pragma once
#include <string>
#include <string_view>

#include "support/text_scan.hpp"

namespace pcanno::formats::detail {

/// nlohmann's what() starts with an id ("[json.exception.parse_error.101] ") that means nothing to
/// a user, and may quote megabytes of the input, possibly binary: non-printable bytes become \xNN
/// and the message is capped.
inline std::string readable_json_exception(const char* what) {
  constexpr std::size_t kMaxChars = 240;
  std::string_view text = what;
  if (!text.empty() && text.front() == '[') {
    const std::size_t end = text.find("] ");
    if (end != std::string_view::npos) text.remove_prefix(end + 2);
  }
  std::string out = escape_bytes(text, {}, kMaxChars);
  if (out.size() >= kMaxChars) out += "...";
  return out;
}

}  // namespace pcanno::formats::detail
