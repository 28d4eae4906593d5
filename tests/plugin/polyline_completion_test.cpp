// Completing polyline tracks with the box tracks (complete_tracks() / complete_polylines()), on the
// synthetic curb sequence with exact poses.
#include "pcanno/plugin/automation/polyline_completion.hpp"

#include <gtest/gtest.h>

#include "curb_sequence.hpp"
#include "pcanno/formats/labels/class_schema.hpp"
#include "temp_dir.hpp"

namespace pcanno::plugin {
namespace {

using formats::PolylineState;

class PolylineCompletionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::write_curb_scans(temp_.path(), scans_);
    auto seq = formats::open_sequence(temp_.path());
    ASSERT_TRUE(seq) << seq.error().message;
    for (int f = 0; f < scans_.frames; ++f) {
      seq->frames[static_cast<std::size_t>(f)].T_world_lidar = test::curb_pose(scans_, f);
      doc_.frames.push_back({seq->frames[static_cast<std::size_t>(f)].name, -1, {}, ""});
    }
    sequence_ = std::move(*seq);
    formats::PolylineTrack track;
    track.id = 3;
    for (const formats::ClassSpec& c : formats::default_class_schema()) {
      if (c.shape == formats::ShapeKind::kPolyline && c.evidence == formats::LineEvidence::kCurb) {
        track.label = c.name;
        break;
      }
    }
    doc_.polylines.push_back(track);
  }
  /// A keyframe on the curb at frame `f`, in its LiDAR frame.
  void key(int f) {
    PolylineState s;
    s.frame = f;
    const geometry::Polyline world = test::curb_in_world(scans_, -5.0, 20.0, 5.0);
    s.line = geometry::transform(test::curb_pose(scans_, f).inverse(), world);
    doc_.polylines[0].states.push_back(s);
  }
  const PolylineState* at(const formats::Annotations& doc, std::int64_t f) const {
    for (const PolylineState& s : doc.polylines[0].states) {
      if (s.frame == f) return &s;
    }
    return nullptr;
  }
  std::string provenances(const formats::Annotations& doc) const {
    std::string out;
    for (int f = 0; f < scans_.frames; ++f) {
      const PolylineState* s = at(doc, f);
      out += s == nullptr ? '.' : s->keyframe ? 'K' : formats::to_string(s->provenance)[0];
    }
    return out;
  }

  test::CurbScans scans_;
  test::TempDir temp_;
  formats::Sequence sequence_;
  formats::Annotations doc_;
};

TEST_F(PolylineCompletionTest, EachMethodFillsWhatItShould) {
  key(0);
  key(5);
  // A tracked line a person left at frame 2: never overwritten.
  PolylineState kept = doc_.polylines[0].states[0];
  kept.frame = 2;
  kept.keyframe = false;
  kept.provenance = formats::Provenance::kModel;
  doc_.polylines[0].states.insert(doc_.polylines[0].states.begin() + 1, kept);
  const std::pair<CompletionMethod, std::string> expected[] = {
      {CompletionMethod::kLinear, "KimiiK.."},
      {CompletionMethod::kInterpolate, "KimiiK.."},
      {CompletionMethod::kPropagate, "KtmttK.."},
      {CompletionMethod::kAuto, "KimiiK.."},
  };
  for (const auto& [method, pattern] : expected) {
    formats::Annotations doc = doc_;
    CompletionOptions options;
    options.method = method;
    auto r = complete_tracks(doc, sequence_, options);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(provenances(doc), pattern) << to_string(method);
    EXPECT_EQ(r->polyline_states_added, 3u) << to_string(method);
    EXPECT_EQ(r->polylines_completed, 1u);
    EXPECT_EQ(at(doc, 2)->provenance, formats::Provenance::kModel);
  }
}

TEST_F(PolylineCompletionTest, ASingleKeyframeIsPropagatedToTheEndAndStaysOnTheCurb) {
  key(1);
  CompletionOptions options;  // kAuto
  auto r = complete_tracks(doc_, sequence_, options);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(provenances(doc_), ".Ktttttt");
  for (int f = 2; f < scans_.frames; ++f) {
    const PolylineState* s = at(doc_, f);
    ASSERT_NE(s, nullptr);
    for (const Eigen::Vector3d& v : s->line.vertices) {
      // In the frame's LiDAR frame, on the curb (y = 4 in the world, no turn).
      EXPECT_NEAR((test::curb_pose(scans_, f) * v).y(), scans_.curb_y, 0.05) << f;
    }
  }
}

TEST_F(PolylineCompletionTest, CancelledLeavesTheDocumentAsItWas) {
  key(0);
  const formats::Annotations before = doc_;
  CompletionOptions options;
  int calls = 0;
  auto r = complete_tracks(doc_, sequence_, options, [&](double) { return ++calls < 3; });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, formats::ErrorCode::kCancelled);
  EXPECT_EQ(doc_.polylines[0].states.size(), before.polylines[0].states.size());
}

}  // namespace
}  // namespace pcanno::plugin
