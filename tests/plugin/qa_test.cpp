#include "pcanno/plugin/services/qa.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pcanno/geometry/angles.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/session.hpp"
#include "temp_dir.hpp"

namespace pcanno::plugin {
namespace {

namespace fs = std::filesystem;
using formats::Annotations;
using formats::BoxState;
using formats::ShapeFrame;

BoxState at(std::int64_t frame, const Eigen::Vector3d& center, double yaw = 0.0,
            const Eigen::Vector3d& size = Eigen::Vector3d(4.0, 1.8, 1.5),
            ShapeFrame shape_frame = ShapeFrame::kWorld) {
  BoxState s;
  s.frame = frame;
  s.box = geometry::Cuboid::from_yaw(center, size, yaw);
  s.shape_frame = shape_frame;
  return s;
}

/// The new track; the reference is invalidated by the next add_track() on the same document.
formats::Track& add_track(Annotations& doc, std::int64_t id, const std::string& label) {
  doc.tracks.push_back(formats::Track{id, label, {}, "", {}});
  return doc.tracks.back();
}

Annotations frames(int n, std::int64_t step_us = -1) {
  Annotations doc;
  for (int i = 0; i < n; ++i) {
    doc.frames.push_back(
        formats::FrameInfo{std::to_string(i), step_us < 0 ? -1 : i * step_us, {}, ""});
  }
  return doc;
}

QaOptions no_points() {
  QaOptions o;
  o.check_points = false;
  return o;
}

std::vector<Finding> of(const QaReport& r, const std::string& check) {
  std::vector<Finding> out;
  for (const Finding& f : r.findings) {
    if (f.check == check) out.push_back(f);
  }
  return out;
}

TEST(Qa, AJumpOfTwelveMetresInATenthOfASecondIsASpeedError) {
  Annotations doc = frames(4);
  formats::Track& t = add_track(doc, 7, "Car");
  t.boxes = {at(0, {0, 0, 0}), at(1, {1, 0, 0}), at(2, {13, 0, 0}), at(3, {14, 0, 0})};
  const auto r = check_annotations(doc, nullptr, no_points());
  ASSERT_TRUE(r);
  const auto speed = of(*r, "speed");
  ASSERT_EQ(speed.size(), 1u);
  EXPECT_EQ(speed[0].severity, Severity::kError);
  EXPECT_EQ(speed[0].track, 7);
  EXPECT_EQ(speed[0].frame, 2);
  EXPECT_NEAR(speed[0].value, 120.0, 1e-9);
  EXPECT_EQ(speed[0].limit, 50.0);
  EXPECT_TRUE(of(*r, "acceleration").empty());  // the jump, not three findings about it
  EXPECT_TRUE(r->has_errors());
  EXPECT_TRUE(r->motion_in_world);
}

TEST(Qa, WithoutPosesMotionIsAtMostAWarningAndSaysSo) {
  Annotations doc = frames(2);
  formats::Track& t = add_track(doc, 7, "Car");
  t.boxes = {at(0, {12, 0, 0}, 0.0, {4, 1.8, 1.5}, ShapeFrame::kLidar),
             at(1, {1, 0, 0}, 0.0, {4, 1.8, 1.5}, ShapeFrame::kLidar)};
  const auto r = check_annotations(doc, nullptr, no_points());
  ASSERT_TRUE(r);
  const auto speed = of(*r, "speed");
  ASSERT_EQ(speed.size(), 1u);
  EXPECT_EQ(speed[0].severity, Severity::kWarning);
  ASSERT_EQ(of(*r, "ego-motion").size(), 1u);
  EXPECT_EQ(of(*r, "ego-motion")[0].severity, Severity::kInfo);
  EXPECT_FALSE(r->motion_in_world);
  EXPECT_EQ(r->findings.front().check, "ego-motion");  // document findings first

  // With poses the same LiDAR boxes are measured in the world: the ego drove 11 m towards a
  // parked car.
  formats::Sequence seq;
  for (int f = 0; f < 2; ++f) {
    formats::FrameRef frame;
    frame.T_world_lidar = geometry::Pose(Eigen::Translation3d(11.0 * f, 0.0, 0.0));
    seq.frames.push_back(frame);
  }
  const auto world = check_annotations(doc, &seq, no_points());
  ASSERT_TRUE(world);
  EXPECT_TRUE(world->findings.empty()) << world->findings.front().message;
}

TEST(Qa, APedestrianWalkingAtThreeMetresPerSecondIsClean) {
  Annotations doc = frames(10);
  formats::Track& t = add_track(doc, 2, "Pedestrian");
  for (int f = 0; f < 10; ++f) {
    t.boxes.push_back(at(f, {0.3 * f, 1.0, 0.0}, 0.05 * f, {0.8, 0.6, 1.7}));
  }
  const auto r = check_annotations(doc, nullptr, no_points());
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->findings.empty()) << r->findings.front().message;

  // Frames 50 ms apart: the same steps are 6 m/s, over the 4 m/s limit but under twice it.
  Annotations fast = doc;
  fast.frames = frames(10, 50'000).frames;
  const auto f = check_annotations(fast, nullptr, no_points());
  ASSERT_TRUE(f);
  const auto speed = of(*f, "speed");
  ASSERT_EQ(speed.size(), 9u);
  EXPECT_EQ(speed[0].severity, Severity::kWarning);
  EXPECT_NEAR(speed[0].value, 6.0, 1e-9);
}

TEST(Qa, AccelerationAndYawRateLimits) {
  Annotations doc = frames(4);
  formats::Track& t = add_track(doc, 1, "Car");
  // 10 m/s, then 13 m/s: 30 m/s^2, more than twice the 10 m/s^2 limit.
  t.boxes = {at(0, {0, 0, 0}), at(1, {1.0, 0, 0}), at(2, {2.3, 0, 0}), at(3, {3.6, 0, 0})};
  formats::Track& u = add_track(doc, 2, "Car");
  // Turning 0.2 rad per frame: 2 rad/s against the 1.5 rad/s limit.
  for (int f = 0; f < 4; ++f) u.boxes.push_back(at(f, {0, 20.0 + 0.1 * f, 0}, 0.2 * f));
  const auto r = check_annotations(doc, nullptr, no_points());
  ASSERT_TRUE(r);
  const auto accel = of(*r, "acceleration");
  ASSERT_EQ(accel.size(), 1u);
  EXPECT_EQ(accel[0].track, 1);
  EXPECT_EQ(accel[0].frame, 1);
  EXPECT_NEAR(accel[0].value, 30.0, 1e-6);
  EXPECT_EQ(accel[0].severity, Severity::kError);
  const auto yaw = of(*r, "yaw-rate");
  ASSERT_EQ(yaw.size(), 3u);
  EXPECT_EQ(yaw[0].track, 2);
  EXPECT_NEAR(yaw[0].value, 2.0, 1e-9);
  EXPECT_EQ(yaw[0].severity, Severity::kWarning);
}

TEST(Qa, SizeDriftAgainstTheTrackMedian) {
  Annotations doc = frames(6);
  formats::Track& t = add_track(doc, 4, "Car");
  for (int f = 0; f < 4; ++f) t.boxes.push_back(at(f, {0.5 * f, 0, 0}));
  t.boxes.push_back(at(4, {2.0, 0, 0}, 0.0, {4.6, 1.8, 1.5}));  // 15 %
  t.boxes.push_back(at(5, {2.5, 0, 0}, 0.0, {4.0, 1.8, 1.0}));  // height 33 %
  const auto r = check_annotations(doc, nullptr, no_points());
  ASSERT_TRUE(r);
  const auto drift = of(*r, "size-drift");
  ASSERT_EQ(drift.size(), 2u);
  EXPECT_EQ(drift[0].frame, 4);
  EXPECT_EQ(drift[0].severity, Severity::kWarning);
  EXPECT_NEAR(drift[0].value, 0.15, 1e-9);
  EXPECT_EQ(drift[1].frame, 5);
  EXPECT_EQ(drift[1].severity, Severity::kError);
  EXPECT_NE(drift[1].message.find("height"), std::string::npos) << drift[1].message;
}

TEST(Qa, AHeadingFlipIsAnErrorNotAYawRate) {
  Annotations doc = frames(5);
  formats::Track& t = add_track(doc, 3, "Van");
  for (int f = 0; f < 5; ++f) {
    t.boxes.push_back(at(f, {0.5 * f, 0, 0}, f == 2 ? 0.1 + geometry::kPi : 0.1));
  }
  const auto r = check_annotations(doc, nullptr, no_points());
  ASSERT_TRUE(r);
  const auto flips = of(*r, "heading-flip");
  ASSERT_EQ(flips.size(), 2u);  // turned round at frame 2, back at frame 3
  EXPECT_EQ(flips[0].frame, 2);
  EXPECT_EQ(flips[1].frame, 3);
  EXPECT_EQ(flips[0].severity, Severity::kError);
  EXPECT_TRUE(of(*r, "yaw-rate").empty());

  // A 140 degree turn is under the flip limit: a yaw-rate finding instead.
  t.boxes[2].box = geometry::Cuboid::from_yaw(t.boxes[2].box.center, t.boxes[2].box.size,
                                              0.1 + 140.0 * geometry::kPi / 180.0);
  const auto turn = check_annotations(doc, nullptr, no_points());
  ASSERT_TRUE(turn);
  EXPECT_TRUE(of(*turn, "heading-flip").empty());
  EXPECT_EQ(of(*turn, "yaw-rate").size(), 2u);
}

TEST(Qa, OverlappingBoxesInOneFrame) {
  Annotations doc = frames(1);
  add_track(doc, 1, "Car").boxes.push_back(at(0, {0, 0, 0}));
  add_track(doc, 2, "Car").boxes.push_back(at(0, {2.0, 0, 0}));  // IoU 1/3 with track 1
  add_track(doc, 3, "Car").boxes.push_back(at(0, {20, 0, 0}));
  add_track(doc, 4, "Car").boxes.push_back(at(0, {20.2, 0, 0}));  // IoU 0.905 with track 3
  add_track(doc, 5, "Car").boxes.push_back(at(0, {23.9, 0, 0}));  // touches track 4 by 0.3 m
  const auto r = check_annotations(doc, nullptr, no_points());
  ASSERT_TRUE(r);
  const auto overlaps = of(*r, "overlap");
  ASSERT_EQ(overlaps.size(), 2u);
  EXPECT_EQ(overlaps[0].track, 1);
  EXPECT_EQ(overlaps[0].severity, Severity::kWarning);
  EXPECT_NEAR(overlaps[0].value, 1.0 / 3.0, 1e-9);
  EXPECT_NE(overlaps[0].message.find("track 2"), std::string::npos);
  EXPECT_EQ(overlaps[1].track, 3);
  EXPECT_EQ(overlaps[1].severity, Severity::kError);
}

/// A KITTI .bin (x y z reflectance, float32) with `n` points at each centre.
fs::path write_cloud(const fs::path& dir, const std::vector<std::pair<Eigen::Vector3d, int>>& at) {
  fs::create_directories(dir);
  const fs::path p = dir / "000000.bin";
  std::ofstream out(p, std::ios::binary);
  for (const auto& [c, n] : at) {
    for (int i = 0; i < n; ++i) {
      const float xyzr[4] = {static_cast<float>(c.x() + 0.01 * i), static_cast<float>(c.y()),
                             static_cast<float>(c.z()), 0.5f};
      out.write(reinterpret_cast<const char*>(xyzr), sizeof xyzr);
    }
  }
  return p;
}

TEST(Qa, BoxesWithTooFewPoints) {
  const test::TempDir temp;
  const fs::path& dir = temp.path();
  formats::Sequence seq;
  seq.layout = "folder";
  formats::FrameRef frame;
  frame.cloud_path = write_cloud(dir, {{{0, 0, 0}, 40}, {{10, 0, 0}, 2}});
  frame.format = "kitti-bin";
  seq.frames.push_back(frame);

  Annotations doc = frames(1);
  const ShapeFrame lidar = ShapeFrame::kLidar;
  const Eigen::Vector3d size(4, 1.8, 1.5);
  add_track(doc, 1, "Car").boxes.push_back(at(0, {0, 0, 0}, 0, size, lidar));   // 40 points
  add_track(doc, 2, "Car").boxes.push_back(at(0, {10, 0, 0}, 0, size, lidar));  // 2 points
  BoxState lost = at(0, {30, 0, 0}, 0, size, lidar);
  lost.keyframe = false;  // interpolated or tracked into empty space
  add_track(doc, 3, "Car").boxes.push_back(lost);
  add_track(doc, 4, "Car").boxes.push_back(at(0, {40, 0, 0}, 0, size, lidar));  // a person's box
  const auto r = check_annotations(doc, &seq, QaOptions{});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->clouds_read, 1u);
  const auto few = of(*r, "few-points");
  ASSERT_EQ(few.size(), 3u);
  EXPECT_EQ(few[0].track, 2);
  EXPECT_EQ(few[0].value, 2.0);
  EXPECT_EQ(few[0].severity, Severity::kWarning);
  EXPECT_EQ(few[1].track, 3);
  EXPECT_EQ(few[1].severity, Severity::kError);
  EXPECT_EQ(few[2].track, 4);
  EXPECT_EQ(few[2].severity, Severity::kWarning);

  // A missing cloud is a warning, not a failure.
  seq.frames[0].cloud_path = dir / "missing.bin";
  const auto missing = check_annotations(doc, &seq, QaOptions{});
  ASSERT_TRUE(missing);
  EXPECT_EQ(of(*missing, "cloud").size(), 1u);
  EXPECT_TRUE(of(*missing, "few-points").empty());
}

TEST(Qa, CancelledThroughProgress) {
  Annotations doc = frames(1);
  add_track(doc, 1, "Car").boxes.push_back(at(0, {0, 0, 0}));
  QaOptions o = no_points();
  o.progress = [](double) { return false; };
  const auto r = check_annotations(doc, nullptr, o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, formats::ErrorCode::kCancelled);
}

TEST(Qa, TheCheckServiceRunsOnTheSessionAndKeepsItsReport) {
  Annotations doc = frames(3);
  formats::Track& t = add_track(doc, 3, "Van");
  for (int f = 0; f < 3; ++f) t.boxes.push_back(at(f, {0.5 * f, 0, 0}, f == 1 ? geometry::kPi : 0));
  auto session = Session::create(doc);
  const AutomationService* service = session->registry().service("check");
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(service->info.kind, "service");
  EXPECT_EQ(last_check_report(session->registry()), nullptr);

  const auto bad = service->run(*session, {{"min_points", "many"}}, {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, formats::ErrorCode::kInvalidArgument);
  EXPECT_FALSE(service->run(*session, {{"speed", "1"}}, {}));

  ASSERT_TRUE(service->run(*session, {{"check_points", "false"}}, {}));
  const QaReport* report = last_check_report(session->registry());
  ASSERT_NE(report, nullptr);
  EXPECT_EQ(of(*report, "heading-flip").size(), 2u);
  EXPECT_FALSE(session->can_undo());  // the check changes nothing
  EXPECT_FALSE(session->dirty());

  // Another session's registry has its own report.
  auto other = Session::create(frames(1));
  EXPECT_EQ(last_check_report(other->registry()), nullptr);
}

}  // namespace
}  // namespace pcanno::plugin
