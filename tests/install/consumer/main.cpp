// Exits 0 only if the installed headers and libraries compute what they should and, given a plugin
// built against the installed package (argv[1]), load it.
#include <cmath>
#include <cstdio>

#include <pcanno/formats/support/error.hpp>
#include <pcanno/geometry/cuboid.hpp>
#include <pcanno/geometry/iou.hpp>
#include <pcanno/plugin/plugin_loader.hpp>
#include <pcanno/plugin/registry.hpp>

int main(int argc, char** argv) {
  using pcanno::geometry::Cuboid;
  const Cuboid a = Cuboid::from_yaw(Eigen::Vector3d(0, 0, 0), Eigen::Vector3d(1, 1, 1), 0.0);
  const Cuboid b = Cuboid::from_yaw(Eigen::Vector3d(0.5, 0, 0), Eigen::Vector3d(1, 1, 1), 0.0);
  const double iou = pcanno::geometry::iou_3d(a, b);
  std::printf("iou_3d = %.12f\n", iou);
  if (std::abs(iou - 1.0 / 3.0) >= 1e-12) return 1;

  if (argc > 1) {
    pcanno::plugin::Registry registry = pcanno::plugin::Registry::with_builtins();
    const auto loaded = pcanno::plugin::load_plugin(registry, argv[1]);
    if (!loaded) {
      std::printf("plugin not loaded: %s\n", loaded.error().describe().c_str());
      return 1;
    }
    if (registry.codecs().find("csv-boxes") == nullptr) return 1;
    std::printf("plugin loaded: csv-boxes\n");
  }
  return 0;
}
