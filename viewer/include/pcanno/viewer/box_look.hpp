#pragma once
#include <string_view>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/viewer/scene_style.hpp"

namespace pcanno::viewer {

/// How one box is drawn (the legend is in scene_style.hpp).
struct BoxLook {
  Rgb color{200, 200, 200};
  bool dashed = false;
};

/// The look of a box of class `label` with `state`'s provenance; `doc` supplies class colours.
BoxLook box_look(const SceneStyle& style, const formats::Annotations& doc, std::string_view label,
                 const formats::BoxState& state, bool selected);

/// The colour of class `label`: the style's override, the document's schema, else the default.
Rgb class_color(const SceneStyle& style, const formats::Annotations& doc, std::string_view label);

/// The colour of a polyline of class `label`: the style's override, else the class as `doc`
/// defines it or the default schema does (Annotations::class_or_default(): lane marking, curb,
/// ... have their colours even in a document that does not list them).
Rgb polyline_color(const SceneStyle& style, const formats::Annotations& doc,
                   std::string_view label);

}  // namespace pcanno::viewer
