#include "pcanno/viewer/workstation/key_names.hpp"

#include "pcanno/plugin/tool.hpp"

namespace pcanno::viewer::workstation {

std::string key_name(const QKeyEvent& event) {
  const int k = event.key();
  if (k >= Qt::Key_A && k <= Qt::Key_Z)
    return std::string(1, static_cast<char>('a' + k - Qt::Key_A));
  if (k >= Qt::Key_0 && k <= Qt::Key_9)
    return std::string(1, static_cast<char>('0' + k - Qt::Key_0));
  if (k >= Qt::Key_F1 && k <= Qt::Key_F12) return "F" + std::to_string(1 + k - Qt::Key_F1);
  switch (k) {
    case Qt::Key_Left:
      return "Left";
    case Qt::Key_Right:
      return "Right";
    case Qt::Key_Up:
      return "Up";
    case Qt::Key_Down:
      return "Down";
    case Qt::Key_Delete:
      return "Delete";
    case Qt::Key_Backspace:
      return "BackSpace";
    case Qt::Key_Escape:
      return "Escape";
    case Qt::Key_Return:
    case Qt::Key_Enter:
      return "Return";
    case Qt::Key_Tab:
      return "Tab";
    case Qt::Key_PageUp:
      return "PageUp";
    case Qt::Key_PageDown:
      return "PageDown";
    case Qt::Key_Home:
      return "Home";
    case Qt::Key_End:
      return "End";
    case Qt::Key_Plus:
      return "plus";
    case Qt::Key_Minus:
      return "minus";
    default:
      return "";
  }
}

int modifiers_of(Qt::KeyboardModifiers modifiers) {
  int m = plugin::kNoModifier;
  if (modifiers & Qt::ShiftModifier) m |= plugin::kShift;
  if (modifiers & Qt::ControlModifier) m |= plugin::kControl;
  if (modifiers & Qt::AltModifier) m |= plugin::kAlt;
  return m;
}

}  // namespace pcanno::viewer::workstation
