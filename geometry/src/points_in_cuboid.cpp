#include "pcanno/geometry/points_in_cuboid.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "box_test.hpp"
#include "chunked_scan.hpp"

namespace pcanno::geometry {
namespace {

struct Bounds3 {
  double min_x = std::numeric_limits<double>::infinity();
  double min_y = std::numeric_limits<double>::infinity();
  double max_x = -std::numeric_limits<double>::infinity();
  double max_y = -std::numeric_limits<double>::infinity();
  double min_z = std::numeric_limits<double>::infinity();
  double max_z = -std::numeric_limits<double>::infinity();

  void extend(const Eigen::Vector3d& p) {
    min_x = std::min(min_x, p.x());
    max_x = std::max(max_x, p.x());
    min_y = std::min(min_y, p.y());
    max_y = std::max(max_y, p.y());
    min_z = std::min(min_z, p.z());
    max_z = std::max(max_z, p.z());
  }
  void extend(const Bounds3& o) {
    min_x = std::min(min_x, o.min_x);
    max_x = std::max(max_x, o.max_x);
    min_y = std::min(min_y, o.min_y);
    max_y = std::max(max_y, o.max_y);
    min_z = std::min(min_z, o.min_z);
    max_z = std::max(max_z, o.max_z);
  }
};

Bounds3 grown_bounds(const Cuboid& box, double margin) {
  Cuboid grown = box;
  grown.size = (box.size + Eigen::Vector3d::Constant(2.0 * margin)).cwiseMax(0.0);
  Bounds3 bounds;
  for (const Eigen::Vector3d& c : grown.corners()) bounds.extend(c);
  // Pad by a hair so that rounding in corners() can never drop a boundary point the exact test
  // accepts.
  const double pad = 1e-9 * (1.0 + std::abs(bounds.max_x) + std::abs(bounds.max_y) +
                             std::abs(bounds.min_x) + std::abs(bounds.min_y));
  bounds.min_x -= pad;
  bounds.min_y -= pad;
  bounds.max_x += pad;
  bounds.max_y += pad;
  bounds.min_z -= pad;
  bounds.max_z += pad;
  return bounds;
}

/// Points binned into a regular bird's-eye-view grid (compressed rows: cell_start / point_index).
class BevGrid {
 public:
  BevGrid(const PointView& points, const Bounds3& region) : region_(region) {
    const double width = std::max(region.max_x - region.min_x, 1e-6);
    const double height = std::max(region.max_y - region.min_y, 1e-6);
    // Cells of about a metre keep each box to a handful of cells; cap the grid at ~1M cells.
    cell_ = 1.0;
    while ((width / cell_ + 1.0) * (height / cell_ + 1.0) > double(1 << 20)) cell_ *= 2.0;
    nx_ = static_cast<int>(std::floor(width / cell_)) + 1;
    ny_ = static_cast<int>(std::floor(height / cell_)) + 1;

    std::vector<std::int32_t> cell_of(points.size, -1);
    cell_start_.assign(static_cast<std::size_t>(nx_) * ny_ + 1, 0);
    for (std::size_t i = 0; i < points.size; ++i) {
      const std::size_t k = i * points.stride;
      const double px = points.x[k], py = points.y[k], pz = points.z[k];
      // Written so that NaN coordinates fail every comparison and are skipped.
      if (!(px >= region.min_x && px <= region.max_x && py >= region.min_y && py <= region.max_y &&
            pz >= region.min_z && pz <= region.max_z)) {
        continue;
      }
      const int cx = cell_x(px), cy = cell_y(py);
      cell_of[i] = cy * nx_ + cx;
      ++cell_start_[cell_of[i] + 1];
    }
    for (std::size_t c = 1; c < cell_start_.size(); ++c) cell_start_[c] += cell_start_[c - 1];
    point_index_.resize(cell_start_.back());
    std::vector<std::uint32_t> fill(cell_start_.begin(), cell_start_.end() - 1);
    for (std::size_t i = 0; i < points.size; ++i) {
      if (cell_of[i] >= 0) point_index_[fill[cell_of[i]]++] = static_cast<std::uint32_t>(i);
    }
  }

  /// Calls `visit(index)` for every binned point in cells touching `bounds`.
  template <typename Visit>
  void for_each_candidate(const Bounds3& bounds, Visit&& visit) const {
    const int x0 = cell_x(std::max(bounds.min_x, region_.min_x));
    const int x1 = cell_x(std::min(bounds.max_x, region_.max_x));
    const int y0 = cell_y(std::max(bounds.min_y, region_.min_y));
    const int y1 = cell_y(std::min(bounds.max_y, region_.max_y));
    for (int cy = y0; cy <= y1; ++cy) {
      const std::uint32_t begin = cell_start_[cy * nx_ + x0];
      const std::uint32_t end = cell_start_[cy * nx_ + x1 + 1];
      for (std::uint32_t j = begin; j < end; ++j) visit(point_index_[j]);
    }
  }

 private:
  int cell_x(double x) const {
    return std::clamp(static_cast<int>((x - region_.min_x) / cell_), 0, nx_ - 1);
  }
  int cell_y(double y) const {
    return std::clamp(static_cast<int>((y - region_.min_y) / cell_), 0, ny_ - 1);
  }

  Bounds3 region_;
  double cell_ = 1.0;
  int nx_ = 1, ny_ = 1;
  std::vector<std::uint32_t> cell_start_;
  std::vector<std::uint32_t> point_index_;
};

/// A box's axis-aligned bounds rounded outward to float, so that a float comparison against them
/// rejects only points the exact double-precision test would reject too.
struct FloatBounds {
  float lo[3];
  float hi[3];
};

FloatBounds float_bounds(const Bounds3& b) {
  const double lo[3] = {b.min_x, b.min_y, b.min_z};
  const double hi[3] = {b.max_x, b.max_y, b.max_z};
  FloatBounds out;
  for (int k = 0; k < 3; ++k) {
    if (std::isnan(lo[k]) || std::isnan(hi[k])) {  // no usable bounds: let every point through
      out.lo[k] = -std::numeric_limits<float>::infinity();
      out.hi[k] = std::numeric_limits<float>::infinity();
      continue;
    }
    out.lo[k] = static_cast<float>(lo[k]);
    if (static_cast<double>(out.lo[k]) > lo[k]) {
      out.lo[k] = std::nextafter(out.lo[k], -std::numeric_limits<float>::infinity());
    }
    out.hi[k] = static_cast<float>(hi[k]);
    if (static_cast<double>(out.hi[k]) < hi[k]) {
      out.hi[k] = std::nextafter(out.hi[k], std::numeric_limits<float>::infinity());
    }
  }
  return out;
}

/// Calls `accept(i)` for every point inside `box`, in ascending order. A float bounding-box pass
/// rejects most points before the exact test.
template <typename Accept>
void for_each_point_inside(const PointView& points, const Cuboid& box, double margin,
                           Accept&& accept) {
  const detail::BoxTest test(box, margin);
  const FloatBounds fb = float_bounds(grown_bounds(box, margin));
  const float x_lo = fb.lo[0], x_hi = fb.hi[0], y_lo = fb.lo[1], y_hi = fb.hi[1];
  const float z_lo = fb.lo[2], z_hi = fb.hi[2];
  detail::for_each_candidate(
      points,
      [=](float x, float y, float z) {
        return (x >= x_lo) & (x <= x_hi) & (y >= y_lo) & (y <= y_hi) & (z >= z_lo) & (z <= z_hi);
      },
      [&](std::size_t i) {
        const std::size_t k = i * points.stride;
        if (test.inside(points.x[k], points.y[k], points.z[k])) accept(i);
      });
}

}  // namespace

std::vector<std::uint32_t> points_in_cuboid(const PointView& points, const Cuboid& box,
                                            double margin) {
  std::vector<std::uint32_t> out;
  for_each_point_inside(points, box, margin,
                        [&](std::size_t i) { out.push_back(static_cast<std::uint32_t>(i)); });
  return out;
}

std::vector<std::uint8_t> points_in_cuboid_mask(const PointView& points, const Cuboid& box,
                                                double margin) {
  std::vector<std::uint8_t> mask(points.size, 0);
  for_each_point_inside(points, box, margin, [&](std::size_t i) { mask[i] = 1; });
  return mask;
}

std::vector<std::vector<std::uint32_t>> points_in_cuboids(const PointView& points,
                                                          const std::vector<Cuboid>& boxes,
                                                          double margin) {
  std::vector<std::vector<std::uint32_t>> out(boxes.size());
  if (boxes.empty() || points.size == 0) return out;

  std::vector<Bounds3> bounds;
  bounds.reserve(boxes.size());
  Bounds3 region;
  for (const Cuboid& box : boxes) {
    bounds.push_back(grown_bounds(box, margin));
    region.extend(bounds.back());
  }
  if (!std::isfinite(region.min_x + region.max_x + region.min_y + region.max_y)) {
    // A box with non-finite coordinates has no well-defined cell; fall back to the direct test.
    for (std::size_t b = 0; b < boxes.size(); ++b)
      out[b] = points_in_cuboid(points, boxes[b], margin);
    return out;
  }

  const BevGrid grid(points, region);
  // Hits come cell by cell, not in index order. A bitmap over the points puts them back in order in
  // O(range / 64 + hits), where sorting cost O(hits log hits) and dominated the query.
  std::vector<std::uint64_t> bitmap((points.size + 63) / 64, 0);
  std::vector<std::uint32_t> hits;
  for (std::size_t b = 0; b < boxes.size(); ++b) {
    const detail::BoxTest test(boxes[b], margin);
    const FloatBounds fb = float_bounds(bounds[b]);
    hits.clear();
    grid.for_each_candidate(bounds[b], [&](std::uint32_t i) {
      const std::size_t k = i * points.stride;
      const float x = points.x[k], y = points.y[k], z = points.z[k];
      if (!(x >= fb.lo[0] && x <= fb.hi[0] && y >= fb.lo[1] && y <= fb.hi[1] && z >= fb.lo[2] &&
            z <= fb.hi[2])) {
        return;
      }
      if (test.inside(x, y, z)) hits.push_back(i);
    });
    std::vector<std::uint32_t>& sorted = out[b];
    sorted.reserve(hits.size());
    if (hits.size() < 64) {
      sorted = hits;
      std::sort(sorted.begin(), sorted.end());
      continue;
    }
    std::uint32_t lo = hits.front(), hi = hits.front();
    for (std::uint32_t i : hits) {
      bitmap[i / 64] |= std::uint64_t{1} << (i % 64);
      lo = std::min(lo, i);
      hi = std::max(hi, i);
    }
    for (std::size_t w = lo / 64; w <= hi / 64; ++w) {
      std::uint64_t word = bitmap[w];
      bitmap[w] = 0;
      while (word != 0) {
        sorted.push_back(static_cast<std::uint32_t>(w * 64 + __builtin_ctzll(word)));
        word &= word - 1;
      }
    }
  }
  return out;
}

std::vector<std::int32_t> box_index_per_point(const PointView& points,
                                              const std::vector<Cuboid>& boxes, double margin) {
  std::vector<std::int32_t> labels(points.size, -1);
  const auto per_box = points_in_cuboids(points, boxes, margin);
  for (std::size_t b = 0; b < per_box.size(); ++b) {
    for (std::uint32_t i : per_box[b]) {
      if (labels[i] < 0) labels[i] = static_cast<std::int32_t>(b);
    }
  }
  return labels;
}

}  // namespace pcanno::geometry
