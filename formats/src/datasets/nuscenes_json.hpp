#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Geometry>
#include <nlohmann/json.hpp>

#include "pcanno/formats/datasets/nuscenes_db.hpp"
#include "pcanno/formats/support/expected.hpp"

// Private to the nuScenes reader: nlohmann stays out of the public headers.
namespace pcanno::formats::detail {

/// One table record. Ordered, so that unknown fields keep their file order for writers.
using JsonRecord = nlohmann::ordered_json;

/// Streams a file holding one JSON array of objects and calls `on_record` per element, so memory
/// holds one record at a time (full nuScenes sample_data.json is about a gigabyte of text).
/// Invalid JSON is kMalformed and JSON that ends early kTruncated, both with the byte offset and
/// the record being read; an error from `on_record` stops the walk and is returned. No exception
/// escapes.
Status for_each_json_record(const std::filesystem::path& file,
                            const std::function<Status(const JsonRecord&, std::size_t)>& on_record);

/// Typed reads of one record's fields. The first failure sticks and later reads do nothing, so a
/// table converter reads every field and checks ok() once; the error names the file, record and
/// field.
class RecordFields {
 public:
  enum Presence { kRequired, kOptional };  ///< an absent optional field keeps the caller's default

  RecordFields(const JsonRecord& record, std::size_t index, const std::string& path);

  void text(const char* key, std::string& out, Presence presence = kRequired);
  void text_list(const char* key, std::vector<std::string>& out);
  void integer(const char* key, int& out, Presence presence = kRequired);
  void optional_integer(const char* key, std::optional<int>& out);
  void boolean(const char* key, bool& out);
  /// Integer microseconds; a fractional value (Lyft) is rounded and counted.
  void timestamp(const char* key, std::int64_t& out);
  void vector3(const char* key, Eigen::Vector3d& out);
  /// Four numbers w, x, y, z, normalised.
  void quaternion(const char* key, Eigen::Quaterniond& out);
  /// `[]` -> empty; else 3 rows of 3 numbers.
  void matrix3_or_empty(const char* key, std::optional<Eigen::Matrix3d>& out);

  bool ok() const { return !error_.has_value(); }
  Error take_error() { return std::move(*error_); }
  std::size_t rounded_timestamps() const { return rounded_timestamps_; }

  /// Fields no read asked for, as compact JSON text.
  NuscenesExtraFields unknown_fields() const;

 private:
  /// The value of `key`, or nullptr when absent (an error when required) or after a failure.
  const JsonRecord* find(const char* key, Presence presence);
  void fail(const char* key, const std::string& what);
  bool read_number(const JsonRecord& value, double& out) const;
  bool read_numbers(const char* key, const JsonRecord& value, double* out, std::size_t n);

  const JsonRecord& record_;
  std::size_t index_;
  const std::string& path_;
  std::optional<Error> error_;
  std::vector<const char*> used_;
  std::size_t rounded_timestamps_ = 0;
};

/// "a string", "an array", ... for messages.
const char* json_type_phrase(const JsonRecord& value);

}  // namespace pcanno::formats::detail
