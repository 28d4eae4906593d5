// OpenLABEL poly3d: polyline tracks (open and closed, vertex counts that change from frame to
// frame, attributes, provenance and keyframes, ids a box track also holds, a track without states)
// come back exactly, under their own ids, and the file validates against the ASAM schema.
#include "pcanno/formats/labels/openlabel/codec.hpp"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "openlabel_fixtures.hpp"

namespace pcanno::formats {
namespace {

using namespace openlabel_test;

PolylineState state(std::int64_t frame, std::vector<Eigen::Vector3d> vertices, bool closed,
                    ShapeFrame shape_frame = ShapeFrame::kLidar) {
  PolylineState s;
  s.frame = frame;
  s.line.vertices = std::move(vertices);
  s.line.closed = closed;
  s.shape_frame = shape_frame;
  return s;
}

/// Box tracks 0, 1 and 3; polylines 0 and 1 (ids the tracks hold), 2, 3 (held too), 7 and 8.
Annotations polyline_document(const Sequence& seq) {
  Annotations a;
  for (const FrameRef& f : seq.frames)
    a.frames.push_back(FrameInfo{f.name, f.timestamp_us, {}, ""});
  for (std::int64_t id : {0, 1, 3}) {
    Track t;
    t.id = id;
    t.label = "Car";
    BoxState b;
    b.frame = id % 4;
    b.box = geometry::Cuboid::from_yaw(Eigen::Vector3d(5.0 * id, 1.0, -0.9),
                                       Eigen::Vector3d(4.0, 1.8, 1.5), 0.2 * id);
    t.boxes.push_back(b);
    a.tracks.push_back(t);
  }

  // An open lane marking whose vertex count changes every frame; odd numbers that do not round
  // trip through a short decimal spelling.
  PolylineTrack lane{0, "lane marking", {{"marking", "dashed"}, {"colour", "white"}}, {}};
  lane.states.push_back(state(0, {{0.1, 1.7, -1.73}, {10.0 / 3.0, 1.75, -1.72}}, false));
  lane.states.push_back(state(1, {{0.3, 1.7, -1.7}, {5.5, 1.71, -1.7}, {11.0, 1.8, -1.69}}, false));
  lane.states.push_back(state(
      2, {{0.5, 1.7, -1.7}, {4.0, 1.7, -1.7}, {8.0, 1.72, -1.7}, {1e-7, -2e5, 3.14159265358979}},
      false));
  lane.states[0].provenance = Provenance::kManual;
  lane.states[1].provenance = Provenance::kTracked;
  lane.states[1].keyframe = false;
  lane.states[1].attributes = {{"visibility", "worn"}};
  lane.states[2].provenance = Provenance::kInterpolated;
  lane.states[2].keyframe = false;

  // A closed crosswalk area in the world frame, 4 then 6 vertices, with a frame gap.
  PolylineTrack area{1, "crosswalk area", {{"colour", "white"}}, {}};
  area.states.push_back(state(
      0, {{412.0, 1181.0, 0.0}, {416.0, 1181.0, 0.0}, {416.0, 1185.0, 0.0}, {412.0, 1185.0, 0.0}},
      true, ShapeFrame::kWorld));
  area.states.push_back(state(3,
                              {{412.0, 1181.0, 0.0},
                               {414.0, 1180.5, 0.0},
                               {416.0, 1181.0, 0.0},
                               {416.0, 1185.0, 0.0},
                               {414.0, 1185.5, 0.0},
                               {412.0, 1185.0, 0.0}},
                              true, ShapeFrame::kWorld));
  area.states[1].provenance = Provenance::kFitted;
  area.states[1].attributes = {{"note", "re-painted"}, {"quality", "0.5"}};

  // A curb that is closed in one frame and open in the next; its id is free.
  PolylineTrack curb{2, "curb", {{"height", "0.15"}}, {}};
  curb.states.push_back(state(1, {{1, -4, -1.8}, {2, -4.1, -1.8}, {3, -4.3, -1.8}}, true));
  curb.states.push_back(state(2, {{1, -4, -1.8}, {2, -4.1, -1.8}}, false));
  curb.states[1].provenance = Provenance::kModel;

  // Id 3 is a track's; a one-vertex and an empty state.
  PolylineTrack stop{3, "stop line", {}, {}};
  stop.states.push_back(state(2, {{7.0, 0.0, -1.7}}, false));
  stop.states.push_back(state(3, {}, false));
  stop.states[1].provenance = Provenance::kImported;

  // A polyline without states (all of them deleted): still a polyline.
  PolylineTrack empty{7, "road edge", {{"side", "left"}}, {}};
  // Id 8 would be the uid the writer gives the first renumbered polyline, were it free.
  PolylineTrack edge{8, "road edge", {}, {}};
  edge.states.push_back(state(0, {{0, 8, -1.6}, {30, 8.5, -1.6}}, false));
  a.polylines = {lane, area, curb, stop, empty, edge};
  for (const char* name :
       {"Car", "lane marking", "crosswalk area", "curb", "stop line", "road edge"}) {
    a.ensure_class(name);
  }
  a.normalize();
  return a;
}

TEST(OpenlabelPolylines, RoundTripExactlyUnderTheirOwnIds) {
  const Sequence seq = posed_sequence();
  const Annotations original = polyline_document(seq);
  LabelContext context;
  context.sequence = &seq;
  WriteReport report;
  Expected<std::string> text = serialize_openlabel(original, context, &report);
  ASSERT_TRUE(text) << text.error().describe();
  EXPECT_EQ(report.polyline_states_written, 10u);  // 3 + 2 + 2 + 2 + 0 + 1
  EXPECT_EQ(report.boxes_written, 3u);
  EXPECT_TRUE(report.dropped.empty());

  const Annotations back = must_parse(*text);
  expect_same(original, back, 0.0);
  ASSERT_EQ(back.polylines.size(), 6u);
  EXPECT_EQ(back.tracks.size(), 3u) << "a polyline came back as a box track";
  for (std::size_t i = 0; i < back.polylines.size(); ++i) {
    EXPECT_EQ(back.polylines[i].id, original.polylines[i].id);
  }
  // The text is a function of the content: written again, the same bytes.
  EXPECT_SAME_TEXT(must_serialize(back, context), *text);

  // Ids the tracks hold went to uids above every id; each carries its own id.
  const Json j = Json::parse(*text);
  const Json& objects = j.at("openlabel").at("objects");
  EXPECT_EQ(objects.size(), 9u);
  for (const char* uid : {"0", "1", "3"}) EXPECT_EQ(objects.at(uid).at("type"), "Car") << uid;
  EXPECT_EQ(objects.at("2").at("type"), "curb");
  EXPECT_EQ(objects.at("7").at("object_data").at("poly3d"), Json::array());
  EXPECT_EQ(objects.at("8").at("type"), "road edge");
  const Json& frames = j.at("openlabel").at("frames");
  for (const auto& [uid, id, frame] :
       {std::tuple{"9", 0, "0"}, std::tuple{"10", 1, "3"}, std::tuple{"11", 3, "2"}}) {
    const Json& poly = frames.at(frame).at("objects").at(uid).at("object_data").at("poly3d");
    EXPECT_EQ(poly[0].at("attributes").at("num"),
              Json::array({{{"name", "polyline_id"}, {"val", id}}}))
        << uid;
  }
  EXPECT_FALSE(frames.at("1")
                   .at("objects")
                   .at("2")
                   .at("object_data")
                   .at("poly3d")[0]
                   .at("attributes")
                   .contains("num"));
}

TEST(OpenlabelPolylines, WrittenFileValidatesAgainstTheSchema) {
  PCANNO_REQUIRE_JSONSCHEMA(schema_path());
  const Sequence seq = posed_sequence();
  LabelContext context;
  context.sequence = &seq;
  test::TempDir dir;
  const fs::path file =
      dir.write("polylines.json", must_serialize(polyline_document(seq), context));
  EXPECT_EQ(validate_with_python(file, schema_path()), 0);
  // Not vacuous: a poly3d without its required "closed" fails.
  Json j = Json::parse(slurp(file));
  j["openlabel"]["frames"]["1"]["objects"]["2"]["object_data"]["poly3d"][0].erase("closed");
  EXPECT_NE(validate_with_python(dir.write("broken.json", j.dump()), schema_path()), 0);
}

TEST(OpenlabelPolylines, PolylineIdsFromOtherFiles) {
  const Sequence seq = posed_sequence();
  LabelContext context;
  context.sequence = &seq;
  Json j = Json::parse(must_serialize(polyline_document(seq), context));
  Json& frames = j["openlabel"]["frames"];
  // Object 10 (polyline 1) says it is polyline 2 in one frame: the curb's id. Its own uid it is.
  frames["3"]["objects"]["10"]["object_data"]["poly3d"][0]["attributes"]["num"][0]["val"] = 2;
  frames["0"]["objects"]["10"]["object_data"]["poly3d"][0]["attributes"]["num"][0]["val"] = 2;
  Annotations a = must_parse(j.dump());
  ASSERT_EQ(a.polylines.size(), 6u);
  EXPECT_EQ(a.polylines.back().id, 10);
  EXPECT_EQ(a.polylines.back().label, "crosswalk area");
  // Two different ids for one object is an error naming where.
  frames["0"]["objects"]["10"]["object_data"]["poly3d"][0]["attributes"]["num"][0]["val"] = 5;
  Expected<Annotations> bad = parse_openlabel(j.dump(), "x.json", context);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().describe().find(
                "/openlabel/frames/3/objects/10/object_data/poly3d/0/attributes: polyline_id 2 "
                "differs from the 5 an earlier frame of object 10 gives"),
            std::string::npos)
      << bad.error().describe();
  // A polyline_id that is not an integer is refused.
  frames["0"]["objects"]["10"]["object_data"]["poly3d"][0]["attributes"]["num"][0]["val"] = 1.5;
  bad = parse_openlabel(j.dump(), "x.json", context);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().describe().find("/openlabel/frames/0/objects/10/object_data/poly3d/0/"
                                        "attributes/num/0/val"),
            std::string::npos)
      << bad.error().describe();
  // On a box it means nothing and is kept as an attribute.
  frames["0"]["objects"]["0"]["object_data"]["cuboid"][0]["attributes"]["num"] =
      Json::array({{{"name", "polyline_id"}, {"val", 4}}});
  frames["0"]["objects"]["10"]["object_data"]["poly3d"][0]["attributes"]["num"][0]["val"] = 2;
  a = must_parse(j.dump());
  ASSERT_NE(a.track(0), nullptr);
  EXPECT_EQ(a.track(0)->boxes[0].attributes.at("polyline_id"), "4");
}

}  // namespace
}  // namespace pcanno::formats
