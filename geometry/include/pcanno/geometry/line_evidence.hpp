#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include <Eigen/Core>

// Line evidence in one LiDAR scan: painted markings (a ridge of high intensity among ground
// points) and curbs (a height step between two flat ground levels). Both are found in
// cross-sections perpendicular to a line's local direction, from robust profiles over a short
// window along the line, so that single stray points do not move the result.

namespace pcanno::geometry {

/// The evidence a line follows.
enum class LineFeature {
  kMarking,  ///< a ridge of high intensity among near-ground points (0.10-0.30 m wide)
  kCurb,     ///< a height step (0.08-0.25 m) between two flat-ish ground levels
};

struct LineScanOptions {
  /// [m] grid cell over xy (coarser when the scan's extent would need more than 4 million)
  double cell = 0.25;
  /// [m] xy distance from the frame's origin (the sensor, in a LiDAR frame); farther points are
  /// ignored. Infinity: all points (georeferenced clouds, whose frame is not the sensor's).
  double max_range = 120.0;
  /// [m] side of the square tiles in which the local ground height is a low percentile of z.
  double ground_tile = 2.0;
  double ground_percentile = 0.1;  ///< of z within a tile: the local ground height
  /// [m] points up to this high above the local ground are "on the ground" (markings, both levels
  /// of a curb)
  double ground_band = 0.35;
};

/// One scan prepared for line evidence: points [m] in one frame with z up (the scan's LiDAR
/// frame), their intensity (may be empty: kMarking then finds nothing), a 2D grid over xy.
/// Intensity is normalised per scan to its rank in [0, 1], so KITTI reflectance (0..1) and
/// nuScenes intensity (0..255) behave alike. Non-finite points are ignored.
class LineScan {
 public:
  LineScan(std::vector<Eigen::Vector3d> points, std::vector<float> intensity,
           const LineScanOptions& options = {});

  const LineScanOptions& options() const { return options_; }
  std::size_t size() const { return points_.size(); }
  const std::vector<Eigen::Vector3d>& points() const { return points_; }
  /// Per point: its intensity's rank in the scan in [0, 1]; empty when the scan has none.
  const std::vector<float>& intensity_rank() const { return rank_; }
  bool has_intensity() const { return !rank_.empty(); }

  /// Local ground height [m] at (x, y): a low percentile of z in the tile there (nearest populated
  /// tile when empty); nullopt outside the grid or for a scan without points.
  std::optional<double> ground_z(double x, double y) const;

  /// Calls f(index) for every point in the grid cells overlapping the xy rectangle
  /// [lo, hi]; callers filter the exact shape themselves.
  template <typename F>
  void for_each_in_rect(const Eigen::Vector2d& lo, const Eigen::Vector2d& hi, F&& f) const {
    if (columns_ == 0 || rows_ == 0) return;
    // A rectangle beside the grid touches no cell (clamping would put it on the border cells).
    if (hi.x() < origin_.x() || hi.y() < origin_.y()) return;
    if (lo.x() > origin_.x() + columns_ * options_.cell) return;
    if (lo.y() > origin_.y() + rows_ * options_.cell) return;
    const long c0 = clamp_column(lo.x()), c1 = clamp_column(hi.x());
    const long r0 = clamp_row(lo.y()), r1 = clamp_row(hi.y());
    for (long r = r0; r <= r1; ++r) {
      const std::size_t row = static_cast<std::size_t>(r * columns_);
      for (std::size_t k = begin_[row + c0]; k < begin_[row + c1 + 1]; ++k) f(order_[k]);
    }
  }

 private:
  long clamp_column(double x) const;
  long clamp_row(double y) const;

  LineScanOptions options_;
  std::vector<Eigen::Vector3d> points_;
  std::vector<float> rank_;
  Eigen::Vector2d origin_ = Eigen::Vector2d::Zero();  ///< corner of cell (0, 0) [m]
  long columns_ = 0;
  long rows_ = 0;
  std::vector<std::uint32_t> begin_;  ///< per cell (row-major), and one past the last: into order_
  std::vector<std::uint32_t> order_;  ///< point indices grouped by cell
  // Ground tiles
  double tile_ = 2.0;
  long tile_columns_ = 0;
  long tile_rows_ = 0;
  std::vector<float> tile_ground_;  ///< per tile, NaN when empty (filled from neighbours)
};

/// Options of one cross-section search.
struct CrossSectionOptions {
  double half_length = 0.75;  ///< [m] window along the line on either side of the station
  double bin = 0.05;          ///< [m] profile bin across the line
  /// Marking: least mean rank contrast between the ridge and the ground beside it.
  double min_contrast = 0.15;
  /// Marking: the ridge is kept when the chance that noise put as many points brighter than the
  /// ground's 95th percentile on it is below this.
  double max_false_alarm = 1e-5;
  int min_marking_points = 4;       ///< marking: least points on the ridge
  double min_marking_width = 0.06;  ///< [m]
  double max_marking_width = 0.45;  ///< [m]
  double min_step = 0.06;           ///< [m] curb height
  double max_step = 0.30;           ///< [m]
  double side_width = 0.4;          ///< [m] of each flat level beside a curb, and beside a ridge
  double max_side_spread = 0.05;    ///< [m] curb levels: spread of z within a level
  double curb_transition = 0.1;     ///< [m] half-width of a curb's face between its two levels
};

/// The feature found in one cross-section.
struct CrossSectionHit {
  double offset =
      0.0;  ///< [m] across the line from the station, along the normal (left of the direction)
  double z = 0.0;  ///< [m] height of the feature (marking: its points; curb: the lower level)
  double strength = 0.0;  ///< marking: rank contrast; curb: step height [m]
  /// Curb: +1 when the lower level is on the normal's side (left of the direction), -1 otherwise;
  /// 0 for a marking.
  int lower_side = 0;
};

/// The feature in the cross-section at `station` (xy; z ignored) perpendicular to `direction` (xy,
/// need not be unit), nearest to the station within |offset| <= max_offset [m]; nullopt when there
/// is none. `lower_side` (curb only, +1/-1) keeps only steps with the lower level on that side.
std::optional<CrossSectionHit> find_across(const LineScan& scan, const Eigen::Vector2d& station,
                                           const Eigen::Vector2d& direction, LineFeature feature,
                                           double max_offset,
                                           const CrossSectionOptions& options = {},
                                           int lower_side = 0);

/// Every feature in that cross-section within max_offset, nearest to the station first.
std::vector<CrossSectionHit> find_all_across(const LineScan& scan, const Eigen::Vector2d& station,
                                             const Eigen::Vector2d& direction, LineFeature feature,
                                             double max_offset,
                                             const CrossSectionOptions& options = {},
                                             int lower_side = 0);

}  // namespace pcanno::geometry
