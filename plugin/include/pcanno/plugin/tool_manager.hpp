#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "pcanno/formats/support/expected.hpp"
#include "pcanno/plugin/tool.hpp"

namespace pcanno::plugin {

class Session;

/// A tool that gets the events the active tool leaves unconsumed.
struct CompanionTool {
  std::string id;
  /// Pointer and wheel events from these views only (keys from every view); empty: every view.
  std::vector<ViewKind> views;
};

/// Runs a session's tools for one host (a view, a window). Headless, single-threaded like the
/// Session, and the one place hosts start tools and send them events:
/// - tools are created by id from the session's Registry, so a plugin's tool starts as a built-in
///   does; each is created once and keeps its state between starts;
/// - the active tool gets every pointer, key and wheel event first; what it leaves unconsumed goes
///   on to the companions in order (the workstation keeps its box editor and picker at hand while a
///   create tool runs), skipping the active tool itself;
/// - a tool that reports kFinished hands over to the home tool ("select" unless set); with
///   set_home_after_create(true), a release that leaves a newly selected track returns home too
///   (one box per N, as annotators expect);
/// - it carries what the host's tools share: the class new shapes get (Tool::set_label) and the
///   frame's points (Tool::set_points), given to every tool it creates;
/// - it is the tools' ToolHost, so plugin tools apply their commands through it;
/// - while a job holds the session (Session::busy()), it is closed like the session's other edits:
///   events reach no tool (kIgnored, so a view may still move its camera) and start() is kBusy.
/// The session must outlive the manager.
class ToolManager final : public ToolHost {
 public:
  explicit ToolManager(Session& session);
  ~ToolManager() override;  ///< deactivates the active tool
  ToolManager(const ToolManager&) = delete;
  ToolManager& operator=(const ToolManager&) = delete;

  /// The ids start() accepts: every tool of the session's registry, built-in and plugin, in
  /// registry order.
  std::vector<std::string> tool_ids() const;

  /// Makes tool `id` the active one: the tool active before is deactivated, `id` activated.
  /// Starting the active tool again does nothing. kNotFound, naming the known ids, when the
  /// registry has no such tool, and kBusy while a job holds the session; the active tool stays.
  formats::Status start(const std::string& id);
  /// "" until the first start().
  const std::string& active_id() const { return active_id_; }
  Tool* active() const;
  /// Tool `id`, created (and given the label and points) on first use; kNotFound as start().
  formats::Expected<Tool*> tool(const std::string& id);

  /// The tool kFinished returns to (and home_after_create); kNotFound as start().
  formats::Status set_home(const std::string& id);
  const std::string& home() const { return home_; }
  /// The companions, in the order they are asked; kNotFound as start() for an unknown id.
  formats::Status set_companions(std::vector<CompanionTool> companions);
  void set_home_after_create(bool on) { home_after_create_ = on; }

  /// Route an event as described above; the result is the flags of the tool that consumed it
  /// (or of all that saw it, or-ed), with kFinished handled already.
  int on_pointer(const PointerEvent& event);
  int on_key(const KeyEvent& event);
  int on_wheel(const WheelEvent& event);
  /// Sends `event` to tool `id` alone, whichever tool is active (the workstation's nudge keys);
  /// kIgnored for an unknown id.
  int send_key(const std::string& id, const KeyEvent& event);

  /// The active tool's preview; empty without one.
  const ToolPreview& preview() const;

  /// The class new boxes and polylines get, given to every tool (Tool::set_label).
  void set_label(const std::string& label);
  /// "" until set_label(): each tool keeps its own default.
  const std::string& label() const { return label_; }
  /// The current frame's points [m, world], given to every tool (Tool::set_points).
  void set_points(std::shared_ptr<const std::vector<Eigen::Vector3d>> points_in_world);

  Session& session() { return session_; }

  // ToolHost: the session's functions, for plugin tools.
  formats::Status apply(const Command& command) override;
  void set_selection(const Selection& selection) override;
  formats::Expected<geometry::Cuboid> box_in_world(std::int64_t track_id,
                                          std::int64_t frame) const override;
  std::optional<geometry::Pose> T_world_lidar(std::int64_t frame) const override;
  formats::ShapeFrame shape_frame_for(std::int64_t frame) const override;

 private:
  /// The active tool, then the companions that take events from `view`.
  std::vector<Tool*> route(const std::optional<ViewKind>& view);
  /// What to do after an event: home on kFinished.
  int finish(int result);

  Session& session_;
  std::map<std::string, std::unique_ptr<Tool>> tools_;
  std::string active_id_;
  std::string home_ = "select";
  std::vector<CompanionTool> companions_;
  bool home_after_create_ = false;
  std::string label_;
  std::shared_ptr<const std::vector<Eigen::Vector3d>> points_;
};

}  // namespace pcanno::plugin
