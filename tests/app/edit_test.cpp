// `pcanno edit`: merge, split and relink on a native document made from the sample KITTI tracking
// labels (tracks 0 van, 1 cyclist, 2 pedestrian, each with a box at frames 0-4), the refused
// merge naming every overlapping frame, the actions applied in the order given, and the written
// file read back.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app_test_support.hpp"

namespace {

using nlohmann::json;
using pcanno::test::CommandResult;
using pcanno::test::pcanno;

class EditTest : public pcanno::test::LabelsTest {
 protected:
  void SetUp() override { doc_ = write(native_labels(), "labels.pcanno.json").string(); }

  json read(const std::string& path) { return json::parse(pcanno::test::slurp(path)); }

  /// Frames of track `id` in document `doc`; empty when it has no such track.
  static std::vector<int> frames(const json& doc, int id) {
    std::vector<int> out;
    for (const json& t : doc["tracks"]) {
      if (t["id"] != id) continue;
      for (const json& b : t["boxes"]) out.push_back(b["frame"].get<int>());
    }
    return out;
  }
  static bool has_track(const json& doc, int id) {
    for (const json& t : doc["tracks"]) {
      if (t["id"] == id) return true;
    }
    return false;
  }

  std::string doc_;
};

TEST_F(EditTest, SplitThenMergeBackInPlaceRoundTrips) {
  const json before = read(doc_);
  // The van split at frame 3: the rest becomes a new track (the next free id, 3).
  CommandResult r = pcanno("edit " + doc_ + " --split 0@3");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("split track 0 at frame 3: the rest is track 3"), std::string::npos)
      << r.out;
  json after = read(doc_);
  EXPECT_EQ(frames(after, 0), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(frames(after, 3), (std::vector<int>{3, 4}));
  // Merged back, the document is the one we started from (boxes, classes, attributes).
  r = pcanno("edit " + doc_ + " --merge 0,3");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(read(doc_)["tracks"], before["tracks"]);
}

TEST_F(EditTest, RefusedMergeNamesEveryOverlappingFrameAndWritesNothing) {
  const std::string original = pcanno::test::slurp(doc_);
  const std::string out = (dir_ / "out.pcanno.json").string();
  const CommandResult r = pcanno("edit " + doc_ + " --merge 0,1 -o " + out);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("--merge 0,1: tracks 0 and 1 both have boxes at frames 0, 1, 2, 3, 4"),
            std::string::npos)
      << r.out;
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_EQ(pcanno::test::slurp(doc_), original);
}

TEST_F(EditTest, RelinkAndActionsInTheOrderGivenToAnOutputFile) {
  const std::string out = (dir_ / "fixed.pcanno.json").string();
  // The cyclist's boxes at frames 3 and 4 go to a new track (3); its frame 4 then to the van (0)
  // once the van's own box there is deleted; what is left of track 3 merges back into the
  // cyclist. Order matters: relinking into 0 before --delete 0@4-4 is refused (below).
  const CommandResult r =
      pcanno("edit " + doc_ + " --relink 1@3:new --relink 1@4:3 --delete 0@4-4 --relink 3@4:0 " +
             "--merge 1,3 -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("moved the box of track 1 at frame 3 to track 3"), std::string::npos)
      << r.out;
  const json done = read(out);
  EXPECT_EQ(frames(done, 1), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(frames(done, 0), (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_FALSE(has_track(done, 3));
  // The cyclist's frame-4 box is the van's now, as it was (centre kept exactly).
  const json original = read(doc_);
  json cyclist4, van4;
  for (const json& t : original["tracks"]) {
    if (t["id"] == 1) cyclist4 = t["boxes"][4];
  }
  for (const json& t : done["tracks"]) {
    if (t["id"] == 0) van4 = t["boxes"][4];
  }
  EXPECT_EQ(van4["center"], cyclist4["center"]);

  // The same actions in another order: the relink into 0 is refused, naming the frame.
  const CommandResult refused = pcanno("edit " + doc_ + " --relink 1@4:0 --delete 0@4-4 -o " +
                                       (dir_ / "x.pcanno.json").string());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.out.find("--relink 1@4:0: track 0 has a box at frame 4 already"),
            std::string::npos)
      << refused.out;
}

TEST_F(EditTest, FlipSizeAndDeleteTrack) {
  const std::string out = (dir_ / "o.pcanno.json").string();
  const CommandResult r =
      pcanno("edit " + doc_ + " --flip 2@1-2 --size-from 0@0 --delete-track 1 -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const json before = read(doc_);
  const json after = read(out);
  EXPECT_FALSE(has_track(after, 1));
  json van0;
  for (const json& t : before["tracks"]) {
    if (t["id"] == 0) van0 = t["boxes"][0]["size"];
  }
  for (const json& t : after["tracks"]) {
    if (t["id"] == 0) {
      for (const json& b : t["boxes"]) EXPECT_EQ(b["size"], van0);
    }
  }
  // Flipped frames: the quaternion turned by 180 degrees about its own z (w, z) -> (-z, w) for
  // a yaw-only box; the other frames unchanged.
  for (const json& t : before["tracks"]) {
    if (t["id"] != 2) continue;
    for (const json& ta : after["tracks"]) {
      if (ta["id"] != 2) continue;
      for (int f = 0; f <= 4; ++f) {
        const json& q0 = t["boxes"][f]["rotation_wxyz"];
        const json& q1 = ta["boxes"][f]["rotation_wxyz"];
        const double dot =
            q0[0].get<double>() * q1[0].get<double>() + q0[1].get<double>() * q1[1].get<double>() +
            q0[2].get<double>() * q1[2].get<double>() + q0[3].get<double>() * q1[3].get<double>();
        if (f == 1 || f == 2) {
          EXPECT_NEAR(dot, 0.0, 1e-9) << f;  // 180 degrees apart
        } else {
          EXPECT_EQ(q0, q1) << f;
        }
      }
    }
  }
}

TEST_F(EditTest, RefitNeedsTheCloudsAndMarksTheBoxesFitted) {
  const std::string out = (dir_ / "r.pcanno.json").string();
  CommandResult r = pcanno("edit " + doc_ + " --refit 0 -o " + out);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--refit 0: re-fitting needs the clouds"), std::string::npos) << r.out;
  r = pcanno("edit " + doc_ + " --refit 0@1-3 --sequence " + training_.string() +
             " --sequence-name 0000 -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("re-fitted 3 boxes of track 0"), std::string::npos) << r.out;
  for (const json& t : read(out)["tracks"]) {
    if (t["id"] != 0) continue;
    for (const json& b : t["boxes"]) {
      const int f = b["frame"].get<int>();
      EXPECT_EQ(b["provenance"], f >= 1 && f <= 3 ? "fitted" : "imported") << f;
    }
  }
}

TEST_F(EditTest, BadArgumentsAreUsageErrors) {
  CommandResult r = pcanno("edit " + doc_ + " --split 0-3");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--split 0-3: expected ID@FRAME"), std::string::npos) << r.out;
  r = pcanno("edit " + doc_);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("no action given"), std::string::npos) << r.out;
  r = pcanno("edit " + doc_ + " --merge 0,9");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("no track 9"), std::string::npos) << r.out;
  r = pcanno("edit --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--relink"), std::string::npos);
  // An existing -o is not replaced without --force.
  r = pcanno("edit " + doc_ + " --delete-track 2 -o " + doc_ + ".copy");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = pcanno("edit " + doc_ + " --delete-track 2 -o " + doc_ + ".copy");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("--force"), std::string::npos) << r.out;
}

}  // namespace
