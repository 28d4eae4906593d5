#include "labels/kitti/projection.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <utility>

#include "pcanno/formats/labels/shape_frames.hpp"
#include "pcanno/geometry/kitti_convention.hpp"
#include "support/text_scan.hpp"

namespace pcanno::formats::detail::kitti {
namespace fs = std::filesystem;

namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

std::uint32_t big_endian_u32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// Bottom face, top face, then the four vertical edges (corner order of geometry::Cuboid).
constexpr int kEdges[12][2] = {{0, 1}, {1, 2}, {2, 3}, {3, 0}, {4, 5}, {5, 6},
                               {6, 7}, {7, 4}, {0, 4}, {1, 5}, {2, 6}, {3, 7}};

Eigen::Vector3d to_rect(const Eigen::Matrix4d& T_rect_velo, const Eigen::Vector3d& p) {
  const Eigen::Vector4d q = T_rect_velo * p.homogeneous();
  return q.head<3>() / q.w();
}

bool is_finite(const geometry::Cuboid& box) {
  return box.center.allFinite() && box.size.allFinite() && box.rotation.coeffs().allFinite();
}

bool is_finite(const KittiLabelRow& row) {
  bool finite = std::isfinite(row.truncated) && std::isfinite(row.alpha) &&
                row.box.hwl.allFinite() && row.box.location.allFinite() &&
                std::isfinite(row.box.rotation_y) && (!row.score || std::isfinite(*row.score));
  for (double v : row.bbox) finite = finite && std::isfinite(v);
  return finite;
}

Error box_error(ErrorCode code, const Track& track, const BoxState& state,
                const std::string& message) {
  return Error{code,
               "track " + std::to_string(track.id) + " ('" + track.label + "'), frame " +
                   std::to_string(state.frame) + ": " + message,
               ""};
}

/// KITTI tracking truncation level. On sequences 0000-0012 the official level 1 matches "at least
/// half of the projected box outside the image" for 1294 of 1310 boxes and level 0 the opposite
/// for 19016 of 19019; level 2 does not follow the geometry (most such boxes lie inside the image),
/// so it is never guessed.
double tracking_truncation_level(double outside_fraction) {
  return outside_fraction >= 0.5 ? 1.0 : 0.0;
}

}  // namespace

std::optional<ImageSize> read_png_size(const fs::path& path) {
  File file(std::fopen(path.c_str(), "rb"));
  if (!file) return std::nullopt;
  unsigned char header[24];
  if (std::fread(header, 1, sizeof(header), file.get()) != sizeof(header)) return std::nullopt;
  static constexpr unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (!std::equal(std::begin(kSignature), std::end(kSignature), header)) return std::nullopt;
  if (big_endian_u32(header + 8) != 13 || !std::equal(header + 12, header + 16, "IHDR")) {
    return std::nullopt;
  }
  const std::uint32_t width = big_endian_u32(header + 16);
  const std::uint32_t height = big_endian_u32(header + 20);
  constexpr std::uint32_t kMax = std::numeric_limits<std::int32_t>::max();  // PNG's own limit
  if (width == 0 || height == 0 || width > kMax || height > kMax) return std::nullopt;
  return ImageSize{static_cast<int>(width), static_cast<int>(height)};
}

ImageSize ImageSizes::of(std::int64_t frame) {
  const auto cached = cache_.find(frame);
  if (cached != cache_.end()) return cached->second;
  ImageSize size;
  if (sequence_ != nullptr && frame >= 0 &&
      static_cast<std::size_t>(frame) < sequence_->frames.size()) {
    const std::string png = sequence_->frames[static_cast<std::size_t>(frame)].name + ".png";
    const fs::path image = sequence_->layout == "kitti-tracking"
                               ? sequence_->root / "image_02" / sequence_->name / png
                               : sequence_->root / "image_2" / png;
    if (const auto read = read_png_size(image)) size = *read;
  }
  cache_.emplace(frame, size);
  return size;
}

ImageBox project_box(const geometry::Cuboid& box_in_lidar, const KittiCalib& calib,
                     const ImageSize& image) {
  const Eigen::Matrix4d T_rect_velo = calib.T_rect_velo();
  const Eigen::Matrix<double, 3, 4>& P2 = calib.P[2];
  ImageBox out;
  out.centre_in_front = to_rect(T_rect_velo, box_in_lidar.center).z() > kMinDepth;

  std::array<Eigen::Vector3d, 8> corners;
  const auto lidar_corners = box_in_lidar.corners();
  for (std::size_t i = 0; i < 8; ++i) corners[i] = to_rect(T_rect_velo, lidar_corners[i]);

  // Visible corners plus the points where edges cross the near plane bound the visible part.
  std::vector<Eigen::Vector3d> points;
  points.reserve(20);
  for (const auto& c : corners) {
    if (c.z() >= kMinDepth) points.push_back(c);
  }
  for (const auto& edge : kEdges) {
    const Eigen::Vector3d& a = corners[static_cast<std::size_t>(edge[0])];
    const Eigen::Vector3d& b = corners[static_cast<std::size_t>(edge[1])];
    if ((a.z() < kMinDepth) != (b.z() < kMinDepth)) {
      const double t = (kMinDepth - a.z()) / (b.z() - a.z());
      points.push_back(a + t * (b - a));
    }
  }

  double left = std::numeric_limits<double>::infinity(), top = left;
  double right = -left, bottom = -left;
  for (const auto& p : points) {
    const Eigen::Vector3d uvw = P2 * p.homogeneous();
    if (!(uvw.z() > 1e-9)) continue;  // P2's depth offset is millimetres; guard odd calibrations
    const double u = uvw.x() / uvw.z(), v = uvw.y() / uvw.z();
    left = std::min(left, u);
    right = std::max(right, u);
    top = std::min(top, v);
    bottom = std::max(bottom, v);
  }
  if (!(left <= right && top <= bottom)) return out;
  out.projects = true;
  out.unclipped = {left, top, right, bottom};

  // KITTI pixel coordinates are 0-based, so the last column is width - 1 (official boxes end at
  // 1241 and 374 for 1242x375 images).
  const double max_u = image.width - 1.0, max_v = image.height - 1.0;
  out.clipped = {std::clamp(left, 0.0, max_u), std::clamp(top, 0.0, max_v),
                 std::clamp(right, 0.0, max_u), std::clamp(bottom, 0.0, max_v)};
  out.overlaps_image = right >= 0.0 && left <= max_u && bottom >= 0.0 && top <= max_v;
  const double area = (right - left) * (bottom - top);
  const double inside = (out.clipped[2] - out.clipped[0]) * (out.clipped[3] - out.clipped[1]);
  if (!out.overlaps_image) {
    out.outside_fraction = 1.0;
  } else if (area > 0.0) {
    out.outside_fraction = std::clamp(1.0 - inside / area, 0.0, 1.0);
  } else {
    out.outside_fraction = 0.0;
  }
  return out;
}

Expected<std::optional<KittiLabelRow>> box_row(const Track& track, const BoxState& state,
                                               const Sequence* sequence, KittiBenchmark benchmark,
                                               const LabelContext& context, ImageSizes& images,
                                               WriteReport& report) {
  if (!is_finite(state.box)) {
    return box_error(ErrorCode::kMalformed, track, state, "the box has a non-finite value");
  }
  Expected<geometry::Cuboid> lidar = box_in_lidar(state, sequence);
  if (!lidar) return box_error(lidar.error().code, track, state, lidar.error().message);
  const Calibration* calibration =
      sequence != nullptr && state.frame >= 0
          ? sequence->calibration_of(static_cast<std::size_t>(state.frame))
          : nullptr;
  if (calibration == nullptr || !calibration->kitti) {
    return box_error(ErrorCode::kUnsupported, track, state,
                     "no KITTI calibration for this frame; KITTI labels are in the camera frame, "
                     "give the calibration with --sequence");
  }
  const KittiCalib& calib = *calibration->kitti;

  KittiLabelRow row;
  row.frame = static_cast<int>(state.frame);
  row.track_id = static_cast<int>(track.id);
  row.type = kitti_type_of_class(track.label, context);
  row.box = geometry::kitti_lidar_to_camera(*lidar, calib.T_rect_velo());
  row.score = state.score;

  if (state.kitti && state.provenance == Provenance::kImported) {
    // KITTI's own 2D boxes are kept: object boxes were drawn on the image, tracking boxes were
    // clipped to each drive's own image size, and either says the object is in view.
    row.truncated = state.kitti->truncated;
    row.occluded = state.kitti->occluded;
    row.alpha = state.kitti->alpha;
    row.bbox = state.kitti->bbox;
  } else {
    const ImageBox image_box = project_box(*lidar, calib, images.of(state.frame));
    if (!image_box.in_view() && !context.include_outside_fov) {
      ++report.dropped[kOutsideFov];
      return std::optional<KittiLabelRow>();
    }
    row.alpha = geometry::kitti_alpha(row.box.location, row.box.rotation_y);
    row.bbox = image_box.projects ? image_box.clipped : std::array<double, 4>{};
    row.truncated = benchmark == KittiBenchmark::kObject
                        ? image_box.outside_fraction
                        : tracking_truncation_level(image_box.outside_fraction);
    // Occlusion cannot be told from the geometry; 0 keeps the object in every difficulty level.
    row.occluded = state.kitti ? state.kitti->occluded : 0;
  }
  if (!is_finite(row)) {
    return box_error(ErrorCode::kMalformed, track, state,
                     "a KITTI field (camera fields or score) is not finite");
  }
  return std::optional<KittiLabelRow>(std::move(row));
}

void count_unwritable(const Annotations& annotations, WriteReport& report) {
  if (const std::size_t polylines = polyline_state_count(annotations); polylines > 0) {
    report.dropped[kDroppedPolylines] += polylines;
  }
  std::size_t attributes = 0;
  for (const Track& track : annotations.tracks) {
    attributes += track.attributes.size();
    for (const BoxState& state : track.boxes) attributes += state.attributes.size();
  }
  for (const FrameInfo& frame : annotations.frames) attributes += frame.attributes.size();
  if (attributes > 0) report.dropped[kDroppedAttributes] += attributes;
}

BoxState box_state_from_row(const KittiLabelRow& row, std::int64_t frame,
                            const Eigen::Matrix4d& T_rect_velo) {
  BoxState state;
  state.frame = frame;
  state.box = geometry::kitti_camera_to_lidar(row.box, T_rect_velo);
  state.shape_frame = ShapeFrame::kLidar;
  state.provenance = Provenance::kImported;
  state.keyframe = true;
  state.score = row.score;
  state.kitti = KittiCameraFields{row.truncated, row.occluded, row.alpha, row.bbox};
  return state;
}

Status check_kitti_type(const std::string& label) {
  const bool blank = std::any_of(label.begin(), label.end(),
                                 [](char c) { return c == '\n' || detail::is_blank(c); });
  if (label.empty() || blank) {
    return Error{ErrorCode::kUnsupported,
                 "class '" + label +
                     "' cannot be a KITTI type: types are single blank-free words; rename the "
                     "class",
                 ""};
  }
  return {};
}

std::string kitti_type_of_class(const std::string& label, const LabelContext& context) {
  static constexpr std::array<std::string_view, 10> kKittiTypes = {
      "Car",     "Van",  "Truck", "Pedestrian", "Person_sitting",
      "Cyclist", "Tram", "Misc",  "Person",     "DontCare"};
  if (context.class_map != nullptr) {
    const ClassMapping* m = context.class_map->to_external(label);
    if (m != nullptr &&
        std::find(kKittiTypes.begin(), kKittiTypes.end(), m->external) != kKittiTypes.end()) {
      return m->external;
    }
  }
  return label;
}

std::string class_of_kitti_type(const std::string& type, const LabelContext& context) {
  if (context.class_map != nullptr) {
    if (const ClassMapping* m = context.class_map->from_external(type)) return m->name;
  }
  return type;
}

Error no_calibration(const fs::path& path, const std::string& detail) {
  std::string message =
      "KITTI labels are in the camera frame; give the calibration with --sequence";
  if (!detail.empty()) message += " (" + detail + ")";
  return Error{ErrorCode::kUnsupported, std::move(message), path.string()};
}

std::optional<Sequence> discover_kitti_sequence(const fs::path& root, KittiBenchmark benchmark,
                                                const std::string& name,
                                                const std::vector<std::string>& frame_names) {
  const bool tracking = benchmark == KittiBenchmark::kTracking;
  SequenceOptions options;
  options.layout = tracking ? "kitti-tracking" : "kitti-object";
  options.name = tracking ? name : "";
  if (Expected<Sequence> opened = open_sequence(root, options);
      opened && opened->has_calibration()) {
    return std::move(opened).value();
  }

  // Labels and calibration without clouds (the devkit's layout): enough to convert boxes.
  Sequence seq;
  seq.layout = options.layout;
  seq.root = root;
  seq.name = tracking ? name : fs::absolute(root).lexically_normal().filename().string();
  seq.warnings.push_back("no point clouds: a calibration-only sequence built from " +
                         (root / "calib").string());
  const auto add_calibration = [&seq](const fs::path& file) -> int {
    Expected<KittiCalib> calib = read_kitti_calib(file);
    if (!calib) return -1;
    seq.calibrations.push_back(Calibration{*calib, std::nullopt, file});
    return static_cast<int>(seq.calibrations.size()) - 1;
  };
  const int shared = tracking ? add_calibration(root / "calib" / (name + ".txt")) : -1;
  for (const std::string& frame_name : frame_names) {
    FrameRef frame;
    frame.name = frame_name;
    frame.calibration = tracking ? shared : add_calibration(root / "calib" / (frame_name + ".txt"));
    seq.frames.push_back(std::move(frame));
  }
  if (!seq.has_calibration()) return std::nullopt;
  return seq;
}

const Sequence* writer_sequence(const Annotations& annotations, const LabelContext& context,
                                std::optional<Sequence>& storage) {
  if (context.sequence != nullptr) return context.sequence;
  const SequenceRef& ref = annotations.sequence;
  if (ref.path.empty()) return nullptr;
  if (ref.layout == "kitti-tracking" || ref.layout == "kitti-object") {
    std::vector<std::string> names;
    for (const FrameInfo& f : annotations.frames) names.push_back(f.name);
    const KittiBenchmark layout_benchmark =
        ref.layout == "kitti-tracking" ? KittiBenchmark::kTracking : KittiBenchmark::kObject;
    storage = discover_kitti_sequence(ref.path, layout_benchmark, ref.name, names);
  } else {
    SequenceOptions options;
    options.layout = ref.layout;
    options.name = ref.name;
    if (Expected<Sequence> opened = open_sequence(ref.path, options)) {
      storage = std::move(opened).value();
    }
  }
  return storage ? &*storage : nullptr;
}

Status report_progress(const LabelContext& context, double fraction, const fs::path& path) {
  if (context.progress && !context.progress(fraction)) {
    return Error{ErrorCode::kCancelled, "cancelled", path.string()};
  }
  return {};
}

std::vector<std::string> first_line_tokens(const fs::path& path) {
  std::vector<std::string> out;
  File file(std::fopen(path.c_str(), "rb"));
  if (!file) return out;
  char buffer[4096];
  const std::size_t n = std::fread(buffer, 1, sizeof(buffer), file.get());
  LineScanner lines(std::string_view(buffer, n));
  std::string_view line;
  std::vector<std::string_view> tokens;
  while (lines.next(line)) {
    if (line.empty()) continue;
    split_tokens(line, tokens);
    for (std::string_view t : tokens) out.emplace_back(t);
    break;
  }
  return out;
}

bool is_digit_name(const std::string& s, std::size_t digits) {
  return s.size() == digits &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace pcanno::formats::detail::kitti
