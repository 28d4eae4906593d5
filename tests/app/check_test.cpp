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
