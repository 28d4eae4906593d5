#include "pcanno/geometry/line_evidence.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace pcanno::geometry {

namespace {

constexpr float kNoGround = std::numeric_limits<float>::quiet_NaN();

/// Tile heights that stay NaN (no point) take the mean of their populated neighbours, a few rings
/// outward; the rest take `fallback`.
void fill_empty_tiles(std::vector<float>& tiles, long columns, long rows, float fallback) {
  for (int pass = 0; pass < 4; ++pass) {
    std::vector<float> next = tiles;
    bool changed = false;
    for (long r = 0; r < rows; ++r) {
      for (long c = 0; c < columns; ++c) {
        if (!std::isnan(tiles[static_cast<std::size_t>(r * columns + c)])) continue;
        double sum = 0.0;
        int n = 0;
        for (long dr = -1; dr <= 1; ++dr) {
          for (long dc = -1; dc <= 1; ++dc) {
            const long rr = r + dr, cc = c + dc;
            if (rr < 0 || cc < 0 || rr >= rows || cc >= columns) continue;
            const float v = tiles[static_cast<std::size_t>(rr * columns + cc)];
            if (!std::isnan(v)) sum += v, ++n;
          }
        }
        if (n > 0) {
          next[static_cast<std::size_t>(r * columns + c)] = static_cast<float>(sum / n);
          changed = true;
        }
      }
    }
    tiles.swap(next);
    if (!changed) break;
  }
  for (float& v : tiles) {
    if (std::isnan(v)) v = fallback;
  }
}

}  // namespace

LineScan::LineScan(std::vector<Eigen::Vector3d> points, std::vector<float> intensity,
                   const LineScanOptions& options)
    : options_(options) {
  if (!(options_.cell > 0.0)) options_.cell = 0.25;
  if (!(options_.ground_tile > 0.0)) options_.ground_tile = 2.0;
  const bool with_intensity = !intensity.empty() && intensity.size() == points.size();

  // Keep the finite points within range; intensity stays aligned with them.
  const double max_range2 = options_.max_range * options_.max_range;
  std::vector<float> kept_intensity;
  points_.reserve(points.size());
  if (with_intensity) kept_intensity.reserve(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Eigen::Vector3d& p = points[i];
    if (!p.allFinite() || (std::isfinite(max_range2) && p.head<2>().squaredNorm() > max_range2))
      continue;
    if (with_intensity && !std::isfinite(intensity[i])) continue;
    points_.push_back(p);
    if (with_intensity) kept_intensity.push_back(intensity[i]);
  }
  const std::size_t n = points_.size();
  if (n == 0) return;

  // Intensity as its mid-rank in the scan: ties (integer intensities) share one value.
  if (with_intensity) {
    std::vector<std::pair<float, std::uint32_t>> sorted(n);
    for (std::size_t i = 0; i < n; ++i)
      sorted[i] = {kept_intensity[i], static_cast<std::uint32_t>(i)};
    std::sort(sorted.begin(), sorted.end());
    rank_.resize(n);
    const double scale = n > 1 ? 1.0 / static_cast<double>(n - 1) : 0.0;
    for (std::size_t first = 0; first < n;) {
      std::size_t last = first;
      while (last + 1 < n && sorted[last + 1].first == sorted[first].first) ++last;
      const float mid = static_cast<float>(0.5 * static_cast<double>(first + last) * scale);
      for (std::size_t k = first; k <= last; ++k) rank_[sorted[k].second] = mid;
      first = last + 1;
    }
  }

  // The xy grid, by counting sort.
  Eigen::Vector2d lo = points_[0].head<2>(), hi = lo;
  for (const auto& p : points_) {
    lo = lo.cwiseMin(p.head<2>());
    hi = hi.cwiseMax(p.head<2>());
  }
  origin_ = lo;
  // The grid only buckets points (searches test the exact shape), so a huge extent (a
  // georeferenced tile without a range limit) may take coarser cells to bound the memory.
  constexpr double kMaxCells = 4.0e6;
  const Eigen::Vector2d extent = hi - lo;
  const double cells_at_option =
      (extent.x() / options_.cell + 1.0) * (extent.y() / options_.cell + 1.0);
  if (cells_at_option > kMaxCells) {
    options_.cell =
        std::sqrt((extent.x() + options_.cell) * (extent.y() + options_.cell) / kMaxCells);
  }
  const double cell = options_.cell;
  columns_ = static_cast<long>(std::floor((hi.x() - lo.x()) / cell)) + 1;
  rows_ = static_cast<long>(std::floor((hi.y() - lo.y()) / cell)) + 1;
  const std::size_t cells = static_cast<std::size_t>(columns_ * rows_);
  std::vector<std::uint32_t> cell_of(n);
  begin_.assign(cells + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t c = static_cast<std::size_t>(clamp_row(points_[i].y()) * columns_ +
                                                   clamp_column(points_[i].x()));
    cell_of[i] = static_cast<std::uint32_t>(c);
    ++begin_[c + 1];
  }
  for (std::size_t c = 0; c < cells; ++c) begin_[c + 1] += begin_[c];
  order_.resize(n);
  std::vector<std::uint32_t> fill(begin_.begin(), begin_.end() - 1);
  for (std::size_t i = 0; i < n; ++i) order_[fill[cell_of[i]]++] = static_cast<std::uint32_t>(i);

  // Local ground: a low percentile of z per tile, so that "on the ground" follows slopes and
  // the road stays the reference beside a raised sidewalk.
  // Likewise the ground tiles, fewer still: a tile's ground is a percentile of its points.
  constexpr double kMaxTiles = 2.5e5;
  tile_ = options_.ground_tile;
  if ((extent.x() / tile_ + 1.0) * (extent.y() / tile_ + 1.0) > kMaxTiles) {
    tile_ = std::sqrt((extent.x() + tile_) * (extent.y() + tile_) / kMaxTiles);
  }
  tile_columns_ = static_cast<long>(std::floor((hi.x() - lo.x()) / tile_)) + 1;
  tile_rows_ = static_cast<long>(std::floor((hi.y() - lo.y()) / tile_)) + 1;
  const std::size_t tiles = static_cast<std::size_t>(tile_columns_ * tile_rows_);
  std::vector<std::uint32_t> tile_begin(tiles + 1, 0);
  std::vector<std::uint32_t> tile_of(n);
  for (std::size_t i = 0; i < n; ++i) {
    const long c =
        std::clamp(static_cast<long>((points_[i].x() - lo.x()) / tile_), 0L, tile_columns_ - 1);
    const long r =
        std::clamp(static_cast<long>((points_[i].y() - lo.y()) / tile_), 0L, tile_rows_ - 1);
    tile_of[i] = static_cast<std::uint32_t>(r * tile_columns_ + c);
    ++tile_begin[tile_of[i] + 1];
  }
  for (std::size_t t = 0; t < tiles; ++t) tile_begin[t + 1] += tile_begin[t];
  std::vector<float> z_by_tile(n);
  std::vector<std::uint32_t> tile_fill(tile_begin.begin(), tile_begin.end() - 1);
  for (std::size_t i = 0; i < n; ++i)
    z_by_tile[tile_fill[tile_of[i]]++] = static_cast<float>(points_[i].z());
  tile_ground_.assign(tiles, kNoGround);
  const double q = std::clamp(options_.ground_percentile, 0.0, 1.0);
  for (std::size_t t = 0; t < tiles; ++t) {
    const std::size_t count = tile_begin[t + 1] - tile_begin[t];
    if (count < 3) continue;  // a stray return is no ground
    auto first = z_by_tile.begin() + tile_begin[t];
    auto nth = first + static_cast<long>(q * static_cast<double>(count - 1));
    std::nth_element(first, nth, first + static_cast<long>(count));
    tile_ground_[t] = *nth;
  }
  auto nth = z_by_tile.begin() + static_cast<long>(q * static_cast<double>(n - 1));
  std::nth_element(z_by_tile.begin(), nth, z_by_tile.end());
  fill_empty_tiles(tile_ground_, tile_columns_, tile_rows_, *nth);
}

long LineScan::clamp_column(double x) const {
  const double c = std::floor((x - origin_.x()) / options_.cell);
  return static_cast<long>(std::clamp(c, 0.0, static_cast<double>(columns_ - 1)));
}

long LineScan::clamp_row(double y) const {
  const double r = std::floor((y - origin_.y()) / options_.cell);
  return static_cast<long>(std::clamp(r, 0.0, static_cast<double>(rows_ - 1)));
}

std::optional<double> LineScan::ground_z(double x, double y) const {
  if (tile_ground_.empty() || !std::isfinite(x) || !std::isfinite(y)) return std::nullopt;
  const double c = std::floor((x - origin_.x()) / tile_);
  const double r = std::floor((y - origin_.y()) / tile_);
  if (c < 0 || r < 0 || c >= static_cast<double>(tile_columns_) ||
      r >= static_cast<double>(tile_rows_)) {
    return std::nullopt;
  }
  return tile_ground_[static_cast<std::size_t>(static_cast<long>(r) * tile_columns_ +
                                               static_cast<long>(c))];
}

}  // namespace pcanno::geometry
