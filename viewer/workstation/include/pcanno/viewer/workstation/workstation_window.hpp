#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <QMainWindow>
#include <QTimer>

#include "pcanno/plugin/services/box_points.hpp"
#include "pcanno/plugin/services/qa.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/plugin/tool_manager.hpp"
#include "pcanno/plugin/tools/ruler_tool.hpp"
#include "pcanno/viewer/camera_follow.hpp"
#include "pcanno/viewer/scene_style.hpp"
#include "pcanno/viewer/workstation/display_settings.hpp"
#include "pcanno/viewer/workstation/frame_source.hpp"
#include "pcanno/viewer/workstation/prelabel_settings.hpp"

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QSlider;
class QToolBar;

namespace pcanno::plugin {
class PolylineTool;
}
namespace pcanno::formats {
struct ClassSchema;
}

namespace pcanno::viewer::workstation {

class SceneView;
class TimelineWidget;
class TrackListPanel;
class ClassPalettePanel;
class AttributePanel;
struct EditTarget;
class BoxPanel;
class AutomationJob;
class CameraPanel;
class EditGate;
class JobStatus;
class TaskMode;
class CommentsPanel;
class CommentMarkers;
struct TaskOpenOptions;

/// The annotation workstation: a perspective main view, top/side/front orthographic views that
/// follow the selected box (the top view turned to its heading unless north-up is chosen), the
/// track list, class palette, attribute editor and timeline, frame navigation and playback,
/// automation on a worker thread, undo/redo, open/save/export.
///
/// Every edit goes through the engine: the views' events through a plugin::ToolManager (the box
/// editor at home, N starts the create tool for one box, L the polyline tool, T the one-click
/// polyline tool, the mode tool bar any of these, the Tools menu any registered tool), the
/// menus and panels through commands, so the journal autosaves it. While a job runs it holds the
/// Session (Session::begin_job), which refuses every other edit with kBusy; the window closes its
/// one EditGate over the actions and panels that edit. The cameras follow the car and the selected
/// box by viewer::CameraFollow.
class WorkstationWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit WorkstationWindow(std::unique_ptr<plugin::Session> session, QWidget* parent = nullptr);
  ~WorkstationWindow() override;

  plugin::Session& session() { return *session_; }
  SceneView* main_view() const { return main_view_; }
  SceneView* top_view() const { return top_view_; }
  SceneView* side_view() const { return side_view_; }
  SceneView* front_view() const { return front_view_; }
  TimelineWidget* timeline() const { return timeline_; }
  TrackListPanel* track_list() const { return track_list_; }
  ClassPalettePanel* class_palette() const { return palette_; }
  AttributePanel* attributes() const { return attributes_; }
  /// Numeric entry of the selected box's nine values and its track's free tilt.
  /// workstation_tilt.cpp.
  BoxPanel* box_panel() const { return box_panel_; }
  QSlider* frame_slider() const { return slider_; }
  /// The camera images of the frame with the shapes projected (hidden when the sequence has no
  /// cameras); a click on a projected box or polyline selects it. workstation_cameras.cpp.
  CameraPanel* camera_panel() const { return cameras_; }
  /// The camera panel's toggles: LiDAR points coloured by depth, projected 2D boxes.
  void set_camera_points(bool on);
  void set_camera_boxes_2d(bool on);
  /// How every view colours its points (View > Colour points by); ColorBy::kCamera takes each
  /// point's colour from the frame's camera images (camera_point_colors()).
  void set_color_by(ColorBy mode);
  ColorBy color_by() const { return color_by_; }
  const FrameSource& frame_source() const { return *frames_; }
  /// The actions and panels closed while a job runs.
  const EditGate& edit_gate() const { return *gate_; }

  /// The window's tools; active_id() is "cuboid-edit" between creates.
  const plugin::ToolManager& tools() const { return *tools_; }
  /// Starts tool `id` of the session's registry (what the Tools menu and `pcanno view --tool`
  /// do); kNotFound naming the known ids when there is none, kBusy during a job; said in the
  /// status bar too.
  formats::Status start_tool(const std::string& id);
  /// Jumps to `frame` (clamped); the cloud comes from the prefetching cache. False when the frame
  /// stays (already there, no frames, a job runs).
  bool set_frame(std::int64_t frame);
  bool step(int delta);
  void select_track(std::optional<std::int64_t> track);
  void select_polyline(std::optional<std::int64_t> polyline);
  /// Hotkey 1..9: class `index` of the palette's shown group (box classes, or polyline classes in
  /// polyline mode) for new shapes and for the selected track or polyline.
  void choose_class(int index);
  /// Polyline mode: the polyline or one-click polyline tool runs, or a polyline is selected (the
  /// palette then shows the polyline classes).
  bool polyline_mode() const;
  /// L / T: starts tool `id` ("polyline", "polyline-trace"), or goes home when it runs already.
  /// A tool missing from the registry is said in the status bar (kNotFound).
  formats::Status toggle_tool(const std::string& id);
  /// The mode tool bar: home (select and edit), new box, polyline, one-click polyline.
  QToolBar* modes_toolbar() const { return modes_; }

  /// Runs "propagate" (forward from the current frame) or "interpolate" on the selected track, or
  /// with `polyline=<id>` on the selected polyline (from its latest line at or before the frame),
  /// on a worker thread; false when nothing is selected or a job runs.
  bool propagate_selected();
  bool interpolate_selected();
  bool job_running() const;
  /// Stops the running job (Esc, or the status bar's Cancel): within half a second the job ends,
  /// having changed nothing, and the status bar says so.
  void cancel_job();
  /// The status bar's job display: "<step> <percent>%" while a job runs, "" otherwise.
  QString job_progress_text() const;

  /// Moves the selected box (or the whole selected polyline) as arrow key `key` ("Left", "Right",
  /// "Up", "Down") would in the top view (its screen axes: along and across the heading while the
  /// view follows it); `fine` takes the small step. False when nothing is selected or a job runs.
  bool nudge_selected(const std::string& key, bool fine);

  /// The top view turns with the selected box so that its heading points right (the default), or
  /// stays north-up (world +x right).
  void set_top_north_up(bool north_up);
  bool top_north_up() const { return follow_.north_up(); }

  bool undo();
  bool redo();
  /// Saves to `path`, else the document's path, else asks (Save As); the status bar says how.
  bool save(const std::filesystem::path& path = {});
  /// Replaces the document with labels from `path` in format `codec_id` (detected when empty); a
  /// native document is opened with its journal, other labels are journaled in the recovery
  /// folder. Unsaved edits left for either are offered back in a dialog. The current session's
  /// unsaved edits stay in its journal (the Open dialog asks about them first). kBusy during a job.
  formats::Status open_labels(const std::filesystem::path& path, const std::string& codec_id = "");
  /// sequences (workstation_sequences.cpp): replaces the session with sequence or scene `name` of
  /// the dataset at `dataset` (nuScenes/Lyft with every LiDAR sweep when `sweeps`), its own labels
  /// included, as `pcanno view DATASET --sequence-name NAME [--sweeps]` opens it; unsaved edits
  /// left for them are offered back. kBusy during a job.
  formats::Status open_sequence(const std::filesystem::path& dataset, const std::string& name,
                                bool sweeps = false);
  /// Writes the document to `path` through label codec `codec_id`, now (blocking); kBusy during a
  /// job.
  formats::Status export_labels(const std::filesystem::path& path, const std::string& codec_id,
                                bool overwrite = false);
  /// The same as a job on the worker thread, with progress and cancel (what Export... does);
  /// false when a job runs or the codec cannot write.
  bool export_labels_job(const std::filesystem::path& path, const std::string& codec_id,
                         bool overwrite = false);
  /// Runs the quick QA checks now, without reading clouds (they run shortly after each edit).
  void run_checks();
  /// Runs every check, points in boxes included (the "check" service), as a job (Ctrl+K).
  bool run_checks_job();
  const plugin::QaReport& qa_report() const { return qa_; }
  /// "Frame 3 / 154 ... | 123,456 points | #2 Pedestrian ... | x 1.00  y 2.00  z 0.00".
  QString status_text() const;

  /// Writes the window to `path` (PNG), the GL views included.
  bool save_screenshot(const QString& path);

  /// The class schema of `pcanno view --schema`: loaded into every session the window opens
  /// later (File > Open sequence, Open labels) as it was into the first, one undo step each.
  void keep_class_schema(std::shared_ptr<const formats::ClassSchema> schema);

  // measure (workstation_measure.cpp): the ruler (M) and the selected box's readout.
  /// The ruler's measurement while the ruler runs; nullopt when it shows none.
  std::optional<plugin::Measurement> ruler_measurement() const;
  /// The selected box's LiDAR points at this frame and its distance from the sensor, counted by
  /// plugin::box_points on the frame's cloud as QA's few-points rule counts; nullopt without a
  /// selected box at this frame or a cloud. Shown after the selection in the status bar.
  std::optional<plugin::BoxPoints> selected_box_points() const;
  // sparse: View > Display (workstation_display.cpp)
  /// What the views show of each frame: accumulation, stacking, hidden ground, crops, intensity
  /// window, focus; redrawn at once. A sequence without poses has its ego motion estimated (a
  /// job, unless cached) before it accumulates.
  void set_display_settings(const DisplaySettings& settings);
  const DisplaySettings& display_settings() const;
  /// The points the views draw (the status bar's count).
  std::size_t points_drawn() const;
  // ---- repair: the Track menu (workstation_tracks.cpp). Each edit is one undo step. ----------
  /// Moves every box of `absorbed` into `kept`; refused, the shared frames in the status bar.
  bool merge_tracks(std::int64_t kept, std::int64_t absorbed);
  /// Ctrl+M: the selected track merges into the track selected before it (merge_partner()); without
  /// one, a chooser lists the tracks with what blocks each merge.
  bool merge_selected();
  /// The track selected before the selected one, while both exist.
  std::optional<std::int64_t> merge_partner() const;
  bool split_selected();  ///< Ctrl+X: at the current frame; the new track is selected
  /// Ctrl+R / Ctrl+Shift+R: the selected track's box at this frame moves to `target` (nullopt: a
  /// new track), which is then selected.
  bool relink_selected(std::optional<std::int64_t> target);
  /// Ctrl+Shift+N: the create tool's new box joins the selected track.
  void set_extend(bool on);
  bool extend() const;
  bool delete_selected_track();
  bool delete_selected_frames(std::int64_t first, std::int64_t last);
  /// The size of the selected box (this frame) on every box of the track, or on first..last.
  bool size_selected(std::optional<std::pair<std::int64_t, std::int64_t>> range);
  bool flip_selected(std::int64_t first, std::int64_t last);
  bool class_selected(const std::string& label);
  /// Re-fits every box of the selected track to its points, as a job (progress, Esc cancels).
  bool refit_selected();
  // ---- pre-labels (workstation_prelabel.cpp) ----------------------------------------------------
  /// Ctrl+D / Ctrl+Alt+D: the "prelabel" service with prelabel_detector() on this frame / every
  /// frame, as a job; false when a job runs or the service is missing.
  bool prelabel_frame();
  bool prelabel_sequence();
  /// The detector the jobs use: the one set, else "classical" when registered, else the first.
  std::string prelabel_detector() const;
  void set_prelabel_detector(const std::string& id);
  /// Model boxes scoring below `threshold` [0, 1] are hidden in the views, the camera panel and
  /// the track list, not deleted (the tool bar's "min score" box; default 0.5).
  void set_score_threshold(double threshold);
  double score_threshold() const;

  // ---- project store tasks (workstation_task.cpp) ---------------------------------------------
  /// Works on a store task from now on: the title shows it and its sync, the Task menu submits,
  /// the Review menu accepts, rejects and comments (review mode, where the labels are read-only),
  /// the Comments dock lists its comments. `task` must be over this window's session.
  void enter_task(std::unique_ptr<TaskMode> task);
  /// Opens task `options` (TaskMode::open) in place of the current session; kBusy during a job.
  formats::Status open_task(const TaskOpenOptions& options);
  TaskMode* task_mode() const { return task_.get(); }
  /// The labels refuse edits: review mode, a task being submitted, or one handed in (its state
  /// no longer takes labels). Editing tools, menus and panels refuse.
  bool read_only() const;
  /// Task > Submit: waits for the outbox to drain, then submits; refusals in a message box.
  /// Refused while a job runs. While it waits the labels are read-only, a second submit is
  /// refused and closing waits.
  /// Submitted, the labels stay read-only: the store takes no more edits on the task.
  bool submit_task();
  bool accept_task();
  /// Refused (a status message) for an empty reason.
  bool reject_task(const QString& reason);
  /// A comment at the selected box's centre on this frame (its track), else at the main view's
  /// focal point.
  bool comment_task(const QString& text);
  CommentsPanel* comments_panel() const { return comments_; }
  /// The comment markers the main view shows (the comments of the current frame).
  std::size_t comment_markers_shown() const;
  /// The store File > Open task starts from (`pcanno view --db URL --user NAME`).
  void set_store(const std::string& url, const std::string& user);

 public slots:
  void open_task_dialog();
  void reject_dialog();
  void comment_dialog();
  void open_labels_dialog();
  /// File > Open sequence... (Ctrl+Shift+O): asks about unsaved edits, then SequenceDialog.
  void open_sequence_dialog();
  void save_as_dialog();
  void export_dialog();

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void build_layout();  ///< workstation_layout.cpp
  void build_status_bar();
  void build_actions();                      ///< workstation_actions.cpp
  void build_sequence_actions(QMenu* file);  ///< workstation_sequences.cpp
  /// The Tools menu: one entry per registered tool (rebuilt for a new session's registry).
  void build_tools_menu();
  /// The session's tools in the workstation's arrangement.
  void attach_tools();
  void attach_session();
  /// Session observer: on the UI thread refresh; during a job (worker thread) nothing: the job's
  /// end refreshes.
  void on_change(const plugin::Change& change);
  void refresh();  ///< panels, boxes, views from the session
  /// The cameras after a refresh, by the follow rule.
  void follow_cameras();
  std::array<SceneView*, 4> views() const {
    return {main_view_, top_view_, side_view_, front_view_};
  }
  void load_points();
  // sparse (workstation_display.cpp)
  void build_display_actions(QMenu* view);
  /// Builds the shown points from the settings and hands them to the views; unless `force`, only
  /// when what they depend on changed.
  void show_points(bool force);
  void display_poses();
  void show_display_dialog();
  void sync_display_dialog();
  void read_display_dialog();
  QString display_job_outcome() const;
  /// The camera panel under the views (`views`): both in a vertical splitter, returned.
  QWidget* build_camera_panel(QWidget* views);  ///< workstation_cameras.cpp
  void build_camera_actions(QMenu* view);       ///< workstation_cameras.cpp
  /// The camera panel shows the session's frame, document and selection.
  void update_cameras();
  /// The camera strip's height fitted to its images (when the cameras change).
  void fit_camera_strip();
  /// The tool preview's boxes over the cameras (a box dragged in the 3D views).
  void update_camera_preview(const plugin::ToolPreview& preview);
  /// ColorBy::kCamera: the current frame's point colours from its images, handed to the views.
  void update_camera_colors();
  /// The selected track's box at the current frame [world], if any.
  std::optional<geometry::Cuboid> selected_box() const;
  /// The window's polyline tool (drawing while active, else editing the selected polyline).
  plugin::PolylineTool* polyline_tool();
  /// Gives the tools the palette's classes: box tools the box class, polyline tools the line's.
  void give_labels();
  /// The palette's group and the mode tool bar's checked action for the active tool.
  void sync_modes();
  void update_timeline();
  void build_modes_toolbar();  ///< workstation_polylines.cpp, from build_actions()
  void update_trace_action();  ///< the one-click action's tip: is the tool registered?
  void choose_label(const std::string& label);
  void update_status();
  void update_preview();
  void build_measure_actions(QMenu* edit);  ///< workstation_measure.cpp, from build_actions()
  void update_measure_status();             ///< the readouts, from update_status()
  void replace_session(std::unique_ptr<plugin::Session> session);
  void build_task_actions(QMenu* file);  ///< workstation_task.cpp, from build_actions()
  /// Edit actions, panels and editing tools open (true) or closed (false; frame navigation stays).
  void set_labels_editable(bool editable);
  void update_task_view();        ///< title, comments panel, markers from task_
  void update_comment_markers();  ///< the views' markers: comments of this frame
  /// Closing in task mode: sends what is pending and lets go of the lease; false to stay open.
  bool close_task();
  std::shared_ptr<const formats::ClassSchema> class_schema_;  ///< keep_class_schema()
  /// Before `action` ("closing"): when there are unsaved edits, asks to save (Save As when there
  /// is no document), discard (their journal goes) or cancel. True when the action may go on.
  bool settle_unsaved(const QString& action);
  bool run_service(const std::string& id, formats::AttributeMap parameters);
  /// Runs `work` as job `name`, the gate closed until it ends.
  bool run_job(const std::string& name,
               std::function<formats::Status(const std::function<bool(double)>&)> work);
  void job_finished(const QString& name, bool ok, bool cancelled, const QString& message);
  /// What the status bar says when job `name` has ended well.
  QString job_outcome(const QString& name, bool& full_check);
  /// The export of export_labels() as work for a job; the summary goes to export_summary_.
  formats::Expected<std::function<formats::Status(const std::function<bool(double)>&)>> export_work(
      const std::filesystem::path& path, const std::string& codec_id, bool overwrite);
  // Ontology (workstation_ontology.cpp): attribute and tag edits checked against the schema.
  /// An attribute or tag edit from the panel, applied to the shape and frame it was typed for.
  void edit_attribute(const EditTarget& target, bool frame_scope, const QString& key,
                      const QString& value);
  void edit_tag(const EditTarget& target, bool frame_tag, const QString& key, const QString& value);
  // tilt: the box panel (workstation_tilt.cpp)
  QWidget* build_box_panel();  ///< created, connected and gated; docked by build_layout()
  void update_box_panel();     ///< from refresh()
  void edit_box_value(int field, double value);
  void report(const formats::Status& status, const QString& what);
  void toggle_play();
  void show_shortcuts();
  // repair (workstation_tracks.cpp)
  void build_track_actions();  ///< the Track menu, from build_actions()
  void update_track_repair();  ///< from refresh(): selection history, the panel's merge info
  /// Applies a repair command, saying `done` or why it was refused.
  bool apply_repair(formats::Expected<plugin::Command> command, const QString& done);
  /// Asks for "first-last" (default: this frame to the selected track's last); nullopt: cancelled.
  std::optional<std::pair<std::int64_t, std::int64_t>> ask_range(const QString& what);
  QString refit_outcome() const;
  // pre-labels (workstation_prelabel.cpp)
  void build_prelabel_actions(QMenu* edit);  ///< from build_actions()
  /// The document without the boxes the score threshold hides (the document itself when none).
  const formats::Annotations& shown_document();
  void hide_low_scores();  ///< the views' boxes under the threshold, from refresh()
  /// Clears a selection whose box at the current frame is hidden (the threshold rose over it, or
  /// the frame changed to one where its box scores lower).
  void drop_hidden_selection();
  QString prelabel_outcome() const;

  int on_pointer(SceneView& view, const plugin::PointerEvent& event);
  int on_key(SceneView& view, const plugin::KeyEvent& event);
  /// After a tool event: the preview redrawn, the tool shown.
  void tool_result(int result);

  std::unique_ptr<plugin::Session> session_;
  /// The store task worked on (after session_: it detaches from the session before that goes).
  std::unique_ptr<TaskMode> task_;
  CommentsPanel* comments_ = nullptr;
  std::vector<std::unique_ptr<CommentMarkers>> markers_;  ///< one per view, in views() order
  QDockWidget* comments_dock_ = nullptr;
  QMenu* task_menu_ = nullptr;
  QAction* submit_action_ = nullptr;  ///< Task > Submit: off while the task is handed in
  QMenu* review_menu_ = nullptr;
  std::string store_url_, store_user_;  ///< set_store()
  QTimer task_timer_;                   ///< 1 s: comments and task state by the store's change mark
  bool submitting_ = false;             ///< submit_task() waits for the outbox
  bool labels_open_ = true;             ///< set_labels_editable()'s last word
  int observer_ = -1;
  std::unique_ptr<FrameSource> frames_;
  formats::FrameCache::LoadedFramePtr frame_;  ///< the current frame: cloud and camera images
  formats::FrameCache::FramePtr cloud_;  ///< frame_'s points (sharing it), shared by the views
  formats::FrameCache::FramePtr shown_;  ///< what the views draw: cloud_ under the display options
  std::unique_ptr<DisplayState> display_ = std::make_unique<DisplayState>();  ///< sparse
  std::unique_ptr<plugin::ToolManager> tools_;  ///< over session_; replaced with it
  QMenu* tools_menu_ = nullptr;
  QToolBar* modes_ = nullptr;
  QAction* home_action_ = nullptr;
  QAction* box_action_ = nullptr;
  QAction* polyline_action_ = nullptr;
  QAction* trace_action_ = nullptr;
  QAction* ruler_action_ = nullptr;  ///< measure: M, the mode tool bar
  QLabel* ruler_label_ = nullptr;    ///< measure: the ruler's reading in the status bar

  SceneView* main_view_ = nullptr;
  SceneView* top_view_ = nullptr;
  SceneView* side_view_ = nullptr;
  SceneView* front_view_ = nullptr;
  TimelineWidget* timeline_ = nullptr;
  TrackListPanel* track_list_ = nullptr;
  ClassPalettePanel* palette_ = nullptr;
  AttributePanel* attributes_ = nullptr;
  BoxPanel* box_panel_ = nullptr;  ///< tilt
  CameraPanel* cameras_ = nullptr;
  QAction* camera_points_action_ = nullptr;
  QAction* camera_boxes_2d_action_ = nullptr;
  std::vector<QAction*> color_actions_;  ///< View > Colour points by, in ColorBy order
  ColorBy color_by_ = ColorBy::kHeight;  ///< reads best in the small orthographic views
  QSlider* slider_ = nullptr;
  QLabel* frame_label_ = nullptr;
  QLabel* points_label_ = nullptr;
  QLabel* cursor_label_ = nullptr;
  QLabel* selection_label_ = nullptr;
  QLabel* tool_label_ = nullptr;
  EditGate* gate_ = nullptr;
  AutomationJob* job_ = nullptr;
  JobStatus* job_status_ = nullptr;
  QAction* job_cancel_action_ = nullptr;  ///< Esc: open only while a job runs (the gate's reverse)
  std::string export_summary_;
  /// The polyline a propagate or interpolate job runs on and its line count before: the outcome
  /// counts the lines it added.
  std::optional<std::pair<std::int64_t, std::size_t>>
      job_polyline_;  ///< written by an export job's worker, read when it has ended

  QTimer qa_timer_;    ///< QA a moment after the last edit
  QTimer play_timer_;  ///< 10 Hz playback
  plugin::QaReport qa_;
  CameraFollow follow_;
  std::int64_t loaded_frame_ = -1;
  // repair (workstation_tracks.cpp)
  std::optional<std::int64_t> repair_last_;      ///< the selected track, as last seen
  std::optional<std::int64_t> repair_previous_;  ///< the one selected before it
  QAction* extend_action_ = nullptr;
  std::string refit_summary_;  ///< written by the refit job's worker, read when it has ended
  PrelabelSettings prelabel_;  ///< pre-labels
};

}  // namespace pcanno::viewer::workstation
