// The example plugin's csv-boxes codec, loaded as a plugin: one row per box in track and frame
// order, every double exact, atomic and overwrite-safe writes, and a reader that gives the same
// numbers back.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "files.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/plugin/plugin_loader.hpp"
#include "pcanno/plugin/registry.hpp"
#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using pcanno::formats::Annotations;
using pcanno::formats::BoxState;
using pcanno::formats::LabelCodec;
using pcanno::formats::Provenance;
using pcanno::formats::ShapeFrame;
using pcanno::formats::Track;

const char* const kHeader =
    "track_id,label,frame,frame_of_reference,cx,cy,cz,length,width,height,qw,qx,qy,qz,provenance,"
    "keyframe";

/// A CSV line split on commas outside double quotes (written independently of the plugin's
/// reader, so that a shared bug cannot hide).
std::vector<std::string> split_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

/// The lines of the file at `path`.
std::vector<std::string> lines_of(const fs::path& path) {
  return pcanno::test::lines_of(pcanno::test::slurp(path));
}

BoxState box_at(std::int64_t frame, Eigen::Vector3d center, Eigen::Vector3d size,
                Eigen::Quaterniond rotation, ShapeFrame shape_frame, Provenance provenance,
                bool keyframe) {
  BoxState b;
  b.frame = frame;
  b.box.center = center;
  b.box.size = size;
  b.box.rotation = rotation;
  b.shape_frame = shape_frame;
  b.provenance = provenance;
  b.keyframe = keyframe;
  return b;
}

/// Two tracks out of id order, one with boxes out of frame order and a class name that needs
/// quoting, with doubles that lose digits at any precision below 17.
Annotations sample_annotations() {
  Annotations a;
  a.frames.resize(4);
  Track late;
  late.id = 7;
  late.label = "Car";
  late.boxes.push_back(box_at(3, {0.1, 1.0 / 3.0, -1e-300}, {4.2, 1.8, 1.5},
                              Eigen::Quaterniond(0.9238795325112867, 0.0, 0.0, 0.3826834323650898),
                              ShapeFrame::kLidar, Provenance::kManual, true));
  Track early;
  early.id = 2;
  early.label = "Bike, \"parked\"";
  early.boxes.push_back(box_at(2, {123456.78901234567, -2.0 / 3.0, 5e-324},
                               {0.7, 0.30000000000000004, 1.1},
                               Eigen::Quaterniond(0.5, -0.5, 0.5, -0.5), ShapeFrame::kWorld,
                               Provenance::kInterpolated, false));
  early.boxes.push_back(box_at(0, {-7.25, 3.5, -1.75}, {1.0, 2.0, 3.0},
                               Eigen::Quaterniond(std::sqrt(0.5), 0.0, std::sqrt(0.5), 0.0),
                               ShapeFrame::kLidar, Provenance::kModel, true));
  a.tracks.push_back(late);
  a.tracks.push_back(early);
  a.ensure_class("Car");
  a.ensure_class(early.label);
  return a;
}

class CsvExporterPluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto loaded = pcanno::plugin::load_plugin(registry_, PCANNO_EXAMPLE_PLUGIN);
    ASSERT_TRUE(loaded) << loaded.error().describe();
    codec_ = registry_.codecs().find("csv-boxes");
    ASSERT_NE(codec_, nullptr);
  }
  pcanno::test::TempDir temp_;
  const fs::path dir_ = temp_.path();
  pcanno::plugin::Registry registry_;
  const LabelCodec* codec_ = nullptr;
};

TEST_F(CsvExporterPluginTest, WritesOneExactRowPerBoxInTrackAndFrameOrder) {
  const Annotations a = sample_annotations();
  const fs::path out = dir_ / "boxes.csv";
  const auto report = codec_->write(a, out, {});
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->boxes_written, 3u);
  ASSERT_EQ(report->written.size(), 1u);
  EXPECT_EQ(report->written[0], out);

  const std::vector<std::string> lines = lines_of(out);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], kHeader);
  // Expected order: track 2 frame 0, track 2 frame 2, track 7 frame 3.
  const std::vector<std::pair<const Track*, const BoxState*>> expected{
      {&a.tracks[1], &a.tracks[1].boxes[1]},
      {&a.tracks[1], &a.tracks[1].boxes[0]},
      {&a.tracks[0], &a.tracks[0].boxes[0]}};
  for (std::size_t r = 0; r < expected.size(); ++r) {
    const auto& [track, state] = expected[r];
    const std::vector<std::string> f = split_line(lines[r + 1]);
    ASSERT_EQ(f.size(), 16u) << lines[r + 1];
    EXPECT_EQ(std::stoll(f[0]), track->id);
    EXPECT_EQ(f[1], track->label);
    EXPECT_EQ(std::stoll(f[2]), state->frame);
    EXPECT_EQ(f[3], to_string(state->shape_frame));
    const auto& b = state->box;
    const double want[10] = {b.center.x(),   b.center.y(),  b.center.z(),   b.size.x(),
                             b.size.y(),     b.size.z(),    b.rotation.w(), b.rotation.x(),
                             b.rotation.y(), b.rotation.z()};
    for (int k = 0; k < 10; ++k) {
      // Exact: %.17g round-trips every double.
      EXPECT_EQ(std::strtod(f[4 + k].c_str(), nullptr), want[k])
          << "row " << r << " column " << 4 + k << ": " << f[4 + k];
    }
    EXPECT_EQ(f[14], to_string(state->provenance));
    EXPECT_EQ(f[15], state->keyframe ? "1" : "0");
  }
  // The class name with a comma and quotes is quoted the RFC 4180 way.
  EXPECT_NE(lines[1].find(",\"Bike, \"\"parked\"\"\","), std::string::npos) << lines[1];
}

TEST_F(CsvExporterPluginTest, NeverReplacesAFileWithoutOverwrite) {
  const fs::path out = dir_ / "boxes.csv";
  std::ofstream(out) << "precious";
  const auto refused = codec_->write(sample_annotations(), out, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(lines_of(out), std::vector<std::string>{"precious"});
  pcanno::formats::LabelContext overwrite;
  overwrite.overwrite = true;
  ASSERT_TRUE(codec_->write(sample_annotations(), out, overwrite));
  EXPECT_EQ(lines_of(out).size(), 4u);
}

TEST_F(CsvExporterPluginTest, ReadsBackTheSameBoxesAndDetectsItsFiles) {
  const Annotations a = sample_annotations();
  const fs::path out = dir_ / "boxes.csv";
  ASSERT_TRUE(codec_->write(a, out, {}));
  EXPECT_TRUE(codec_->detect(out));
  const auto other = dir_ / "other.csv";
  std::ofstream(other) << "a,b,c\n1,2,3\n";
  EXPECT_FALSE(codec_->detect(other));
  const auto selected = registry_.codecs().select(out);
  ASSERT_TRUE(selected);
  EXPECT_EQ((*selected)->id, "csv-boxes");

  const auto back = codec_->read(out, {});
  ASSERT_TRUE(back) << back.error().describe();
  ASSERT_EQ(back->tracks.size(), 2u);
  EXPECT_EQ(back->frames.size(), 4u);  // frames 0..3
  for (const Track& want : a.tracks) {
    const Track* got = back->track(want.id);
    ASSERT_NE(got, nullptr) << want.id;
    EXPECT_EQ(got->label, want.label);
    ASSERT_EQ(got->boxes.size(), want.boxes.size());
    for (const BoxState& w : want.boxes) {
      const BoxState* g = got->at(w.frame);
      ASSERT_NE(g, nullptr);
      EXPECT_EQ(g->box.center, w.box.center);
      EXPECT_EQ(g->box.size, w.box.size);
      EXPECT_EQ(g->box.rotation.coeffs(), w.box.rotation.coeffs());
      EXPECT_EQ(g->shape_frame, w.shape_frame);
      EXPECT_EQ(g->provenance, w.provenance);
      EXPECT_EQ(g->keyframe, w.keyframe);
    }
  }
}

TEST_F(CsvExporterPluginTest, MalformedRowsNameTheLine) {
  const fs::path bad = dir_ / "bad.csv";
  std::ofstream(bad) << kHeader << "\n1,Car,0,lidar,1,2,3,4,5,6,1,0,0,0,manual,1\n"
                     << "1,Car,1,lidar,1,2,oops,4,5,6,1,0,0,0,manual,1\n";
  const auto read = codec_->read(bad, {});
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().line, 3);
  EXPECT_NE(read.error().message.find("oops"), std::string::npos) << read.error().message;
}

}  // namespace
