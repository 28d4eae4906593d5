#pragma once
// Looking a key up in an engine report object (plugin/services/report_value.hpp), for the tests
// of the report builders.
#include <string>

#include <gtest/gtest.h>

#include "pcanno/plugin/services/report_value.hpp"

namespace pcanno::plugin::test {

/// The value of `key` in the object `object`; a test failure and null when it has no such key.
inline const ReportValue& field(const ReportValue& object, const std::string& key) {
  for (std::size_t i = 0; i < object.keys().size(); ++i) {
    if (object.keys()[i] == key) return object.items()[i];
  }
  ADD_FAILURE() << "no key " << key;
  static const ReportValue none;
  return none;
}

}  // namespace pcanno::plugin::test
