#include "pcanno/viewer/scene_renderer.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <vtkActor.h>
#include <vtkActor2D.h>
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkFloatArray.h>
#include <vtkLabeledDataMapper.h>
#include <vtkLookupTable.h>
#include <vtkMatrix4x4.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSOADataArrayTemplate.h>
#include <vtkSmartPointer.h>
#include <vtkStringArray.h>
#include <vtkTextProperty.h>
#include <vtkTypeInt64Array.h>
#include <vtkUnsignedCharArray.h>

#include "line_batch.hpp"
#include "pcanno/geometry/points_in_cuboid.hpp"
#include "pcanno/plugin/display/point_display.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/viewer/box_look.hpp"

namespace pcanno::viewer {
namespace {

using detail::AreaBatch;
using detail::line_actor;
using detail::LineBatch;
using detail::PointBatch;
using detail::polydata_of;
using detail::Ptr;

Ptr<vtkMatrix4x4> to_vtk(const geometry::Pose& pose) {
  auto m = Ptr<vtkMatrix4x4>::New();
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c) m->SetElement(r, c, pose.matrix()(r, c));
  }
  return m;
}

// The 95th percentile of a strided sample: a colour range that one saturated return cannot squash.
double robust_max(const std::vector<float>& values) {
  if (values.empty()) return 1.0;
  const std::size_t stride = std::max<std::size_t>(1, values.size() / 4096);
  std::vector<float> sample;
  for (std::size_t i = 0; i < values.size(); i += stride) {
    if (std::isfinite(values[i])) sample.push_back(values[i]);
  }
  if (sample.empty()) return 1.0;
  auto q = sample.begin() + static_cast<std::ptrdiff_t>(sample.size() * 95 / 100);
  std::nth_element(sample.begin(), q, sample.end());
  return *q > 0.0f ? *q : 1.0;
}

// VTK's arrays take non-const pointers; with save = 1 they never write or free them.
float* borrow(const std::vector<float>& v) { return const_cast<float*>(v.data()); }

}  // namespace

struct SceneRenderer::Vtk {
  vtkRenderer* renderer = nullptr;
  // Annotations draw here: the host's renderer, or an overlay layer above it sharing its camera.
  vtkRenderer* annotations = nullptr;
  Ptr<vtkRenderer> overlay;

  // Points: x, y, z wrapped in place, shared by the full and the level-of-detail polydata.
  Ptr<vtkSOADataArrayTemplate<float>> xyz = Ptr<vtkSOADataArrayTemplate<float>>::New();
  Ptr<vtkPoints> points = Ptr<vtkPoints>::New();
  std::vector<vtkTypeInt64> iota;  // 0, 1, 2, ...: offsets and connectivity of one-point cells
  Ptr<vtkTypeInt64Array> offsets = Ptr<vtkTypeInt64Array>::New();
  Ptr<vtkTypeInt64Array> connectivity = Ptr<vtkTypeInt64Array>::New();
  Ptr<vtkCellArray> verts = Ptr<vtkCellArray>::New();
  Ptr<vtkPolyData> cloud = Ptr<vtkPolyData>::New();
  Ptr<vtkPolyDataMapper> cloud_mapper = Ptr<vtkPolyDataMapper>::New();
  Ptr<vtkActor> cloud_actor = Ptr<vtkActor>::New();

  std::vector<vtkTypeInt64> lod_ids;  // every k-th point
  Ptr<vtkTypeInt64Array> lod_offsets = Ptr<vtkTypeInt64Array>::New();
  Ptr<vtkTypeInt64Array> lod_connectivity = Ptr<vtkTypeInt64Array>::New();
  Ptr<vtkCellArray> lod_verts = Ptr<vtkCellArray>::New();
  Ptr<vtkPolyData> lod_cloud = Ptr<vtkPolyData>::New();
  Ptr<vtkPolyDataMapper> lod_mapper = Ptr<vtkPolyDataMapper>::New();
  Ptr<vtkActor> lod_actor = Ptr<vtkActor>::New();

  // Colour sources: the cloud's own columns (wrapped) or per-frame buffers.
  Ptr<vtkFloatArray> intensity = Ptr<vtkFloatArray>::New();
  Ptr<vtkFloatArray> height = Ptr<vtkFloatArray>::New();
  Ptr<vtkFloatArray> distance = Ptr<vtkFloatArray>::New();
  Ptr<vtkFloatArray> time = Ptr<vtkFloatArray>::New();  // frame offsets: wrapped, or zeros
  Ptr<vtkUnsignedCharArray> class_rgb = Ptr<vtkUnsignedCharArray>::New();
  Ptr<vtkLookupTable> grey = Ptr<vtkLookupTable>::New();
  Ptr<vtkLookupTable> ramp = Ptr<vtkLookupTable>::New();

  LineBatch boxes, polylines, selected_line, preview;
  Ptr<vtkPolyData> boxes_pd = polydata_of(boxes);
  Ptr<vtkPolyData> polylines_pd = polydata_of(polylines);
  Ptr<vtkPolyData> selected_line_pd = polydata_of(selected_line);
  Ptr<vtkPolyData> preview_pd = polydata_of(preview);
  Ptr<vtkCellArray> preview_verts = Ptr<vtkCellArray>::New();
  // Polyline marks: one actor per kind, whatever the number of polylines.
  PointBatch handles, selected_vertex;
  AreaBatch areas;
  Ptr<vtkActor> boxes_actor, polylines_actor, selected_line_actor, preview_actor;
  Ptr<vtkActor> handles_actor, selected_vertex_actor, areas_actor;

  Ptr<vtkPoints> label_points = Ptr<vtkPoints>::New();
  Ptr<vtkStringArray> label_text = Ptr<vtkStringArray>::New();
  Ptr<vtkPolyData> labels_pd = Ptr<vtkPolyData>::New();
  Ptr<vtkLabeledDataMapper> label_mapper = Ptr<vtkLabeledDataMapper>::New();
  Ptr<vtkActor2D> labels_actor = Ptr<vtkActor2D>::New();

  Vtk(vtkRenderer* r, bool on_top) : renderer(r), annotations(r) {
    if (vtkRenderWindow* window = r->GetRenderWindow(); on_top && window != nullptr) {
      overlay = Ptr<vtkRenderer>::New();
      overlay->SetLayer(r->GetLayer() + 1);
      overlay->SetActiveCamera(r->GetActiveCamera());
      overlay->SetViewport(r->GetViewport());
      overlay->InteractiveOff();
      overlay->SetPreserveColorBuffer(1);
      if (window->GetNumberOfLayers() < overlay->GetLayer() + 1) {
        window->SetNumberOfLayers(overlay->GetLayer() + 1);
      }
      window->AddRenderer(overlay);
      annotations = overlay;
    }
    xyz->SetNumberOfComponents(3);
    points->SetData(xyz);
    verts->SetData(offsets, connectivity);
    cloud->SetPoints(points);
    cloud->SetVerts(verts);
    cloud_mapper->SetInputData(cloud);
    cloud_actor->SetMapper(cloud_mapper);
    cloud_actor->GetProperty()->LightingOff();

    lod_verts->SetData(lod_offsets, lod_connectivity);
    lod_cloud->SetPoints(points);
    lod_cloud->SetVerts(lod_verts);
    lod_mapper->SetInputData(lod_cloud);
    lod_actor->SetMapper(lod_mapper);
    lod_actor->GetProperty()->LightingOff();
    lod_actor->VisibilityOff();

    for (vtkFloatArray* a : {intensity.Get(), height.Get(), distance.Get(), time.Get()}) {
      a->SetNumberOfComponents(1);
    }
    class_rgb->SetNumberOfComponents(3);
    grey->SetHueRange(0.0, 0.0);
    grey->SetSaturationRange(0.0, 0.0);
    grey->SetValueRange(0.3, 1.0);  // the weakest returns stay visible on black
    grey->Build();
    ramp->SetHueRange(0.667, 0.0);  // blue (low, near) -> red (high, far)
    ramp->Build();

    polylines_pd->SetLines(polylines.lines);
    preview_pd->SetVerts(preview_verts);
    boxes_actor = line_actor(boxes_pd, 2.0f);
    polylines_actor = line_actor(polylines_pd, 2.0f);
    selected_line_actor = line_actor(selected_line_pd, 4.0f);
    preview_actor = line_actor(preview_pd, 2.0f);
    handles_actor = line_actor(handles.pd, 1.0f);
    selected_vertex_actor = line_actor(selected_vertex.pd, 1.0f);
    areas_actor = line_actor(areas.pd, 1.0f);
    // The fill is drawn in the opaque pass, first, blended over what is below: the outlines and
    // handles drawn after it at the same depth stay in their exact colours, instead of being
    // tinted by a translucent pass that comes after every opaque actor.
    areas_actor->ForceOpaqueOn();
    areas_actor->VisibilityOff();

    label_points->SetDataTypeToDouble();  // anchors at UTM coordinates keep their millimetres
    label_text->SetName("labels");
    labels_pd->SetPoints(label_points);
    labels_pd->GetPointData()->AddArray(label_text);
    label_mapper->SetInputData(labels_pd);
    label_mapper->SetLabelModeToLabelFieldData();
    label_mapper->SetFieldDataName("labels");
    labels_actor->SetMapper(label_mapper);

    renderer->AddActor(cloud_actor);
    renderer->AddActor(lod_actor);
    // In drawing order: later actors win where marks meet at the same depth.
    for (vtkActor* a : annotation_actors()) annotations->AddActor(a);
    annotations->AddActor2D(labels_actor);
  }

  std::array<vtkActor*, 7> annotation_actors() const {
    return {areas_actor.Get(),   boxes_actor.Get(),         polylines_actor.Get(),
            handles_actor.Get(), selected_line_actor.Get(), selected_vertex_actor.Get(),
            preview_actor.Get()};
  }

  ~Vtk() {
    renderer->RemoveActor(cloud_actor);
    renderer->RemoveActor(lod_actor);
    for (vtkActor* a : annotation_actors()) annotations->RemoveActor(a);
    annotations->RemoveActor2D(labels_actor);
    if (overlay) {
      if (vtkRenderWindow* window = overlay->GetRenderWindow()) window->RemoveRenderer(overlay);
    }
  }

  void use_scalars(vtkDataArray* scalars, bool direct) {
    for (vtkPolyData* pd : {cloud.Get(), lod_cloud.Get()}) {
      pd->GetPointData()->SetScalars(scalars);
      pd->Modified();
    }
    for (vtkPolyDataMapper* m : {cloud_mapper.Get(), lod_mapper.Get()}) {
      m->SetScalarVisibility(scalars != nullptr);
      m->SetScalarModeToUsePointData();
      if (direct) {
        m->SetColorModeToDirectScalars();
      } else {
        m->SetColorModeToMapScalars();
      }
    }
  }

  void use_lut(vtkLookupTable* lut, double lo, double hi) {
    for (vtkPolyDataMapper* m : {cloud_mapper.Get(), lod_mapper.Get()}) {
      m->SetLookupTable(lut);
      m->SetScalarRange(lo, hi);
      m->UseLookupTableScalarRangeOff();
    }
  }
};

SceneRenderer::SceneRenderer(vtkRenderer* renderer, SceneStyle style)
    : style_(std::move(style)), vtk_(std::make_unique<Vtk>(renderer, style_.annotations_on_top)) {
  set_style(style_);
}

SceneRenderer::~SceneRenderer() = default;

void SceneRenderer::set_style(const SceneStyle& style) {
  style_ = style;
  auto_intensity_max_ = 0.0;
  for (vtkActor* a : {vtk_->cloud_actor.Get(), vtk_->lod_actor.Get()}) {
    a->GetProperty()->SetPointSize(style_.point_size);
  }
  for (vtkActor* a :
       {vtk_->boxes_actor.Get(), vtk_->polylines_actor.Get(), vtk_->preview_actor.Get()}) {
    a->GetProperty()->SetLineWidth(style_.line_width);
  }
  vtk_->selected_line_actor->GetProperty()->SetLineWidth(style_.selected_line_width);
  vtk_->handles_actor->GetProperty()->SetPointSize(style_.handle_size);
  vtk_->selected_vertex_actor->GetProperty()->SetPointSize(style_.selected_vertex_size);
  vtk_->areas_actor->GetProperty()->SetOpacity(std::clamp(style_.area_opacity, 0.0, 1.0));
  vtkTextProperty* text = vtk_->label_mapper->GetLabelTextProperty();
  text->SetFontSize(style_.label_font_size);
  text->SetColor(style_.label_color[0] / 255.0, style_.label_color[1] / 255.0,
                 style_.label_color[2] / 255.0);
  // A dark backing keeps the id legible over bright points and over the box's own edges; the
  // frame in the same colour pads it, so that a thin digit such as 1 still gets a visible patch.
  const double backing[3] = {style_.label_backing[0] / 255.0, style_.label_backing[1] / 255.0,
                             style_.label_backing[2] / 255.0};
  text->SetBackgroundColor(backing);
  text->SetBackgroundOpacity(style_.label_backing_opacity);
  text->SetFrame(style_.label_backing_opacity > 0.0);
  text->SetFrameColor(backing);
  text->SetFrameWidth(2);
  text->SetJustificationToCentered();
  text->SetVerticalJustificationToBottom();
  text->BoldOn();
  text->ShadowOff();
  vtk_->labels_actor->SetVisibility(style_.show_labels);
  refresh();
}

void SceneRenderer::set_cloud(std::shared_ptr<const formats::PointCloud> cloud,
                              const geometry::Pose& T_world_lidar) {
  cloud_ = std::move(cloud);
  T_world_lidar_ = T_world_lidar;
  Vtk& v = *vtk_;
  const std::size_t n = cloud_ ? cloud_->size() : 0;
  const auto count = static_cast<vtkIdType>(n);
  // An empty cloud points at a static placeholder: resizing borrowed buffers would make VTK
  // allocate (and own) copies.
  static float placeholder[1] = {0.0f};
  v.xyz->SetArray(0, n ? borrow(cloud_->x) : placeholder, count, /*updateMaxId=*/true,
                  /*save=*/true);
  v.xyz->SetArray(1, n ? borrow(cloud_->y) : placeholder, count, true, true);
  v.xyz->SetArray(2, n ? borrow(cloud_->z) : placeholder, count, true, true);
  v.xyz->Modified();
  v.points->Modified();

  // One shared 0..n buffer serves as offsets (n + 1 values) and connectivity (n values). It only
  // grows, so a sequence of similar frames allocates it once.
  if (v.iota.size() < n + 1) {
    const std::size_t old = v.iota.size();
    v.iota.resize(n + 1 + n / 8);
    for (std::size_t i = old; i < v.iota.size(); ++i) v.iota[i] = static_cast<vtkTypeInt64>(i);
  }
  v.offsets->SetArray(v.iota.data(), count + 1, 1);
  v.connectivity->SetArray(v.iota.data(), count, 1);
  v.verts->SetData(v.offsets, v.connectivity);

  // Level of detail: every k-th point, only for clouds big enough to need it.
  v.lod_ids.clear();
  if (n > style_.lod_threshold && style_.lod_points > 0) {
    const std::size_t k = (n + style_.lod_points - 1) / style_.lod_points;
    v.lod_ids.reserve(n / k + 1);
    for (std::size_t i = 0; i < n; i += k) v.lod_ids.push_back(static_cast<vtkTypeInt64>(i));
    const auto m = static_cast<vtkIdType>(v.lod_ids.size());
    v.lod_offsets->SetArray(v.iota.data(), m + 1, 1);
    v.lod_connectivity->SetArray(v.lod_ids.data(), m, 1);
    v.lod_verts->SetData(v.lod_offsets, v.lod_connectivity);
  } else {
    // No level of detail: no cells, and no pointer into an index buffer that may move.
    v.lod_offsets->SetArray(v.iota.data(), 1, 1);
    v.lod_connectivity->SetArray(v.iota.data(), 0, 1);
    v.lod_verts->SetData(v.lod_offsets, v.lod_connectivity);
  }
  // The floats are relative to the cloud's origin (georeferenced clouds); the actor matrix adds it
  // back in double, and VTK composes it with the camera in double before the GPU sees floats, so
  // a UTM cloud draws without float jitter.
  auto matrix = to_vtk(T_world_cloud());
  v.cloud_actor->SetUserMatrix(matrix);
  v.lod_actor->SetUserMatrix(matrix);
  update_point_colors();
  set_interacting(interacting_);
}

void SceneRenderer::update_point_colors() {
  Vtk& v = *vtk_;
  if (!cloud_ || cloud_->empty()) {
    v.use_scalars(nullptr, false);
    return;
  }
  const std::size_t n = cloud_->size();
  const auto count = static_cast<vtkIdType>(n);
  ColorBy mode = style_.color_by;
  const std::vector<float>* intensity = cloud_->attribute(formats::attribute_names::kIntensity);
  if (mode == ColorBy::kIntensity && intensity == nullptr) mode = ColorBy::kHeight;
  switch (mode) {
    case ColorBy::kIntensity:
      v.intensity->SetArray(borrow(*intensity), count, 1);
      v.intensity->Modified();
      // The automatic range is taken from the first frame and kept: a per-frame range would make
      // the brightness flicker while scrolling, and would cost a pass over every frame.
      if (style_.intensity_max <= 0.0 && auto_intensity_max_ <= 0.0) {
        auto_intensity_max_ = robust_max(*intensity);
      }
      v.use_lut(v.grey, 0.0,
                style_.intensity_max > 0.0 ? style_.intensity_max : auto_intensity_max_);
      v.use_scalars(v.intensity, false);
      return;
    case ColorBy::kHeight:
      if (cloud_->origin.z() == 0.0) {
        v.height->SetArray(borrow(cloud_->z), count, 1);
      } else {  // heights in the file's frame, whatever part of them the origin holds
        v.height->SetNumberOfTuples(count);
        float* h = v.height->GetPointer(0);
        for (std::size_t i = 0; i < n; ++i) {
          h[i] = static_cast<float>(cloud_->origin.z() + cloud_->z[i]);
        }
      }
      v.height->Modified();
      v.use_lut(v.ramp, style_.height_min, style_.height_max);
      v.use_scalars(v.height, false);
      return;
    case ColorBy::kDistance: {
      v.distance->SetNumberOfTuples(count);
      float* d = v.distance->GetPointer(0);
      const double ox = cloud_->origin.x(), oy = cloud_->origin.y();
      for (std::size_t i = 0; i < n; ++i) {
        d[i] = static_cast<float>(std::hypot(ox + cloud_->x[i], oy + cloud_->y[i]));
      }
      v.distance->Modified();
      v.use_lut(v.ramp, 0.0, style_.distance_max);
      v.use_scalars(v.distance, false);
      return;
    }
    case ColorBy::kClass: {
      // Boxes into the cloud's float frame, then one batched point-in-box pass.
      const geometry::Pose T_cloud_world = T_world_cloud().inverse();
      std::vector<geometry::Cuboid> boxes;
      std::vector<Rgb> colors;
      for (const SceneBox& b : boxes_) {
        boxes.push_back(geometry::transform(T_cloud_world, b.box_in_world));
        colors.push_back(class_color(style_, classes_, b.label));
      }
      const std::vector<std::int32_t> owner =
          boxes.empty() ? std::vector<std::int32_t>(n, -1)
                        : geometry::box_index_per_point(cloud_->view(), boxes);
      v.class_rgb->SetNumberOfTuples(count);
      std::uint8_t* rgb = v.class_rgb->GetPointer(0);
      for (std::size_t i = 0; i < n; ++i) {
        const Rgb& c = owner[i] < 0 ? style_.outside_class_color : colors[owner[i]];
        std::copy(c.begin(), c.end(), rgb + 3 * i);
      }
      v.class_rgb->Modified();
      v.use_scalars(v.class_rgb, true);
      return;
    }
    case ColorBy::kTime: {
      // Symmetric about the current frame, so that it keeps the ramp's middle colour.
      float reach = 1.0f;
      if (const std::vector<float>* offsets = cloud_->attribute(plugin::kFrameOffsetAttribute)) {
        for (float f : *offsets) reach = std::max(reach, std::abs(f));
        v.time->SetArray(borrow(*offsets), count, 1);
      } else {
        v.time->SetNumberOfTuples(count);
        std::fill_n(v.time->GetPointer(0), n, 0.0f);
      }
      v.time->Modified();
      v.use_lut(v.ramp, -reach, reach);
      v.use_scalars(v.time, false);
      return;
    }
    case ColorBy::kCamera: {
      const bool have = camera_colors_ && camera_colors_->size() == n;
      v.class_rgb->SetNumberOfTuples(count);
      std::uint8_t* rgb = v.class_rgb->GetPointer(0);
      for (std::size_t i = 0; i < n; ++i) {
        const Rgb& c = have ? (*camera_colors_)[i] : style_.no_camera_color;
        std::copy(c.begin(), c.end(), rgb + 3 * i);
      }
      v.class_rgb->Modified();
      v.use_scalars(v.class_rgb, true);
      return;
    }
  }
}

void SceneRenderer::set_camera_colors(std::shared_ptr<const std::vector<Rgb>> colors) {
  camera_colors_ = std::move(colors);
}

void SceneRenderer::set_boxes(std::vector<SceneBox> boxes, const formats::Annotations& doc) {
  boxes_ = std::move(boxes);
  classes_.classes = doc.classes;
  rebuild_boxes();
  if (style_.color_by == ColorBy::kClass) update_point_colors();
}

void SceneRenderer::rebuild_boxes() {
  Vtk& v = *vtk_;
  v.boxes.clear();
  v.label_points->Reset();
  v.label_text->Reset();
  for (const SceneBox& b : boxes_) {
    const BoxLook look = box_look(style_, classes_, b.label, b.state, b.selected);
    v.boxes.box(b.box_in_world, look, style_.dash_length);
    const Eigen::Vector3d anchor = label_anchor(b.box_in_world);
    v.label_points->InsertNextPoint(anchor.data());
    v.label_text->InsertNextValue(std::to_string(b.track_id));
  }
  v.boxes.points->Modified();
  v.boxes.lines->Modified();
  v.boxes.colors->Modified();
  v.boxes_pd->Modified();
  v.label_points->Modified();
  v.label_text->Modified();
  v.labels_pd->Modified();
}

void SceneRenderer::set_polylines(std::vector<ScenePolyline> polylines) {
  polylines_ = std::move(polylines);
  rebuild_polylines();
}

void SceneRenderer::set_fill_areas(bool fill) {
  fill_areas_ = fill;
  rebuild_polylines();
}

void SceneRenderer::rebuild_polylines() {
  Vtk& v = *vtk_;
  v.polylines.clear();
  v.selected_line.clear();
  v.handles.clear();
  v.selected_vertex.clear();
  v.areas.clear();
  for (const ScenePolyline& p : polylines_) {
    const std::vector<Eigen::Vector3d>& vertices = p.line_in_world.vertices;
    const Rgb color = p.selected ? style_.selection_color : p.color;
    (p.selected ? v.selected_line : v.polylines).polyline(vertices, p.line_in_world.closed, color);
    for (const Eigen::Vector3d& vertex : vertices) v.handles.point(vertex, color);
    if (p.selected && p.selected_vertex && *p.selected_vertex < vertices.size()) {
      v.selected_vertex.point(vertices[*p.selected_vertex], style_.selected_vertex_color);
    }
    if (fill_areas_ && p.closed_area) v.areas.polygon(vertices, p.color);
  }
  for (LineBatch* batch : {&v.polylines, &v.selected_line}) {
    batch->points->Modified();
    batch->lines->Modified();
    batch->colors->Modified();
  }
  v.polylines_pd->Modified();
  v.selected_line_pd->Modified();
  v.handles.modified();
  v.selected_vertex.modified();
  v.areas.modified();
  v.areas_actor->SetVisibility(fill_areas_ && style_.area_opacity > 0.0 &&
                               v.areas.polys->GetNumberOfCells() > 0);
}

void SceneRenderer::set_preview(const plugin::ToolPreview& preview) {
  Vtk& v = *vtk_;
  v.preview.clear();
  v.preview_verts->Reset();
  const BoxLook look{style_.preview_color, false};
  for (const geometry::Cuboid& b : preview.boxes) v.preview.box(b, look, style_.dash_length);
  for (const geometry::Polyline& l : preview.lines) {
    v.preview.polyline(l.vertices, l.closed, style_.preview_color);
  }
  for (const Eigen::Vector3d& h : preview.handles) {
    const vtkIdType id = v.preview.points->InsertNextPoint(h.data());
    v.preview_verts->InsertNextCell(1, &id);
    v.preview.colors->InsertNextTypedTuple(style_.preview_color.data());
  }
  // Cell colours run over verts first, then lines: rebuild in that order.
  v.preview.colors->Reset();
  for (vtkIdType i = 0;
       i < v.preview_verts->GetNumberOfCells() + v.preview.lines->GetNumberOfCells(); ++i) {
    v.preview.colors->InsertNextTypedTuple(style_.preview_color.data());
  }
  v.preview.points->Modified();
  v.preview_pd->Modified();
}

void SceneRenderer::update_from_session(const plugin::Session& session) {
  const std::int64_t frame = session.frame();
  const plugin::Selection& sel = session.selection();
  std::vector<SceneBox> boxes;
  for (const plugin::BoxAtFrame& b : session.boxes_at(frame)) {
    auto in_world = session.box_in_world(b.track->id, frame);
    if (!in_world) continue;
    SceneBox sb;
    sb.box_in_world = *in_world;
    sb.track_id = b.track->id;
    sb.label = b.track->label;
    sb.state = *b.state;
    sb.selected = sel.track && *sel.track == b.track->id;
    boxes.push_back(std::move(sb));
  }
  set_boxes(std::move(boxes), session.document());

  set_polylines(scene_polylines(session, style_));
}

void SceneRenderer::set_interacting(bool interacting) {
  interacting_ = interacting;
  const bool lod = lod_active();
  vtk_->lod_actor->SetVisibility(lod);
  vtk_->cloud_actor->SetVisibility(!lod);
}

vtkPolyData* SceneRenderer::cloud_polydata() const { return vtk_->cloud; }

geometry::Pose SceneRenderer::T_world_cloud() const {
  return cloud_ ? T_world_lidar_ * cloud_->T_lidar_cloud() : T_world_lidar_;
}

bool SceneRenderer::lod_active() const { return interacting_ && !vtk_->lod_ids.empty(); }

void SceneRenderer::reset_clipping_range() {
  double bounds[6];
  double all[6] = {1e300, -1e300, 1e300, -1e300, 1e300, -1e300};
  for (vtkRenderer* r : {vtk_->renderer, vtk_->annotations}) {
    r->ComputeVisiblePropBounds(bounds);
    if (bounds[0] > bounds[1]) continue;  // nothing visible
    for (int i = 0; i < 6; i += 2) {
      all[i] = std::min(all[i], bounds[i]);
      all[i + 1] = std::max(all[i + 1], bounds[i + 1]);
    }
  }
  if (all[0] <= all[1]) vtk_->renderer->ResetCameraClippingRange(all);
}

void SceneRenderer::refresh() {
  rebuild_boxes();
  rebuild_polylines();
  update_point_colors();
}

}  // namespace pcanno::viewer
