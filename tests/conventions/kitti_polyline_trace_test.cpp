// One-click curb tracing on KITTI tracking 0000 against curb edges placed by hand
// (tests/data/kitti_tracking_0000_lines.json; how they were placed: the .md beside it).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kitti_fixtures.hpp"
#include "kitti_lines.hpp"
#include "pcanno/formats/clouds/raw_bin.hpp"
#include "pcanno/geometry/polyline_trace.hpp"
#include "pcanno/plugin/automation/line_feature.hpp"
#include "test_data.hpp"

namespace pcanno {
namespace {

namespace fs = std::filesystem;

geometry::LineFeature feature_of(const test::KittiLineReference& ref) {
  return ref.feature == "curb" ? geometry::LineFeature::kCurb : geometry::LineFeature::kMarking;
}

/// How a traced line matches a reference: the traced line is sampled every 0.1 m; samples whose
/// nearest point on the reference lies beyond either end are outside the common extent.
struct Match {
  double mean_distance = std::numeric_limits<double>::infinity();  ///< [m] 3D, common extent
  double coverage = 0.0;  ///< share of the reference's length between the traced samples
};

Match compare(const geometry::Polyline& traced, const geometry::Polyline& reference) {
  const geometry::Polyline samples = geometry::resample(traced, 0.1);
  const double total = geometry::length(reference);
  double sum = 0.0, lo = total, hi = 0.0;
  int n = 0;
  for (const auto& p : samples.vertices) {
    const auto proj = geometry::closest_point(reference, p);
    if (proj->arc_length <= 1e-6 || proj->arc_length >= total - 1e-6) continue;
    sum += proj->distance;
    ++n;
    lo = std::min(lo, proj->arc_length);
    hi = std::max(hi, proj->arc_length);
  }
  Match m;
  if (n > 0) {
    m.mean_distance = sum / n;
    m.coverage = (hi - lo) / total;
  }
  return m;
}

TEST(KittiPolylineTrace, OneClickCurbFollowsTheHandPlacedEdge) {
  const fs::path first = test::kitti_tracking_root() / "velodyne/0000/000000.bin";
  PCANNO_REQUIRE_DATA(first);
  ASSERT_TRUE(fs::exists(test::kitti_lines_fixture())) << test::kitti_lines_fixture();
  const std::vector<test::KittiLineReference> refs = test::kitti_line_references();
  ASSERT_GE(refs.size(), 4u);
  double worst = 0.0;
  for (const test::KittiLineReference& ref : refs) {
    char name[32];
    std::snprintf(name, sizeof name, "velodyne/0000/%06d.bin", ref.frame);
    const auto cloud = formats::read_kitti_bin(test::kitti_tracking_root() / name);
    ASSERT_TRUE(cloud) << cloud.error().describe();
    const geometry::LineScan scan = plugin::line_scan_of(*cloud);
    // The click: 0.3 m off the reference's middle, on either side of it.
    const auto middle = geometry::closest_point(
        ref.line, geometry::resample(ref.line, 0.1)
                      .vertices[geometry::resample(ref.line, 0.1).vertices.size() / 2]);
    const Eigen::Vector3d along =
        (ref.line.segment_end(middle->segment) - ref.line.segment_start(middle->segment))
            .normalized();
    const Eigen::Vector3d across(-along.y(), along.x(), 0.0);
    for (double side : {-1.0, 1.0}) {
      const Eigen::Vector3d click = middle->point + 0.3 * side * across.normalized();
      const auto traced = geometry::trace_polyline(scan, click, feature_of(ref));
      ASSERT_TRUE(traced.has_value()) << ref.name << " frame " << ref.frame << " side " << side;
      const Match m = compare(*traced, ref.line);
      std::printf(
          "[ measured ] %s frame %d click side %+.0f: mean distance %.3f m, coverage %.0f%% "
          "of %.1f m\n",
          ref.name.c_str(), ref.frame, side, m.mean_distance, 100.0 * m.coverage,
          geometry::length(ref.line));
      std::string vertices;
      for (const auto& v : traced->vertices) {
        vertices += " (" + std::to_string(v.x()) + ", " + std::to_string(v.y()) + ")";
      }
      EXPECT_LE(m.mean_distance, 0.10)
          << ref.name << " frame " << ref.frame << ", click (" << click.x() << ", " << click.y()
          << "), traced:" << vertices;
      EXPECT_GE(m.coverage, 0.5) << ref.name << " frame " << ref.frame << ", traced:" << vertices;
      worst = std::max(worst, m.mean_distance);
    }
  }
  RecordProperty("worst_mean_distance_mm", static_cast<int>(1000.0 * worst));
}

}  // namespace
}  // namespace pcanno
