#pragma once
#include <string>

#include <QKeyEvent>

namespace pcanno::viewer::workstation {

/// The engine's key name (plugin::KeyEvent::key) of a Qt key event; "" for keys the tools do not
/// know (modifiers alone, media keys).
std::string key_name(const QKeyEvent& event);
/// plugin::Modifier bits of Qt modifiers.
int modifiers_of(Qt::KeyboardModifiers modifiers);

}  // namespace pcanno::viewer::workstation
