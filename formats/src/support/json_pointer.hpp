#pragma once
#include <cstddef>
#include <string>
#include <string_view>

// Private to formats/: where in a JSON document a reader is, for its error messages.
namespace pcanno::formats::detail {

/// One JSON pointer reference token (RFC 6901): '~' -> "~0", '/' -> "~1", with the leading '/'.
std::string pointer_token(std::string_view key);

/// A JSON pointer that is only spelled out when an error needs it: reading one box would otherwise
/// format a dozen strings that are thrown away. Lives on the stack of the reads below it.
class Pointer {
 public:
  Pointer() = default;

  Pointer member(std::string_view key) const { return Pointer(this, key, 0); }
  Pointer element(std::size_t index) const { return Pointer(this, {}, index); }

  /// "" for the document itself.
  std::string str() const {
    if (!parent_) return "";
    return parent_->str() + (key_.data() ? pointer_token(key_) : "/" + std::to_string(index_));
  }

 private:
  Pointer(const Pointer* parent, std::string_view key, std::size_t index)
      : parent_(parent), key_(key), index_(index) {}

  const Pointer* parent_ = nullptr;
  std::string_view key_;  ///< null data(): an array element
  std::size_t index_ = 0;
};

}  // namespace pcanno::formats::detail
