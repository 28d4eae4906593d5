#pragma once
#include <cstdint>
#include <vector>

#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/geometry/point_view.hpp"

namespace pcanno::geometry {

/// Point-in-box queries. Points and box must share a frame. The test is done in double precision
/// and the boundary counts as inside, so every function here agrees point for point with
/// `Cuboid::contains`. `margin` [m] grows (or, negative, shrinks) the box on every face.

/// Indices of the points inside `box`, ascending.
std::vector<std::uint32_t> points_in_cuboid(const PointView& points, const Cuboid& box,
                                            double margin = 0.0);

/// One byte per point: 1 inside, 0 outside.
std::vector<std::uint8_t> points_in_cuboid_mask(const PointView& points, const Cuboid& box,
                                                double margin = 0.0);

/// Indices of the points inside each box (`result[b]` for `boxes[b]`, ascending). Points are binned
/// once into a bird's-eye-view grid covering the boxes, so the cost grows with the points near the
/// boxes rather than with points x boxes.
std::vector<std::vector<std::uint32_t>> points_in_cuboids(const PointView& points,
                                                          const std::vector<Cuboid>& boxes,
                                                          double margin = 0.0);

/// For each point, the index of the first box (lowest index) that contains it, or -1.
std::vector<std::int32_t> box_index_per_point(const PointView& points,
                                              const std::vector<Cuboid>& boxes,
                                              double margin = 0.0);

}  // namespace pcanno::geometry
