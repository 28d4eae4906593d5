#include "pcanno/plugin/services/detection_eval.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "pcanno/formats/labels/shape_frames.hpp"
#include "pcanno/geometry/camera.hpp"
#include "pcanno/geometry/iou.hpp"

namespace pcanno::plugin {
namespace {

using formats::Error;
using formats::ErrorCode;
using formats::Expected;

constexpr OverlapKind kKinds[] = {OverlapKind::kBev, OverlapKind::k3d};
constexpr int kRecallPoints = 40;
// KITTI's image size; the DontCare test clips projections to it.
constexpr int kImageWidth = 1242;
constexpr int kImageHeight = 375;
constexpr double kDontCareShare = 0.5;  // KITTI: a detection at least half inside is ignored

std::string where(const DetectionBox& b) {
  return "frame " + std::to_string(b.frame) + ", class '" + b.label + "'";
}

formats::Status check_box(const DetectionBox& b, const char* side) {
  const geometry::Cuboid& c = b.box;
  const bool finite = c.center.allFinite() && c.size.allFinite() && c.rotation.coeffs().allFinite();
  if (!finite || (c.size.array() <= 0.0).any()) {
    return Error{ErrorCode::kInvalidArgument,
                 std::string(side) + " box in " + where(b) +
                     " has a non-finite value or a size that is not positive",
                 ""};
  }
  if (!std::isfinite(b.score)) {
    return Error{ErrorCode::kInvalidArgument,
                 std::string(side) + " box in " + where(b) + " has a non-finite score", ""};
  }
  return {};
}

/// Boxes of one class in one frame (indices into the input vectors).
struct FrameBoxes {
  std::vector<std::size_t> pred;  ///< in descending score
  std::vector<std::size_t> gt;
  std::vector<double> iou[2];  ///< [kind][p * gt.size() + g]
};

/// Greedy matching of one frame at one threshold: appends (score, true positive) of the counted
/// predictions to `ranked`.
void match_frame(const FrameBoxes& fb, int kind, double threshold,
                 const std::vector<DetectionBox>& pred, const std::vector<DetectionBox>& gt,
                 DetectionMetrics& m, std::vector<std::pair<double, bool>>& ranked) {
  std::vector<bool> taken(fb.gt.size(), false);
  const std::vector<double>& iou = fb.iou[kind];
  for (std::size_t p = 0; p < fb.pred.size(); ++p) {
    int best = -1, best_ignored = -1;
    double best_iou = 0.0, best_ignored_iou = 0.0;
    for (std::size_t g = 0; g < fb.gt.size(); ++g) {
      const double o = iou[p * fb.gt.size() + g];
      if (o < threshold) continue;
      if (gt[fb.gt[g]].ignore) {
        // An ignored ground-truth box absorbs any number of predictions, as in KITTI.
        if (o > best_ignored_iou) best_ignored = static_cast<int>(g), best_ignored_iou = o;
      } else if (!taken[g] && o > best_iou) {
        best = static_cast<int>(g);
        best_iou = o;
      }
    }
    const DetectionBox& box = pred[fb.pred[p]];
    if (best >= 0) {
      taken[static_cast<std::size_t>(best)] = true;
      ++m.true_positives;
      ranked.emplace_back(box.score, true);
    } else if (best_ignored >= 0 || box.ignore) {
      ++m.ignored_predictions;
    } else {
      ++m.false_positives;
      ranked.emplace_back(box.score, false);
    }
  }
}

void finish(DetectionMetrics& m, std::vector<std::pair<double, bool>>& ranked) {
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  const std::size_t counted = m.true_positives + m.false_positives;
  if (counted > 0) m.precision = static_cast<double>(m.true_positives) / counted;
  if (m.ground_truth > 0) {
    m.recall = static_cast<double>(m.true_positives) / m.ground_truth;
    std::vector<bool> tp;
    std::vector<double> scores;
    tp.reserve(ranked.size());
    scores.reserve(ranked.size());
    for (const auto& r : ranked) {
      scores.push_back(r.first);
      tp.push_back(r.second);
    }
    m.ap_r40 = average_precision_r40(tp, m.ground_truth, scores);
  }
}

}  // namespace

const char* to_string(OverlapKind kind) { return kind == OverlapKind::kBev ? "bev" : "3d"; }

const DetectionMetrics* DetectionClassResult::find(OverlapKind kind, double threshold) const {
  for (const DetectionMetrics& m : metrics) {
    if (m.kind == kind && std::abs(m.iou_threshold - threshold) < 1e-12) return &m;
  }
  return nullptr;
}

double average_precision_r40(const std::vector<bool>& true_positive, std::size_t ground_truth,
                             const std::vector<double>& scores) {
  if (ground_truth == 0) return 0.0;
  // Precision and recall after each prediction, then the running maximum of precision from the
  // end: interp[i] = max precision at any rank >= i, and recall only grows with the rank.
  const std::size_t n = true_positive.size();
  std::vector<double> precision(n), recall(n);
  std::size_t tp = 0;
  for (std::size_t i = 0; i < n; ++i) {
    tp += true_positive[i] ? 1 : 0;
    precision[i] = static_cast<double>(tp) / static_cast<double>(i + 1);
    recall[i] = static_cast<double>(tp) / static_cast<double>(ground_truth);
  }
  // A score threshold keeps all predictions of equal score or none (KITTI's curve is over
  // thresholds): within a run of equal scores only the run's end is an operating point, so the
  // order of tied predictions cannot change the AP.
  if (scores.size() == n) {
    for (std::size_t end = n; end-- > 0;) {
      std::size_t begin = end;
      while (begin > 0 && scores[begin - 1] == scores[end]) --begin;
      for (std::size_t i = begin; i < end; ++i) {
        precision[i] = precision[end];
        recall[i] = recall[end];
      }
      end = begin;
      if (end == 0) break;
    }
  }
  for (std::size_t i = n; i-- > 1;) precision[i - 1] = std::max(precision[i - 1], precision[i]);
  double sum = 0.0;
  std::size_t i = 0;
  for (int k = 1; k <= kRecallPoints; ++k) {
    const double r = static_cast<double>(k) / kRecallPoints;
    while (i < n && recall[i] < r - 1e-12) ++i;
    if (i < n) sum += precision[i];
  }
  return sum / kRecallPoints;
}

Expected<DetectionReport> evaluate_detection(const std::vector<DetectionBox>& pred,
                                             const std::vector<DetectionBox>& gt,
                                             const DetectionEvalOptions& options) {
  for (double t : options.iou_thresholds) {
    if (!(t > 0.0 && t <= 1.0)) {
      return Error{ErrorCode::kInvalidArgument,
                   "IoU threshold " + std::to_string(t) + " is outside (0, 1]", ""};
    }
  }
  for (const DetectionBox& b : pred) {
    if (formats::Status ok = check_box(b, "predicted"); !ok) return std::move(ok).error();
  }
  for (const DetectionBox& b : gt) {
    if (formats::Status ok = check_box(b, "ground-truth"); !ok) return std::move(ok).error();
  }

  std::map<std::string, std::map<std::int64_t, FrameBoxes>> groups;
  for (std::size_t i = 0; i < gt.size(); ++i) groups[gt[i].label][gt[i].frame].gt.push_back(i);
  for (std::size_t i = 0; i < pred.size(); ++i) {
    groups[pred[i].label][pred[i].frame].pred.push_back(i);
  }

  DetectionReport report;
  for (auto& [label, frames] : groups) {
    DetectionClassResult result;
    result.label = label;
    for (auto& [frame, fb] : frames) {
      std::stable_sort(fb.pred.begin(), fb.pred.end(),
                       [&](std::size_t a, std::size_t b) { return pred[a].score > pred[b].score; });
      for (auto& v : fb.iou) v.assign(fb.pred.size() * fb.gt.size(), 0.0);
      for (std::size_t p = 0; p < fb.pred.size(); ++p) {
        for (std::size_t g = 0; g < fb.gt.size(); ++g) {
          const geometry::Cuboid& a = pred[fb.pred[p]].box;
          const geometry::Cuboid& b = gt[fb.gt[g]].box;
          fb.iou[0][p * fb.gt.size() + g] = geometry::iou_bev(a, b);
          fb.iou[1][p * fb.gt.size() + g] = geometry::iou_3d(a, b);
        }
      }
      result.predictions += fb.pred.size();
      result.ground_truth += fb.gt.size();
      for (std::size_t g : fb.gt) result.ignored_ground_truth += gt[g].ignore ? 1 : 0;
    }
    for (int kind = 0; kind < 2; ++kind) {
      for (double threshold : options.iou_thresholds) {
        DetectionMetrics m;
        m.kind = kKinds[kind];
        m.iou_threshold = threshold;
        m.ground_truth = result.ground_truth - result.ignored_ground_truth;
        std::vector<std::pair<double, bool>> ranked;
        for (const auto& [frame, fb] : frames)
          match_frame(fb, kind, threshold, pred, gt, m, ranked);
        finish(m, ranked);
        result.metrics.push_back(std::move(m));
      }
    }
    report.classes.push_back(std::move(result));
  }

  // Mean over the classes: counts summed (so precision and recall are over all boxes), AP
  // averaged over the classes with ground truth.
  const std::size_t metrics = 2 * options.iou_thresholds.size();
  for (std::size_t i = 0; i < metrics; ++i) {
    DetectionMetrics mean;
    mean.kind = kKinds[i / options.iou_thresholds.size()];
    mean.iou_threshold = options.iou_thresholds[i % options.iou_thresholds.size()];
    double ap = 0.0;
    std::size_t with_gt = 0;
    for (const DetectionClassResult& c : report.classes) {
      const DetectionMetrics& m = c.metrics[i];
      mean.true_positives += m.true_positives;
      mean.false_positives += m.false_positives;
      mean.ignored_predictions += m.ignored_predictions;
      mean.ground_truth += m.ground_truth;
      if (m.ap_r40) {
        ap += *m.ap_r40;
        ++with_gt;
      }
    }
    const std::size_t counted = mean.true_positives + mean.false_positives;
    if (counted > 0) mean.precision = static_cast<double>(mean.true_positives) / counted;
    if (mean.ground_truth > 0) {
      mean.recall = static_cast<double>(mean.true_positives) / mean.ground_truth;
    }
    if (with_gt > 0) mean.ap_r40 = ap / static_cast<double>(with_gt);
    report.mean.push_back(mean);
  }
  return report;
}

namespace {

/// Camera 2 of a KITTI calibration, as the label codecs project (P2 * R0_rect, Tr_velo_to_cam).
struct KittiCamera {
  geometry::PinholeCamera camera;
  geometry::Pose T_cam_lidar = geometry::Pose::Identity();
};

std::optional<KittiCamera> kitti_camera(const formats::Sequence* sequence, std::int64_t frame) {
  if (sequence == nullptr || frame < 0) return std::nullopt;
  const formats::Calibration* calibration =
      sequence->calibration_of(static_cast<std::size_t>(frame));
  if (calibration == nullptr || !calibration->kitti) return std::nullopt;
  const formats::KittiCalib& calib = *calibration->kitti;
  KittiCamera out;
  Eigen::Matrix4d R0 = Eigen::Matrix4d::Identity();
  R0.topLeftCorner<3, 3>() = calib.R0_rect;
  out.camera.P = calib.P[2] * R0;
  out.camera.width = kImageWidth;
  out.camera.height = kImageHeight;
  out.T_cam_lidar.matrix().topRows<3>() = calib.Tr_velo_to_cam;
  return out;
}

double overlap_share(const geometry::PixelBox& box, const std::array<double, 4>& region) {
  const double area = box.area();
  if (area <= 0.0) return 0.0;
  const double w = std::min(box.right, region[2]) - std::max(box.left, region[0]);
  const double h = std::min(box.bottom, region[3]) - std::max(box.top, region[1]);
  return w > 0.0 && h > 0.0 ? w * h / area : 0.0;
}

}  // namespace

Expected<DetectionInput> detection_input(const formats::Annotations& pred,
                                         const formats::Annotations& gt,
                                         const formats::Sequence* sequence,
                                         const DetectionInputOptions& options) {
  const std::set<std::int64_t> frames(options.frames.begin(), options.frames.end());
  const std::set<std::string> classes(options.classes.begin(), options.classes.end());
  auto wanted = [&](std::int64_t frame, const std::string& label) {
    return (frames.empty() || frames.count(frame) > 0) &&
           (classes.empty() || classes.count(label) > 0);
  };
  DetectionInput input;
  auto collect = [&](const formats::Annotations& doc, bool is_pred,
                     std::vector<DetectionBox>& out) -> formats::Status {
    for (const formats::Track& track : doc.tracks) {
      for (const formats::BoxState& state : track.boxes) {
        if (!wanted(state.frame, track.label)) continue;
        DetectionBox b;
        b.frame = state.frame;
        b.label = track.label;
        if (is_pred) {
          b.score = state.score.value_or(1.0);
          if (b.score < options.min_score) continue;
        }
        auto lidar = formats::box_in_lidar(state, sequence);
        if (!lidar) return std::move(lidar).error();
        b.box = *lidar;
        if (b.box.center.head<2>().norm() > options.max_range) continue;
        if (is_pred && !state.score) ++input.unscored_predictions;
        out.push_back(std::move(b));
      }
    }
    return {};
  };
  if (formats::Status ok = collect(gt, false, input.gt); !ok) return std::move(ok).error();
  if (formats::Status ok = collect(pred, true, input.pred); !ok) return std::move(ok).error();

  if (!options.dont_care) return input;
  std::map<std::int64_t, std::vector<const formats::IgnoreRegion*>> regions;
  for (const formats::IgnoreRegion& r : gt.ignore_regions) {
    if (frames.empty() || frames.count(r.frame) > 0) {
      regions[r.frame].push_back(&r);
      ++input.dont_care_regions;
    }
  }
  std::map<std::int64_t, std::optional<KittiCamera>> cameras;
  for (DetectionBox& b : input.pred) {
    const auto r = regions.find(b.frame);
    if (r == regions.end()) continue;
    auto [camera, fresh] = cameras.try_emplace(b.frame);
    if (fresh) camera->second = kitti_camera(sequence, b.frame);
    if (!camera->second) continue;
    const geometry::ProjectedCuboid projected =
        geometry::project_cuboid(camera->second->camera, camera->second->T_cam_lidar, b.box);
    if (!projected.centre_in_front || !projected.projects()) continue;
    const geometry::PixelBox box = projected.bounds.clipped(kImageWidth, kImageHeight);
    for (const formats::IgnoreRegion* region : r->second) {
      if (overlap_share(box, region->bbox) >= kDontCareShare) {
        b.ignore = true;
        ++input.dont_care_predictions;
        break;
      }
    }
  }
  return input;
}

}  // namespace pcanno::plugin
