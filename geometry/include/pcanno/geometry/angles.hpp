#pragma once

namespace pcanno::geometry {

inline constexpr double kPi = 3.14159265358979323846;

/// Maps an angle [rad] into [-pi, pi). Total: non-finite input comes back unchanged.
double wrap_angle(double angle);

/// Smallest signed difference a - b [rad], in [-pi, pi).
double angle_difference(double a, double b);

}  // namespace pcanno::geometry
