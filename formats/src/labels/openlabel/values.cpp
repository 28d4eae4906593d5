// OpenLABEL reading: JSON checks by pointer, and element data (text, num, boolean, vec) as
// attributes and as pcanno's per-state fields.
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

#include "labels/openlabel/json.hpp"

namespace pcanno::formats::detail::openlabel {

namespace {

constexpr std::int64_t kIntMax = std::numeric_limits<int>::max();
constexpr std::int64_t kIntMin = std::numeric_limits<int>::min();

}  // namespace

std::string found(const Json& value) {
  constexpr std::size_t kMaxChars = 60;
  switch (value.type()) {
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array of " + std::to_string(value.size());
    case Json::value_t::binary:
      return "binary data";
    case Json::value_t::discarded:
      return "nothing";
    case Json::value_t::string: {
      const auto& s = value.get_ref<const std::string&>();
      if (s.size() > kMaxChars) {
        return Json(s.substr(0, kMaxChars)).dump(-1, ' ', true, Json::error_handler_t::replace) +
               "...";
      }
      break;
    }
    default:
      break;
  }
  return value.dump(-1, ' ', true, Json::error_handler_t::replace);
}

bool Checker::fail(const Pointer& p, const std::string& what, ErrorCode code) {
  if (error_) return false;
  const std::string where = p.str();
  // "" is the whole file; "/" reads better in a message.
  error_ = Error{code, (where.empty() ? "/" : where) + ": " + what, path_};
  return false;
}

bool Checker::expected(const Pointer& p, const std::string& what, const Json& value) {
  return fail(p, "expected " + what + ", found " + found(value));
}

bool Checker::object(const Json& v, const Pointer& p) {
  return v.is_object() || expected(p, "an object", v);
}

bool Checker::array(const Json& v, const Pointer& p) {
  return v.is_array() || expected(p, "an array", v);
}

bool Checker::text(const Json& v, const Pointer& p, std::string& out) {
  if (!v.is_string()) return expected(p, "a string", v);
  out = v.get<std::string>();
  return true;
}

bool Checker::name(const Json& v, const Pointer& p, std::string& out) {
  if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
    return expected(p, "a non-empty string", v);
  }
  out = v.get<std::string>();
  return true;
}

bool Checker::boolean(const Json& v, const Pointer& p, bool& out) {
  if (!v.is_boolean()) return expected(p, "true or false", v);
  out = v.get<bool>();
  return true;
}

bool Checker::number(const Json& v, const Pointer& p, double& out) {
  if (!v.is_number() || !std::isfinite(v.get<double>())) return expected(p, "a finite number", v);
  out = v.get<double>();
  return true;
}

bool Checker::integer(const Json& v, const Pointer& p, std::int64_t min, std::int64_t max,
                      std::int64_t& out) {
  constexpr double kExactLimit = 9007199254740992.0;  // 2^53
  std::int64_t value = 0;
  bool in_range = true;
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    in_range = u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    value = in_range ? static_cast<std::int64_t>(u) : 0;
  } else if (v.is_number_integer()) {
    value = v.get<std::int64_t>();
  } else if (v.is_number_float() && std::trunc(v.get<double>()) == v.get<double>() &&
             std::fabs(v.get<double>()) <= kExactLimit) {
    value = static_cast<std::int64_t>(v.get<double>());
  } else {
    return expected(p, "an integer", v);
  }
  if (!in_range || value < min || value > max) {
    return expected(p, "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]",
                    v);
  }
  out = value;
  return true;
}

bool Checker::numbers(const Json& v, const Pointer& p, std::vector<double>& out) {
  if (!array(v, p)) return false;
  out.resize(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!number(v[i], p.element(i), out[i])) return false;
  }
  return true;
}

bool Checker::numbers(const Json& v, const Pointer& p, std::size_t n, double* out) {
  if (!v.is_array() || v.size() != n) {
    return expected(p, "an array of " + std::to_string(n) + " numbers", v);
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!number(v[i], p.element(i), out[i])) return false;
  }
  return true;
}

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
  const auto to_int = [&check](const Json& val, const Pointer& vp, std::int64_t min, int& field) {
    std::int64_t value = 0;
    if (!check.integer(val, vp, min, kIntMax, value)) return false;
    field = static_cast<int>(value);
    return true;
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
          return to_int(val, vp, kIntMin, kitti().occluded);
        } else if (kind == ValueKind::kVec && name == kKittiBboxAttribute) {
          return check.numbers(val, vp, 4, kitti().bbox.data());
        } else if (kind == ValueKind::kText && name == kNuscenesAnnotationAttribute) {
          nuscenes().annotation_token = val.get<std::string>();
          return true;
        } else if (kind == ValueKind::kText && name == kNuscenesVisibilityAttribute) {
          nuscenes().visibility_token = val.get<std::string>();
          return true;
        } else if (kind == ValueKind::kNum && name == kNuscenesLidarPtsAttribute) {
          return to_int(val, vp, -1, nuscenes().num_lidar_pts);
        } else if (kind == ValueKind::kNum && name == kNuscenesRadarPtsAttribute) {
          return to_int(val, vp, -1, nuscenes().num_radar_pts);
        }
        if (kind != ValueKind::kVec) out.extra.insert_or_assign(name, value_text(val));
        return true;
      });
}

}  // namespace pcanno::formats::detail::openlabel
