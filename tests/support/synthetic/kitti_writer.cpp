// write_kitti_tracking: the scenario as a KITTI tracking sequence, written with the project's own
// KITTI conventions (formats/, geometry/kitti_convention.hpp) so that its readers take it back.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/SVD>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "pcanno/formats/support/atomic_write.hpp"
#include "pcanno/geometry/angles.hpp"
#include "pcanno/geometry/pose.hpp"
#include "synthetic/lidar_sequence.hpp"

namespace pcanno::synthetic {
namespace fs = std::filesystem;
namespace {

// KITTI tracking sequence 0000's calibration (P0-P3, R_rect, Tr_velo_cam verbatim).
constexpr double kP[4][12] = {
    {7.215377e+02, 0, 6.095593e+02, 0, 0, 7.215377e+02, 1.728540e+02, 0, 0, 0, 1, 0},
    {7.215377e+02, 0, 6.095593e+02, -3.875744e+02, 0, 7.215377e+02, 1.728540e+02, 0, 0, 0, 1, 0},
    {7.215377e+02, 0, 6.095593e+02, 4.485728e+01, 0, 7.215377e+02, 1.728540e+02, 2.163791e-01, 0, 0,
     1, 2.745884e-03},
    {7.215377e+02, 0, 6.095593e+02, -3.395242e+02, 0, 7.215377e+02, 1.728540e+02, 2.199936e+00, 0,
     0, 1, 2.729905e-03}};
constexpr double kRRect[9] = {9.999239e-01,  9.837760e-03, -7.445048e-03,
                              -9.869795e-03, 9.999421e-01, -4.278459e-03,
                              7.402527e-03,  4.351614e-03, 9.999631e-01};
constexpr double kTrVeloCam[12] = {7.533745e-03, -9.999714e-01, -6.166020e-04, -4.069766e-03,
                                   1.480249e-02, 7.280733e-04,  -9.998902e-01, -7.631618e-02,
                                   9.998621e-01, 7.523790e-03,  1.480755e-02,  -2.717806e-01};
constexpr double kTrImuVelo[12] = {9.999976e-01,  7.553071e-04, -2.035826e-03, -8.086759e-01,
                                   -7.854027e-04, 9.998898e-01, -1.482298e-02, 3.195559e-01,
                                   2.024406e-03,  1.482454e-02, 9.998881e-01,  -7.997231e-01};

// Where frame 0's IMU is on the Earth (Karlsruhe, as KITTI): the oxts reader needs a latitude for
// its Mercator scale.
constexpr double kLat0 = 49.011;            // [deg]
constexpr double kLon0 = 8.4226;            // [deg]
constexpr double kAlt0 = 115.0;             // [m]
constexpr double kEarthRadius = 6378137.0;  // [m], as the KITTI devkit and formats/oxts.cpp

/// `T_velo_imu` with an orthonormal rotation: KITTI's 7-digit matrix is a rotation only to 1e-7,
/// and the oxts rotation written here must be exact for the reader to reproduce the poses.
geometry::Pose velo_from_imu() {
  Eigen::Matrix3d R;
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) R(r, c) = kTrImuVelo[4 * r + c];
  }
  Eigen::JacobiSVD<Eigen::Matrix3d> svd(R, Eigen::ComputeFullU | Eigen::ComputeFullV);
  geometry::Pose T = geometry::Pose::Identity();
  T.linear() = svd.matrixU() * svd.matrixV().transpose();
  T.translation() = Eigen::Vector3d(kTrImuVelo[3], kTrImuVelo[7], kTrImuVelo[11]);
  return T;
}

void append_numbers(std::string& out, const double* v, int n) {
  char buf[32];
  for (int i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, " %.12e", v[i]);
    out += buf;
  }
  out += '\n';
}

std::string calib_text() {
  std::string out;
  for (int i = 0; i < 4; ++i) {
    out += "P" + std::to_string(i) + ":";
    append_numbers(out, kP[i], 12);
  }
  out += "R_rect";
  append_numbers(out, kRRect, 9);
  out += "Tr_velo_cam";
  append_numbers(out, kTrVeloCam, 12);
  const geometry::Pose T = velo_from_imu();
  double tr[12];
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 4; ++c) tr[4 * r + c] = T.matrix()(r, c);
  }
  out += "Tr_imu_velo";
  append_numbers(out, tr, 12);
  return out;
}

/// One oxts line per frame. The oxts reader (formats/datasets/oxts.cpp) makes T_world_imu from
/// Mercator x = s * lon * pi * R / 180, y = s * R * ln(tan((90 + lat) * pi / 360)), z = alt, with
/// s = cos(lat of record 0), and R = Rz(yaw) Ry(pitch) Rx(roll); this is its inverse, with the
/// scenario's world placed so that frame 0's IMU is at (kLat0, kLon0, kAlt0), axes east-north-up.
std::string oxts_text(const Scenario& sc) {
  // The reader takes T_imu_lidar = invert(T_velo_imu); with an orthonormal rotation that is exact.
  const geometry::Pose T_lidar_imu = velo_from_imu();
  const double s = std::cos(kLat0 * geometry::kPi / 180.0);
  const std::size_t n = sc.T_world_lidar.size();
  std::vector<geometry::Pose> imu(n);
  for (std::size_t i = 0; i < n; ++i) imu[i] = sc.T_world_lidar[i] * T_lidar_imu;
  if (n == 0) return {};
  const Eigen::Vector3d mercator0(
      s * kLon0 * geometry::kPi * kEarthRadius / 180.0,
      s * kEarthRadius * std::log(std::tan((90.0 + kLat0) * geometry::kPi / 360.0)), kAlt0);
  const Eigen::Vector3d offset = mercator0 - imu[0].translation();
  const double dt = sc.options.frame_period;
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    const Eigen::Vector3d m = offset + imu[i].translation();
    const double lon = m.x() * 180.0 / (s * geometry::kPi * kEarthRadius);
    const double lat =
        360.0 / geometry::kPi * std::atan(std::exp(m.y() / (s * kEarthRadius))) - 90.0;
    const geometry::YawPitchRoll ypr =
        geometry::yaw_pitch_roll(Eigen::Quaterniond(imu[i].linear()));
    // Rates by central differences (one-sided at the ends), in the world and the body frame.
    const std::size_t a = i > 0 ? i - 1 : i, b = i + 1 < n ? i + 1 : i;
    const double span = std::max<double>(static_cast<double>(b - a), 1.0) * dt;
    const Eigen::Vector3d v_world = (imu[b].translation() - imu[a].translation()) / span;
    const Eigen::Vector3d v_body = imu[i].linear().transpose() * v_world;
    Eigen::Vector3d acc_world = Eigen::Vector3d::Zero();
    if (i > 0 && i + 1 < n) {
      acc_world =
          (imu[i + 1].translation() - 2.0 * imu[i].translation() + imu[i - 1].translation()) /
          (dt * dt);
    }
    // An accelerometer feels gravity as an upward acceleration.
    const Eigen::Vector3d acc_body =
        imu[i].linear().transpose() * (acc_world + Eigen::Vector3d(0, 0, 9.81));
    const double yaw_a = geometry::yaw_pitch_roll(Eigen::Quaterniond(imu[a].linear())).yaw;
    const double yaw_b = geometry::yaw_pitch_roll(Eigen::Quaterniond(imu[b].linear())).yaw;
    const double yaw_rate = geometry::wrap_angle(yaw_b - yaw_a) / span;
    char line[1024];
    std::snprintf(line, sizeof line,
                  "%.12f %.12f %.6f %.12f %.12f %.12f %.6f %.6f %.6f %.6f %.6f %.6f %.6f %.6f "
                  "%.6f %.6f %.6f %.6f %.6f %.6f %.6f %.6f %.6f %.6f %.6f 4 11 4 4 6\n",
                  lat, lon, m.z(), ypr.roll, ypr.pitch, ypr.yaw, v_world.y(), v_world.x(),
                  v_body.x(), v_body.y(), v_body.z(), acc_body.x(), acc_body.y(), acc_body.z(),
                  acc_body.x(), acc_body.y(), acc_body.z(), 0.0, 0.0, yaw_rate, 0.0, 0.0, yaw_rate,
                  0.05, 0.02);
    out += line;
  }
  return out;
}

std::string frame_name(int frame) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%06d", frame);
  return buf;
}

std::string to_bytes(const std::vector<Eigen::Vector4f>& points) {
  std::string bytes(points.size() * 4 * sizeof(float), '\0');
  for (std::size_t i = 0; i < points.size(); ++i) {
    const float v[4] = {points[i].x(), points[i].y(), points[i].z(), points[i].w()};
    std::memcpy(&bytes[i * sizeof v], v, sizeof v);
  }
  return bytes;
}

int occlusion_level(double visible) { return visible >= 0.8 ? 0 : visible >= 0.4 ? 1 : 2; }

}  // namespace

formats::Expected<WriteSummary> write_kitti_tracking_report(const Scenario& sc,
                                                            const fs::path& root,
                                                            const std::string& name,
                                                            std::size_t min_label_points,
                                                            const FrameProgress& progress) {
  std::error_code ec;
  fs::create_directories(root / "velodyne", ec);
  if (ec) {
    return formats::Error{formats::ErrorCode::kIo, "cannot create the folder: " + ec.message(),
                          (root / "velodyne").string()};
  }
  auto staged = formats::StagedDirectory::begin(root / "velodyne" / name, true);
  if (!staged) return std::move(staged).error();

  formats::Annotations doc;
  doc.sequence = formats::SequenceRef{"kitti-tracking", root.string(), name};
  std::vector<formats::Track> tracks(sc.actors.size());
  WriteSummary summary;
  const int frames = static_cast<int>(sc.T_world_lidar.size());
  for (int f = 0; f < frames; ++f) {
    if (progress && !progress(f, frames)) {
      return formats::Error{formats::ErrorCode::kCancelled, "cancelled", root.string()};
    }
    const ScanFrame scan = render_frame(sc, f);
    formats::Status written = formats::write_staged_file(staged->path() / (frame_name(f) + ".bin"),
                                                         to_bytes(scan.points));
    if (!written) return std::move(written).error();
    doc.frames.push_back(formats::FrameInfo{frame_name(f), f * 100000LL, {}, {}});
    summary.points += scan.points.size();
    summary.truth_boxes += scan.truth.size();
    for (const TruthBox& t : scan.truth) {
      if (t.points < min_label_points) continue;
      formats::BoxState state;
      state.frame = f;
      state.box = t.box_in_lidar;
      state.shape_frame = formats::ShapeFrame::kLidar;
      state.provenance = formats::Provenance::kManual;
      state.keyframe = true;
      formats::KittiCameraFields camera;
      camera.occluded = occlusion_level(t.visible);
      state.kitti = camera;  // only `occluded` is used: the 2D box comes from the projection
      tracks[static_cast<std::size_t>(t.track_id)].boxes.push_back(std::move(state));
      ++summary.labelled_boxes;
    }
  }
  if (formats::Status done = staged->commit(); !done) return std::move(done).error();
  summary.frames = static_cast<std::size_t>(frames);

  for (const auto& [folder, text] :
       {std::pair{fs::path("calib"), calib_text()}, std::pair{fs::path("oxts"), oxts_text(sc)}}) {
    fs::create_directories(root / folder, ec);
    formats::Status ok = formats::write_file_atomic(root / folder / (name + ".txt"), text, true);
    if (!ok) return std::move(ok).error();
  }

  for (std::size_t i = 0; i < sc.actors.size(); ++i) {
    if (tracks[i].boxes.empty()) continue;
    tracks[i].id = sc.actors[i].track_id;
    tracks[i].label = sc.actors[i].class_name;
    doc.ensure_class(tracks[i].label);
    doc.tracks.push_back(std::move(tracks[i]));
  }
  formats::SequenceOptions open;
  open.layout = "kitti-tracking";
  open.name = name;
  auto sequence = formats::open_sequence(root, open);
  if (!sequence) return std::move(sequence).error();
  formats::LabelContext context;
  context.sequence = &*sequence;
  context.overwrite = true;
  context.include_outside_fov = true;  // a LiDAR sequence is labelled all around
  auto labels = formats::write_kitti_tracking_annotations(doc, root / "label_02", context);
  if (!labels) return std::move(labels).error();
  return summary;
}

formats::Status write_kitti_tracking(const Scenario& scenario, const fs::path& root,
                                     const std::string& name, std::size_t min_label_points) {
  auto written = write_kitti_tracking_report(scenario, root, name, min_label_points, {});
  if (!written) return std::move(written).error();
  return {};
}

}  // namespace pcanno::synthetic
