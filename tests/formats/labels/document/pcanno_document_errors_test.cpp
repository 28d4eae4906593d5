#include "pcanno/formats/labels/document/document.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "document_fixtures.hpp"

namespace pcanno::formats {
namespace {

using namespace document_test;

TEST(PcannoDocument, ValidationErrorsNameTheJsonPointer) {
  struct Case {
    const char* what;
    std::function<void(Json&)> damage;
    ErrorCode code;
    std::string expected_in_message;
  };
  const auto ptr = [](const char* p) { return Json::json_pointer(p); };
  const std::vector<Case> cases = {
      {"root is an array", [](Json& j) { j = Json::array({1}); }, ErrorCode::kMalformed,
       "/: expected an object"},
      {"format missing", [](Json& j) { j.erase("format"); }, ErrorCode::kMalformed, "/format"},
      {"format wrong", [](Json& j) { j["format"] = "openlabel"; }, ErrorCode::kMalformed,
       "/format: expected \"pcanno\", found \"openlabel\""},
      {"version newer", [](Json& j) { j["version"] = 2; }, ErrorCode::kUnsupported,
       "version 2 is newer"},
      {"version newer, content changed too",
       [](Json& j) {
         j["version"] = 3;
         j["tracks"] = "moved elsewhere";
       },
       ErrorCode::kUnsupported, "version 3"},
      {"version missing", [](Json& j) { j.erase("version"); }, ErrorCode::kMalformed,
       "/version: required member is missing"},
      {"version a string", [](Json& j) { j["version"] = "1"; }, ErrorCode::kMalformed, "/version"},
      {"version zero", [](Json& j) { j["version"] = 0; }, ErrorCode::kMalformed, "/version"},
      {"tracks not an array", [](Json& j) { j["tracks"] = Json::object(); }, ErrorCode::kMalformed,
       "/tracks: expected an array, found an object"},
      {"negative size", [&](Json& j) { j[ptr("/tracks/0/boxes/0/size/1")] = -2; },
       ErrorCode::kMalformed, "/tracks/0/boxes/0/size/1: expected a positive number, found -2"},
      {"zero size", [&](Json& j) { j[ptr("/tracks/1/boxes/0/size/0")] = 0.0; },
       ErrorCode::kMalformed, "/tracks/1/boxes/0/size/0: expected a positive number"},
      {"size of two",
       [&](Json& j) {
         j[ptr("/tracks/0/boxes/1/size")] = Json::array({1, 2});
       },
       ErrorCode::kMalformed, "/tracks/0/boxes/1/size: expected an array of 3 numbers"},
      {"centre not a number", [&](Json& j) { j[ptr("/tracks/0/boxes/0/center/2")] = "x"; },
       ErrorCode::kMalformed, "/tracks/0/boxes/0/center/2: expected a finite number, found \"x\""},
      {"centre null", [&](Json& j) { j[ptr("/tracks/0/boxes/0/center/0")] = nullptr; },
       ErrorCode::kMalformed, "/tracks/0/boxes/0/center/0"},
      {"centre missing", [&](Json& j) { j[ptr("/tracks/0/boxes/1")].erase("center"); },
       ErrorCode::kMalformed, "/tracks/0/boxes/1/center: required member is missing"},
      {"zero rotation",
       [&](Json& j) {
         j[ptr("/tracks/0/boxes/0/rotation_wxyz")] = Json::array({0, 0, 0, 0});
       },
       ErrorCode::kMalformed, "/tracks/0/boxes/0/rotation_wxyz"},
      {"rotation of three",
       [&](Json& j) {
         j[ptr("/tracks/0/boxes/0/rotation_wxyz")] = Json::array({1, 0, 0});
       },
       ErrorCode::kMalformed, "/tracks/0/boxes/0/rotation_wxyz: expected an array of 4"},
      {"unknown provenance", [&](Json& j) { j[ptr("/tracks/0/boxes/1/provenance")] = "guess"; },
       ErrorCode::kMalformed, "/tracks/0/boxes/1/provenance: expected one of manual"},
      {"unknown frame of reference",
       [&](Json& j) { j[ptr("/tracks/0/boxes/1/frame_of_reference")] = "camera"; },
       ErrorCode::kMalformed, "/tracks/0/boxes/1/frame_of_reference"},
      {"keyframe a string", [&](Json& j) { j[ptr("/tracks/0/boxes/1/keyframe")] = "yes"; },
       ErrorCode::kMalformed, "/tracks/0/boxes/1/keyframe: expected true or false"},
      {"frame out of range", [&](Json& j) { j[ptr("/tracks/1/boxes/0/frame")] = 2; },
       ErrorCode::kMalformed, "/tracks/1/boxes/0/frame: frame 2 is out of range"},
      {"negative frame", [&](Json& j) { j[ptr("/tracks/1/boxes/0/frame")] = -1; },
       ErrorCode::kMalformed, "/tracks/1/boxes/0/frame"},
      {"fractional frame", [&](Json& j) { j[ptr("/tracks/1/boxes/0/frame")] = 0.5; },
       ErrorCode::kMalformed, "/tracks/1/boxes/0/frame: expected an integer"},
      {"duplicate track id", [&](Json& j) { j[ptr("/tracks/1/id")] = 7; }, ErrorCode::kMalformed,
       "/tracks/1/id: track id 7 is used twice (also /tracks/0)"},
      {"track id a string", [&](Json& j) { j[ptr("/tracks/1/id")] = "7"; }, ErrorCode::kMalformed,
       "/tracks/1/id"},
      {"track id beyond int64",
       [&](Json& j) { j[ptr("/tracks/1/id")] = std::numeric_limits<std::uint64_t>::max(); },
       ErrorCode::kMalformed, "/tracks/1/id"},
      {"two boxes in one frame", [&](Json& j) { j[ptr("/tracks/0/boxes/1/frame")] = 1; },
       ErrorCode::kMalformed,
       "/tracks/0/boxes/1/frame: the track has a box in frame 1 already (/tracks/0/boxes/0)"},
      {"empty label", [&](Json& j) { j[ptr("/tracks/1/label")] = ""; }, ErrorCode::kMalformed,
       "/tracks/1/label"},
      {"boxes missing", [&](Json& j) { j[ptr("/tracks/1")].erase("boxes"); }, ErrorCode::kMalformed,
       "/tracks/1/boxes: required member is missing"},
      {"attribute not a string", [&](Json& j) { j[ptr("/tracks/0/attributes/occlusion")] = 3; },
       ErrorCode::kMalformed, "/tracks/0/attributes/occlusion: expected a string, found 3"},
      {"attribute key escaped", [&](Json& j) { j["attributes"]["a/b~c"] = false; },
       ErrorCode::kMalformed, "/attributes/a~1b~0c: expected a string, found false"},
      {"score not finite", [&](Json& j) { j[ptr("/tracks/0/boxes/0/score")] = "NaN"; },
       ErrorCode::kMalformed, "/tracks/0/boxes/0/score"},
      {"kitti alpha missing", [&](Json& j) { j[ptr("/tracks/0/boxes/1/kitti")].erase("alpha"); },
       ErrorCode::kMalformed, "/tracks/0/boxes/1/kitti/alpha: required member is missing"},
      {"kitti bbox short",
       [&](Json& j) { j[ptr("/tracks/0/boxes/1/kitti/bbox")] = Json::array({1}); },
       ErrorCode::kMalformed, "/tracks/0/boxes/1/kitti/bbox"},
      {"nuscenes point count",
       [&](Json& j) { j[ptr("/tracks/0/boxes/1/nuscenes/num_lidar_pts")] = -5; },
       ErrorCode::kMalformed, "/tracks/0/boxes/1/nuscenes/num_lidar_pts"},
      {"duplicate class", [&](Json& j) { j[ptr("/classes/1/name")] = "Car"; },
       ErrorCode::kMalformed, "/classes/1/name: class \"Car\" is defined twice (also /classes/0)"},
      {"colour out of range", [&](Json& j) { j[ptr("/classes/0/color/2")] = 256; },
       ErrorCode::kMalformed, "/classes/0/color/2"},
      {"default size negative", [&](Json& j) { j[ptr("/classes/1/default_size/0")] = -1; },
       ErrorCode::kMalformed, "/classes/1/default_size/0: expected a positive number"},
      {"motion profile unknown",
       [&](Json& j) {
         j[ptr("/classes/0/motion")] = Json{{"profile", "boat"}};
       },
       ErrorCode::kMalformed,
       "/classes/0/motion/profile: expected one of vehicle, pedestrian, cyclist, static, unknown, "
       "found \"boat\""},
      {"motion profile missing",
       [&](Json& j) {
         j[ptr("/classes/0/motion")] = Json{{"max_speed", 3}};
       },
       ErrorCode::kMalformed, "/classes/0/motion/profile: required member is missing"},
      {"motion limit zero",
       [&](Json& j) {
         j[ptr("/classes/0/motion")] = Json{{"profile", "vehicle"}, {"max_speed", 0}};
       },
       ErrorCode::kMalformed, "/classes/0/motion/max_speed: expected a positive number, found 0"},
      {"motion heading not boolean",
       [&](Json& j) {
         j[ptr("/classes/1/motion")] = Json{{"profile", "static"}, {"moves_along_heading", 1}};
       },
       ErrorCode::kMalformed, "/classes/1/motion/moves_along_heading: expected true or false"},
      {"allowed values not strings",
       [&](Json& j) { j[ptr("/classes/0/attributes/occlusion/1")] = 1; }, ErrorCode::kMalformed,
       "/classes/0/attributes/occlusion/1"},
      {"timestamp below -1", [&](Json& j) { j[ptr("/frames/0/timestamp_us")] = -2; },
       ErrorCode::kMalformed, "/frames/0/timestamp_us"},
      {"frame name a number", [&](Json& j) { j[ptr("/frames/1/name")] = 1; }, ErrorCode::kMalformed,
       "/frames/1/name"},
      {"sequence not an object", [&](Json& j) { j["sequence"] = "0000"; }, ErrorCode::kMalformed,
       "/sequence: expected an object"},
      {"vertex of two",
       [&](Json& j) {
         j[ptr("/polylines/0/states/0/vertices/1")] = Json::array({1, 2});
       },
       ErrorCode::kMalformed, "/polylines/0/states/0/vertices/1"},
      {"polyline closed missing", [&](Json& j) { j[ptr("/polylines/0/states/0")].erase("closed"); },
       ErrorCode::kMalformed, "/polylines/0/states/0/closed"},
      {"polyline frame out of range", [&](Json& j) { j[ptr("/polylines/0/states/0/frame")] = 9; },
       ErrorCode::kMalformed, "/polylines/0/states/0/frame: frame 9 is out of range"},
      {"polyline states in one frame",
       [&](Json& j) { j[ptr("/polylines/0/states")].push_back(j[ptr("/polylines/0/states/0")]); },
       ErrorCode::kMalformed,
       "/polylines/0/states/1/frame: the polyline has a state in frame 0 already "
       "(/polylines/0/states/0)"},
      {"polyline states missing", [&](Json& j) { j[ptr("/polylines/0")].erase("states"); },
       ErrorCode::kMalformed, "/polylines/0/states: required member is missing"},
      {"centre an array",
       [&](Json& j) {
         j[ptr("/tracks/0/boxes/0/center/1")] = {1, 2};
       },
       ErrorCode::kMalformed,
       "/tracks/0/boxes/0/center/1: expected a finite number, found an array of 2"},
      {"frame below zero", [&](Json& j) { j[ptr("/ignore_regions/0/frame")] = -3; },
       ErrorCode::kMalformed, "/ignore_regions/0/frame: expected an integer >= 0, found -3"},
      {"duplicate polyline id", [&](Json& j) { j["polylines"].push_back(j[ptr("/polylines/0")]); },
       ErrorCode::kMalformed, "/polylines/1/id: polyline id 1 is used twice"},
      {"ignore region bbox short",
       [&](Json& j) {
         j[ptr("/ignore_regions/0/bbox")] = Json::array({1, 2, 3});
       },
       ErrorCode::kMalformed, "/ignore_regions/0/bbox"},
      {"ignore region frame out of range", [&](Json& j) { j[ptr("/ignore_regions/0/frame")] = 2; },
       ErrorCode::kMalformed, "/ignore_regions/0/frame"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Json j = small_document();
    c.damage(j);
    const Expected<Annotations> parsed = parse_json(j);
    ASSERT_FALSE(parsed) << "accepted";
    EXPECT_EQ(parsed.error().code, c.code) << parsed.error().describe();
    EXPECT_EQ(parsed.error().path, "doc.json");
    EXPECT_NE(parsed.error().message.find(c.expected_in_message), std::string::npos)
        << parsed.error().describe();
  }
  Json j = small_document();
  j[ptr("/tracks/0/boxes/0/size/1")] = -2;
  EXPECT_EQ(parse_json(j).error().describe(),
            "doc.json: /tracks/0/boxes/0/size/1: expected a positive number, found -2");
}

TEST(PcannoDocument, InvalidJsonReportsTheByteOffset) {
  const Expected<Annotations> bad =
      parse_pcanno_document("{\"format\": \"pcanno\", \"version\": 1, x}", "bad.json");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(bad.error().offset, 35);
  EXPECT_EQ(bad.error().line, 1);
  EXPECT_EQ(bad.error().message.find("[json.exception"), std::string::npos);
  const Expected<Annotations> third_line =
      parse_pcanno_document("{\"format\": \"pcanno\",\n \"version\": 1,\n x}", "bad.json");
  ASSERT_FALSE(third_line);
  EXPECT_EQ(third_line.error().line, 3);
  EXPECT_EQ(third_line.error().offset, 37);
  EXPECT_EQ(third_line.error().describe().rfind("bad.json:3: byte 37: invalid JSON: ", 0), 0u)
      << third_line.error().describe();

  const Expected<Annotations> cut = parse_pcanno_document("{\"format\": \"pcan", "cut.json");
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().code, ErrorCode::kTruncated);
  EXPECT_EQ(cut.error().offset, 16);

  EXPECT_EQ(parse_pcanno_document("", "empty.json").error().code, ErrorCode::kTruncated);
  const Expected<Annotations> huge = parse_pcanno_document(
      "{\"format\": \"pcanno\", \"version\": 1, \"attributes\": {\"x\": 1e999}}", "huge.json");
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code, ErrorCode::kMalformed);
  const Expected<Annotations> binary =
      parse_pcanno_document(std::string("{\"format\": \"\xff\xfe\0", 15), "binary.json");
  ASSERT_FALSE(binary);
  for (const char c : binary.error().message) {
    EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "unprintable byte in message";
  }
}

TEST(PcannoDocument, TruncatedOrDamagedDocumentsNeverCrash) {
  const std::string text = serialize_pcanno_document(rich_annotations(9));
  ASSERT_GT(text.size(), 2000u);
  std::mt19937 rng(5);
  std::size_t truncated = 0;
  // About 1000 cuts spread over the whole text, at irregular steps so every token kind is hit.
  const std::size_t max_step = 2 * text.size() / 1000 + 1;
  for (std::size_t cut = 0; cut + 1 < text.size(); cut += 1 + rng() % max_step) {
    const Expected<Annotations> parsed = parse_pcanno_document(text.substr(0, cut), "cut.json");
    ASSERT_FALSE(parsed) << "accepted a document cut at byte " << cut;
    EXPECT_EQ(parsed.error().code, ErrorCode::kTruncated) << parsed.error().describe();
    truncated += parsed.error().code == ErrorCode::kTruncated;
  }
  EXPECT_GT(truncated, 500u);
  // The trailing newline is not content.
  EXPECT_TRUE(parse_pcanno_document(text.substr(0, text.size() - 1), "no-newline.json"));

  static const char kNasty[] = {'\0', '"', '\\', ',', ':', '[', ']', '{',    '}',
                                '-',  'e', '0',  '9', 't', 'n', ' ', '\xff', '\xc3'};
  for (int i = 0; i < 1000; ++i) {
    std::string damaged = text;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      damaged[rng() % damaged.size()] =
          rng() % 2 ? kNasty[rng() % sizeof(kNasty)] : static_cast<char>(rng());
    }
    const Expected<Annotations> parsed = parse_pcanno_document(damaged, "damaged.json");
    if (parsed) {
      // Whatever is accepted must be writable and load again.
      const Expected<Annotations> again =
          parse_pcanno_document(serialize_pcanno_document(*parsed), "again.json");
      EXPECT_TRUE(again) << again.error().describe();
    }
  }
}

}  // namespace
}  // namespace pcanno::formats
