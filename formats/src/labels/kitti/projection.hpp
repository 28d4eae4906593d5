#pragma once
// The camera side of KITTI labels, shared by the object and tracking codecs: image sizes, the 2D
// box and field-of-view test of a LiDAR box, BoxState <-> label row, and where calibration comes
// from.
#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/kitti/label.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/geometry/cuboid.hpp"

namespace pcanno::formats::detail::kitti {

struct ImageSize {
  int width = 1242;  ///< [px] KITTI's usual image_2 size, used when the image is absent
  int height = 375;
};

/// Image sizes of a sequence's frames: `image_2/<frame>.png` (object) or
/// `image_02/<sequence>/<frame>.png` (tracking) when present, else 1242x375. Memoised per frame.
class ImageSizes {
 public:
  explicit ImageSizes(const Sequence* sequence) : sequence_(sequence) {}
  ImageSize of(std::int64_t frame);

 private:
  const Sequence* sequence_;
  std::map<std::int64_t, ImageSize> cache_;
};

/// Nearer than this [m] in rectified camera 0 a box centre counts as behind the camera, and box
/// edges are cut here before projection (a corner behind the camera has no meaningful pixel).
inline constexpr double kMinDepth = 0.1;

/// The LiDAR box seen by camera 2 (image_2).
struct ImageBox {
  bool centre_in_front = false;       ///< geometric centre at z >= kMinDepth, rectified camera 0
  bool projects = false;              ///< some part of the box lies beyond kMinDepth
  std::array<double, 4> unclipped{};  ///< [px] left, top, right, bottom of the projection
  std::array<double, 4> clipped{};    ///< the same, clipped to [0, width-1] x [0, height-1]
  bool overlaps_image = false;        ///< the unclipped box meets the image
  double outside_fraction = 1.0;      ///< share of the unclipped box area outside the image

  bool in_view() const { return centre_in_front && projects && overlaps_image; }
};

/// geometry::project_cuboid() through camera 2 (P_rect_02 * R0_rect, Tr_velo_to_cam; the KITTI
/// layouts' image_2 camera) with its near plane at rectified camera 0's z = kMinDepth: the bounds
/// of the visible part (corners and near-plane crossings).
ImageBox project_box(const geometry::Cuboid& box_in_lidar, const KittiCalib& calib,
                     const ImageSize& image);

enum class KittiBenchmark { kObject, kTracking };

inline constexpr const char* kOutsideFov = "boxes outside the camera's field of view";
inline constexpr const char* kDroppedPolylines = "polyline states: KITTI labels hold boxes only";
/// WriteReport::warnings: KITTI's rotation_y is a yaw; pitch and roll are lost.
inline constexpr const char* kTiltLost =
    "boxes with pitch or roll written upright: KITTI stores yaw only";
inline constexpr const char* kDroppedAttributes =
    "attributes of tracks, boxes and frames: KITTI labels have no attribute columns";

/// Counts in `report.dropped` what no KITTI label row can hold: polyline states, and the
/// attributes of tracks, boxes and frames. Ignore regions are written (DontCare), boxes counted
/// one by one by box_row().
void count_unwritable(const Annotations& annotations, WriteReport& report);

/// The label row of one box, or std::nullopt when the box is dropped (outside the field of view
/// without LabelContext::include_outside_fov; counted in `report`). Imported KITTI boxes keep their
/// camera fields verbatim; any other box gets alpha from its location and its 2D box and truncation
/// from the projection. A written box whose stored rotation has pitch or roll (tilted more than
/// geometry::kTiltTolerance) is counted in `report.warnings`. Errors name the track and frame: no
/// calibration for the frame, a world-frame box without a pose, a non-finite value.
Expected<std::optional<KittiLabelRow>> box_row(const Track& track, const BoxState& state,
                                               const Sequence* sequence, KittiBenchmark benchmark,
                                               const LabelContext& context, ImageSizes& images,
                                               WriteReport& report);

/// Names of the attributes that fill KITTI's camera columns when the class schema declares them:
/// "occluded" (an integer 0..3) and "truncated" (the fraction 0..1 of the object outside the
/// image; a tracking label gets its 0/1/2 level).
inline constexpr const char* kOccludedAttribute = "occluded";
inline constexpr const char* kTruncatedAttribute = "truncated";

/// Overwrites `row.occluded` / `row.truncated` with the box's (else its track's) value of the
/// attributes above when the track's class declares them and the value is valid; returns whether
/// any column came from an attribute.
bool apply_declared_camera_fields(const Annotations& annotations, const Track& track,
                                  const BoxState& state, KittiBenchmark benchmark,
                                  KittiLabelRow& row);

/// The box state a label row describes, in the LiDAR frame of `T_rect_velo`.
BoxState box_state_from_row(const KittiLabelRow& row, std::int64_t frame,
                            const Eigen::Matrix4d& T_rect_velo);

/// A KITTI type must be one blank-free token; kUnsupported naming the class otherwise.
Status check_kitti_type(const std::string& label);

/// The KITTI type written for the class `label`. A class map entry applies only when it maps to one
/// of KITTI's own types (Car, Van, ..., Person): one --class-map then serves a KITTI <-> nuScenes
/// conversion, whose entries map to nuScenes categories and so leave KITTI names alone.
std::string kitti_type_of_class(const std::string& label, const LabelContext& context);

/// The document class of a KITTI type: the name of the class map entry mapping to `type`, else
/// `type` itself.
std::string class_of_kitti_type(const std::string& type, const LabelContext& context);

/// kUnsupported: "KITTI labels are in the camera frame; give the calibration with --sequence".
Error no_calibration(const std::filesystem::path& path, const std::string& detail = "");

/// The KITTI sequence at `root` (a training folder). When open_sequence() cannot open it (no
/// clouds beside the labels), a calibration-only sequence is built: tracking frames `frame_names`
/// sharing `calib/<name>.txt`, or object frames `frame_names` each with `calib/<frame>.txt`.
/// Frames without a calibration file get none. nullopt when no calibration was found at all.
std::optional<Sequence> discover_kitti_sequence(const std::filesystem::path& root,
                                                KittiBenchmark benchmark, const std::string& name,
                                                const std::vector<std::string>& frame_names);

/// The sequence a writer takes calibration from: `context.sequence`, else the one the document
/// names (`annotations.sequence`), opened into `storage`. nullptr when neither gives one.
const Sequence* writer_sequence(const Annotations& annotations, const LabelContext& context,
                                std::optional<Sequence>& storage);

/// Calls the progress callback; false (kCancelled) when it asks to stop.
Status report_progress(const LabelContext& context, double fraction,
                       const std::filesystem::path& path);

/// Blank-separated tokens of the first non-empty line of a text file (at most 4 KiB read); empty
/// when unreadable. For cheap format detection.
std::vector<std::string> first_line_tokens(const std::filesystem::path& path);

/// "000042"-style names: exactly `digits` decimal digits.
bool is_digit_name(const std::string& s, std::size_t digits);

}  // namespace pcanno::formats::detail::kitti
