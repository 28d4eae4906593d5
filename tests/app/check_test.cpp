// `pcanno check` end to end: the sample KITTI tracking labels are clean (exit 0) with their points
// counted; a document with a box turned round fails (exit 1).
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app_test_support.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using pcanno::test::CommandResult;
using pcanno::test::pcanno;

using CheckCommandTest = pcanno::test::LabelsTest;

std::size_t count(const json& findings, const std::string& check, const std::string& severity) {
  std::size_t n = 0;
  for (const json& f : findings) n += f["check"] == check && f["severity"] == severity ? 1 : 0;
  return n;
}

TEST_F(CheckCommandTest, SampleLabelsAreCleanAndTheirPointsCounted) {
  const CommandResult r =
      pcanno("check " + labels_.string() + " --sequence " + training_.string() + " --json", false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["sequence"]["layout"], "kitti-tracking");
  EXPECT_EQ(j["summary"]["errors"], 0);
  EXPECT_EQ(j["summary"]["boxes"], 15);
  EXPECT_EQ(j["summary"]["clouds_read"], 5);
  EXPECT_EQ(j["summary"]["motion_in_world"], false);  // the sample has no oxts poses
  EXPECT_EQ(count(j["findings"], "ego-motion", "info"), 1u);
  EXPECT_EQ(count(j["findings"], "few-points", "warning"), 0u);

  const CommandResult text =
      pcanno("check " + labels_.string() + " --sequence " + training_.string());
  ASSERT_EQ(text.exit_code, 0) << text.out;
  EXPECT_NE(text.out.find("checked 15 boxes in 3 tracks; sequence kitti-tracking 0000, points "
                          "counted in 5 frames"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("summary: 0 errors"), std::string::npos) << text.out;
}

TEST_F(CheckCommandTest, MinPointsIsPassedOn) {
  // No sample box holds 100000 points: a warning each (imported boxes are keyframes), still exit 0.
  const CommandResult r = pcanno("check " + labels_.string() + " --sequence " + training_.string() +
                                     " --min-points 100000 --json",
                                 false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const json j = json::parse(r.out);
  EXPECT_EQ(count(j["findings"], "few-points", "warning"), 15u);

  const CommandResult none = pcanno("check " + labels_.string() + " --no-points --json", false);
  ASSERT_EQ(none.exit_code, 0) << none.out;
  EXPECT_EQ(json::parse(none.out)["summary"]["clouds_read"], 0);
}

TEST_F(CheckCommandTest, AHeadingFlipExitsOne) {
  json doc = native_labels();
  // Turn the Van (track 0) round at frame 2: q * (0, 0, 0, 1) is a half turn about the box's z.
  for (json& track : doc["tracks"]) {
    if (track["id"] != 0) continue;
    for (json& box : track["boxes"]) {
      if (box["frame"] != 2) continue;
      const json q = box["rotation_wxyz"];
      box["rotation_wxyz"] = {-q[3].get<double>(), q[2].get<double>(), -q[1].get<double>(),
                              q[0].get<double>()};
    }
  }
  const fs::path doctored = write(doc, "flipped.pcanno.json");

  // The document names its sequence (the sample training folder): points are counted there.
  const CommandResult r = pcanno("check " + doctored.string() + " --json", false);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["summary"]["errors"], 2);
  EXPECT_EQ(j["summary"]["clouds_read"], 5);
  EXPECT_EQ(count(j["findings"], "heading-flip", "error"), 2u);
  for (const json& f : j["findings"]) {
    if (f["check"] != "heading-flip") continue;
    EXPECT_EQ(f["track"], 0);
    EXPECT_EQ(f["label"], "Van");
    EXPECT_TRUE(f["frame"] == 2 || f["frame"] == 3) << f.dump();
  }

  const CommandResult text = pcanno("check " + doctored.string());
  EXPECT_EQ(text.exit_code, 1) << text.out;
  EXPECT_NE(text.out.find("track 0 (Van):\n  frame 2    error   heading-flip"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("summary: 2 errors"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("pcanno: error: check found 2 errors"), std::string::npos) << text.out;
}

TEST_F(CheckCommandTest, ASchemaMakesMissingMandatoryAttributesErrors) {
  const fs::path schema =
      fs::path(PCANNO_SAMPLE_DATA_DIR) / ".." / "examples" / "class_schemas" / "driving.json";
  const CommandResult r =
      pcanno("check " + labels_.string() + " --no-points --json --schema " + schema.string(),
             false);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  const json j = json::parse(r.out);
  // The sample's boxes carry no attributes. The example schema declares, per box, "occluded" and
  // "pedestrian" mandatory for a Pedestrian and "cycle" for a Cyclist, and the Van is not in it; the
  // scene tag "weather" is mandatory too.
  std::size_t pedestrian = 0, cyclist = 0;
  for (const json& f : j["findings"]) {
    if (f["check"] != "attribute-missing") continue;
    EXPECT_EQ(f["severity"], "error");
    EXPECT_FALSE(f["frame"].is_null()) << f.dump();
    pedestrian += f["label"] == "Pedestrian" ? 1 : 0;
    cyclist += f["label"] == "Cyclist" ? 1 : 0;
  }
  EXPECT_EQ(pedestrian, 2u * 5u);
  EXPECT_EQ(cyclist, 5u);
  EXPECT_EQ(count(j["findings"], "attribute-missing", "error"), 15u);
  EXPECT_EQ(count(j["findings"], "tag-missing", "error"), 1u);
  // Without the schema the same labels are clean.
  const CommandResult plain = pcanno("check " + labels_.string() + " --no-points --json", false);
  EXPECT_EQ(plain.exit_code, 0) << plain.out;

  // A schema that does not load names the file and what is wrong.
  const fs::path bad = temp_.write("bad_schema.json", R"({"format": "pcanno-class-schema", )"
                                                      R"("version": 1, "classes": [{"name": "Car", )"
                                                      R"("attributes": [{"name": "x"}]}]})");
  const CommandResult refused =
      pcanno("check " + labels_.string() + " --no-points --schema " + bad.string());
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.out.find("bad_schema.json"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("/classes/0/attributes/0/type: required member is missing"),
            std::string::npos)
      << refused.out;
}

TEST_F(CheckCommandTest, ListedAsAService) {
  const CommandResult r = pcanno("plugins --json", false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const json j = json::parse(r.out);
  bool found = false;
  for (const json& c : j["components"]) {
    found = found || (c["kind"] == "service" && c["id"] == "check");
  }
  EXPECT_TRUE(found) << r.out;
}

}  // namespace
