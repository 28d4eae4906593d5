// One keyframe per track on a synthetic 200-frame sequence with occlusions (the generator of
// tests/support/synthetic): each truth track keeps its first box, `complete_tracks` (kAuto)
// follows it to the end, and every other truth box is scored. The figures of docs/automation.md,
// "One keyframe per track", held a little below what was measured on this seed and size.
#include <gtest/gtest.h>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/plugin/automation/track_completion.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/services/evaluation.hpp"
#include "synthetic/lidar_sequence.hpp"
#include "temp_dir.hpp"

namespace pcanno::plugin {
namespace {

TEST(LongTrackSynthetic, OneKeyframePerTrackFollowsTheObjectsThroughOcclusion) {
  // Fewer actors than the documented runs (6 vehicles, 2 cyclists, 4 pedestrians) keep the test
  // under a minute; the street, the sensor and the scripted occlusions are the same.
  synthetic::ScenarioOptions scenario;
  scenario.frames = 200;
  scenario.seed = 11;
  scenario.vehicles = 3;
  scenario.cyclists = 1;
  scenario.pedestrians = 2;
  test::TempDir dir;
  // Truth boxes with at least 10 returns: what an annotator could place (docs/automation.md).
  ASSERT_TRUE(synthetic::write_kitti_tracking(synthetic::make_scenario(scenario), dir.path(),
                                              "0000", 10));
  formats::SequenceOptions options;
  options.name = "0000";
  auto seq = formats::open_sequence(dir.path(), options);
  ASSERT_TRUE(seq) << seq.error().message;
  ASSERT_TRUE(seq->has_poses());  // the oxts file
  const Registry registry = Registry::with_builtins();
  const auto labels = dir.path() / "label_02/0000.txt";
  auto codec = registry.codecs().select(labels, "");
  ASSERT_TRUE(codec);
  formats::LabelContext context;
  context.sequence = &*seq;
  auto truth = (*codec)->read(labels, context);
  ASSERT_TRUE(truth) << truth.error().message;

  formats::Annotations doc = *truth;
  keep_keyframes_every(doc, 0, false);
  CompletionOptions completion;
  completion.method = CompletionMethod::kAuto;
  auto done = complete_tracks(doc, *seq, completion);
  ASSERT_TRUE(done) << done.error().message;
  EvalOptions eval;
  eval.exclude_keyframes = true;
  auto r = evaluate(doc, *truth, &*seq, eval);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_GT(r->overall.boxes, 500u);
  const double predicted = 1.0 - static_cast<double>(r->overall.missed) /
                                     static_cast<double>(r->overall.boxes);
  // Measured: see docs/automation.md (seed 11, this size).
  // Measured 1.000: no track ends while its object is in range (before the third round, 1.000
  // too on this seed, 0.83-0.86 on the documented ones).
  EXPECT_GE(predicted, 0.99);
  EXPECT_GE(r->overall.mean_iou_3d, 0.78);  // measured 0.806 (round two: 0.782; one: 0.661)
  // Pedestrians are measured by their nearest point cluster, not registered onto the wall beside
  // them, and face their walk: measured 0.544 (round two: 0.466; one: 0.065, a box that latched
  // onto the wall).
  bool has_pedestrians = false;
  for (const ClassResult& c : r->classes) {
    if (c.label != "Pedestrian") continue;
    has_pedestrians = true;
    EXPECT_GE(c.iou.mean_iou_3d, 0.51);
  }
  EXPECT_TRUE(has_pedestrians);
  // Coasted boxes are there and flagged; nothing ended without a note.
  EXPECT_GT(done->boxes_to_review, 0u);
  EXPECT_GE(done->boxes_to_review, done->boxes_coasted);
}

}  // namespace
}  // namespace pcanno::plugin
