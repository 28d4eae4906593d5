#pragma once
#include <cstddef>
#include <string>

#include <QString>

namespace pcanno::plugin {
class Session;
}

namespace pcanno::viewer::workstation {

/// What the workstation's status bar and title say about the session.
struct StatusTexts {
  QString frame;      ///< "Frame 3 / 154  000003"; with sweeps "... <token>  sweep" / "  keyframe"
  QString points;     ///< "123,456 points"
  QString tool;       ///< "EDIT", "CREATE (drag in top view)", a plugin tool's id in capitals
  QString selection;  ///< "#2 Pedestrian manual key 0.80x0.60x1.80 m", or "no selection"
  QString title;      ///< "pcanno view - labels.json *" (the star: unsaved edits)
};

/// The texts for `session` at its frame, with `points` shown and tool `tool_id` active.
StatusTexts status_texts(const plugin::Session& session, std::size_t points,
                         const std::string& tool_id);

}  // namespace pcanno::viewer::workstation
