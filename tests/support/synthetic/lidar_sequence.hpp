#pragma once
#include <cstdint>
#include <filesystem>
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
  double elevation_top_deg = 2.0;        ///< [deg] highest beam
  double elevation_bottom_deg = -24.8;   ///< [deg] lowest beam
  double azimuth_step_deg = 0.08;        ///< [deg] between firings of one beam
  double max_range = 120.0;              ///< [m]
  double min_range = 2.0;                ///< [m] closer returns are dropped (the car's own body)
  double range_noise = 0.02;             ///< [m] standard deviation along the ray
  double dropout = 0.05;                 ///< share of returns lost at random
  double mount_height = 1.73;            ///< [m] sensor above the road
};

/// One moving (or parked) object of the scene.
struct Actor {
  std::int64_t track_id = 0;
  std::string class_name;                 ///< "Car", "Van", "Cyclist", "Pedestrian"
  Eigen::Vector3d size{4.0, 1.8, 1.5};    ///< length, width, height [m]
  /// Centre of the box's footprint on the road (z = road height) and heading [rad] in the world
  /// frame at each frame; the actor is absent where `present` is false.
  std::vector<Eigen::Vector3d> xy_yaw;    ///< (x, y, yaw) per frame
  std::vector<bool> present;
};

/// What to generate. Every random choice comes from `seed`, so one seed is one sequence.
struct ScenarioOptions {
  int frames = 200;
  unsigned seed = 1;
  double frame_period = 0.1;          ///< [s] 10 Hz
  double ego_speed = 8.0;             ///< [m/s] of the recording car
  int vehicles = 6;                   ///< moving and parked cars and vans
  int cyclists = 2;
  int pedestrians = 4;
  bool occluders = true;              ///< script crossings where actors hide each other
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

Scenario make_scenario(const ScenarioOptions& options);

/// One truth box of a frame.
struct TruthBox {
  std::int64_t track_id = 0;
  std::string class_name;
  geometry::Cuboid box_in_lidar;  ///< [m, rad] upright
  std::size_t points = 0;         ///< returns of this scan inside the box
  double visible = 1.0;           ///< [0, 1] share of the object's rays not blocked by others
};

struct ScanFrame {
  std::vector<Eigen::Vector4f> points;  ///< x, y, z [m] in the LiDAR frame, reflectance [0, 1]
  std::vector<TruthBox> truth;          ///< actors in range (whether or not they got returns)
};

/// Ray-casts frame `frame` of `scenario`.
ScanFrame render_frame(const Scenario& scenario, int frame);

/// Writes `scenario` as KITTI tracking sequence `name` under `root` (velodyne/NAME/NNNNNN.bin,
/// label_02/NAME.txt, calib/NAME.txt, oxts/NAME.txt), atomically per file; the labels hold every
/// truth box with at least `min_label_points` returns.
formats::Status write_kitti_tracking(const Scenario& scenario, const std::filesystem::path& root,
                                     const std::string& name = "0000",
                                     std::size_t min_label_points = 1);

}  // namespace pcanno::synthetic
