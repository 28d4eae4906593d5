// Rendering the zero-copy cloud must not make VTK fall back to an interleaved copy of the points
// (vtkSOADataArrayTemplate::GetVoidPointer warns when it does, and keeps the copy), nor print any
// other warning, over several frames and every colour mode.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <vtkObjectFactory.h>
#include <vtkOutputWindow.h>
#include <vtkSOADataArrayTemplate.h>
#include <vtkSmartPointer.h>

#include "display.hpp"
#include "pcanno/viewer/render_png.hpp"
#include "sample_scene.hpp"

namespace pcanno::viewer {
namespace {

class CapturingOutput : public vtkOutputWindow {
 public:
  static CapturingOutput* New();
  vtkTypeMacro(CapturingOutput, vtkOutputWindow) void DisplayText(const char* text) override {
    captured += text ? text : "";
  }
  std::string captured;
};
vtkStandardNewMacro(CapturingOutput);

TEST(VtkWarnings, RenderingTheSampleFramePrintsNothing) {
  PCANNO_REQUIRE_DISPLAY();
  const test::SampleScene scene = test::sample_scene(0);

  auto capture = vtkSmartPointer<CapturingOutput>::New();
  vtkSmartPointer<vtkOutputWindow> previous = vtkOutputWindow::GetInstance();
  vtkOutputWindow::SetInstance(capture);
  // The capture sees VTK's warnings: the one this test is about, provoked on purpose.
  {
    auto soa = vtkSmartPointer<vtkSOADataArrayTemplate<float>>::New();
    soa->SetNumberOfComponents(3);
    soa->SetNumberOfTuples(2);
    (void)soa->GetVoidPointer(0);
  }
  const bool sees_warnings = capture->captured.find("GetVoidPointer") != std::string::npos;
  capture->captured.clear();
  std::string output;
  for (const ColorBy mode : {ColorBy::kIntensity, ColorBy::kHeight, ColorBy::kDistance,
                             ColorBy::kClass, ColorBy::kCamera, ColorBy::kTime}) {
    RenderRequest request;
    request.width = 320;
    request.height = 240;
    request.style.color_by = mode;
    auto image = render_image(*scene.session, scene.cloud, request);
    EXPECT_TRUE(image) << image.error().describe();
  }
  output = capture->captured;
  vtkOutputWindow::SetInstance(previous);
  ASSERT_TRUE(sees_warnings) << "the output capture does not work";
  EXPECT_EQ(output.find("GetVoidPointer"), std::string::npos) << output;
  EXPECT_EQ(output, "");
}

}  // namespace
}  // namespace pcanno::viewer
