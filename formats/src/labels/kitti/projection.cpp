#include "labels/kitti/projection.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <utility>

#include "datasets/camera_images.hpp"
#include "pcanno/formats/labels/shape_frames.hpp"
#include "pcanno/geometry/camera.hpp"
#include "pcanno/geometry/kitti_convention.hpp"
#include "pcanno/geometry/yaw_pitch_roll.hpp"
#include "support/text_scan.hpp"

namespace pcanno::formats::detail::kitti {
namespace fs = std::filesystem;

namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

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

ImageSize ImageSizes::of(std::int64_t frame) {
  const auto cached = cache_.find(frame);
  if (cached != cache_.end()) return cached->second;
  ImageSize size;
  if (sequence_ != nullptr && frame >= 0 &&
      static_cast<std::size_t>(frame) < sequence_->frames.size()) {
    const FrameRef& ref = sequence_->frames[static_cast<std::size_t>(frame)];
    const bool tracking = sequence_->layout == "kitti-tracking";
    // The layout read the size when it listed the image; a calibration-only sequence
    // (discover_kitti_sequence) lists none, so its file is looked for by the layout's rule.
    const CameraImage* listed = ref.image(tracking ? "image_02" : "image_2");
    if (listed != nullptr && listed->camera.width > 0 && listed->camera.height > 0) {
      size = ImageSize{listed->camera.width, listed->camera.height};
    } else if (const auto read = formats::detail::read_png_size(
                   tracking ? sequence_->root / "image_02" / sequence_->name / (ref.name + ".png")
                            : sequence_->root / "image_2" / (ref.name + ".png"))) {
      size = ImageSize{read->width, read->height};
    }
  }
  cache_.emplace(frame, size);
  return size;
}

ImageBox project_box(const geometry::Cuboid& box_in_lidar, const KittiCalib& calib,
                     const ImageSize& image) {
  // Camera 2 as the KITTI layouts list it (P_rect_02 * R0_rect, Tr_velo_to_cam as stored); no
  // file is read for it: `image` gives the size.
  const std::optional<CameraImage> image_2 =
      formats::detail::kitti_camera_image(calib, 2, "image_2", fs::path());
  ImageBox out;
  if (!image_2) return out;  // no P2 (parsed calibrations always have one)
  geometry::PinholeCamera camera = image_2->camera;
  camera.width = image.width;
  camera.height = image.height;
  // Camera 2's depth is rectified camera 0's z plus P2's fourth-column offset (P2's third row is
  // [0 0 1 t], t a few millimetres), so this near plane is rectified camera 0's z = kMinDepth,
  // where KITTI labels are judged. The floor only guards calibrations with an odd t.
  camera.near = std::max(kMinDepth + calib.P[2](2, 3), 1e-3);
  const geometry::ProjectedCuboid projected =
      geometry::project_cuboid(camera, image_2->T_cam_lidar, box_in_lidar);
  out.centre_in_front = projected.centre_in_front;
  if (!projected.projects()) return out;
  const double left = projected.bounds.left, top = projected.bounds.top;
  const double right = projected.bounds.right, bottom = projected.bounds.bottom;
  out.projects = true;
  out.unclipped = {left, top, right, bottom};

  // KITTI pixel coordinates are 0-based, so the last column is width - 1 (official boxes end at
  // 1241 and 374 for 1242x375 images).
  const double max_u = image.width - 1.0, max_v = image.height - 1.0;
  const geometry::PixelBox clipped = projected.bounds.clipped(image.width, image.height);
  out.clipped = {clipped.left, clipped.top, clipped.right, clipped.bottom};
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
  // The tilt as the annotator set it, in the box's stored frame (the editors' pitch and roll),
  // not the few millidegrees a world box gains from the ego's pitch in the LiDAR frame.
  if (!state.box.is_upright(geometry::kTiltTolerance)) ++report.warnings[kTiltLost];
  return std::optional<KittiLabelRow>(std::move(row));
}

namespace {

/// The value of the declared attribute `key` for `state` (box first, then track), when the class
/// declares it and the value is valid for it.
std::optional<double> declared_number(const ClassSpec& spec, const Track& track,
                                      const BoxState& state, const char* key) {
  const AttributeSpec* declared = spec.attribute(key);
  if (declared == nullptr) return std::nullopt;
  for (const AttributeMap* map : {&state.attributes, &track.attributes}) {
    const auto it = map->find(key);
    if (it == map->end() || attribute_value_problem(*declared, it->second)) continue;
    if (const std::optional<double> value = parse_attribute_number(it->second)) return value;
  }
  return std::nullopt;
}

/// Whether `key` of a track of class `spec` is written as a KITTI column.
bool is_camera_column(const ClassSpec& spec, const std::string& key) {
  return (key == kOccludedAttribute || key == kTruncatedAttribute) &&
         spec.attribute(key) != nullptr;
}

}  // namespace

bool apply_declared_camera_fields(const Annotations& annotations, const Track& track,
                                  const BoxState& state, KittiBenchmark benchmark,
                                  KittiLabelRow& row) {
  const ClassSpec spec = annotations.class_or_default(track.label);
  bool applied = false;
  if (const auto occluded = declared_number(spec, track, state, kOccludedAttribute)) {
    if (*occluded >= 0.0 && *occluded <= 3.0 && std::nearbyint(*occluded) == *occluded) {
      row.occluded = static_cast<int>(*occluded);
      applied = true;
    }
  }
  if (const auto truncated = declared_number(spec, track, state, kTruncatedAttribute)) {
    if (*truncated >= 0.0 && *truncated <= 1.0) {
      row.truncated = benchmark == KittiBenchmark::kObject ? *truncated
                                                           : tracking_truncation_level(*truncated);
      applied = true;
    }
  }
  return applied;
}

void count_unwritable(const Annotations& annotations, WriteReport& report) {
  if (const std::size_t polylines = polyline_state_count(annotations); polylines > 0) {
    report.dropped[kDroppedPolylines] += polylines;
  }
  std::size_t attributes = 0;
  for (const Track& track : annotations.tracks) {
    // Declared occluded / truncated attributes are written, as KITTI's own columns.
    const ClassSpec spec = annotations.class_or_default(track.label);
    for (const auto& entry : track.attributes) {
      attributes += is_camera_column(spec, entry.first) ? 0 : 1;
    }
    for (const BoxState& state : track.boxes) {
      for (const auto& entry : state.attributes) {
        attributes += is_camera_column(spec, entry.first) ? 0 : 1;
      }
    }
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
