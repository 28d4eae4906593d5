#pragma once
#include <vector>

#include "labels/document/json.hpp"
#include "pcanno/formats/labels/class_schema.hpp"
#include "support/json_reader.hpp"

// Private to the native document codec (and the class schema file, which shares its spellings):
// declared attributes of a class and the schema's scene and frame tags as JSON.
namespace pcanno::formats::detail {

/// Whether the specs are a class's attributes (with a scope) or tags (without).
enum class SpecKind { kClassAttributes, kTags };

/// Reads an array of attribute specs at `p` into `out`. A class's attributes may also be given in
/// the old form, an object of name -> list of allowed values: a non-empty list is an enum, an empty
/// one any text. Checks the type names, that an enum lists values, that min <= max, that a default
/// is a valid value, and that no name is declared twice.
bool read_attribute_specs(JsonReader<DocumentJson>& reader, const DocumentJson& v, const Pointer& p,
                          SpecKind kind, std::vector<AttributeSpec>& out);

/// The array read_attribute_specs reads; members at their defaults are left out.
DocumentJson attribute_specs_json(const std::vector<AttributeSpec>& specs, SpecKind kind);

}  // namespace pcanno::formats::detail
