#include "service_support.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "pcanno/plugin/session.hpp"

namespace pcanno::plugin::detail {

using formats::AttributeMap;
using formats::Error;
using formats::ErrorCode;
using formats::Expected;
using formats::Status;

Error bad(const std::string& service, const std::string& message) {
  return Error{ErrorCode::kInvalidArgument, service + ": " + message, ""};
}

std::optional<std::string> parameter(const AttributeMap& p, const std::string& name) {
  const auto it = p.find(name);
  return it == p.end() ? std::nullopt : std::optional<std::string>(it->second);
}

Expected<std::int64_t> integer(const std::string& service, const AttributeMap& p,
                               const std::string& name, std::optional<std::int64_t> fallback) {
  const std::optional<std::string> text = parameter(p, name);
  if (!text) {
    if (fallback) return *fallback;
    return bad(service, "parameter '" + name + "' is required");
  }
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || errno != 0) {
    return bad(service, "parameter '" + name + "' = '" + *text + "': expected an integer");
  }
  return static_cast<std::int64_t>(v);
}

Expected<Eigen::Vector3d> seed(const std::string& service, const AttributeMap& p) {
  const std::optional<std::string> given = parameter(p, "seed");
  if (!given) return bad(service, "parameter 'seed' is required (x,y,z in metres)");
  std::string text = *given;
  for (char& c : text) c = c == ',' ? ' ' : c;
  std::istringstream in(text);
  Eigen::Vector3d out;
  std::string rest;
  if (!(in >> out.x() >> out.y() >> out.z()) || (in >> rest)) {
    return bad(service, "parameter 'seed' = '" + *given + "': expected x,y,z in metres");
  }
  return out;
}

Status unknown_parameters(const std::string& service, const AttributeMap& p,
                          std::initializer_list<const char*> known) {
  for (const auto& [name, value] : p) {
    bool ok = false;
    std::string list;
    for (const char* k : known) {
      ok = ok || name == k;
      list += list.empty() ? k : std::string(", ") + k;
    }
    if (!ok) return bad(service, "unknown parameter '" + name + "'; known: " + list);
  }
  return {};
}

Error no_sequence() {
  return Error{ErrorCode::kUnsupported, "the session has no sequence (no clouds to work on)", ""};
}

Expected<double> positive_number(const std::string& service, const AttributeMap& p,
                                 const std::string& name, double fallback) {
  const std::optional<std::string> text = parameter(p, name);
  if (!text) return fallback;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text->c_str(), &end);
  if (text->empty() || *end != '\0' || errno != 0 || !std::isfinite(v) || v <= 0.0) {
    return bad(service, "parameter '" + name + "' = '" + *text + "': expected a number > 0");
  }
  return v;
}

Expected<std::int64_t> direction_step(const std::string& service, const AttributeMap& p) {
  const std::string direction = parameter(p, "direction").value_or("forward");
  if (direction == "forward") return 1;
  if (direction == "backward") return -1;
  return bad(service, "parameter 'direction' = '" + direction + "': expected forward or backward");
}

Expected<std::int64_t> propagation_end(const std::string& service, const AttributeMap& p,
                                       const Session& session, std::int64_t from,
                                       std::int64_t step,
                                       const std::function<bool(std::int64_t)>& keyframe_at) {
  if (session.sequence() == nullptr) return no_sequence();
  const auto last_frame = static_cast<std::int64_t>(session.sequence()->size()) - 1;
  std::int64_t to = step > 0 ? last_frame : 0;
  for (std::int64_t f = from + step; f >= 0 && f <= last_frame; f += step) {
    if (keyframe_at(f)) {
      to = f - step;
      break;
    }
  }
  if (parameter(p, "to")) {
    Expected<std::int64_t> asked = integer(service, p, "to", std::nullopt);
    if (!asked) return std::move(asked).error();
    to = step > 0 ? std::min(to, *asked) : std::max(to, *asked);
  }
  return to;
}

EgoMotionOptions ego_options() {
  EgoMotionOptions ego;
  ego.cache_dir = default_ego_motion_cache();
  return ego;
}

double ego_motion_share(const Session& session, std::int64_t frames) {
  // A frame of ego motion (a whole scan registered to the last) costs about three of propagation
  // or refinement (one object registered): 30 ms against 10 ms per KITTI frame, reading included.
  const formats::Sequence* seq = session.sequence();
  if (seq == nullptr || seq->has_poses() || ego_motion_cached(*seq, ego_options())) return 0.0;
  const double ego = 3.0 * static_cast<double>(seq->size());
  return ego / (ego + static_cast<double>(std::max<std::int64_t>(frames, 1)));
}

Expected<formats::Sequence> posed_sequence(const Session& session, const Progress& progress,
                                           double share) {
  if (session.sequence() == nullptr) return no_sequence();
  formats::Sequence seq = *session.sequence();
  const ProgressStep step(progress, 0.0, share, "estimating ego motion");
  Expected<bool> estimated = ensure_poses(seq, ego_options(), step.callback());
  if (!estimated) return std::move(estimated).error();
  return seq;
}

}  // namespace pcanno::plugin::detail
