#pragma once
// pcanno.Session: what session.cpp (opening, undo, transactions, save, observers) and
// session_commands.cpp (the edit commands) share.
#include <cstdint>
#include <memory>

#include "labels.hpp"
#include "pcanno/plugin/session.hpp"

namespace pcanno::python {

/// The Python Session: the engine's session plus a snapshot of its document for Python readers.
struct PySession {
  std::unique_ptr<plugin::Session> session;
  /// Bumped by an observer on every change, so that `annotations` copies the document only when
  /// it changed since the last copy.
  std::uint64_t version = 0;
  AnnotationsPtr snapshot;
  std::uint64_t snapshot_version = 0;

  plugin::Session& get() const;  ///< raises ValueError once closed
};

/// unwrap() of a Status temporary (the template overload would take it otherwise).
inline void check(const formats::Status& status) { unwrap(status); }

/// Applies `command` to the session, raising the pcanno.Error of a refusal.
void apply(PySession& s, formats::Expected<plugin::Command> command);

void bind_session_commands(py::class_<PySession, std::shared_ptr<PySession>>& cls);

}  // namespace pcanno::python
