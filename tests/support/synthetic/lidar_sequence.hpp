#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Geometry>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/geometry/cuboid.hpp"

// A synthetic driving sequence with known truth, for developing and measuring the automation on
// sequences far longer than the 20 real frames: a 64-beam spinning LiDAR (KITTI's HDL-64E
// geometry) ray-cast through a street of ground, kerbs, walls, hedges and poles, with vehicles,
// cyclists and pedestrians moving on scripted paths that occlude each other. Written in the KITTI
// tracking layout, it is read back by the product's own readers like a real sequence.

namespace pcanno::synthetic {

/// The spinning sensor. Defaults: KITTI's Velodyne HDL-64E mounted 1.73 m above the road.
struct SensorModel {
  int beams = 64;
  double elevation_top_deg = 2.0;       ///< [deg] highest beam
  double elevation_bottom_deg = -24.8;  ///< [deg] lowest beam
  double azimuth_step_deg = 0.08;       ///< [deg] between firings of one beam
  double max_range = 120.0;             ///< [m]
  double min_range = 2.0;               ///< [m] closer returns are dropped (the car's own body)
  double range_noise = 0.02;            ///< [m] standard deviation along the ray
  double dropout = 0.05;                ///< share of returns lost at random
  double mount_height = 1.73;           ///< [m] sensor above the road
};

/// One moving (or parked) object of the scene.
struct Actor {
  std::int64_t track_id = 0;
  std::string class_name;               ///< "Car", "Van", "Cyclist", "Pedestrian"
  Eigen::Vector3d size{4.0, 1.8, 1.5};  ///< length, width, height [m]
  /// Centre of the box's footprint on the road (z = road height) and heading [rad] in the world
  /// frame at each frame; the actor is absent where `present` is false.
  std::vector<Eigen::Vector3d> xy_yaw;  ///< (x, y, yaw) per frame
  std::vector<bool> present;
  double reflectance = 0.4;  ///< [0, 1] of its body (wheels darker)
};

/// What to generate. Every random choice comes from `seed`, so one seed is one sequence.
struct ScenarioOptions {
  int frames = 200;
  unsigned seed = 1;
  double frame_period = 0.1;  ///< [s] 10 Hz
  double ego_speed = 8.0;     ///< [m/s] of the recording car
  int vehicles = 6;           ///< moving and parked cars and vans
  int cyclists = 2;
  int pedestrians = 4;
  bool occluders = true;  ///< script crossings where actors hide each other
  SensorModel sensor;
};

/// A generated scene: static structure, actors and the ego trajectory.
struct Scenario {
  ScenarioOptions options;
  std::vector<Actor> actors;
  std::vector<Eigen::Isometry3d> T_world_lidar;  ///< per frame
  // static geometry (ground, kerbs, walls, hedges, poles) is private to the implementation
  struct Statics;
  std::shared_ptr<const Statics> statics;
};

/// The scripted street (world frame, metres): a straight four-lane road along +x (lanes at y =
/// -5.25, -1.75, 1.75, 5.25; the ego drives at y = -1.75 with a slight sway), parking strips at
/// |y| = 8.1, kerbs at |y| = 9.2 (0.13 m high), pavements with poles and trees, hedges and
/// building fronts from |y| = 12.5, a side street on the right at x = 100 and a zebra crossing at
/// x = 77.5. The ego brakes to wait 3 s at x = 60 while pedestrian 1 crosses in front of the lead
/// car (vehicle 1). Vehicle 0 is a van parked at x = 62 with pedestrian 0 walking behind it;
/// vehicle 3 overtakes the oncoming truck (vehicle 2) on the far lane as both pass the ego;
/// vehicle 4 turns in from the side street; vehicle 5 waits at the crossing; pedestrian 2 stands
/// at a wall; further actors park, follow the truck or walk the pavements. Every choice (sizes,
/// buildings, gaps, hedges, poles, noise) comes from `options.seed`.
Scenario make_scenario(const ScenarioOptions& options);

/// Height [m] of the ground at a world position: 0 on the road and in the side street, the kerb
/// height on the pavements.
double ground_height(const Scenario& scenario, const Eigen::Vector2d& xy_world);

/// The actor's box in the world frame at `frame` (standing on the ground under its centre).
geometry::Cuboid actor_box_in_world(const Scenario& scenario, const Actor& actor, int frame);

/// Elevations [deg] of the beams, top first: HDL-64E-like, the upper half 1/3 deg apart from
/// `elevation_top_deg`, the lower half evenly down to `elevation_bottom_deg`.
std::vector<double> beam_elevations_deg(const SensorModel& sensor);

/// One truth box of a frame.
struct TruthBox {
  std::int64_t track_id = 0;
  std::string class_name;
  geometry::Cuboid box_in_lidar;  ///< [m, rad] upright
  std::size_t points = 0;         ///< returns of this scan from the actor's own surfaces
  /// [0, 1] share of the rays that meet the object (within range) whose first hit is the object
  /// and not something in front of it (another actor, a hedge, a pole); 0 when no ray meets it.
  double visible = 1.0;
};

struct ScanFrame {
  /// x, y, z [m] in the LiDAR frame, reflectance [0, 1]; ring by ring from the top beam, each
  /// ring by azimuth from -180 deg. The scan is instantaneous (no rolling-shutter skew).
  std::vector<Eigen::Vector4f> points;
  std::vector<int> point_actor;  ///< per point: index into Scenario::actors, -1 for the scene
  /// Actors whose centre is within the sensor's max range (whether or not they got returns).
  std::vector<TruthBox> truth;
};

/// Ray-casts frame `frame` of `scenario`.
ScanFrame render_frame(const Scenario& scenario, int frame);

/// Writes `scenario` as KITTI tracking sequence `name` under `root` (velodyne/NAME/NNNNNN.bin,
/// label_02/NAME.txt, calib/NAME.txt, oxts/NAME.txt), atomically per file; the labels hold every
/// truth box with at least `min_label_points` returns, all around the sensor (not only in the
/// camera's view), through the project's KITTI tracking codec: its 2D boxes are the projections
/// with P2 (all zero for a box behind the camera), and `occluded` is 0/1/2 for a visibility of at
/// least 0.8 / 0.4 / less. The calibration is KITTI's tracking 0000 (with Tr_imu_velo's rotation
/// made orthonormal); oxts records place the IMU so that the tracking reader's poses are
/// T_world_lidar relative to frame 0's IMU. An existing sequence of that name is replaced.
formats::Status write_kitti_tracking(const Scenario& scenario, const std::filesystem::path& root,
                                     const std::string& name = "0000",
                                     std::size_t min_label_points = 1);

/// What write_kitti_tracking_report() wrote.
struct WriteSummary {
  std::size_t frames = 0;
  std::size_t points = 0;          ///< returns in all scans
  std::size_t truth_boxes = 0;     ///< actors in range, summed over frames
  std::size_t labelled_boxes = 0;  ///< of which written to label_02 (enough returns)
};

/// Called before each frame is rendered with (frame, frames); returning false cancels.
using FrameProgress = std::function<bool(int, int)>;

/// write_kitti_tracking() with progress and a summary; kCancelled when `progress` says stop.
formats::Expected<WriteSummary> write_kitti_tracking_report(const Scenario& scenario,
                                                            const std::filesystem::path& root,
                                                            const std::string& name,
                                                            std::size_t min_label_points,
                                                            const FrameProgress& progress);

}  // namespace pcanno::synthetic
