// External-process detectors (docs/detector_protocol.md): a fake detector in plain Python plays
// every failure mode (garbage, wrong ids, death, hangs, huge output, errors, bad boxes), manifests
// are loaded from PCANNO_PLUGIN_PATH, and the numpy example runs end to end on the KITTI sample.
#include <signal.h>
#include <sys/types.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pcanno/formats/clouds/raw_bin.hpp"
#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/kitti/label.hpp"
#include "pcanno/geometry/iou.hpp"
#include "pcanno/geometry/kitti_convention.hpp"
#include "pcanno/geometry/points_in_cuboid.hpp"
#include "pcanno/plugin/detectors/process_detector.hpp"
#include "pcanno/plugin/plugin_loader.hpp"
#include "pcanno/plugin/registry.hpp"
#include "process_detectors.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

namespace pcanno {
namespace {

namespace fs = std::filesystem;
using plugin::ProcessDetectorOptions;

/// A detector speaking the protocol, misbehaving as argv[1] says. Standard library only.
constexpr const char* kFakeDetector = R"PY(
import base64, json, os, struct, sys, time
mode = sys.argv[1]
def send(m):
    sys.stdout.write(json.dumps(m) + "\n"); sys.stdout.flush()
hello = json.loads(sys.stdin.readline())
if mode == "die_at_hello":
    sys.stderr.write("cannot load the model weights\n"); sys.exit(4)
if mode == "old_protocol":
    send({"type": "hello", "protocol": 2, "classes": ["Car"]}); sys.exit(0)
send({"type": "hello", "protocol": 1, "name": "fake", "classes": ["Car", "Pedestrian"]})
params = hello.get("parameters", {})
for line in sys.stdin:
    r = json.loads(line)
    if r["type"] == "shutdown":
        open("shutdown.txt", "w").write("clean")
        sys.exit(0)
    rid = r["id"]
    with open("pid.txt", "w") as f:
        f.write(str(os.getpid()))
    if mode == "ok":
        n = r["points"]["count"]
        v = struct.unpack("<%df" % (4 * n), base64.b64decode(r["points"]["data"]))
        mean = [sum(v[k::4]) / n for k in range(3)]
        send({"type": "detections", "id": rid, "boxes": [
            {"class": "Car", "center": mean, "size": [4.0, 2.0, 1.5], "yaw": 0.25,
             "score": 0.75, "attributes": {"points": n, "intensity": sum(v[3::4]),
                                           "frame": r["frame"], "gain": params.get("gain", "")}}]})
    elif mode == "garbage":
        print("loading weights... done")
        sys.stdout.flush()
    elif mode == "wrong_id":
        send({"type": "detections", "id": rid + 5, "boxes": []})
    elif mode == "die":
        sys.stderr.write("CUDA error: out of memory\n"); sys.stderr.flush(); os._exit(3)
    elif mode == "hang":
        time.sleep(1000)
    elif mode == "huge":
        sys.stdout.write("[" * (3 << 20)); sys.stdout.flush(); time.sleep(1000)
    elif mode == "error":
        send({"type": "error", "id": rid, "error": "model not loaded"})
    elif mode == "bad_box":
        send({"type": "detections", "id": rid, "boxes": [
            {"class": "Car", "center": [1, 2, 3], "size": [4, -2, 1.5], "yaw": 0, "score": 0.5}]})
    elif mode == "calib":
        # Projects LiDAR points with the request's calibration, the way a detector would use it.
        attrs = {"has": "calibration" in r}
        c = r.get("calibration")
        if c is not None:
            attrs["cameras"] = ",".join(cam["name"] for cam in c["cameras"])
            cam = [x for x in c["cameras"] if x["name"] == "P2"][0]
            T, K, E = cam["T_cam_lidar"], cam["K"], c["T_ego_lidar"]
            attrs["K"] = K
            for n, p in enumerate([[10.0, 1.0, -0.5], [25.0, -4.0, 0.3], [6.0, 2.5, -1.2]]):
                q = [sum(T[4 * i + j] * x for j, x in enumerate(p + [1.0])) for i in range(3)]
                u = [sum(K[3 * i + j] * q[j] for j in range(3)) for i in range(3)]
                attrs["pixel%d" % n] = [u[0] / u[2], u[1] / u[2], q[2]]
                attrs["ego%d" % n] = [sum(E[4 * i + j] * x for j, x in enumerate(p + [1.0]))
                                      for i in range(3)]
        send({"type": "detections", "id": rid, "boxes": [
            {"class": "Car", "center": [1, 2, 3], "size": [4, 2, 1.5], "yaw": 0, "score": 0.5,
             "attributes": attrs}]})
    elif mode == "unknown_class":
        send({"type": "detections", "id": rid, "boxes": [
            {"class": "Bus", "center": [1, 2, 3], "size": [9, 2.5, 3], "yaw": 0, "score": 0.5}]})
)PY";

using test::python3;

struct Fake {
  test::TempDir dir{"pcanno_detector_"};
  Fake() { std::ofstream(dir.path() / "fake_detector.py") << kFakeDetector; }
  ProcessDetectorOptions options(const std::string& mode, double timeout_s = 20.0) const {
    ProcessDetectorOptions o;
    o.id = "fake";
    o.command = {python3(), (dir.path() / "fake_detector.py").string(), mode};
    o.working_directory = dir.path().string();
    o.timeout_s = timeout_s;
    return o;
  }
  pid_t child_pid() const { return static_cast<pid_t>(std::atol(test::slurp(dir.path() / "pid.txt").c_str())); }
};

formats::PointCloud small_cloud() {
  formats::PointCloud c;
  for (int i = 0; i < 1000; ++i) {
    c.x.push_back(10.0f + 0.001f * static_cast<float>(i));
    c.y.push_back(-2.0f);
    c.z.push_back(0.5f);
  }
  c.add_attribute(std::string(formats::attribute_names::kIntensity)).assign(1000, 0.25f);
  return c;
}

formats::Expected<std::vector<plugin::Detection>> detect(plugin::Detector& d,
                                                         const formats::PointCloud& cloud,
                                                         std::int64_t index,
                                                         std::function<bool()> stop = {}) {
  plugin::DetectorFrame frame;
  frame.index = index;
  frame.cloud = &cloud;
  return d.detect(frame, stop ? stop : [] { return false; });
}

using test::process_reaped;

TEST(ProcessDetector, ExchangesFramesAndShutsDownCleanly) {
  PCANNO_REQUIRE_PYTHON3();
  Fake fake;
  ProcessDetectorOptions o = fake.options("ok");
  o.parameters["gain"] = "2.5";
  const formats::PointCloud cloud = small_cloud();
  {
    auto detector = plugin::start_process_detector(o);
    ASSERT_TRUE(detector) << detector.error().describe();
    for (std::int64_t frame : {3, 4}) {
      const auto boxes = detect(**detector, cloud, frame);
      ASSERT_TRUE(boxes) << boxes.error().describe();
      ASSERT_EQ(boxes->size(), 1u);
      const plugin::Detection& d = boxes->front();
      EXPECT_EQ(d.class_name, "Car");
      // The child decoded our base64 float32 records: the mean of x, y, z and the intensities.
      EXPECT_NEAR(d.box_in_lidar.center.x(), 10.4995, 1e-3);
      EXPECT_NEAR(d.box_in_lidar.center.y(), -2.0, 1e-6);
      EXPECT_NEAR(d.box_in_lidar.center.z(), 0.5, 1e-6);
      EXPECT_NEAR(d.box_in_lidar.yaw(), 0.25, 1e-9);
      EXPECT_NEAR(d.box_in_lidar.size.x(), 4.0, 1e-9);
      EXPECT_DOUBLE_EQ(d.score, 0.75);
      EXPECT_EQ(d.attributes.at("points"), "1000");
      EXPECT_EQ(d.attributes.at("intensity"), "250.0");
      EXPECT_EQ(d.attributes.at("frame"), std::to_string(frame));
      EXPECT_EQ(d.attributes.at("gain"), "2.5");
    }
  }
  EXPECT_EQ(test::slurp(fake.dir.path() / "shutdown.txt"), "clean");
  EXPECT_TRUE(process_reaped(fake.child_pid()));
}

/// The numbers of a JSON array of numbers that an attribute holds ("[1.5, 2.0]").
std::vector<double> numbers(const std::string& text) {
  std::vector<double> out;
  std::string cleaned = text;
  for (char& c : cleaned) {
    if (c == '[' || c == ']' || c == ',') c = ' ';
  }
  std::istringstream in(cleaned);
  for (double v; in >> v;) out.push_back(v);
  return out;
}

TEST(ProcessDetector, SendsTheKittiCalibrationAsTheDevkitProjectsWithIt) {
  PCANNO_REQUIRE_PYTHON3();
  const fs::path training = test::sample_data_dir() / "kitti_tracking/training";
  PCANNO_REQUIRE_DATA(training / "calib/0000.txt");
  const auto sequence = formats::open_sequence(training);
  ASSERT_TRUE(sequence) << sequence.error().describe();
  const formats::Calibration* calibration = sequence->calibration_of(0);
  ASSERT_NE(calibration, nullptr);
  // The reference: the calibration file read on its own, projected as the KITTI devkit does.
  const auto calib = formats::read_kitti_calib(training / "calib/0000.txt");
  ASSERT_TRUE(calib) << calib.error().describe();
  Eigen::Matrix4d R0 = Eigen::Matrix4d::Identity();
  R0.topLeftCorner<3, 3>() = calib->R0_rect;
  Eigen::Matrix4d Tr = Eigen::Matrix4d::Identity();
  Tr.topRows<3>() = calib->Tr_velo_to_cam;
  Eigen::Matrix4d imu_to_velo = Eigen::Matrix4d::Identity();
  imu_to_velo.topRows<3>() = calib->Tr_imu_to_velo;

  Fake fake;
  auto detector = plugin::start_process_detector(fake.options("calib"));
  ASSERT_TRUE(detector) << detector.error().describe();
  const formats::PointCloud cloud = small_cloud();
  plugin::DetectorFrame frame;
  frame.index = 0;
  frame.cloud = &cloud;
  frame.calibration = calibration;
  const auto boxes = (*detector)->detect(frame, [] { return false; });
  ASSERT_TRUE(boxes) << boxes.error().describe();
  ASSERT_EQ(boxes->size(), 1u);
  const formats::AttributeMap& got = boxes->front().attributes;
  EXPECT_EQ(got.at("has"), "true");
  EXPECT_EQ(got.at("cameras"), "P0,P1,P2,P3");
  // K of image_02 as the file has it: f = 721.5377 px, centre (609.5593, 172.854) px.
  const std::vector<double> K = numbers(got.at("K"));
  ASSERT_EQ(K.size(), 9u);
  EXPECT_DOUBLE_EQ(K[0], 721.5377);
  EXPECT_DOUBLE_EQ(K[2], 609.5593);
  EXPECT_DOUBLE_EQ(K[4], 721.5377);
  EXPECT_DOUBLE_EQ(K[5], 172.854);
  EXPECT_DOUBLE_EQ(K[8], 1.0);
  const Eigen::Vector3d points[] = {{10.0, 1.0, -0.5}, {25.0, -4.0, 0.3}, {6.0, 2.5, -1.2}};
  for (int n = 0; n < 3; ++n) {
    SCOPED_TRACE(n);
    const Eigen::Vector4d x = points[n].homogeneous();
    const Eigen::Vector3d devkit = calib->P[2] * (R0 * Tr * x);  // u w, v w, w
    const std::vector<double> pixel = numbers(got.at("pixel" + std::to_string(n)));
    ASSERT_EQ(pixel.size(), 3u);
    EXPECT_NEAR(pixel[0], devkit.x() / devkit.z(), 1e-6);  // [px]
    EXPECT_NEAR(pixel[1], devkit.y() / devkit.z(), 1e-6);
    EXPECT_NEAR(pixel[2], devkit.z(), 1e-9);  // the depth [m] in the rectified camera 2
    // The LiDAR's mount: KITTI's IMU frame is the body, T_ego_lidar = Tr_imu_to_velo^-1. The pose
    // is a rigid motion, the file's rotation orthonormal only to its 7 digits: 10 um at 25 m.
    const Eigen::Vector4d ego = imu_to_velo.inverse() * x;
    const std::vector<double> mount = numbers(got.at("ego" + std::to_string(n)));
    ASSERT_EQ(mount.size(), 3u);
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(mount[static_cast<std::size_t>(k)], ego[k], 1e-5);
  }

  // Without calibration the request has no "calibration" key (protocol 1 detectors never saw one).
  frame.index = 1;
  frame.calibration = nullptr;
  const auto bare = (*detector)->detect(frame, [] { return false; });
  ASSERT_TRUE(bare) << bare.error().describe();
  ASSERT_EQ(bare->size(), 1u);
  EXPECT_EQ(bare->front().attributes.at("has"), "false");
}

/// Starts the fake in `mode` and runs frame 7; the error must contain every `needle`.
void expect_failure(const std::string& mode, std::vector<std::string> needles,
                    double timeout_s = 20.0, std::size_t max_bytes = std::size_t{64} << 20) {
  SCOPED_TRACE(mode);
  Fake fake;
  ProcessDetectorOptions o = fake.options(mode, timeout_s);
  o.max_response_bytes = max_bytes;
  auto detector = plugin::start_process_detector(o);
  ASSERT_TRUE(detector) << detector.error().describe();
  const formats::PointCloud cloud = small_cloud();
  const auto boxes = detect(**detector, cloud, 7);
  ASSERT_FALSE(boxes);
  const std::string message = boxes.error().message;
  needles.push_back("detector 'fake'");
  needles.push_back("fake_detector.py " + mode);  // the command
  needles.push_back("frame 7");
  for (const std::string& n : needles) {
    EXPECT_NE(message.find(n), std::string::npos) << "'" << n << "' not in: " << message;
  }
  EXPECT_TRUE(process_reaped(fake.child_pid())) << "the child was not killed and reaped";
  // A failed detector stays failed, and says so.
  const auto again = detect(**detector, cloud, 8);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("failed earlier"), std::string::npos);
}

TEST(ProcessDetector, EveryMisbehaviourIsAClearErrorAndTheChildIsKilled) {
  PCANNO_REQUIRE_PYTHON3();
  expect_failure("garbage", {"not a JSON object", "response line 2", "'loading weights... done'"});
  expect_failure("wrong_id", {"expected \"id\": 1", "\"id\": 6"});
  expect_failure("die", {"exited with status 3", "CUDA error: out of memory"});
  expect_failure("hang", {"no response within 0.5 s", "timeout_s"}, 0.5);
  expect_failure("huge", {"response too long", "stdout byte", "1048576"}, 20.0, 1 << 20);
  expect_failure("error", {"the detector reported an error: model not loaded"});
  expect_failure("bad_box", {"box 0", "'size' must be 3 numbers > 0"});
  expect_failure("unknown_class", {"class 'Bus' is not among the classes of the hello"});
}

TEST(ProcessDetector, HandshakeFailuresNameTheCommand) {
  PCANNO_REQUIRE_PYTHON3();
  Fake fake;
  const auto dead = plugin::start_process_detector(fake.options("die_at_hello"));
  ASSERT_FALSE(dead);
  EXPECT_NE(dead.error().message.find("the hello"), std::string::npos) << dead.error().message;
  EXPECT_NE(dead.error().message.find("exited with status 4"), std::string::npos);
  EXPECT_NE(dead.error().message.find("cannot load the model weights"), std::string::npos);
  const auto old = plugin::start_process_detector(fake.options("old_protocol"));
  ASSERT_FALSE(old);
  EXPECT_NE(old.error().message.find("protocol version 1 expected"), std::string::npos)
      << old.error().message;
  ProcessDetectorOptions missing = fake.options("ok");
  missing.command = {(fake.dir.path() / "no_such_detector").string()};
  const auto none = plugin::start_process_detector(missing);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("cannot start"), std::string::npos) << none.error().message;
  EXPECT_NE(none.error().message.find("no_such_detector"), std::string::npos);
}

TEST(ProcessDetector, StopKillsTheChild) {
  PCANNO_REQUIRE_PYTHON3();
  Fake fake;
  auto detector = plugin::start_process_detector(fake.options("hang", 60.0));
  ASSERT_TRUE(detector) << detector.error().describe();
  const formats::PointCloud cloud = small_cloud();
  int polls = 0;
  // Stop once the child has had the request (it writes its pid on receiving it).
  const auto boxes = detect(**detector, cloud, 2, [&] {
    return ++polls > 10 && fs::exists(fake.dir.path() / "pid.txt");
  });
  ASSERT_FALSE(boxes);
  EXPECT_EQ(boxes.error().code, formats::ErrorCode::kCancelled);
  EXPECT_TRUE(process_reaped(fake.child_pid()));
}

TEST(DetectorManifest, ManifestsOnThePluginPathRegisterDetectorsOrSayWhatIsWrong) {
  PCANNO_REQUIRE_PYTHON3();
  Fake fake;
  const fs::path dir = fake.dir.path();
  std::ofstream(dir / "fake.detector.json")
      << R"({"id": "fake", "version": "0.1.0", "description": "a fake", "command": [")" << python3()
      << R"(", "./fake_detector.py", "ok"], "timeout_s": 20, "parameters": ["gain"]})";
  std::ofstream(dir / "no_command.detector.json") << R"({"id": "x"})";
  std::ofstream(dir / "typo.detector.json") << R"({"id": "y", "comand": ["a"], "command": ["a"]})";
  std::ofstream(dir / "timeout.detector.json") << R"({"id": "z", "command": ["a"], "timeout_s": -1})";
  std::ofstream(dir / "forever.detector.json") << R"({"id": "u", "command": ["a"], "timeout_s": 1e300})";
  std::ofstream(dir / "broken.detector.json") << "{\"id\": \"w\",\n \"command\": [\"a\"";
  std::ofstream(dir / "missing.detector.json") << R"({"id": "v", "command": ["./not_here.py"]})";
  std::ofstream(dir / "notes.json") << "not a manifest, not looked at";

  plugin::Registry registry = plugin::Registry::with_builtins();
  const test::ScopedEnv path("PCANNO_PLUGIN_PATH", dir.string());
  plugin::load_plugins_from_environment(registry);

  const plugin::DetectorFactory* factory = registry.detector("fake");
  ASSERT_NE(factory, nullptr);
  EXPECT_EQ(factory->info.version, "0.1.0");
  EXPECT_EQ(factory->info.origin, (dir / "fake.detector.json").string());
  EXPECT_NE(registry.detector("classical"), nullptr);

  std::map<std::string, std::string> failures;
  for (const plugin::PluginFailure& f : registry.failures()) {
    failures[fs::path(f.path).filename().string()] = f.reason;
  }
  EXPECT_EQ(failures.size(), 6u);
  const auto expect_reason = [&](const std::string& file, const std::string& needle) {
    ASSERT_TRUE(failures.count(file)) << file;
    EXPECT_NE(failures[file].find(needle), std::string::npos) << failures[file];
  };
  expect_reason("no_command.detector.json", "'command' must be a non-empty array");
  expect_reason("typo.detector.json", "unknown key 'comand'");
  expect_reason("timeout.detector.json", "'timeout_s' must be a number in (0, 86400]");
  expect_reason("forever.detector.json", "'timeout_s' must be a number in (0, 86400]");
  expect_reason("broken.detector.json", "not valid JSON");
  expect_reason("missing.detector.json", (dir / "not_here.py").string());

  // Parameters: the manifest's own plus timeout_s; the relative script path found beside it.
  const auto unknown = factory->create({{"gian", "2"}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, formats::ErrorCode::kInvalidArgument);
  EXPECT_NE(unknown.error().message.find("'gian'; known: timeout_s, gain"), std::string::npos)
      << unknown.error().message;
  auto detector = factory->create({{"gain", "7"}, {"timeout_s", "15"}});
  ASSERT_TRUE(detector) << detector.error().describe();
  const formats::PointCloud cloud = small_cloud();
  const auto boxes = detect(**detector, cloud, 0);
  ASSERT_TRUE(boxes) << boxes.error().describe();
  ASSERT_EQ(boxes->size(), 1u);
  EXPECT_EQ(boxes->front().attributes.at("gain"), "7");
}

TEST(DetectorExample, NumpyDetectorFindsTheCarsOfTheKittiSample) {
  PCANNO_REQUIRE_NUMPY_PYTHON(python_dir);
  // The manifest runs `python3`: the one with numpy goes first on PATH, for this test only.
  const char* old_path = std::getenv("PATH");
  const test::ScopedEnv path(
      "PATH", (python_dir.empty() ? "" : python_dir + ":") + (old_path != nullptr ? old_path : ""));
  plugin::Registry registry = plugin::Registry::with_builtins();
  const fs::path manifest = fs::path(PCANNO_EXAMPLE_DETECTORS_DIR) / "numpy.detector.json";
  const formats::Status loaded = plugin::load_plugin(registry, manifest);
  ASSERT_TRUE(loaded) << loaded.error().describe();
  const plugin::DetectorFactory* factory = registry.detector("numpy-example");
  ASSERT_NE(factory, nullptr);
  auto detector = factory->create({});
  ASSERT_TRUE(detector) << detector.error().describe();

  const fs::path root = test::sample_data_dir() / "kitti_tracking/training";
  const auto calib = formats::read_kitti_calib(root / "calib/0000.txt");
  const auto rows = formats::read_kitti_tracking_labels(root / "label_02/0000.txt");
  ASSERT_TRUE(calib && rows);
  int required = 0;
  int found = 0;
  for (int frame = 0; frame < 5; ++frame) {
    char name[32];
    std::snprintf(name, sizeof(name), "velodyne/0000/%06d.bin", frame);
    const auto cloud = formats::read_kitti_bin(root / name);
    ASSERT_TRUE(cloud);
    const auto boxes = detect(**detector, *cloud, frame);
    ASSERT_TRUE(boxes) << boxes.error().describe();
    for (const auto& row : *rows) {
      if (row.frame != frame || (row.type != "Car" && row.type != "Van")) continue;
      const geometry::Cuboid truth = geometry::kitti_camera_to_lidar(row.box, calib->T_rect_velo());
      if (truth.center.head<2>().norm() > 40.0 ||
          geometry::points_in_cuboid(cloud->view(), truth).size() < 100) {
        continue;
      }
      ++required;
      for (const plugin::Detection& d : *boxes) {
        if (geometry::iou_bev(d.box_in_lidar, truth) >= 0.5) {
          ++found;
          break;
        }
      }
    }
  }
  std::printf("numpy example: %d of %d cars (>= 100 points, <= 40 m) found at BEV IoU >= 0.5\n",
              found, required);
  EXPECT_EQ(required, 5);  // Van 0 ahead in each of the five sample frames
  EXPECT_GE(found, 4);
}

}  // namespace
}  // namespace pcanno
