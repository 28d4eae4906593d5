#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/geometry/cuboid.hpp"

// Propagation: one box carried from its frame to the next ones (or the previous ones) by the
// object's own points. Each step predicts the box with constant velocity and turn rate in the world
// frame, then aligns the object's point model to the new scan (a grid search over x, y and yaw
// for the basin, then point-to-point ICP in x, y, z and yaw), and adds that scan's points to the
// model. The model lives in the box's
// own frame, so every step registers everything seen of the object so far, not just the last scan:
// drift does not compound the way it does frame to frame.

namespace pcanno::plugin {

struct PropagationOptions {
  std::size_t min_points = 8;  ///< fewer object points in the new scan: lost
  double min_fitness = 0.5;    ///< share of the new scan's points the model explains, below: lost
  double search_margin = 1.0;  ///< [m] the new scan is searched this far around the prediction
  double ground_clearance = 0.2;      ///< [m] points this close above the box's bottom are ground
  double fine_correspondence = 0.25;  ///< [m] ICP after the grid search over the search margin
  double model_voxel = 0.1;           ///< [m] the accumulated model keeps one point per voxel
  std::size_t max_model_points = 4000;
};

struct PropagatedBox {
  std::int64_t frame = 0;
  geometry::Cuboid box_in_world;  ///< upright, the keyframe's size
  double confidence = 0.0;        ///< [0, 1] share of the scan's object points the model explains
  std::size_t points = 0;         ///< object points in the scan
};

struct PropagationResult {
  std::vector<PropagatedBox> boxes;  ///< in the order propagated
  /// Set when propagation stopped before `to`: "lost at frame 12: 4 points" and the like.
  std::optional<std::string> lost;
  std::int64_t lost_at = -1;
};

/// Frame clouds by index, for algorithms that visit a few frames at a time. Loads lazily and keeps
/// the most recent handful. Not thread-safe.
class SequenceClouds {
 public:
  explicit SequenceClouds(const formats::Sequence& sequence, std::size_t keep = 8);
  /// nullptr when the frame is out of range or cannot be read (`error()` then says why).
  const formats::CloudFile* get(std::int64_t frame);
  const formats::Sequence& sequence() const { return sequence_; }
  const std::optional<formats::Error>& error() const { return error_; }
  /// Polled while a frame loads: returning true stops the load, and get() returns nullptr with
  /// error() kCancelled. Empty (the default): loads run to the end.
  void set_stop(std::function<bool()> stop) { stop_ = std::move(stop); }
  const std::function<bool()>& stop() const { return stop_; }
  /// Points of frame `f` inside `box_in_world`, in the world frame; empty without a pose or cloud.
  std::vector<Eigen::Vector3d> points_in(std::int64_t frame, const geometry::Cuboid& box_in_world);

 private:
  const formats::Sequence& sequence_;
  std::size_t keep_;
  std::vector<std::pair<std::int64_t, formats::CloudFile>> clouds_;  // most recent last
  std::optional<formats::Error> error_;
  std::function<bool()> stop_;
};

/// Sets `clouds`' stop predicate for the guard's lifetime, then restores the one before.
class CloudLoadStop {
 public:
  CloudLoadStop(SequenceClouds& clouds, std::function<bool()> stop)
      : clouds_(clouds), previous_(clouds.stop()) {
    clouds_.set_stop(std::move(stop));
  }
  ~CloudLoadStop() { clouds_.set_stop(std::move(previous_)); }
  CloudLoadStop(const CloudLoadStop&) = delete;
  CloudLoadStop& operator=(const CloudLoadStop&) = delete;

 private:
  SequenceClouds& clouds_;
  std::function<bool()> previous_;
};

/// Carries `box_in_world` (at frame `from`) frame by frame towards `to` (inclusive; `to` < `from`
/// goes backward). `previous`, the object's box in the frame before `from` in the direction of
/// travel, seeds the velocity; without it the first prediction is that the object stands still.
/// The sequence needs poses for the frames visited (see ensure_poses()). Stops early, with `lost`
/// set, when the object has too few points or the registration explains too little of them.
/// `progress` gets the fraction done, per frame and while a frame loads; returning false cancels
/// (kCancelled).
formats::Expected<PropagationResult> propagate_box(
    SequenceClouds& clouds, std::int64_t from, const geometry::Cuboid& box_in_world,
    std::int64_t to, const std::optional<geometry::Cuboid>& previous = std::nullopt,
    const PropagationOptions& options = {}, const std::function<bool(double)>& progress = {});

/// The object's points at `frame` inside `box_in_world`, ground removed, in the box's own frame
/// (origin at the centre, x along the heading): a model to register, or to merge with others.
std::vector<Eigen::Vector3d> object_model(SequenceClouds& clouds, std::int64_t frame,
                                          const geometry::Cuboid& box_in_world,
                                          const PropagationOptions& options = {});

struct RefinedBox {
  geometry::Cuboid box_in_world;
  double confidence = 0.0;  ///< as PropagatedBox::confidence
};

/// Moves `box_in_world` (a guess at `frame`, e.g. interpolated) so that `model_in_box` lies on the
/// frame's points: fine registration only, height kept. nullopt when the object is not found well
/// enough (too few points, confidence below min_fitness) or the correction exceeds `max_shift` [m]
/// or `max_turn` [rad]: the guess is then better left alone.
std::optional<RefinedBox> refine_box(SequenceClouds& clouds, std::int64_t frame,
                                     const geometry::Cuboid& box_in_world,
                                     const std::vector<Eigen::Vector3d>& model_in_box,
                                     double max_shift, double max_turn,
                                     const PropagationOptions& options = {});

}  // namespace pcanno::plugin
