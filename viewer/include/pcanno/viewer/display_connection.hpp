#pragma once
#include <string>

namespace pcanno::viewer {

/// An X display connection opened with retries, to hand to a VTK render window
/// (vtkRenderWindow::SetDisplayId) so that it never opens its own. Why: an X server without
/// -noreset (Xvfb as xvfb-run starts it) resets when its last client disconnects, and a connection
/// attempted during that reset fails; VTK then aborts the process ("bad X server connection").
/// Tests and `pcanno render` run many short-lived processes one after another on one Xvfb.
class DisplayConnection {
 public:
  /// Tries $DISPLAY for up to `timeout_s` seconds.
  explicit DisplayConnection(double timeout_s = 5.0);
  ~DisplayConnection();  ///< closes the connection: destroy the VTK windows using it first
  DisplayConnection(const DisplayConnection&) = delete;
  DisplayConnection& operator=(const DisplayConnection&) = delete;

  bool ok() const { return display_ != nullptr; }
  void* display() const { return display_; }  ///< an X11 Display*, for SetDisplayId
  /// Why it failed ("DISPLAY is not set", "cannot open display :99").
  const std::string& error() const { return error_; }

 private:
  void* display_ = nullptr;
  std::string error_;
};

/// Whether Qt will talk to an X server ($QT_QPA_PLATFORM unset, empty or xcb): only then is a
/// DisplayConnection worth holding while a QApplication connects.
bool qt_uses_x11();

}  // namespace pcanno::viewer
