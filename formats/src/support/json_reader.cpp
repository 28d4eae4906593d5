#include "support/json_reader.hpp"

#include <algorithm>
#include <cmath>

#include "support/json_errors.hpp"

namespace pcanno::formats::detail {

template <typename Json>
std::string found(const Json& value) {
  constexpr std::size_t kMaxChars = 60;
  switch (value.type()) {
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array of " + std::to_string(value.size());
    case Json::value_t::binary:
      return "binary data";
    case Json::value_t::discarded:
      return "nothing";
    case Json::value_t::number_float: {
      // dump() would print a NaN as null, which misleads when a writer checks its own tree.
      const double d = value.template get<double>();
      if (std::isnan(d)) return "NaN";
      if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
      break;
    }
    case Json::value_t::string: {
      const auto& s = value.template get_ref<const std::string&>();
      if (s.size() > kMaxChars) {
        return Json(s.substr(0, kMaxChars)).dump(-1, ' ', true, Json::error_handler_t::replace) +
               "...";
      }
      break;
    }
    default:
      break;
  }
  return value.dump(-1, ' ', true, Json::error_handler_t::replace);
}

template <typename Json>
Expected<Json> parse_json(std::string_view text, const std::string& path) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const typename Json::parse_error& e) {
    // The lexer counts the end of input it read as one byte past the last.
    const bool ended_early = e.byte > text.size();
    Error error{ended_early ? ErrorCode::kTruncated : ErrorCode::kMalformed,
                std::string(ended_early ? "the JSON ends early: " : "invalid JSON: ") +
                    readable_json_exception(e.what()),
                path};
    const std::size_t offset = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
    error.offset = static_cast<std::int64_t>(offset);
    error.line =
        1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n');
    return error;
  } catch (const typename Json::exception& e) {
    // A number beyond the double range ("1e999") is the one non-syntax failure of parse().
    return Error{ErrorCode::kMalformed, "invalid JSON: " + readable_json_exception(e.what()), path};
  }
}

template <typename Json>
bool JsonReader<Json>::fail(const Pointer& p, const std::string& what, ErrorCode code) {
  if (error_) return false;
  const std::string where = p.str();
  // "" is the whole file; "/" reads better in a message.
  error_ = Error{code, (where.empty() ? "/" : where) + ": " + what, path_};
  return false;
}

template <typename Json>
bool JsonReader<Json>::expected(const Pointer& p, const std::string& what, const Json& value) {
  return fail(p, "expected " + what + ", found " + found(value));
}

template <typename Json>
bool JsonReader<Json>::object(const Json& v, const Pointer& p) {
  return v.is_object() || expected(p, "an object", v);
}

template <typename Json>
bool JsonReader<Json>::array(const Json& v, const Pointer& p) {
  return v.is_array() || expected(p, "an array", v);
}

template <typename Json>
bool JsonReader<Json>::text(const Json& v, const Pointer& p, std::string& out) {
  if (!v.is_string()) return expected(p, "a string", v);
  out = v.template get<std::string>();
  return true;
}

template <typename Json>
bool JsonReader<Json>::name(const Json& v, const Pointer& p, std::string& out) {
  if (!v.is_string() || v.template get_ref<const std::string&>().empty()) {
    return expected(p, "a non-empty string", v);
  }
  out = v.template get<std::string>();
  return true;
}

template <typename Json>
bool JsonReader<Json>::boolean(const Json& v, const Pointer& p, bool& out) {
  if (!v.is_boolean()) return expected(p, "true or false", v);
  out = v.template get<bool>();
  return true;
}

template <typename Json>
bool JsonReader<Json>::number(const Json& v, const Pointer& p, double& out) {
  if (!v.is_number() || !std::isfinite(v.template get<double>())) {
    return expected(p, "a finite number", v);
  }
  out = v.template get<double>();
  return true;
}

template <typename Json>
bool JsonReader<Json>::positive(const Json& v, const Pointer& p, double& out) {
  if (!number(v, p, out)) return false;
  return out > 0.0 || expected(p, "a positive number", v);
}

template <typename Json>
bool JsonReader<Json>::integer(const Json& v, const Pointer& p, std::int64_t min, std::int64_t max,
                               std::int64_t& out) {
  constexpr double kExactLimit = 9007199254740992.0;  // 2^53
  constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();
  std::int64_t value = 0;
  bool in_range = true;
  if (v.is_number_unsigned()) {
    const auto u = v.template get<std::uint64_t>();
    in_range = u <= static_cast<std::uint64_t>(kInt64Max);
    value = in_range ? static_cast<std::int64_t>(u) : 0;
  } else if (v.is_number_integer()) {
    value = v.template get<std::int64_t>();
  } else if (v.is_number_float() &&
             std::trunc(v.template get<double>()) == v.template get<double>() &&
             std::fabs(v.template get<double>()) <= kExactLimit) {
    value = static_cast<std::int64_t>(v.template get<double>());
  } else {
    return expected(p, "an integer", v);
  }
  if (!in_range || value < min || value > max) {
    std::string range = "an integer";
    if (min != kInt64Min && max != kInt64Max) {
      range += " in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
    } else if (min != kInt64Min) {
      range += " >= " + std::to_string(min);
    } else if (max != kInt64Max) {
      range += " <= " + std::to_string(max);
    }
    return expected(p, range, v);
  }
  out = value;
  return true;
}

template <typename Json>
bool JsonReader<Json>::integer32(const Json& v, const Pointer& p, int min, int& out) {
  std::int64_t value = 0;
  if (!integer(v, p, min, std::numeric_limits<int>::max(), value)) return false;
  out = static_cast<int>(value);
  return true;
}

template <typename Json>
bool JsonReader<Json>::numbers(const Json& v, const Pointer& p, std::vector<double>& out) {
  if (!array(v, p)) return false;
  out.resize(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!number(v[i], p.element(i), out[i])) return false;
  }
  return true;
}

template <typename Json>
bool JsonReader<Json>::numbers(const Json& v, const Pointer& p, std::size_t n, double* out,
                               bool all_positive) {
  if (!v.is_array() || v.size() != n) {
    return expected(p, "an array of " + std::to_string(n) + " numbers", v);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const Pointer element = p.element(i);
    if (!(all_positive ? positive(v[i], element, out[i]) : number(v[i], element, out[i]))) {
      return false;
    }
  }
  return true;
}

template class JsonReader<nlohmann::json>;
template class JsonReader<nlohmann::ordered_json>;
template std::string found(const nlohmann::json& value);
template std::string found(const nlohmann::ordered_json& value);
template Expected<nlohmann::json> parse_json(std::string_view, const std::string&);
template Expected<nlohmann::ordered_json> parse_json(std::string_view, const std::string&);

}  // namespace pcanno::formats::detail
