#pragma once
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "label_input.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/label_codec.hpp"

// `pcanno convert` of a whole label set: every sequence of the input read, then written together
// (one nuScenes dataroot, or one output per sequence in the --out folder), with a per-sequence
// summary of what was converted and what was dropped.

namespace pcanno::app {

struct ConvertOptions {
  std::string input;
  std::string to;
  std::string out;
  std::string from;
  std::string sequence;       ///< dataset supplying calibration, poses and points
  std::string sequence_name;  ///< which sequence or scene inside it
  std::string class_map;
  bool force = false;
  bool skip_failed = false;  ///< several sequences: convert the readable ones, list the others
  bool include_outside_fov = false;
  bool all_frames = false;
};

/// "61 boxes in 3 tracks, 27 ignore regions": what a document holds (zero polylines and ignore
/// regions left out).
std::string describe_document(const formats::Annotations& annotations);

/// Converts `units` (at least one) with `reader` and `writer`. One unit is written to --out as a
/// single document would be. Several: read all first; any that cannot be read fails the command
/// before anything is written (one error line per sequence), unless --skip-failed. nuScenes gets
/// one dataroot with a scene per sequence; other formats one output per sequence
/// (`<out>/<name>.txt`, `.json`, `.pcanno.json`, or a `<out>/<name>` folder), staged beside --out
/// and moved in only when every sequence was written and nothing existing would be replaced
/// without --force (the KITTI tracking seqmap is merged, not replaced).
int convert_set(const ConvertOptions& opt, const GlobalOptions& global,
                const formats::LabelCodec& reader, const formats::LabelCodec& writer,
                std::vector<LabelUnit> units, formats::LabelContext context);

}  // namespace pcanno::app
