// `pcanno track` completes polyline tracks as it does box tracks, on the sample KITTI tracking
// frames (0-4 of 0000, no poses: interpolate and auto estimate the ego motion).
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app_test_support.hpp"

namespace {

using nlohmann::json;
using pcanno::test::CommandResult;
using pcanno::test::pcanno;

class TrackPolylinesTest : public pcanno::test::LabelsTest {
 protected:
  static json state(int frame, const json& vertices) {
    return json{{"frame", frame},       {"frame_of_reference", "lidar"}, {"closed", false},
                {"vertices", vertices}, {"provenance", "manual"},        {"keyframe", true}};
  }
  /// The sample labels plus a lane line with keyframes at `frames` (the lines below).
  std::string keys_with_lane(const std::vector<int>& frames) {
    json doc = native_labels();
    json states = json::array();
    for (const int f : frames) states.push_back(state(f, f == 0 ? kAt0 : kAt4));
    doc["polylines"] =
        json::array({json{{"id", 5}, {"label", "Lane marking"}, {"states", states}}});
    return write(doc, "keys.pcanno.json").string();
  }
  const json kAt0 = json::array({{4.0, 2.0, -1.7}, {14.0, 2.0, -1.7}, {24.0, 2.0, -1.7}});
  const json kAt4 = json::array({{2.0, 3.0, -1.6}, {22.0, 3.0, -1.6}});
};

TEST_F(TrackPolylinesTest, LinearFillsTheFramesBetweenKeyframesAndCountsThem) {
  const std::string out = (dir_ / "done.pcanno.json").string();
  const CommandResult r = pcanno("track " + training_.string() + " " + keys_with_lane({0, 4}) +
                                 " --method linear --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("2 keyframe polyline states in 1 polylines"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("linear added 0 boxes, 3 polyline states"), std::string::npos) << r.out;
  const json done = json::parse(pcanno::test::slurp(out));
  ASSERT_EQ(done["polylines"].size(), 1u);
  const json& states = done["polylines"][0]["states"];
  ASSERT_EQ(states.size(), 5u);
  for (int f = 0; f <= 4; ++f) {
    EXPECT_EQ(states[f]["frame"], f);
    EXPECT_EQ(states[f]["keyframe"], f == 0 || f == 4);
    EXPECT_EQ(states[f]["provenance"], f == 0 || f == 4 ? "manual" : "interpolated");
  }
  // Halfway (frame 2), by arc length: the ends meet halfway, and the first line's middle vertex
  // (halfway along it) meets the second's halfway point (12, 3). The sample boxes are all
  // keyframes already: no box is added.
  const json& mid = states[2]["vertices"];
  ASSERT_EQ(mid.size(), 3u);
  const double expected[3][3] = {{3.0, 2.5, -1.65}, {13.0, 2.5, -1.65}, {23.0, 2.5, -1.65}};
  for (int i = 0; i < 3; ++i) {
    for (int k = 0; k < 3; ++k) {
      EXPECT_NEAR(mid[i][k].get<double>(), expected[i][k], 1e-9) << i << "," << k;
    }
  }
}

TEST_F(TrackPolylinesTest, AutoPropagatesASingleKeyframeToTheEnd) {
  const std::string out = (dir_ / "done.pcanno.json").string();
  const CommandResult r = pcanno("track " + training_.string() + " " + keys_with_lane({0}) +
                                 " --method auto --no-cache --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find(", 4 polyline states"), std::string::npos) << r.out;
  const json done = json::parse(pcanno::test::slurp(out));
  const json& states = done["polylines"][0]["states"];
  ASSERT_EQ(states.size(), 5u);
  for (int f = 1; f <= 4; ++f) {
    EXPECT_EQ(states[f]["provenance"], "tracked");
    EXPECT_EQ(states[f]["keyframe"], false);
    // The car drives forward, the line stays in the world: it moves back in the LiDAR frame.
    EXPECT_LT(states[f]["vertices"][0][0].get<double>(),
              states[f - 1]["vertices"][0][0].get<double>())
        << f;
  }
}

}  // namespace
