#include "pcanno/viewer/workstation/camera_panel.hpp"

#include <algorithm>

#include <QComboBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QScreen>
#include <QVBoxLayout>

#include "pcanno/viewer/workstation/camera_view.hpp"

namespace pcanno::viewer::workstation {

CameraPanel::CameraPanel(QWidget* parent)
    : QWidget(parent), chooser_(new QComboBox(this)), strip_(new QWidget(this)) {
  setObjectName("camera_panel");
  chooser_->setObjectName("camera_chooser");
  chooser_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  chooser_->setFocusPolicy(Qt::NoFocus);  // arrow keys keep stepping frames
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  auto* bar = new QHBoxLayout;
  bar->addWidget(chooser_);
  bar->addStretch(1);
  layout->addLayout(bar);
  auto* row = new QHBoxLayout(strip_);
  row->setContentsMargins(0, 0, 0, 0);
  row->setSpacing(2);
  layout->addWidget(strip_, 1);
  connect(chooser_, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this](int i) {
    const std::size_t k = static_cast<std::size_t>(std::max(0, i));
    show_camera(i <= 0 || k > channels_.size() ? std::string() : channels_[k - 1]);
  });
}

CameraPanel::~CameraPanel() = default;

CameraView* CameraPanel::make_view(const QString& channel, QWidget* parent) {
  auto* v = new CameraView(channel, parent);
  connect(v, &CameraView::shape_clicked, this, &CameraPanel::shape_clicked);
  connect(v, &CameraView::double_clicked, this,
          [this](const QString& c) { open_full(c.toStdString()); });
  return v;
}

void CameraPanel::set_cameras(const std::vector<std::string>& channels) {
  if (channels == channels_) return;
  for (CameraView* v : views_) delete v;
  views_.clear();
  full_.reset();
  channels_ = channels;
  frame_cameras_.assign(channels_.size(), formats::CameraImage{});
  const QSignalBlocker block(chooser_);
  chooser_->clear();
  chooser_->addItem("All cameras");
  for (const std::string& c : channels_) {
    chooser_->addItem(QString::fromStdString(c));
    views_.push_back(make_view(QString::fromStdString(c), strip_));
    strip_->layout()->addWidget(views_.back());
  }
  show_camera({});
}

void CameraPanel::show_camera(const std::string& channel) {
  const auto it = std::find(channels_.begin(), channels_.end(), channel);
  const bool one = it != channels_.end();
  for (std::size_t i = 0; i < views_.size(); ++i) {
    views_[i]->setVisible(!one || channels_[i] == channel);
  }
  const int index = one ? static_cast<int>(it - channels_.begin()) + 1 : 0;
  if (chooser_->currentIndex() != index) {
    const QSignalBlocker block(chooser_);
    chooser_->setCurrentIndex(index);
  }
}

std::string CameraPanel::shown_camera() const {
  const int i = chooser_->currentIndex();
  return i <= 0 ? std::string() : channels_[static_cast<std::size_t>(i - 1)];
}

CameraView* CameraPanel::view(const std::string& channel) const {
  for (std::size_t i = 0; i < channels_.size(); ++i) {
    if (channels_[i] == channel) return views_[i];
  }
  return nullptr;
}

std::vector<CameraView*> CameraPanel::visible_views() const {
  std::vector<CameraView*> shown;
  for (CameraView* v : views_) {
    if (!v->isHidden()) shown.push_back(v);
  }
  return shown;
}

void CameraPanel::show_frame(const formats::Annotations& doc, const formats::Sequence* sequence,
                             std::int64_t frame, const formats::FrameCache::LoadedFramePtr& loaded,
                             const OverlayOptions& options, const SceneStyle& style) {
  const formats::FrameRef* ref =
      sequence && frame >= 0 && static_cast<std::size_t>(frame) < sequence->size()
          ? &sequence->frames[static_cast<std::size_t>(frame)]
          : nullptr;
  const formats::PointCloud* cloud = loaded ? &loaded->cloud : nullptr;
  for (std::size_t c = 0; c < channels_.size(); ++c) {
    CameraView* v = views_[c];
    frame_cameras_[c] = formats::CameraImage{};
    // LoadedFrame::images is parallel to FrameRef::images, which leaves out missing cameras.
    std::size_t k = 0;
    while (ref && k < ref->images.size() && ref->images[k].channel != channels_[c]) ++k;
    if (!ref || k == ref->images.size()) {
      v->show_image(nullptr, QString::fromStdString(channels_[c] + ": no image for this frame"));
      v->set_overlay({}, options.boxes_2d);
      continue;
    }
    const formats::CameraImage& camera = ref->images[k];
    frame_cameras_[c] = camera;
    std::shared_ptr<const formats::Image> image;
    QString error;
    if (!loaded) {
      error = QString::fromStdString(channels_[c] + ": the frame could not be loaded");
    } else if (k < loaded->images.size() && loaded->images[k]) {
      image = loaded->images[k];
    } else if (k < loaded->image_errors.size() && !loaded->image_errors[k].empty()) {
      error = QString::fromStdString(loaded->image_errors[k]);
    } else {
      error = QString::fromStdString(camera.path.string() + ": not decoded");
    }
    v->show_image(std::move(image), error);
    v->set_overlay(compose_overlay(doc, sequence, frame, camera, cloud, options, style),
                   options.boxes_2d);
  }
  sync_full();
}

void CameraPanel::set_preview(const std::vector<geometry::Cuboid>& boxes_in_lidar, Rgb color) {
  for (std::size_t c = 0; c < channels_.size(); ++c) {
    std::vector<geometry::PixelSegment> segments;
    const formats::CameraImage& camera = frame_cameras_[c];
    for (const geometry::Cuboid& box : boxes_in_lidar) {
      if (camera.channel.empty()) break;
      const geometry::ProjectedCuboid p =
          geometry::project_cuboid(camera.camera, camera.T_cam_lidar, box);
      for (const auto& edge : p.edges) {
        if (edge) segments.push_back(*edge);
      }
    }
    views_[c]->set_preview(std::move(segments), color);
  }
  sync_full();
}

void CameraPanel::open_full(const std::string& channel) {
  CameraView* source = view(channel);
  if (!source) return;
  full_ = std::make_unique<CameraView>(QString::fromStdString(channel));
  full_->setWindowFlag(Qt::Window);
  full_->setWindowTitle(QString::fromStdString("pcanno camera " + channel));
  full_->setAttribute(Qt::WA_QuitOnClose, false);
  connect(full_.get(), &CameraView::shape_clicked, this, &CameraPanel::shape_clicked);
  sync_full();
  // The image's own size, as far as the screen allows (aspect kept by the view).
  QSize size(source->overlay().width, source->overlay().height);
  if (source->image()) size = QSize(source->image()->width, source->image()->height);
  if (size.isEmpty()) size = QSize(1280, 720);
  const QRect screen = QGuiApplication::primaryScreen()->availableGeometry();
  size = size.boundedTo(screen.size() * 0.95);
  full_->resize(size);
  full_->show();
  full_->activateWindow();
  full_->setFocus();
}

CameraView* CameraPanel::full_view() const {
  return full_ && full_->isVisible() ? full_.get() : nullptr;
}

void CameraPanel::sync_full() {
  if (!full_) return;
  const CameraView* source = view(full_->channel().toStdString());
  if (!source) return;
  full_->show_image(source->image(), source->error());
  full_->set_overlay(source->overlay(), source->shows_boxes_2d());
  full_->set_preview(source->preview(), source->preview_color());
}

}  // namespace pcanno::viewer::workstation
