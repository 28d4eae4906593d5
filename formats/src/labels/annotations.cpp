#include "pcanno/formats/labels/annotations.hpp"

#include <algorithm>

namespace pcanno::formats {
namespace {

constexpr std::pair<Provenance, const char*> kProvenanceNames[] = {
    {Provenance::kManual, "manual"},     {Provenance::kInterpolated, "interpolated"},
    {Provenance::kTracked, "tracked"},   {Provenance::kFitted, "fitted"},
    {Provenance::kImported, "imported"}, {Provenance::kModel, "model"},
};

}  // namespace

const char* to_string(Provenance p) {
  for (const auto& [value, name] : kProvenanceNames) {
    if (value == p) return name;
  }
  return "manual";
}

std::optional<Provenance> provenance_from_string(std::string_view s) {
  for (const auto& [value, name] : kProvenanceNames) {
    if (s == name) return value;
  }
  return std::nullopt;
}

const char* to_string(ShapeFrame f) { return f == ShapeFrame::kWorld ? "world" : "lidar"; }

std::optional<ShapeFrame> shape_frame_from_string(std::string_view s) {
  if (s == "lidar") return ShapeFrame::kLidar;
  if (s == "world") return ShapeFrame::kWorld;
  return std::nullopt;
}

const BoxState* Track::at(std::int64_t frame) const {
  const auto it = std::lower_bound(boxes.begin(), boxes.end(), frame,
                                   [](const BoxState& b, std::int64_t f) { return b.frame < f; });
  return it != boxes.end() && it->frame == frame ? &*it : nullptr;
}

BoxState* Track::at(std::int64_t frame) {
  return const_cast<BoxState*>(static_cast<const Track*>(this)->at(frame));
}

const PolylineState* PolylineTrack::at(std::int64_t frame) const {
  // Searched linearly: states are sorted by frame only after normalize(), and tools look up
  // the few states of one line.
  for (const PolylineState& s : states) {
    if (s.frame == frame) return &s;
  }
  return nullptr;
}

PolylineState* PolylineTrack::at(std::int64_t frame) {
  return const_cast<PolylineState*>(static_cast<const PolylineTrack*>(this)->at(frame));
}

const PolylineTrack* Annotations::polyline(std::int64_t id) const {
  for (const PolylineTrack& p : polylines) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

PolylineTrack* Annotations::polyline(std::int64_t id) {
  return const_cast<PolylineTrack*>(static_cast<const Annotations*>(this)->polyline(id));
}

const Track* Annotations::track(std::int64_t id) const {
  for (const Track& t : tracks) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

Track* Annotations::track(std::int64_t id) {
  return const_cast<Track*>(static_cast<const Annotations*>(this)->track(id));
}

const ClassSpec* Annotations::class_spec(std::string_view name) const {
  for (const ClassSpec& c : classes) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

ClassSpec Annotations::class_or_default(std::string_view name) const {
  if (const ClassSpec* spec = class_spec(name)) return *spec;
  return make_class_spec(name);
}

std::string Annotations::default_class(ShapeKind shape) const {
  for (const ClassSpec& c : classes) {
    if (c.shape == shape) return c.name;
  }
  for (const ClassSpec& c : default_class_schema()) {
    if (c.shape == shape) return c.name;
  }
  return default_class_schema().front().name;
}

ClassSpec& Annotations::ensure_class(std::string_view name) {
  for (ClassSpec& c : classes) {
    if (c.name == name) return c;
  }
  classes.push_back(make_class_spec(name));
  return classes.back();
}

std::size_t Annotations::box_count() const {
  std::size_t n = 0;
  for (const Track& t : tracks) n += t.boxes.size();
  return n;
}

void Annotations::normalize() {
  std::stable_sort(tracks.begin(), tracks.end(),
                   [](const Track& a, const Track& b) { return a.id < b.id; });
  for (Track& t : tracks) {
    std::stable_sort(t.boxes.begin(), t.boxes.end(),
                     [](const BoxState& a, const BoxState& b) { return a.frame < b.frame; });
  }
  std::stable_sort(polylines.begin(), polylines.end(),
                   [](const PolylineTrack& a, const PolylineTrack& b) { return a.id < b.id; });
  for (PolylineTrack& p : polylines) {
    std::stable_sort(
        p.states.begin(), p.states.end(),
        [](const PolylineState& a, const PolylineState& b) { return a.frame < b.frame; });
  }
  std::stable_sort(ignore_regions.begin(), ignore_regions.end(),
                   [](const IgnoreRegion& a, const IgnoreRegion& b) { return a.frame < b.frame; });
}

}  // namespace pcanno::formats
