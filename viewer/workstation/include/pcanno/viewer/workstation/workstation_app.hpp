#pragma once
#include "pcanno/viewer/workstation/workstation_session.hpp"

namespace pcanno::viewer::workstation {

/// Runs the workstation as an application until its window closes: the OpenGL surface format VTK
/// needs, the QApplication, the session, the window. Returns the process exit code (1 with a
/// message on stderr when the session cannot be opened).
int run_workstation(const WorkstationOptions& options, const char* program);

}  // namespace pcanno::viewer::workstation
