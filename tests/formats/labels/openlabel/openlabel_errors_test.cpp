#include "pcanno/formats/labels/openlabel/codec.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "openlabel_fixtures.hpp"

namespace pcanno::formats {
namespace {

using namespace openlabel_test;

/// A small valid file; the error tests break one thing each.
Json small_file() {
  return Json::parse(R"({"openlabel": {
    "metadata": {"schema_version": "1.0.0"},
    "coordinate_systems": {"world": {"type": "scene_cs", "parent": ""},
                           "lidar": {"type": "sensor_cs", "parent": "world"}},
    "objects": {"7": {"name": "car", "type": "Car"}},
    "frames": {"3": {"objects": {"7": {"object_data": {"cuboid": [
      {"name": "shape3D", "coordinate_system": "lidar",
       "val": [1, 2, 3, 0, 0, 0, 1, 4, 2, 1.5]}]}}}}}}})");
}
Error parse_error(const Json& j) {
  const Expected<Annotations> a = parse_openlabel(j.dump(), "bad.json");
  EXPECT_FALSE(a) << j.dump();
  return a ? Error{} : a.error();
}

TEST(OpenlabelErrors, NameTheJsonPointer) {
  ASSERT_TRUE(parse_openlabel(small_file().dump(), "ok.json"));
  const auto ptr = [](const char* p) { return Json::json_pointer(p); };
  const char* const val = "/openlabel/frames/3/objects/7/object_data/cuboid/0/val";
  struct Case {
    const char* what;
    std::function<void(Json&)> mutate;
    ErrorCode code;
    std::string message;  ///< the start of Error::message
  };
  const std::vector<Case> cases = {
      {"two poly3d",
       [&](Json& j) {
         const Json line = {{"name", "lane"}, {"closed", false}, {"val", {0, 0, 0, 1, 0, 0}}};
         j[ptr("/openlabel/frames/3/objects/7/object_data")]["poly3d"] = {line, line};
       },
       ErrorCode::kUnsupported,
       "/openlabel/frames/3/objects/7/object_data/poly3d: 2 poly3d; pcanno keeps one polyline "
       "per object and frame"},
      {"poly3d without val",
       [&](Json& j) {
         j[ptr("/openlabel/frames/3/objects/7/object_data")]["poly3d"] = {{{"name", "lane"}}};
       },
       ErrorCode::kMalformed,
       "/openlabel/frames/3/objects/7/object_data/poly3d/0/val: required member is missing"},
      {"poly3d of 4 numbers",
       [&](Json& j) {
         j[ptr("/openlabel/frames/3/objects/7/object_data")]["poly3d"] = {
             {{"name", "lane"}, {"val", {0, 0, 0, 1}}}};
       },
       ErrorCode::kMalformed,
       "/openlabel/frames/3/objects/7/object_data/poly3d/0/val: expected x, y, z for each vertex "
       "(a multiple of 3 numbers), found 4 numbers"},
      {"poly3d closed a string",
       [&](Json& j) {
         j[ptr("/openlabel/frames/3/objects/7/object_data")]["poly3d"] = {
             {{"name", "lane"}, {"closed", "no"}, {"val", {0, 0, 0}}}};
       },
       ErrorCode::kMalformed,
       "/openlabel/frames/3/objects/7/object_data/poly3d/0/closed: expected true or false, found "
       "\"no\""},
      {"cuboid without val",
       [&](Json& j) { j[ptr("/openlabel/frames/3/objects/7/object_data/cuboid/0")].erase("val"); },
       ErrorCode::kMalformed, std::string(val) + ": required member is missing"},
      {"interval without start",
       [&](Json& j) {
         j[ptr("/openlabel")]["frame_intervals"] = {{{"frame_end", 3}}};
       },
       ErrorCode::kMalformed,
       "/openlabel/frame_intervals/0/frame_start: required member is missing"},
      {"interval start below zero",
       [&](Json& j) {
         j[ptr("/openlabel")]["frame_intervals"] = {{{"frame_start", -1}, {"frame_end", 3}}};
       },
       ErrorCode::kMalformed,
       "/openlabel/frame_intervals/0/frame_start: expected an integer >= 0, found -1"},
      {"transform without data",
       [&](Json& j) {
         j[ptr("/openlabel/frames/3")]["frame_properties"] =
             Json::parse(R"({"transforms": {"t": {"src": "lidar", "dst": "world"}}})");
       },
       ErrorCode::kMalformed,
       "/openlabel/frames/3/frame_properties/transforms/t/transform_src_to_dst: required member "
       "is missing"},
      {"object without type", [&](Json& j) { j[ptr("/openlabel/objects/7")].erase("type"); },
       ErrorCode::kMalformed, "/openlabel/objects/7/type: required member is missing"},
      {"missing openlabel",
       [](Json& j) {
         j = Json{{"OpenLabel", j["openlabel"]}};
       },
       ErrorCode::kMalformed, "/openlabel: required member is missing: not an OpenLABEL file"},
      {"cuboid of 8",
       [&](Json& j) {
         j[ptr(val)] = Json::array({1, 2, 3, 0, 0, 0, 4, 2});
       },
       ErrorCode::kMalformed,
       std::string(val) +
           ": expected 10 numbers (quaternion form) or 9 (Euler form), found 8 numbers"},
      {"non-numeric value", [&](Json& j) { j[ptr(val)][4] = "zero"; }, ErrorCode::kMalformed,
       std::string(val) + "/4: expected a finite number, found \"zero\""},
      {"unknown coordinate system",
       [&](Json& j) {
         j[ptr("/openlabel/frames/3/objects/7/object_data/cuboid/0/coordinate_system")] = "cam9";
       },
       ErrorCode::kMalformed,
       "/openlabel/frames/3/objects/7/object_data/cuboid/0/coordinate_system: unknown coordinate "
       "system 'cam9' (declared: lidar, world)"},
      {"zero size", [&](Json& j) { j[ptr(val)][8] = 0; }, ErrorCode::kMalformed,
       std::string(val) + "/8: expected a positive size, found 0"},
      {"zero quaternion", [&](Json& j) { j[ptr(val)][6] = 0; }, ErrorCode::kMalformed,
       std::string(val) + ": expected a rotation quaternion"},
      {"schema version missing",
       [&](Json& j) { j[ptr("/openlabel/metadata")].erase("schema_version"); },
       ErrorCode::kMalformed, "/openlabel/metadata/schema_version: required member is missing"},
      {"schema version 2", [&](Json& j) { j[ptr("/openlabel/metadata/schema_version")] = "2.0"; },
       ErrorCode::kUnsupported, "/openlabel/metadata/schema_version: OpenLABEL schema version"},
      {"undeclared object",
       [&](Json& j) { j[ptr("/openlabel/frames/3/objects")]["8"] = Json::object(); },
       ErrorCode::kMalformed,
       "/openlabel/frames/3/objects/8: object \"8\" is not declared in /openlabel/objects"},
      {"frame key", [&](Json& j) { j[ptr("/openlabel/frames")]["3a"] = Json::object(); },
       ErrorCode::kMalformed, "/openlabel/frames/3a: expected a frame number"},
      {"frame twice", [&](Json& j) { j[ptr("/openlabel/frames")]["03"] = Json::object(); },
       ErrorCode::kMalformed, "/openlabel/frames/3: frame 3 is given twice"},
      {"frame too far", [&](Json& j) { j[ptr("/openlabel/frames")]["5000000"] = Json::object(); },
       ErrorCode::kUnsupported, "/openlabel/frames/5000000: frame 5000000 is beyond"},
      {"two cuboids",
       [&](Json& j) {
         auto& list = j[ptr("/openlabel/frames/3/objects/7/object_data/cuboid")];
         list.push_back(list[0]);
       },
       ErrorCode::kUnsupported,
       "/openlabel/frames/3/objects/7/object_data/cuboid: 2 cuboids; pcanno keeps one box"},
      {"parent unknown",
       [&](Json& j) { j[ptr("/openlabel/coordinate_systems/lidar/parent")] = "vehicle"; },
       ErrorCode::kMalformed,
       "/openlabel/coordinate_systems/lidar/parent: unknown coordinate system 'vehicle'"},
      {"not linked",
       [&](Json& j) {
         j[ptr("/openlabel/coordinate_systems")]["camera"] =
             Json{{"type", "sensor_cs"}, {"parent", ""}};
         j[ptr("/openlabel/frames/3/objects/7/object_data/cuboid/0/coordinate_system")] = "camera";
       },
       ErrorCode::kUnsupported,
       "/openlabel/frames/3/objects/7/object_data/cuboid/0/coordinate_system: coordinate system "
       "'camera' has no pose"},
      {"not rigid",
       [&](Json& j) {
         j[ptr("/openlabel/coordinate_systems/lidar")]["pose_wrt_parent"] =
             Json{{"matrix4x4", {2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}}};
       },
       ErrorCode::kMalformed,
       "/openlabel/coordinate_systems/lidar/pose_wrt_parent/matrix4x4: expected a rigid transform"},
      {"transform to nowhere",
       [&](Json& j) {
         j[ptr("/openlabel/frames/3")]["frame_properties"] = Json::parse(
             R"({"transforms": {"t": {"src": "lidar", "dst": "map",
                 "transform_src_to_dst": {"matrix4x4": []}}}})");
       },
       ErrorCode::kMalformed,
       "/openlabel/frames/3/frame_properties/transforms/t/dst: unknown coordinate system 'map'"},
      {"type empty", [&](Json& j) { j[ptr("/openlabel/objects/7/type")] = ""; },
       ErrorCode::kMalformed, "/openlabel/objects/7/type: expected a non-empty string, found \"\""},
      {"static cuboid",
       [&](Json& j) {
         j[ptr("/openlabel/objects/7")]["object_data"] =
             Json::parse(R"({"cuboid": [{"name": "c", "val": [0, 0, 0, 0, 0, 0, 1, 1, 1]}]})");
       },
       ErrorCode::kUnsupported, "/openlabel/objects/7/object_data/cuboid: a static cuboid"},
      {"root an array", [](Json& j) { j = Json::array({j}); }, ErrorCode::kMalformed,
       "/: expected an object (an OpenLABEL file), found an array of 1"},
  };
  for (const Case& c : cases) {
    Json j = small_file();
    c.mutate(j);
    const Error e = parse_error(j);
    EXPECT_EQ(e.code, c.code) << c.what << ": " << e.describe();
    EXPECT_EQ(e.message.substr(0, c.message.size()), c.message) << c.what;
    EXPECT_EQ(e.path, "bad.json") << c.what;
  }
}

TEST(OpenlabelErrors, InvalidJsonHasLineAndOffset) {
  const std::string text =
      "{\"openlabel\": {\n  \"metadata\": {\"schema_version\": \"1.0.0\"},\n"
      "  \"frames\": {,}\n}}\n";
  const Expected<Annotations> bad = parse_openlabel(text, "bad.json");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(bad.error().line, 3);
  EXPECT_EQ(bad.error().offset, static_cast<std::int64_t>(text.find(",}")));
  EXPECT_NE(bad.error().describe().find("bad.json:3: byte "), std::string::npos)
      << bad.error().describe();

  const Expected<Annotations> cut = parse_openlabel(text.substr(0, 30), "cut.json");
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().code, ErrorCode::kTruncated);
  EXPECT_GE(cut.error().offset, 0);
  EXPECT_EQ(cut.error().line, 2);

  const Expected<Annotations> binary = parse_openlabel(std::string("\x00\xff{", 3), "b.json");
  ASSERT_FALSE(binary);
  EXPECT_EQ(binary.error().offset, 0);
}

TEST(OpenlabelErrors, DamagedBytesNeverCrash) {
  const Sequence seq = posed_sequence();
  LabelContext context;
  context.sequence = &seq;
  const std::string text = must_serialize(synthetic_annotations(seq), context);
  std::mt19937_64 rng(3);
  static const char kNasty[] = {'\0', '"', '\\', ',', ':', '[', ']', '{',    '}',
                                '-',  'e', '0',  '9', 't', 'n', ' ', '\xff', '\xc3'};
  int accepted = 0;
  for (int i = 0; i < 600; ++i) {
    std::string damaged = text;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      damaged[rng() % damaged.size()] =
          rng() % 2 ? kNasty[rng() % sizeof(kNasty)] : static_cast<char>(rng());
    }
    const Expected<Annotations> parsed = parse_openlabel(damaged, "damaged.json", context);
    if (!parsed) {
      EXPECT_FALSE(parsed.error().message.empty());
      continue;
    }
    ++accepted;
    // Whatever is accepted can be written and read again.
    const Expected<std::string> again = serialize_openlabel(*parsed, context);
    if (again) {
      EXPECT_TRUE(parse_openlabel(*again, "again.json", context)) << i;
    } else {
      EXPECT_EQ(again.error().code, ErrorCode::kMalformed) << again.error().describe();
    }
  }
  EXPECT_GT(accepted, 0);
  for (std::size_t cut = 0; cut + 1 < text.size(); cut += 1 + rng() % 97) {
    const Expected<Annotations> parsed = parse_openlabel(text.substr(0, cut), "cut.json");
    ASSERT_FALSE(parsed) << "accepted a file cut at byte " << cut;
    EXPECT_EQ(parsed.error().code, ErrorCode::kTruncated) << parsed.error().describe();
  }
}

TEST(OpenlabelErrors, WriterRefusesToOverwriteAndLeavesNoPartialFile) {
  const Sequence seq = posed_sequence();
  const Annotations a = synthetic_annotations(seq);
  test::TempDir dir;
  const fs::path file = dir.path() / "out.json";
  dir.write("out.json", "mine\n");
  Expected<WriteReport> refused = write_openlabel(a, file);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermission);
  EXPECT_NE(refused.error().describe().find("--force"), std::string::npos);
  EXPECT_EQ(slurp(file), "mine\n");

  LabelContext context;
  context.overwrite = true;
  Expected<WriteReport> replaced = write_openlabel(a, file, context);
  ASSERT_TRUE(replaced) << replaced.error().describe();
  EXPECT_SAME_TEXT(slurp(file), must_serialize(a));

  // A directory gets <sequence name>.json; content the reader would refuse writes nothing.
  Annotations broken = a;
  broken.tracks[0].boxes[1].box.size.y() = std::numeric_limits<double>::quiet_NaN();
  Expected<WriteReport> refused_content = write_openlabel(broken, dir.path());
  ASSERT_FALSE(refused_content);
  EXPECT_EQ(refused_content.error().code, ErrorCode::kMalformed);
  EXPECT_NE(refused_content.error().message.find("track 0, frame 1"), std::string::npos)
      << refused_content.error().describe();
  EXPECT_EQ(refused_content.error().path, (dir.path() / "synthetic.json").string());
  broken = a;
  broken.tracks[1].boxes.push_back(broken.tracks[1].boxes[0]);
  Expected<WriteReport> twice = write_openlabel(broken, dir.path());
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("track 5 has two states in frame 1"), std::string::npos)
      << twice.error().describe();
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{"out.json"});  // no temporary file, no partial one

  // Cancelling leaves nothing either.
  context.progress = [](double) { return false; };
  Expected<WriteReport> cancelled = write_openlabel(a, dir.path() / "c.json", context);
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().code, ErrorCode::kCancelled);
  EXPECT_FALSE(fs::exists(dir.path() / "c.json"));
}

}  // namespace
}  // namespace pcanno::formats
