#include "pcanno/viewer/workstation/scene_data.hpp"

#include <algorithm>
#include <array>

#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkFloatArray.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkUnsignedCharArray.h>

#include "pcanno/plugin/session.hpp"

namespace pcanno::viewer::workstation {
namespace {

using Rgb = std::array<unsigned char, 3>;

/// Height [m, LiDAR-ish: ground near -1.7] to a blue-green-yellow-red ramp, so that the ground,
/// car bodies and tall objects read apart at a glance.
Rgb height_colour(float z) {
  const float t = std::clamp((z + 2.2f) / 4.0f, 0.0f, 1.0f);
  const float r = std::clamp(2.0f * t - 0.6f, 0.0f, 1.0f);
  const float g = std::clamp(1.6f - std::abs(2.4f * t - 1.2f), 0.15f, 1.0f);
  const float b = std::clamp(1.0f - 1.6f * t, 0.0f, 1.0f);
  return {static_cast<unsigned char>(r * 255), static_cast<unsigned char>(g * 255),
          static_cast<unsigned char>(b * 255)};
}

vtkSmartPointer<vtkUnsignedCharArray> colour_array(const char* name) {
  auto colours = vtkSmartPointer<vtkUnsignedCharArray>::New();
  colours->SetName(name);
  colours->SetNumberOfComponents(3);
  return colours;
}

/// Appends the 12 edges of `box` and its heading line (centre to the front face) as line cells.
void add_box_lines(const geometry::Cuboid& box, const Rgb& colour, vtkPoints* points,
                   vtkCellArray* lines, vtkUnsignedCharArray* colours) {
  const std::array<Eigen::Vector3d, 8> c = box.corners();
  const vtkIdType base = points->GetNumberOfPoints();
  for (const Eigen::Vector3d& p : c) points->InsertNextPoint(p.x(), p.y(), p.z());
  static constexpr std::array<std::array<int, 2>, 12> kEdges{{{0, 1},
                                                              {1, 2},
                                                              {2, 3},
                                                              {3, 0},
                                                              {4, 5},
                                                              {5, 6},
                                                              {6, 7},
                                                              {7, 4},
                                                              {0, 4},
                                                              {1, 5},
                                                              {2, 6},
                                                              {3, 7}}};
  for (const auto& e : kEdges) {
    const vtkIdType ids[2] = {base + e[0], base + e[1]};
    lines->InsertNextCell(2, ids);
    colours->InsertNextTypedTuple(colour.data());
  }
  const Eigen::Vector3d front =
      box.center + box.rotation * Eigen::Vector3d(0.5 * box.size.x(), 0.0, 0.0);
  const vtkIdType a = points->InsertNextPoint(box.center.x(), box.center.y(), box.center.z());
  const vtkIdType b = points->InsertNextPoint(front.x(), front.y(), front.z());
  const vtkIdType ids[2] = {a, b};
  lines->InsertNextCell(2, ids);
  colours->InsertNextTypedTuple(colour.data());
}

}  // namespace

SceneData::SceneData()
    : points_(vtkSmartPointer<vtkPolyData>::New()),
      boxes_(vtkSmartPointer<vtkPolyData>::New()),
      preview_(vtkSmartPointer<vtkPolyData>::New()),
      handles_(vtkSmartPointer<vtkPolyData>::New()) {}

void SceneData::set_points(const formats::PointCloud* cloud,
                           const std::optional<geometry::Pose>& T_world_lidar) {
  const std::size_t n = cloud ? cloud->size() : 0;
  auto xyz = vtkSmartPointer<vtkFloatArray>::New();
  xyz->SetNumberOfComponents(3);
  xyz->SetNumberOfTuples(static_cast<vtkIdType>(n));
  float* out = xyz->GetPointer(0);
  auto colours = colour_array("colour");
  colours->SetNumberOfTuples(static_cast<vtkIdType>(n));
  unsigned char* rgb = colours->GetPointer(0);
  const Eigen::Isometry3f T =
      T_world_lidar ? T_world_lidar->cast<float>() : Eigen::Isometry3f::Identity();
  for (std::size_t i = 0; i < n; ++i) {
    const Eigen::Vector3f lidar(cloud->x[i], cloud->y[i], cloud->z[i]);
    const Eigen::Vector3f world = T_world_lidar ? Eigen::Vector3f(T * lidar) : lidar;
    out[3 * i] = world.x();
    out[3 * i + 1] = world.y();
    out[3 * i + 2] = world.z();
    const Rgb c = height_colour(lidar.z());  // sensor height: the ramp stays put while driving
    std::copy(c.begin(), c.end(), rgb + 3 * i);
  }
  auto points = vtkSmartPointer<vtkPoints>::New();
  points->SetData(xyz);
  // One poly-vertex cell: no per-point cell overhead.
  auto verts = vtkSmartPointer<vtkCellArray>::New();
  if (n > 0) {
    verts->InsertNextCell(static_cast<vtkIdType>(n));
    for (std::size_t i = 0; i < n; ++i) verts->InsertCellPoint(static_cast<vtkIdType>(i));
  }
  points_->Initialize();
  points_->SetPoints(points);
  points_->SetVerts(verts);
  points_->GetPointData()->SetScalars(colours);
  points_->Modified();
  point_count_ = n;
}

void SceneData::set_boxes(const plugin::Session& session) {
  auto points = vtkSmartPointer<vtkPoints>::New();
  auto lines = vtkSmartPointer<vtkCellArray>::New();
  auto colours = colour_array("colour");
  const std::optional<std::int64_t> selected = session.selection().track;
  for (const plugin::BoxAtFrame& b : session.boxes_at(session.frame())) {
    const auto box = session.box_in_world(b.track->id, session.frame());
    if (!box) continue;
    Rgb colour{200, 200, 200};
    if (const formats::ClassSpec* spec = session.document().class_spec(b.track->label)) {
      colour = {spec->color[0], spec->color[1], spec->color[2]};
    }
    if (selected && *selected == b.track->id) colour = {255, 255, 0};
    add_box_lines(*box, colour, points, lines, colours);
  }
  boxes_->Initialize();
  boxes_->SetPoints(points);
  boxes_->SetLines(lines);
  boxes_->GetCellData()->SetScalars(colours);
  boxes_->Modified();
}

void SceneData::set_preview(const plugin::ToolPreview& preview) {
  auto points = vtkSmartPointer<vtkPoints>::New();
  auto lines = vtkSmartPointer<vtkCellArray>::New();
  auto colours = colour_array("colour");
  for (const geometry::Cuboid& box : preview.boxes) {
    add_box_lines(box, {255, 255, 255}, points, lines, colours);
  }
  for (const geometry::Polyline& line : preview.lines) {
    const auto& v = line.vertices;
    for (std::size_t i = 0; i + 1 < v.size(); ++i) {
      const vtkIdType a = points->InsertNextPoint(v[i].x(), v[i].y(), v[i].z());
      const vtkIdType b = points->InsertNextPoint(v[i + 1].x(), v[i + 1].y(), v[i + 1].z());
      const vtkIdType ids[2] = {a, b};
      lines->InsertNextCell(2, ids);
      colours->InsertNextTypedTuple(Rgb{255, 255, 255}.data());
    }
  }
  preview_->Initialize();
  preview_->SetPoints(points);
  preview_->SetLines(lines);
  preview_->GetCellData()->SetScalars(colours);
  preview_->Modified();

  auto handle_points = vtkSmartPointer<vtkPoints>::New();
  auto verts = vtkSmartPointer<vtkCellArray>::New();
  auto handle_colours = colour_array("colour");
  for (std::size_t i = 0; i < preview.handles.size(); ++i) {
    const Eigen::Vector3d& h = preview.handles[i];
    const vtkIdType id = handle_points->InsertNextPoint(h.x(), h.y(), h.z());
    verts->InsertNextCell(1, &id);
    const bool hot = preview.hot_handle && *preview.hot_handle == i;
    handle_colours->InsertNextTypedTuple(hot ? Rgb{255, 80, 80}.data() : Rgb{80, 200, 255}.data());
  }
  handles_->Initialize();
  handles_->SetPoints(handle_points);
  handles_->SetVerts(verts);
  handles_->GetCellData()->SetScalars(handle_colours);
  handles_->Modified();
}

}  // namespace pcanno::viewer::workstation
