#pragma once
#include <array>
#include <string>

#include <QWidget>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/geometry/cuboid.hpp"

class QCheckBox;
class QDoubleSpinBox;
class QLabel;

namespace pcanno::viewer::workstation {

/// Numeric entry of the selected box at the current frame, all nine values in the frame the
/// document stores it in (BoxState::shape_frame, named in the panel): centre x y z [m], size
/// length width height [m], yaw pitch roll [deg] (geometry/yaw_pitch_roll.hpp). Each value typed
/// (Return or leaving the field) or stepped is one edit, which the window turns into one
/// modify_box command. Pitch and roll are read-only while the track's tilt is locked
/// (plugin/tilt.hpp), the reason shown; the "free tilt" box sets Track::free_tilt.
class BoxPanel : public QWidget {
  Q_OBJECT

 public:
  enum Field { kCenterX, kCenterY, kCenterZ, kLength, kWidth, kHeight, kYaw, kPitch, kRoll };
  static constexpr int kFieldCount = 9;

  explicit BoxPanel(QWidget* parent = nullptr);

  /// `track` null: nothing selected, everything off. `state` null: the track has no box at this
  /// frame (only "free tilt" is on). `lock_reason` empty: the tilt is free.
  void show_box(const formats::Track* track, const formats::BoxState* state,
                const std::string& lock_reason);

  /// `box` with `field` set to `value` ([m], or [deg] for the angles) and the rest kept; an angle
  /// edit keeps the other two angles as yaw_pitch_roll() reads them.
  static geometry::Cuboid edited(const geometry::Cuboid& box, Field field, double value);

  QDoubleSpinBox* field(Field f) const { return fields_[static_cast<std::size_t>(f)]; }
  QCheckBox* free_tilt() const { return free_tilt_; }
  /// The frame the values are in, and why pitch and roll are locked.
  QLabel* note() const { return note_; }

 signals:
  void value_edited(int field, double value);
  void free_tilt_toggled(bool free_tilt);

 private:
  std::array<QDoubleSpinBox*, kFieldCount> fields_{};
  QCheckBox* free_tilt_ = nullptr;
  QLabel* note_ = nullptr;
  bool updating_ = false;
};

}  // namespace pcanno::viewer::workstation
