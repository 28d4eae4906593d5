#pragma once
// The C++ side of pcanno.Cloud, shared by clouds.cpp (read_cloud) and sequences.cpp (frames from a
// sequence's FrameCache). The points are held through a shared pointer, so that a cloud can be
// the engine's own buffer wherever it lives: a CloudFile read for this object alone, or a frame a
// FrameCache hands out (which stays valid after the cache evicts it).
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pcanno/formats/clouds/reader.hpp"

namespace pcanno::python {

/// What read_cloud() and Sequence.frame() return. Never resized after it is made: the numpy views
/// rely on it.
struct Cloud {
  /// The points; an aliasing pointer into whatever owns them (a CloudFile, a cache's frame).
  std::shared_ptr<const formats::PointCloud> points;
  formats::CloudFileInfo info;
  std::string path;
  /// The buffers are shared with others (a FrameCache hands the same frame to every caller), so
  /// the column views are read-only: writing through one would change what the next caller gets.
  bool shared = false;

  /// A cloud that owns the file it was read from.
  static std::shared_ptr<Cloud> from_file(formats::CloudFile&& file, std::string path) {
    auto owner = std::make_shared<formats::CloudFile>(std::move(file));
    auto out = std::make_shared<Cloud>();
    out->info = owner->info;
    out->points = std::shared_ptr<const formats::PointCloud>(owner, &owner->cloud);
    out->path = std::move(path);
    return out;
  }

  const formats::PointCloud& cloud() const { return *points; }
  /// The column `name` ("x", "y", "z" or an attribute), or nullptr.
  const std::vector<float>* column(const std::string& name) const {
    if (name == "x") return &points->x;
    if (name == "y") return &points->y;
    if (name == "z") return &points->z;
    return points->attribute(name);
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out = {"x", "y", "z"};
    for (const formats::PointAttribute& a : points->attributes) out.push_back(a.name);
    return out;
  }
};

}  // namespace pcanno::python
