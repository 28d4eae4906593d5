#include "pcanno/plugin/session.hpp"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/plugin/polyline_commands.hpp"

namespace pcanno::plugin {
namespace {

using formats::serialize_pcanno_document;

formats::Annotations frames_only(int n) {
  formats::Annotations doc;
  for (int i = 0; i < n; ++i)
    doc.frames.push_back(formats::FrameInfo{std::to_string(i), -1, {}, ""});
  return doc;
}

NewBox car_at(std::int64_t frame, double x, double yaw = 0.0) {
  NewBox b;
  b.label = "Car";
  b.frame = frame;
  b.box = geometry::Cuboid::from_yaw(Eigen::Vector3d(x, 2.0, -0.8), Eigen::Vector3d(4.0, 1.8, 1.5),
                                     yaw);
  return b;
}

std::string text(const Session& s) { return serialize_pcanno_document(s.document()); }

TEST(Session, CommandsUndoAndRedoRestoreBitForBit) {
  auto s = Session::create(frames_only(10));
  const std::string empty = text(*s);
  ASSERT_TRUE(s->apply(create_track(s->document(), car_at(0, 10.0))));
  const std::string one = text(*s);
  ASSERT_EQ(s->document().tracks.size(), 1u);
  EXPECT_EQ(s->document().tracks[0].id, 0);
  ASSERT_NE(s->document().class_spec("Car"), nullptr);  // added with the track
  EXPECT_EQ(s->undo_name(), "Create box");

  geometry::Cuboid moved = s->document().tracks[0].boxes[0].box;
  moved.center.x() += 0.3;
  ASSERT_TRUE(s->apply(modify_box(s->document(), 0, 0, moved)));
  EXPECT_DOUBLE_EQ(s->document().tracks[0].boxes[0].box.center.x(), 10.3);

  ASSERT_TRUE(s->undo());
  EXPECT_EQ(text(*s), one);
  ASSERT_TRUE(s->undo());
  EXPECT_EQ(text(*s), empty);
  EXPECT_FALSE(s->can_undo());
  EXPECT_FALSE(s->undo());
  ASSERT_TRUE(s->redo());
  EXPECT_EQ(text(*s), one);
  // A new command clears the redo side.
  ASSERT_TRUE(s->apply(set_class(s->document(), 0, "Van")));
  EXPECT_FALSE(s->can_redo());
  EXPECT_EQ(s->document().tracks[0].label, "Van");
}

TEST(Session, CommandFactoriesCheckTheirArguments) {
  auto s = Session::create(frames_only(5));
  ASSERT_TRUE(s->apply(create_track(s->document(), car_at(0, 1.0))));
  Expected<Command> missing = modify_box(s->document(), 0, 3, car_at(3, 0).box);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("track 0 has no box in frame 3"), std::string::npos);
  NewBox flat = car_at(1, 0.0);
  flat.box.size.z() = 0.0;
  EXPECT_FALSE(create_track(s->document(), flat));
  EXPECT_FALSE(create_track(s->document(), car_at(1, 0.0), 0));  // id in use
  EXPECT_FALSE(set_class(s->document(), 0, ""));
  EXPECT_FALSE(s->apply(delete_track(s->document(), 42)));
  EXPECT_EQ(s->document().tracks.size(), 1u);
}

TEST(Session, MergeSplitKeyframesAndAttributes) {
  auto s = Session::create(frames_only(10));
  ASSERT_TRUE(s->apply(create_track(s->document(), car_at(0, 0.0))));
  ASSERT_TRUE(s->apply(create_track(s->document(), car_at(5, 5.0))));
  formats::BoxState at1 = s->document().tracks[0].boxes[0];
  at1.frame = 1;
  at1.keyframe = false;
  at1.provenance = formats::Provenance::kInterpolated;
  ASSERT_TRUE(s->apply(put_box(s->document(), 0, at1)));
  ASSERT_TRUE(s->apply(merge_tracks(s->document(), 0, 1)));
  ASSERT_EQ(s->document().tracks.size(), 1u);
  ASSERT_EQ(s->document().tracks[0].boxes.size(), 3u);
  EXPECT_EQ(s->document().tracks[0].boxes[2].frame, 5);

  // Overlapping frames refuse to merge.
  ASSERT_TRUE(s->apply(create_track(s->document(), car_at(1, 9.0))));
  Expected<Command> overlap = merge_tracks(s->document(), 0, 1);
  ASSERT_FALSE(overlap);
  EXPECT_NE(overlap.error().message.find("frame 1"), std::string::npos);

  ASSERT_TRUE(s->apply(split_track(s->document(), 0, 2)));
  ASSERT_EQ(s->document().tracks.size(), 3u);
  EXPECT_EQ(s->document().track(0)->boxes.size(), 2u);
  ASSERT_NE(s->document().track(2), nullptr);
  EXPECT_EQ(s->document().track(2)->boxes.front().frame, 5);
  EXPECT_FALSE(split_track(s->document(), 0, 0));  // would leave nothing before

  ASSERT_TRUE(s->apply(set_keyframe(s->document(), 0, 1, true)));
  EXPECT_TRUE(s->document().track(0)->at(1)->keyframe);
  ASSERT_TRUE(s->apply(set_track_attribute(s->document(), 0, "parked", "yes")));
  ASSERT_TRUE(s->apply(set_box_attribute(s->document(), 0, 1, "occlusion", "partly")));
  EXPECT_EQ(s->document().track(0)->attributes.at("parked"), "yes");
  EXPECT_EQ(s->document().track(0)->at(1)->attributes.at("occlusion"), "partly");
  ASSERT_TRUE(s->apply(set_track_attribute(s->document(), 0, "parked", std::nullopt)));
  EXPECT_EQ(s->document().track(0)->attributes.count("parked"), 0u);

  // Deleting a track's last box deletes the track.
  ASSERT_TRUE(s->apply(delete_box(s->document(), 1, 1)));
  EXPECT_EQ(s->document().track(1), nullptr);
}

// Regression: the overlap check binary-searched the merged box list while appending to it, so
// kept {5} + absorbed {1, 5} gave a track with two boxes in frame 5 (a document that saves but
// does not load). Found by the journal crash test.
TEST(Session, MergeRefusesOverlapWhateverTheOrderOfFrames) {
  auto s = Session::create(frames_only(10));
  ASSERT_TRUE(s->apply(create_track(s->document(), car_at(5, 0.0))));
  ASSERT_TRUE(s->apply(create_track(s->document(), car_at(1, 5.0))));
  formats::BoxState at5 = s->document().track(1)->boxes[0];
  at5.frame = 5;
  ASSERT_TRUE(s->apply(put_box(s->document(), 1, at5)));
  Expected<Command> merge = merge_tracks(s->document(), 0, 1);
  ASSERT_FALSE(merge);
  EXPECT_NE(merge.error().message.find("both have a box in frame 5"), std::string::npos);
}

TEST(Session, PolylineVertexEdits) {
  auto s = Session::create(frames_only(3));
  geometry::Polyline line;
  line.vertices = {{0, 0, 0}, {10, 0, 0}};
  ASSERT_TRUE(s->apply(create_polyline(s->document(), "Lane", 0, line)));
  ASSERT_TRUE(s->apply(insert_vertex(s->document(), 0, 0, 1, {5, 1, 0})));
  ASSERT_TRUE(s->apply(move_vertex(s->document(), 0, 0, 2, {12, 0, 0})));
  ASSERT_TRUE(s->apply(set_closed(s->document(), 0, 0, true)));
  const geometry::Polyline& edited = s->document().polylines[0].states[0].line;
  ASSERT_EQ(edited.vertices.size(), 3u);
  EXPECT_EQ(edited.vertices[1], Eigen::Vector3d(5, 1, 0));
  EXPECT_EQ(edited.vertices[2], Eigen::Vector3d(12, 0, 0));
  EXPECT_TRUE(edited.closed);
  ASSERT_TRUE(s->apply(delete_vertex(s->document(), 0, 0, 0)));
  EXPECT_EQ(s->document().polylines[0].states[0].line.vertices.size(), 2u);
  EXPECT_FALSE(move_vertex(s->document(), 0, 0, 7, {0, 0, 0}));
  EXPECT_FALSE(insert_vertex(s->document(), 0, 2, 0, {0, 0, 0}));  // no line in frame 2
  ASSERT_TRUE(s->apply(set_polyline(s->document(), 0, 2, line)));
  ASSERT_EQ(s->polylines_at(2).size(), 1u);
  EXPECT_EQ(s->polylines_at(2)[0].state->line.vertices, line.vertices);
  EXPECT_TRUE(s->polylines_at(1).empty());
  EXPECT_EQ(s->polylines_at(0).size(), 1u);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(s->undo());
  EXPECT_TRUE(s->document().polylines.empty());
}

TEST(Session, TransactionIsOneUndoStepAndCancelReverts) {
  auto s = Session::create(frames_only(40));
  ASSERT_TRUE(s->apply(create_track(s->document(), car_at(0, 0.0))));
  const std::string before = text(*s);
  s->begin_transaction("Propagate");
  for (int f = 1; f < 40; ++f) {
    formats::BoxState b = s->document().track(0)->boxes.front();
    b.frame = f;
    b.box.center.x() = f * 0.5;
    b.provenance = formats::Provenance::kTracked;
    ASSERT_TRUE(s->apply(put_box(s->document(), 0, b)));
  }
  EXPECT_FALSE(s->can_undo());  // not in the middle of a transaction
  ASSERT_TRUE(s->commit_transaction());
  EXPECT_EQ(s->document().track(0)->boxes.size(), 40u);
  EXPECT_EQ(s->undo_name(), "Propagate");
  ASSERT_TRUE(s->undo());
  EXPECT_EQ(text(*s), before);
  ASSERT_TRUE(s->redo());
  EXPECT_EQ(s->document().track(0)->boxes.size(), 40u);
  ASSERT_TRUE(s->undo());

  s->begin_transaction("Cancelled");
  ASSERT_TRUE(s->apply(create_track(s->document(), car_at(3, 7.0))));
  ASSERT_TRUE(s->apply(set_class(s->document(), 1, "Truck")));
  ASSERT_TRUE(s->cancel_transaction());
  EXPECT_EQ(text(*s), before);
  EXPECT_EQ(s->undo_name(), "Create box");
}

TEST(Session, ObserversHearEveryChange) {
  auto s = Session::create(frames_only(5));
  std::vector<Change> heard;
  const int id = s->add_observer([&](const Change& c) { heard.push_back(c); });
  ASSERT_TRUE(s->apply(create_track(s->document(), car_at(0, 0.0))));
  ASSERT_TRUE(s->set_frame(3));
  ASSERT_TRUE(s->undo());
  s->set_selection(Selection{0, std::nullopt, std::nullopt});
  EXPECT_FALSE(s->set_frame(5));
  ASSERT_EQ(heard.size(), 4u);
  EXPECT_EQ(heard[0].kind, ChangeKind::kEdit);
  EXPECT_EQ(heard[0].tracks, std::vector<std::int64_t>{0});
  EXPECT_EQ(heard[1].kind, ChangeKind::kFrame);
  EXPECT_EQ(heard[2].kind, ChangeKind::kUndo);
  EXPECT_EQ(heard[2].name, "Create box");
  EXPECT_EQ(heard[3].kind, ChangeKind::kSelection);
  s->remove_observer(id);
  ASSERT_TRUE(s->redo());
  EXPECT_EQ(heard.size(), 4u);
}

// 10,000 random commands with undo and redo interleaved: undoing everything gives the initial
// document back, and redoing everything the final one, bit for bit.
TEST(Session, TenThousandRandomCommandsUndoAndRedoExactly) {
  std::mt19937_64 rng(20261127);
  formats::Annotations initial = frames_only(50);
  {
    auto seed = Session::create(initial);
    ASSERT_TRUE(seed->apply(create_track(seed->document(), car_at(0, 0.0))));
    initial = seed->document();
  }
  auto s = Session::create(initial);
  const std::string initial_text = text(*s);
  const auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  int applied = 0;
  for (int i = 0; applied < 10000; ++i) {
    const formats::Annotations& doc = s->document();
    const int choice = static_cast<int>(rng() % 12);
    if (choice == 0 && s->can_undo()) {
      ASSERT_TRUE(s->undo());
      continue;
    }
    if (choice == 1 && s->can_redo()) {
      ASSERT_TRUE(s->redo());
      continue;
    }
    const formats::Track& t = doc.tracks[rng() % doc.tracks.size()];
    const formats::BoxState& b = t.boxes[rng() % t.boxes.size()];
    const std::int64_t frame = static_cast<std::int64_t>(rng() % 50);
    Expected<Command> cmd = Error{};
    switch (choice) {
      case 2:
        cmd = create_track(doc, car_at(frame, uniform(-50, 50), uniform(-3, 3)));
        break;
      case 3: {
        geometry::Cuboid c = b.box;
        c.center += Eigen::Vector3d(uniform(-1, 1), uniform(-1, 1), uniform(-0.1, 0.1));
        c.size *= uniform(0.9, 1.1);
        c.rotation = c.rotation * Eigen::Quaterniond(Eigen::AngleAxisd(uniform(-0.2, 0.2),
                                                                       Eigen::Vector3d::UnitZ()));
        c.rotation.normalize();
        cmd = modify_box(doc, t.id, b.frame, c);
        break;
      }
      case 4: {
        formats::BoxState copy = b;
        copy.frame = frame;
        copy.provenance = formats::Provenance::kTracked;
        cmd = put_box(doc, t.id, copy);
        break;
      }
      case 5:
        if (doc.tracks.size() > 1) cmd = delete_box(doc, t.id, b.frame);
        break;
      case 6:
        cmd = set_class(doc, t.id, rng() % 2 ? "Pedestrian" : "Cyclist");
        break;
      case 7:
        cmd = set_box_attribute(doc, t.id, b.frame, "occlusion",
                                rng() % 3 ? std::optional<std::string>("partly") : std::nullopt);
        break;
      case 8:
        cmd = set_keyframe(doc, t.id, b.frame, rng() % 2 == 0);
        break;
      case 9: {
        const formats::Track& other = doc.tracks[rng() % doc.tracks.size()];
        cmd = merge_tracks(doc, t.id, other.id);  // often refused: overlapping frames
        break;
      }
      case 10:
        cmd = split_track(doc, t.id, frame);
        break;
      default:
        cmd = set_track_attribute(doc, t.id, "note", std::to_string(rng() % 100));
        break;
    }
    if (!cmd) continue;
    ASSERT_TRUE(s->apply(*cmd));
    ++applied;
  }
  const std::string final_text = text(*s);
  while (s->can_undo()) ASSERT_TRUE(s->undo());
  EXPECT_EQ(text(*s), initial_text);
  while (s->can_redo()) ASSERT_TRUE(s->redo());
  EXPECT_EQ(text(*s), final_text);
}

}  // namespace
}  // namespace pcanno::plugin
