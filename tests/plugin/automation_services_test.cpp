// The fit, propagate and interpolate services on a session over the sample KITTI tracking frames
// (real data in the repository: frames 0-4 of sequence 0000, no poses, official labels).
#include "pcanno/plugin/services/automation_services.hpp"

#include <algorithm>
#include <cstdlib>

#include <gtest/gtest.h>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/geometry/iou.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/session.hpp"
#include "sample_kitti_session.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

namespace pcanno::plugin {
namespace {

namespace fs = std::filesystem;

class AutomationServices : public ::testing::Test {
 protected:
  void SetUp() override {
    // The estimated ego motion is cached; keep the cache out of the user's home.
    ::setenv("XDG_CACHE_HOME", cache_.path().c_str(), 1);
    test::SampleKittiSession sample = test::open_sample_kitti_session();
    ASSERT_TRUE(sample.session);
    truth_ = std::move(sample.truth);
    session_ = std::move(sample.session);
  }

  Status run(const std::string& id, const formats::AttributeMap& parameters) {
    const AutomationService* service = session_->registry().service(id);
    EXPECT_NE(service, nullptr) << id;
    if (service == nullptr) return formats::Error{formats::ErrorCode::kNotFound, id, ""};
    return service->run(*session_, parameters, {});
  }

  /// Leaves track `id` with only its box at `frame`.
  void keep_only(std::int64_t id, std::int64_t frame) {
    std::vector<std::int64_t> frames;
    for (const formats::BoxState& b : session_->document().tracks[index(id)].boxes) {
      if (b.frame != frame) frames.push_back(b.frame);
    }
    for (const std::int64_t f : frames) {
      ASSERT_TRUE(session_->apply(delete_box(session_->document(), id, f)));
    }
  }
  std::size_t index(std::int64_t id) const {
    const auto& tracks = session_->document().tracks;
    for (std::size_t i = 0; i < tracks.size(); ++i) {
      if (tracks[i].id == id) return i;
    }
    return tracks.size();
  }
  double iou_with_truth(std::int64_t id, std::int64_t frame) const {
    const formats::BoxState* a = session_->document().tracks[index(id)].at(frame);
    const formats::BoxState* b = nullptr;
    for (const auto& t : truth_.tracks) {
      if (t.id == id) b = t.at(frame);
    }
    return a && b ? geometry::iou_bev(a->box, b->box) : 0.0;
  }

  test::TempDir cache_;
  formats::Annotations truth_;
  std::unique_ptr<Session> session_;
};

TEST_F(AutomationServices, AreRegistered) {
  for (const char* id : {"check", "fit", "propagate", "interpolate"}) {
    EXPECT_NE(Registry::with_builtins().service(id), nullptr) << id;
  }
}

TEST_F(AutomationServices, PropagateCarriesTheVanAsOneUndoStep) {
  keep_only(0, 0);  // track 0: the van, frames 0-4
  const std::string before_undo = session_->undo_name();
  ASSERT_TRUE(run("propagate", {{"track", "0"}, {"from", "0"}}));
  const ServiceOutcome* outcome = last_service_outcome(session_->registry(), "propagate");
  ASSERT_NE(outcome, nullptr);
  EXPECT_EQ(outcome->boxes, 4u);
  EXPECT_TRUE(outcome->notes.empty());
  for (std::int64_t f = 1; f <= 4; ++f) {
    const formats::BoxState* b = session_->document().tracks[index(0)].at(f);
    ASSERT_NE(b, nullptr) << f;
    EXPECT_EQ(b->provenance, formats::Provenance::kTracked);
    EXPECT_FALSE(b->keyframe);
    ASSERT_TRUE(b->score);
    EXPECT_GT(*b->score, 0.5);
    EXPECT_GT(iou_with_truth(0, f), 0.7) << f;
  }
  EXPECT_EQ(session_->undo_name(), "propagate track 0");
  ASSERT_TRUE(session_->undo());
  EXPECT_EQ(session_->document().tracks[index(0)].boxes.size(), 1u);
  EXPECT_EQ(session_->undo_name(), before_undo);
}

TEST_F(AutomationServices, PropagateMovesTheTrackByItsClassProfile) {
  // The same van propagated as a Van (vehicle model: coordinated turn) and as a Pedestrian (free
  // model, 4 m/s at most) lands in different places: the service uses the track's class.
  keep_only(0, 0);
  ASSERT_TRUE(run("propagate", {{"track", "0"}, {"from", "0"}}));
  std::vector<geometry::Cuboid> as_van;
  for (std::int64_t f = 1; f <= 4; ++f) {
    ASSERT_NE(session_->document().tracks[index(0)].at(f), nullptr) << f;
    as_van.push_back(session_->document().tracks[index(0)].at(f)->box);
  }
  ASSERT_TRUE(session_->undo());
  ASSERT_TRUE(session_->apply(set_class(session_->document(), 0, "Pedestrian")));
  ASSERT_EQ(session_->document().class_or_default("Pedestrian").motion.kind,
            formats::MotionKind::kPedestrian);
  ASSERT_TRUE(run("propagate", {{"track", "0"}, {"from", "0"}}));
  double largest_difference = 0.0;
  for (std::int64_t f = 1; f <= 4; ++f) {
    const formats::BoxState* b = session_->document().tracks[index(0)].at(f);
    ASSERT_NE(b, nullptr) << f;
    largest_difference = std::max(largest_difference,
                                  (b->box.center - as_van[static_cast<std::size_t>(f - 1)].center)
                                      .norm());
  }
  EXPECT_GT(largest_difference, 1e-4);
}

TEST_F(AutomationServices, PropagateStopsBeforeAKeyframeAndGoesBackward) {
  keep_only(0, 0);
  formats::BoxState key = *truth_.tracks[0].at(3);
  ASSERT_TRUE(session_->apply(put_box(session_->document(), 0, key)));
  ASSERT_TRUE(run("propagate", {{"track", "0"}, {"from", "0"}}));
  EXPECT_EQ(last_service_outcome(session_->registry(), "propagate")->boxes, 2u);  // 1 and 2
  const formats::BoxState* kept = session_->document().tracks[index(0)].at(3);
  ASSERT_NE(kept, nullptr);
  EXPECT_TRUE(kept->keyframe);
  EXPECT_EQ(kept->box.center, key.box.center);  // the person's box, untouched

  ASSERT_TRUE(run("propagate", {{"track", "0"}, {"from", "3"}, {"direction", "backward"}}));
  // Backward from 3 stops before the keyframe at 0, replacing the tracked boxes at 2 and 1.
  EXPECT_EQ(last_service_outcome(session_->registry(), "propagate")->boxes, 2u);
  EXPECT_GT(iou_with_truth(0, 1), 0.7);
}

TEST_F(AutomationServices, InterpolateFillsBetweenKeyframes) {
  const formats::BoxState last = *truth_.tracks[0].at(4);
  keep_only(0, 0);
  ASSERT_TRUE(session_->apply(put_box(session_->document(), 0, last)));
  ASSERT_TRUE(run("interpolate", {{"track", "0"}}));
  EXPECT_EQ(last_service_outcome(session_->registry(), "interpolate")->boxes, 3u);
  for (std::int64_t f = 1; f <= 3; ++f) {
    const formats::BoxState* b = session_->document().tracks[index(0)].at(f);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->provenance, formats::Provenance::kInterpolated);
    EXPECT_GT(iou_with_truth(0, f), 0.8) << f;
  }
  EXPECT_EQ(session_->undo_name(), "interpolate track 0");
}

TEST_F(AutomationServices, FitMakesAFittedTrackAtTheSeed) {
  const geometry::Cuboid van = truth_.tracks[0].at(0)->box;  // LiDAR frame = world here
  const std::size_t tracks = session_->document().tracks.size();
  ASSERT_TRUE(run("fit", {{"seed", std::to_string(van.center.x() + 0.3) + "," +
                                       std::to_string(van.center.y()) + ",-0.8"},
                          {"frame", "0"},
                          {"class", "Van"}}));
  const ServiceOutcome* outcome = last_service_outcome(session_->registry(), "fit");
  ASSERT_NE(outcome, nullptr);
  ASSERT_TRUE(outcome->track);
  ASSERT_EQ(session_->document().tracks.size(), tracks + 1);
  const formats::BoxState* b = session_->document().tracks[index(*outcome->track)].at(0);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->provenance, formats::Provenance::kFitted);
  EXPECT_GT(geometry::iou_bev(b->box, van), 0.7);
}

TEST_F(AutomationServices, FitWithoutAClassTakesTheDocumentsDefaultClass) {
  const geometry::Cuboid van = truth_.tracks[0].at(0)->box;
  // The document's first class, as the KITTI import listed them, is the default.
  const std::string first = session_->document().classes.front().name;
  ASSERT_NE(first, formats::default_class_schema().front().name) << "the test needs another";
  ASSERT_TRUE(run("fit", {{"seed", std::to_string(van.center.x() + 0.3) + "," +
                                       std::to_string(van.center.y()) + ",-0.8"},
                          {"frame", "0"}}));
  const ServiceOutcome* outcome = last_service_outcome(session_->registry(), "fit");
  ASSERT_NE(outcome, nullptr);
  ASSERT_TRUE(outcome->track);
  EXPECT_EQ(session_->document().tracks[index(*outcome->track)].label, first);
}

TEST_F(AutomationServices, BadParametersAreClearErrors) {
  const Status no_track = run("propagate", {});
  ASSERT_FALSE(no_track);
  EXPECT_NE(no_track.error().message.find("parameter 'track' is required"), std::string::npos);
  EXPECT_EQ(no_track.error().code, formats::ErrorCode::kInvalidArgument);
  const Status unknown = run("propagate", {{"track", "0"}, {"speed", "3"}});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown parameter 'speed'"), std::string::npos);
  const Status missing = run("propagate", {{"track", "77"}});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("no track 77"), std::string::npos);
  const Status one_key = run("interpolate", {{"track", "0"}, {"refine", "maybe"}});
  ASSERT_FALSE(one_key);
  EXPECT_NE(one_key.error().message.find("expected true or false"), std::string::npos);
  EXPECT_EQ(one_key.error().code, formats::ErrorCode::kInvalidArgument);
  const Status empty = run("fit", {{"seed", "0,60,0"}, {"frame", "0"}});
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("nothing but ground"), std::string::npos);
  EXPECT_EQ(session_->undo_name(), "");  // nothing was applied
}

}  // namespace
}  // namespace pcanno::plugin
