#pragma once
#include <cstdint>
#include <memory>

#include <gtest/gtest.h>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "pcanno/plugin/session.hpp"
#include "test_data.hpp"

// The repo's sample KITTI tracking frames with their labels, at one frame, as the viewer tests
// render them.

namespace pcanno::test {

struct SampleScene {
  std::unique_ptr<plugin::Session> session;
  std::shared_ptr<const formats::PointCloud> cloud;  ///< the frame's points, sensor frame
};

inline SampleScene sample_scene(std::int64_t frame) {
  const auto training = sample_data_dir() / "kitti_tracking/training";
  auto sequence = formats::open_sequence(training);
  EXPECT_TRUE(sequence) << (sequence ? "" : sequence.error().describe());
  formats::LabelContext context;
  context.sequence = &*sequence;
  auto labels = formats::read_kitti_tracking_annotations(training / "label_02/0000.txt", context);
  EXPECT_TRUE(labels) << (labels ? "" : labels.error().describe());
  auto cloud = sequence->load_frame(static_cast<std::size_t>(frame));
  EXPECT_TRUE(cloud);
  SampleScene scene;
  scene.cloud = std::make_shared<const formats::PointCloud>(std::move(cloud->cloud));
  scene.session = plugin::Session::create(std::move(*labels), std::move(*sequence));
  EXPECT_TRUE(scene.session->set_frame(frame));
  return scene;
}

}  // namespace pcanno::test
