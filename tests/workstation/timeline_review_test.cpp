// The timeline flags tracked boxes to review: a mark under each frame where the selected track's
// box was made by propagation (provenance `tracked`) with a score below the documented review
// threshold (0.6: coasted through an occlusion, or poorly registered), and none under confident
// ones, keyframes or boxes a person made.
#include <QImage>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/plugin/automation/track_completion.hpp"
#include "pcanno/viewer/workstation/timeline_widget.hpp"
#include "sample_kitti_session.hpp"
#include "workstation_fixture.hpp"

namespace pcanno::test {
namespace {

using formats::Provenance;

constexpr double kReviewBelow = 0.6;  // docs/automation.md, "One keyframe per track"

formats::BoxState state(std::int64_t frame, Provenance p, bool key, std::optional<double> score) {
  formats::BoxState s;
  s.frame = frame;
  s.box = geometry::Cuboid::from_yaw({10.0 + 0.5 * frame, 0.0, -0.8}, {4.2, 1.8, 1.6}, 0.0);
  s.provenance = p;
  s.keyframe = key;
  s.score = score;
  return s;
}

/// Whether the review strip at the bottom of the timeline is painted under `frame`'s cell.
bool marked(ws::TimelineWidget* tl, std::int64_t frame) {
  const QImage image = tl->grab().toImage();
  const double cell = static_cast<double>(tl->width()) / static_cast<double>(tl->cells().size());
  const int x = static_cast<int>((static_cast<double>(frame) + 0.5) * cell);
  const int y = tl->height() - 4;  // inside the 4-pixel strip 2 pixels above the bottom edge
  return image.pixelColor(x, y) == ws::timeline_review_colour();
}

TEST_F(WorkstationTest, TimelineMarksLowScoreTrackedBoxesForReview) {
  auto seq = formats::open_sequence(sample_);
  ASSERT_TRUE(seq);
  formats::Annotations doc;
  for (const formats::FrameRef& f : seq->frames) doc.frames.push_back({f.name, -1, {}, ""});
  formats::Track t;
  t.id = 4;
  t.label = "Car";
  t.boxes = {state(0, Provenance::kManual, true, std::nullopt),
             state(1, Provenance::kTracked, false, 0.93),   // registered well
             state(2, Provenance::kTracked, false, 0.40),   // coasted
             state(3, Provenance::kTracked, false, 0.55),   // poorly registered
             state(4, Provenance::kInterpolated, false, std::nullopt)};
  doc.tracks.push_back(t);
  formats::Track other = t;  // the same scores on another track: not the selected one
  other.id = 5;
  other.boxes = {state(0, Provenance::kManual, true, std::nullopt),
                 state(1, Provenance::kTracked, false, 0.2)};
  doc.tracks.push_back(other);
  ws::WorkstationWindow& w = open(plugin::Session::create(doc, *seq));
  w.select_track(4);
  QTest::qWait(50);

  ws::TimelineWidget* tl = w.timeline();
  const std::vector<ws::TimelineCell>& cells = tl->cells();
  ASSERT_EQ(cells.size(), 5u);
  const bool expected[] = {false, false, true, true, false};
  for (std::size_t i = 0; i < cells.size(); ++i) {
    EXPECT_EQ(cells[i].review, expected[i]) << "frame " << i;
    EXPECT_EQ(marked(tl, static_cast<std::int64_t>(i)), expected[i]) << "frame " << i;
  }
  EXPECT_EQ(cells[2].score, std::optional<double>(0.40));

  // A confident track shows no mark at all; the other track's low box is not the selected one's.
  w.select_track(5);
  QTest::qWait(50);
  EXPECT_TRUE(tl->cells()[1].review);
  EXPECT_TRUE(marked(tl, 1));
  EXPECT_FALSE(marked(tl, 2));
}

TEST_F(WorkstationTest, PropagatingInTheWindowFlagsExactlyTheLowScoreBoxes) {
  // The sample's van from its first box alone, propagated with P: each tracked box is marked
  // under the timeline exactly when its score is below the threshold.
  SampleKittiSession sample = open_sample_kitti_session();
  ASSERT_TRUE(sample.session);
  formats::Annotations doc = sample.truth;
  plugin::keep_keyframes_every(doc, 0, false);
  formats::SequenceOptions options;
  options.name = "0000";
  auto seq = formats::open_sequence(
      std::filesystem::path(PCANNO_SAMPLE_DATA_DIR) / "kitti_tracking/training", options);
  ASSERT_TRUE(seq);
  ws::WorkstationWindow& w = open(plugin::Session::create(doc, std::move(*seq)));
  w.select_track(0);
  w.set_frame(0);
  QTest::keyClick(w.main_view(), Qt::Key_P);
  ASSERT_TRUE(wait_for_job());
  const formats::Track* track = w.session().document().track(0);
  ASSERT_NE(track, nullptr);
  ASSERT_GT(track->boxes.size(), 1u);
  ws::TimelineWidget* tl = w.timeline();
  for (const formats::BoxState& b : track->boxes) {
    const bool low = b.provenance == Provenance::kTracked && b.score && *b.score < kReviewBelow;
    EXPECT_EQ(tl->cells()[static_cast<std::size_t>(b.frame)].review, low) << "frame " << b.frame;
    EXPECT_EQ(marked(tl, b.frame), low) << "frame " << b.frame;
    if (b.frame > 0) {
      EXPECT_TRUE(b.score.has_value()) << "frame " << b.frame;
    }
  }
}

}  // namespace
}  // namespace pcanno::test
