// `pcanno render --camera`: screenshots of real camera images with the labels drawn into them. The
// expected edge positions come from outside pcanno: the nuScenes devkit's camera-frame corners
// (gt_boxes_camera_projection.json) and KITTI's label_2 boxes through the calib file's P2, both
// projected here by hand. Pixels on those edges must carry the class colour; pixels away from
// every edge must keep the original image's values.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>
#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "app_test_support.hpp"
#include "pcanno/formats/datasets/image.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "pcanno/formats/labels/nuscenes/codec.hpp"
#include "pcanno/viewer/box_look.hpp"
#include "test_data.hpp"

namespace pcanno::test {
namespace {

namespace fs = std::filesystem;
using Rgb = viewer::Rgb;

struct Segment {
  Eigen::Vector2d a, b;
};

/// One box as the test expects it drawn: its visible edges in pixels and its class colour.
struct ExpectedBox {
  std::string name;
  Rgb color{};
  double depth = 0.0;  ///< [m] of its centre along the optical axis
  std::vector<Segment> edges;
};

/// The 12 edges of 8 corners ordered as two faces of four (0-3 and 4-7, i above i + 4 or i in
/// front of i + 4): the devkit's and KITTI's corner orders both are.
constexpr int kEdges[12][2] = {{0, 1}, {1, 2}, {2, 3}, {3, 0}, {4, 5}, {5, 6},
                               {6, 7}, {7, 4}, {0, 4}, {1, 5}, {2, 6}, {3, 7}};

/// Edges of camera-frame corners through a 3x4 projection `P`, each cut where its depth (third
/// row) falls below `near`, as a camera can only show what lies in front of it.
std::vector<Segment> project_edges(const std::vector<Eigen::Vector3d>& corners,
                                   const Eigen::Matrix<double, 3, 4>& P, double near = 0.1) {
  std::vector<Segment> out;
  const auto depth = [&](const Eigen::Vector3d& p) { return P.row(2).dot(p.homogeneous()); };
  const auto pixel = [&](const Eigen::Vector3d& p) {
    const Eigen::Vector3d h = P * p.homogeneous();
    return Eigen::Vector2d(h.x() / h.z(), h.y() / h.z());
  };
  for (const auto& e : kEdges) {
    Eigen::Vector3d a = corners[e[0]], b = corners[e[1]];
    const double da = depth(a), db = depth(b);
    if (da < near && db < near) continue;
    if (da < near) a = a + (near - da) / (db - da) * (b - a);
    if (db < near) b = b + (near - db) / (da - db) * (a - b);
    out.push_back({pixel(a), pixel(b)});
  }
  return out;
}

Rgb pixel(const formats::Image& image, int u, int v) {
  const std::uint8_t* p = image.at(u, v);
  return Rgb{p[0], p[1], p[2]};
}

double distance_to(const Eigen::Vector2d& p, const Segment& s) {
  const Eigen::Vector2d d = s.b - s.a;
  const double len2 = d.squaredNorm();
  const double t = len2 > 0 ? std::clamp((p - s.a).dot(d) / len2, 0.0, 1.0) : 0.0;
  return (s.a + t * d - p).norm();
}

struct EdgeScore {
  int samples = 0;
  int matching = 0;  ///< in the box's own colour
  int covered = 0;   ///< in the colour of a box drawn over it (nearer)
};

/// Samples points about every 3 px along the middle 70 % of each edge, keeping those whose nearest
/// pixel centre lies within 0.5 px of the edge (a 2 px line must cover it), and counts the pixels
/// in the box's colour, or else in one of `nearer_colors` (boxes nearer to the camera are drawn
/// over it).
EdgeScore score_edges(const formats::Image& shot, const ExpectedBox& box,
                      const std::vector<Rgb>& nearer_colors = {}) {
  EdgeScore score;
  for (const Segment& s : box.edges) {
    const double len = (s.b - s.a).norm();
    if (len < 6.0) continue;
    const int n = std::max(1, int(len * 0.7 / 3.0));
    for (int k = 0; k <= n; ++k) {
      const Eigen::Vector2d p = s.a + (0.15 + 0.7 * k / n) * (s.b - s.a);
      const Eigen::Vector2d q(std::round(p.x()), std::round(p.y()));
      if (q.x() < 2 || q.y() < 2 || q.x() > shot.width - 3 || q.y() > shot.height - 3) continue;
      if (distance_to(q, s) > 0.5) continue;
      ++score.samples;
      const Rgb c = pixel(shot, int(q.x()), int(q.y()));
      if (c == box.color) {
        ++score.matching;
      } else if (std::find(nearer_colors.begin(), nearer_colors.end(), c) != nearer_colors.end()) {
        ++score.covered;
      }
    }
  }
  return score;
}

/// Every pixel further than `margin` from all expected edges keeps the original's value.
void expect_untouched_away_from_edges(const formats::Image& shot, const formats::Image& original,
                                      const std::vector<ExpectedBox>& boxes, double margin) {
  ASSERT_EQ(shot.width, original.width);
  ASSERT_EQ(shot.height, original.height);
  // Mark the pixels near each edge, walking it in sub-pixel steps (edges reach far outside).
  std::vector<char> near(std::size_t(shot.width) * shot.height, 0);
  const int r = int(std::ceil(margin));
  for (const ExpectedBox& box : boxes) {
    for (const Segment& s : box.edges) {
      const double len = (s.b - s.a).norm();
      const int steps = int(std::min(len, 1e5) * 2) + 1;
      for (int k = 0; k <= steps; ++k) {
        const Eigen::Vector2d p = s.a + (double(k) / steps) * (s.b - s.a);
        if (p.x() < -margin || p.y() < -margin || p.x() > shot.width + margin ||
            p.y() > shot.height + margin) {
          continue;
        }
        for (int dv = -r; dv <= r; ++dv) {
          for (int du = -r; du <= r; ++du) {
            const int u = int(std::lround(p.x())) + du, v = int(std::lround(p.y())) + dv;
            if (u >= 0 && v >= 0 && u < shot.width && v < shot.height) {
              near[std::size_t(v) * shot.width + u] = 1;
            }
          }
        }
      }
    }
  }
  int away = 0, changed = 0;
  for (int v = 0; v < shot.height; ++v) {
    for (int u = 0; u < shot.width; ++u) {
      if (near[std::size_t(v) * shot.width + u]) continue;
      ++away;
      if (pixel(shot, u, v) != pixel(original, u, v)) {
        if (++changed <= 5) ADD_FAILURE() << "pixel " << u << "," << v << " changed";
      }
    }
  }
  EXPECT_EQ(changed, 0) << "of " << away << " pixels away from every box edge";
  EXPECT_GT(away, shot.width * shot.height / 2);
}

/// The boxes the nuScenes devkit finds visible in `cam` (an entry of
/// gt_boxes_camera_projection.json), their camera-frame corners projected through its intrinsics,
/// in the class colours of the annotations as the nuScenes codec reads them.
std::vector<ExpectedBox> nuscenes_cam_front_boxes(const fs::path& root, const nlohmann::json& cam) {
  // Class of each annotation, as the nuScenes codec reads the tables; colours as the 3D views
  // give them.
  auto sequence = formats::open_sequence(root);
  EXPECT_TRUE(sequence) << sequence.error().describe();
  if (!sequence) return {};
  formats::LabelContext context;
  context.sequence = &*sequence;
  auto labels = formats::read_nuscenes_annotations(root, context);
  EXPECT_TRUE(labels) << labels.error().describe();
  if (!labels) return {};
  std::map<std::string, std::string> class_of_token;
  for (const formats::Track& t : labels->tracks) {
    for (const formats::BoxState& b : t.boxes) {
      if (b.nuscenes) class_of_token[b.nuscenes->annotation_token] = t.label;
    }
  }
  Eigen::Matrix<double, 3, 4> P = Eigen::Matrix<double, 3, 4>::Zero();
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) P(i, j) = cam.at("camera_intrinsic")[i][j].get<double>();
  }
  std::vector<ExpectedBox> boxes;
  for (const nlohmann::json& b : cam.at("boxes")) {
    ExpectedBox box;
    box.name = b.at("annotation_token").get<std::string>();
    EXPECT_EQ(class_of_token.count(box.name), 1u) << box.name;
    box.color = viewer::class_color(viewer::SceneStyle{}, *labels, class_of_token[box.name]);
    std::vector<Eigen::Vector3d> corners;
    for (const nlohmann::json& c : b.at("corners_camera")) {
      corners.emplace_back(c[0].get<double>(), c[1].get<double>(), c[2].get<double>());
    }
    box.edges = project_edges(corners, P);
    box.depth = b.at("center_camera")[2].get<double>();
    boxes.push_back(box);
  }
  return boxes;
}

/// The object boxes of KITTI object frame 000001 as label_2 gives them, through the calib file's
/// P2 (parsed here), in the class colours the document read from label_2 has.
std::vector<ExpectedBox> kitti_frame_one_boxes(const fs::path& training) {
  Eigen::Matrix<double, 3, 4> P2 = Eigen::Matrix<double, 3, 4>::Zero();
  std::ifstream calib(training / "calib/000001.txt");
  std::string line;
  bool found = false;
  while (std::getline(calib, line)) {
    if (line.rfind("P2:", 0) != 0) continue;
    std::istringstream in(line.substr(3));
    for (int i = 0; i < 12; ++i) in >> P2(i / 4, i % 4);
    found = bool(in);
  }
  EXPECT_TRUE(found) << "no P2 in calib/000001.txt";
  auto labels = formats::read_kitti_object_annotations(training / "label_2");
  EXPECT_TRUE(labels) << labels.error().describe();
  if (!found || !labels) return {};

  // label_2 rows: type, truncated, occluded, alpha, 2D box (4), h w l, x y z (bottom centre in
  // the rectified camera frame), ry.
  std::vector<ExpectedBox> boxes;
  std::ifstream rows(training / "label_2/000001.txt");
  while (std::getline(rows, line)) {
    std::istringstream in(line);
    std::string type;
    double v[14];
    in >> type;
    for (double& x : v) in >> x;
    if (type == "DontCare") continue;
    const double h = v[7], w = v[8], l = v[9], ry = v[13];
    const Eigen::Vector3d bottom(v[10], v[11], v[12]);
    const double xs[8] = {l / 2, l / 2, -l / 2, -l / 2, l / 2, l / 2, -l / 2, -l / 2};
    const double ys[8] = {0, 0, 0, 0, -h, -h, -h, -h};
    const double zs[8] = {w / 2, -w / 2, -w / 2, w / 2, w / 2, -w / 2, -w / 2, w / 2};
    Eigen::Matrix3d R;
    R << std::cos(ry), 0, std::sin(ry), 0, 1, 0, -std::sin(ry), 0, std::cos(ry);
    std::vector<Eigen::Vector3d> corners;
    for (int i = 0; i < 8; ++i) {
      corners.push_back(R * Eigen::Vector3d(xs[i], ys[i], zs[i]) + bottom);
    }
    ExpectedBox box;
    box.name = type;
    box.color = viewer::class_color(viewer::SceneStyle{}, *labels, type);
    box.edges = project_edges(corners, P2);
    box.depth = bottom.z();
    boxes.push_back(box);
  }
  return boxes;
}

class RenderCamera : public LabelsTest {};

TEST_F(RenderCamera, NuScenesCamFrontEdgesInClassColours) {
  const fs::path root = shared_data_dir() / "nuscenes_cameras/v1.0-mini-scene0061";
  PCANNO_REQUIRE_DATA(root / "gt_boxes_camera_projection.json");
  const fs::path out = dir_ / "cam_front.png";
  // No --labels: the dataset's own annotations are drawn.
  const CommandResult r =
      pcanno("render " + root.string() + " --frame 0 --camera CAM_FRONT --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto shot = formats::decode_image(out);
  ASSERT_TRUE(shot) << shot.error().describe();

  const nlohmann::json gt =
      nlohmann::json::parse(std::ifstream(root / "gt_boxes_camera_projection.json"));
  const nlohmann::json& cam = gt.at("cameras").at("CAM_FRONT");
  auto original = formats::decode_image(root / cam.at("filename").get<std::string>());
  ASSERT_TRUE(original) << original.error().describe();
  ASSERT_EQ(shot->width, 1600);
  ASSERT_EQ(shot->height, 900);

  const std::vector<ExpectedBox> boxes = nuscenes_cam_front_boxes(root, cam);
  ASSERT_EQ(boxes.size(), 47u);

  // Near boxes are drawn over far ones: a sample of an edge shows the box's colour, or that of a
  // nearer box crossing it there. A misplaced or miscoloured overlay matches almost nowhere.
  int samples = 0, matching = 0, boxes_seen = 0;
  for (const ExpectedBox& box : boxes) {
    std::vector<Rgb> nearer;
    for (const ExpectedBox& other : boxes) {
      if (other.depth < box.depth) nearer.push_back(other.color);
    }
    const EdgeScore s = score_edges(*shot, box, nearer);
    samples += s.samples;
    matching += s.matching;
    boxes_seen += s.samples >= 10;
    EXPECT_EQ(s.matching + s.covered, s.samples) << box.name;
  }
  EXPECT_GT(boxes_seen, 30);
  EXPECT_GE(matching, samples * 9 / 10) << matching << " of " << samples << " edge samples";
  // The colours are not the photograph's own there.
  int original_matching = 0;
  for (const ExpectedBox& box : boxes) original_matching += score_edges(*original, box).matching;
  EXPECT_LT(original_matching, samples / 20);

  expect_untouched_away_from_edges(*shot, *original, boxes, 4.0);
}

TEST_F(RenderCamera, KittiObjectFrameOneEdgesInClassColours) {
  const fs::path training = shared_data_dir() / "kitti_object/training";
  PCANNO_REQUIRE_DATA(training / "image_2/000001.png");
  const fs::path out = dir_ / "image_2.png";
  const CommandResult r =
      pcanno("render " + training.string() + " --frame 1 --camera image_2 " + "--labels " +
             (training / "label_2").string() + " --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto shot = formats::decode_image(out);
  ASSERT_TRUE(shot) << shot.error().describe();
  auto original = formats::decode_image(training / "image_2/000001.png");
  ASSERT_TRUE(original) << original.error().describe();

  const std::vector<ExpectedBox> boxes = kitti_frame_one_boxes(training);
  ASSERT_EQ(boxes.size(), 3u);
  for (const ExpectedBox& box : boxes) {
    const EdgeScore s = score_edges(*shot, box);
    EXPECT_GE(s.samples, 20) << box.name;
    // Three boxes apart from each other: every sample shows its box's colour.
    EXPECT_EQ(s.matching, s.samples) << box.name;
    EXPECT_LT(score_edges(*original, box).matching, 2) << box.name;
  }
  expect_untouched_away_from_edges(*shot, *original, boxes, 4.0);
}

TEST_F(RenderCamera, TrackHighlightsItsBoxInTheSelectionColour) {
  const fs::path training = shared_data_dir() / "kitti_object/training";
  PCANNO_REQUIRE_DATA(training / "image_2/000001.png");
  const fs::path out = dir_ / "selected.png";
  // Track ids number label_2's rows over its files in order: 000000's pedestrian is 0, the truck
  // of 000001 is 1.
  const CommandResult r =
      pcanno("render " + training.string() + " --frame 1 --camera image_2 --labels " +
             (training / "label_2").string() + " --track 1 --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto shot = formats::decode_image(out);
  ASSERT_TRUE(shot) << shot.error().describe();
  std::vector<ExpectedBox> boxes = kitti_frame_one_boxes(training);
  ASSERT_EQ(boxes.size(), 3u);
  ASSERT_EQ(boxes[0].name, "Truck");
  boxes[0].color = viewer::SceneStyle{}.selection_color;
  for (const ExpectedBox& box : boxes) {
    const EdgeScore s = score_edges(*shot, box);
    EXPECT_GE(s.samples, 20) << box.name;
    EXPECT_EQ(s.matching, s.samples) << box.name;
  }
  EXPECT_EQ(pcanno("render " + training.string() + " --frame 1 --camera image_2 --track 42 --out " +
                   (dir_ / "none.png").string())
                .exit_code,
            2);
}

TEST_F(RenderCamera, PointsTakeDepthColoursWhereTheLidarSees) {
  const fs::path training = shared_data_dir() / "kitti_object/training";
  PCANNO_REQUIRE_DATA(training / "image_2/000001.png");
  const fs::path plain = dir_ / "plain.png", with_points = dir_ / "points.png";
  ASSERT_EQ(
      pcanno("render " + training.string() + " --frame 1 --camera image_2 --out " + plain.string())
          .exit_code,
      0);
  const CommandResult r =
      pcanno("render " + training.string() + " --frame 1 --camera image_2 --points --out " +
             with_points.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto a = formats::decode_image(plain);
  auto b = formats::decode_image(with_points);
  ASSERT_TRUE(a && b);
  // The LiDAR covers the lower part of the image densely, the sky not at all.
  int changed_low = 0, changed_sky = 0;
  for (int v = 0; v < a->height; ++v) {
    for (int u = 0; u < a->width; ++u) {
      if (pixel(*a, u, v) == pixel(*b, u, v)) continue;
      if (v > 250) ++changed_low;
      if (v < 40) ++changed_sky;
      const Rgb c = pixel(*b, u, v);
      // Depth ramp colours: one channel is zero (red-yellow-green-blue).
      EXPECT_TRUE(c[0] == 0 || c[1] == 0 || c[2] == 0) << u << "," << v;
      if (::testing::Test::HasFailure()) return;
    }
  }
  EXPECT_GT(changed_low, a->width * 40);  // 57 per column when written
  EXPECT_EQ(changed_sky, 0);
}

TEST_F(RenderCamera, TwoDimensionalBoxesOutlineTheProjectedBoxes) {
  const fs::path root = shared_data_dir() / "nuscenes_cameras/v1.0-mini-scene0061";
  PCANNO_REQUIRE_DATA(root / "gt_boxes_camera_projection.json");
  const std::string args = "render " + root.string() + " --frame 0 --camera CAM_FRONT";
  const fs::path plain = dir_ / "plain.png", boxed = dir_ / "boxed.png";
  ASSERT_EQ(pcanno(args + " --out " + plain.string()).exit_code, 0);
  const CommandResult r = pcanno(args + " --boxes-2d --out " + boxed.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto a = formats::decode_image(plain);
  auto b = formats::decode_image(boxed);
  ASSERT_TRUE(a && b);
  const nlohmann::json gt =
      nlohmann::json::parse(std::ifstream(root / "gt_boxes_camera_projection.json"));
  const std::vector<ExpectedBox> boxes =
      nuscenes_cam_front_boxes(root, gt.at("cameras").at("CAM_FRONT"));
  ASSERT_EQ(boxes.size(), 47u);
  // Each 2D box: the bounds of its projected edges (all inside this image).
  struct Rect {
    double left = 1e9, top = 1e9, right = -1e9, bottom = -1e9;
    Rgb color{};
  };
  std::vector<Rect> rects;
  double perimeter = 0.0;
  for (const ExpectedBox& box : boxes) {
    Rect rect;
    rect.color = box.color;
    for (const Segment& s : box.edges) {
      for (const Eigen::Vector2d& p : {s.a, s.b}) {
        rect.left = std::min(rect.left, p.x());
        rect.right = std::max(rect.right, p.x());
        rect.top = std::min(rect.top, p.y());
        rect.bottom = std::max(rect.bottom, p.y());
      }
    }
    // Clipped to the image, as KITTI's 2D boxes are.
    rect.left = std::clamp(rect.left, 0.0, a->width - 1.0);
    rect.right = std::clamp(rect.right, 0.0, a->width - 1.0);
    rect.top = std::clamp(rect.top, 0.0, a->height - 1.0);
    rect.bottom = std::clamp(rect.bottom, 0.0, a->height - 1.0);
    perimeter += 2 * (rect.right - rect.left + rect.bottom - rect.top);
    rects.push_back(rect);
  }
  // What --boxes-2d adds lies on those outlines, in the box's colour.
  int changed = 0;
  for (int v = 0; v < a->height; ++v) {
    for (int u = 0; u < a->width; ++u) {
      if (pixel(*a, u, v) == pixel(*b, u, v)) continue;
      ++changed;
      bool on_outline = false;
      for (const Rect& rect : rects) {
        const bool in_u = u >= rect.left - 1 && u <= rect.right + 1;
        const bool in_v = v >= rect.top - 1 && v <= rect.bottom + 1;
        const bool side = std::abs(u - rect.left) <= 1 || std::abs(u - rect.right) <= 1;
        const bool cap = std::abs(v - rect.top) <= 1 || std::abs(v - rect.bottom) <= 1;
        on_outline =
            on_outline || (pixel(*b, u, v) == rect.color && ((side && in_v) || (cap && in_u)));
      }
      EXPECT_TRUE(on_outline) << u << "," << v;
      if (::testing::Test::HasFailure()) return;
    }
  }
  // Box edges run along parts of the outlines, and nearer boxes cover others: a good part shows.
  EXPECT_GT(changed, perimeter / 4) << "of a perimeter of " << perimeter << " px";
}

TEST_F(RenderCamera, ErrorsNameTheCameraTheFrameAndTheFile) {
  const fs::path training = shared_data_dir() / "kitti_object/training";
  PCANNO_REQUIRE_DATA(training / "image_2/000001.png");
  const fs::path out = dir_ / "x.png";
  CommandResult r =
      pcanno("render " + training.string() + " --frame 1 --camera CAM_FRONT --out " + out.string());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("CAM_FRONT"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("image_2"), std::string::npos) << r.out;  // the cameras it has
  EXPECT_FALSE(fs::exists(out));

  r = pcanno("render " + training.string() + " --frame 1 --points --out " + out.string());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--camera"), std::string::npos) << r.out;
  r = pcanno("render " + training.string() + " --frame 1 --camera image_2 --view top --out " +
             out.string());
  EXPECT_EQ(r.exit_code, 2) << r.out;

  // A copy of frames 0 and 1 where frame 1 has no image and frame 0's is damaged.
  const fs::path copy = dir_ / "training";
  for (const char* folder : {"velodyne", "calib", "image_2", "label_2"}) {
    fs::create_directories(copy / folder);
  }
  for (const char* name : {"000000", "000001"}) {
    fs::copy_file(training / "velodyne" / (std::string(name) + ".bin"),
                  copy / "velodyne" / (std::string(name) + ".bin"));
    fs::copy_file(training / "calib" / (std::string(name) + ".txt"),
                  copy / "calib" / (std::string(name) + ".txt"));
  }
  {
    // A PNG signature and header, then nothing: the size is readable, the pixels are not.
    std::ifstream in(training / "image_2/000000.png", std::ios::binary);
    std::string bytes(64, '\0');
    in.read(bytes.data(), 64);
    std::ofstream(copy / "image_2/000000.png", std::ios::binary) << bytes;
  }
  r = pcanno("render " + copy.string() + " --frame 1 --camera image_2 --out " + out.string());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("frame 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no image_2 image"), std::string::npos) << r.out;
  r = pcanno("render " + copy.string() + " --frame 0 --camera image_2 --out " + out.string());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("000000.png"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(RenderCamera, ColorByCameraPaintsPointsWithTheImage) {
  const fs::path training = shared_data_dir() / "kitti_object/training";
  PCANNO_REQUIRE_DATA(training / "image_2/000001.png");
  // Counts rendered pixels that are not grey (r, g, b unequal) and those of the "no camera" grey.
  const auto census = [&](const std::string& mode, int& coloured, int& no_camera) {
    const fs::path out = dir_ / (mode + ".png");
    const CommandResult r = pcanno("render " + training.string() +
                                   " --frame 1 --view perspective --size 640x400 --color-by " +
                                   mode + " --out " + out.string());
    ASSERT_EQ(r.exit_code, 0) << r.out;
    auto shot = formats::decode_image(out);
    ASSERT_TRUE(shot) << shot.error().describe();
    coloured = no_camera = 0;
    for (int v = 0; v < shot->height; ++v) {
      for (int u = 0; u < shot->width; ++u) {
        const std::uint8_t* p = shot->at(u, v);
        coloured += p[0] != p[1] || p[1] != p[2];
        no_camera += p[0] == 128 && p[1] == 128 && p[2] == 128;
      }
    }
  };
  int coloured = 0, grey = 0;
  ASSERT_NO_FATAL_FAILURE(census("intensity", coloured, grey));
  EXPECT_EQ(coloured, 0);  // the intensity ramp is grey: no labels are drawn here
  ASSERT_NO_FATAL_FAILURE(census("camera", coloured, grey));
  // Points in front take the photograph's colours; those the camera does not see (behind the
  // car, beside it) stay neutral grey.
  EXPECT_GT(coloured, 2000);
  EXPECT_GT(grey, 500);

  // A dataset without camera images has nothing to colour with.
  const fs::path sample = fs::path(PCANNO_SAMPLE_DATA_DIR) / "kitti_tracking/training";
  const CommandResult r = pcanno("render " + sample.string() +
                                 " --frame 0 --color-by camera --out " + (dir_ / "x.png").string());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("no camera images"), std::string::npos) << r.out;
}

TEST_F(RenderCamera, HelpNamesTheCameraOptions) {
  const CommandResult r = pcanno("render --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* word : {"--camera", "--points", "--boxes-2d", "CAM_FRONT", "depth"}) {
    EXPECT_NE(r.out.find(word), std::string::npos) << word << " missing from:\n" << r.out;
  }
}

}  // namespace
}  // namespace pcanno::test
