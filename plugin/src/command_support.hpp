#pragma once
#include <cstdint>
#include <string>

#include "pcanno/plugin/command.hpp"

// Checks shared by the command factories.
namespace pcanno::plugin::detail {

Error not_found(const std::string& what);
Error invalid(const std::string& what);   ///< kInvalidArgument: a value out of range or unusable
Error conflict(const std::string& what);  ///< kConflict: the document's state forbids it
Expected<const formats::Track*> find_track(const Annotations& doc, std::int64_t id);
Expected<const formats::BoxState*> find_box(const Annotations& doc, std::int64_t id,
                                            std::int64_t frame);
/// Appends a ClassEdit adding `label` to the schema when it is missing.
void ensure_class_edit(const Annotations& doc, const std::string& label, Command& cmd);
Status check_label(const std::string& label);
/// Finite, positive size, unit rotation.
Status check_box(const geometry::Cuboid& box);

}  // namespace pcanno::plugin::detail
