#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "pcanno/formats/clouds/point_cloud.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

PointCloud three_points() {
  PointCloud c;
  c.x = {1.0f, -2.0f, 3.0f};
  c.y = {0.5f, 4.0f, -1.0f};
  c.z = {0.0f, 1.0f, 2.0f};
  return c;
}

TEST(PointCloud, AttributesAreNamedColumnsOfSizeN) {
  PointCloud c = three_points();
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.attribute("intensity"), nullptr);

  std::vector<float>& intensity = c.add_attribute("intensity");
  ASSERT_EQ(intensity.size(), 3u);
  EXPECT_EQ(intensity[2], 0.0f);
  intensity[1] = 0.7f;

  // Adding an existing name must not clear or duplicate it.
  EXPECT_EQ(c.add_attribute("intensity")[1], 0.7f);
  EXPECT_EQ(c.attributes.size(), 1u);

  c.add_attribute(std::string(attribute_names::kRing));
  ASSERT_NE(c.attribute(attribute_names::kRing), nullptr);
  ASSERT_NE(c.attribute("intensity"), nullptr);
  EXPECT_EQ((*c.attribute("intensity"))[1], 0.7f);
  EXPECT_EQ(c.attributes[0].name, "intensity");
  EXPECT_EQ(c.attributes[1].name, "ring");

  c.resize(5);
  EXPECT_EQ(c.size(), 5u);
  EXPECT_EQ(c.y.size(), 5u);
  EXPECT_EQ(c.attribute("ring")->size(), 5u);
}

TEST(PointCloud, ViewIsStrideOneOverTheColumns) {
  const PointCloud c = three_points();
  const geometry::PointView v = c.view();
  EXPECT_EQ(v.size, 3u);
  EXPECT_EQ(v.stride, 1u);
  EXPECT_EQ(v.x, c.x.data());
  EXPECT_EQ(v.y[1], 4.0f);
  EXPECT_EQ(v.z[2], 2.0f);
}

TEST(PointCloud, BoundsSkipNonFinitePoints) {
  PointCloud c = three_points();
  c.x.push_back(std::numeric_limits<float>::quiet_NaN());
  c.y.push_back(100.0f);
  c.z.push_back(100.0f);
  c.x.push_back(50.0f);
  c.y.push_back(std::numeric_limits<float>::infinity());
  c.z.push_back(-50.0f);
  const Bounds3d b = c.bounds();
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(b.min.x(), -2.0f);
  EXPECT_EQ(b.max.x(), 3.0f);
  EXPECT_EQ(b.min.y(), -1.0f);
  EXPECT_EQ(b.max.y(), 4.0f);
  EXPECT_EQ(b.min.z(), 0.0f);
  EXPECT_EQ(b.max.z(), 2.0f);
}

TEST(PointCloud, BoundsAndPointsAddTheOriginInDouble) {
  PointCloud c = three_points();
  c.origin = Eigen::Vector3d(500000.125, 5800000.5, 100.0);
  const Bounds3d b = c.bounds();
  // 5800000.5 - 1 is not a float; in double the sum is exact.
  EXPECT_EQ(b.min, Eigen::Vector3d(500000.125 - 2.0, 5800000.5 - 1.0, 100.0));
  EXPECT_EQ(b.max, Eigen::Vector3d(500000.125 + 3.0, 5800000.5 + 4.0, 102.0));
  EXPECT_EQ(c.point(0), c.origin + Eigen::Vector3d(c.x[0], c.y[0], c.z[0]));
}

TEST(PointCloud, LocalOriginOnlyForAxesBeyondTheFloatExactRange) {
  Bounds3d sensor;
  sensor.add(Eigen::Vector3d(-80.0, -80.0, -3.0));
  sensor.add(Eigen::Vector3d(80.0, 80.0, 5.0));
  EXPECT_EQ(local_origin_for(sensor), Eigen::Vector3d::Zero());
  Bounds3d utm;
  utm.add(Eigen::Vector3d(500000.123, 5800000.456, 101.5));
  utm.add(Eigen::Vector3d(501000.5, 5801999.0, 180.25));
  // x and y: the middle (500500.31, 5800999.73) rounded to a metre; z stays (elevations fit a
  // float to 0.02 mm).
  EXPECT_EQ(local_origin_for(utm), Eigen::Vector3d(500500.0, 5801000.0, 0.0));
  EXPECT_EQ(local_origin_for(Bounds3d{}), Eigen::Vector3d::Zero());
  Bounds3d edge;  // exactly at the range: still absolute
  edge.add(Eigen::Vector3d(kFloatExactRange, -kFloatExactRange, 0.0));
  EXPECT_EQ(local_origin_for(edge), Eigen::Vector3d::Zero());
}

TEST(PointCloud, BoundsOfNoFinitePointIsEmpty) {
  EXPECT_TRUE(PointCloud{}.bounds().empty());
  PointCloud c;
  c.x = {std::nanf("")};
  c.y = {0.0f};
  c.z = {0.0f};
  EXPECT_TRUE(c.bounds().empty());
}

}  // namespace
}  // namespace pcanno::formats
