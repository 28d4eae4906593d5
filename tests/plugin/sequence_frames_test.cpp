#include "pcanno/plugin/sequence_frames.hpp"

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nuscenes_test_data.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/formats/labels/nuscenes/codec.hpp"
#include "pcanno/plugin/command.hpp"
#include "pcanno/plugin/session.hpp"
#include "sequence_fixtures.hpp"
#include "temp_dir.hpp"

namespace pcanno::plugin {
namespace {

namespace fs = std::filesystem;
using formats::Annotations;
using formats::ErrorCode;
using test::NuscenesSweeps;

/// Frames "a".."g"; keyframes a, d, g (0, 3, 6), the others sweeps.
formats::Sequence lettered_sequence() {
  formats::Sequence seq;
  seq.name = "scene-x";
  for (int i = 0; i < 7; ++i) {
    formats::FrameRef f;
    f.name = std::string(1, static_cast<char>('a' + i));
    f.timestamp_us = 1000 + i;
    f.is_keyframe = i % 3 == 0;
    if (f.is_keyframe) f.sample_token = "s" + f.name;
    seq.frames.push_back(f);
  }
  return seq;
}

formats::BoxState box_on(std::int64_t frame) {
  formats::BoxState b;
  b.frame = frame;
  b.box = geometry::Cuboid::from_yaw(Eigen::Vector3d(frame, 0, 0), Eigen::Vector3d(4, 2, 1.5), 0);
  return b;
}

/// The document a keyframes-only session made: frames a, d, g.
Annotations keyframe_document() {
  Annotations doc;
  for (const char* name : {"a", "d", "g"}) doc.frames.push_back({name, -1, {}, ""});
  doc.frames[1].attributes["weather"] = "rain";
  formats::Track t;
  t.id = 4;
  t.label = "Car";
  t.boxes = {box_on(0), box_on(1), box_on(2)};
  doc.tracks.push_back(t);
  formats::PolylineTrack p;
  p.id = 2;
  p.label = "lane";
  formats::PolylineState s;
  s.frame = 1;
  p.states.push_back(s);
  doc.polylines.push_back(p);
  doc.ignore_regions.push_back(formats::IgnoreRegion{2, {1, 2, 3, 4}, "DontCare"});
  return doc;
}

TEST(SequenceFrames, SweepsAreTheFramesThatAreNotKeyframes) {
  formats::Sequence seq = lettered_sequence();
  EXPECT_TRUE(has_sweeps(seq));
  for (auto& f : seq.frames) f.is_keyframe = true;
  EXPECT_FALSE(has_sweeps(seq));
  EXPECT_TRUE(layout_has_sweeps("nuscenes"));
  EXPECT_FALSE(layout_has_sweeps("kitti-tracking"));
  EXPECT_FALSE(layout_has_sweeps("folder"));
}

TEST(SequenceFrames, KeyframeLabelsMoveOntoTheKeyframesAmongTheSweeps) {
  Annotations doc = keyframe_document();
  const auto note = fit_document_to_sequence(doc, lettered_sequence());
  ASSERT_TRUE(note) << note.error().describe();
  ASSERT_TRUE(note->has_value());
  EXPECT_NE((*note)->find("keyframes"), std::string::npos) << **note;
  ASSERT_EQ(doc.frames.size(), 7u);
  EXPECT_EQ(doc.frames[1].name, "b");  // a sweep, listed from the sequence
  EXPECT_EQ(doc.frames[3].name, "d");
  EXPECT_EQ(doc.frames[3].attributes.at("weather"), "rain");  // the document's own facts kept
  EXPECT_EQ(doc.frames[6].source_token, "sg");
  const formats::Track& t = doc.tracks[0];
  ASSERT_EQ(t.boxes.size(), 3u);
  const std::int64_t want[] = {0, 3, 6};
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(t.boxes[i].frame, want[i]);
    // The box that was on keyframe i is still the same box.
    EXPECT_DOUBLE_EQ(t.boxes[i].box.center.x(), static_cast<double>(i));
  }
  EXPECT_EQ(doc.polylines[0].states[0].frame, 3);
  EXPECT_EQ(doc.ignore_regions[0].frame, 6);
}

TEST(SequenceFrames, MatchingFramesOrOtherNamesLeaveTheDocument) {
  const formats::Sequence seq = lettered_sequence();
  Annotations same;
  for (const auto& f : seq.frames) same.frames.push_back({f.name, -1, {}, ""});
  const std::string before = formats::serialize_pcanno_document(same);
  auto r = fit_document_to_sequence(same, seq);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_value());
  EXPECT_EQ(formats::serialize_pcanno_document(same), before);

  Annotations other = keyframe_document();
  other.frames[2].name = "zz";  // not a frame of the sequence: another frame list
  const std::string other_before = formats::serialize_pcanno_document(other);
  r = fit_document_to_sequence(other, seq);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_value());
  EXPECT_EQ(formats::serialize_pcanno_document(other), other_before);

  Annotations reversed = keyframe_document();
  std::swap(reversed.frames[0].name, reversed.frames[2].name);  // g, d, a: out of order
  r = fit_document_to_sequence(reversed, seq);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_value());
}

TEST(SequenceFrames, SweepDocumentShownWithoutSweepsIsRefused) {
  const formats::Sequence with = lettered_sequence();
  Annotations doc;
  for (const auto& f : with.frames) doc.frames.push_back({f.name, -1, {}, ""});
  formats::Sequence keyframes;
  keyframes.name = "scene-x";
  for (const auto& f : with.frames) {
    if (f.is_keyframe) keyframes.frames.push_back(f);
  }
  const auto r = fit_document_to_sequence(doc, keyframes);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_NE(r.error().message.find("7 frames"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("--sweeps"), std::string::npos) << r.error().message;
}

TEST(SequenceFrames, ShapeOffTheFrameListIsMalformedAndChangesNothing) {
  Annotations doc = keyframe_document();
  doc.tracks[0].boxes.push_back(box_on(5));
  const std::string before = formats::serialize_pcanno_document(doc);
  const auto r = fit_document_to_sequence(doc, lettered_sequence());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kMalformed);
  EXPECT_NE(r.error().message.find("track 4"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("frame 5"), std::string::npos) << r.error().message;
  EXPECT_EQ(formats::serialize_pcanno_document(doc), before);
}

// ---- The nuScenes fixture: a scene with sweeps, its labels and a saved keyframe document ----

class NuscenesSweepsSession : public ::testing::Test {
 protected:
  void SetUp() override {
    const formats::Status written = test::write_nuscenes_sweeps(root_, tmp_.path() / "src");
    ASSERT_TRUE(written) << written.error().describe();
  }

  formats::Sequence open(bool sweeps) {
    formats::SequenceOptions options;
    options.include_sweeps = sweeps;
    auto seq = formats::open_sequence(root_, options);
    EXPECT_TRUE(seq) << seq.error().describe();
    return seq ? std::move(*seq) : formats::Sequence{};
  }

  SessionOptions session_options(bool sweeps) {
    SessionOptions o;
    o.sequence = root_;
    o.sequence_options.include_sweeps = sweeps;
    o.recovery_folder = tmp_.path() / "recovery";
    o.load_plugins = false;
    return o;
  }

  test::TempDir tmp_;
  const fs::path root_ = tmp_.path() / "nuscenes";
};

TEST_F(NuscenesSweepsSession, TheFixtureHasSweepsAndKeyframes) {
  const formats::Sequence keys = open(false);
  EXPECT_EQ(keys.layout, "nuscenes");
  EXPECT_EQ(keys.name, NuscenesSweeps::kScene);
  EXPECT_EQ(keys.size(), 3u);
  const formats::Sequence all = open(true);
  ASSERT_EQ(all.size(), static_cast<std::size_t>(NuscenesSweeps::kFrames));
  for (std::size_t f = 0; f < all.size(); ++f) {
    EXPECT_EQ(all.frames[f].is_keyframe, NuscenesSweeps::is_keyframe(static_cast<std::int64_t>(f)))
        << f;
  }
}

TEST_F(NuscenesSweepsSession, CodecPutsKeyframeLabelsOnTheKeyframesOfTheSweepList) {
  const formats::Sequence all = open(true);
  formats::LabelContext context;
  context.sequence = &all;
  const auto doc = formats::read_nuscenes_annotations(root_, context);
  ASSERT_TRUE(doc) << doc.error().describe();
  ASSERT_EQ(doc->frames.size(), 7u);
  const formats::Track* car = nullptr;
  for (const auto& t : doc->tracks) {
    if (t.label == "Car") car = &t;
  }
  ASSERT_NE(car, nullptr);
  ASSERT_EQ(car->boxes.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(car->boxes[i].frame, NuscenesSweeps::kKeyframes[i]);
    EXPECT_TRUE(car->boxes[i].keyframe);
  }
}

TEST_F(NuscenesSweepsSession, SavedKeyframeDocumentOpensOntoTheSweeps) {
  // A document saved by a keyframes-only session: frames 0, 1, 2 are the scene's keyframes.
  const fs::path document = tmp_.path() / "labels.pcanno.json";
  {
    const formats::Sequence keys = open(false);
    formats::LabelContext context;
    context.sequence = &keys;
    auto labels = formats::read_nuscenes_annotations(root_, context);
    ASSERT_TRUE(labels) << labels.error().describe();
    ASSERT_EQ(labels->frames.size(), 3u);
    SessionOptions o = session_options(false);
    o.labels = std::move(*labels);
    auto s = Session::open(o);
    ASSERT_TRUE(s) << s.error().describe();
    ASSERT_TRUE((*s)->save(document));
  }
  SessionOptions o = session_options(true);
  o.document = document;
  auto s = Session::open(o);
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_EQ((*s)->frame_count(), 7u);
  ASSERT_EQ((*s)->document().frames.size(), 7u);
  EXPECT_TRUE(test::any_contains((*s)->warnings(), "keyframes")) << (*s)->warnings().size();
  const formats::Track* car = nullptr;
  for (const auto& t : (*s)->document().tracks) {
    if (t.label == "Car") car = &t;
  }
  ASSERT_NE(car, nullptr);
  ASSERT_EQ(car->boxes.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(car->boxes[i].frame, NuscenesSweeps::kKeyframes[i]);
    // In the world frame the boxes are where the fixture put them, on their own keyframes.
    const auto world = (*s)->box_in_world(car->id, car->boxes[i].frame);
    ASSERT_TRUE(world);
    EXPECT_LE((world->center -
               NuscenesSweeps::car_center(static_cast<double>(NuscenesSweeps::kKeyframes[i])))
                  .norm(),
              1e-6);
  }
  // Saved with the sweeps, the document no longer fits the keyframes alone: refused, not
  // silently shifted.
  ASSERT_TRUE((*s)->save());
  s->reset();
  SessionOptions keys_only = session_options(false);
  keys_only.document = document;
  const auto refused = Session::open(keys_only);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().describe().find("sweeps"), std::string::npos);
  EXPECT_NE(refused.error().describe().find(document.filename().string()), std::string::npos)
      << refused.error().describe();
}

}  // namespace
}  // namespace pcanno::plugin
