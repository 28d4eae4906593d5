// QA and track completion read a class's motion profile from the document's class schema (else
// the default schema by name), not from its name: a custom class declared a vehicle is checked and
// completed like a car, one declared a pedestrian like a pedestrian.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/plugin/automation/track_completion.hpp"
#include "pcanno/plugin/command.hpp"
#include "pcanno/plugin/services/qa.hpp"

namespace pcanno::plugin {
namespace {

using formats::Annotations;
using formats::BoxState;
using formats::MotionKind;

constexpr int kFrames = 11;  // 10 Hz: frame f is at f / 10 s

Annotations ten_hertz_document() {
  Annotations doc;
  for (int f = 0; f < kFrames; ++f) {
    doc.frames.push_back(formats::FrameInfo{std::to_string(f), f * 100'000, {}, ""});
  }
  return doc;
}

void declare(Annotations& doc, const std::string& name, MotionKind kind) {
  formats::ClassSpec spec = formats::make_class_spec(name);
  spec.motion = formats::default_motion_profile(kind);
  doc.classes.push_back(spec);
}

BoxState world_box(std::int64_t frame, double x, double y, double yaw) {
  BoxState s;
  s.frame = frame;
  s.box = geometry::Cuboid::from_yaw({x, y, 0.0}, {3.0, 1.5, 2.0}, yaw);
  s.shape_frame = formats::ShapeFrame::kWorld;
  return s;
}

/// One track of `label` whose box moves `step` [m] along x and turns `turn` [rad] every frame.
Annotations moving(const std::string& label, double step, double turn) {
  Annotations doc = ten_hertz_document();
  formats::Track t{1, label, {}, "", {}};
  for (int f = 0; f < kFrames; ++f) t.boxes.push_back(world_box(f, step * f, 0.0, turn * f));
  doc.tracks.push_back(t);
  return doc;
}

std::vector<Finding> findings(const Annotations& doc, const std::string& check) {
  QaOptions options;
  options.check_points = false;
  const auto report = check_annotations(doc, nullptr, options);
  EXPECT_TRUE(report) << report.error().describe();
  std::vector<Finding> out;
  if (!report) return out;
  for (const Finding& f : report->findings) {
    if (f.check == check) out.push_back(f);
  }
  return out;
}

TEST(ClassProfiles, ACustomClassDeclaredAVehicleGetsVehicleQaLimits) {
  // Turning 0.35 rad per frame at 10 Hz: 3.5 rad/s, more than twice a vehicle's 1.5 rad/s but
  // within what an unknown class may do (6 rad/s).
  Annotations doc = moving("Forklift", 0.5, 0.35);
  EXPECT_TRUE(findings(doc, "yaw-rate").empty()) << "an unknown class is not judged";

  declare(doc, "Forklift", MotionKind::kVehicle);
  const std::vector<Finding> yaw = findings(doc, "yaw-rate");
  ASSERT_EQ(yaw.size(), 10u);
  EXPECT_EQ(yaw[0].limit, 1.5);
  EXPECT_EQ(yaw[0].severity, Severity::kError);
  EXPECT_NEAR(yaw[0].value, 3.5, 1e-9);
}

TEST(ClassProfiles, ACustomClassDeclaredAPedestrianGetsPedestrianQaLimits) {
  // 0.6 m per frame: 6 m/s, over a pedestrian's 4 m/s but under twice it.
  Annotations doc = moving("Mascot", 0.6, 0.0);
  EXPECT_TRUE(findings(doc, "speed").empty());

  declare(doc, "Mascot", MotionKind::kPedestrian);
  const std::vector<Finding> speed = findings(doc, "speed");
  ASSERT_EQ(speed.size(), 10u);
  EXPECT_EQ(speed[0].limit, 4.0);
  EXPECT_EQ(speed[0].severity, Severity::kWarning);
  EXPECT_NEAR(speed[0].value, 6.0, 1e-9);
}

TEST(ClassProfiles, TheDocumentsLimitsWinOverTheDefaultSchema) {
  // 3 m per frame: 30 m/s, a plausible car.
  Annotations doc = moving("Car", 3.0, 0.0);
  EXPECT_TRUE(findings(doc, "speed").empty());
  // A class known by another spelling ("car" from a class map) gets the default car limits.
  doc.tracks[0].label = "car";
  EXPECT_TRUE(findings(doc, "speed").empty());
  doc.tracks[0].label = "Car";

  formats::ClassSpec slow = formats::make_class_spec("Car");
  slow.motion.limits.speed = 20.0;  // a car park's speed limit
  doc.classes.push_back(slow);
  const std::vector<Finding> speed = findings(doc, "speed");
  ASSERT_EQ(speed.size(), 10u);
  EXPECT_EQ(speed[0].limit, 20.0);
}

/// Keyframes at frames 0 and 10 (0 s and 1 s), the box heading along +x both times, the object 5 m
/// ahead and 2 m to the left at the second: where is it at frame 2 (0.2 s)?
double completed_y_at_frame_2(Annotations doc) {
  formats::Sequence seq;
  seq.layout = "folder";
  for (int f = 0; f < kFrames; ++f) {
    formats::FrameRef frame;
    frame.name = std::to_string(f);
    frame.timestamp_us = f * 100'000;
    frame.T_world_lidar = geometry::Pose::Identity();
    seq.frames.push_back(frame);
  }
  doc.tracks.push_back(formats::Track{4, "Forklift", {}, "", {}});
  doc.tracks[0].boxes = {world_box(0, 0.0, 0.0, 0.0), world_box(10, 5.0, 2.0, 0.0)};
  CompletionOptions options;
  options.method = CompletionMethod::kInterpolate;
  const auto done = complete_tracks(doc, seq, options);
  EXPECT_TRUE(done) << done.error().describe();
  const BoxState* b = doc.tracks[0].at(2);
  EXPECT_NE(b, nullptr);
  return b != nullptr ? b->box.center.y() : 0.0;
}

TEST(ClassProfiles, ACustomClassDeclaredAVehicleIsCompletedAlongItsHeading) {
  // Without a heading prior the path is the straight line between the keyframes: y = 2 * 0.2.
  Annotations unknown = ten_hertz_document();
  EXPECT_NEAR(completed_y_at_frame_2(unknown), 0.4, 1e-9);
  Annotations pedestrian = ten_hertz_document();
  declare(pedestrian, "Forklift", MotionKind::kPedestrian);
  EXPECT_NEAR(completed_y_at_frame_2(pedestrian), 0.4, 1e-9);

  // A vehicle leaves each keyframe the way it points (+x), so it drifts left late: the Hermite
  // curve with tangents along x gives y = 2 * (3 s^2 - 2 s^3) at s = 0.2.
  Annotations vehicle = ten_hertz_document();
  declare(vehicle, "Forklift", MotionKind::kVehicle);
  const double s = 0.2;
  EXPECT_NEAR(completed_y_at_frame_2(vehicle), 2.0 * (3 * s * s - 2 * s * s * s), 1e-9);
}

TEST(ClassProfiles, ANewBoxWithoutAClassTakesTheDocumentsDefaultClass) {
  Annotations doc;
  NewBox box;
  box.box = geometry::Cuboid::from_yaw({1, 2, 0}, {1, 1, 1}, 0.0);
  const auto empty = create_track(doc, box);
  ASSERT_TRUE(empty) << empty.error().describe();
  Annotations applied = doc;
  for (const formats::DocumentEdit& e : empty->edits) {
    ASSERT_TRUE(formats::apply_edit(applied, e));
  }
  ASSERT_EQ(applied.tracks.size(), 1u);
  EXPECT_EQ(applied.tracks[0].label, formats::default_class_schema().front().name);

  declare(doc, "Forklift", MotionKind::kVehicle);
  const auto with_schema = create_track(doc, box);
  ASSERT_TRUE(with_schema) << with_schema.error().describe();
  for (const formats::DocumentEdit& e : with_schema->edits) {
    ASSERT_TRUE(formats::apply_edit(doc, e));
  }
  ASSERT_EQ(doc.tracks.size(), 1u);
  EXPECT_EQ(doc.tracks[0].label, "Forklift");
  EXPECT_EQ(doc.classes.size(), 1u);  // no class added
}

}  // namespace
}  // namespace pcanno::plugin
