// KITTI raw drives: `<date>/<date>_drive_NNNN_sync/{velodyne_points,oxts}` with the calibration
// files of the day one folder up (formats.md section 5).
#include <cstdio>
#include <map>

#include "datasets/camera_images.hpp"
#include "datasets/layouts.hpp"
#include "pcanno/formats/datasets/oxts.hpp"
#include "support/input_file.hpp"
#include "support/text_scan.hpp"

namespace pcanno::formats::detail {
namespace fs = std::filesystem;

namespace {

using KeyValues = std::map<std::string, std::vector<double>, std::less<>>;

/// Raw calibration files are `key: numbers` lines; keys whose values are not all numbers
/// (calib_time) are skipped.
Expected<KeyValues> read_key_values(const fs::path& path) {
  auto text = read_file_text(path);
  if (!text) return text.error();
  KeyValues out;
  LineScanner lines(*text);
  std::string_view line;
  std::vector<std::string_view> tokens;
  while (lines.next(line)) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    split_tokens(line.substr(colon + 1), tokens);
    std::vector<double> values(tokens.size());
    bool numeric = !tokens.empty();
    for (std::size_t i = 0; i < tokens.size() && numeric; ++i)
      numeric = parse_double(tokens[i], values[i]);
    if (numeric) out[std::string(trim(line.substr(0, colon)))] = std::move(values);
  }
  return out;
}

Expected<std::vector<double>> need(const KeyValues& kv, const std::string& key, std::size_t n,
                                   const fs::path& path) {
  const auto it = kv.find(key);
  if (it == kv.end() || it->second.size() != n) {
    return Error{ErrorCode::kMalformed,
                 "expected '" + key + ":' with " + std::to_string(n) + " numbers", path.string()};
  }
  return it->second;
}

/// [R|T] from a raw `R: 9 numbers` / `T: 3 numbers` file.
Expected<Eigen::Matrix<double, 3, 4>> read_rigid(const fs::path& path) {
  auto kv = read_key_values(path);
  if (!kv) return kv.error();
  auto R = need(*kv, "R", 9, path);
  if (!R) return R.error();
  auto T = need(*kv, "T", 3, path);
  if (!T) return T.error();
  Eigen::Matrix<double, 3, 4> M;
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) M(r, c) = (*R)[3 * r + c];
    M(r, 3) = (*T)[r];
  }
  return M;
}

/// The raw drive calibration as the object/tracking KittiCalib (P_rect_0i, R_rect_00, velo->cam,
/// imu->velo).
Expected<Calibration> read_raw_calibration(const fs::path& date_dir) {
  const fs::path velo_to_cam = date_dir / "calib_velo_to_cam.txt";
  const fs::path cam_to_cam = date_dir / "calib_cam_to_cam.txt";
  const fs::path imu_to_velo = date_dir / "calib_imu_to_velo.txt";
  KittiCalib calib;
  auto tr = read_rigid(velo_to_cam);
  if (!tr) return tr.error();
  calib.Tr_velo_to_cam = *tr;
  auto cams = read_key_values(cam_to_cam);
  if (!cams) return cams.error();
  auto R_rect = need(*cams, "R_rect_00", 9, cam_to_cam);
  if (!R_rect) return R_rect.error();
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) calib.R0_rect(r, c) = (*R_rect)[3 * r + c];
  }
  for (int i = 0; i < 4; ++i) {
    const auto it = cams->find("P_rect_0" + std::to_string(i));
    if (it == cams->end() || it->second.size() != 12) continue;
    for (int k = 0; k < 12; ++k) calib.P[i](k / 4, k % 4) = it->second[k];
    calib.has_P[i] = true;
  }
  if (!calib.has_P[2])
    return Error{ErrorCode::kMalformed, "expected 'P_rect_02:' with 12 numbers",
                 cam_to_cam.string()};
  Calibration out;
  out.source = velo_to_cam;
  if (fs::exists(imu_to_velo)) {
    auto imu = read_rigid(imu_to_velo);
    if (!imu) return imu.error();
    calib.Tr_imu_to_velo = *imu;
    calib.has_imu_to_velo = true;
    geometry::Pose T_velo_imu = geometry::Pose::Identity();
    T_velo_imu.matrix().topRows<3>() = *imu;
    out.T_ego_lidar = geometry::invert(T_velo_imu);
  }
  out.kitti = calib;
  return out;
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

bool parse_kitti_timestamp(std::string_view text, std::int64_t& us) {
  int year, month, day, hour, minute;
  double second;
  const std::string s(text);
  if (std::sscanf(s.c_str(), "%d-%d-%d %d:%d:%lf", &year, &month, &day, &hour, &minute, &second) !=
      6) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second < 0 ||
      second >= 61) {
    return false;
  }
  const std::int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  us = ((days * 24 + hour) * 60 + minute) * 60'000'000LL +
       static_cast<std::int64_t>(second * 1e6 + 0.5);
  return true;
}

fs::path kitti_raw_root(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(path / "velodyne_points" / "data", ec) ? path : fs::path();
}

Expected<Sequence> open_kitti_raw(const fs::path& root, const SequenceOptions& /*options*/) {
  Sequence seq;
  seq.layout = "kitti-raw";
  seq.root = root;
  seq.name = fs::absolute(root).lexically_normal().filename().string();
  const auto files = list_files(root / "velodyne_points" / "data",
                                [](const fs::path& p) { return p.extension() == ".bin"; });
  if (files.empty())
    return Error{ErrorCode::kNotFound, "no velodyne_points/data/*.bin", root.string()};

  const fs::path date_dir = fs::absolute(root).lexically_normal().parent_path();
  int calib_index = -1;
  if (fs::exists(date_dir / "calib_velo_to_cam.txt")) {
    auto calib = read_raw_calibration(date_dir);
    if (!calib) return calib.error();
    seq.calibrations.push_back(*calib);
    calib_index = 0;
  } else {
    seq.warnings.push_back("no calibration files in " + date_dir.string());
  }

  std::vector<std::int64_t> times;
  const fs::path stamps = root / "velodyne_points" / "timestamps.txt";
  if (fs::exists(stamps)) {
    auto text = read_file_text(stamps);
    if (!text) return text.error();
    LineScanner lines(*text);
    std::string_view line;
    while (lines.next(line)) {
      if (line.empty()) continue;
      std::int64_t us = 0;
      if (!parse_kitti_timestamp(line, us)) {
        return Error{ErrorCode::kMalformed, "expected a time like 2011-09-26 13:02:25.964389445",
                     stamps.string(), lines.line_number()};
      }
      times.push_back(us);
    }
  }

  std::vector<geometry::Pose> poses;
  const fs::path oxts_dir = root / "oxts" / "data";
  const auto oxts_files =
      list_files(oxts_dir, [](const fs::path& p) { return p.extension() == ".txt"; });
  if (!oxts_files.empty()) {
    std::vector<OxtsRecord> records;
    for (const fs::path& f : oxts_files) {
      auto one = read_oxts(f);
      if (!one) return one.error();
      if (one->size() != 1) {
        return Error{ErrorCode::kMalformed, "expected exactly one oxts record", f.string()};
      }
      records.push_back(one->front());
    }
    poses = oxts_to_poses(records, OxtsOrigin::kFirstFrame);
  }

  const auto T_imu_lidar = calib_index >= 0 ? seq.calibrations[0].T_ego_lidar : std::nullopt;
  for (std::size_t i = 0; i < files.size(); ++i) {
    FrameRef frame;
    frame.cloud_path = files[i];
    frame.format = "kitti-bin";
    frame.name = files[i].stem().string();
    frame.calibration = calib_index;
    if (i < times.size()) frame.timestamp_us = times[i];
    if (i < poses.size()) frame.T_world_lidar = T_imu_lidar ? poses[i] * *T_imu_lidar : poses[i];
    seq.frames.push_back(std::move(frame));
  }
  if (!times.empty() && times.size() != files.size()) {
    seq.warnings.push_back(std::to_string(times.size()) + " timestamps for " +
                           std::to_string(files.size()) + " frames");
  }
  if (!poses.empty() && poses.size() != files.size()) {
    seq.warnings.push_back(std::to_string(poses.size()) + " oxts records for " +
                           std::to_string(files.size()) + " frames");
  }
  // Cameras 0-1 are grey, 2-3 colour; each is listed when its folder is there.
  std::vector<std::string> channels;
  for (int camera = 0; camera < 4; ++camera) {
    channels.push_back("image_0" + std::to_string(camera));
    add_kitti_images(seq, root / channels.back() / "data", camera, channels.back());
  }
  finish_cameras(seq, channels);
  return seq;
}

}  // namespace pcanno::formats::detail
