#include "command_stream.hpp"

#include <string>
#include <utility>

#include "pcanno/plugin/command.hpp"

namespace pcanno::test {

using plugin::Command;
using plugin::Session;

double CommandStream::uniform(double lo, double hi) {
  return lo + (hi - lo) * static_cast<double>(rng_() >> 11) * 0x1.0p-53;
}

StepResult CommandStream::step(Session& s, bool save) {
  const std::uint64_t roll = below(100);
  if (s.in_transaction()) {
    if (roll < 15) return {StepKind::kCommit, s.commit_transaction()};
    if (roll < 22) return {StepKind::kCancel, s.cancel_transaction()};
    return edit(s);
  }
  if (roll < 10) {
    if (!s.can_undo()) return {StepKind::kRefused, {}};
    return {StepKind::kUndo, s.undo()};
  }
  if (roll < 16) {
    if (!s.can_redo()) return {StepKind::kRefused, {}};
    return {StepKind::kRedo, s.redo()};
  }
  if (roll < 19) {
    s.begin_transaction("Batch");
    return {StepKind::kBegin, {}};
  }
  if (roll < 21) {
    if (!save) return {StepKind::kSave, {}};
    return {StepKind::kSave, s.save()};
  }
  return edit(s);
}

StepResult CommandStream::edit(Session& s) {
  const formats::Annotations& doc = s.document();
  const std::uint64_t choice = below(100);
  const std::int64_t frame = static_cast<std::int64_t>(below(kFrames));
  // Every draw happens whatever the branch, so that the stream does not depend on which
  // command a branch could make.
  const std::uint64_t pick_track = rng_();
  const std::uint64_t pick_box = rng_();
  const double x = uniform(-40.0, 40.0);
  const double yaw = uniform(-3.0, 3.0);

  formats::Expected<Command> cmd = formats::Error{formats::ErrorCode::kNotFound, "no track", ""};
  if (doc.tracks.empty() || (choice < 25 && doc.tracks.size() < 24)) {
    plugin::NewBox b;
    b.label = choice % 2 ? "Car" : "Pedestrian";
    b.frame = frame;
    b.box = geometry::Cuboid::from_yaw(Eigen::Vector3d(x, x / 3.0, -0.8),
                                       Eigen::Vector3d(4.0, 1.8, 1.5), yaw);
    cmd = plugin::create_track(doc, b);
  } else {
    const formats::Track& t = doc.tracks[pick_track % doc.tracks.size()];
    const formats::BoxState& b = t.boxes[pick_box % t.boxes.size()];
    if (choice < 50) {
      geometry::Cuboid c = b.box;
      c.center.x() += x / 40.0;
      c.rotation = Eigen::Quaterniond(Eigen::AngleAxisd(yaw, Eigen::Vector3d::UnitZ()));
      cmd = plugin::modify_box(doc, t.id, b.frame, c);
    } else if (choice < 65) {
      formats::BoxState copy = b;
      copy.frame = frame;
      copy.provenance = formats::Provenance::kInterpolated;
      copy.keyframe = false;
      cmd = plugin::put_box(doc, t.id, std::move(copy));
    } else if (choice < 80) {
      cmd = plugin::delete_box(doc, t.id, b.frame);
    } else if (choice < 88) {
      cmd = plugin::set_class(doc, t.id, choice % 2 ? "Van" : "Cyclist");
    } else if (choice < 94) {
      cmd = plugin::set_track_attribute(doc, t.id, "note", std::to_string(pick_box % 1000));
    } else if (choice < 97) {
      const formats::Track& other = doc.tracks[pick_box % doc.tracks.size()];
      cmd = plugin::merge_tracks(doc, t.id, other.id);  // often refused: shared frames
    } else {
      cmd = plugin::split_track(doc, t.id, frame);  // refused unless boxes on both sides
    }
  }
  if (!cmd) return {StepKind::kRefused, {}};
  return {StepKind::kEdit, s.apply(*cmd)};
}

formats::Annotations initial_document() {
  formats::Annotations doc;
  for (std::int64_t i = 0; i < CommandStream::kFrames; ++i) {
    doc.frames.push_back(formats::FrameInfo{std::to_string(i), 100000 * i, {}, ""});
  }
  auto s = Session::create(doc);
  for (int i = 0; i < 2; ++i) {
    plugin::NewBox b;
    b.frame = i;
    b.box = geometry::Cuboid::from_yaw(Eigen::Vector3d(5.0 + i, 2.0, -0.8),
                                       Eigen::Vector3d(4.0, 1.8, 1.5), 0.25 * i);
    (void)s->apply(plugin::create_track(s->document(), b));
  }
  return s->document();
}

}  // namespace pcanno::test
