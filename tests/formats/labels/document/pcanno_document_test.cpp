#include "pcanno/formats/labels/document/document.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "document_fixtures.hpp"

namespace pcanno::formats {
namespace {

using namespace document_test;

TEST(PcannoDocument, RoundTripIsBitExactAndIdempotent) {
  for (std::uint64_t seed : {1u, 2u, 3u, 20240611u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const Annotations original = rich_annotations(seed);
    const std::string text = serialize_pcanno_document(original);
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    const Expected<Annotations> parsed = parse_pcanno_document(text, "rich.json");
    ASSERT_TRUE(parsed) << parsed.error().describe();
    expect_same(original, *parsed);
    EXPECT_EQ(serialize_pcanno_document(*parsed), text);
  }
}

TEST(PcannoDocument, RandomDoublesSurviveBitForBit) {
  DoubleSource source(77);
  Annotations a;
  PolylineTrack line{1, "points", {}, {}};
  PolylineState state;
  for (int i = 0; i < 20000; ++i) state.line.vertices.push_back(source.vector());
  state.line.vertices.push_back({5e-324, -5e-324, -0.0});
  state.line.vertices.push_back({std::numeric_limits<double>::max(),
                                 std::numeric_limits<double>::lowest(), std::nextafter(1.0, 2.0)});
  line.states.push_back(state);
  a.polylines.push_back(line);
  a.ensure_class("points");
  const std::string text = serialize_pcanno_document(a);
  const Expected<Annotations> parsed = parse_pcanno_document(text, "doubles.json");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  const auto& original = a.polylines[0].states[0].line.vertices;
  const auto& back = parsed->polylines.at(0).states.at(0).line.vertices;
  ASSERT_EQ(back.size(), original.size());
  std::size_t differing = 0;
  for (std::size_t i = 0; i < original.size(); ++i) {
    for (int c = 0; c < 3; ++c) differing += !same_bits(original[i][c], back[i][c]);
  }
  EXPECT_EQ(differing, 0u);
  // An independent parser reads the same numbers from the text.
  const Json j = Json::parse(text);
  const Json& vertices = j.at("polylines").at(0).at("states").at(0).at("vertices");
  for (std::size_t i = 0; i < original.size(); i += 97) {
    for (int c = 0; c < 3; ++c) {
      EXPECT_SAME_BITS(vertices.at(i).at(static_cast<std::size_t>(c)).get<double>(),
                       original[i][c]);
    }
  }
}

// The corners of the polyline model the rich fixture leaves out: a state without vertices, a
// polyline without states, an area of three vertices, a polyline id a track also holds.
TEST(PcannoDocument, EmptyPolylinesAndAreasRoundTrip) {
  Annotations a;
  a.frames.resize(3);
  a.tracks.push_back(Track{4, "Car", {}, "", {}});
  PolylineTrack area{4, "crosswalk", {{"colour", "white"}}, {}};
  PolylineState s;
  s.frame = 0;
  s.line.closed = true;
  s.line.vertices = {{1.0, 2.0, -1.7}, {3.0, 2.0, -1.7}, {2.0, 4.5, -1.7}};
  s.attributes = {{"faded", "true"}};
  area.states.push_back(s);
  s.frame = 2;
  s.line.vertices.clear();
  s.attributes.clear();
  s.keyframe = false;
  s.provenance = Provenance::kTracked;
  area.states.push_back(s);
  a.polylines = {area, PolylineTrack{9, "curb", {{"height", "0.12"}}, {}}};
  for (const char* name : {"Car", "crosswalk", "curb"}) a.ensure_class(name);
  const std::string text = serialize_pcanno_document(a);
  const Expected<Annotations> parsed = parse_pcanno_document(text, "empty.json");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  expect_same(a, *parsed);
  ASSERT_EQ(parsed->polylines.size(), 2u);
  EXPECT_TRUE(parsed->polylines[1].states.empty());
  EXPECT_TRUE(parsed->polylines[0].states[1].line.vertices.empty());
  EXPECT_TRUE(parsed->polylines[0].states[1].line.closed);
  EXPECT_EQ(serialize_pcanno_document(*parsed), text);
}

TEST(PcannoDocument, TextIsVersionedWithStableMemberOrder) {
  const Annotations a = rich_annotations(5);
  const std::string text = serialize_pcanno_document(a);
  const Json j = Json::parse(text);
  EXPECT_EQ(j.at("format"), "pcanno");
  EXPECT_EQ(j.at("version"), 1);
  EXPECT_EQ(text.rfind("{\n  \"format\": \"pcanno\",\n  \"version\": 1,", 0), 0u)
      << text.substr(0, 80);
  const std::size_t tracks = text.find("\"tracks\"");
  EXPECT_LT(text.find("\"classes\""), text.find("\"frames\""));
  EXPECT_LT(text.find("\"frames\""), tracks);
  EXPECT_LT(tracks, text.find("\"polylines\""));
  // Optional members are left out when empty; the rotation is written as stored.
  const Json& box = j.at("tracks").at(0).at("boxes").at(0);
  const Eigen::Quaterniond& q = a.tracks[0].boxes[0].box.rotation;
  EXPECT_SAME_BITS(box.at("rotation_wxyz").at(0).get<double>(), q.w());
  EXPECT_SAME_BITS(box.at("rotation_wxyz").at(3).get<double>(), q.z());
  EXPECT_EQ(box.contains("score"), a.tracks[0].boxes[0].score.has_value());
  EXPECT_FALSE(j.at("tracks").back().contains("attributes"));
  EXPECT_FALSE(j.at("frames").at(3).contains("timestamp_us"));
  EXPECT_FALSE(serialize_pcanno_document(Annotations{}).find("polylines") != std::string::npos);
}

TEST(PcannoDocument, EmptyAnnotationsRoundTrip) {
  const std::string text = serialize_pcanno_document(Annotations{});
  const Expected<Annotations> parsed = parse_pcanno_document(text, "empty.json");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  expect_same(Annotations{}, *parsed);
}

}  // namespace
}  // namespace pcanno::formats
