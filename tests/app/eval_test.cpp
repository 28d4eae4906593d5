// `pcanno eval` end to end on the sample KITTI tracking labels: against themselves, against a
// doctored copy, keyframes and frame ranges, the --plot PNG.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app_test_support.hpp"
#include "test_data.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using pcanno::test::CommandResult;
using pcanno::test::pcanno;

class EvalCommandTest : public pcanno::test::LabelsTest {
 protected:
  /// The sample labels with the Van (track 0, 2 m tall) raised by half its height at `frames`
  /// (every frame when empty): 3D IoU 1/3, BEV IoU 1 there. Boxes outside `keyframes` (every frame
  /// when empty) lose their keyframe flag.
  fs::path raised_van(const std::vector<int>& frames = {}, const std::vector<int>& keyframes = {}) {
    json doc = native_labels();
    const auto in = [](const std::vector<int>& set, int f) {
      return set.empty() || std::find(set.begin(), set.end(), f) != set.end();
    };
    for (json& track : doc["tracks"]) {
      for (json& box : track["boxes"]) {
        const int f = box["frame"].get<int>();
        if (track["id"] == 0 && in(frames, f)) {
          EXPECT_EQ(box["size"][2].get<double>(), 2.0);
          box["center"][2] = box["center"][2].get<double>() + 1.0;
        }
        box["keyframe"] = in(keyframes, f);
      }
    }
    return write(doc, "pred.pcanno.json");
  }

  json eval_json(const std::string& args) {
    const CommandResult r = pcanno("eval " + args + " --json", false);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return r.exit_code == 0 ? json::parse(r.out) : json();
  }
};

const json* find_class(const json& j, const std::string& label) {
  for (const json& c : j["classes"]) {
    if (c["label"] == label) return &c;
  }
  return nullptr;
}

TEST_F(EvalCommandTest, LabelsAgainstThemselvesScoreOne) {
  const json j = eval_json(labels_.string() + " " + labels_.string());
  ASSERT_FALSE(j.is_null());
  EXPECT_EQ(j["overall"]["boxes"], 15);
  EXPECT_EQ(j["overall"]["missed"], 0);
  EXPECT_NEAR(j["overall"]["mean_iou_3d"].get<double>(), 1.0, 1e-9);
  EXPECT_NEAR(j["overall"]["mean_iou_bev"].get<double>(), 1.0, 1e-9);
  EXPECT_EQ(j["overall"]["fraction_3d_70"], 1.0);
  EXPECT_EQ(j["classes"].size(), 3u);
  EXPECT_EQ(j["tracks"].size(), 3u);
  EXPECT_EQ(j["boxes"].size(), 15u);
  EXPECT_TRUE(j["unmatched_predictions"].empty());

  const CommandResult text = pcanno("eval " + labels_.string() + " " + labels_.string());
  ASSERT_EQ(text.exit_code, 0) << text.out;
  EXPECT_NE(text.out.find("evaluated 15 ground-truth boxes in 3 tracks (frames 0-4)"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("overall     15     0       1.000    1.000"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("worst tracks:"), std::string::npos) << text.out;
}

TEST_F(EvalCommandTest, APerturbedCopyScoresLower) {
  const fs::path pred = raised_van();
  // Across formats: the native document against the KITTI file it came from.
  const json j = eval_json(pred.string() + " " + labels_.string());
  ASSERT_FALSE(j.is_null());
  const json* van = find_class(j, "Van");
  ASSERT_NE(van, nullptr);
  EXPECT_NEAR((*van)["iou"]["mean_iou_3d"].get<double>(), 1.0 / 3.0, 1e-6);
  EXPECT_NEAR((*van)["iou"]["mean_iou_bev"].get<double>(), 1.0, 1e-6);
  EXPECT_EQ((*van)["iou"]["fraction_3d_50"], 0.0);
  EXPECT_NEAR(find_class(j, "Cyclist")->at("iou")["mean_iou_3d"].get<double>(), 1.0, 1e-6);
  EXPECT_NEAR(j["overall"]["mean_iou_3d"].get<double>(), (5.0 / 3.0 + 10.0) / 15.0, 1e-6);
  EXPECT_NEAR(j["overall"]["fraction_3d_70"].get<double>(), 10.0 / 15.0, 1e-9);
  EXPECT_EQ(j["tracks"][0]["track"], 0);
  EXPECT_NEAR(j["tracks"][0]["min_iou_3d"].get<double>(), 1.0 / 3.0, 1e-6);

  // The text table lists the Van first among the worst tracks.
  const CommandResult text = pcanno("eval " + pred.string() + " " + labels_.string());
  ASSERT_EQ(text.exit_code, 0) << text.out;
  const std::size_t worst = text.out.find("worst tracks:");
  ASSERT_NE(worst, std::string::npos) << text.out;
  EXPECT_NE(text.out.find("\n0      Van", worst), std::string::npos) << text.out;
}

TEST_F(EvalCommandTest, ExcludeDerivedGroundTruthSkipsInterpolatedLabels) {
  // The sample's KITTI labels (15 boxes, frames 0-4) hold 5 boxes whose camera-frame values are the
  // exact mean of their neighbours' (counted from the text file by hand: second differences of
  // every field within the 6-decimal rounding). Those are the annotation tool's interpolation.
  const json j = eval_json(labels_.string() + " " + labels_.string() + " --exclude-derived-gt");
  ASSERT_FALSE(j.is_null());
  EXPECT_EQ(j["excluded_derived_gt"], 5);
  EXPECT_EQ(j["overall"]["boxes"], 10);
  EXPECT_EQ(j["exclude_derived_gt"], true);
  // Off by default.
  const json all = eval_json(labels_.string() + " " + labels_.string());
  ASSERT_FALSE(all.is_null());
  EXPECT_EQ(all["excluded_derived_gt"], 0);
  EXPECT_EQ(all["overall"]["boxes"], 15);
}

TEST_F(EvalCommandTest, ExcludeKeyframesAndFrames) {
  // Keyframes 0 and 4; the Van is off in frames 1-3 only (the frames a tracker would fill in).
  const fs::path pred = raised_van({1, 2, 3}, {0, 4});
  const json all = eval_json(pred.string() + " " + labels_.string());
  ASSERT_FALSE(all.is_null());
  EXPECT_EQ(all["overall"]["boxes"], 15);

  const json skipped = eval_json(pred.string() + " " + labels_.string() + " --exclude-keyframes");
  ASSERT_FALSE(skipped.is_null());
  EXPECT_EQ(skipped["overall"]["boxes"], 9);
  EXPECT_EQ(skipped["excluded_keyframes"], 6);
  EXPECT_NEAR(find_class(skipped, "Van")->at("iou")["mean_iou_3d"].get<double>(), 1.0 / 3.0, 1e-6);
  EXPECT_NEAR(skipped["overall"]["mean_iou_3d"].get<double>(), (1.0 + 6.0) / 9.0, 1e-6);

  const json frames = eval_json(pred.string() + " " + labels_.string() + " --frames 3-4");
  ASSERT_FALSE(frames.is_null());
  EXPECT_EQ(frames["overall"]["boxes"], 6);
  EXPECT_EQ(frames["frame_results"].size(), 2u);
  EXPECT_EQ(frames["frame_results"][0]["frame"], 3);
}

TEST_F(EvalCommandTest, BadArgumentsAreUsageErrorsAndMissingFilesFailures) {
  const std::string both = labels_.string() + " " + labels_.string();
  const CommandResult frames = pcanno("eval " + both + " --frames 4-2");
  EXPECT_EQ(frames.exit_code, 2) << frames.out;
  EXPECT_NE(frames.out.find("--frames"), std::string::npos) << frames.out;
  const CommandResult format = pcanno("eval " + both + " --from-gt no-such-format");
  EXPECT_EQ(format.exit_code, 2) << format.out;
  EXPECT_NE(format.out.find("kitti-tracking"), std::string::npos) << format.out;
  const CommandResult missing =
      pcanno("eval " + (dir_ / "none.json").string() + " " + labels_.string());
  EXPECT_EQ(missing.exit_code, 1) << missing.out;
}

TEST_F(EvalCommandTest, PlotIsAValidPng) {
  if (std::system("python3 -c 'import zlib' > /dev/null 2>&1") != 0) {
    // The PNG is checked by a decoder that is not ours; setup.sh installs python3, so CI has it.
    if (pcanno::test::running_in_ci()) FAIL() << "python3 is required under CI to validate the PNG";
    GTEST_SKIP() << "python3 not available to validate the PNG independently";
  }
  const fs::path pred = raised_van({2});
  const fs::path png = dir_ / "plots/today/iou.png";  // folders made by the command
  const CommandResult r =
      pcanno("eval " + pred.string() + " " + labels_.string() + " --plot " + png.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("plot: " + png.string()), std::string::npos) << r.out;
  const CommandResult check =
      pcanno::test::run_command("python3 " + std::string(PCANNO_CHECK_PNG) + " " + png.string());
  ASSERT_EQ(check.exit_code, 0) << check.out;
  const json j = json::parse(check.out);
  EXPECT_EQ(j["width"], 960);
  EXPECT_EQ(j["height"], 420);
  const json& colours = j["colours"];
  EXPECT_GT(colours.value("ffffff", 0), 100000);  // background
  // Every frame's mean is >= 0.7 (frame 2: (1/3 + 1 + 1) / 3), green; one box of 15 has IoU 1/3,
  // a red histogram bar; nothing is in between (amber).
  EXPECT_GT(colours.value("2ea043", 0), 10000);
  EXPECT_GT(colours.value("d2322d", 0), 100);
  EXPECT_EQ(colours.value("e6a01e", 0), 0);

  // The plot exists now: kept unless --force.
  const std::string command =
      "eval " + pred.string() + " " + labels_.string() + " --plot " + png.string();
  const CommandResult again = pcanno(command);
  EXPECT_EQ(again.exit_code, 1) << again.out;
  EXPECT_NE(again.out.find(png.string()), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("--force"), std::string::npos) << again.out;
  EXPECT_EQ(pcanno(command + " --force").exit_code, 0);
}

}  // namespace
