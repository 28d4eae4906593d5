#pragma once
#include <cstdint>
#include <optional>

#include <vtkPolyData.h>
#include <vtkSmartPointer.h>

#include "pcanno/formats/point_cloud.hpp"
#include "pcanno/geometry/pose.hpp"
#include "pcanno/plugin/tool.hpp"

namespace pcanno::plugin {
class Session;
}

namespace pcanno::viewer::workstation {

/// What every view of the workstation draws, as VTK poly data the views share: the frame's points
/// coloured by height, the boxes of the frame (class colour, the selection highlighted, a heading
/// line to the front face) and the active tool's preview. Each view has its own mappers and actors
/// over these (actors cannot be shared between OpenGL contexts; data can).
class SceneData {
 public:
  SceneData();

  /// The cloud [LiDAR frame] moved into the world frame by `T_world_lidar` (identity when absent).
  void set_points(const formats::PointCloud* cloud,
                  const std::optional<geometry::Pose>& T_world_lidar);
  /// The boxes of the session's current frame.
  void set_boxes(const plugin::Session& session);
  void set_preview(const plugin::ToolPreview& preview);

  vtkPolyData* points() const { return points_; }
  vtkPolyData* boxes() const { return boxes_; }
  vtkPolyData* preview() const { return preview_; }
  vtkPolyData* handles() const { return handles_; }
  std::size_t point_count() const { return point_count_; }

 private:
  vtkSmartPointer<vtkPolyData> points_;
  vtkSmartPointer<vtkPolyData> boxes_;
  vtkSmartPointer<vtkPolyData> preview_;
  vtkSmartPointer<vtkPolyData> handles_;
  std::size_t point_count_ = 0;
};

}  // namespace pcanno::viewer::workstation
