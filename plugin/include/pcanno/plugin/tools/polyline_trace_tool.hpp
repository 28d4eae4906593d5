#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/geometry/line_evidence.hpp"
#include "pcanno/plugin/tool.hpp"
#include "pcanno/plugin/tools/tool_support.hpp"

namespace pcanno::plugin {

/// One-click polyline: a left click traces the lane marking or curb under the pointer
/// (trace_polyline_at(), services/trace_service.hpp) at the session's frame, with the tool's class
/// (set_label; default: the document's default polyline class) and the class's evidence. The new
/// polyline is one undo step and becomes the selection. The clicked point is the frame's point
/// nearest to the ray within kSnapPixels, else where the ray meets the frame's ground
/// (FramePoints::ground_hit). When
/// nothing is found, or the class follows no evidence, the preview's status says so. The frame's
/// prepared scan is kept, so that further clicks in the same frame do not read it again.
class PolylineTraceTool : public Tool {
 public:
  static constexpr double kSnapPixels = 8.0;

  std::string id() const override { return "polyline-trace"; }
  void deactivate(Session& session) override;
  int on_pointer(Session& session, const PointerEvent& event) override;
  int on_key(Session& session, const KeyEvent& event) override;

  void set_label(const std::string& label) override;
  const std::string& label() const { return label_; }
  /// Points [m, world] to pick the clicked point from, instead of the session's frame.
  void set_points(std::shared_ptr<const std::vector<Eigen::Vector3d>> points_in_world) override {
    points_.set_points(std::move(points_in_world));
  }
  void set_points(std::vector<Eigen::Vector3d> points_in_world) {
    points_.set_points(std::move(points_in_world));
  }

  /// The point [world] a click along `ray` in `view` traces from; nullopt when nowhere.
  std::optional<Eigen::Vector3d> seed_for(const Session& session, const Ray& ray,
                                          const ViewInfo& view);

 private:
  std::string label_;  ///< "" until set: the document's default polyline class
  FramePoints points_;
  std::optional<geometry::LineScan> scan_;  ///< of scan_frame_ in scan_sequence_
  const formats::Sequence* scan_sequence_ = nullptr;
  std::int64_t scan_frame_ = -1;
};

}  // namespace pcanno::plugin
