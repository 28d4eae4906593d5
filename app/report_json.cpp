#include "report_json.hpp"

namespace pcanno::app {

using nlohmann::json;

nlohmann::json to_json(const plugin::ReportValue& v) {
  using Kind = plugin::ReportValue::Kind;
  switch (v.kind()) {
    case Kind::kNull:
      return nullptr;
    case Kind::kBool:
      return v.as_bool();
    case Kind::kInt:
      return v.as_int();
    case Kind::kUnsigned:
      return v.as_unsigned();
    case Kind::kDouble:
      return v.as_double();
    case Kind::kString:
      return v.as_string();
    case Kind::kArray: {
      json out = json::array();
      for (const plugin::ReportValue& item : v.items()) out.push_back(to_json(item));
      return out;
    }
    case Kind::kObject: {
      json out = json::object();
      for (std::size_t i = 0; i < v.items().size(); ++i) out[v.keys()[i]] = to_json(v.items()[i]);
      return out;
    }
  }
  return nullptr;
}

}  // namespace pcanno::app
