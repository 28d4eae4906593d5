// draw_overlay(): hand-built overlays painted over a patterned image; pixels on the lines take the
// shape's colour, pixels away from them keep the image's own values.
#include <gtest/gtest.h>

#include <cmath>

#include "pcanno/viewer/camera_overlay.hpp"

namespace pcanno::viewer {
namespace {

constexpr int kW = 200, kH = 120;

// A pattern no overlay colour equals (every channel below 200 and never 0), so that a pixel
// keeping its value is told apart from one painted over.
formats::Image patterned() {
  formats::Image image;
  image.width = kW;
  image.height = kH;
  image.rgb.resize(std::size_t(kW) * kH * 3);
  for (int v = 0; v < kH; ++v) {
    for (int u = 0; u < kW; ++u) {
      std::uint8_t* p = image.rgb.data() + (std::size_t(v) * kW + std::size_t(u)) * 3;
      p[0] = static_cast<std::uint8_t>(1 + (u * 7 + v) % 150);
      p[1] = static_cast<std::uint8_t>(1 + (u + v * 3) % 150);
      p[2] = static_cast<std::uint8_t>(1 + (u * v) % 150);
    }
  }
  return image;
}

Rgb at(const formats::Image& image, int u, int v) {
  const std::uint8_t* p = image.at(u, v);
  return Rgb{p[0], p[1], p[2]};
}

bool untouched(const formats::Image& drawn, const formats::Image& original, int u, int v) {
  return at(drawn, u, v) == at(original, u, v);
}

OverlayShape line_shape(const Eigen::Vector2d& a, const Eigen::Vector2d& b, const Rgb& color) {
  OverlayShape s;
  s.kind = OverlayShape::Kind::kPolyline;
  s.color = color;
  s.segments.push_back(geometry::PixelSegment{a, b});
  return s;
}

CameraOverlay overlay_of(std::vector<OverlayShape> shapes) {
  CameraOverlay o;
  o.width = kW;
  o.height = kH;
  o.shapes = std::move(shapes);
  return o;
}

const Rgb kRed{255, 0, 0}, kGreen{0, 255, 0}, kBlue{0, 0, 255};

TEST(DrawOverlay, LinesTakeTheShapeColourAndLeaveTheRestAlone) {
  const formats::Image original = patterned();
  formats::Image image = original;
  // Horizontal, vertical and diagonal lines.
  draw_overlay(
      image,
      overlay_of({line_shape({20, 30}, {180, 30}, kRed), line_shape({100, 50}, {100, 110}, kGreen),
                  line_shape({10, 60}, {60, 110}, kBlue)}),
      2.0f);
  for (int u = 20; u <= 180; u += 10) EXPECT_EQ(at(image, u, 30), kRed) << u;
  for (int v = 52; v <= 108; v += 4) EXPECT_EQ(at(image, 100, v), kGreen) << v;
  for (int k = 0; k <= 50; k += 5) EXPECT_EQ(at(image, 10 + k, 60 + k), kBlue) << k;
  // Two pixels wide: the row above or below the centre row, not both of the next ones.
  EXPECT_TRUE(untouched(image, original, 60, 27));
  EXPECT_TRUE(untouched(image, original, 60, 33));
  EXPECT_TRUE(untouched(image, original, 97, 80));
  EXPECT_TRUE(untouched(image, original, 103, 80));
  // Beyond the ends and far from every line.
  EXPECT_TRUE(untouched(image, original, 15, 30));
  EXPECT_TRUE(untouched(image, original, 185, 30));
  EXPECT_TRUE(untouched(image, original, 100, 45));
  EXPECT_TRUE(untouched(image, original, 40, 60));  // right of the diagonal's start
  // The pixels no line comes near are all untouched.
  int changed = 0;
  for (int v = 0; v < kH; ++v) {
    for (int u = 0; u < kW; ++u) {
      const bool near_red = std::abs(v - 30) <= 2 && u >= 18 && u <= 182;
      const bool near_green = std::abs(u - 100) <= 2 && v >= 48 && v <= 112;
      const bool near_blue = std::abs((u - 10) - (v - 60)) <= 3 && u >= 8 && u <= 62;
      if (!untouched(image, original, u, v)) {
        ++changed;
        EXPECT_TRUE(near_red || near_green || near_blue) << u << "," << v;
      }
    }
  }
  EXPECT_GT(changed, 2 * 160 + 2 * 60 + 50);
}

TEST(DrawOverlay, HeadingAndSelectionAreHeavier) {
  const formats::Image original = patterned();
  OverlayShape box;
  box.kind = OverlayShape::Kind::kBox;
  box.color = kRed;
  box.segments.push_back({{20, 20}, {180, 20}});
  box.heading.push_back({{20, 60}, {180, 60}});
  formats::Image image = original;
  draw_overlay(image, overlay_of({box}), 2.0f);
  // An edge 2 px wide covers rows 19 and 20; the heading face 4 px wide covers rows 58..61.
  EXPECT_EQ(at(image, 100, 19), kRed);
  EXPECT_EQ(at(image, 100, 20), kRed);
  EXPECT_TRUE(untouched(image, original, 100, 18));
  EXPECT_TRUE(untouched(image, original, 100, 22));
  for (int v = 58; v <= 61; ++v) EXPECT_EQ(at(image, 100, v), kRed) << v;

  box.selected = true;
  image = original;
  draw_overlay(image, overlay_of({box}), 2.0f);
  for (int v = 18; v <= 21; ++v) EXPECT_EQ(at(image, 100, v), kRed) << v;
  EXPECT_TRUE(untouched(image, original, 100, 24));
}

TEST(DrawOverlay, InterpolatedShapesAreDashed) {
  const formats::Image original = patterned();
  OverlayShape s = line_shape({0, 40}, {199, 40}, kGreen);
  s.dashed = true;
  formats::Image image = original;
  draw_overlay(image, overlay_of({s}), 2.0f);
  int on = 0, off = 0, runs = 0;
  bool previous = false;
  for (int u = 0; u < kW; ++u) {
    const bool drawn = at(image, u, 40) == kGreen;
    if (drawn) {
      ++on;
    } else {
      ++off;
      EXPECT_TRUE(untouched(image, original, u, 40));
    }
    runs += drawn && !previous;
    previous = drawn;
  }
  EXPECT_GT(on, 60);  // more dash than gap, and both plenty
  EXPECT_GT(off, 40);
  EXPECT_GE(runs, 10);  // many dashes, not one solid stretch
}

TEST(DrawOverlay, PointsAreThreePixelSquaresUnderTheShapes) {
  const formats::Image original = patterned();
  CameraOverlay o = overlay_of({line_shape({0, 80}, {199, 80}, kBlue)});
  o.points.u = {50.2f, 120.0f};
  o.points.v = {20.4f, 80.0f};  // the second lies under the line
  o.points.depth = {5.0f, 5.0f};
  o.points.index = {0, 1};
  o.point_colors = {kRed, kRed};
  formats::Image image = original;
  draw_overlay(image, o, 2.0f);
  for (int dv = -1; dv <= 1; ++dv) {
    for (int du = -1; du <= 1; ++du) EXPECT_EQ(at(image, 50 + du, 20 + dv), kRed);
  }
  EXPECT_TRUE(untouched(image, original, 48, 20));
  EXPECT_TRUE(untouched(image, original, 52, 20));
  EXPECT_TRUE(untouched(image, original, 50, 18));
  EXPECT_TRUE(untouched(image, original, 50, 22));
  EXPECT_EQ(at(image, 120, 80), kBlue);  // the line is drawn over the point
  EXPECT_EQ(at(image, 120, 81), kRed);   // the point's lower row shows below a 2 px line
}

TEST(DrawOverlay, TwoDimensionalBoxIsAThinOutline) {
  const formats::Image original = patterned();
  OverlayShape box;
  box.kind = OverlayShape::Kind::kBox;
  box.color = kGreen;
  box.box_2d = geometry::PixelBox{30.0, 20.0, 90.0, 70.0};
  formats::Image image = original;
  draw_overlay(image, overlay_of({box}), 2.0f);
  EXPECT_EQ(at(image, 30, 45), kGreen);
  EXPECT_EQ(at(image, 90, 45), kGreen);
  EXPECT_EQ(at(image, 60, 20), kGreen);
  EXPECT_EQ(at(image, 60, 70), kGreen);
  EXPECT_TRUE(untouched(image, original, 31, 45));
  EXPECT_TRUE(untouched(image, original, 29, 45));
  EXPECT_TRUE(untouched(image, original, 60, 45));
  EXPECT_TRUE(untouched(image, original, 60, 21));
}

TEST(DrawOverlay, FarOffEndpointsAreClippedNotDrawnOutOfBounds) {
  const formats::Image original = patterned();
  formats::Image image = original;
  // An edge cut at the near plane reaches millions of pixels out; one segment misses entirely.
  draw_overlay(image,
               overlay_of({line_shape({-3e6, 50}, {4e6, 50}, kRed),
                           line_shape({-5e5, -9e5}, {-4e5, -1e5}, kGreen)}),
               2.0f);
  EXPECT_EQ(at(image, 0, 50), kRed);
  EXPECT_EQ(at(image, kW - 1, 50), kRed);
  int green = 0;
  for (int v = 0; v < kH; ++v) {
    for (int u = 0; u < kW; ++u) green += at(image, u, v) == kGreen;
  }
  EXPECT_EQ(green, 0);
  EXPECT_EQ(image.rgb.size(), original.rgb.size());
}

}  // namespace
}  // namespace pcanno::viewer
