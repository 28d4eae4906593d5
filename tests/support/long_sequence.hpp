#pragma once
#include <string>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "synthetic_street.hpp"

// A long sequence without poses for the tests of progress and cancellation: 600 frames of the
// synthetic street, scans of modest size so that writing them takes a second or two, while
// estimating the ego motion of all of them takes many seconds.

namespace pcanno::test {

inline StreetScans long_street() {
  StreetScans s;
  s.frames = 600;
  s.step = 0.3;  // [m] per frame: 180 m in all
  s.turn = 0.0005;
  s.spacing = 0.8;
  s.range = 25.0;
  return s;
}

/// A document over `seq`'s frames with one track (id 1, a Car): a keyframe box at frame 0 around
/// the street's parked car 3, in the LiDAR frame (frame 0's, which is the world's).
inline formats::Annotations parked_car_document(const formats::Sequence& seq) {
  formats::Annotations doc;
  for (const formats::FrameRef& f : seq.frames) doc.frames.push_back({f.name, -1, {}, ""});
  formats::Track t;
  t.id = 1;
  t.label = "Car";
  formats::BoxState s;
  s.frame = 0;
  s.box = geometry::Cuboid::from_yaw(street_car_centre(3), street_car_size(), 0.0);
  t.boxes.push_back(s);
  doc.tracks.push_back(t);
  return doc;
}

}  // namespace pcanno::test
