#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

// A machine-readable report as a tree of null, booleans, numbers, strings, arrays and objects
// (keys in insertion order): what `pcanno eval --json` prints and pcanno.eval() returns as a dict.
// The engine builds the fields once (eval_report.hpp); each front end converts the tree (the CLI
// to JSON, the Python module to dicts), so that the keys and their values cannot drift apart.
// Integers keep their signedness and doubles stay doubles, so that 3 and 3.0 print as they did.

namespace pcanno::plugin {

class ReportValue {
 public:
  enum class Kind { kNull, kBool, kInt, kUnsigned, kDouble, kString, kArray, kObject };

  ReportValue() = default;  ///< null
  ReportValue(std::nullptr_t) {}
  ReportValue(bool v) : kind_(Kind::kBool), bool_(v) {}
  template <typename T,
            std::enable_if_t<
                std::is_integral_v<T> && !std::is_same_v<T, bool> && std::is_signed_v<T>, int> = 0>
  ReportValue(T v) : kind_(Kind::kInt), int_(v) {}
  template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                                             std::is_unsigned_v<T>,
                                         int> = 0>
  ReportValue(T v) : kind_(Kind::kUnsigned), unsigned_(v) {}
  ReportValue(double v) : kind_(Kind::kDouble), double_(v) {}
  ReportValue(std::string v) : kind_(Kind::kString), string_(std::move(v)) {}
  ReportValue(const char* v) : ReportValue(std::string(v)) {}
  /// null when empty.
  ReportValue(const std::optional<double>& v) {
    if (v) *this = ReportValue(*v);
  }

  static ReportValue array() { return ReportValue(Kind::kArray); }
  static ReportValue object() { return ReportValue(Kind::kObject); }

  /// Appends to an array.
  ReportValue& push(ReportValue value) {
    items_.push_back(std::move(value));
    return *this;
  }
  /// Adds `key` to an object (after the keys already there).
  ReportValue& add(std::string key, ReportValue value) {
    keys_.push_back(std::move(key));
    items_.push_back(std::move(value));
    return *this;
  }

  Kind kind() const { return kind_; }
  bool as_bool() const { return bool_; }
  std::int64_t as_int() const { return int_; }
  std::uint64_t as_unsigned() const { return unsigned_; }
  double as_double() const { return double_; }
  const std::string& as_string() const { return string_; }
  /// Array elements, or object values (keys()[i] names items()[i]).
  const std::vector<ReportValue>& items() const { return items_; }
  const std::vector<std::string>& keys() const { return keys_; }

 private:
  explicit ReportValue(Kind kind) : kind_(kind) {}

  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  std::int64_t int_ = 0;
  std::uint64_t unsigned_ = 0;
  double double_ = 0.0;
  std::string string_;
  std::vector<ReportValue> items_;
  std::vector<std::string> keys_;
};

}  // namespace pcanno::plugin
