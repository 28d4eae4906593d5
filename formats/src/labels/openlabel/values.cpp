// OpenLABEL reading: element data (text, num, boolean, vec) as attributes and as pcanno's
// per-state fields.
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

#include "labels/openlabel/json.hpp"

namespace pcanno::formats::detail::openlabel {

namespace {

constexpr int kIntMin = std::numeric_limits<int>::min();

}  // namespace

std::string value_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  char buffer[64];
  const auto r = std::to_chars(buffer, buffer + sizeof buffer, v.get<double>());
  return std::string(buffer, r.ptr);
}

bool each_value(Checker& check, const Json& container, const Pointer& p, const ValueSink& sink) {
  static const std::pair<const char*, ValueKind> kLists[] = {{"text", ValueKind::kText},
                                                             {"num", ValueKind::kNum},
                                                             {"boolean", ValueKind::kBoolean},
                                                             {"vec", ValueKind::kVec}};
  for (const auto& [list_key, kind] : kLists) {
    const auto list = container.find(list_key);
    if (list == container.end()) continue;
    const Pointer lp = p.member(list_key);
    if (!check.array(*list, lp)) return false;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const Json& entry = (*list)[i];
      const Pointer e = lp.element(i);
      if (!check.object(entry, e)) return false;
      std::string name;
      const auto n = entry.find("name");
      if (n != entry.end() && !check.text(*n, e.member("name"), name)) return false;
      const auto val = entry.find("val");
      const Pointer vp = e.member("val");
      if (val == entry.end()) return check.fail(vp, "required member is missing");
      bool ok = true;
      switch (kind) {
        case ValueKind::kText:
          ok = val->is_string() || check.expected(vp, "a string", *val);
          break;
        case ValueKind::kNum: {
          double unused = 0.0;
          ok = check.number(*val, vp, unused);
          break;
        }
        case ValueKind::kBoolean:
          ok = val->is_boolean() || check.expected(vp, "true or false", *val);
          break;
        case ValueKind::kVec:
          ok = check.array(*val, vp);
          for (std::size_t k = 0; ok && k < val->size(); ++k) {
            const Json& x = (*val)[k];
            ok = x.is_string() || (x.is_number() && std::isfinite(x.get<double>())) ||
                 check.expected(vp.element(k), "a finite number or a string", x);
          }
          break;
      }
      if (!ok) return false;
      if (!name.empty() && !sink(kind, name, *val, vp)) return false;
    }
  }
  return true;
}

bool plain_values(Checker& check, const Json& container, const Pointer& p, AttributeMap& out) {
  return each_value(check, container, p,
                    [&](ValueKind kind, const std::string& name, const Json& val, const Pointer&) {
                      if (kind != ValueKind::kVec) out.insert_or_assign(name, value_text(val));
                      return true;
                    });
}

bool read_shape_fields(Checker& check, const Json& shape_attributes, const Pointer& p,
                       ShapeFields& out) {
  if (!check.object(shape_attributes, p)) return false;
  const auto kitti = [&out]() -> KittiCameraFields& {
    return out.kitti ? *out.kitti : out.kitti.emplace();
  };
  const auto nuscenes = [&out]() -> NuscenesFields& {
    return out.nuscenes ? *out.nuscenes : out.nuscenes.emplace();
  };
  return each_value(
      check, shape_attributes, p,
      [&](ValueKind kind, const std::string& name, const Json& val, const Pointer& vp) {
        if (kind == ValueKind::kText && name == kProvenanceAttribute) {
          if (const auto provenance = provenance_from_string(val.get_ref<const std::string&>())) {
            out.provenance = *provenance;
            return true;
          }
        } else if (kind == ValueKind::kBoolean && name == kKeyframeAttribute) {
          out.keyframe = val.get<bool>();
          return true;
        } else if (kind == ValueKind::kNum && name == kScoreAttribute) {
          out.score = val.get<double>();
          return true;
        } else if (kind == ValueKind::kNum && name == kKittiTruncatedAttribute) {
          kitti().truncated = val.get<double>();
          return true;
        } else if (kind == ValueKind::kNum && name == kKittiAlphaAttribute) {
          kitti().alpha = val.get<double>();
          return true;
        } else if (kind == ValueKind::kNum && name == kKittiOccludedAttribute) {
          return check.integer32(val, vp, kIntMin, kitti().occluded);
        } else if (kind == ValueKind::kVec && name == kKittiBboxAttribute) {
          return check.numbers(val, vp, 4, kitti().bbox.data());
        } else if (kind == ValueKind::kText && name == kNuscenesAnnotationAttribute) {
          nuscenes().annotation_token = val.get<std::string>();
          return true;
        } else if (kind == ValueKind::kText && name == kNuscenesVisibilityAttribute) {
          nuscenes().visibility_token = val.get<std::string>();
          return true;
        } else if (kind == ValueKind::kNum && name == kNuscenesLidarPtsAttribute) {
          return check.integer32(val, vp, -1, nuscenes().num_lidar_pts);
        } else if (kind == ValueKind::kNum && name == kNuscenesRadarPtsAttribute) {
          return check.integer32(val, vp, -1, nuscenes().num_radar_pts);
        } else if (kind == ValueKind::kNum && name == kPolylineIdAttribute) {
          std::int64_t id = 0;
          if (!check.integer(val, vp, std::numeric_limits<std::int64_t>::min(),
                             std::numeric_limits<std::int64_t>::max(), id)) {
            return false;
          }
          out.polyline_id = id;
          return true;
        }
        if (kind != ValueKind::kVec) out.extra.insert_or_assign(name, value_text(val));
        return true;
      });
}

}  // namespace pcanno::formats::detail::openlabel
