#pragma once
#include <optional>
#include <string>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/support/expected.hpp"

// A document and the frames of the sequence it is shown with. nuScenes and Lyft scenes open
// with their keyframes only (2 Hz) or with every LiDAR sweep between them (about 20 Hz,
// SequenceOptions::include_sweeps), so the same labels may meet either frame list.
namespace pcanno::plugin {

/// True when `sequence` lists frames that are not keyframes (a nuScenes/Lyft scene opened with
/// its sweeps).
bool has_sweeps(const formats::Sequence& sequence);

/// True when sequences of layout `layout` can hold sweeps ("nuscenes", which covers Lyft).
bool layout_has_sweeps(const std::string& layout);

/// Makes frame i of `doc` frame i of `sequence` when the document was made on fewer frames of the
/// same data: a document whose frames are a scene's keyframes, shown with its sweeps. Frames are
/// matched by name (FrameInfo::name = FrameRef::name: the sample_data token, the file stem),
/// which must be unique in the sequence and met in the same order. The document then lists every
/// frame of the sequence (its own frame facts kept on the frames it had, a missing sample token
/// or time taken from the sequence), and its boxes, polyline
/// states and ignore regions move to their frames' new indices: keyframe labels stay on the
/// keyframes. Returns a note saying so, or nullopt when nothing had to change (same frame count,
/// no frame list, or names that do not match: the document is left as it is).
///
/// kConflict when the document lists MORE frames than the sequence and holds all of the
/// sequence's: it was made with the sweeps, and shown without them its labels on sweeps would
/// land on wrong frames (the message says to open the sequence with its sweeps). kMalformed when
/// a shape lies on a frame the document does not list (naming the track and frame).
formats::Expected<std::optional<std::string>> fit_document_to_sequence(
    formats::Annotations& doc, const formats::Sequence& sequence);

}  // namespace pcanno::plugin
