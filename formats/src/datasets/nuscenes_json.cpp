#include "datasets/nuscenes_json.hpp"

#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <new>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "pcanno/geometry/pose.hpp"
#include "support/json_errors.hpp"

namespace pcanno::formats::detail {
namespace {

namespace fs = std::filesystem;
using Json = JsonRecord;

std::string record_label(std::size_t index) { return "record " + std::to_string(index); }

/// SAX consumer that materialises one top-level array element at a time. Pointers on the stack
/// stay valid: a container only grows while none of its children is open.
class RecordSax {
 public:
  explicit RecordSax(const std::function<Status(const Json&, std::size_t)>& on_record)
      : on_record_(on_record) {}

  bool null() { return add(Json(nullptr)) != nullptr; }
  bool boolean(bool value) { return add(Json(value)) != nullptr; }
  bool number_integer(Json::number_integer_t value) { return add(Json(value)) != nullptr; }
  bool number_unsigned(Json::number_unsigned_t value) { return add(Json(value)) != nullptr; }
  bool number_float(Json::number_float_t value, const Json::string_t& /*text*/) {
    return add(Json(value)) != nullptr;
  }
  bool string(Json::string_t& value) { return add(Json(std::move(value))) != nullptr; }
  bool binary(Json::binary_t& /*value*/) {
    // Only the binary formats (CBOR, ...) produce this; JSON text cannot.
    return fail("binary data is not JSON");
  }
  bool start_object(std::size_t /*size*/) { return open(Json::object()); }
  bool key(Json::string_t& name) {
    key_ = std::move(name);
    return true;
  }
  bool end_object() {
    stack_.pop_back();
    return stack_.empty() ? finish_record() : true;
  }
  bool start_array(std::size_t /*size*/) {
    if (!started_) {
      started_ = true;
      return true;
    }
    return open(Json::array());
  }
  bool end_array() {
    // The top-level array closes with an empty stack; the parser then checks the end of input.
    if (!stack_.empty()) stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& ex) {
    syntax_position_ = position;
    syntax_message_ = readable_json_exception(ex.what());
    return false;
  }

  std::size_t records_done() const { return index_; }
  bool inside_record() const { return !stack_.empty(); }
  std::optional<Error>& error() { return error_; }
  const std::optional<std::size_t>& syntax_position() const { return syntax_position_; }
  const std::string& syntax_message() const { return syntax_message_; }

 private:
  bool fail(const std::string& message) {
    error_ = Error{ErrorCode::kMalformed, message, ""};
    return false;
  }

  /// Places `value` where the parser is; nullptr (with error_ set) when the shape is wrong.
  Json* add(Json&& value) {
    if (!started_) {
      fail(std::string("expected a JSON array of records, found ") + json_type_phrase(value));
      return nullptr;
    }
    if (stack_.empty()) {
      if (!value.is_object()) {
        fail(record_label(index_) + ": expected an object, found " + json_type_phrase(value));
        return nullptr;
      }
      record_ = std::move(value);
      return &record_;
    }
    Json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    Json& slot = parent[key_];
    slot = std::move(value);
    return &slot;
  }

  bool open(Json&& container) {
    Json* slot = add(std::move(container));
    if (slot == nullptr) return false;
    stack_.push_back(slot);
    return true;
  }

  bool finish_record() {
    Status status = on_record_(record_, index_);
    ++index_;
    record_ = Json();
    if (!status) {
      error_ = std::move(status).error();
      return false;
    }
    return true;
  }

  const std::function<Status(const Json&, std::size_t)>& on_record_;
  bool started_ = false;
  Json record_;
  std::vector<Json*> stack_;
  std::string key_;
  std::size_t index_ = 0;
  std::optional<Error> error_;
  std::optional<std::size_t> syntax_position_;
  std::string syntax_message_;
};

Status open_error(const fs::path& file) {
  const int saved_errno = errno;
  std::error_code ec;
  if (!fs::exists(file, ec)) return Error{ErrorCode::kNotFound, "no such file", file.string()};
  if (saved_errno == EACCES || saved_errno == EPERM) {
    return Error{ErrorCode::kPermission, "permission denied", file.string()};
  }
  return Error{ErrorCode::kIo, "cannot open the file", file.string()};
}

Status parse_stream(const fs::path& file,
                    const std::function<Status(const Json&, std::size_t)>& on_record) {
  errno = 0;
  std::ifstream stream(file, std::ios::binary);
  if (!stream) return open_error(file);
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(file, ec);

  RecordSax sax(on_record);
  if (Json::sax_parse(stream, &sax, nlohmann::detail::input_format_t::json, /*strict=*/true,
                      /*ignore_comments=*/false)) {
    return {};
  }
  if (sax.error()) {
    Error error = std::move(*sax.error());
    error.path = file.string();
    return error;
  }
  const std::size_t position = sax.syntax_position().value_or(0);
  const std::string where =
      sax.inside_record()
          ? record_label(sax.records_done())
          : (sax.records_done() == 0 ? std::string("before the first record")
                                     : "after " + record_label(sax.records_done() - 1));
  // The lexer counts the end-of-file it read as one character past the last byte.
  const bool ended_early = !ec && position > size;
  Error error{ended_early ? ErrorCode::kTruncated : ErrorCode::kMalformed,
              where + ": " + (ended_early ? "the JSON ends early: " : "invalid JSON: ") +
                  sax.syntax_message(),
              file.string()};
  error.offset = static_cast<std::int64_t>(position > 0 ? position - 1 : 0);
  return error;
}

}  // namespace

Status for_each_json_record(const fs::path& file,
                            const std::function<Status(const Json&, std::size_t)>& on_record) {
  try {
    return parse_stream(file, on_record);
  } catch (const std::bad_alloc&) {
    return Error{ErrorCode::kOutOfMemory, "out of memory", file.string()};
  } catch (const std::length_error&) {
    return Error{ErrorCode::kOutOfMemory, "size exceeds what a container can hold", file.string()};
  } catch (const nlohmann::json::exception& e) {
    return Error{ErrorCode::kMalformed, readable_json_exception(e.what()), file.string()};
  } catch (const std::exception& e) {
    return Error{ErrorCode::kIo, e.what(), file.string()};
  }
}

const char* json_type_phrase(const JsonRecord& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "a number";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::binary:
      return "binary data";
    case Json::value_t::discarded:
      break;
  }
  return "nothing";
}

RecordFields::RecordFields(const JsonRecord& record, std::size_t index, const std::string& path)
    : record_(record), index_(index), path_(path) {}

const JsonRecord* RecordFields::find(const char* key, Presence presence) {
  if (error_) return nullptr;
  used_.push_back(key);
  const auto it = record_.find(key);
  if (it == record_.end()) {
    if (presence == kRequired) fail(key, " is missing");
    return nullptr;
  }
  return &*it;
}

void RecordFields::fail(const char* key, const std::string& what) {
  if (error_) return;
  error_ =
      Error{ErrorCode::kMalformed, record_label(index_) + ": field '" + key + "'" + what, path_};
}

void RecordFields::text(const char* key, std::string& out, Presence presence) {
  const JsonRecord* value = find(key, presence);
  if (value == nullptr) return;
  if (!value->is_string()) {
    fail(key, std::string(": expected a string, found ") + json_type_phrase(*value));
    return;
  }
  out = value->get_ref<const std::string&>();
}

void RecordFields::text_list(const char* key, std::vector<std::string>& out) {
  const JsonRecord* value = find(key, kRequired);
  if (value == nullptr) return;
  if (!value->is_array()) {
    fail(key, std::string(": expected an array of strings, found ") + json_type_phrase(*value));
    return;
  }
  out.clear();
  out.reserve(value->size());
  for (std::size_t i = 0; i < value->size(); ++i) {
    const JsonRecord& element = (*value)[i];
    if (!element.is_string()) {
      fail(key, ": element " + std::to_string(i) + ": expected a string, found " +
                    json_type_phrase(element));
      return;
    }
    out.push_back(element.get_ref<const std::string&>());
  }
}

void RecordFields::integer(const char* key, int& out, Presence presence) {
  const JsonRecord* value = find(key, presence);
  if (value == nullptr) return;
  double number = 0.0;
  // Integral floats ("3.0") are accepted: Python writers produce them.
  if (!read_number(*value, number) || number != std::floor(number) ||
      number < std::numeric_limits<int>::min() || number > std::numeric_limits<int>::max()) {
    fail(key, std::string(": expected an integer, found ") +
                  (value->is_number() ? value->dump() : json_type_phrase(*value)));
    return;
  }
  out = static_cast<int>(number);
}

void RecordFields::optional_integer(const char* key, std::optional<int>& out) {
  if (error_ || record_.find(key) == record_.end()) {
    used_.push_back(key);
    return;
  }
  int value = 0;
  integer(key, value, kRequired);
  if (!error_) out = value;
}

void RecordFields::boolean(const char* key, bool& out) {
  const JsonRecord* value = find(key, kRequired);
  if (value == nullptr) return;
  if (!value->is_boolean()) {
    fail(key, std::string(": expected true or false, found ") + json_type_phrase(*value));
    return;
  }
  out = value->get<bool>();
}

void RecordFields::timestamp(const char* key, std::int64_t& out) {
  const JsonRecord* value = find(key, kRequired);
  if (value == nullptr) return;
  if (value->is_number_integer()) {  // both signedness kinds; exact, no double round trip
    if (value->is_number_unsigned() &&
        value->get<std::uint64_t>() >
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      fail(key, ": timestamp " + value->dump() + " [us] is out of range");
      return;
    }
    out = value->get<std::int64_t>();
    return;
  }
  double number = 0.0;
  // 9.2e18 us is far beyond any recording; the bound keeps llround defined.
  if (!read_number(*value, number) || std::fabs(number) >= 9.2e18) {
    fail(key, std::string(": expected a number (microseconds), found ") +
                  (value->is_number() ? value->dump() : json_type_phrase(*value)));
    return;
  }
  out = std::llround(number);
  if (static_cast<double>(out) != number) ++rounded_timestamps_;
}

bool RecordFields::read_number(const JsonRecord& value, double& out) const {
  if (!value.is_number()) return false;
  out = value.get<double>();
  return std::isfinite(out);
}

bool RecordFields::read_numbers(const char* key, const JsonRecord& value, double* out,
                                std::size_t n) {
  const std::string expected = ": expected " + std::to_string(n) + " numbers, found ";
  if (!value.is_array()) {
    fail(key, expected + json_type_phrase(value));
    return false;
  }
  if (value.size() != n) {
    fail(key, expected + std::to_string(value.size()));
    return false;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!read_number(value[i], out[i])) {
      fail(key, ": element " + std::to_string(i) + ": expected a finite number, found " +
                    (value[i].is_number() ? value[i].dump() : json_type_phrase(value[i])));
      return false;
    }
  }
  return true;
}

void RecordFields::vector3(const char* key, Eigen::Vector3d& out) {
  const JsonRecord* value = find(key, kRequired);
  double xyz[3] = {0.0, 0.0, 0.0};
  if (value == nullptr || !read_numbers(key, *value, xyz, 3)) return;
  out = Eigen::Vector3d(xyz[0], xyz[1], xyz[2]);
}

void RecordFields::quaternion(const char* key, Eigen::Quaterniond& out) {
  const JsonRecord* value = find(key, kRequired);
  std::array<double, 4> wxyz{};
  if (value == nullptr || !read_numbers(key, *value, wxyz.data(), 4)) return;
  out = geometry::quaternion_from_array(wxyz, geometry::QuaternionOrder::kWXYZ);
}

void RecordFields::matrix3_or_empty(const char* key, std::optional<Eigen::Matrix3d>& out) {
  const JsonRecord* value = find(key, kOptional);
  if (value == nullptr) return;
  if (value->is_array() && value->empty()) {
    out.reset();
    return;
  }
  if (!value->is_array() || value->size() != 3) {
    fail(key, std::string(": expected [] or 3 rows of 3 numbers, found ") +
                  (value->is_array() ? std::to_string(value->size()) + " rows"
                                     : json_type_phrase(*value)));
    return;
  }
  Eigen::Matrix3d matrix;
  for (int r = 0; r < 3; ++r) {
    double row[3] = {0.0, 0.0, 0.0};
    if (!read_numbers(key, (*value)[static_cast<std::size_t>(r)], row, 3)) return;
    matrix.row(r) << row[0], row[1], row[2];
  }
  out = matrix;
}

NuscenesExtraFields RecordFields::unknown_fields() const {
  NuscenesExtraFields extra;
  for (const auto& item : record_.items()) {
    bool known = false;
    for (const char* used : used_) known = known || item.key() == used;
    if (known) continue;
    // replace: the lexer already rejected invalid UTF-8, but dump() must never throw here.
    extra.emplace_back(item.key(),
                       item.value().dump(-1, ' ', false, Json::error_handler_t::replace));
  }
  return extra;
}

}  // namespace pcanno::formats::detail
