#pragma once
#include <algorithm>
#include <cmath>
#include <vector>

#include <vtkActor.h>
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkSmartPointer.h>
#include <vtkUnsignedCharArray.h>

#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/viewer/box_look.hpp"

// Internal to the viewer library (src/, not installed).

namespace pcanno::viewer::detail {

template <class T>
using Ptr = vtkSmartPointer<T>;

// Line geometry with one colour per cell, built on the CPU for a handful of boxes: cheap next to
// the points, and one polydata keeps it one draw call.
struct LineBatch {
  Ptr<vtkPoints> points = Ptr<vtkPoints>::New();
  Ptr<vtkCellArray> lines = Ptr<vtkCellArray>::New();
  Ptr<vtkUnsignedCharArray> colors = Ptr<vtkUnsignedCharArray>::New();

  LineBatch() {
    points->SetDataTypeToDouble();
    colors->SetNumberOfComponents(3);
    colors->SetName("colors");
  }
  void clear() {
    points->Reset();
    lines->Reset();
    colors->Reset();
  }
  void segment(const Eigen::Vector3d& a, const Eigen::Vector3d& b, const Rgb& c) {
    const vtkIdType ia = points->InsertNextPoint(a.data());
    const vtkIdType ib = points->InsertNextPoint(b.data());
    const vtkIdType ids[2] = {ia, ib};
    lines->InsertNextCell(2, ids);
    colors->InsertNextTypedTuple(c.data());
  }
  void dashed(const Eigen::Vector3d& a, const Eigen::Vector3d& b, const Rgb& c, double dash) {
    const double length = (b - a).norm();
    const int n = std::max(1, static_cast<int>(std::floor(length / (2.0 * dash))));
    // n dashes with n - 1 equal gaps, so both corners are drawn.
    const double step = length / (2.0 * n - 1.0);
    const Eigen::Vector3d dir = (b - a) / std::max(length, 1e-12);
    for (int i = 0; i < n; ++i) {
      segment(a + dir * (2.0 * i * step), a + dir * ((2.0 * i + 1.0) * step), c);
    }
  }
  void polyline(const std::vector<Eigen::Vector3d>& v, bool closed, const Rgb& c) {
    if (v.size() < 2) return;
    std::vector<vtkIdType> ids;
    for (const auto& p : v) ids.push_back(points->InsertNextPoint(p.data()));
    if (closed) ids.push_back(ids.front());
    lines->InsertNextCell(static_cast<vtkIdType>(ids.size()), ids.data());
    colors->InsertNextTypedTuple(c.data());
  }
  void box(const geometry::Cuboid& b, const BoxLook& look, double dash) {
    static constexpr int kEdges[12][2] = {{0, 1}, {1, 2}, {2, 3}, {3, 0}, {4, 5}, {5, 6},
                                          {6, 7}, {7, 4}, {0, 4}, {1, 5}, {2, 6}, {3, 7}};
    const auto c = b.corners();
    for (const auto& e : kEdges) {
      if (look.dashed) {
        dashed(c[e[0]], c[e[1]], look.color, dash);
      } else {
        segment(c[e[0]], c[e[1]], look.color);
      }
    }
    // Heading arrow on the top face: centre -> front face, with a two-stroke head.
    const Eigen::Matrix3d R = b.rotation.toRotationMatrix();
    const Eigen::Vector3d top = b.center + R.col(2) * (b.size.z() / 2.0);
    const Eigen::Vector3d tip = top + R.col(0) * (b.size.x() / 2.0);
    const double head = std::min(0.25 * b.size.x(), 0.5 * b.size.y());
    segment(top, tip, look.color);
    segment(tip, tip - R.col(0) * head + R.col(1) * head * 0.6, look.color);
    segment(tip, tip - R.col(0) * head - R.col(1) * head * 0.6, look.color);
  }
};

// Square markers of a constant size on screen (vertex handles), one colour each: vertex cells of
// one polydata, drawn by one actor whose point size is in pixels.
struct PointBatch {
  Ptr<vtkPoints> points = Ptr<vtkPoints>::New();
  Ptr<vtkCellArray> verts = Ptr<vtkCellArray>::New();
  Ptr<vtkUnsignedCharArray> colors = Ptr<vtkUnsignedCharArray>::New();
  Ptr<vtkPolyData> pd = Ptr<vtkPolyData>::New();

  PointBatch() {
    points->SetDataTypeToDouble();
    colors->SetNumberOfComponents(3);
    colors->SetName("colors");
    pd->SetPoints(points);
    pd->SetVerts(verts);
    pd->GetCellData()->SetScalars(colors);
  }
  void clear() {
    points->Reset();
    verts->Reset();
    colors->Reset();
  }
  void point(const Eigen::Vector3d& p, const Rgb& c) {
    const vtkIdType id = points->InsertNextPoint(p.data());
    verts->InsertNextCell(1, &id);
    colors->InsertNextTypedTuple(c.data());
  }
  void modified() {
    points->Modified();
    verts->Modified();
    colors->Modified();
    pd->Modified();
  }
};

// Filled polygons (areas), one colour each; the actor's opacity makes them translucent.
struct AreaBatch {
  Ptr<vtkPoints> points = Ptr<vtkPoints>::New();
  Ptr<vtkCellArray> polys = Ptr<vtkCellArray>::New();
  Ptr<vtkUnsignedCharArray> colors = Ptr<vtkUnsignedCharArray>::New();
  Ptr<vtkPolyData> pd = Ptr<vtkPolyData>::New();

  AreaBatch() {
    points->SetDataTypeToDouble();
    colors->SetNumberOfComponents(3);
    colors->SetName("colors");
    pd->SetPoints(points);
    pd->SetPolys(polys);
    pd->GetCellData()->SetScalars(colors);
  }
  void clear() {
    points->Reset();
    polys->Reset();
    colors->Reset();
  }
  // One polygon cell: VTK's mapper triangulates it (concave outlines included).
  void polygon(const std::vector<Eigen::Vector3d>& v, const Rgb& c) {
    if (v.size() < 3) return;
    std::vector<vtkIdType> ids;
    for (const auto& p : v) ids.push_back(points->InsertNextPoint(p.data()));
    polys->InsertNextCell(static_cast<vtkIdType>(ids.size()), ids.data());
    colors->InsertNextTypedTuple(c.data());
  }
  void modified() {
    points->Modified();
    polys->Modified();
    colors->Modified();
    pd->Modified();
  }
};

inline Ptr<vtkPolyData> polydata_of(const LineBatch& batch) {
  auto pd = Ptr<vtkPolyData>::New();
  pd->SetPoints(batch.points);
  pd->SetLines(batch.lines);
  pd->GetCellData()->SetScalars(batch.colors);
  return pd;
}

inline Ptr<vtkActor> line_actor(vtkPolyData* pd, float width) {
  auto mapper = Ptr<vtkPolyDataMapper>::New();
  mapper->SetInputData(pd);
  mapper->SetScalarModeToUseCellData();
  mapper->SetColorModeToDirectScalars();
  auto actor = Ptr<vtkActor>::New();
  actor->SetMapper(mapper);
  // Unlit, so that a box is drawn in exactly its legend colour from every side.
  actor->GetProperty()->LightingOff();
  actor->GetProperty()->SetLineWidth(width);
  actor->GetProperty()->SetPointSize(8.0f);
  return actor;
}

}  // namespace pcanno::viewer::detail
