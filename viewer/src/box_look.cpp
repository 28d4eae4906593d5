#include "pcanno/viewer/box_look.hpp"

#include <algorithm>

namespace pcanno::viewer {

const char* to_string(ColorBy c) {
  switch (c) {
    case ColorBy::kIntensity:
      return "intensity";
    case ColorBy::kHeight:
      return "height";
    case ColorBy::kDistance:
      return "distance";
    case ColorBy::kClass:
      return "class";
    case ColorBy::kCamera:
      return "camera";
    case ColorBy::kTime:
      return "time";
  }
  return "intensity";
}

Rgb class_color(const SceneStyle& style, const formats::Annotations& doc, std::string_view label) {
  if (auto it = style.class_colors.find(label); it != style.class_colors.end()) return it->second;
  if (const formats::ClassSpec* spec = doc.class_spec(label)) return spec->color;
  return style.default_box_color;
}

Rgb polyline_color(const SceneStyle& style, const formats::Annotations& doc,
                   std::string_view label) {
  if (auto it = style.class_colors.find(label); it != style.class_colors.end()) return it->second;
  return doc.class_or_default(label).color;
}

BoxLook box_look(const SceneStyle& style, const formats::Annotations& doc, std::string_view label,
                 const formats::BoxState& state, bool selected) {
  BoxLook look;
  look.color = class_color(style, doc, label);
  if (selected) {
    look.color = style.selection_color;
    return look;
  }
  if (state.keyframe) return look;
  switch (state.provenance) {
    case formats::Provenance::kInterpolated: {
      const double f = std::clamp(style.interpolated_dim, 0.0, 1.0);
      for (auto& c : look.color) c = static_cast<std::uint8_t>(c * f + 0.5);
      look.dashed = true;
      break;
    }
    case formats::Provenance::kTracked:
    case formats::Provenance::kFitted:
    case formats::Provenance::kModel:
      look.color = style.automatic_color;
      break;
    case formats::Provenance::kManual:
    case formats::Provenance::kImported:
      break;
  }
  return look;
}

}  // namespace pcanno::viewer
