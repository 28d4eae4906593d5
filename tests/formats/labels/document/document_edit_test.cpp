#include "pcanno/formats/labels/document/edit.hpp"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pcanno/formats/labels/document/document.hpp"

namespace pcanno::formats {
namespace {

BoxState box_at(std::int64_t frame, double x) {
  BoxState s;
  s.frame = frame;
  s.box = geometry::Cuboid::from_yaw(Eigen::Vector3d(x, 0.1 * frame, -1.0),
                                     Eigen::Vector3d(4.2, 1.8, 1.5), 0.3 + 0.01 * frame);
  s.provenance = frame % 2 ? Provenance::kInterpolated : Provenance::kManual;
  s.keyframe = frame % 2 == 0;
  s.attributes["occlusion"] = "none";
  return s;
}

Annotations sample() {
  Annotations doc;
  doc.ensure_class("Car");
  for (int f = 0; f < 5; ++f)
    doc.frames.push_back(FrameInfo{std::to_string(f), f * 100000, {}, ""});
  Track car;
  car.id = 2;
  car.label = "Car";
  car.attributes["parked"] = "no";
  for (int f = 0; f < 4; ++f) car.boxes.push_back(box_at(f, 10.0 + f));
  doc.tracks.push_back(car);
  PolylineTrack lane;
  lane.id = 1;
  lane.label = "Lane";
  PolylineState state;
  state.frame = 0;
  state.line.vertices = {{0, 0, 0}, {5, 0.5, 0}, {10, 1.0, 0.1}};
  lane.states.push_back(state);
  doc.polylines.push_back(lane);
  doc.ensure_class("Lane");
  return doc;
}

std::string text(const Annotations& doc) { return serialize_pcanno_document(doc); }

std::vector<DocumentEdit> every_kind_of_edit() {
  ClassSpec ped;
  ped.name = "Pedestrian";
  ped.default_size = {0.8, 0.6, 1.7};
  Track walker;
  walker.id = 9;
  walker.label = "Pedestrian";
  walker.boxes.push_back(box_at(1, -3.0));
  PolylineState moved;
  moved.frame = 0;
  moved.line.vertices = {{0, 0, 0}, {5, 0.75, 0}};
  moved.line.closed = true;
  PolylineTrack curb;
  curb.id = 4;
  curb.label = "Curb";
  curb.states.push_back(moved);
  AttributeSpec weather;
  weather.name = "weather";
  weather.type = AttributeType::kEnum;
  weather.values = {"sun", "rain"};
  weather.mandatory = true;
  return {TagEdit{-1, "night", "true"},  // a scene tag
          TagEdit{2, "weather", "rain"},  // a frame tag
          TagEdit{3, "weather", "sun"},
          TagEdit{3, "weather", std::nullopt},  // and removed again
          TagSpecsEdit{true, {weather}},
          ClassEdit{"Pedestrian", ped, -1},   TrackEdit{9, walker},
          BoxEdit{2, 1, box_at(1, 42.0)},  // replace
          BoxEdit{2, 3, std::nullopt},     // delete
          BoxEdit{2, 4, box_at(4, 14.0)},  // insert at the end
          BoxEdit{9, 0, box_at(0, -3.5)},  // insert before the first
          PolylineStateEdit{1, 0, moved},     PolylineEdit{4, curb},
          ClassEdit{"Car", std::nullopt, -1}, TrackEdit{2, std::nullopt}};
}

TEST(DocumentEdit, UndoRestoresTheDocumentBitForBit) {
  Annotations doc = sample();
  const std::string before = text(doc);
  Expected<std::vector<DocumentEdit>> undo = apply_edits(doc, every_kind_of_edit());
  ASSERT_TRUE(undo) << undo.error().describe();
  const std::string after = text(doc);
  EXPECT_NE(after, before);
  EXPECT_EQ(doc.track(2), nullptr);
  ASSERT_NE(doc.track(9), nullptr);
  ASSERT_EQ(doc.track(9)->boxes.size(), 2u);
  EXPECT_EQ(doc.track(9)->boxes[0].frame, 0);  // kept sorted by frame
  EXPECT_EQ(doc.attributes.at("night"), "true");
  EXPECT_EQ(doc.frames[2].attributes.at("weather"), "rain");
  EXPECT_EQ(doc.frames[3].attributes.count("weather"), 0u);
  ASSERT_EQ(doc.frame_tags.size(), 1u);
  EXPECT_EQ(doc.frame_tags[0].name, "weather");
  ASSERT_TRUE(apply_edits(doc, *undo));
  EXPECT_EQ(text(doc), before);
}

TEST(DocumentEdit, ATagEditNeedsAFrameOfTheDocumentAndAName) {
  Annotations doc = sample();
  const std::string before = text(doc);
  const auto no_frame = apply_edit(doc, TagEdit{5, "weather", "sun"});
  ASSERT_FALSE(no_frame);
  EXPECT_NE(no_frame.error().message.find("no frame 5"), std::string::npos);
  EXPECT_FALSE(apply_edit(doc, TagEdit{-2, "weather", "sun"}));
  EXPECT_FALSE(apply_edit(doc, TagEdit{0, "", "sun"}));
  EXPECT_EQ(text(doc), before);
}

TEST(DocumentEdit, InconsistentEditsFailAndLeaveTheDocumentUnchanged) {
  Annotations doc = sample();
  const std::string before = text(doc);
  std::vector<DocumentEdit> edits = {BoxEdit{2, 1, box_at(1, 0.0)}, BoxEdit{77, 0, box_at(0, 0)}};
  Expected<std::vector<DocumentEdit>> r = apply_edits(doc, edits);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("edit 1: inconsistent edit: no track 77"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(text(doc), before);
  EXPECT_FALSE(apply_edit(doc, BoxEdit{2, 5, box_at(4, 0)}));  // frame mismatch
  Track wrong;
  wrong.id = 3;
  EXPECT_FALSE(apply_edit(doc, TrackEdit{4, wrong}));
  EXPECT_EQ(text(doc), before);
}

TEST(DocumentEdit, JsonLineRoundTripsExactly) {
  std::vector<DocumentEdit> edits = every_kind_of_edit();
  // Awkward doubles: the line must bring back every bit.
  for (DocumentEdit& e : edits) {
    if (auto* box = std::get_if<BoxEdit>(&e); box != nullptr && box->box) {
      box->box->box.center = {0.1 + 0.2, 1e-300, -123456.789012345678};
      break;
    }
  }
  const std::string line = serialize_edits(edits);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  Expected<std::vector<DocumentEdit>> parsed = parse_edits(line, "journal:1");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ(serialize_edits(*parsed), line);
  Annotations a = sample();
  Annotations b = sample();
  ASSERT_TRUE(apply_edits(a, edits));
  ASSERT_TRUE(apply_edits(b, *parsed));
  EXPECT_EQ(text(a), text(b));
}

TEST(DocumentEdit, BadLinesNameTheEditAndMember) {
  const auto error_of = [](const std::string& line) {
    Expected<std::vector<DocumentEdit>> r = parse_edits(line, "doc.journal:7");
    EXPECT_FALSE(r) << line;
    return r ? std::string() : r.error().describe();
  };
  EXPECT_NE(error_of("{\"edits\": [").find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of("{\"edits\": [{\"op\": \"teleport\", \"value\": null}]}").find("/edits/0/op"),
            std::string::npos);
  EXPECT_NE(error_of("{\"edits\": [{\"op\": \"box\", \"track\": 1, \"value\": null}]}")
                .find("/edits/0/frame: expected an integer"),
            std::string::npos);
  const std::string bad_center = error_of(
      "{\"edits\": [{\"op\": \"box\", \"track\": 1, \"frame\": 2, \"value\": {\"frame\": 2, "
      "\"frame_of_reference\": \"lidar\", \"center\": [1, \"x\", 3], \"size\": [1, 1, 1], "
      "\"rotation_wxyz\": [1, 0, 0, 0], \"provenance\": \"manual\", \"keyframe\": true}}]}");
  EXPECT_NE(bad_center.find("/edits/0/value/center/1"), std::string::npos) << bad_center;
  EXPECT_NE(bad_center.find("doc.journal:7"), std::string::npos) << bad_center;
  EXPECT_NE(error_of("{\"edits\": [{\"op\": \"tag\", \"frame\": -1, \"key\": \"k\", "
                     "\"value\": 3}]}")
                .find("/edits/0/value: expected a string or null"),
            std::string::npos);
  const std::string bad_spec = error_of(
      "{\"edits\": [{\"op\": \"tag_specs\", \"frame\": true, \"value\": [{\"name\": "
      "\"w\", \"type\": \"colour\"}]}]}");
  EXPECT_NE(bad_spec.find("/edits/0/value/0/type"), std::string::npos) << bad_spec;
}

TEST(DocumentEdit, RandomEditsUndoAndReplayExactly) {
  std::mt19937 rng(7);
  Annotations doc = sample();
  const std::string initial = text(doc);
  std::vector<std::vector<DocumentEdit>> undo_steps;
  Annotations replayed = sample();
  for (int step = 0; step < 300; ++step) {
    std::vector<DocumentEdit> edits;
    const std::int64_t id = static_cast<std::int64_t>(rng() % 4);
    const std::int64_t frame = static_cast<std::int64_t>(rng() % 5);
    if (doc.track(id) == nullptr || rng() % 7 == 0) {
      Track t;
      t.id = id;
      t.label = rng() % 2 ? "Car" : "Van";
      t.boxes.push_back(box_at(frame, static_cast<double>(rng() % 100)));
      TrackEdit edit;
      edit.track_id = id;
      if (rng() % 5) edit.track = std::move(t);
      edits.emplace_back(std::move(edit));
    } else {
      BoxEdit edit;
      edit.track_id = id;
      edit.frame = frame;
      if (rng() % 3) edit.box = box_at(frame, rng() % 50 * 0.37);
      edits.emplace_back(std::move(edit));
    }
    Expected<std::vector<DocumentEdit>> undo = apply_edits(doc, edits);
    ASSERT_TRUE(undo) << undo.error().describe();
    undo_steps.push_back(std::move(*undo));
    Expected<std::vector<DocumentEdit>> parsed = parse_edits(serialize_edits(edits), "x");
    ASSERT_TRUE(parsed);
    ASSERT_TRUE(apply_edits(replayed, *parsed));
  }
  EXPECT_EQ(text(replayed), text(doc));
  for (auto it = undo_steps.rbegin(); it != undo_steps.rend(); ++it) {
    ASSERT_TRUE(apply_edits(doc, *it));
  }
  EXPECT_EQ(text(doc), initial);
}

}  // namespace
}  // namespace pcanno::formats
