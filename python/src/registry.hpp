#pragma once
// The module's one component registry: every binding that reads or writes labels, opens a
// sequence with plugin readers or runs a detector (labels I/O, Session, the automation) takes its
// codecs, readers and detectors from here, so that they all see the same plugins.
#include <string>

#include "bindings.hpp"
#include "pcanno/plugin/registry.hpp"

namespace pcanno::python {

/// Built-ins plus the plugins of PCANNO_PLUGIN_PATH, as `pcanno` loads them at start. Kept while
/// the variable keeps its value and loaded again when it changes (os.environ writes through); a
/// plugin that does not load is a UserWarning. The registry stays valid for the life of the
/// process (a reload keeps the previous one: a call may still be using its codecs and readers,
/// and plugin libraries are never unloaded anyway). Call with the GIL held.
const plugin::Registry& python_registry();

/// Emits `message` as a Python UserWarning attributed to the caller (the CLI's "pcanno: warning:
/// ..." lines); raises when warnings are turned into errors.
void warn(const std::string& message);

}  // namespace pcanno::python
