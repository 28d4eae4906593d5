#include "pcanno/viewer/workstation/shortcut_sheet.hpp"

namespace pcanno::viewer::workstation {

QString shortcut_sheet_html() {
  static const char* const kRows[][2] = {
      {"N, then left drag in the top view", "new box (a click fits one to the object)"},
      {"1 .. 9", "class for new boxes and the selected track (polyline mode: polyline classes)"},
      {"L",
       "polyline mode: clicks in the top or main view add vertices (snapped to the nearest "
       "point, else the ground; Shift: no snapping); L again: back to the box editor"},
      {"Return / double click", "finish the line (an area class closes with 3+ vertices)"},
      {"C", "close the line into an area, or open it"},
      {"T", "one-click polyline: click a lane marking or a curb to trace it"},
      {"polyline: drag a vertex / click a segment",
       "move the vertex / insert one (top, side and front views)"},
      {"polyline: Alt+drag, Alt+arrows", "move the whole line (one undo step)"},
      {"M, then two clicks in any view",
       "ruler: 3D distance, ground distance and height "
       "difference, each end snapped to the nearest point "
       "(Shift: no snapping); Esc clears, Esc again or M: back "
       "to the box editor"},
      {"left click", "select a box (top or main view)"},
      {"left drag on a face / inside", "resize / move (top, side and front views)"},
      {"drag the handle ahead of the front face / above the top",
       "pitch (side view) / roll (front view) the selected box, unless its tilt is locked (the "
       "Box panel's free tilt unlocks it; the panel also types all nine values)"},
      {"Alt+arrows", "nudge the selected box in the top view's axes (Alt+Shift: fine)"},
      {"Up Down PageUp PageDown", "nudge in the focused view (Shift: fine)"},
      {"q / e", "turn the box left / right"},
      {"w s / d a / r f / + -", "length / width / height / all sizes"},
      {"Delete",
       "delete the selected box at this frame; the selected polyline's vertex, else its "
       "line at this frame"},
      {"Left / Right, Home / End", "previous / next, first / last frame"},
      {"Space", "play / pause at 10 Hz"},
      {"P", "propagate the selected track or polyline forward (worker thread, one undo step)"},
      {"I", "interpolate the selected track or polyline between its keyframes"},
      {"Ctrl+K", "run every check, points in boxes included (worker thread)"},
      {"Ctrl+D / Ctrl+Alt+D",
       "pre-label this frame / the whole sequence with a detector (job; the tool bar's min score "
       "hides lower-scoring pre-labels)"},
      // repair: the Track menu (workstation_tracks.cpp)
      {"Ctrl+M", "merge the selected track into the track selected before it (else a chooser)"},
      {"Ctrl+X", "split the selected track at this frame"},
      {"Ctrl+R / Ctrl+Shift+R", "move this frame's box to the track selected before / a new track"},
      {"Ctrl+Shift+N", "extend: new boxes join the selected track (on / off)"},
      {"Shift+Del / Ctrl+Shift+Del", "delete the selected track / its boxes at a frame range"},
      {"Ctrl+Shift+A / Ctrl+Alt+A", "this box's size on every frame / a frame range"},
      {"Ctrl+Shift+H", "flip the heading by 180 degrees over a frame range"},
      {"Ctrl+Shift+C / Ctrl+Alt+F", "class for the whole track / re-fit every frame (job)"},
      {"Esc", "cancel the running job (propagate, interpolate, checks, export): nothing changes"},
      {"Ctrl+Z / Ctrl+Shift+Z", "undo / redo"},
      {"Ctrl+O / Ctrl+S / Ctrl+Shift+S / Ctrl+E", "open labels / save / save as / export"},
      {"Ctrl+Shift+O", "open another sequence or scene of a dataset (nuScenes/Lyft: with sweeps)"},
      {"B", "bird's-eye view in the main view"},
      {"H", "top view north up, or turned to the selected box's heading (default)"},
      {"camera panel: click a projected box / polyline", "select it (the 3D views follow)"},
      {"camera panel: double click", "that camera full size in its own window (Esc closes it)"},
      {"Ctrl+Shift+D / Ctrl+Shift+B", "cameras: LiDAR points by depth / projected 2D boxes"},
      {"Ctrl+1 .. Ctrl+6",
       "colour points by intensity, height, distance, class, camera RGB, time offset"},
      {"Ctrl+F / Ctrl+G", "focus on the selected box / hide the ground (View > Display)"},
      {"main view: left / middle drag, wheel", "orbit / pan / zoom"},
      {"top, side, front: middle or right drag, wheel", "pan / zoom"},
      {"Tools menu", "start any registered tool, a plugin's too (Esc: back to the box editor)"},
      // project store tasks (workstation_task.cpp)
      {"File > Open task...", "a task of a project store (pcanno view --db URL --task ID)"},
      {"Ctrl+Shift+Return", "task: submit, once every edit has reached the store"},
      {"review: Ctrl+Shift+A / Ctrl+Shift+R / Ctrl+Shift+C",
       "accept / reject with a reason / comment on the selected box (else the view's centre)"},
      {"F1", "this sheet"},
  };
  QString html = "<table cellspacing=4>";
  for (const auto& row : kRows) {
    html += QString("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(row[0], row[1]);
  }
  html +=
      "</table><p>Timeline: white = keyframe, blue = interpolated, orange = tracked, "
      "green = fitted; marks above: QA warnings (yellow) and errors (red); with sweeps, cyan "
      "marks below: the scene's keyframes; magenta ticks: a task's review comments.</p>";
  return html;
}

}  // namespace pcanno::viewer::workstation
