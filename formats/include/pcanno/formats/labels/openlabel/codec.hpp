#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/formats/support/expected.hpp"

// ASAM OpenLABEL 1.0 JSON labels <-> Annotations. The mapping of every field is in
// docs/formats-openlabel.md; in short:
//
// Writing: coordinate systems "world" (scene_cs) and "lidar" (sensor_cs, child of "world", stream
// "lidar"). A track is an object (uid = track id, type = class); each box is a cuboid in the
// quaternion form (x, y, z, qx, qy, qz, qw, sx, sy, sz) in the coordinate system of its
// ShapeFrame, with provenance, keyframe flag, score and the KITTI / nuScenes fields as attributes
// of the cuboid; the box's own attributes are `text` object data of that frame. A polyline track
// is an object with `poly3d` data. Frames carry their timestamp [s], name and, when the sequence
// has poses, the transform "lidar_to_world" (matrix4x4 = T_world_lidar). Ignore regions (KITTI
// DontCare) have no counterpart and are counted in WriteReport::dropped.
//
// Reading: any OpenLABEL 1.x file. Cuboids in either form (10 numbers: quaternion x, y, z, w; 9:
// Euler angles rx, ry, rz with R = Rz(rz) Ry(ry) Rx(rx)); transforms and poses as matrix4x4,
// quaternion + translation or Euler angles + translation. A shape in the LiDAR or the world
// coordinate system is kept there; one in any other coordinate system is moved into whichever of
// the two its static poses and that frame's transforms reach (the LiDAR first). Errors name the
// JSON pointer of the offending value:
// `/openlabel/frames/3/objects/7/object_data/cuboid/0/val: expected 10 numbers (quaternion form)
// or 9 (Euler form), found 8 numbers`.

namespace pcanno::formats {

/// What the writer puts into /openlabel/metadata/schema_version; the reader takes any 1.x.
inline constexpr const char* kOpenlabelSchemaVersion = "1.0.0";
/// Coordinate systems the writer declares; cuboids name them in "coordinate_system".
inline constexpr const char* kOpenlabelLidarFrame = "lidar";
inline constexpr const char* kOpenlabelWorldFrame = "world";
/// Frame numbers at or beyond this are refused (kUnsupported): the frames are allocated densely.
inline constexpr std::int64_t kOpenlabelMaxFrames = 1000000;

/// The OpenLABEL text of `annotations`: pretty JSON with a fixed member order, numbers that parse
/// back to the same bits, a trailing newline. Poses come from `context.sequence` (none without
/// one). Refuses (kMalformed, naming track and frame) what the reader would reject: a non-finite
/// number, a size that is not positive, a zero quaternion, two boxes of a track in one frame, a
/// negative frame, an empty class label. `report` (optional) receives boxes_written and dropped.
Expected<std::string> serialize_openlabel(const Annotations& annotations,
                                          const LabelContext& context = {},
                                          WriteReport* report = nullptr);

/// Parses and converts OpenLABEL text. Frame N of the file is frame N of the document; with a
/// context sequence, frames the file does not describe take their name and timestamp from it.
/// Tracks come back sorted by id, states by frame. `path_for_errors` only names the source.
Expected<Annotations> parse_openlabel(std::string_view json_text,
                                      const std::string& path_for_errors,
                                      const LabelContext& context = {});

Expected<Annotations> read_openlabel(const std::filesystem::path& path,
                                     const LabelContext& context = {});

/// Writes `out` when it ends in `.json`, else `<out>/<name>.json` (name of context.sequence, else
/// of the document's sequence, else "labels"), atomically. An existing file is refused
/// (kPermission) unless context.overwrite; nothing is written on any error.
Expected<WriteReport> write_openlabel(const Annotations& annotations,
                                      const std::filesystem::path& out,
                                      const LabelContext& context = {});

/// Codec "openlabel": detects a `.json` file whose top-level object starts with the member
/// "openlabel" (only the first 4 KiB are read).
LabelCodec make_openlabel_codec();

}  // namespace pcanno::formats
