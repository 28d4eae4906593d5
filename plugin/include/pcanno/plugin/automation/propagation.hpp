#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/formats/labels/class_schema.hpp"
#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/geometry/motion_model.hpp"

// Propagation: one box carried from its frame to the next ones (or the previous ones) by the
// object's own points. Each step predicts the box with the class's motion model
// (geometry/motion_model.hpp: constant velocity and turn rate for vehicles and cyclists, a free
// walk for pedestrians) in the world frame, then aligns the object's point model to the new scan
// (a grid search over x, y and yaw for the basin, then point-to-point ICP in x, y, z and yaw), and
// adds that scan's points to the model. The model lives in the box's own frame, so every step
// registers everything seen of the object so far, not just the last scan: drift does not compound
// the way it does frame to frame.
//
// An object that is not found (hidden, too few returns, a registration that explains too little)
// is coasted on the motion model: its box is the prediction, with a confidence that starts below
// kReviewScore and decays per coasted frame. Each coasted frame searches a wider region around the
// prediction (three standard deviations of the predicted position, up to max_search_margin); the
// object is re-acquired only by a registration that explains its points well (reacquire_fitness,
// reacquire_points) at a place the motion model finds plausible (reacquire_gate), and then goes on
// as before. A track ends only when the object leaves the sensor's range (max_range), after
// max_coast_s unseen (unbounded by default), when the walk reaches `to`, or at a frame without a
// pose or a readable cloud; each early end says where and why (PropagationResult::lost).

namespace pcanno::plugin {

/// Boxes made by propagation (provenance `tracked`) with a score below this are shown for review
/// (the workstation's timeline marks them): coasted boxes always, registered ones that explain
/// less than this share of their points.
inline constexpr double kReviewScore = 0.6;

struct PropagationOptions {
  std::size_t min_points = 5;  ///< fewer object points in the new scan: not found (coasted)
  double min_fitness = 0.5;    ///< share of the new scan's points the model explains, below: coasted
  double search_margin = 1.0;  ///< [m] the new scan is searched at least this far around the prediction
  double max_search_margin = 4.0;  ///< [m] the widest search, while coasting
  double ground_clearance = 0.2;      ///< [m] points this close above the box's bottom are ground
  double fine_correspondence = 0.25;  ///< [m] ICP after the grid search over the search margin
  double model_voxel = 0.1;           ///< [m] the accumulated model keeps one point per voxel
  std::size_t max_model_points = 4000;
  /// How the object moves (see motion_options_for() for a class's); the default: a vehicle.
  geometry::MotionModelOptions motion = geometry::vehicle_motion();
  /// [s] unseen for longer: the track ends there. Unbounded by default: a box left out counts as
  /// missed anyway, and a coasted one is flagged for review and may still find the object again.
  double max_coast_s = std::numeric_limits<double>::infinity();
  double coast_confidence = 0.4;     ///< score of the first coasted box (below kReviewScore)
  double coast_decay = 0.85;         ///< its factor per further coasted frame
  double reacquire_fitness = 0.7;    ///< after a coast, the share of points the model must explain
  /// and at least this many object points, or as many as it showed when last found (a far object)
  std::size_t reacquire_points = 12;
  /// After a coast, the squared Mahalanobis distance of the found position from the prediction
  /// (chi-square, 2 degrees of freedom: 13.8 passes 999 in 1000 true re-acquisitions).
  double reacquire_gate = 13.8;
  /// [m] in xy from the sensor (an HDL-64's nominal range): a prediction beyond it, farther than
  /// the box before, has left the sensor's range.
  double max_range = 120.0;
  /// [m] a box whose footprint is smaller than this on both sides (a pedestrian) is measured by
  /// the centroid of its points, as is any object with fewer than 4 * min_points of them.
  double small_object = 1.2;
};

/// The motion model of a class profile: vehicles (and unknown classes) and cyclists turn with
/// their heading, pedestrians and static objects move freely; speed and yaw-rate limits from the
/// profile.
geometry::MotionModelOptions motion_options_for(const formats::MotionProfile& profile);

struct PropagatedBox {
  std::int64_t frame = 0;
  geometry::Cuboid box_in_world;  ///< upright, the keyframe's size
  /// [0, 1] share of the scan's object points the model explains; coasted boxes: see
  /// PropagationOptions::coast_confidence
  double confidence = 0.0;
  std::size_t points = 0;  ///< object points in the scan
  bool coasted = false;    ///< the object was not found: the box is the motion model's prediction
};

struct PropagationResult {
  std::vector<PropagatedBox> boxes;  ///< in the order propagated
  /// Set when propagation ended before `to`: "left the sensor's range (80 m) at frame 120",
  /// "not seen for 3.0 s since frame 40, ended at frame 71", "lost at frame 4: its cloud cannot
  /// be read: ...".
  std::optional<std::string> lost;
  std::int64_t lost_at = -1;  ///< the first frame without a box after the walk's start
  std::size_t coasted = 0;     ///< boxes that are predictions (PropagatedBox::coasted)
  std::size_t reacquired = 0;  ///< times the object was found again after a coast
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
/// The sequence needs poses for the frames visited (see ensure_poses()). Frames where the object is
/// not found get coasted boxes; it ends early, with `lost` set, only as the header says.
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
