#pragma once
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace pcanno::formats::detail {

inline bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/// ASCII lower case (file names and suffixes; no locale).
inline std::string lower_ascii(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

inline bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

/// Walks a text buffer line by line (LF or CRLF; a missing final newline is fine), with 1-based
/// numbers. A leading UTF-8 byte-order mark is skipped: editors on Windows add one.
class LineScanner {
 public:
  explicit LineScanner(std::string_view text) : rest_(text) {
    if (rest_.substr(0, 3) == "\xEF\xBB\xBF") rest_.remove_prefix(3);
  }

  /// The next line, trimmed of surrounding blanks; false at the end of the text.
  bool next(std::string_view& line) {
    if (finished_) return false;
    const std::size_t eol = rest_.find('\n');
    if (eol == std::string_view::npos) {
      finished_ = true;
      if (rest_.empty()) return false;  // the text ended with a newline, or was empty
      line = trim(rest_);
    } else {
      line = trim(rest_.substr(0, eol));
      rest_.remove_prefix(eol + 1);
    }
    ++line_number_;
    return true;
  }

  std::int64_t line_number() const { return line_number_; }

 private:
  std::string_view rest_;
  bool finished_ = false;
  std::int64_t line_number_ = 0;
};

/// Blank-separated tokens of one line.
inline void split_tokens(std::string_view line, std::vector<std::string_view>& tokens) {
  tokens.clear();
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_blank(line[i])) ++i;
    const std::size_t start = i;
    while (i < line.size() && !is_blank(line[i])) ++i;
    if (i > start) tokens.push_back(line.substr(start, i - start));
  }
}

/// from_chars takes no '+', but C's printf("%+f") writes one. False when nothing number-like
/// remains (so "+-1" and "++1" stay errors).
inline bool strip_plus(std::string_view& token) {
  if (!token.empty() && token.front() == '+') {
    token.remove_prefix(1);
    if (!token.empty() && (token.front() == '+' || token.front() == '-')) return false;
  }
  return !token.empty();
}

/// Whole-token, locale-independent, correctly rounded parse of a finite double (so `%.12e` text
/// comes back bit for bit). A leading '+' is accepted; "nan", "inf", hex and trailing characters
/// are not.
inline bool parse_double(std::string_view token, double& value) {
  if (!strip_plus(token)) return false;
  const char* first = token.data();
  const char* last = token.data() + token.size();
  double parsed = 0.0;
  const std::from_chars_result r = std::from_chars(first, last, parsed, std::chars_format::general);
  if (r.ec != std::errc() || r.ptr != last || !std::isfinite(parsed)) return false;
  value = parsed;
  return true;
}

/// Whole-token decimal integer; a leading '+' is accepted.
inline bool parse_int(std::string_view token, int& value) {
  if (!strip_plus(token)) return false;
  const char* last = token.data() + token.size();
  int parsed = 0;
  const std::from_chars_result r = std::from_chars(token.data(), last, parsed);
  if (r.ec != std::errc() || r.ptr != last) return false;
  value = parsed;
  return true;
}

/// `bytes` made safe for a message, because they may be binary garbage: bytes outside printable
/// ASCII, and those in `also` (quotes), as \xNN. Stops once the result holds `max_chars`.
inline std::string escape_bytes(std::string_view bytes, std::string_view also = {},
                                std::size_t max_chars = std::string::npos) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && out.size() < max_chars; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && also.find(static_cast<char>(c)) == std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

/// A token made safe for an error message: quoted, escaped, long tokens shortened.
inline std::string quote_token(std::string_view token) {
  constexpr std::size_t kMaxShown = 40;
  std::string out = "'" + escape_bytes(token.substr(0, kMaxShown), "'\\") + "'";
  if (token.size() > kMaxShown) out += "...";
  return out;
}

}  // namespace pcanno::formats::detail
