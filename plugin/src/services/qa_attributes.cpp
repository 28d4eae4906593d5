// QA of the ontology: attribute and tag values the class schema refuses, and mandatory ones that
// are missing (plugin/services/qa.hpp, "attribute-value", "attribute-missing", "tag-value",
// "tag-missing").
#include <string>
#include <utility>

#include "pcanno/plugin/services/qa.hpp"

namespace pcanno::plugin {
namespace {

using formats::AttributeMap;
using formats::AttributeScope;
using formats::AttributeSpec;
using formats::ClassSpec;

class AttributeChecker {
 public:
  explicit AttributeChecker(const formats::Annotations& doc) : doc_(doc) {}

  std::vector<Finding> run() {
    tags(doc_.scene_tags, doc_.attributes, -1, "the scene");
    for (std::size_t f = 0; f < doc_.frames.size(); ++f) {
      tags(doc_.frame_tags, doc_.frames[f].attributes, static_cast<std::int64_t>(f),
           "frame " + std::to_string(f));
    }
    for (const formats::Track& t : doc_.tracks) {
      const ClassSpec spec = doc_.class_or_default(t.label);
      if (spec.attributes.empty()) continue;
      const std::string name = "track " + std::to_string(t.id) + " (" + t.label + ")";
      values(spec, AttributeScope::kTrack, t.attributes, t.id, -1, name);
      for (const formats::BoxState& b : t.boxes) {
        values(spec, AttributeScope::kFrame, b.attributes, t.id, b.frame,
               name + " in frame " + std::to_string(b.frame));
      }
    }
    for (const formats::PolylineTrack& p : doc_.polylines) {
      const ClassSpec spec = doc_.class_or_default(p.label);
      if (spec.attributes.empty()) continue;
      values(spec, AttributeScope::kTrack, p.attributes, -1, -1,
             "polyline " + std::to_string(p.id) + " (" + p.label + ")");
    }
    return std::move(findings_);
  }

 private:
  void add(const char* check, std::int64_t track, std::int64_t frame, std::string message) {
    findings_.push_back(
        Finding{Severity::kError, check, track, frame, std::move(message), 0.0, 0.0});
  }

  void values(const ClassSpec& spec, AttributeScope scope, const AttributeMap& map,
              std::int64_t track, std::int64_t frame, const std::string& owner) {
    for (const auto& [key, value] : map) {
      if (auto problem = formats::class_attribute_problem(spec, scope, key, value)) {
        add("attribute-value", track, frame, owner + ": " + *problem);
      }
    }
    for (const AttributeSpec* a : formats::missing_mandatory(spec, scope, map)) {
      add("attribute-missing", track, frame,
          owner + ": mandatory attribute \"" + a->name + "\" is not set (" +
              formats::describe_allowed(*a) + ")");
    }
  }

  void tags(const std::vector<AttributeSpec>& specs, const AttributeMap& map, std::int64_t frame,
            const std::string& owner) {
    if (specs.empty()) return;
    for (const auto& [key, value] : map) {
      const AttributeSpec* spec = formats::find_attribute(specs, key);
      if (spec == nullptr) continue;
      if (auto problem = formats::attribute_value_problem(*spec, value)) {
        add("tag-value", -1, frame, owner + ": tag \"" + key + "\": " + *problem);
      }
    }
    for (const AttributeSpec* a : formats::missing_mandatory(specs, map)) {
      add("tag-missing", -1, frame,
          owner + ": mandatory tag \"" + a->name + "\" is not set (" +
              formats::describe_allowed(*a) + ")");
    }
  }

  const formats::Annotations& doc_;
  std::vector<Finding> findings_;
};

}  // namespace

std::vector<Finding> check_attributes(const formats::Annotations& annotations) {
  return AttributeChecker(annotations).run();
}

}  // namespace pcanno::plugin
