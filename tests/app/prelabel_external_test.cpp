// `pcanno prelabel` with external-process detectors, through the CLI on the sample KITTI tracking
// frames (0-4 of 0000): the numpy example (examples/detectors) found on PCANNO_PLUGIN_PATH, its
// output read back; and Ctrl+C during a frame leaving no child or grandchild of the detector
// (tests/plugin/fake_detectors/group_detector.sh).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "app_test_support.hpp"
#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/formats/labels/kitti/label.hpp"
#include "pcanno/geometry/iou.hpp"
#include "pcanno/geometry/kitti_convention.hpp"
#include "process_detectors.hpp"

namespace pcanno::test {
namespace {

namespace fs = std::filesystem;

class PrelabelExternal : public LabelsTest {
 protected:
  /// `pcanno prelabel` on the sample frames with `plugin_path` and `python_dir` first on PATH.
  CommandResult prelabel(const std::string& plugin_path, const std::string& python_dir,
                         const std::string& args) {
    const char* path = std::getenv("PATH");
    const std::string first = python_dir.empty() ? "" : python_dir + ":";
    return run_command("env PATH='" + first + (path != nullptr ? path : "") + "' XDG_CACHE_HOME='" +
                       (dir_ / "cache").string() + "' PCANNO_PLUGIN_PATH='" + plugin_path + "' " +
                       PCANNO_BINARY + " prelabel " + training_.string() + " " + args + " 2>&1");
  }
};

TEST_F(PrelabelExternal, TheNumpyExampleRunsEndToEndThroughTheCli) {
  PCANNO_REQUIRE_NUMPY_PYTHON(python_dir);
  const fs::path out = dir_ / "pre.pcanno.json";
  const CommandResult r = prelabel(PCANNO_EXAMPLE_DETECTORS_DIR, python_dir,
                                   "--detector numpy-example --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("detector numpy-example found"), std::string::npos) << r.out;
  const auto doc = formats::read_pcanno_document(out);
  ASSERT_TRUE(doc) << doc.error().describe();
  ASSERT_FALSE(doc->tracks.empty());
  const std::set<std::string> classes{"Car", "Van", "Pedestrian", "Cyclist"};  // the hello's
  std::size_t boxes = 0;
  for (const formats::Track& track : doc->tracks) {
    EXPECT_TRUE(classes.count(track.label)) << track.label;
    for (const formats::BoxState& b : track.boxes) {
      ++boxes;
      EXPECT_EQ(b.provenance, formats::Provenance::kModel);
      ASSERT_TRUE(b.score);
      EXPECT_GT(*b.score, 0.0);
      EXPECT_LE(*b.score, 1.0);
      EXPECT_EQ(b.shape_frame, formats::ShapeFrame::kLidar);
    }
  }

  // The van ahead (track 0 of the truth, 100+ points in every sample frame) is a model track: its
  // boxes overlap the truth in the LiDAR frame where the detector found it.
  const auto calib = formats::read_kitti_calib(training_ / "calib/0000.txt");
  const auto truth = formats::read_kitti_tracking_labels(labels_);
  ASSERT_TRUE(calib && truth);
  std::map<std::int64_t, geometry::Cuboid> van;
  for (const auto& row : *truth) {
    if (row.track_id == 0)
      van[row.frame] = geometry::kitti_camera_to_lidar(row.box, calib->T_rect_velo());
  }
  ASSERT_EQ(van.size(), 5u);
  int best = 0;
  for (const formats::Track& track : doc->tracks) {
    int overlapping = 0;
    for (const formats::BoxState& b : track.boxes) {
      if (van.count(b.frame) && geometry::iou_bev(b.box, van.at(b.frame)) >= 0.5) ++overlapping;
    }
    best = std::max(best, overlapping);
  }
  EXPECT_GE(best, 3) << "the van is not a model track in 3 or more of the 5 frames";

  // The native format round trips: written again and read back, the same document.
  const fs::path again = dir_ / "again.pcanno.json";
  ASSERT_TRUE(formats::write_pcanno_document(*doc, again, false));
  const auto reread = formats::read_pcanno_document(again);
  ASSERT_TRUE(reread) << reread.error().describe();
  EXPECT_EQ(formats::serialize_pcanno_document(*reread), formats::serialize_pcanno_document(*doc));

  // The same run as KITTI tracking rows: one per box in the camera's view (the writer says how
  // many it dropped), each with a box's frame and score in its last column.
  const fs::path rows_out = dir_ / "kitti" / "0000.txt";
  const CommandResult k =
      prelabel(PCANNO_EXAMPLE_DETECTORS_DIR, python_dir,
               "--detector numpy-example --to kitti-tracking --out " + rows_out.string());
  ASSERT_EQ(k.exit_code, 0) << k.out;
  const auto rows = formats::read_kitti_tracking_labels(rows_out);
  ASSERT_TRUE(rows) << rows.error().describe();
  std::size_t dropped = 0;
  if (const std::size_t at = k.out.find("dropped "); at != std::string::npos) {
    dropped = std::stoul(k.out.substr(at + 8));
  }
  EXPECT_EQ(rows->size() + dropped, boxes) << k.out;
  EXPECT_FALSE(rows->empty());
  std::multimap<std::int64_t, double> unmatched;  // frame -> score of the native document's boxes
  for (const formats::Track& track : doc->tracks) {
    for (const formats::BoxState& b : track.boxes) unmatched.insert({b.frame, *b.score});
  }
  for (const auto& row : *rows) {
    ASSERT_TRUE(row.score);
    auto [first, last] = unmatched.equal_range(row.frame);
    while (first != last && std::abs(first->second - *row.score) > 1e-6) ++first;
    ASSERT_NE(first, last) << "row of frame " << row.frame << " with score " << *row.score
                           << " matches no box of the native output";
    unmatched.erase(first);
  }
}

TEST_F(PrelabelExternal, TheNumpyExampleUsesTheSequencesCalibration) {
  PCANNO_REQUIRE_NUMPY_PYTHON(python_dir);
  // The same run without and with the camera filter.
  std::vector<formats::Annotations> docs;
  for (const std::string filter : {"", "--detector-param camera=P2 "}) {
    const fs::path out = dir_ / (filter.empty() ? "all.pcanno.json" : "camera.pcanno.json");
    const CommandResult r =
        prelabel(PCANNO_EXAMPLE_DETECTORS_DIR, python_dir,
                 "--detector numpy-example " + filter + "--min-hits 1 --out " + out.string());
    ASSERT_EQ(r.exit_code, 0) << r.out;
    auto doc = formats::read_pcanno_document(out);
    ASSERT_TRUE(doc) << doc.error().describe();
    ASSERT_FALSE(doc->tracks.empty());
    docs.push_back(std::move(*doc));
  }
  // In the left colour camera's image as the KITTI devkit projects with the calibration file: in
  // front of it and inside its 1242 x 375 px (the example's bound, 2 cx x 2 cy, is 1219 x 346 px).
  const auto calib = formats::read_kitti_calib(training_ / "calib/0000.txt");
  ASSERT_TRUE(calib);
  const auto pixel = [&](const formats::BoxState& b) -> std::optional<Eigen::Vector2d> {
    const Eigen::Vector3d p = calib->P[2] * calib->T_rect_velo() * b.box.center.homogeneous();
    if (p.z() <= 0.0) return std::nullopt;
    return Eigen::Vector2d(p.x() / p.z(), p.y() / p.z());
  };
  const auto in_image = [](const Eigen::Vector2d& uv) {
    return uv.x() >= 0.0 && uv.x() <= 1242.0 && uv.y() >= 0.0 && uv.y() <= 375.0;
  };
  // Unfiltered, some boxes are out of view: the sample clouds cover 360 degrees (about half their
  // points lie behind the car), the camera about 90.
  std::size_t all = 0;
  std::size_t out_of_view = 0;
  for (const formats::Track& track : docs[0].tracks) {
    for (const formats::BoxState& b : track.boxes) {
      ++all;
      const auto uv = pixel(b);
      if (!uv || !in_image(*uv)) ++out_of_view;
    }
  }
  EXPECT_GE(out_of_view, 1u) << all << " boxes";
  // Filtered, every box kept is in view, and fewer remain.
  std::size_t kept = 0;
  for (const formats::Track& track : docs[1].tracks) {
    for (const formats::BoxState& b : track.boxes) {
      ++kept;
      const auto uv = pixel(b);
      ASSERT_TRUE(uv) << track.label << " behind the camera at frame " << b.frame;
      EXPECT_GE(uv->x(), 0.0) << track.label << " at frame " << b.frame;
      EXPECT_LE(uv->x(), 1242.0) << track.label << " at frame " << b.frame;
      EXPECT_GE(uv->y(), 0.0) << track.label << " at frame " << b.frame;
      EXPECT_LE(uv->y(), 375.0) << track.label << " at frame " << b.frame;
    }
  }
  EXPECT_LT(kept, all);
  // A camera the calibration does not have is the detector's error, naming the frame.
  const CommandResult bad = prelabel(PCANNO_EXAMPLE_DETECTORS_DIR, python_dir,
                                     "--detector numpy-example --detector-param camera=P7 "
                                     "--frames 0 --out " +
                                         (dir_ / "bad.pcanno.json").string());
  EXPECT_EQ(bad.exit_code, 1) << bad.out;
  EXPECT_NE(bad.out.find("frame 0"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("no camera 'P7'"), std::string::npos) << bad.out;
}

TEST_F(PrelabelExternal, CtrlCDuringAFrameLeavesNoDetectorProcess) {
  PCANNO_REQUIRE_PYTHON3();
  // The detector runs in the manifest's folder and writes its pids there.
  const fs::path plugins = dir_ / "plugins";
  fs::create_directories(plugins);
  std::ofstream(plugins / "group.detector.json")
      << R"({"id": "group", "command": ["/bin/sh", ")"
      << (fs::path(PCANNO_FAKE_DETECTORS_DIR) / "group_detector.sh").string() << R"(", "hang"]})";
  const fs::path out = dir_ / "pre.pcanno.json";
  const fs::path log = dir_ / "prelabel.log";
  const char* path = std::getenv("PATH");
  // Ctrl+C reaches pcanno only (the detector is in its own process group, as it is in a
  // terminal), once the detector has the frame's request.
  const std::string script =
      "env PATH='" + std::string(path != nullptr ? path : "") + "' XDG_CACHE_HOME='" +
      (dir_ / "cache").string() + "' PCANNO_PLUGIN_PATH='" + plugins.string() + "' " +
      PCANNO_BINARY + " prelabel " + training_.string() + " --frames 0 --detector group --out " +
      out.string() + " > '" + log.string() + "' 2>&1 & P=$!; i=0; while [ ! -f '" +
      (plugins / "detecting.txt").string() +
      "' ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; kill -INT $P; wait $P; "
      "echo \"exit $?\"";
  const CommandResult r = run_command(script);  // popen: sh -c
  const std::string printed = slurp(log);
  EXPECT_TRUE(fs::exists(plugins / "detecting.txt")) << printed;
  EXPECT_NE(r.out.find("exit 130"), std::string::npos) << r.out << printed;
  EXPECT_NE(printed.find("pcanno: cancelled"), std::string::npos) << printed;
  EXPECT_FALSE(fs::exists(out));
  expect_group_gone(plugins, WrapperParent::kAnother);
}

}  // namespace
}  // namespace pcanno::test
