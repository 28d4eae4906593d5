#include "pcanno/plugin/tool_manager.hpp"

#include <algorithm>
#include <utility>

#include "pcanno/plugin/command.hpp"
#include "pcanno/plugin/session.hpp"

namespace pcanno::plugin {

ToolManager::ToolManager(Session& session) : session_(session) {}

ToolManager::~ToolManager() {
  if (Tool* tool = active()) tool->deactivate(session_);
}

std::vector<std::string> ToolManager::tool_ids() const {
  std::vector<std::string> ids;
  for (const ToolFactory& factory : session_.registry().tools()) ids.push_back(factory.info.id);
  return ids;
}

Expected<Tool*> ToolManager::tool(const std::string& id) {
  if (auto it = tools_.find(id); it != tools_.end()) return it->second.get();
  std::unique_ptr<Tool> created = session_.registry().create_tool(id);
  if (!created) {
    std::string known;
    for (const std::string& k : tool_ids()) known += (known.empty() ? "" : ", ") + k;
    return Error{ErrorCode::kNotFound,
                 "no tool \"" + id + "\"; the known tools are: " + (known.empty() ? "none" : known),
                 ""};
  }
  created->set_host(this);
  if (!label_.empty()) created->set_label(label_);
  if (points_) created->set_points(points_);
  return tools_.emplace(id, std::move(created)).first->second.get();
}

Tool* ToolManager::active() const {
  const auto it = tools_.find(active_id_);
  return it == tools_.end() ? nullptr : it->second.get();
}

Status ToolManager::start(const std::string& id) {
  if (session_.busy()) {
    return Error{ErrorCode::kBusy,
                 "'" + session_.busy_job() + "' is running; tools start once it has ended", ""};
  }
  if (id == active_id_ && active() != nullptr) return {};
  Expected<Tool*> next = tool(id);
  if (!next) return std::move(next).error();
  if (Tool* current = active()) current->deactivate(session_);
  active_id_ = id;
  (*next)->activate(session_);
  return {};
}

Status ToolManager::set_home(const std::string& id) {
  if (Expected<Tool*> t = tool(id); !t) return std::move(t).error();
  home_ = id;
  return {};
}

Status ToolManager::set_companions(std::vector<CompanionTool> companions) {
  for (const CompanionTool& c : companions) {
    if (Expected<Tool*> t = tool(c.id); !t) return std::move(t).error();
  }
  companions_ = std::move(companions);
  return {};
}

std::vector<Tool*> ToolManager::route(const std::optional<ViewKind>& view) {
  std::vector<Tool*> tools;
  if (Tool* a = active()) tools.push_back(a);
  for (const CompanionTool& c : companions_) {
    if (c.id == active_id_) continue;
    if (view && !c.views.empty() &&
        std::find(c.views.begin(), c.views.end(), *view) == c.views.end()) {
      continue;
    }
    if (auto it = tools_.find(c.id); it != tools_.end()) tools.push_back(it->second.get());
  }
  return tools;
}

int ToolManager::finish(int result) {
  // Only the active tool ends itself: a companion's kFinished is masked by the callers.
  // A home that is not registered (a registry without "select") leaves the tool active.
  if ((result & kFinished) && active_id_ != home_) (void)start(home_);
  return result;
}

int ToolManager::on_pointer(const PointerEvent& event) {
  if (session_.busy()) return kIgnored;  // the edit gate: a job owns the session
  const std::optional<std::int64_t> before = session_.selection().track;
  int result = kIgnored;
  bool first = true;
  for (Tool* t : route(event.view.kind)) {
    const int r = t->on_pointer(session_, event);
    result |= first ? r : (r & ~kFinished);
    first = false;
    if (result & kConsumed) break;
  }
  if (home_after_create_ && event.type == PointerEvent::Type::kRelease && active_id_ != home_) {
    const std::optional<std::int64_t> after = session_.selection().track;
    if (after && after != before) result |= kFinished;
  }
  return finish(result);
}

int ToolManager::on_key(const KeyEvent& event) {
  if (session_.busy()) return kIgnored;
  int result = kIgnored;
  bool first = true;
  for (Tool* t : route(std::nullopt)) {
    const int r = t->on_key(session_, event);
    result |= first ? r : (r & ~kFinished);
    first = false;
    if (result & kConsumed) break;
  }
  return finish(result);
}

int ToolManager::on_wheel(const WheelEvent& event) {
  if (session_.busy()) return kIgnored;
  int result = kIgnored;
  bool first = true;
  for (Tool* t : route(event.view.kind)) {
    const int r = t->on_wheel(session_, event);
    result |= first ? r : (r & ~kFinished);
    first = false;
    if (result & kConsumed) break;
  }
  return finish(result);
}

int ToolManager::send_key(const std::string& id, const KeyEvent& event) {
  if (session_.busy()) return kIgnored;
  Expected<Tool*> t = tool(id);
  if (!t) return kIgnored;
  return (*t)->on_key(session_, event) & ~kFinished;
}

const ToolPreview& ToolManager::preview() const {
  static const ToolPreview kNone;
  const Tool* a = active();
  return a ? a->preview() : kNone;
}

void ToolManager::set_label(const std::string& label) {
  if (label.empty()) return;
  label_ = label;
  for (auto& [id, t] : tools_) t->set_label(label_);
}

void ToolManager::set_points(std::shared_ptr<const std::vector<Eigen::Vector3d>> points_in_world) {
  points_ = std::move(points_in_world);
  for (auto& [id, t] : tools_) t->set_points(points_);
}

Status ToolManager::apply(const Command& command) { return session_.apply(command); }

void ToolManager::set_selection(const Selection& selection) { session_.set_selection(selection); }

Expected<geometry::Cuboid> ToolManager::box_in_world(std::int64_t track_id,
                                                     std::int64_t frame) const {
  return session_.box_in_world(track_id, frame);
}

std::optional<geometry::Pose> ToolManager::T_world_lidar(std::int64_t frame) const {
  return session_.T_world_lidar(frame);
}

formats::ShapeFrame ToolManager::shape_frame_for(std::int64_t frame) const {
  return session_.shape_frame_for(frame);
}

}  // namespace pcanno::plugin
