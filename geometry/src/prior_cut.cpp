#include "prior_cut.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "cluster_grid.hpp"
#include "axis_extent.hpp"

namespace pcanno::geometry::detail {
namespace {

/// Counts on a grid and their summed-area table: the count in any rectangle of cells in constant
/// time, so that every placement of the footprint costs the same whatever the number of points.
class SummedGrid {
 public:
  SummedGrid(long nu, long nv)
      : nu_(nu), nv_(nv), s_(static_cast<std::size_t>((nu + 1) * (nv + 1)), 0.0) {}

  void clear() { std::fill(s_.begin(), s_.end(), 0.0); }
  void add(long i, long j) { ++s_[index(i + 1, j + 1)]; }
  /// Turns the counts into the table; add() must not follow.
  void integrate() {
    for (long i = 1; i <= nu_; ++i) {
      for (long j = 1; j <= nv_; ++j) {
        s_[index(i, j)] += s_[index(i - 1, j)] + s_[index(i, j - 1)] - s_[index(i - 1, j - 1)];
      }
    }
  }
  /// Sum over the cells [i0, i1) x [j0, j1), clamped to the grid.
  double sum(long i0, long i1, long j0, long j1) const {
    i0 = std::clamp(i0, 0L, nu_);
    i1 = std::clamp(i1, 0L, nu_);
    j0 = std::clamp(j0, 0L, nv_);
    j1 = std::clamp(j1, 0L, nv_);
    return s_[index(i1, j1)] - s_[index(i0, j1)] - s_[index(i1, j0)] + s_[index(i0, j0)];
  }

 private:
  std::size_t index(long i, long j) const { return static_cast<std::size_t>(i * (nv_ + 1) + j); }
  long nu_, nv_;
  std::vector<double> s_;
};

struct Placement {
  double score = -std::numeric_limits<double>::infinity();
  double off_seed = std::numeric_limits<double>::infinity();  ///< [m^2] centre to seed
  double direction = 0.0;
  long cu = 0, cv = 0;  ///< centre, grid corner
};

}  // namespace

bool fits_footprint(const std::vector<Eigen::Vector2d>& xy, double direction,
                    const PriorCutOptions& options) {
  if (xy.empty()) return true;
  const auto [e1, e2, lo1, hi1, lo2, hi2] = detail::axis_extent(xy, direction);
  const double length = options.footprint.x() * (1 + options.size_slack) + options.cell;
  const double width = options.footprint.y() * (1 + options.size_slack) + options.cell;
  const double a = hi1 - lo1;
  const double b = hi2 - lo2;
  return (a <= length && b <= width) || (a <= width && b <= length);
}

std::optional<PriorCut> cut_to_prior(const std::vector<Eigen::Vector2d>& xy,
                                     const std::vector<double>& heights,
                                     const Eigen::Vector2d& seed, const PriorCutOptions& options) {
  const double g = std::max(options.cell, 0.01);
  const double length = options.footprint.x() * (1 + options.size_slack);
  const double width = options.footprint.y() * (1 + options.size_slack);
  // In cells: the footprint's half sides, the band, and how far the centre may be from the seed.
  const long hl = std::max(1L, std::lround(length / 2 / g));
  const long hw = std::max(1L, std::lround(width / 2 / g));
  const long hb = std::max(1L, std::lround(options.band / g));
  const long su_reach = std::lround((length / 2 + options.seed_slack) / g);
  const long sv_reach = std::lround((width / 2 + options.seed_slack) / g);
  // The seed sits on the grid corner (ou, ov); every placement with its band fits in the grid.
  const long ou = su_reach + hl + hb;
  const long ov = sv_reach + hw + hb;
  // Points low on the body, higher up, and above any object of the class.
  SummedGrid low(2 * ou, 2 * ov);
  SummedGrid mid(2 * ou, 2 * ov);
  SummedGrid high(2 * ou, 2 * ov);
  const long ts = std::max(1L, std::lround(options.shell / g));

  Placement best;
  const int steps = std::max(1, static_cast<int>(std::lround(180.0 / options.angle_step)));
  for (int k = 0; k < steps; ++k) {
    const double theta = M_PI * k / steps;
    const double c = std::cos(theta);
    const double s = std::sin(theta);
    low.clear();
    mid.clear();
    high.clear();
    for (std::size_t i = 0; i < xy.size(); ++i) {
      const Eigen::Vector2d d = xy[i] - seed;
      const long iu = static_cast<long>(std::floor((d.x() * c + d.y() * s) / g)) + ou;
      const long iv = static_cast<long>(std::floor((d.y() * c - d.x() * s) / g)) + ov;
      if (iu < 0 || iv < 0 || iu >= 2 * ou || iv >= 2 * ov) continue;
      const double h = heights[i];
      (h > options.tall ? high : h < options.opaque_below ? low : mid).add(iu, iv);
    }
    low.integrate();
    mid.integrate();
    high.integrate();
    const auto body = [&](long i0, long i1, long j0, long j1) {
      return low.sum(i0, i1, j0, j1) + mid.sum(i0, i1, j0, j1);
    };
    // The sensor in grid units: which faces of a placement it sees.
    const Eigen::Vector2d to_sensor = options.sensor - seed;
    const double su = (to_sensor.x() * c + to_sensor.y() * s) / g + static_cast<double>(ou);
    const double sv = (to_sensor.y() * c - to_sensor.x() * s) / g + static_cast<double>(ov);
    for (long cu = ou - su_reach; cu <= ou + su_reach; ++cu) {
      for (long cv = ov - sv_reach; cv <= ov + sv_reach; ++cv) {
        const long u0 = cu - hl, u1 = cu + hl, v0 = cv - hw, v1 = cv + hw;
        const double in = body(u0, u1, v0, v1);
        if (in <= 0) continue;
        const double in_high = high.sum(u0, u1, v0, v1);
        const double around = body(u0 - hb, u1 + hb, v0 - hb, v1 + hb) +
                              high.sum(u0 - hb, u1 + hb, v0 - hb, v1 + hb) - in - in_high;
        double score = in - in_high - options.band_weight * around;
        if (options.opaque) {
          // The shell: the strips along the faces the sensor sees (one or two), counted once.
          long fu0 = 0, fu1 = 0, fv0 = 0, fv1 = 0;  // empty strips
          if (su < static_cast<double>(u0)) fu0 = u0, fu1 = u0 + ts;
          if (su > static_cast<double>(u1)) fu0 = u1 - ts, fu1 = u1;
          if (sv < static_cast<double>(v0)) fv0 = v0, fv1 = v0 + ts;
          if (sv > static_cast<double>(v1)) fv0 = v1 - ts, fv1 = v1;
          const auto shell = [&](const SummedGrid& grid) {
            return grid.sum(fu0, fu1, v0, v1) + grid.sum(u0, u1, fv0, fv1) -
                   grid.sum(fu0, fu1, fv0, fv1);
          };
          const double shell_low = shell(low);
          const double inner_low = low.sum(u0, u1, v0, v1) - shell_low;
          score = shell_low + shell(mid) - inner_low - in_high - options.band_weight * around;
        }
        const double du = static_cast<double>(cu - ou) * g;
        const double dv = static_cast<double>(cv - ov) * g;
        const double off_seed = du * du + dv * dv;
        if (score > best.score || (score == best.score && off_seed < best.off_seed)) {
          best = Placement{score, off_seed, theta, cu, cv};
        }
      }
    }
  }
  if (!std::isfinite(best.score)) return std::nullopt;

  PriorCut cut;
  cut.direction = best.direction;
  cut.score = best.score;
  const Eigen::Vector2d e1(std::cos(best.direction), std::sin(best.direction));
  const Eigen::Vector2d e2(-e1.y(), e1.x());
  // The placement's cells, widened by half a cell for the rounding of the grid.
  const double u0 = static_cast<double>(best.cu - ou - hl) * g - g / 2;
  const double u1 = static_cast<double>(best.cu - ou + hl) * g + g / 2;
  const double v0 = static_cast<double>(best.cv - ov - hw) * g - g / 2;
  const double v1 = static_cast<double>(best.cv - ov + hw) * g + g / 2;
  cut.centre = seed + e1 * (u0 + u1) / 2 + e2 * (v0 + v1) / 2;
  // The points inside (below `tall`) and those around them, grouped by the tight radius: a
  // group mostly outside the placement continues past it (a wall's strip, a hedge's edge) and is
  // not the object.
  const double reach = 1.0;  // [m] around the placement: enough to see a group continue
  std::vector<std::size_t> near;
  std::vector<Eigen::Vector3d> near_points;
  std::vector<char> is_inside;
  for (std::size_t i = 0; i < xy.size(); ++i) {
    const Eigen::Vector2d d = xy[i] - seed;
    const double u = d.dot(e1);
    const double v = d.dot(e2);
    if (u < u0 - reach || u > u1 + reach || v < v0 - reach || v > v1 + reach) continue;
    near.push_back(i);
    near_points.emplace_back(xy[i].x(), xy[i].y(), heights[i]);
    is_inside.push_back(u >= u0 && u <= u1 && v >= v0 && v <= v1 && heights[i] <= options.tall);
  }
  ClusterGrid groups(near_points, options.tight_radius);
  std::vector<std::size_t> inside;
  for (std::size_t k = 0; k < near.size(); ++k) {
    if (groups.taken(k)) continue;
    const std::vector<std::size_t> group = groups.grow(k);
    std::size_t in = 0;
    for (const std::size_t m : group) in += is_inside[m] != 0;
    for (const std::size_t m : group) {
      if (is_inside[m] == 0) continue;
      inside.push_back(near[m]);
      if (2 * in >= group.size()) cut.members.push_back(near[m]);
    }
  }
  if (cut.members.size() < 3) cut.members = inside;
  std::sort(cut.members.begin(), cut.members.end());
  return cut;
}

}  // namespace pcanno::geometry::detail
