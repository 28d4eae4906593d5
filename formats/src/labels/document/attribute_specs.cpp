#include "labels/document/attribute_specs.hpp"

#include <map>
#include <string>
#include <utility>

namespace pcanno::formats::detail {
namespace {

using Json = DocumentJson;

/// A string naming a value of an enum, parsed by `parse`; `choices` lists them for the message.
template <typename E, typename Parse>
bool named(JsonReader<Json>& r, const Json& v, const Pointer& p, Parse parse, const char* choices,
           E& out) {
  if (v.is_string()) {
    if (const std::optional<E> value = parse(v.template get_ref<const std::string&>())) {
      out = *value;
      return true;
    }
  }
  return r.expected(p, std::string("one of ") + choices, v);
}

bool string_list(JsonReader<Json>& r, const Json& v, const Pointer& p,
                 std::vector<std::string>& out) {
  if (!r.array(v, p)) return false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string value;
    if (!r.text(v[i], p.element(i), value)) return false;
    out.push_back(std::move(value));
  }
  return true;
}

bool spec(JsonReader<Json>& r, const Json& v, const Pointer& p, SpecKind kind, AttributeSpec& out) {
  const auto number = [&](const char* key, std::optional<double>& field) {
    return r.optional(v, p, key, [&](const Json& m, const Pointer& q) {
      double value = 0.0;
      if (!r.number(m, q, value)) return false;
      field = value;
      return true;
    });
  };
  const bool ok =
      r.object(v, p) &&
      r.required(v, p, "name",
                 [&](const Json& m, const Pointer& q) { return r.name(m, q, out.name); }) &&
      r.required(v, p, "type",
                 [&](const Json& m, const Pointer& q) {
                   return named(r, m, q, attribute_type_from_string, "enum, bool, number, text",
                                out.type);
                 }) &&
      r.optional(v, p, "values",
                 [&](const Json& m, const Pointer& q) {
                   if (out.type != AttributeType::kEnum) {
                     return r.fail(q, "only an enum attribute lists values");
                   }
                   return string_list(r, m, q, out.values);
                 }) &&
      number("min", out.min) && number("max", out.max) &&
      r.optional(
          v, p, "default",
          [&](const Json& m, const Pointer& q) { return r.text(m, q, out.default_value); }) &&
      r.optional(v, p, "mandatory",
                 [&](const Json& m, const Pointer& q) { return r.boolean(m, q, out.mandatory); });
  if (!ok) return false;
  if (kind == SpecKind::kClassAttributes) {
    if (!r.optional(v, p, "scope", [&](const Json& m, const Pointer& q) {
          return named(r, m, q, attribute_scope_from_string, "track, frame", out.scope);
        })) {
      return false;
    }
  } else if (v.contains("scope")) {
    return r.fail(p.member("scope"),
                  "a tag has no scope (a scene tag holds for the document, a "
                  "frame tag for its frame)");
  }
  if (out.type == AttributeType::kEnum && out.values.empty()) {
    return r.fail(p.member("values"), "an enum attribute needs a non-empty list of values");
  }
  if ((out.min || out.max) && out.type != AttributeType::kNumber) {
    return r.fail(p.member(out.min ? "min" : "max"), "only a number attribute has min and max");
  }
  if (out.min && out.max && *out.min > *out.max) {
    return r.fail(p.member("max"), "max is below min");
  }
  if (!out.default_value.empty()) {
    if (const auto problem = attribute_value_problem(out, out.default_value)) {
      return r.fail(p.member("default"), "the default " + *problem);
    }
  }
  return true;
}

}  // namespace

bool read_attribute_specs(JsonReader<Json>& r, const Json& v, const Pointer& p, SpecKind kind,
                          std::vector<AttributeSpec>& out) {
  out.clear();
  if (kind == SpecKind::kClassAttributes && v.is_object()) {
    // The form before typed attributes: name -> allowed values.
    for (auto it = v.begin(); it != v.end(); ++it) {
      AttributeSpec a;
      a.name = it.key();
      if (!string_list(r, it.value(), p.member(it.key()), a.values)) return false;
      a.type = a.values.empty() ? AttributeType::kText : AttributeType::kEnum;
      out.push_back(std::move(a));
    }
    return true;
  }
  if (!v.is_array()) {
    return r.expected(p,
                      kind == SpecKind::kTags
                          ? "an array of tags"
                          : "an array of attributes (or an object of name -> allowed values)",
                      v);
  }
  std::map<std::string, std::size_t> names;
  for (std::size_t i = 0; i < v.size(); ++i) {
    AttributeSpec a;
    const Pointer element = p.element(i);
    if (!spec(r, v[i], element, kind, a)) return false;
    const auto [previous, inserted] = names.emplace(a.name, i);
    if (!inserted) {
      return r.fail(element.member("name"), "\"" + a.name + "\" is declared twice (also " +
                                                p.element(previous->second).str() + ")");
    }
    out.push_back(std::move(a));
  }
  return true;
}

Json attribute_specs_json(const std::vector<AttributeSpec>& specs, SpecKind kind) {
  Json out = Json::array();
  for (const AttributeSpec& a : specs) {
    Json j = Json::object();
    j["name"] = a.name;
    j["type"] = to_string(a.type);
    if (a.type == AttributeType::kEnum) j["values"] = a.values;
    if (a.min) j["min"] = *a.min;
    if (a.max) j["max"] = *a.max;
    if (!a.default_value.empty()) j["default"] = a.default_value;
    if (a.mandatory) j["mandatory"] = true;
    if (kind == SpecKind::kClassAttributes) j["scope"] = to_string(a.scope);
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace pcanno::formats::detail
