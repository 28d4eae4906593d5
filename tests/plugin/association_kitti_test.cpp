// Association on the real KITTI tracking labels (shared data: label_02 of sequences 0000-0020,
// 8008 frames): the truth boxes, made into a poor detector's output (centre noise, misses, front
// and back confused, ghosts), are associated back into tracks and scored against the truth. The
// sequences have no poses here, so tracks run in each frame's LiDAR frame: the ego vehicle's
// motion and turns come on top of the objects' own, a harder case than the world frame.
#include <cmath>
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "kitti_fixtures.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/geometry/iou.hpp"
#include "pcanno/plugin/automation/association.hpp"
#include "pcanno/plugin/registry.hpp"
#include "test_data.hpp"

namespace pcanno::plugin {
namespace {

struct Noise {
  double sigma = 0.0;  ///< [m] centre noise
  double miss = 0.0;   ///< share of truth boxes not detected
  double flip = 0.0;   ///< share detected back to front
  int ghosts = 0;      ///< one-frame false positives per frame
};

struct Score {
  std::size_t truth = 0;     ///< truth boxes of tracks seen in 3+ frames
  std::size_t found = 0;     ///< of them, matched by an output box (BEV IoU >= 0.5, same class)
  std::size_t output = 0;    ///< output boxes
  std::size_t correct = 0;   ///< output boxes on a truth box
  std::size_t switches = 0;  ///< truth tracks' changes of output id between matched frames
  void add(const Score& o) {
    truth += o.truth;
    found += o.found;
    output += o.output;
    correct += o.correct;
    switches += o.switches;
  }
};

Score run(const formats::Annotations& truth, std::size_t frames, const Noise& noise,
          unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> jitter(0.0, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<FrameDetections> input(frames);
  for (std::size_t f = 0; f < frames; ++f) {
    input[f] = {static_cast<std::int64_t>(f), 0.1 * static_cast<double>(f), {}};
  }
  for (const formats::Track& t : truth.tracks) {
    for (const formats::BoxState& b : t.boxes) {
      if (unit(rng) < noise.miss) continue;
      geometry::Cuboid box = b.box;
      box.center += noise.sigma * Eigen::Vector3d(jitter(rng), jitter(rng), 0.3 * jitter(rng));
      if (unit(rng) < noise.flip) box = geometry::flipped_heading(box);
      input[static_cast<std::size_t>(b.frame)].detections.push_back({t.label, box, 0.9, {}});
    }
  }
  for (FrameDetections& fd : input) {
    for (int g = 0; g < noise.ghosts; ++g) {
      const Eigen::Vector3d c(5.0 + 45.0 * unit(rng), -20.0 + 40.0 * unit(rng), -0.9);
      fd.detections.push_back(
          {"Car", geometry::Cuboid::from_yaw(c, {4.0, 1.7, 1.5}, 6.28 * unit(rng)), 0.5, {}});
    }
  }
  const AssociationResult result = associate(input);

  // Output boxes per frame, with their track id.
  std::vector<std::vector<std::pair<std::int64_t, const AssociatedBox*>>> out(frames);
  std::map<std::int64_t, std::string> label;
  Score s;
  for (const AssociatedTrack& t : result.tracks) {
    label[t.id] = t.class_name;
    for (const AssociatedBox& b : t.boxes)
      out[static_cast<std::size_t>(b.frame)].push_back({t.id, &b});
    s.output += t.boxes.size();
  }
  std::vector<std::vector<bool>> used(frames);
  for (std::size_t f = 0; f < frames; ++f) used[f].assign(out[f].size(), false);
  for (const formats::Track& t : truth.tracks) {
    if (t.boxes.size() < 3) continue;
    std::optional<std::int64_t> last_id;
    for (const formats::BoxState& b : t.boxes) {
      ++s.truth;
      const auto f = static_cast<std::size_t>(b.frame);
      double best = 0.5;
      std::optional<std::size_t> match;
      for (std::size_t i = 0; i < out[f].size(); ++i) {
        if (label[out[f][i].first] != t.label) continue;
        const double iou = geometry::iou_bev(b.box, out[f][i].second->box_in_world);
        if (iou >= best) {
          best = iou;
          match = i;
        }
      }
      if (!match) continue;
      ++s.found;
      used[f][*match] = true;
      const std::int64_t id = out[f][*match].first;
      if (last_id && *last_id != id) ++s.switches;
      last_id = id;
    }
  }
  // Output boxes on any truth box (also of short tracks) count as correct.
  for (std::size_t f = 0; f < frames; ++f) {
    for (std::size_t i = 0; i < out[f].size(); ++i) {
      bool on_truth = used[f][i];
      for (const formats::Track& t : truth.tracks) {
        const formats::BoxState* b = t.at(static_cast<std::int64_t>(f));
        on_truth = on_truth || (b != nullptr && t.label == label[out[f][i].first] &&
                                geometry::iou_bev(b->box, out[f][i].second->box_in_world) >= 0.5);
      }
      s.correct += on_truth;
    }
  }
  return s;
}

/// Every labelled KITTI tracking sequence, associated from `noise`'d truth.
Score score_all(const Noise& noise) {
  const Registry registry = Registry::with_builtins();
  const formats::LabelCodec* codec = registry.codecs().find("kitti-tracking");
  EXPECT_NE(codec, nullptr);
  Score total;
  for (int s = 0; s <= 20 && codec != nullptr; ++s) {
    const formats::Sequence seq = test::kitti_tracking_sequence(s);
    formats::LabelContext context;
    context.sequence = &seq;
    auto doc = codec->read(test::kitti_tracking_labels(s), context);
    EXPECT_TRUE(doc) << doc.error().describe();
    if (!doc) continue;
    total.add(run(*doc, doc->frames.size(), noise, 100 + static_cast<unsigned>(s)));
  }
  return total;
}

void print(const char* what, const Score& s) {
  std::printf(
      "%s: recall %.4f (%zu of %zu truth boxes), precision %.4f (%zu of %zu), %zu id "
      "switches\n",
      what, static_cast<double>(s.found) / s.truth, s.found, s.truth,
      static_cast<double>(s.correct) / s.output, s.correct, s.output, s.switches);
}

TEST(AssociationKitti, CleanDetectionsComeBackAsTheTruthTracks) {
  PCANNO_REQUIRE_DATA(test::kitti_tracking_labels(20));
  const Score s = score_all({});
  print("clean", s);
  ASSERT_GT(s.truth, 20000u);
  // Measured 0.980, 0.997 and 9 switches (docs/automation.md). What is lost: tracks the labels
  // themselves leave for more than 3 frames come back as new tracks, and in the LiDAR frame the
  // ego vehicle's turns are motion the constant-velocity model does not know.
  EXPECT_GE(static_cast<double>(s.found) / s.truth, 0.97);
  EXPECT_GE(static_cast<double>(s.correct) / s.output, 0.99);
  EXPECT_LE(static_cast<double>(s.switches) / s.truth, 0.0005);
}

TEST(AssociationKitti, APoorDetectorStillGivesStableTracks) {
  PCANNO_REQUIRE_DATA(test::kitti_tracking_labels(20));
  // 0.1 m noise, 15 % misses, 10 % back to front, two ghosts a frame.
  const Score s = score_all({0.1, 0.15, 0.10, 2});
  print("noisy", s);
  ASSERT_GT(s.truth, 20000u);
  // Measured 0.941, 0.980 and 73 switches (docs/automation.md).
  EXPECT_GE(static_cast<double>(s.found) / s.truth, 0.93);
  EXPECT_GE(static_cast<double>(s.correct) / s.output, 0.97);
  EXPECT_LE(static_cast<double>(s.switches) / s.truth, 0.002);
}

}  // namespace
}  // namespace pcanno::plugin
