// The cross-section search of line evidence (line_evidence.hpp): the scan's near-ground points
// in a short window along the line are binned across it, and the profile (mean intensity rank for
// a marking, median height for a curb) is searched for the feature nearest the station.

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "pcanno/geometry/line_evidence.hpp"

namespace pcanno::geometry {

namespace {

/// The binned cross-section; bin k covers offsets [(k - half) * bin, (k - half + 1) * bin).
struct Profile {
  double bin = 0.05;
  int half = 0;
  std::vector<int> count;                 ///< near-ground points per bin
  std::vector<int> above;                 ///< points above the ground band (objects, walls) per bin
  std::vector<double> sum_rank;           ///< marking
  std::vector<std::vector<float>> ranks;  ///< marking: intensity ranks per bin
  std::vector<double> sum_z;
  std::vector<std::vector<float>> z;  ///< curb: heights per bin

  int size() const { return static_cast<int>(count.size()); }
  double center(int k) const { return (k - half + 0.5) * bin; }
};

/// P(X >= k) for X ~ Binomial(n, p).
double binomial_tail(int n, int k, double p) {
  if (k <= 0) return 1.0;
  if (k > n) return 0.0;
  double log_term = k * std::log(p) + (n - k) * std::log1p(-p);  // C(n, k) p^k (1-p)^(n-k)
  for (int i = 0; i < k; ++i) log_term += std::log(static_cast<double>(n - i) / (i + 1));
  double sum = 0.0;
  for (int j = k; j <= n; ++j) {
    sum += std::exp(log_term);
    log_term += std::log(static_cast<double>(n - j) / (j + 1)) + std::log(p) - std::log1p(-p);
  }
  return std::min(sum, 1.0);
}

double median_inplace(std::vector<double>& v) {
  auto mid = v.begin() + static_cast<long>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

Profile build_profile(const LineScan& scan, const Eigen::Vector2d& station,
                      const Eigen::Vector2d& d, const Eigen::Vector2d& n, double reach,
                      double ground, bool heights, const CrossSectionOptions& o) {
  Profile prof;
  prof.bin = o.bin > 0.0 ? o.bin : 0.05;
  prof.half = static_cast<int>(std::ceil(reach / prof.bin));
  const std::size_t bins = static_cast<std::size_t>(2 * prof.half);
  prof.count.assign(bins, 0);
  prof.above.assign(bins, 0);
  prof.sum_rank.assign(bins, 0.0);
  if (!heights) prof.ranks.assign(bins, {});
  prof.sum_z.assign(bins, 0.0);
  if (heights) prof.z.assign(bins, {});
  const double length = std::max(o.half_length, 0.0);
  const Eigen::Vector2d ext = d.cwiseAbs() * length + n.cwiseAbs() * reach;
  const double band = scan.options().ground_band;
  const auto& points = scan.points();
  const auto& rank = scan.intensity_rank();
  scan.for_each_in_rect(station - ext, station + ext, [&](std::uint32_t i) {
    const Eigen::Vector3d& p = points[i];
    const Eigen::Vector2d r = p.head<2>() - station;
    if (std::abs(r.dot(d)) > length) return;
    const double u = r.dot(n);
    const long k = static_cast<long>(std::floor(u / prof.bin)) + prof.half;
    if (k < 0 || k >= static_cast<long>(bins)) return;
    const std::size_t b = static_cast<std::size_t>(k);
    const double dz = p.z() - ground;
    if (dz > band) {
      if (dz < 2.0) ++prof.above[b];
      return;
    }
    if (dz < -band) return;
    ++prof.count[b];
    prof.sum_z[b] += p.z();
    if (!rank.empty()) {
      prof.sum_rank[b] += rank[i];
      if (!heights) prof.ranks[b].push_back(rank[i]);
    }
    if (heights) prof.z[b].push_back(static_cast<float>(p.z()));
  });
  return prof;
}

/// Ridges of intensity rank: local maxima of the (3-bin smoothed) profile that stand out from the
/// section's median by min_contrast, bounded by darker ground on both sides, of a marking's width.
std::vector<CrossSectionHit> find_ridges(const Profile& prof, const CrossSectionOptions& o) {
  std::vector<CrossSectionHit> hits;
  std::vector<float> scratch;
  const int bins = prof.size();
  std::vector<double> s(static_cast<std::size_t>(bins), -1.0);  // -1: no data
  std::vector<double> valid;
  for (int k = 0; k < bins; ++k) {
    double sum = 0.0;
    int cnt = 0;
    for (int j = std::max(0, k - 1); j <= std::min(bins - 1, k + 1); ++j) {
      sum += prof.sum_rank[static_cast<std::size_t>(j)];
      cnt += prof.count[static_cast<std::size_t>(j)];
    }
    if (prof.count[static_cast<std::size_t>(k)] == 0 || cnt == 0) continue;
    s[static_cast<std::size_t>(k)] = sum / cnt;
    valid.push_back(sum / cnt);
  }
  if (valid.size() < 6) return hits;  // too little ground seen
  const double background = median_inplace(valid);
  const int side_bins = std::max(2, static_cast<int>(std::lround(o.side_width / prof.bin)));
  auto at = [&](int k) { return (k < 0 || k >= bins) ? -1.0 : s[static_cast<std::size_t>(k)]; };
  int covered_to = -1;  // plateaus: one ridge per run of bins
  for (int k = 0; k < bins; ++k) {
    const double peak = at(k);
    if (peak < 0.0 || k <= covered_to || peak - background < o.min_contrast) continue;
    if (peak < at(k - 1) || peak < at(k + 1)) continue;
    const double half_max = background + 0.5 * (peak - background);
    // Extend over bins at or above half maximum; one empty bin inside the ridge is tolerated.
    auto extend = [&](int from, int step) {
      int last = from;
      for (int j = from + step; j >= 0 && j < bins; j += step) {
        const double v = at(j);
        if (v >= half_max) {
          last = j;
        } else if (v < 0.0 && at(j + step) >= half_max) {
          continue;
        } else {
          break;
        }
      }
      return last;
    };
    const int lo = extend(k, -1), hi = extend(k, +1);
    covered_to = hi;
    const double width = (hi - lo + 1) * prof.bin;
    if (width < o.min_marking_width || width > o.max_marking_width) continue;
    // Darker ground on both sides, or this is the edge of a bright area.
    auto darker = [&](int from, int step) {
      int n = 0;
      for (int j = from; j >= 0 && j < bins && std::abs(j - from) < side_bins; j += step) {
        if (at(j) >= 0.0 && at(j) < half_max) ++n;
      }
      return n;
    };
    if (darker(lo - 1, -1) < 1 || darker(hi + 1, +1) < 1) continue;
    // Significance against the rest of the section, from the raw points: how many of the
    // ridge's points are brighter than almost all of the ground beside it (its 95th percentile;
    // bins as bright as this ridge, such as a second line, are not ground).
    // Under no marking each one is with probability 0.05; the binomial tail of the count is
    // the chance that noise made this ridge. A few bright returns in sparse bins are noise, a
    // painted line is many of them.
    std::vector<float>& out = scratch;
    out.clear();
    double in_sum = 0.0, out_sum = 0.0;
    int in_n = 0;
    for (int j = 0; j < bins; ++j) {
      const std::size_t b = static_cast<std::size_t>(j);
      if (j >= lo && j <= hi) {
        in_sum += prof.sum_rank[b];
        in_n += prof.count[b];
      } else if ((j < lo - 1 || j > hi + 1) && at(j) < half_max) {  // not another ridge
        out_sum += prof.sum_rank[b];
        out.insert(out.end(), prof.ranks[b].begin(), prof.ranks[b].end());
      }
    }
    if (in_n < o.min_marking_points || static_cast<int>(out.size()) < 4 * o.min_marking_points)
      continue;
    const double contrast = in_sum / in_n - out_sum / static_cast<double>(out.size());
    if (contrast < o.min_contrast) continue;
    auto q95 = out.begin() + static_cast<long>(0.95 * static_cast<double>(out.size() - 1));
    std::nth_element(out.begin(), q95, out.end());
    const float bright_above = *q95;
    int bright = 0;
    for (int j = lo; j <= hi; ++j) {
      for (float r : prof.ranks[static_cast<std::size_t>(j)]) bright += r > bright_above ? 1 : 0;
    }
    if (binomial_tail(in_n, bright, 0.05) > o.max_false_alarm) continue;
    double wsum = 0.0, usum = 0.0, zsum = 0.0;
    int zcount = 0;
    for (int j = lo; j <= hi; ++j) {
      const double v = at(j);
      if (v < 0.0) continue;
      const double w = v - half_max + 1e-3;
      wsum += w;
      usum += w * prof.center(j);
      zsum += prof.sum_z[static_cast<std::size_t>(j)];
      zcount += prof.count[static_cast<std::size_t>(j)];
    }
    CrossSectionHit hit;
    hit.offset = usum / wsum;
    hit.z = zsum / std::max(zcount, 1);
    hit.strength = contrast;
    hits.push_back(hit);
  }
  return hits;
}

/// Height steps: boundaries with a flat level on either side (beyond a transition zone for the
/// curb's face) whose heights differ by a curb's height; the edge is where the profile crosses
/// the mid-height between the levels.
std::vector<CrossSectionHit> find_steps(Profile& prof, const CrossSectionOptions& o,
                                        int lower_side) {
  std::vector<CrossSectionHit> hits;
  const int bins = prof.size();
  std::vector<double> h(static_cast<std::size_t>(bins), 0.0);
  std::vector<char> ok(static_cast<std::size_t>(bins), 0);
  std::vector<double> tmp;
  for (int k = 0; k < bins; ++k) {
    auto& zs = prof.z[static_cast<std::size_t>(k)];
    if (zs.empty()) continue;
    tmp.assign(zs.begin(), zs.end());
    h[static_cast<std::size_t>(k)] = median_inplace(tmp);
    ok[static_cast<std::size_t>(k)] = 1;
  }
  const int side_bins = std::max(3, static_cast<int>(std::lround(o.side_width / prof.bin)));
  const int trans = std::max(1, static_cast<int>(std::lround(o.curb_transition / prof.bin)));
  struct Level {
    bool ok = false;
    double z = 0.0;
  };
  // A flat level over bins [from, to): enough bins seen, a small spread, no object standing on it.
  auto level = [&](int from, int to) {
    Level result;
    std::vector<double> zs;
    int count = 0, above = 0;
    for (int j = std::max(from, 0); j < std::min(to, bins); ++j) {
      count += prof.count[static_cast<std::size_t>(j)];
      above += prof.above[static_cast<std::size_t>(j)];
      if (ok[static_cast<std::size_t>(j)]) zs.push_back(h[static_cast<std::size_t>(j)]);
    }
    if (static_cast<int>(zs.size()) * 2 < to - from || above * 3 > count + above) return result;
    std::sort(zs.begin(), zs.end());
    const std::size_t lo = zs.size() / 5, hi = zs.size() - 1 - zs.size() / 5;
    if (zs[hi] - zs[lo] > o.max_side_spread) return result;
    result.ok = true;
    result.z = zs[zs.size() / 2];
    return result;
  };
  struct Candidate {
    int boundary = 0;
    double step = 0.0;
    double low = 0.0, high = 0.0;
  };
  std::vector<Candidate> run;
  auto close_run = [&]() {
    if (run.empty()) return;
    const Candidate best = *std::max_element(
        run.begin(), run.end(),
        [](const auto& a, const auto& b) { return std::abs(a.step) < std::abs(b.step); });
    run.clear();
    const double mid = 0.5 * (best.low + best.high);
    const int toward_high = best.step > 0.0 ? +1 : -1;  // + when the high level is at +offset
    // Walk from the low side across the face to the first bin at or above mid-height.
    const int start = best.boundary - toward_high * (trans + 1) - (toward_high > 0 ? 0 : 1);
    double offset = (best.boundary - prof.half) * prof.bin;
    int prev = -1;
    for (int j = start, steps = 0; j >= 0 && j < bins && steps <= 2 * trans + 2;
         j += toward_high, ++steps) {
      if (!ok[static_cast<std::size_t>(j)]) continue;
      const double v = h[static_cast<std::size_t>(j)];
      if (v >= mid) {
        if (prev >= 0) {
          const double pv = h[static_cast<std::size_t>(prev)];
          const double t = std::clamp((mid - pv) / std::max(v - pv, 1e-6), 0.0, 1.0);
          offset = prof.center(prev) + t * (prof.center(j) - prof.center(prev));
        } else {
          offset = prof.center(j);
        }
        break;
      }
      prev = j;
    }
    CrossSectionHit hit;
    hit.offset = offset;
    hit.z = best.low;
    hit.strength = std::abs(best.step);
    hit.lower_side = best.step > 0.0 ? -1 : +1;
    hits.push_back(hit);
  };
  for (int b = 1; b < bins; ++b) {
    const Level left = level(b - trans - side_bins, b - trans);
    const Level right = level(b + trans, b + trans + side_bins);
    bool found = false;
    if (left.ok && right.ok) {
      const double step = right.z - left.z;
      const int lower = step > 0.0 ? -1 : +1;
      if (std::abs(step) >= o.min_step && std::abs(step) <= o.max_step &&
          (lower_side == 0 || lower == lower_side)) {
        run.push_back({b, step, std::min(left.z, right.z), std::max(left.z, right.z)});
        found = true;
      }
    }
    if (!found) close_run();
  }
  close_run();
  return hits;
}

}  // namespace

std::vector<CrossSectionHit> find_all_across(const LineScan& scan, const Eigen::Vector2d& station,
                                             const Eigen::Vector2d& direction, LineFeature feature,
                                             double max_offset, const CrossSectionOptions& options,
                                             int lower_side) {
  std::vector<CrossSectionHit> hits;
  if (!station.allFinite() || !direction.allFinite() || direction.squaredNorm() <= 1e-18) {
    return hits;
  }
  if (feature == LineFeature::kMarking && !scan.has_intensity()) return hits;
  const std::optional<double> ground = scan.ground_z(station.x(), station.y());
  if (!ground) return hits;
  const Eigen::Vector2d d = direction.normalized();
  const Eigen::Vector2d n(-d.y(), d.x());
  max_offset = std::max(max_offset, 0.0);
  const bool curb = feature == LineFeature::kCurb;
  const double reach = max_offset + options.side_width +
                       (curb ? options.curb_transition + options.bin : options.max_marking_width);
  Profile prof = build_profile(scan, station, d, n, reach, *ground, curb, options);
  hits = curb ? find_steps(prof, options, lower_side) : find_ridges(prof, options);
  hits.erase(
      std::remove_if(hits.begin(), hits.end(),
                     [&](const CrossSectionHit& h) { return std::abs(h.offset) > max_offset; }),
      hits.end());
  std::sort(hits.begin(), hits.end(), [](const CrossSectionHit& a, const CrossSectionHit& b) {
    return std::abs(a.offset) < std::abs(b.offset);
  });
  return hits;
}

std::optional<CrossSectionHit> find_across(const LineScan& scan, const Eigen::Vector2d& station,
                                           const Eigen::Vector2d& direction, LineFeature feature,
                                           double max_offset, const CrossSectionOptions& options,
                                           int lower_side) {
  const std::vector<CrossSectionHit> hits =
      find_all_across(scan, station, direction, feature, max_offset, options, lower_side);
  if (hits.empty()) return std::nullopt;
  return hits.front();
}

}  // namespace pcanno::geometry
