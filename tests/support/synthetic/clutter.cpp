// Opt-in street clutter for the synthetic scenes (ScenarioOptions::clutter): the unlabelled
// structure that a classical detector mistakes for vehicles on real streets (KITTI's residential
// scenes), and the vehicles it gets wrong. It draws from its own random stream, so the scenes
// without clutter stay byte-identical.
#include <algorithm>
#include <cmath>

#include "synthetic/scene.hpp"

namespace pcanno::synthetic::detail {
namespace {

using L = StreetLayout;

constexpr double kGround = L::kKerbHeight;  ///< [m] the pavement under the clutter

Prism porous(Prism p, double penetration, double pass_through) {
  p.penetration = penetration;
  p.pass_through = pass_through;
  return p;
}

/// A hedge along the kerb, right behind the parked cars (0.3-0.5 m from their outer side).
void hedge(StaticsData& s, double x, double side, Random& rng) {
  const double length = rng.uniform(3.0, 12.0);
  const double thickness = rng.uniform(0.5, 0.9);
  const double y = L::kKerbY + rng.uniform(0.1, 0.3) + 0.5 * thickness;
  s.prisms.push_back(porous(make_box({x + 0.5 * length, side * y}, 0.5 * length, 0.5 * thickness,
                                     0.0, kGround, kGround + rng.uniform(0.9, 1.7), 0.15),
                            0.2, 0.05));
}

/// A round bush beside the kerb.
void bush(StaticsData& s, double x, double side, Random& rng) {
  const double r = rng.uniform(0.5, 1.1);
  s.prisms.push_back(porous(make_cylinder({x + r, side * (L::kKerbY + 0.2 + r)}, r, kGround,
                                          kGround + rng.uniform(0.8, 2.2), 0.18),
                            0.3, 0.1));
}

/// A garage or shed on the pavement strip, 2-2.9 m tall (the size of a van), sometimes with its
/// door set back between two pillars.
void shed(StaticsData& s, double x, double side, Random& rng) {
  const double length = rng.uniform(2.5, 6.0);
  const double depth = rng.uniform(1.8, 2.8);
  const double top = kGround + rng.uniform(2.0, 2.9);
  const double reflectance = rng.uniform(0.2, 0.5);
  const double y_in = L::kFacadeY - 0.1 - depth;  // the face towards the road, at |y|
  if (rng.chance(0.5)) {
    const double recess = rng.uniform(0.3, 0.6);
    s.prisms.push_back(make_box({x + 0.5 * length, side * (y_in + recess + 0.5 * (depth - recess))},
                                0.5 * length, 0.5 * (depth - recess), 0.0, kGround, top,
                                reflectance));
    for (const double px : {x + 0.15, x + length - 0.15}) {
      s.prisms.push_back(make_box({px, side * (y_in + 0.5 * recess)}, 0.15, 0.5 * recess, 0.0,
                                  kGround, top, reflectance));
    }
  } else {
    s.prisms.push_back(make_box({x + 0.5 * length, side * (y_in + 0.5 * depth)}, 0.5 * length,
                                0.5 * depth, 0.0, kGround, top, reflectance));
  }
}

/// A house front that steps out of the building line: two porch blocks with a recessed doorway
/// between them.
void house_front(StaticsData& s, double x, double side, Random& rng) {
  const double depth = rng.uniform(0.8, 2.0);
  const double top = kGround + rng.uniform(2.4, 4.0);
  const double door = rng.uniform(1.0, 1.6);
  const double reflectance = rng.uniform(0.25, 0.5);
  const double y = L::kFacadeY - 0.5 * depth;
  double cursor = x;
  for (int part = 0; part < 2; ++part) {
    const double length = rng.uniform(1.5, 3.5);
    s.prisms.push_back(make_box({cursor + 0.5 * length, side * y}, 0.5 * length, 0.5 * depth, 0.0,
                                kGround, top, reflectance));
    cursor += length + door;
  }
  // The recessed door itself, half a porch deeper.
  s.prisms.push_back(make_box({cursor - door - 0.5 * door, side * (y + 0.25 * depth)}, 0.5 * door,
                              0.25 * depth, 0.0, kGround, top - 0.3, reflectance));
}

/// A row of parked bicycles across the pavement: thin, see-through frames 0.6-0.8 m apart.
void bicycles(StaticsData& s, double x, double side, Random& rng) {
  const int n = 4 + static_cast<int>(rng.uniform(0.0, 6.0));
  const double y = rng.uniform(10.4, 11.3);
  const double spacing = rng.uniform(0.6, 0.8);
  for (int i = 0; i < n; ++i) {
    const double yaw = 0.5 * M_PI + rng.uniform(-0.15, 0.15);
    s.prisms.push_back(porous(make_box({x + i * spacing, side * y}, 0.85, 0.04, yaw,
                                       kGround + 0.05, kGround + rng.uniform(0.95, 1.1), 0.3),
                              0.0, 0.55));
  }
}

/// Benches, bins, cabinets, a bus shelter, an advertising column.
void furniture(StaticsData& s, double x, double side, Random& rng) {
  const double y = rng.uniform(10.0, 11.5);
  switch (static_cast<int>(rng.uniform(0.0, 5.0))) {
    case 0:
      s.prisms.push_back(make_box({x, side * y}, 0.9, 0.3, 0.0, kGround, kGround + 0.85, 0.3));
      break;
    case 1:
      s.prisms.push_back(make_cylinder({x, side * y}, 0.3, kGround, kGround + 1.0, 0.35));
      break;
    case 2:
      s.prisms.push_back(make_box({x, side * y}, 0.45, 0.22, 0.0, kGround, kGround + 1.4, 0.5));
      break;
    case 3: {  // glass walls (mostly see-through) under a solid roof
      s.prisms.push_back(porous(
          make_box({x, side * y}, 1.75, 0.75, 0.0, kGround, kGround + 2.3, 0.2), 0.0, 0.6));
      s.prisms.push_back(
          make_box({x, side * y}, 1.9, 0.85, 0.0, kGround + 2.3, kGround + 2.5, 0.4));
      break;
    }
    default:
      s.prisms.push_back(make_cylinder({x, side * y}, 0.6, kGround, kGround + 2.8, 0.4));
      break;
  }
}

}  // namespace

void add_clutter(StaticsData& s, Random& rng) {
  for (double side : {-1.0, 1.0}) {
    for (double x = s.x_min + rng.uniform(0.0, 8.0); x < s.x_max; x += rng.uniform(4.0, 14.0)) {
      // Keep the crossing and the side street's mouth clear.
      if (std::abs(x - L::kCrosswalkX) < 6.0) continue;
      if (side < 0.0 && std::abs(x - L::kSideStreetX) < L::kSideStreetHalfWidth + 3.0) continue;
      const double pick = rng.uniform();
      if (pick < 0.25) {
        hedge(s, x, side, rng);
      } else if (pick < 0.4) {
        bush(s, x, side, rng);
      } else if (pick < 0.55) {
        shed(s, x, side, rng);
      } else if (pick < 0.67) {
        house_front(s, x, side, rng);
      } else if (pick < 0.8) {
        bicycles(s, x, side, rng);
      } else {
        furniture(s, x, side, rng);
      }
    }
  }
}

}  // namespace pcanno::synthetic::detail
