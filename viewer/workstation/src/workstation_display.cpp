// What the views show of a frame (View > Display): neighbouring frames accumulated, the selected
// track stacked in its own frame, the ground hidden, crops, an intensity window and a focus on the
// selected box. The points are built by the engine (plugin::PointDisplay), as `pcanno render`
// builds them, from the window's prefetching frame cache.
#include <QAction>
#include <QCheckBox>
#include <QDialog>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QMenu>
#include <QSpinBox>
#include <QStatusBar>

#include "pcanno/plugin/automation/ego_motion.hpp"
#include "pcanno/viewer/workstation/display_settings.hpp"
#include "pcanno/viewer/workstation/scene_view.hpp"
#include "pcanno/viewer/workstation/workstation_window.hpp"

namespace pcanno::viewer::workstation {
namespace {

bool same_box(const geometry::Cuboid& a, const geometry::Cuboid& b) {
  return a.center == b.center && a.size == b.size && a.rotation.coeffs() == b.rotation.coeffs();
}

bool same_region(const std::optional<plugin::DisplayRegion>& a,
                 const std::optional<plugin::DisplayRegion>& b) {
  if (!a || !b) return !a && !b;
  return a->min == b->min && a->max == b->max;
}

}  // namespace

bool DisplaySettings::operator==(const DisplaySettings& o) const {
  return past == o.past && future == o.future && stack_selected == o.stack_selected &&
         hide_ground == o.hide_ground && crop_to_selected == o.crop_to_selected &&
         same_region(crop_region, o.crop_region) && intensity_min == o.intensity_min &&
         intensity_max == o.intensity_max && focus == o.focus && focus_margin == o.focus_margin;
}

bool DisplayState::Key::operator==(const Key& o) const {
  return frame == o.frame && cloud == o.cloud && settings == o.settings && selected == o.selected &&
         poses == o.poses && boxes.size() == o.boxes.size() &&
         std::equal(boxes.begin(), boxes.end(), o.boxes.begin(), same_box);
}

plugin::DisplayOptions display_options(const DisplaySettings& s,
                                       std::optional<std::int64_t> selected) {
  plugin::DisplayOptions o;
  o.past = s.past;
  o.future = s.future;
  o.hide_ground = s.hide_ground;
  o.crop_region = s.crop_region;
  o.intensity_min = s.intensity_min;
  o.intensity_max = s.intensity_max;
  if (selected) {
    if (s.stack_selected) o.stack_track = selected;
    if (s.crop_to_selected) o.crop_track = selected;
    if (s.focus) o.focus_track = selected;
    o.focus_margin = s.focus_margin;
  }
  return o;
}

void WorkstationWindow::build_display_actions(QMenu* view) {
  QMenu* menu = view->addMenu("&Display");
  QAction* options = menu->addAction("Display &options...");
  options->setObjectName("display_options_action");
  connect(options, &QAction::triggered, this, [this] { show_display_dialog(); });
  const auto toggle = [this, menu](const QString& text, const QKeySequence& key,
                                   void (*apply)(DisplaySettings&, bool)) {
    QAction* a = menu->addAction(text);
    a->setShortcut(key);
    a->setShortcutContext(Qt::WindowShortcut);
    a->setCheckable(true);
    connect(a, &QAction::toggled, this, [this, apply](bool on) {
      DisplaySettings s = display_->settings;
      apply(s, on);
      set_display_settings(s);
    });
    return a;
  };
  // Ctrl+F and Ctrl+G: F and G alone belong to the box editor's keys (r/f: height).
  display_->focus_action = toggle("&Focus on the selected box", QKeySequence("Ctrl+F"),
                                  [](DisplaySettings& s, bool on) { s.focus = on; });
  display_->ground_action = toggle("Hide the &ground", QKeySequence("Ctrl+G"),
                                   [](DisplaySettings& s, bool on) { s.hide_ground = on; });
}

void WorkstationWindow::set_display_settings(const DisplaySettings& settings) {
  if (settings == display_->settings) return;
  display_->settings = settings;
  for (auto [action, on] : {std::pair{display_->focus_action, settings.focus},
                            std::pair{display_->ground_action, settings.hide_ground}}) {
    if (action && action->isChecked() != on) {
      const QSignalBlocker block(action);
      action->setChecked(on);
    }
  }
  sync_display_dialog();
  show_points(false);
  update_status();
  for (SceneView* v : views()) v->render_later();
}

const DisplaySettings& WorkstationWindow::display_settings() const { return display_->settings; }

std::size_t WorkstationWindow::points_drawn() const { return shown_ ? shown_->size() : 0; }

void WorkstationWindow::display_poses() {
  DisplayState& d = *display_;
  const formats::Sequence* seq = session_->sequence();
  if (!seq) return;
  if (!d.estimate.empty()) {  // the ego motion job has ended
    d.poses = std::move(d.estimate);
    d.estimate.clear();
    d.poses_estimated = true;
  }
  if (d.sequence != seq) {  // another session: its own poses
    d.poses.clear();
    d.poses_estimated = false;
    d.estimate.clear();
    d.ego_requested = false;
    d.sequence = seq;
  }
  const bool accumulate = d.settings.past > 0 || d.settings.future > 0;
  if (d.poses.size() == seq->size() && (d.poses_estimated || seq->has_poses() || !accumulate)) {
    return;
  }
  d.poses = plugin::sequence_poses(*seq);
  if (seq->has_poses() || !accumulate || d.ego_requested) return;
  // No poses of its own: the ego motion, from the cache at once, else estimated as a job.
  plugin::EgoMotionOptions ego;
  ego.cache_dir = plugin::default_ego_motion_cache();
  if (plugin::ego_motion_cached(*seq, ego)) {
    if (auto motion = plugin::estimate_ego_motion(*seq, ego)) {
      d.poses.assign(motion->T_world_lidar.begin(), motion->T_world_lidar.end());
      d.poses_estimated = true;
      return;
    }
  }
  if (job_running()) return;
  d.ego_requested = true;  // once: a cancelled or failed estimate is not restarted by a refresh
  run_job(kEgoMotionJob, [this, seq, ego](const std::function<bool(double)>& progress) {
    auto motion = plugin::estimate_ego_motion(*seq, ego, progress);
    if (!motion) return formats::Status(std::move(motion).error());
    // Read by the UI thread once the job has ended (job_finished() refreshes).
    display_->estimate.assign(motion->T_world_lidar.begin(), motion->T_world_lidar.end());
    return formats::Status();
  });
}

void WorkstationWindow::show_points(bool force) {
  // A job edits the document on its worker thread: reading it here would race. The settings are
  // kept; the refresh at the job's end builds with them (the key differs from the last build).
  if (job_running()) return;
  DisplayState& d = *display_;
  const std::int64_t frame = session_->frame();
  const formats::Sequence* seq = session_->sequence();
  display_poses();
  // The selected track, when it has a box at the frame: crop, focus and stacking follow it.
  std::optional<std::int64_t> selected = session_->selection().track;
  const formats::Track* track = selected ? session_->document().track(*selected) : nullptr;
  if (!track || !track->at(frame)) selected.reset();
  DisplayState::Key key;
  key.frame = frame;
  key.cloud = cloud_.get();
  key.settings = d.settings;
  key.selected = selected;
  key.poses = d.poses.size() + (d.poses_estimated ? 1 : 0);
  if (track) {
    for (const formats::BoxState& b : track->boxes) {
      if (b.frame >= frame - d.settings.past && b.frame <= frame + d.settings.future) {
        key.boxes.push_back(b.box);
      }
    }
  }
  if (!force && d.built && *d.built == key) return;
  d.built = key;

  const formats::FrameCache::FramePtr previous = shown_;
  shown_ = cloud_;
  formats::FrameCache* cache = frames_->cache();
  if (cloud_ && cache) {
    plugin::DisplaySource source;
    source.frames = cache;
    source.T_world_lidar = d.poses;
    if (seq) source.timestamps_us = plugin::sequence_timestamps(*seq);
    source.document = &session_->document();
    auto built = d.builder.build(source, static_cast<std::size_t>(std::max<std::int64_t>(0, frame)),
                                 display_options(d.settings, selected));
    if (built) {
      shown_ = *built;
      const auto& warnings = d.builder.stats().warnings;
      if (!warnings.empty() && !job_running()) {
        statusBar()->showMessage(QString::fromStdString("display: " + warnings.front()), 6000);
      }
    } else {
      statusBar()->showMessage(QString::fromStdString("display: " + built.error().describe()),
                               8000);
    }
  }
  // A selection change under plain options gives the same cloud: no new upload.
  if (!force && shown_ == previous) return;
  update_camera_colors();  // before the views take the points: they colour them once
  const std::optional<geometry::Pose> pose = session_->T_world_lidar(frame);
  for (SceneView* v : views()) {
    v->scene().set_cloud(shown_, pose.value_or(geometry::Pose::Identity()));
  }
}

void WorkstationWindow::show_display_dialog() {
  DisplayState& d = *display_;
  if (!d.dialog) {
    d.dialog = new QDialog(this);
    d.dialog->setObjectName("display_options");
    d.dialog->setWindowTitle("Display options");
    auto* form = new QFormLayout(d.dialog);
    const auto spin = [&](const char* name, int max) {
      auto* s = new QSpinBox(d.dialog);
      s->setObjectName(name);
      s->setRange(0, max);
      connect(s, qOverload<int>(&QSpinBox::valueChanged), this, [this] { read_display_dialog(); });
      return s;
    };
    const auto number = [&](const char* name, double lo, double hi, double value) {
      auto* s = new QDoubleSpinBox(d.dialog);
      s->setObjectName(name);
      s->setRange(lo, hi);
      s->setDecimals(2);
      s->setValue(value);
      connect(s, qOverload<double>(&QDoubleSpinBox::valueChanged), this,
              [this] { read_display_dialog(); });
      return s;
    };
    const auto check = [&](const char* name, const QString& text) {
      auto* c = new QCheckBox(text, d.dialog);
      c->setObjectName(name);
      connect(c, &QCheckBox::toggled, this, [this] { read_display_dialog(); });
      return c;
    };
    form->addRow("Past frames", spin("display_past", 50));
    form->addRow("Future frames", spin("display_future", 50));
    form->addRow(check("display_stack", "Stack the selected track in its own frame"));
    form->addRow(check("display_ground", "Hide the ground"));
    form->addRow(check("display_crop_selected", "Crop to the selected box"));
    auto* region = new QHBoxLayout;
    region->addWidget(check("display_crop_region", "Crop to x, y, z from / to"));
    for (const char* name : {"display_x0", "display_y0", "display_z0"})
      region->addWidget(number(name, -1000, 1000, -20));
    for (const char* name : {"display_x1", "display_y1", "display_z1"})
      region->addWidget(number(name, -1000, 1000, 20));
    form->addRow(region);
    auto* intensity = new QHBoxLayout;
    intensity->addWidget(check("display_imin_on", "Intensity from"));
    intensity->addWidget(number("display_imin", -1e6, 1e6, 0));
    intensity->addWidget(check("display_imax_on", "to"));
    intensity->addWidget(number("display_imax", -1e6, 1e6, 1));
    form->addRow(intensity);
    auto* focus = new QHBoxLayout;
    focus->addWidget(check("display_focus", "Focus on the selected box, margin [m]"));
    focus->addWidget(number("display_focus_margin", 0, 100, 2));
    form->addRow(focus);
  }
  sync_display_dialog();
  d.dialog->show();
  d.dialog->raise();
}

void WorkstationWindow::sync_display_dialog() {
  QDialog* dialog = display_->dialog;
  if (!dialog) return;
  const DisplaySettings& s = display_->settings;
  const auto set_int = [dialog](const char* name, int v) {
    auto* w = dialog->findChild<QSpinBox*>(name);
    const QSignalBlocker block(w);
    w->setValue(v);
  };
  const auto set_double = [dialog](const char* name, double v) {
    auto* w = dialog->findChild<QDoubleSpinBox*>(name);
    const QSignalBlocker block(w);
    w->setValue(v);
  };
  const auto set_check = [dialog](const char* name, bool on) {
    auto* w = dialog->findChild<QCheckBox*>(name);
    const QSignalBlocker block(w);
    w->setChecked(on);
  };
  set_int("display_past", s.past);
  set_int("display_future", s.future);
  set_check("display_stack", s.stack_selected);
  set_check("display_ground", s.hide_ground);
  set_check("display_crop_selected", s.crop_to_selected);
  set_check("display_crop_region", s.crop_region.has_value());
  if (s.crop_region) {
    const char* names[2][3] = {{"display_x0", "display_y0", "display_z0"},
                               {"display_x1", "display_y1", "display_z1"}};
    for (int i = 0; i < 3; ++i) {
      set_double(names[0][i], s.crop_region->min(i));
      set_double(names[1][i], s.crop_region->max(i));
    }
  }
  set_check("display_imin_on", s.intensity_min.has_value());
  if (s.intensity_min) set_double("display_imin", *s.intensity_min);
  set_check("display_imax_on", s.intensity_max.has_value());
  if (s.intensity_max) set_double("display_imax", *s.intensity_max);
  set_check("display_focus", s.focus);
  set_double("display_focus_margin", s.focus_margin);
}

void WorkstationWindow::read_display_dialog() {
  QDialog* dialog = display_->dialog;
  if (!dialog) return;
  const auto num = [dialog](const char* name) {
    return dialog->findChild<QDoubleSpinBox*>(name)->value();
  };
  const auto on = [dialog](const char* name) {
    return dialog->findChild<QCheckBox*>(name)->isChecked();
  };
  DisplaySettings s;
  s.past = dialog->findChild<QSpinBox*>("display_past")->value();
  s.future = dialog->findChild<QSpinBox*>("display_future")->value();
  s.stack_selected = on("display_stack");
  s.hide_ground = on("display_ground");
  s.crop_to_selected = on("display_crop_selected");
  if (on("display_crop_region")) {
    plugin::DisplayRegion r;
    r.min = Eigen::Vector3d(num("display_x0"), num("display_y0"), num("display_z0"));
    r.max = Eigen::Vector3d(num("display_x1"), num("display_y1"), num("display_z1"));
    // Either corner first: the region is the box between them.
    const Eigen::Vector3d lo = r.min.cwiseMin(r.max), hi = r.min.cwiseMax(r.max);
    s.crop_region = plugin::DisplayRegion{lo, hi};
  }
  if (on("display_imin_on")) s.intensity_min = static_cast<float>(num("display_imin"));
  if (on("display_imax_on")) s.intensity_max = static_cast<float>(num("display_imax"));
  if (s.intensity_min && s.intensity_max && *s.intensity_min > *s.intensity_max) {
    std::swap(*s.intensity_min, *s.intensity_max);
  }
  s.focus = on("display_focus");
  s.focus_margin = num("display_focus_margin");
  set_display_settings(s);
}

QString WorkstationWindow::display_job_outcome() const {
  const DisplayState& d = *display_;
  return QString("ego motion: %1 frames placed for accumulation")
      .arg(d.estimate.empty() ? d.poses.size() : d.estimate.size());
}

}  // namespace pcanno::viewer::workstation
