#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "files.hpp"
#include "kitti_fixtures.hpp"
#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "pcanno/formats/labels/kitti/label.hpp"
#include "pcanno/geometry/kitti_convention.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

// Shared by the KITTI label codec tests in this folder, with the test helpers they use.
namespace pcanno::formats::kitti_codec_test {

namespace fs = std::filesystem;
using test::calibration_only_sequence;
using test::kitti_object_root;
using test::kitti_sequence_name;
using test::kitti_tracking_labels;
using test::kitti_tracking_root;
using test::label_frame_count;
using test::lines_of;
using test::open_tracking_0000;
using test::shared_data_dir;
using test::slurp;

inline const char* const kFov = "boxes outside the camera's field of view";

/// One-track document over the frames of `seq`.
inline Annotations single_box_document(const Sequence& seq, const geometry::Cuboid& box,
                                       std::int64_t frame = 0, const std::string& label = "Car") {
  Annotations doc;
  for (const FrameRef& f : seq.frames) doc.frames.push_back(FrameInfo{f.name, -1, {}, ""});
  Track track;
  track.id = 7;
  track.label = label;
  BoxState state;
  state.frame = frame;
  state.box = box;
  state.provenance = Provenance::kManual;
  track.boxes.push_back(state);
  doc.tracks.push_back(track);
  doc.ensure_class(label);
  return doc;
}

// formats.md 3.3: tracking 0000, frame 0, track 0.
inline geometry::KittiCameraBox van_of_frame_zero() {
  geometry::KittiCameraBox van;
  van.hwl = Eigen::Vector3d(2.000000, 1.823255, 4.433886);
  van.location = Eigen::Vector3d(-4.552284, 1.858523, 13.410495);
  van.rotation_y = -2.115488;
  return van;
}

/// The rows of a tracking label file; a failure fails the test.
inline std::vector<KittiLabelRow> parse_tracking_file(const std::filesystem::path& file) {
  Expected<std::vector<KittiLabelRow>> rows = read_kitti_tracking_labels(file);
  EXPECT_TRUE(rows) << rows.error().describe();
  return rows ? std::move(rows).value() : std::vector<KittiLabelRow>{};
}

}  // namespace pcanno::formats::kitti_codec_test
