// SceneRenderer without rendering: the points wrap the cloud's buffers (no copy), a frame change
// swaps them, boxes are batched, and the level of detail engages only for big clouds.
#include <gtest/gtest.h>

#include <vtkCellArray.h>
#include <vtkFloatArray.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkRenderer.h>
#include <vtkSOADataArrayTemplate.h>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/viewer/box_look.hpp"
#include "pcanno/viewer/scene_renderer.hpp"

namespace pcanno::viewer {
namespace {

std::shared_ptr<formats::PointCloud> cloud_of(std::size_t n, float offset) {
  auto c = std::make_shared<formats::PointCloud>();
  c->add_attribute("intensity");
  c->resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    c->x[i] = offset + static_cast<float>(i);
    c->y[i] = 2.0f * static_cast<float>(i);
    c->z[i] = -1.0f;
    (*c->attribute("intensity"))[i] = 0.5f;
  }
  return c;
}

TEST(SceneRenderer, PointsWrapTheCloudAndAFrameChangeSwapsThem) {
  vtkNew<vtkRenderer> renderer;
  SceneRenderer scene(renderer);
  auto first = cloud_of(1000, 0.0f);
  scene.set_cloud(first);
  EXPECT_EQ(first.use_count(), 2);  // the scene keeps the frame alive
  auto* xyz =
      vtkSOADataArrayTemplate<float>::SafeDownCast(scene.cloud_polydata()->GetPoints()->GetData());
  ASSERT_NE(xyz, nullptr);
  EXPECT_EQ(xyz->GetComponentArrayPointer(0), first->x.data());
  EXPECT_EQ(xyz->GetComponentArrayPointer(1), first->y.data());
  EXPECT_EQ(xyz->GetComponentArrayPointer(2), first->z.data());
  EXPECT_EQ(scene.cloud_polydata()->GetNumberOfPoints(), 1000);
  EXPECT_EQ(scene.cloud_polydata()->GetVerts()->GetNumberOfCells(), 1000);
  double p[3];
  scene.cloud_polydata()->GetPoint(10, p);
  EXPECT_DOUBLE_EQ(p[0], 10.0);
  EXPECT_DOUBLE_EQ(p[1], 20.0);
  // Intensity colouring reads the cloud's own column.
  auto* scalars = vtkFloatArray::SafeDownCast(scene.cloud_polydata()->GetPointData()->GetScalars());
  ASSERT_NE(scalars, nullptr);
  EXPECT_EQ(scalars->GetPointer(0), first->attribute("intensity")->data());

  const vtkMTimeType before = xyz->GetMTime();
  auto second = cloud_of(700, 100.0f);
  scene.set_cloud(second);
  EXPECT_EQ(first.use_count(), 1);                                 // released
  EXPECT_EQ(xyz, scene.cloud_polydata()->GetPoints()->GetData());  // same VTK array, new buffers
  EXPECT_EQ(xyz->GetComponentArrayPointer(0), second->x.data());
  EXPECT_GT(xyz->GetMTime(), before);
  EXPECT_EQ(scene.cloud_polydata()->GetNumberOfPoints(), 700);
  EXPECT_EQ(scene.cloud_polydata()->GetVerts()->GetNumberOfCells(), 700);
  scene.cloud_polydata()->GetPoint(699, p);
  EXPECT_DOUBLE_EQ(p[0], 799.0);

  scene.set_cloud(nullptr);
  EXPECT_EQ(second.use_count(), 1);
  EXPECT_EQ(scene.point_count(), 0u);
}

TEST(SceneRenderer, LevelOfDetailOnlyForBigCloudsWhileInteracting) {
  vtkNew<vtkRenderer> renderer;
  SceneStyle style;
  style.lod_threshold = 5000;
  style.lod_points = 1000;
  SceneRenderer scene(renderer, style);
  scene.set_cloud(cloud_of(4000, 0.0f));
  scene.set_interacting(true);
  EXPECT_FALSE(scene.lod_active());
  scene.set_cloud(cloud_of(10000, 0.0f));
  EXPECT_TRUE(scene.lod_active());
  scene.set_interacting(false);
  EXPECT_FALSE(scene.lod_active());
}

TEST(SceneRenderer, ProvenanceLegend) {
  formats::Annotations doc;
  doc.ensure_class("Car").color = {200, 40, 40};
  SceneStyle style;
  formats::BoxState state;
  state.keyframe = true;
  state.provenance = formats::Provenance::kInterpolated;
  EXPECT_EQ(box_look(style, doc, "Car", state, false).color, (Rgb{200, 40, 40}));
  EXPECT_FALSE(box_look(style, doc, "Car", state, false).dashed);
  state.keyframe = false;
  const BoxLook interpolated = box_look(style, doc, "Car", state, false);
  EXPECT_TRUE(interpolated.dashed);
  EXPECT_EQ(interpolated.color, (Rgb{110, 22, 22}));
  state.provenance = formats::Provenance::kTracked;
  EXPECT_EQ(box_look(style, doc, "Car", state, false).color, style.automatic_color);
  EXPECT_EQ(box_look(style, doc, "Car", state, true).color, style.selection_color);
  EXPECT_EQ(box_look(style, doc, "Truck", state, false).color, style.automatic_color);
  state.provenance = formats::Provenance::kManual;
  EXPECT_EQ(box_look(style, doc, "Truck", state, false).color, style.default_box_color);
  style.class_colors["Car"] = {1, 2, 3};
  EXPECT_EQ(box_look(style, doc, "Car", state, false).color, (Rgb{1, 2, 3}));
}

}  // namespace
}  // namespace pcanno::viewer
