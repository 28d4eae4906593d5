#pragma once
// A declared attribute of the class schema, for tests that build schemas by hand.
#include "pcanno/formats/labels/class_schema.hpp"

namespace pcanno::test {

inline formats::AttributeSpec attribute_spec(const char* name, formats::AttributeType type,
                                             formats::AttributeScope scope) {
  formats::AttributeSpec a;
  a.name = name;
  a.type = type;
  a.scope = scope;
  return a;
}

}  // namespace pcanno::test
