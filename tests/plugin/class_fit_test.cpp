// The one path from a class to the one-click fit's options (plugin/automation/class_fit.hpp): the
// cuboid tool, the `fit` service, `pcanno fit` and re-fitting all take the class's size prior and
// its kind from here.
#include "pcanno/plugin/automation/class_fit.hpp"

#include <gtest/gtest.h>

namespace pcanno::plugin {
namespace {

TEST(ClassFit, KindFollowsTheMotionProfile) {
  EXPECT_EQ(object_kind_of(formats::MotionKind::kVehicle), geometry::ObjectKind::kVehicle);
  EXPECT_EQ(object_kind_of(formats::MotionKind::kPedestrian), geometry::ObjectKind::kPedestrian);
  EXPECT_EQ(object_kind_of(formats::MotionKind::kCyclist), geometry::ObjectKind::kCyclist);
  // Cones and barriers, and classes nobody described: the size prior alone decides.
  EXPECT_EQ(object_kind_of(formats::MotionKind::kStatic), geometry::ObjectKind::kUnknown);
  EXPECT_EQ(object_kind_of(formats::MotionKind::kUnknown), geometry::ObjectKind::kUnknown);
}

TEST(ClassFit, OptionsCarryTheClassPriorAndKindOnly) {
  formats::ClassSpec forklift = formats::make_class_spec("Forklift");
  forklift.default_size = Eigen::Vector3d(2.6, 1.2, 2.1);
  forklift.motion = formats::default_motion_profile(formats::MotionKind::kVehicle);
  const geometry::FitOptions options = class_fit_options(forklift);
  ASSERT_TRUE(options.size_prior);
  EXPECT_EQ(*options.size_prior, Eigen::Vector3d(2.6, 1.2, 2.1));
  EXPECT_EQ(options.object_kind, geometry::ObjectKind::kVehicle);
  // What only a caller knows stays unset.
  EXPECT_FALSE(options.heading_hint);
  EXPECT_FALSE(options.preferred_heading);

  // The default schema's pedestrian is a pedestrian of its own default size.
  const formats::ClassSpec pedestrian = formats::make_class_spec("Pedestrian");
  const geometry::FitOptions walking = class_fit_options(pedestrian);
  EXPECT_EQ(walking.object_kind, geometry::ObjectKind::kPedestrian);
  EXPECT_EQ(*walking.size_prior, pedestrian.default_size);
}

}  // namespace
}  // namespace pcanno::plugin
