// The external-process detector: the host side of docs/detector_protocol.md.
#include "pcanno/plugin/detectors/process_detector.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "pcanno/formats/datasets/kitti_calib.hpp"

namespace pcanno::plugin {
namespace {

using detail::ChildProcess;
using formats::Error;
using formats::ErrorCode;
using formats::Expected;
using formats::Status;
using nlohmann::json;

constexpr int kProtocolVersion = 1;
constexpr double kShutdownGrace_s = 2.0;
constexpr double kHelloTimeout_s = 30.0;

std::string quoted_excerpt(const std::string& line) {
  constexpr std::size_t kMax = 160;
  std::string out = line.size() > kMax ? line.substr(0, kMax) + "..." : line;
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  }
  return "'" + out + "'";
}

/// Standard base64 (RFC 4648) with padding.
std::string base64(const unsigned char* data, std::size_t n) {
  static const char* const kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((n + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < n; i += 3) {
    const std::uint32_t v = std::uint32_t(data[i]) << 16 | std::uint32_t(data[i + 1]) << 8 | data[i + 2];
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += kAlphabet[v >> 6 & 63];
    out += kAlphabet[v & 63];
  }
  if (i < n) {
    std::uint32_t v = std::uint32_t(data[i]) << 16;
    if (i + 1 < n) v |= std::uint32_t(data[i + 1]) << 8;
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += i + 1 < n ? kAlphabet[v >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

/// The frame's points in the LiDAR frame as little-endian float32 x, y, z, intensity records.
std::string encoded_points(const formats::PointCloud& cloud) {
  const std::vector<float>* intensity = cloud.attribute(formats::attribute_names::kIntensity);
  std::vector<unsigned char> bytes(cloud.size() * 16);
  for (std::size_t i = 0; i < cloud.size(); ++i) {
    const Eigen::Vector3d p = cloud.point(i);
    const float record[4] = {static_cast<float>(p.x()), static_cast<float>(p.y()),
                             static_cast<float>(p.z()), intensity ? (*intensity)[i] : 0.0f};
    for (int k = 0; k < 4; ++k) {
      std::uint32_t bits = 0;
      std::memcpy(&bits, &record[k], 4);
      unsigned char* out = &bytes[i * 16 + static_cast<std::size_t>(k) * 4];
      for (int b = 0; b < 4; ++b) out[b] = static_cast<unsigned char>(bits >> (8 * b));
    }
  }
  return base64(bytes.data(), bytes.size());
}

std::optional<Eigen::Vector3d> vector3(const json& j) {
  if (!j.is_array() || j.size() != 3) return std::nullopt;
  Eigen::Vector3d v;
  for (int k = 0; k < 3; ++k) {
    if (!j[static_cast<std::size_t>(k)].is_number()) return std::nullopt;
    v[k] = j[static_cast<std::size_t>(k)].get<double>();
  }
  if (!v.allFinite()) return std::nullopt;
  return v;
}

/// `m` as its numbers, row by row.
template <typename Matrix>
json row_major(const Matrix& m) {
  json out = json::array();
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    for (Eigen::Index c = 0; c < m.cols(); ++c) out.push_back(m(r, c));
  }
  return out;
}

/// The request's optional "calibration" (docs/detector_protocol.md): the LiDAR's mount on the
/// vehicle and, for KITTI, each rectified camera as T_cam_lidar and K. A KITTI projection
/// P_i = [K_i | K_i b_i] (b_i the translation from rectified camera 0's frame into camera i's:
/// p_cam_i = p_rect0 + b_i, so camera i's centre is at -b_i) gives
/// T_cam_lidar = [I | b_i] * R0_rect * Tr_velo_to_cam, so that K_i * T_cam_lidar * x equals the
/// devkit's P_i * R0_rect * Tr_velo_to_cam * x. Null when the frame has nothing to send.
json calibration_json(const formats::Calibration* calibration) {
  if (calibration == nullptr) return nullptr;
  json out = json::object();
  if (calibration->T_ego_lidar) out["T_ego_lidar"] = row_major(calibration->T_ego_lidar->matrix());
  if (calibration->kitti) {
    const formats::KittiCalib& kitti = *calibration->kitti;
    const Eigen::Matrix4d T_rect_lidar = kitti.T_rect_velo();
    json cameras = json::array();
    for (std::size_t i = 0; i < kitti.P.size(); ++i) {
      if (!kitti.has_P[i]) continue;
      const Eigen::Matrix3d K = kitti.P[i].leftCols<3>();
      if (!(std::abs(K.determinant()) > 0.0)) continue;  // not a projection: nothing to send
      Eigen::Matrix4d offset = Eigen::Matrix4d::Identity();
      offset.block<3, 1>(0, 3) = K.inverse() * kitti.P[i].col(3);
      cameras.push_back({{"name", "P" + std::to_string(i)},
                         {"T_cam_lidar", row_major(offset * T_rect_lidar)},
                         {"K", row_major(K)}});
    }
    if (!cameras.empty()) out["cameras"] = std::move(cameras);
  }
  if (out.empty()) return nullptr;
  return out;
}

class ProcessDetector final : public Detector {
 public:
  ProcessDetector(ProcessDetectorOptions options, std::unique_ptr<ChildProcess> child)
      : options_(std::move(options)),
        child_(std::move(child)),
        command_(detail::command_line(options_.command)) {}

  ~ProcessDetector() override {
    if (!child_) return;
    // A clean shutdown: the request, then the end of stdin; a child that lingers is killed.
    if (!failed_) child_->exchange(json{{"type", "shutdown"}}.dump() + "\n", 0.5, 4096, {});
    child_->close_stdin();
    if (!child_->wait_exit(failed_ ? 0.0 : kShutdownGrace_s)) child_->kill();
  }

  Status handshake() {
    const json hello{{"type", "hello"},
                     {"protocol", kProtocolVersion},
                     {"host", "pcanno"},
                     {"parameters", options_.parameters}};
    // Loading a model takes longer than a frame: the hello waits at least kHelloTimeout_s.
    const auto line =
        exchange(hello.dump() + "\n", "the hello", {}, std::max(options_.timeout_s, kHelloTimeout_s));
    if (!line) return line.error();
    const json j = json::parse(*line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail("the hello", "not a JSON object", *line);
    if (j.contains("error")) return fail("the hello", "the detector reported an error", *line);
    if (j.value("type", "") != "hello") return fail("the hello", "expected type \"hello\"", *line);
    if (!j.contains("protocol") || !j["protocol"].is_number_integer() ||
        j["protocol"].get<int>() != kProtocolVersion) {
      return fail("the hello",
                  "protocol version " + std::to_string(kProtocolVersion) + " expected", *line);
    }
    if (!j.contains("classes") || !j["classes"].is_array() || j["classes"].empty()) {
      return fail("the hello", "'classes' must be a non-empty array of strings", *line);
    }
    for (const json& c : j["classes"]) {
      if (!c.is_string() || c.get<std::string>().empty()) {
        return fail("the hello", "'classes' must be a non-empty array of strings", *line);
      }
      classes_.insert(c.get<std::string>());
    }
    return {};
  }

  Expected<std::vector<Detection>> detect(const DetectorFrame& frame,
                                          const std::function<bool()>& stop) override {
    const std::string where = "frame " + std::to_string(frame.index);
    if (failed_) {
      return Error{ErrorCode::kIo,
                   prefix() + where + ": the detector process failed earlier and was stopped", ""};
    }
    if (frame.cloud == nullptr) {
      return Error{ErrorCode::kInvalidArgument, prefix() + where + ": the frame has no cloud", ""};
    }
    const std::int64_t id = ++request_id_;
    const json pose =
        frame.T_world_lidar ? row_major(frame.T_world_lidar->matrix()) : json(nullptr);
    json request{{"type", "detect"},
                 {"id", id},
                 {"frame", frame.index},
                 {"timestamp_us", frame.timestamp_us >= 0 ? json(frame.timestamp_us) : json(nullptr)},
                 {"pose", pose},
                 {"points",
                  {{"count", frame.cloud->size()},
                   {"format", "float32le-xyzi"},
                   {"encoding", "base64"},
                   {"data", encoded_points(*frame.cloud)}}}};
    // Optional, so that a detector written before it existed reads the request unchanged.
    if (json calibration = calibration_json(frame.calibration); !calibration.is_null()) {
      request["calibration"] = std::move(calibration);
    }
    const auto line = exchange(request.dump() + "\n", where, stop);
    if (!line) return line.error();
    return parse_detections(*line, id, where);
  }

 private:
  std::string prefix() const { return "detector '" + options_.id + "' (" + command_ + "): "; }

  /// Fails the run: the child is killed and its stderr's tail joins the message.
  Error fail(const std::string& where, const std::string& what, const std::string& line,
             ErrorCode code = ErrorCode::kMalformed) {
    std::string message = prefix() + where + ": " + what;
    if (!line.empty() || child_->lines_read() > 0) {
      message += " in response line " + std::to_string(child_->lines_read()) + " (stdout byte " +
                 std::to_string(child_->stdout_offset() - line.size() - 1) + ")";
      if (!line.empty()) message += ": " + quoted_excerpt(line);
    }
    return terminate(std::move(message), code);
  }

  Error terminate(std::string message, ErrorCode code) {
    failed_ = true;
    child_->kill();
    const std::string tail = child_->stderr_tail();
    if (!tail.empty()) message += "; stderr: " + tail;
    return Error{code, std::move(message), ""};
  }

  Expected<std::string> exchange(const std::string& request, const std::string& where,
                                 const std::function<bool()>& stop = {}, double timeout_s = 0.0) {
    if (timeout_s <= 0.0) timeout_s = options_.timeout_s;
    ChildProcess::Result r =
        child_->exchange(request, timeout_s, options_.max_response_bytes, stop);
    switch (r.outcome) {
      case ChildProcess::Outcome::kLine: return std::move(r.line);
      case ChildProcess::Outcome::kStopped:
        return terminate(prefix() + where + ": cancelled; the detector process was killed",
                         ErrorCode::kCancelled);
      case ChildProcess::Outcome::kTimeout: {
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%g", timeout_s);
        return terminate(prefix() + where + ": no response within " + seconds +
                             " s (timeout_s); the detector process was killed",
                         ErrorCode::kIo);
      }
      case ChildProcess::Outcome::kTooLong:
        return terminate(prefix() + where + ": response too long at stdout byte " +
                             std::to_string(child_->stdout_offset()) + ": " + r.detail,
                         ErrorCode::kMalformed);
      case ChildProcess::Outcome::kClosed: {
        const std::string how = child_->exit_description();
        return terminate(prefix() + where + ": the detector process " + how + " (" + r.detail + ")",
                         ErrorCode::kIo);
      }
      case ChildProcess::Outcome::kIoError: break;
    }
    return terminate(prefix() + where + ": " + r.detail, ErrorCode::kIo);
  }

  Expected<std::vector<Detection>> parse_detections(const std::string& line, std::int64_t id,
                                                    const std::string& where) {
    const json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail(where, "not a JSON object", line);
    if (j.contains("error")) {
      const std::string what =
          j["error"].is_string() ? j["error"].get<std::string>() : j["error"].dump();
      return fail(where, "the detector reported an error: " + what, line, ErrorCode::kIo);
    }
    if (!j.contains("id") || !j["id"].is_number_integer() || j["id"].get<std::int64_t>() != id) {
      return fail(where, "expected \"id\": " + std::to_string(id), line);
    }
    if (j.value("type", "") != "detections") {
      return fail(where, "expected type \"detections\"", line);
    }
    if (!j.contains("boxes") || !j["boxes"].is_array()) {
      return fail(where, "'boxes' must be an array", line);
    }
    std::vector<Detection> out;
    std::size_t index = 0;
    for (const json& b : j["boxes"]) {
      const std::string at = "box " + std::to_string(index++) + ": ";
      if (!b.is_object()) return fail(where, at + "not an object", line);
      if (!b.contains("class") || !b["class"].is_string()) {
        return fail(where, at + "'class' must be a string", line);
      }
      Detection d;
      d.class_name = b["class"].get<std::string>();
      if (classes_.count(d.class_name) == 0) {
        return fail(where, at + "class '" + d.class_name + "' is not among the classes of the hello",
                    line);
      }
      const auto center = b.contains("center") ? vector3(b["center"]) : std::nullopt;
      const auto size = b.contains("size") ? vector3(b["size"]) : std::nullopt;
      if (!center) return fail(where, at + "'center' must be 3 finite numbers [m]", line);
      if (!size || !(size->minCoeff() > 0)) {
        return fail(where, at + "'size' must be 3 numbers > 0 (length, width, height) [m]", line);
      }
      if (!b.contains("yaw") || !b["yaw"].is_number() || !std::isfinite(b["yaw"].get<double>())) {
        return fail(where, at + "'yaw' must be a finite number [rad]", line);
      }
      if (!b.contains("score") || !b["score"].is_number() || !(b["score"].get<double>() >= 0.0) ||
          !(b["score"].get<double>() <= 1.0)) {
        return fail(where, at + "'score' must be a number in [0, 1]", line);
      }
      d.box_in_lidar = geometry::Cuboid::from_yaw(*center, *size, b["yaw"].get<double>());
      d.score = b["score"].get<double>();
      if (b.contains("attributes") && b["attributes"].is_object()) {
        for (const auto& [key, value] : b["attributes"].items()) {
          d.attributes[key] = value.is_string() ? value.get<std::string>() : value.dump();
        }
      }
      out.push_back(std::move(d));
    }
    return out;
  }

  ProcessDetectorOptions options_;
  std::unique_ptr<ChildProcess> child_;
  std::string command_;
  std::set<std::string> classes_;
  std::int64_t request_id_ = 0;
  bool failed_ = false;
};

}  // namespace

Expected<std::unique_ptr<Detector>> start_process_detector(const ProcessDetectorOptions& options) {
  const std::string command = detail::command_line(options.command);
  if (options.command.empty()) {
    return Error{ErrorCode::kInvalidArgument, "detector '" + options.id + "': empty command", ""};
  }
  auto child = detail::ChildProcess::start(options.command, options.working_directory);
  if (!child) {
    return Error{child.error().code, "detector '" + options.id + "': " + child.error().message, ""};
  }
  auto detector = std::make_unique<ProcessDetector>(options, std::move(*child));
  if (formats::Status s = detector->handshake(); !s) return s.error();
  return std::unique_ptr<Detector>(std::move(detector));
}

}  // namespace pcanno::plugin
