// Track repair and whole-track edits (track_edits.hpp, merge/split in command.hpp): each is one
// undo step that restores the document bit for bit, and refusals name the frames in the way.
#include "pcanno/plugin/track_edits.hpp"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/geometry/iou.hpp"
#include "pcanno/geometry/pose.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/session.hpp"
#include "random_boxes.hpp"
#include "sample_kitti_session.hpp"
#include "temp_dir.hpp"

namespace pcanno::plugin {
namespace {

using formats::BoxState;
using formats::Track;

constexpr double kPi = 3.14159265358979323846;

formats::Annotations frames_only(int n) {
  formats::Annotations doc;
  for (int i = 0; i < n; ++i) doc.frames.push_back({std::to_string(i), -1, {}, ""});
  return doc;
}

BoxState box_at(std::int64_t frame, double x, double yaw = 0.3) {
  BoxState s;
  s.frame = frame;
  s.box = geometry::Cuboid::from_yaw(Eigen::Vector3d(x, 2.0, -0.8), Eigen::Vector3d(4.0, 1.8, 1.5),
                                     yaw);
  return s;
}

/// A track `id` of class Car with a box at each of `frames`.
Track track_with(std::int64_t id, const std::vector<std::int64_t>& frames) {
  Track t;
  t.id = id;
  t.label = "Car";
  t.attributes["occluded"] = "no";
  for (std::int64_t f : frames) t.boxes.push_back(box_at(f, 1.0 + static_cast<double>(f)));
  return t;
}

std::unique_ptr<Session> session_with(std::vector<Track> tracks, int frames = 20) {
  formats::Annotations doc = frames_only(frames);
  doc.tracks = std::move(tracks);
  return Session::create(std::move(doc));
}

std::string text(const Session& s) { return formats::serialize_pcanno_document(s.document()); }

std::vector<std::int64_t> frames_of(const Session& s, std::int64_t id) {
  std::vector<std::int64_t> out;
  const Track* t = s.document().track(id);
  if (t != nullptr) {
    for (const BoxState& b : t->boxes) out.push_back(b.frame);
  }
  return out;
}

/// Applies `cmd` as one step, then checks that one undo restores `before` exactly and redo the
/// edited state.
void apply_and_check_undo(Session& s, Expected<Command> cmd) {
  ASSERT_TRUE(cmd) << cmd.error().message;
  const std::string before = text(s);
  ASSERT_TRUE(s.apply(*cmd));
  const std::string after = text(s);
  EXPECT_NE(after, before);
  ASSERT_TRUE(s.undo());
  EXPECT_EQ(text(s), before);
  ASSERT_TRUE(s.redo());
  EXPECT_EQ(text(s), after);
}

TEST(TrackOverlap, ListsSharedFramesAndTheUnionsHoles) {
  const TrackOverlap o =
      track_overlap(track_with(3, {0, 1, 4, 5, 9}), track_with(7, {4, 5, 7, 9, 12}));
  EXPECT_EQ(o.overlaps, (std::vector<std::int64_t>{4, 5, 9}));
  ASSERT_EQ(o.gaps.size(), 4u);  // 2-3, 6, 8, 10-11
  EXPECT_EQ(range_list(o.gaps), "2-3, 6, 8, 10-11");
  const TrackOverlap none = track_overlap(track_with(1, {0, 1}), track_with(2, {2, 3}));
  EXPECT_TRUE(none.overlaps.empty());
  EXPECT_TRUE(none.gaps.empty());
}

TEST(MergeTracks, RefusalNamesEveryOverlappingFrame) {
  auto s = session_with({track_with(3, {0, 1, 4, 5, 9}), track_with(7, {4, 5, 7, 9, 12})});
  const std::string before = text(*s);
  Expected<Command> merge = merge_tracks(s->document(), 3, 7);
  ASSERT_FALSE(merge);
  EXPECT_EQ(merge.error().code, ErrorCode::kConflict);
  EXPECT_NE(merge.error().message.find("tracks 3 and 7 both have boxes at frames 4, 5, 9"),
            std::string::npos)
      << merge.error().message;
  EXPECT_FALSE(s->apply(merge_tracks(s->document(), 3, 7)));
  EXPECT_EQ(text(*s), before);
}

TEST(MergeTracks, ThenSplitRestoresBothTracks) {
  // Property: for disjoint tracks where all of B comes after A, merge then split at B's first
  // frame with B's id gives back the document exactly (random frames and boxes).
  std::mt19937_64 rng(19);
  for (int round = 0; round < 50; ++round) {
    std::uniform_int_distribution<int> cut(1, 30);
    const int split = cut(rng);
    Track a;
    a.id = 2;
    a.label = "Car";
    Track b;
    b.id = 5;
    b.label = "Car";
    for (int f = 0; f < 40; ++f) {
      if (rng() % 3 == 0) continue;
      BoxState st;
      st.frame = f;
      st.box = test::random_box(rng, Eigen::Vector3d(10, 0, 0), 5.0, rng() % 2 == 0);
      (f < split ? a : b).boxes.push_back(st);
    }
    if (a.boxes.empty() || b.boxes.empty()) continue;
    auto s = session_with({a, b}, 40);
    const std::string before = text(*s);
    ASSERT_TRUE(s->apply(merge_tracks(s->document(), 2, 5)));
    EXPECT_EQ(s->document().tracks.size(), 1u);
    ASSERT_TRUE(s->apply(split_track(s->document(), 2, b.boxes.front().frame, 5)));
    EXPECT_EQ(text(*s), before) << "round " << round;
    ASSERT_TRUE(s->undo());
    ASSERT_TRUE(s->undo());
    EXPECT_EQ(text(*s), before);
  }
}

TEST(RelinkBox, MovesOneBoxToAnotherTrackAsOneStep) {
  auto s = session_with({track_with(1, {0, 1, 2, 3}), track_with(2, {5, 6})});
  const BoxState moved = *s->document().track(1)->at(2);
  apply_and_check_undo(*s, relink_box(s->document(), 1, 2, 2));
  EXPECT_EQ(frames_of(*s, 1), (std::vector<std::int64_t>{0, 1, 3}));
  EXPECT_EQ(frames_of(*s, 2), (std::vector<std::int64_t>{2, 5, 6}));
  EXPECT_EQ(s->document().track(2)->at(2)->box.center, moved.box.center);
  EXPECT_EQ(s->undo_name(), "Relink box");
}

TEST(RelinkBox, RefusesATargetWithABoxThereNamingTheFrame) {
  auto s = session_with({track_with(1, {0, 1, 2}), track_with(2, {2, 6})});
  Expected<Command> r = relink_box(s->document(), 1, 2, 2);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_NE(r.error().message.find("track 2 has a box at frame 2"), std::string::npos)
      << r.error().message;
  EXPECT_FALSE(relink_box(s->document(), 1, 4, 2));  // no box there
  EXPECT_FALSE(relink_box(s->document(), 1, 1, 1));  // into itself
}

TEST(RelinkBox, ToANewTrackKeepsClassAndAttributes) {
  auto s = session_with({track_with(4, {0, 1, 2})});
  apply_and_check_undo(*s, relink_box(s->document(), 4, 1));
  const Track* fresh = s->document().track(5);
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(fresh->label, "Car");
  EXPECT_EQ(fresh->attributes.at("occluded"), "no");
  EXPECT_EQ(frames_of(*s, 5), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(frames_of(*s, 4), (std::vector<std::int64_t>{0, 2}));
}

TEST(RelinkBox, TheOnlyBoxTakesItsTrackAlong) {
  auto s = session_with({track_with(1, {3}), track_with(2, {0, 1})});
  apply_and_check_undo(*s, relink_box(s->document(), 1, 3, 2));
  EXPECT_EQ(s->document().track(1), nullptr);
  EXPECT_EQ(frames_of(*s, 2), (std::vector<std::int64_t>{0, 1, 3}));
}

TEST(DeleteFrames, RemovesARangeOrTheWholeTrack) {
  auto s = session_with({track_with(1, {0, 1, 2, 3, 4, 5})});
  apply_and_check_undo(*s, delete_frames(s->document(), 1, FrameRange{2, 4}));
  EXPECT_EQ(frames_of(*s, 1), (std::vector<std::int64_t>{0, 1, 5}));
  apply_and_check_undo(*s, delete_frames(s->document(), 1, FrameRange{0, 10}));
  EXPECT_EQ(s->document().track(1), nullptr);
  ASSERT_TRUE(s->undo());
  Expected<Command> none = delete_frames(s->document(), 1, FrameRange{2, 4});
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("track 1 has no box in frames 2-4"), std::string::npos);
  EXPECT_FALSE(delete_frames(s->document(), 1, FrameRange{4, 2}));  // reversed range
}

TEST(ApplySize, CopiesOneBoxsSizeKeepingCentresAndFlags) {
  Track t = track_with(1, {0, 1, 2, 3});
  t.boxes[1].box.size = Eigen::Vector3d(4.6, 1.9, 1.6);
  t.boxes[3].keyframe = false;
  t.boxes[3].provenance = formats::Provenance::kInterpolated;
  auto s = session_with({t});
  apply_and_check_undo(*s, apply_size(s->document(), 1, 1, FrameRange{2, 3}));
  const Track& after = *s->document().track(1);
  EXPECT_EQ(after.boxes[0].box.size, Eigen::Vector3d(4.0, 1.8, 1.5));  // outside the range
  for (int i : {2, 3}) {
    EXPECT_EQ(after.boxes[i].box.size, Eigen::Vector3d(4.6, 1.9, 1.6));
    EXPECT_EQ(after.boxes[i].box.center, t.boxes[i].box.center);
    EXPECT_EQ(after.boxes[i].box.rotation.coeffs(), t.boxes[i].box.rotation.coeffs());
  }
  EXPECT_FALSE(after.boxes[3].keyframe);
  EXPECT_EQ(after.boxes[3].provenance, formats::Provenance::kInterpolated);
  ASSERT_TRUE(s->apply(apply_size(s->document(), 1, 1)));  // every frame
  EXPECT_EQ(s->document().track(1)->boxes[0].box.size, Eigen::Vector3d(4.6, 1.9, 1.6));
  EXPECT_FALSE(apply_size(s->document(), 1, 7));  // no box to take the size from
}

TEST(FlipHeading, TurnsTheRangeHalfwayAboutEachBoxsOwnZ) {
  Track t = track_with(1, {0, 1, 2, 3});
  // A tilted box: the flip must turn it about its own z axis, keeping the tilt.
  t.boxes[2].box.rotation = Eigen::AngleAxisd(0.4, Eigen::Vector3d::UnitZ()) *
                            Eigen::AngleAxisd(0.1, Eigen::Vector3d::UnitY());
  auto s = session_with({t});
  apply_and_check_undo(*s, flip_heading(s->document(), 1, FrameRange{1, 2}));
  const Track& after = *s->document().track(1);
  EXPECT_NEAR(after.boxes[0].box.yaw(), 0.3, 1e-12);
  EXPECT_NEAR(std::remainder(after.boxes[1].box.yaw() - (0.3 + kPi), 2 * kPi), 0.0, 1e-9);
  const geometry::Cuboid& tilted = after.boxes[2].box;
  const Eigen::Matrix3d before_r = t.boxes[2].box.rotation.toRotationMatrix();
  const Eigen::Matrix3d after_r = tilted.rotation.toRotationMatrix();
  EXPECT_TRUE(after_r.col(2).isApprox(before_r.col(2), 1e-12));   // same up axis (tilt kept)
  EXPECT_TRUE(after_r.col(0).isApprox(-before_r.col(0), 1e-12));  // forward reversed
  EXPECT_EQ(tilted.center, t.boxes[2].box.center);
  // Twice is the identity (up to rounding of the quaternion).
  ASSERT_TRUE(s->apply(flip_heading(s->document(), 1, FrameRange{1, 2})));
  EXPECT_TRUE(
      s->document().track(1)->boxes[2].box.rotation.toRotationMatrix().isApprox(before_r, 1e-12));
}

TEST(TrackEdits, RandomEditsUndoBitForBit) {
  // Property: any sequence of these commands, undone, gives the starting document exactly.
  std::mt19937_64 rng(7);
  std::vector<Track> tracks;
  for (std::int64_t id = 0; id < 5; ++id) {
    Track t;
    t.id = id;
    t.label = id % 2 == 0 ? "Car" : "Pedestrian";
    for (int f = 0; f < 30; ++f) {
      if (rng() % 2 == 0) continue;
      BoxState st;
      st.frame = f;
      st.box = test::random_box(rng, Eigen::Vector3d(10, 0, 0), 5.0, rng() % 2 == 0);
      t.boxes.push_back(st);
    }
    if (!t.boxes.empty()) tracks.push_back(t);
  }
  auto s = session_with(tracks, 30);
  const std::string start = text(*s);
  std::vector<std::string> states{start};
  for (int i = 0; i < 200; ++i) {
    const auto& doc = s->document();
    if (doc.tracks.empty()) break;
    const Track& t = doc.tracks[rng() % doc.tracks.size()];
    const std::int64_t f = t.boxes[rng() % t.boxes.size()].frame;
    const std::int64_t other = doc.tracks[rng() % doc.tracks.size()].id;
    const FrameRange r{f, f + static_cast<std::int64_t>(rng() % 6)};
    Expected<Command> cmd = Error{ErrorCode::kInvalidArgument, "", ""};
    switch (rng() % 6) {
      case 0:
        cmd = relink_box(doc, t.id, f, rng() % 2 ? other : -1);
        break;
      case 1:
        cmd = delete_frames(doc, t.id, r);
        break;
      case 2:
        cmd = apply_size(doc, t.id, f, r);
        break;
      case 3:
        cmd = flip_heading(doc, t.id, r);
        break;
      case 4:
        cmd = merge_tracks(doc, t.id, other);
        break;
      default:
        cmd = split_track(doc, t.id, f);
        break;
    }
    if (!cmd) continue;
    ASSERT_TRUE(s->apply(*cmd));
    states.push_back(text(*s));
  }
  ASSERT_GT(states.size(), 50u);
  for (std::size_t i = states.size() - 1; i > 0; --i) {
    ASSERT_TRUE(s->undo());
    ASSERT_EQ(text(*s), states[i - 1]) << "undo to state " << i - 1;
  }
  EXPECT_EQ(text(*s), start);
}

// Re-fit on the sample KITTI tracking frames (real data in the repository: frames 0-4 of 0000).
class RefitTrack : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("XDG_CACHE_HOME", cache_.path().c_str(), 1);
    test::SampleKittiSession sample = test::open_sample_kitti_session();
    ASSERT_TRUE(sample.session);
    truth_ = std::move(sample.truth);
    session_ = std::move(sample.session);
  }
  test::TempDir cache_;
  formats::Annotations truth_;
  std::unique_ptr<Session> session_;
};

TEST_F(RefitTrack, PullsDisplacedBoxesBackOntoTheirPoints) {
  // Track 0 (the van) displaced by 0.5 m and turned by 0.15 rad in every frame.
  const Track& van = *truth_.track(0);
  ASSERT_GE(van.boxes.size(), 3u);
  session_->begin_transaction("displace");
  for (const BoxState& b : van.boxes) {
    geometry::Cuboid off = b.box;
    off.center += Eigen::Vector3d(0.5, -0.3, 0.0);
    off.rotation = Eigen::AngleAxisd(0.15, Eigen::Vector3d::UnitZ()) * off.rotation;
    ASSERT_TRUE(session_->apply(modify_box(session_->document(), 0, b.frame, off)));
  }
  ASSERT_TRUE(session_->commit_transaction());
  const std::string displaced = text(*session_);
  std::vector<double> fractions;
  RefitReport report;
  Expected<Command> cmd = refit_track(
      *session_, 0, std::nullopt, sequence_clouds(*session_),
      [&](double f) {
        fractions.push_back(f);
        return true;
      },
      &report);
  ASSERT_TRUE(cmd) << cmd.error().message;
  EXPECT_EQ(report.refitted + report.kept_frames.size(), van.boxes.size());
  EXPECT_GE(report.refitted, van.boxes.size() - 1);
  ASSERT_FALSE(fractions.empty());
  EXPECT_DOUBLE_EQ(fractions.back(), 1.0);
  ASSERT_TRUE(session_->apply(*cmd));
  for (const BoxState& truth : van.boxes) {
    const BoxState* b = session_->document().track(0)->at(truth.frame);
    ASSERT_NE(b, nullptr);
    if (b->provenance != formats::Provenance::kFitted) continue;
    EXPECT_GT(geometry::iou_bev(b->box, truth.box), 0.7) << "frame " << truth.frame;
  }
  ASSERT_TRUE(session_->undo());
  EXPECT_EQ(text(*session_), displaced);
}

// The fit is yaw-only; a box's own pitch and roll stay (a free-tilt van on a ramp keeps its tilt)
// while its heading is the fitted one.
TEST_F(RefitTrack, KeepsEachBoxsPitchAndRoll) {
  const Track& van = *truth_.track(0);
  const geometry::YawPitchRoll tilt{0.0, 0.07, -0.04};
  session_->begin_transaction("tilt");
  for (const BoxState& b : van.boxes) {
    geometry::YawPitchRoll ypr = geometry::yaw_pitch_roll(b.box.rotation);
    ypr.pitch = tilt.pitch;
    ypr.roll = tilt.roll;
    geometry::Cuboid tilted = b.box;
    tilted.rotation = geometry::quaternion_from_yaw_pitch_roll(ypr);
    BoxState s = b;
    s.box = tilted;
    ASSERT_TRUE(session_->apply(put_box(session_->document(), 0, s)));
  }
  ASSERT_TRUE(session_->commit_transaction());
  RefitReport report;
  Expected<Command> cmd =
      refit_track(*session_, 0, std::nullopt, sequence_clouds(*session_), {}, &report);
  ASSERT_TRUE(cmd) << cmd.error().message;
  ASSERT_GE(report.refitted, 1u);
  ASSERT_TRUE(session_->apply(*cmd));
  for (const BoxState& truth : van.boxes) {
    const BoxState* b = session_->document().track(0)->at(truth.frame);
    ASSERT_NE(b, nullptr);
    if (b->provenance != formats::Provenance::kFitted) continue;
    const geometry::YawPitchRoll got = geometry::yaw_pitch_roll(b->box.rotation);
    EXPECT_NEAR(got.pitch, tilt.pitch, 1e-9) << "frame " << truth.frame;
    EXPECT_NEAR(got.roll, tilt.roll, 1e-9) << "frame " << truth.frame;
  }
}

// Ids come from user input (pcanno edit, the C ABI): the largest one saturates rather than
// overflowing, and a new track then finds it in use.
TEST(NextTrackId, SaturatesAtTheLargestId) {
  formats::Annotations doc;
  formats::Track t;
  t.id = std::numeric_limits<std::int64_t>::max();
  t.label = "Car";
  doc.tracks.push_back(t);
  EXPECT_EQ(next_track_id(doc), std::numeric_limits<std::int64_t>::max());
  NewBox box;
  box.box.size = {4.0, 1.8, 1.5};
  const Expected<Command> cmd = create_track(doc, box);
  ASSERT_FALSE(cmd);
  EXPECT_NE(cmd.error().message.find("in use"), std::string::npos) << cmd.error().message;
}

TEST_F(RefitTrack, CancelledMakesNothing) {
  int calls = 0;
  Expected<Command> cmd = refit_track(*session_, 0, std::nullopt, sequence_clouds(*session_),
                                      [&](double) { return ++calls < 2; });
  ASSERT_FALSE(cmd);
  EXPECT_EQ(cmd.error().code, ErrorCode::kCancelled);
}

}  // namespace
}  // namespace pcanno::plugin
