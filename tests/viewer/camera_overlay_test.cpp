// Labels and points projected into a camera image: hand-built camera, sequence and document, with
// every expected pixel computed here from the pinhole formula.
#include <gtest/gtest.h>

#include <cmath>

#include "pcanno/viewer/camera_overlay.hpp"

namespace pcanno::viewer {
namespace {

constexpr double kFx = 500.0, kFy = 480.0, kCx = 320.0, kCy = 240.0;
constexpr int kWidth = 640, kHeight = 480;
const Rgb kCarColor{10, 200, 30};
const Rgb kLaneColor{250, 120, 0};

// The camera sits 0.5 m above the LiDAR looking along LiDAR +x (camera x right, y down, z
// forward), as on a car.
formats::CameraImage front_camera() {
  formats::CameraImage image;
  image.channel = "CAM_TEST";
  Eigen::Matrix3d K;
  K << kFx, 0, kCx, 0, kFy, kCy, 0, 0, 1;
  image.camera = geometry::PinholeCamera::from_intrinsics(K, kWidth, kHeight);
  Eigen::Matrix3d R_cam_lidar;
  R_cam_lidar << 0, -1, 0, 0, 0, -1, 1, 0, 0;
  image.T_cam_lidar = geometry::Pose::Identity();
  image.T_cam_lidar.linear() = R_cam_lidar;
  image.T_cam_lidar.translation() = R_cam_lidar * Eigen::Vector3d(0, 0, -0.5);
  return image;
}

// A LiDAR-frame point in camera coordinates, written out without the Pose machinery.
Eigen::Vector3d to_camera(const Eigen::Vector3d& p) {
  return Eigen::Vector3d(-p.y(), -(p.z() - 0.5), p.x());
}

Eigen::Vector2d pixel_of(const Eigen::Vector3d& p_lidar) {
  const Eigen::Vector3d c = to_camera(p_lidar);
  return Eigen::Vector2d(kFx * c.x() / c.z() + kCx, kFy * c.y() / c.z() + kCy);
}

formats::Annotations document() {
  formats::Annotations doc;
  formats::ClassSpec car;
  car.name = "Car";
  car.color = kCarColor;
  doc.classes.push_back(car);
  formats::ClassSpec lane;
  lane.name = "lane";
  lane.color = kLaneColor;
  lane.shape = formats::ShapeKind::kPolyline;
  doc.classes.push_back(lane);
  doc.frames.resize(2);
  return doc;
}

formats::Track& add_box(formats::Annotations& doc, std::int64_t id, const geometry::Cuboid& box,
                        std::int64_t frame = 0) {
  formats::Track t;
  t.id = id;
  t.label = "Car";
  formats::BoxState s;
  s.frame = frame;
  s.box = box;
  t.boxes.push_back(s);
  doc.tracks.push_back(t);
  return doc.tracks.back();
}

const OverlayShape* shape_of(const CameraOverlay& overlay, std::int64_t id,
                             OverlayShape::Kind kind = OverlayShape::Kind::kBox) {
  for (const OverlayShape& s : overlay.shapes) {
    if (s.id == id && s.kind == kind) return &s;
  }
  return nullptr;
}

bool near(const Eigen::Vector2d& a, const Eigen::Vector2d& b, double tol = 1e-6) {
  return (a - b).norm() <= tol;
}

// Whether segment s joins pixels p and q (either way round).
bool joins(const geometry::PixelSegment& s, const Eigen::Vector2d& p, const Eigen::Vector2d& q) {
  return (near(s.a, p) && near(s.b, q)) || (near(s.a, q) && near(s.b, p));
}

CameraOverlay compose(const formats::Annotations& doc, const OverlayOptions& options = {},
                      const formats::Sequence* sequence = nullptr,
                      const formats::PointCloud* cloud = nullptr) {
  return compose_overlay(doc, sequence, 0, front_camera(), cloud, options, SceneStyle{});
}

TEST(CameraOverlay, BoxInFrontProjectsItsCornersAndHeadingFace) {
  formats::Annotations doc = document();
  const geometry::Cuboid box = geometry::Cuboid::from_yaw({12.0, 1.0, -0.8}, {4.0, 1.8, 1.5}, 0.4);
  add_box(doc, 7, box);
  const CameraOverlay overlay = compose(doc);
  EXPECT_EQ(overlay.channel, "CAM_TEST");
  EXPECT_EQ(overlay.width, kWidth);
  EXPECT_EQ(overlay.height, kHeight);
  ASSERT_EQ(overlay.shapes.size(), 1u);
  const OverlayShape& s = overlay.shapes[0];
  EXPECT_EQ(s.kind, OverlayShape::Kind::kBox);
  EXPECT_EQ(s.id, 7);
  EXPECT_EQ(s.label, "Car");
  EXPECT_EQ(s.color, kCarColor);
  EXPECT_FALSE(s.selected);
  EXPECT_FALSE(s.dashed);
  EXPECT_NEAR(s.depth, 12.0, 1e-9);  // the centre's distance along LiDAR +x

  // Corners by hand: box +x is the front. Front face: the 4 corners at +l/2.
  const double c = std::cos(0.4), sn = std::sin(0.4);
  const auto corner = [&](double fx, double fy, double fz) {
    const double x = fx * 2.0, y = fy * 0.9;
    return pixel_of(Eigen::Vector3d(12.0 + c * x - sn * y, 1.0 + sn * x + c * y, -0.8 + fz * 0.75));
  };
  ASSERT_EQ(s.heading.size(), 4u);
  ASSERT_EQ(s.segments.size(), 8u);
  // Front face: (front, left/right, bottom/top).
  const Eigen::Vector2d fl_b = corner(1, 1, -1), fr_b = corner(1, -1, -1);
  const Eigen::Vector2d fl_t = corner(1, 1, 1), fr_t = corner(1, -1, 1);
  const Eigen::Vector2d bl_b = corner(-1, 1, -1), br_b = corner(-1, -1, -1);
  const Eigen::Vector2d bl_t = corner(-1, 1, 1), br_t = corner(-1, -1, 1);
  const auto has = [](const std::vector<geometry::PixelSegment>& list, const Eigen::Vector2d& p,
                      const Eigen::Vector2d& q) {
    for (const auto& seg : list) {
      if (joins(seg, p, q)) return true;
    }
    return false;
  };
  EXPECT_TRUE(has(s.heading, fl_b, fr_b));
  EXPECT_TRUE(has(s.heading, fl_t, fr_t));
  EXPECT_TRUE(has(s.heading, fl_b, fl_t));
  EXPECT_TRUE(has(s.heading, fr_b, fr_t));
  EXPECT_TRUE(has(s.segments, bl_b, br_b));
  EXPECT_TRUE(has(s.segments, bl_t, br_t));
  EXPECT_TRUE(has(s.segments, bl_b, bl_t));
  EXPECT_TRUE(has(s.segments, br_b, br_t));
  EXPECT_TRUE(has(s.segments, fl_b, bl_b));
  EXPECT_TRUE(has(s.segments, fr_b, br_b));
  EXPECT_TRUE(has(s.segments, fl_t, bl_t));
  EXPECT_TRUE(has(s.segments, fr_t, br_t));

  // The 2D box only when asked for: the bounds of the eight corners (all inside this image).
  EXPECT_TRUE(s.box_2d.empty());
  OverlayOptions with_2d;
  with_2d.boxes_2d = true;
  const geometry::PixelBox box_2d = compose(doc, with_2d).shapes.at(0).box_2d;
  double left = 1e9, right = -1e9, top = 1e9, bottom = -1e9;
  for (const Eigen::Vector2d& p : {fl_b, fr_b, fl_t, fr_t, bl_b, br_b, bl_t, br_t}) {
    ASSERT_GT(p.x(), 0.0);
    ASSERT_LT(p.x(), kWidth - 1.0);
    left = std::min(left, p.x());
    right = std::max(right, p.x());
    top = std::min(top, p.y());
    bottom = std::max(bottom, p.y());
  }
  EXPECT_NEAR(box_2d.left, left, 1e-6);
  EXPECT_NEAR(box_2d.right, right, 1e-6);
  EXPECT_NEAR(box_2d.top, top, 1e-6);
  EXPECT_NEAR(box_2d.bottom, bottom, 1e-6);
}

TEST(CameraOverlay, BoxBehindTheCameraOrBesideTheImageIsLeftOut) {
  formats::Annotations doc = document();
  add_box(doc, 1, geometry::Cuboid::from_yaw({-10.0, 0.0, 0.0}, {4.0, 1.8, 1.5}, 0.0));
  // In front but 60 m to the left at 10 m: outside the ~65 degree field of view.
  add_box(doc, 2, geometry::Cuboid::from_yaw({10.0, 60.0, 0.0}, {4.0, 1.8, 1.5}, 0.0));
  add_box(doc, 3, geometry::Cuboid::from_yaw({10.0, 0.0, 0.0}, {4.0, 1.8, 1.5}, 0.0));
  const CameraOverlay overlay = compose(doc);
  ASSERT_EQ(overlay.shapes.size(), 1u);
  EXPECT_EQ(overlay.shapes[0].id, 3);
}

TEST(CameraOverlay, BoxAroundTheCameraIsKeptThoughNoEdgeCrossesTheImage) {
  // A bus right in front: every visible edge runs outside the image, the outline covers it all.
  formats::Annotations doc = document();
  add_box(doc, 4, geometry::Cuboid::from_yaw({3.0, 0.0, 0.5}, {4.0, 40.0, 40.0}, 0.0));
  const CameraOverlay overlay = compose(doc);
  ASSERT_EQ(overlay.shapes.size(), 1u);
  EXPECT_EQ(pick_shape(overlay, {320.0, 240.0}), std::optional<std::size_t>(0));
}

TEST(CameraOverlay, BoxAcrossTheNearPlaneKeepsOnlyItsVisibleParts) {
  formats::Annotations doc = document();
  // x from -1.5 to 2.5: the back face (x = -1.5) is behind the camera, the front face ahead.
  add_box(doc, 5, geometry::Cuboid::from_yaw({0.5, 0.0, 0.5}, {4.0, 2.0, 1.0}, 0.0));
  const CameraOverlay overlay = compose(doc);
  ASSERT_EQ(overlay.shapes.size(), 1u);
  const OverlayShape& s = overlay.shapes[0];
  EXPECT_EQ(s.heading.size(), 4u);   // the front face is wholly in front
  EXPECT_EQ(s.segments.size(), 4u);  // the back face is gone; the 4 side edges are cut
  const double near_plane = front_camera().camera.near;
  for (const geometry::PixelSegment& seg : s.segments) {
    // Each side edge runs from a front corner (x = 2.5) to where it meets the near plane.
    bool matched = false;
    for (double y : {-1.0, 1.0}) {
      for (double z : {0.0, 1.0}) {
        const Eigen::Vector2d front = pixel_of({2.5, y, z});
        const Eigen::Vector2d cut = pixel_of({near_plane, y, z});
        matched = matched || joins(seg, front, cut);
      }
    }
    EXPECT_TRUE(matched) << seg.a.transpose() << " -> " << seg.b.transpose();
  }
  EXPECT_NEAR(s.depth, 0.5, 1e-9);  // its centre, in front though half the box is not
  // Its cut edges reach thousands of pixels out: the 2D box is the whole image.
  OverlayOptions with_2d;
  with_2d.boxes_2d = true;
  const geometry::PixelBox box_2d = compose(doc, with_2d).shapes.at(0).box_2d;
  EXPECT_EQ(box_2d.left, 0.0);
  EXPECT_EQ(box_2d.top, 0.0);
  EXPECT_EQ(box_2d.right, kWidth - 1.0);
  EXPECT_EQ(box_2d.bottom, kHeight - 1.0);
}

TEST(CameraOverlay, SelectedBoxAndPolylineTakeTheSelectionColour) {
  formats::Annotations doc = document();
  add_box(doc, 1, geometry::Cuboid::from_yaw({10.0, 2.0, 0.0}, {4.0, 1.8, 1.5}, 0.0));
  add_box(doc, 2, geometry::Cuboid::from_yaw({15.0, -2.0, 0.0}, {4.0, 1.8, 1.5}, 0.0));
  formats::PolylineTrack lane;
  lane.id = 1;  // the same number as a box: the kinds are told apart
  lane.label = "lane";
  formats::PolylineState st;
  st.line.vertices = {{5.0, -1.5, -1.5}, {25.0, -1.5, -1.5}};
  lane.states.push_back(st);
  doc.polylines.push_back(lane);

  SceneStyle style;
  style.selection_color = {255, 0, 255};
  OverlayOptions options;
  options.selected_track = 2;
  CameraOverlay overlay = compose_overlay(doc, nullptr, 0, front_camera(), nullptr, options, style);
  ASSERT_NE(shape_of(overlay, 1), nullptr);
  ASSERT_NE(shape_of(overlay, 2), nullptr);
  ASSERT_NE(shape_of(overlay, 1, OverlayShape::Kind::kPolyline), nullptr);
  EXPECT_EQ(shape_of(overlay, 2)->color, style.selection_color);
  EXPECT_TRUE(shape_of(overlay, 2)->selected);
  EXPECT_EQ(shape_of(overlay, 1)->color, kCarColor);
  EXPECT_EQ(shape_of(overlay, 1, OverlayShape::Kind::kPolyline)->color, kLaneColor);

  options.selected_track.reset();
  options.selected_polyline = 1;
  overlay = compose_overlay(doc, nullptr, 0, front_camera(), nullptr, options, style);
  EXPECT_EQ(shape_of(overlay, 1, OverlayShape::Kind::kPolyline)->color, style.selection_color);
  EXPECT_EQ(shape_of(overlay, 1)->color, kCarColor);
  EXPECT_EQ(shape_of(overlay, 2)->color, kCarColor);
}

TEST(CameraOverlay, InterpolatedBoxIsDashedAndDimmed) {
  formats::Annotations doc = document();
  formats::Track& t = add_box(doc, 1, geometry::Cuboid::from_yaw({10.0, 0.0, 0.0}, {4, 2, 1.5}, 0));
  t.boxes[0].keyframe = false;
  t.boxes[0].provenance = formats::Provenance::kInterpolated;
  SceneStyle style;
  style.interpolated_dim = 0.5;
  const CameraOverlay overlay =
      compose_overlay(doc, nullptr, 0, front_camera(), nullptr, {}, style);
  ASSERT_EQ(overlay.shapes.size(), 1u);
  EXPECT_TRUE(overlay.shapes[0].dashed);
  EXPECT_EQ(overlay.shapes[0].color, (Rgb{5, 100, 15}));
}

TEST(CameraOverlay, ShapesRunFarToNearAndOnlyThoseOfTheFrame) {
  formats::Annotations doc = document();
  add_box(doc, 1, geometry::Cuboid::from_yaw({8.0, 0.0, 0.0}, {4, 2, 1.5}, 0));
  add_box(doc, 2, geometry::Cuboid::from_yaw({30.0, 0.0, 0.0}, {4, 2, 1.5}, 0));
  add_box(doc, 3, geometry::Cuboid::from_yaw({15.0, 0.0, 0.0}, {4, 2, 1.5}, 0));
  add_box(doc, 4, geometry::Cuboid::from_yaw({12.0, 0.0, 0.0}, {4, 2, 1.5}, 0), 1);  // frame 1
  const CameraOverlay overlay = compose(doc);
  ASSERT_EQ(overlay.shapes.size(), 3u);
  EXPECT_EQ(overlay.shapes[0].id, 2);
  EXPECT_EQ(overlay.shapes[1].id, 3);
  EXPECT_EQ(overlay.shapes[2].id, 1);
}

TEST(CameraOverlay, WorldFrameShapesGoThroughTheFramePose) {
  formats::Annotations doc = document();
  formats::Sequence sequence;
  sequence.frames.resize(1);
  geometry::Pose T_world_lidar = geometry::Pose::Identity();
  T_world_lidar.linear() = Eigen::AngleAxisd(1.0, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  T_world_lidar.translation() = Eigen::Vector3d(100.0, -40.0, 3.0);
  sequence.frames[0].T_world_lidar = T_world_lidar;

  const geometry::Cuboid in_lidar =
      geometry::Cuboid::from_yaw({14.0, 1.9, -0.25}, {4, 1.8, 1.5}, 0);
  formats::Track& t = add_box(doc, 1, geometry::transform(T_world_lidar, in_lidar));
  t.boxes[0].shape_frame = formats::ShapeFrame::kWorld;
  formats::PolylineTrack lane;
  lane.id = 9;
  lane.label = "lane";
  formats::PolylineState st;
  st.shape_frame = formats::ShapeFrame::kWorld;
  st.line.vertices = {T_world_lidar * Eigen::Vector3d(6.0, -2.0, -1.5),
                      T_world_lidar * Eigen::Vector3d(20.0, -2.0, -1.5)};
  lane.states.push_back(st);
  doc.polylines.push_back(lane);

  const CameraOverlay overlay = compose(doc, {}, &sequence);
  const OverlayShape* box = shape_of(overlay, 1);
  ASSERT_NE(box, nullptr);
  // The box's front-right-bottom corner is (16, 1, -1) in the LiDAR frame.
  bool found = false;
  for (const auto& seg : box->heading) {
    found = found || near(seg.a, pixel_of({16.0, 1.0, -1.0}), 1e-6) ||
            near(seg.b, pixel_of({16.0, 1.0, -1.0}), 1e-6);
  }
  EXPECT_TRUE(found);
  const OverlayShape* line = shape_of(overlay, 9, OverlayShape::Kind::kPolyline);
  ASSERT_NE(line, nullptr);
  ASSERT_EQ(line->segments.size(), 1u);
  EXPECT_TRUE(joins(line->segments[0], pixel_of({6.0, -2.0, -1.5}), pixel_of({20.0, -2.0, -1.5})));
  EXPECT_NEAR(line->depth, 6.0, 1e-9);  // its nearest vertex

  // Without the pose the world-frame shapes have no place in the image.
  EXPECT_TRUE(compose(doc).shapes.empty());
}

TEST(CameraOverlay, PickReturnsTheNearerOfOverlappingBoxes) {
  formats::Annotations doc = document();
  add_box(doc, 1, geometry::Cuboid::from_yaw({20.0, 0.0, 0.0}, {4, 6, 3}, 0));      // far, large
  add_box(doc, 2, geometry::Cuboid::from_yaw({10.0, 0.5, 0.0}, {4, 1.8, 1.5}, 0));  // near
  const CameraOverlay overlay = compose(doc);
  ASSERT_EQ(overlay.shapes.size(), 2u);
  const auto id_at = [&](const Eigen::Vector2d& uv) -> std::int64_t {
    const auto i = pick_shape(overlay, uv);
    return i ? overlay.shapes[*i].id : -1;
  };
  // Where both cover the image: the near box's front face centre.
  EXPECT_EQ(id_at(pixel_of({8.0, 0.5, 0.0})), 2);
  // Only the far box: its front face near its right side (y = -2.5 .. -2.9 stays clear of box 2).
  EXPECT_EQ(id_at(pixel_of({22.0, -2.7, 0.0})), 1);
  // Outside both.
  EXPECT_EQ(id_at(pixel_of({20.0, 8.0, 0.0})), -1);
}

TEST(CameraOverlay, PolylinePickWithinTolerance) {
  formats::Annotations doc = document();
  formats::PolylineTrack lane;
  lane.id = 3;
  lane.label = "lane";
  formats::PolylineState st;
  st.line.vertices = {{6.0, 3.0, -1.5}, {6.0, -3.0, -1.5}};  // crosses the image left to right
  lane.states.push_back(st);
  doc.polylines.push_back(lane);
  const CameraOverlay overlay = compose(doc);
  ASSERT_EQ(overlay.shapes.size(), 1u);
  const Eigen::Vector2d on_line = pixel_of({6.0, 0.0, -1.5});  // a horizontal image line
  EXPECT_EQ(pick_shape(overlay, on_line + Eigen::Vector2d(0, 4.0), 6.0),
            std::optional<std::size_t>(0));
  EXPECT_EQ(pick_shape(overlay, on_line - Eigen::Vector2d(0, 5.5), 6.0),
            std::optional<std::size_t>(0));
  EXPECT_FALSE(pick_shape(overlay, on_line + Eigen::Vector2d(0, 8.0), 6.0));
  EXPECT_FALSE(pick_shape(overlay, on_line + Eigen::Vector2d(0, 4.0), 2.0));
}

TEST(CameraOverlay, BoxesWinPicksInsideThemAndLinesBehindTheCameraAreLeftOut) {
  formats::Annotations doc = document();
  add_box(doc, 1, geometry::Cuboid::from_yaw({20.0, 0.0, 0.0}, {4, 2, 1.5}, 0));
  formats::PolylineTrack lane;
  lane.id = 2;
  lane.label = "lane";
  formats::PolylineState st;
  // From near the camera to beyond the box, passing through its outline in the image.
  st.line.vertices = {{5.0, 0.0, 0.0}, {40.0, 0.0, 0.0}};
  lane.states.push_back(st);
  doc.polylines.push_back(lane);
  formats::PolylineTrack behind = lane;
  behind.id = 3;
  behind.states[0].line.vertices = {{-5.0, 0.0, 0.0}, {-40.0, 1.0, 0.0}};
  doc.polylines.push_back(behind);

  const CameraOverlay overlay = compose(doc);
  ASSERT_EQ(overlay.shapes.size(), 2u);  // the line behind the camera is not there
  EXPECT_EQ(shape_of(overlay, 3, OverlayShape::Kind::kPolyline), nullptr);
  const auto kind_at = [&](const Eigen::Vector2d& uv) {
    const auto i = pick_shape(overlay, uv);
    return i ? static_cast<int>(overlay.shapes[*i].kind) : -1;
  };
  // On the line inside the box's outline: the box (the line is nearer, but boxes come first).
  EXPECT_EQ(kind_at(pixel_of({20.0, 0.0, 0.0})), static_cast<int>(OverlayShape::Kind::kBox));
  // On the line below the box: the line.
  EXPECT_EQ(kind_at(pixel_of({6.0, 0.0, 0.0})), static_cast<int>(OverlayShape::Kind::kPolyline));
}

TEST(CameraOverlay, PointsGetDepthColours) {
  formats::Annotations doc = document();
  formats::PointCloud cloud;
  // Depth is LiDAR x here; the cloud's floats sit 1 m beyond its origin along x.
  cloud.origin = Eigen::Vector3d(1.0, 0.0, 0.0);
  const std::vector<Eigen::Vector3d> pts = {{19.0, 0.0, 0.0},   // depth 20: yellow
                                            {39.0, 1.0, 0.0},   // depth 40: green
                                            {-6.0, 0.0, 0.0},   // behind
                                            {59.0, -1.0, 1.0},  // depth 60: blue
                                            {9.0, 40.0, 0.0},   // in front, outside the image
                                            {89.0, 0.0, 0.0}};  // beyond max: blue
  for (const auto& p : pts) {
    cloud.x.push_back(static_cast<float>(p.x()));
    cloud.y.push_back(static_cast<float>(p.y()));
    cloud.z.push_back(static_cast<float>(p.z()));
  }
  OverlayOptions options;
  options.points = true;
  options.point_depth_max = 60.0;
  const CameraOverlay overlay = compose(doc, options, nullptr, &cloud);
  ASSERT_EQ(overlay.points.index, (std::vector<std::uint32_t>{0, 1, 3, 5}));
  ASSERT_EQ(overlay.point_colors.size(), 4u);
  EXPECT_EQ(overlay.point_colors[0], (Rgb{255, 255, 0}));
  EXPECT_EQ(overlay.point_colors[1], (Rgb{0, 255, 0}));
  EXPECT_EQ(overlay.point_colors[2], (Rgb{0, 0, 255}));
  EXPECT_EQ(overlay.point_colors[3], (Rgb{0, 0, 255}));
  const Eigen::Vector2d p1 = pixel_of({40.0, 1.0, 0.0});
  EXPECT_NEAR(overlay.points.u[1], p1.x(), 1e-3);
  EXPECT_NEAR(overlay.points.v[1], p1.y(), 1e-3);
  EXPECT_NEAR(overlay.points.depth[1], 40.0, 1e-4);

  options.points = false;
  EXPECT_TRUE(compose(doc, options, nullptr, &cloud).points.index.empty());
}

TEST(CameraOverlay, DepthRampRunsRedYellowGreenBlue) {
  EXPECT_EQ(depth_color(0.5, 60.0)[0], 255);  // near: red with a trace of green
  EXPECT_EQ(depth_color(0.5, 60.0)[2], 0);
  EXPECT_LT(depth_color(0.5, 60.0)[1], 10);
  EXPECT_EQ(depth_color(10.0, 30.0), (Rgb{255, 255, 0}));
  EXPECT_EQ(depth_color(20.0, 30.0), (Rgb{0, 255, 0}));
  EXPECT_EQ(depth_color(30.0, 30.0), (Rgb{0, 0, 255}));
  EXPECT_EQ(depth_color(1e6, 30.0), (Rgb{0, 0, 255}));
  // Between green and blue: both, no red.
  const Rgb mid = depth_color(25.0, 30.0);
  EXPECT_EQ(mid[0], 0);
  EXPECT_GT(mid[1], 100);
  EXPECT_GT(mid[2], 100);
}

}  // namespace
}  // namespace pcanno::viewer
