#include "pcanno/viewer/workstation/comment_markers.hpp"

#include <vtkActor.h>
#include <vtkActor2D.h>
#include <vtkCellArray.h>
#include <vtkLabeledDataMapper.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkStringArray.h>
#include <vtkTextProperty.h>

namespace pcanno::viewer::workstation {

template <typename T>
using Ptr = vtkSmartPointer<T>;

struct CommentMarkers::Vtk {
  vtkRenderer* renderer = nullptr;
  Ptr<vtkPoints> points = Ptr<vtkPoints>::New();
  Ptr<vtkCellArray> verts = Ptr<vtkCellArray>::New();
  Ptr<vtkStringArray> text = Ptr<vtkStringArray>::New();
  Ptr<vtkPolyData> data = Ptr<vtkPolyData>::New();
  Ptr<vtkPolyDataMapper> mapper = Ptr<vtkPolyDataMapper>::New();
  Ptr<vtkActor> dots = Ptr<vtkActor>::New();
  Ptr<vtkLabeledDataMapper> label_mapper = Ptr<vtkLabeledDataMapper>::New();
  Ptr<vtkActor2D> labels = Ptr<vtkActor2D>::New();
};

CommentMarkers::CommentMarkers(vtkRenderer* renderer) : vtk_(std::make_unique<Vtk>()) {
  Vtk& v = *vtk_;
  v.renderer = renderer;
  v.text->SetName("comment");
  v.data->SetPoints(v.points);
  v.data->SetVerts(v.verts);
  v.data->GetPointData()->AddArray(v.text);
  v.mapper->SetInputData(v.data);
  v.dots->SetMapper(v.mapper);
  v.dots->GetProperty()->SetColor(0.9, 0.25, 0.9);
  v.dots->GetProperty()->SetPointSize(12.0);
  v.dots->GetProperty()->RenderPointsAsSpheresOn();
  v.dots->GetProperty()->LightingOff();
  v.label_mapper->SetInputData(v.data);
  v.label_mapper->SetLabelModeToLabelFieldData();
  v.label_mapper->SetFieldDataName("comment");
  vtkTextProperty* font = v.label_mapper->GetLabelTextProperty();
  font->SetColor(1.0, 0.55, 1.0);
  font->SetFontSize(14);
  font->SetBold(true);
  font->SetShadow(true);
  v.labels->SetMapper(v.label_mapper);
  renderer->AddActor(v.dots);
  renderer->AddActor2D(v.labels);
  v.dots->VisibilityOff();
  v.labels->VisibilityOff();
}

CommentMarkers::~CommentMarkers() {
  vtk_->renderer->RemoveActor(vtk_->dots);
  vtk_->renderer->RemoveActor2D(vtk_->labels);
}

void CommentMarkers::show(const std::vector<store::Comment>& comments, std::int64_t frame) {
  Vtk& v = *vtk_;
  v.points->Reset();
  v.verts->Reset();
  v.text->Reset();
  shown_ = 0;
  for (const store::Comment& c : comments) {
    if (c.frame != frame) continue;
    const vtkIdType id = v.points->InsertNextPoint(c.x, c.y, c.z);
    v.verts->InsertNextCell(1, &id);
    v.text->InsertNextValue("  " + c.author + ": " + c.text + (c.resolved ? " (resolved)" : ""));
    ++shown_;
  }
  v.points->Modified();
  v.verts->Modified();
  v.text->Modified();
  v.data->Modified();
  v.dots->SetVisibility(shown_ > 0);
  v.labels->SetVisibility(shown_ > 0);
}

}  // namespace pcanno::viewer::workstation
