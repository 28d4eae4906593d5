#pragma once
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/kitti/label.hpp"
#include "test_data.hpp"

// The KITTI tracking and object training sets of the shared data (tests/support/test_data.hpp),
// as the label codec tests use them.
namespace pcanno::test {

inline std::filesystem::path kitti_tracking_root() {
  return shared_data_dir() / "kitti_tracking/training";
}
inline std::filesystem::path kitti_object_root() {
  return shared_data_dir() / "kitti_object/training";
}

/// "0007" for sequence 7.
inline std::string kitti_sequence_name(int s) {
  char name[16];
  std::snprintf(name, sizeof(name), "%04d", s);
  return name;
}

/// label_02/<ssss>.txt of tracking sequence `s`.
inline std::filesystem::path kitti_tracking_labels(int s) {
  return kitti_tracking_root() / "label_02" / (kitti_sequence_name(s) + ".txt");
}

/// A tracking sequence without clouds, as the shared data has for 0001-0020: the official
/// calibration shared by `frames` frames.
inline formats::Sequence calibration_only_sequence(int s, int frames) {
  formats::Sequence seq;
  seq.layout = "kitti-tracking";
  seq.name = kitti_sequence_name(s);
  seq.root = kitti_tracking_root();
  const std::filesystem::path calib_file = kitti_tracking_root() / "calib" / (seq.name + ".txt");
  formats::Expected<formats::KittiCalib> calib = formats::read_kitti_calib(calib_file);
  EXPECT_TRUE(calib) << calib.error().describe();
  if (calib) seq.calibrations.push_back(formats::Calibration{*calib, std::nullopt, calib_file});
  for (int i = 0; i < frames; ++i) {
    formats::FrameRef frame;
    char name[16];
    std::snprintf(name, sizeof(name), "%06d", i);
    frame.name = name;
    frame.calibration = 0;
    seq.frames.push_back(frame);
  }
  return seq;
}

/// One past the highest frame of a tracking label file.
inline int label_frame_count(const std::filesystem::path& labels) {
  formats::Expected<std::vector<formats::KittiLabelRow>> rows =
      formats::read_kitti_tracking_labels(labels);
  EXPECT_TRUE(rows);
  int max_frame = -1;
  if (rows) {
    for (const formats::KittiLabelRow& row : *rows) max_frame = std::max(max_frame, row.frame);
  }
  return max_frame + 1;
}

/// Tracking sequence 0000, the one with clouds, opened by the layout.
inline formats::Sequence open_tracking_0000() {
  formats::SequenceOptions options;
  options.name = "0000";
  formats::Expected<formats::Sequence> seq = formats::open_sequence(kitti_tracking_root(), options);
  EXPECT_TRUE(seq) << seq.error().describe();
  return seq ? std::move(seq).value() : formats::Sequence{};
}

/// Tracking sequence `s` as the codec tests read it: 0000 with its clouds, the others (whose clouds
/// the shared data lacks) calibration only.
inline formats::Sequence kitti_tracking_sequence(int s) {
  return s == 0 ? open_tracking_0000()
                : calibration_only_sequence(s, label_frame_count(kitti_tracking_labels(s)));
}

}  // namespace pcanno::test
