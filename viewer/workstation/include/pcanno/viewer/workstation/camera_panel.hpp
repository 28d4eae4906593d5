#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <QWidget>

#include "pcanno/formats/datasets/frame_cache.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/viewer/camera_overlay.hpp"
#include "pcanno/viewer/scene_style.hpp"

class QComboBox;

namespace pcanno::viewer::workstation {

class CameraView;

/// The workstation's cameras: a strip of every camera of the sequence (in Sequence::cameras
/// order: nuScenes' ring FRONT_LEFT, FRONT, FRONT_RIGHT, BACK_RIGHT, BACK, BACK_LEFT) or, chosen
/// in its combo box, one camera filling the panel. Each CameraView shows the current frame's image
/// with the document's shapes projected (viewer::compose_overlay()). A click on a projected shape
/// is reported (shape_clicked) for the host to select; a double click opens that camera in a
/// window of its own at full size (Escape closes it), which follows the frame as the strip does.
class CameraPanel : public QWidget {
  Q_OBJECT

 public:
  explicit CameraPanel(QWidget* parent = nullptr);
  ~CameraPanel() override;

  /// One view per channel (Sequence::cameras), in that order; the chooser lists them after "All
  /// cameras". Keeps the current views when the channels are the same.
  void set_cameras(const std::vector<std::string>& channels);
  const std::vector<std::string>& cameras() const { return channels_; }

  /// Frame `frame` of `sequence` (the frame's CameraImage list): each camera's image from
  /// `loaded` (null, or an image that failed: its error text is shown) with `doc`'s shapes at that
  /// frame projected under `options` and `style`; `loaded`'s cloud gives the overlay's points.
  void show_frame(const formats::Annotations& doc, const formats::Sequence* sequence,
                  std::int64_t frame, const formats::FrameCache::LoadedFramePtr& loaded,
                  const OverlayOptions& options, const SceneStyle& style);
  /// Boxes being edited in the 3D views (the tool preview) [the frame's LiDAR frame], drawn in
  /// `color` over every camera that sees them; empty: none.
  void set_preview(const std::vector<geometry::Cuboid>& boxes_in_lidar, Rgb color);

  /// Shows one camera (`channel`), or the strip of all of them (empty).
  void show_camera(const std::string& channel);
  /// The camera shown alone, or "" for the strip.
  std::string shown_camera() const;
  /// The view of `channel` in the panel, or nullptr.
  CameraView* view(const std::string& channel) const;
  /// The views the panel shows now, left to right.
  std::vector<CameraView*> visible_views() const;
  QComboBox* chooser() const { return chooser_; }

  /// Opens `channel` in its own window at (up to screen) full size; it follows the frame.
  void open_full(const std::string& channel);
  /// The full-size window's view while it is open, else nullptr.
  CameraView* full_view() const;

 signals:
  /// A click on a projected shape: OverlayShape::Kind as int, and its track or polyline id.
  void shape_clicked(int kind, qint64 id);

 private:
  void sync_full();
  CameraView* make_view(const QString& channel, QWidget* parent);

  QComboBox* chooser_;
  QWidget* strip_;
  std::vector<std::string> channels_;
  std::vector<CameraView*> views_;                   ///< parallel to channels_
  std::vector<formats::CameraImage> frame_cameras_;  ///< parallel to channels_; empty channel: none
  std::unique_ptr<CameraView> full_;                 ///< the full-size window, once opened
};

}  // namespace pcanno::viewer::workstation
