#pragma once
#include <string>
#include <string_view>

namespace pcanno::formats::detail {

/// nlohmann's what() starts with an id ("[json.exception.parse_error.101] ") that means nothing to
/// a user, and may quote megabytes of the input, possibly binary: non-printable bytes become \xNN
/// and the message is capped.
inline std::string readable_json_exception(const char* what) {
  constexpr std::size_t kMaxChars = 240;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string_view text = what;
  if (!text.empty() && text.front() == '[') {
    const std::size_t end = text.find("] ");
    if (end != std::string_view::npos) text.remove_prefix(end + 2);
  }
  std::string out;
  for (std::size_t i = 0; i < text.size() && out.size() < kMaxChars; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  if (out.size() >= kMaxChars) out += "...";
  return out;
}

}  // namespace pcanno::formats::detail
