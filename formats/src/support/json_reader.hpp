#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "pcanno/formats/support/expected.hpp"
#include "support/json_pointer.hpp"

// Private to formats/: the one type-checking walk over a parsed JSON tree, shared by the JSON
// codecs (the native document, OpenLABEL).
namespace pcanno::formats::detail {

/// The value as a message shows it: scalars verbatim (capped, non-printable bytes replaced),
/// non-finite numbers by name, containers by kind (an array with its length).
template <typename Json>
std::string found(const Json& value);

/// `text` as a JSON tree. Invalid JSON is kMalformed and JSON that ends early kTruncated, both
/// with the byte offset and line; a number beyond the double range is kMalformed. May throw
/// std::bad_alloc.
template <typename Json>
Expected<Json> parse_json(std::string_view text, const std::string& path);

/// Typed reads of a JSON tree that report by JSON pointer and name the file. The first failure
/// sticks: every read returns false from then on, so callers only propagate `false`, and the error
/// names the innermost value.
///
/// A template on the tree type: OpenLABEL reads `nlohmann::json` (logarithmic member lookup in
/// files with thousands of frames), the native document reads the `nlohmann::ordered_json` tree it
/// also writes (the writer checks that tree before it saves). Both are instantiated in
/// json_reader.cpp.
template <typename Json>
class JsonReader {
 public:
  /// `path` names the file in errors; it must outlive the reader.
  explicit JsonReader(const std::string& path) : path_(path) {}

  bool failed() const { return error_.has_value(); }
  /// The first failure; only after a read returned false.
  Error take_error() { return std::move(*error_); }

  /// Records `what` at `p` unless a failure is recorded already; always false.
  bool fail(const Pointer& p, const std::string& what, ErrorCode code = ErrorCode::kMalformed);
  /// "expected <what>, found <value>" at `p`; always false.
  bool expected(const Pointer& p, const std::string& what, const Json& value);

  /// Calls `read(member, pointer)` for `object[key]`; a missing member is an error.
  template <typename Read>
  bool required(const Json& object, const Pointer& p, const char* key, Read&& read) {
    const auto it = object.find(key);
    const Pointer member = p.member(key);
    if (it == object.end()) return fail(member, "required member is missing");
    return read(*it, member);
  }
  /// Calls `read(member, pointer)` for `object[key]` when it is there.
  template <typename Read>
  bool optional(const Json& object, const Pointer& p, const char* key, Read&& read) {
    const auto it = object.find(key);
    return it == object.end() || read(*it, p.member(key));
  }
  /// An array whose elements `read_item(element, pointer, item)` turns into `out`'s items.
  template <typename Item, typename ReadItem>
  bool each(const Json& v, const Pointer& p, std::vector<Item>& out, ReadItem&& read_item) {
    if (!array(v, p)) return false;
    out.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
      Item item;
      if (!read_item(v[i], p.element(i), item)) return false;
      out.push_back(std::move(item));
    }
    return true;
  }

  bool object(const Json& v, const Pointer& p);
  bool array(const Json& v, const Pointer& p);
  bool text(const Json& v, const Pointer& p, std::string& out);
  bool name(const Json& v, const Pointer& p, std::string& out);  ///< non-empty text
  bool boolean(const Json& v, const Pointer& p, bool& out);
  bool number(const Json& v, const Pointer& p, double& out);    ///< finite
  bool positive(const Json& v, const Pointer& p, double& out);  ///< finite, > 0
  /// An integer in [min, max]; 3.0 counts as 3, as JSON Schema has it (within the exact double
  /// range). The message gives the bounds that are not the int64 extremes.
  bool integer(const Json& v, const Pointer& p, std::int64_t min, std::int64_t max,
               std::int64_t& out);
  /// An integer in [min, INT_MAX].
  bool integer32(const Json& v, const Pointer& p, int min, int& out);
  /// An array of finite numbers, any length.
  bool numbers(const Json& v, const Pointer& p, std::vector<double>& out);
  /// An array of exactly `n` finite numbers, each > 0 with `all_positive`.
  bool numbers(const Json& v, const Pointer& p, std::size_t n, double* out,
               bool all_positive = false);
  bool vector3(const Json& v, const Pointer& p, Eigen::Vector3d& out, bool all_positive = false) {
    return numbers(v, p, 3, out.data(), all_positive);
  }

 private:
  const std::string& path_;
  std::optional<Error> error_;
};

extern template class JsonReader<nlohmann::json>;
extern template class JsonReader<nlohmann::ordered_json>;
extern template std::string found(const nlohmann::json& value);
extern template std::string found(const nlohmann::ordered_json& value);
extern template Expected<nlohmann::json> parse_json(std::string_view, const std::string&);
extern template Expected<nlohmann::ordered_json> parse_json(std::string_view, const std::string&);

}  // namespace pcanno::formats::detail
