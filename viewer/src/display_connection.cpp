#include "pcanno/viewer/display_connection.hpp"

#include <X11/Xlib.h>

#include <chrono>
#include <cstdlib>
#include <string_view>
#include <thread>

namespace pcanno::viewer {

DisplayConnection::DisplayConnection(double timeout_s) {
  const char* name = std::getenv("DISPLAY");
  if (name == nullptr || *name == '\0') {
    error_ = "DISPLAY is not set";
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<long>(timeout_s * 1000.0));
  for (;;) {
    display_ = XOpenDisplay(name);
    if (display_ != nullptr || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (display_ == nullptr) error_ = std::string("cannot open X display ") + name;
}

DisplayConnection::~DisplayConnection() {
  if (display_ != nullptr) XCloseDisplay(static_cast<Display*>(display_));
}

bool qt_uses_x11() {
  const char* platform = std::getenv("QT_QPA_PLATFORM");
  return platform == nullptr || *platform == '\0' || std::string_view(platform).rfind("xcb", 0) == 0;
}

}  // namespace pcanno::viewer
