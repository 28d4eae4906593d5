// Edits as one JSON line: {"edits": [{"op": "box", "track": 3, "frame": 5, "value": {...}}, ...]}.
// Payloads use the native document's spellings, and are read back by the document reader itself
// (wrapped in a one-item document), so an edit accepts exactly what a document accepts.
#include <exception>
#include <new>
#include <utility>

#include "labels/document/attribute_specs.hpp"
#include "labels/document/json.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/formats/labels/document/edit.hpp"
#include "support/json_errors.hpp"

namespace pcanno::formats {
namespace {

using Json = detail::DocumentJson;

constexpr const char* kDummyLabel = "_";  // wrapper tracks need a label; never read back

struct Serializer {
  Json operator()(const ClassEdit& e) const {
    Json out{{"op", "class"}, {"name", e.name}};
    if (e.position >= 0) out["position"] = e.position;
    out["value"] = e.spec ? detail::class_to_json(*e.spec) : Json(nullptr);
    return out;
  }
  Json operator()(const TrackEdit& e) const {
    Json out{{"op", "track"}, {"track", e.track_id}};
    out["value"] = e.track ? detail::track_to_json(*e.track) : Json(nullptr);
    return out;
  }
  Json operator()(const BoxEdit& e) const {
    Json out{{"op", "box"}, {"track", e.track_id}, {"frame", e.frame}};
    if (e.box) {
      Track wrapper;
      wrapper.id = e.track_id;
      wrapper.label = kDummyLabel;
      wrapper.boxes.push_back(*e.box);
      out["value"] = std::move(detail::track_to_json(wrapper)["boxes"][0]);
    } else {
      out["value"] = nullptr;
    }
    return out;
  }
  Json operator()(const PolylineEdit& e) const {
    Json out{{"op", "polyline"}, {"polyline", e.polyline_id}};
    out["value"] = e.polyline ? detail::polyline_to_json(*e.polyline) : Json(nullptr);
    return out;
  }
  Json operator()(const PolylineStateEdit& e) const {
    Json out{{"op", "polyline_state"}, {"polyline", e.polyline_id}, {"frame", e.frame}};
    if (e.state) {
      PolylineTrack wrapper;
      wrapper.id = e.polyline_id;
      wrapper.label = kDummyLabel;
      wrapper.states.push_back(*e.state);
      out["value"] = std::move(detail::polyline_to_json(wrapper)["states"][0]);
    } else {
      out["value"] = nullptr;
    }
    return out;
  }
  Json operator()(const TagEdit& e) const {
    Json out{{"op", "tag"}, {"frame", e.frame}, {"key", e.key}};
    out["value"] = e.value ? Json(*e.value) : Json(nullptr);
    return out;
  }
  Json operator()(const TagSpecsEdit& e) const {
    Json out{{"op", "tag_specs"}, {"frame", e.frame_tags}};
    out["value"] = detail::attribute_specs_json(e.specs, detail::SpecKind::kTags);
    return out;
  }
};

/// Reads edits; the first failure is kept with the pointer of the edit it is in.
class EditReader {
 public:
  explicit EditReader(const std::string& where) : where_(where) {}

  Expected<std::vector<DocumentEdit>> read(const Json& root) {
    if (!root.is_object() || !root.contains("edits") || !root["edits"].is_array()) {
      return fail("", "expected an object with an \"edits\" array");
    }
    const Json& edits = root["edits"];
    std::vector<DocumentEdit> out;
    out.reserve(edits.size());
    for (std::size_t i = 0; i < edits.size(); ++i) {
      pointer_ = "/edits/" + std::to_string(i);
      Expected<DocumentEdit> edit = read_edit(edits[i]);
      if (!edit) return std::move(edit).error();
      out.push_back(std::move(*edit));
    }
    return out;
  }

 private:
  Error fail(const std::string& member, const std::string& what) const {
    const std::string where = pointer_ + member;
    return Error{ErrorCode::kMalformed, (where.empty() ? "/" : where) + ": " + what, where_};
  }

  Expected<std::int64_t> integer(const Json& edit, const char* key) const {
    const auto it = edit.find(key);
    if (it == edit.end() || !it->is_number_integer()) {
      return fail(std::string("/") + key, "expected an integer");
    }
    return it->get<std::int64_t>();
  }

  /// The payload read by the document reader inside `document`, whose error pointers start with
  /// `inner` and are rewritten to point into the edit.
  Expected<Annotations> payload(Json document, const std::string& inner) const {
    document["format"] = "pcanno";
    document["version"] = kPcannoDocumentVersion;
    Expected<Annotations> doc = detail::pcanno_document_from_json(document, where_);
    if (doc) return doc;
    Error e = std::move(doc).error();
    if (e.message.rfind(inner, 0) == 0)
      e.message = pointer_ + "/value" + e.message.substr(inner.size());
    return e;
  }

  Expected<DocumentEdit> read_edit(const Json& edit) {
    if (!edit.is_object()) return fail("", "expected an edit object");
    const auto op_it = edit.find("op");
    if (op_it == edit.end() || !op_it->is_string()) return fail("/op", "expected a string");
    const std::string& op = op_it->get_ref<const std::string&>();
    const auto value_it = edit.find("value");
    if (value_it == edit.end()) return fail("/value", "required member is missing");
    const Json& value = *value_it;
    const bool present = !value.is_null();

    if (op == "class") {
      const auto name = edit.find("name");
      if (name == edit.end() || !name->is_string()) return fail("/name", "expected a string");
      ClassEdit out{name->get<std::string>(), std::nullopt, -1};
      if (edit.contains("position")) {
        Expected<std::int64_t> position = integer(edit, "position");
        if (!position) return std::move(position).error();
        out.position = *position;
      }
      if (present) {
        Expected<Annotations> doc = payload(Json{{"classes", Json::array({value})}}, "/classes/0");
        if (!doc) return std::move(doc).error();
        out.spec = doc->classes.front();
      }
      return DocumentEdit{std::move(out)};
    }
    if (op == "track" || op == "box") {
      Expected<std::int64_t> track = integer(edit, "track");
      if (!track) return std::move(track).error();
      if (op == "track") {
        TrackEdit out{*track, std::nullopt};
        if (present) {
          Expected<Annotations> doc = payload(Json{{"tracks", Json::array({value})}}, "/tracks/0");
          if (!doc) return std::move(doc).error();
          out.track = std::move(doc->tracks.front());
        }
        return DocumentEdit{std::move(out)};
      }
      Expected<std::int64_t> frame = integer(edit, "frame");
      if (!frame) return std::move(frame).error();
      BoxEdit out{*track, *frame, std::nullopt};
      if (present) {
        Json wrapper{{"id", *track}, {"label", kDummyLabel}, {"boxes", Json::array({value})}};
        Expected<Annotations> doc =
            payload(Json{{"tracks", Json::array({std::move(wrapper)})}}, "/tracks/0/boxes/0");
        if (!doc) return std::move(doc).error();
        out.box = std::move(doc->tracks.front().boxes.front());
      }
      return DocumentEdit{std::move(out)};
    }
    if (op == "polyline" || op == "polyline_state") {
      Expected<std::int64_t> id = integer(edit, "polyline");
      if (!id) return std::move(id).error();
      if (op == "polyline") {
        PolylineEdit out{*id, std::nullopt};
        if (present) {
          Expected<Annotations> doc =
              payload(Json{{"polylines", Json::array({value})}}, "/polylines/0");
          if (!doc) return std::move(doc).error();
          out.polyline = std::move(doc->polylines.front());
        }
        return DocumentEdit{std::move(out)};
      }
      Expected<std::int64_t> frame = integer(edit, "frame");
      if (!frame) return std::move(frame).error();
      PolylineStateEdit out{*id, *frame, std::nullopt};
      if (present) {
        Json wrapper{{"id", *id}, {"label", kDummyLabel}, {"states", Json::array({value})}};
        Expected<Annotations> doc = payload(Json{{"polylines", Json::array({std::move(wrapper)})}},
                                            "/polylines/0/states/0");
        if (!doc) return std::move(doc).error();
        out.state = std::move(doc->polylines.front().states.front());
      }
      return DocumentEdit{std::move(out)};
    }
    if (op == "tag") {
      Expected<std::int64_t> frame = integer(edit, "frame");
      if (!frame) return std::move(frame).error();
      const auto key = edit.find("key");
      if (key == edit.end() || !key->is_string()) return fail("/key", "expected a string");
      TagEdit out{*frame, key->get<std::string>(), std::nullopt};
      if (present) {
        if (!value.is_string()) return fail("/value", "expected a string or null");
        out.value = value.get<std::string>();
      }
      return DocumentEdit{std::move(out)};
    }
    if (op == "tag_specs") {
      const auto frame = edit.find("frame");
      if (frame == edit.end() || !frame->is_boolean()) return fail("/frame", "expected a boolean");
      const char* key = frame->get<bool>() ? "frame_tags" : "scene_tags";
      Expected<Annotations> doc = payload(Json{{key, value}}, std::string("/") + key);
      if (!doc) return std::move(doc).error();
      return DocumentEdit{TagSpecsEdit{frame->get<bool>(),
                                       frame->get<bool>() ? doc->frame_tags : doc->scene_tags}};
    }
    return fail("/op", "unknown edit \"" + op +
                           "\"; expected class, track, box, polyline, polyline_state, tag or "
                           "tag_specs");
  }

  const std::string& where_;
  std::string pointer_;
};

}  // namespace

std::string serialize_edits(const std::vector<DocumentEdit>& edits) {
  Json list = Json::array();
  for (const DocumentEdit& edit : edits) list.push_back(std::visit(Serializer{}, edit));
  Json root = Json::object();
  root["edits"] = std::move(list);
  // Invalid UTF-8 in a name is replaced rather than thrown on: the journal must always be written.
  return root.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Expected<std::vector<DocumentEdit>> parse_edits(std::string_view line, const std::string& where) {
  try {
    Json root = Json::parse(line.begin(), line.end(), nullptr, false);
    if (root.is_discarded()) {
      return Error{ErrorCode::kMalformed, "not valid JSON", where};
    }
    return EditReader(where).read(root);
  } catch (const std::bad_alloc&) {
    return Error{ErrorCode::kOutOfMemory, "out of memory", where};
  } catch (const std::exception& e) {
    return Error{ErrorCode::kMalformed, detail::readable_json_exception(e.what()), where};
  }
}

}  // namespace pcanno::formats
