#include "pcanno/plugin/services/qa.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <tuple>
#include <utility>

#include "pcanno/formats/labels/frame_time.hpp"
#include "pcanno/formats/labels/shape_frames.hpp"
#include "pcanno/geometry/angles.hpp"
#include "pcanno/geometry/iou.hpp"
#include "pcanno/plugin/services/box_points.hpp"

namespace pcanno::plugin {

const char* to_string(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "error";
}

std::size_t QaReport::count(Severity s) const {
  return static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(),
                                                [s](const Finding& f) { return f.severity == s; }));
}

namespace {

using formats::BoxState;
using formats::Track;

std::string format(const char* fmt, double a, double b = 0.0, double c = 0.0, double d = 0.0) {
  char buf[256];
  std::snprintf(buf, sizeof buf, fmt, a, b, c, d);
  return buf;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

class Checker {
 public:
  Checker(const formats::Annotations& doc, const formats::Sequence* seq, const QaOptions& opt)
      : doc_(doc), seq_(seq), opt_(opt) {}

  formats::Expected<QaReport> run() {
    report_.tracks = doc_.tracks.size();
    report_.boxes = doc_.box_count();
    for (const Track& t : doc_.tracks) {
      check_motion(t);
      check_size(t);
    }
    if (!report_.motion_in_world) {
      add(Severity::kInfo, "ego-motion", -1, -1,
          "no poses: motion is measured in the LiDAR frame and includes the ego vehicle's own "
          "motion (not compensated), so motion findings are at most warnings");
    }
    if (opt_.check_points && seq_ == nullptr) {
      add(Severity::kInfo, "few-points", -1, -1,
          "no sequence: points in boxes were not counted (give the sequence with its clouds)");
    }
    auto frames = check_frames();
    if (!frames) return std::move(frames).error();
    for (Finding& f : check_attributes(doc_)) report_.findings.push_back(std::move(f));  // ontology
    std::stable_sort(
        report_.findings.begin(), report_.findings.end(), [](const Finding& a, const Finding& b) {
          return std::tie(a.track, a.frame, a.check) < std::tie(b.track, b.frame, b.check);
        });
    return std::move(report_);
  }

 private:
  void add(Severity s, std::string check, std::int64_t track, std::int64_t frame,
           std::string message, double value = 0.0, double limit = 0.0) {
    report_.findings.push_back(
        Finding{s, std::move(check), track, frame, std::move(message), value, limit});
  }

  /// [s] of a frame as recorded (formats::recorded_time_s); nullopt: use the nominal rate.
  std::optional<double> timestamp_s(std::int64_t frame) const {
    return formats::recorded_time_s(seq_, doc_, frame);
  }

  double seconds_between(std::int64_t a, std::int64_t b) const {
    const auto ta = timestamp_s(a), tb = timestamp_s(b);
    if (ta && tb && *tb > *ta) return *tb - *ta;
    return static_cast<double>(b - a) / opt_.nominal_rate_hz;
  }

  /// Warning above the limit, error above twice the limit (warning at most when the motion
  /// includes the ego motion). Returns whether anything was reported.
  bool motion(const std::string& check, const Track& t, std::int64_t frame, double value,
              double limit, bool in_world, const std::string& what) {
    if (!(value > limit)) return false;
    const Severity s = value > 2.0 * limit && in_world ? Severity::kError : Severity::kWarning;
    add(s, check, t.id, frame,
        what + format(" %.2f exceeds the limit %.2f", value, limit) + " for " + t.label, value,
        limit);
    return true;
  }

  void check_motion(const Track& t) {
    if (t.boxes.size() < 2) return;
    // The world frame when every box reaches it, else the LiDAR frame when every box is stored
    // there; a track mixing world boxes without poses and LiDAR boxes has no common frame.
    std::vector<geometry::Cuboid> boxes;
    bool in_world = true;
    for (const BoxState& b : t.boxes) {
      auto w = formats::box_in_world(b, seq_);
      if (!w) {
        in_world = false;
        break;
      }
      boxes.push_back(*w);
    }
    if (!in_world) {
      boxes.clear();
      for (const BoxState& b : t.boxes) {
        if (b.shape_frame != formats::ShapeFrame::kLidar) {
          add(Severity::kWarning, "frame", t.id, b.frame,
              "the track mixes world-frame boxes without poses and LiDAR-frame boxes: motion not "
              "checked");
          return;
        }
        boxes.push_back(b.box);
      }
      report_.motion_in_world = false;
    }
    // The class's motion profile: the document's schema, else the default schema by name.
    const MotionLimits limits = doc_.class_or_default(t.label).motion.limits;
    std::vector<bool> speed_flagged(boxes.size(), false);
    std::vector<Eigen::Vector3d> velocity(boxes.size(), Eigen::Vector3d::Zero());
    for (std::size_t i = 1; i < boxes.size(); ++i) {
      const std::int64_t f0 = t.boxes[i - 1].frame, f1 = t.boxes[i].frame;
      const double dt = seconds_between(f0, f1);
      if (!(dt > 0.0)) continue;
      const std::string span =
          " from frame " + std::to_string(f0) + " to " + std::to_string(f1) + ":";
      const Eigen::Vector3d step = boxes[i].center - boxes[i - 1].center;
      velocity[i] = Eigen::Vector3d(step.x(), step.y(), 0.0) / dt;
      speed_flagged[i] =
          motion("speed", t, f1, velocity[i].norm(), limits.speed, in_world, "speed [m/s]" + span);
      const double turn = geometry::angle_difference(boxes[i].yaw(), boxes[i - 1].yaw());
      if (f1 - f0 == 1 && std::abs(turn) > opt_.heading_flip) {
        add(Severity::kError, "heading-flip", t.id, f1,
            format("heading turns by %.1f degrees", std::abs(turn) * 180.0 / geometry::kPi) +
                " from frame " + std::to_string(f0) + " to " + std::to_string(f1) +
                format(" (limit %.1f): the box is probably turned round",
                       opt_.heading_flip * 180.0 / geometry::kPi),
            std::abs(turn), opt_.heading_flip);
      } else {
        motion("yaw-rate", t, f1, std::abs(turn) / dt, limits.yaw_rate, in_world,
               "yaw rate [rad/s]" + span);
      }
    }
    for (std::size_t i = 2; i < boxes.size(); ++i) {
      if (speed_flagged[i] || speed_flagged[i - 1]) continue;
      const double dt = 0.5 * (seconds_between(t.boxes[i - 2].frame, t.boxes[i - 1].frame) +
                               seconds_between(t.boxes[i - 1].frame, t.boxes[i].frame));
      if (!(dt > 0.0)) continue;
      const double accel = (velocity[i] - velocity[i - 1]).norm() / dt;
      motion("acceleration", t, t.boxes[i - 1].frame, accel, limits.acceleration, in_world,
             "acceleration [m/s^2] at frame " + std::to_string(t.boxes[i - 1].frame) + ":");
    }
  }

  void check_size(const Track& t) {
    if (t.boxes.size() < 2) return;
    Eigen::Vector3d med;
    for (int k = 0; k < 3; ++k) {
      std::vector<double> v;
      for (const BoxState& b : t.boxes) v.push_back(b.box.size[k]);
      med[k] = median(std::move(v));
    }
    static const char* const kDims[] = {"length", "width", "height"};
    for (const BoxState& b : t.boxes) {
      int worst = 0;
      double drift = 0.0;
      for (int k = 0; k < 3; ++k) {
        const double d = med[k] > 0.0 ? std::abs(b.box.size[k] - med[k]) / med[k] : 0.0;
        if (d > drift) {
          drift = d;
          worst = k;
        }
      }
      if (!(drift > opt_.size_drift_warning)) continue;
      const Severity s = drift > opt_.size_drift_error ? Severity::kError : Severity::kWarning;
      add(s, "size-drift", t.id, b.frame,
          std::string(kDims[worst]) +
              format(" %.2f m differs from the track's median %.2f m by %.1f%% (limit %.0f%%)",
                     b.box.size[worst], med[worst], 100.0 * drift,
                     100.0 *
                         (s == Severity::kError ? opt_.size_drift_error : opt_.size_drift_warning)),
          drift, s == Severity::kError ? opt_.size_drift_error : opt_.size_drift_warning);
    }
  }

  struct Item {
    const Track* track = nullptr;
    const BoxState* state = nullptr;
    std::optional<geometry::Cuboid> lidar;  ///< empty when the frame's pose is missing
  };

  formats::Status check_frames() {
    std::map<std::int64_t, std::vector<Item>> by_frame;
    for (const Track& t : doc_.tracks) {
      for (const BoxState& b : t.boxes) {
        auto lidar = formats::box_in_lidar(b, seq_);
        by_frame[b.frame].push_back(
            Item{&t, &b, lidar ? std::optional<geometry::Cuboid>(*lidar) : std::nullopt});
      }
    }
    std::size_t done = 0;
    for (auto& [frame, items] : by_frame) {
      fraction_ = static_cast<double>(done) / static_cast<double>(by_frame.size());
      if (opt_.progress && !opt_.progress(fraction_)) return cancelled();
      ++done;
      std::sort(items.begin(), items.end(),
                [](const Item& a, const Item& b) { return a.track->id < b.track->id; });
      check_overlaps(frame, items);
      if (opt_.check_points && seq_ != nullptr) check_points(frame, items);
      if (load_cancelled_) return cancelled();
    }
    if (opt_.progress && !opt_.progress(1.0)) return cancelled();
    return {};
  }

  static formats::Error cancelled() {
    return formats::Error{formats::ErrorCode::kCancelled, "check cancelled", ""};
  }

  void check_overlaps(std::int64_t frame, const std::vector<Item>& items) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      for (std::size_t j = i + 1; j < items.size(); ++j) {
        const Item& a = items[i];
        const Item& b = items[j];
        geometry::Cuboid ba = a.state->box, bb = b.state->box;
        if (a.state->shape_frame != b.state->shape_frame) {
          if (!a.lidar || !b.lidar) continue;  // no common frame without the pose
          ba = *a.lidar;
          bb = *b.lidar;
        }
        // Boxes whose bounding spheres are apart cannot overlap: skip the exact IoU.
        if ((ba.center - bb.center).norm() > 0.5 * (ba.size.norm() + bb.size.norm())) continue;
        const double iou = geometry::iou_3d(ba, bb);
        if (!(iou > opt_.overlap_warning)) continue;
        const bool error = iou > opt_.overlap_error;
        const double limit = error ? opt_.overlap_error : opt_.overlap_warning;
        add(error ? Severity::kError : Severity::kWarning, "overlap", a.track->id, frame,
            "overlaps track " + std::to_string(b.track->id) + " (" + b.track->label + ")" +
                format(" with 3D IoU %.2f (limit %.2f)", iou, limit),
            iou, limit);
      }
    }
  }

  void check_points(std::int64_t frame, const std::vector<Item>& items) {
    if (frame < 0 || static_cast<std::size_t>(frame) >= seq_->size()) {
      add(Severity::kWarning, "cloud", -1, frame,
          "frame " + std::to_string(frame) + " is beyond the sequence's " +
              std::to_string(seq_->size()) + " frames: points not counted");
      return;
    }
    std::vector<geometry::Cuboid> boxes;
    std::vector<const Item*> counted;
    for (const Item& item : items) {
      if (!item.lidar) {
        add(Severity::kWarning, "frame", item.track->id, frame,
            "world-frame box without a pose for this frame: points not counted");
        continue;
      }
      boxes.push_back(*item.lidar);
      counted.push_back(&item);
    }
    if (boxes.empty()) return;
    // The load polls the callback too: a large cloud takes a while to read.
    formats::ReadOptions read;
    if (opt_.progress) read.progress = [this](double) { return opt_.progress(fraction_); };
    const auto cloud = seq_->load_frame(static_cast<std::size_t>(frame), read);
    if (!cloud && cloud.error().code == formats::ErrorCode::kCancelled) {
      load_cancelled_ = true;
      return;
    }
    if (!cloud) {
      add(Severity::kWarning, "cloud", -1, frame,
          "cloud not read, points not counted: " + cloud.error().describe());
      return;
    }
    ++report_.clouds_read;
    // The workstation's readout of the selected box counts with the same function.
    const std::vector<std::size_t> inside = count_points_in_boxes(cloud->cloud, boxes);
    for (std::size_t k = 0; k < counted.size(); ++k) {
      const std::size_t n = inside[k];
      if (n >= opt_.min_points) continue;
      const BoxState& state = *counted[k]->state;
      const Severity s = n == 0 && !state.keyframe ? Severity::kError : Severity::kWarning;
      add(s, "few-points", counted[k]->track->id, frame,
          std::to_string(n) + " LiDAR points in the box (minimum " +
              std::to_string(opt_.min_points) + ")" +
              (n == 0 ? (state.keyframe ? ", keyframe" : ", not a keyframe: object lost?") : ""),
          static_cast<double>(n), static_cast<double>(opt_.min_points));
    }
  }

  const formats::Annotations& doc_;
  const formats::Sequence* seq_;
  const QaOptions& opt_;
  QaReport report_;
  double fraction_ = 0.0;        ///< reported last
  bool load_cancelled_ = false;  ///< a cloud's load was cancelled through the progress callback
};

}  // namespace

formats::Expected<QaReport> check_annotations(const formats::Annotations& annotations,
                                              const formats::Sequence* sequence,
                                              const QaOptions& options) {
  return Checker(annotations, sequence, options).run();
}

}  // namespace pcanno::plugin
