#include "pcanno/viewer/workstation/box_panel.hpp"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "pcanno/geometry/angles.hpp"
#include "pcanno/geometry/yaw_pitch_roll.hpp"

namespace pcanno::viewer::workstation {
namespace {

constexpr double kDegPerRad = 180.0 / geometry::kPi;

struct FieldSpec {
  const char* name;  ///< object name, for tests and style sheets
  const char* label;
  double min, max;
  const char* suffix;
  double step;
  bool wraps;
};

// Centres span UTM coordinates; millimetres and thousandths of a degree are finer than anyone
// places a box.
constexpr FieldSpec kSpecs[BoxPanel::kFieldCount] = {
    {"box_x", "x", -1e8, 1e8, " m", 0.1, false},
    {"box_y", "y", -1e8, 1e8, " m", 0.1, false},
    {"box_z", "z", -1e5, 1e5, " m", 0.1, false},
    {"box_length", "length", 0.01, 1e3, " m", 0.1, false},
    {"box_width", "width", 0.01, 1e3, " m", 0.1, false},
    {"box_height", "height", 0.01, 1e3, " m", 0.1, false},
    {"box_yaw", "yaw", -180.0, 180.0, " deg", 1.0, true},
    {"box_pitch", "pitch", -90.0, 90.0, " deg", 1.0, false},
    {"box_roll", "roll", -180.0, 180.0, " deg", 1.0, true},
};

}  // namespace

BoxPanel::BoxPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  auto* grid = new QGridLayout;
  for (int i = 0; i < kFieldCount; ++i) {
    const FieldSpec& spec = kSpecs[i];
    auto* box = new QDoubleSpinBox(this);
    box->setObjectName(spec.name);
    box->setDecimals(3);
    box->setRange(spec.min, spec.max);
    box->setSuffix(spec.suffix);
    box->setSingleStep(spec.step);
    box->setWrapping(spec.wraps);
    // One edit per value typed (on Return or leaving the field) or per step, not per keystroke.
    box->setKeyboardTracking(false);
    connect(box, QOverload<double>::of(&QDoubleSpinBox::valueChanged), this, [this, i](double v) {
      if (!updating_) emit value_edited(i, v);
    });
    fields_[static_cast<std::size_t>(i)] = box;
    // Three rows (centre, size, angles) of three.
    grid->addWidget(new QLabel(spec.label, this), 2 * (i / 3), i % 3);
    grid->addWidget(box, 2 * (i / 3) + 1, i % 3);
  }
  layout->addLayout(grid);
  free_tilt_ = new QCheckBox("free tilt (pitch and roll of this track)", this);
  free_tilt_->setObjectName("free_tilt");
  connect(free_tilt_, &QCheckBox::toggled, this, [this](bool on) {
    if (!updating_) emit free_tilt_toggled(on);
  });
  layout->addWidget(free_tilt_);
  note_ = new QLabel(this);
  note_->setObjectName("box_note");
  note_->setWordWrap(true);
  layout->addWidget(note_);
  layout->addStretch(1);
  show_box(nullptr, nullptr, "");
}

void BoxPanel::show_box(const formats::Track* track, const formats::BoxState* state,
                        const std::string& lock_reason) {
  updating_ = true;
  free_tilt_->setEnabled(track != nullptr);
  free_tilt_->setChecked(track != nullptr && track->free_tilt);
  for (QDoubleSpinBox* f : fields_) f->setEnabled(state != nullptr);
  if (state != nullptr) {
    const geometry::Cuboid& b = state->box;
    const geometry::YawPitchRoll a = geometry::yaw_pitch_roll(b.rotation);
    const double values[kFieldCount] = {
        b.center.x(), b.center.y(),       b.center.z(),         b.size.x(),         b.size.y(),
        b.size.z(),   a.yaw * kDegPerRad, a.pitch * kDegPerRad, a.roll * kDegPerRad};
    for (int i = 0; i < kFieldCount; ++i) fields_[static_cast<std::size_t>(i)]->setValue(values[i]);
    // A locked box that carries tilt shows it, read-only.
    fields_[kPitch]->setEnabled(lock_reason.empty());
    fields_[kRoll]->setEnabled(lock_reason.empty());
  } else {
    for (QDoubleSpinBox* f : fields_) f->clear();
  }
  QString note;
  if (state != nullptr) {
    note = QString("in the %1 frame").arg(QString::fromUtf8(to_string(state->shape_frame)));
  } else if (track != nullptr) {
    note = "no box at this frame";
  }
  if (track != nullptr && !lock_reason.empty()) {
    note += (note.isEmpty() ? "" : "; ") + QString::fromStdString(lock_reason);
  }
  note_->setText(note);
  updating_ = false;
}

geometry::Cuboid BoxPanel::edited(const geometry::Cuboid& box, Field field, double value) {
  geometry::Cuboid out = box;
  if (field <= kCenterZ) {
    out.center[field - kCenterX] = value;
  } else if (field <= kHeight) {
    out.size[field - kLength] = value;
  } else {
    geometry::YawPitchRoll a = geometry::yaw_pitch_roll(box.rotation);
    double& angle = field == kYaw ? a.yaw : field == kPitch ? a.pitch : a.roll;
    angle = value / kDegPerRad;
    out.rotation = geometry::quaternion_from_yaw_pitch_roll(a);
  }
  return out;
}

}  // namespace pcanno::viewer::workstation
