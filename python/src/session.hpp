#pragma once
// pcanno.Session: what session.cpp (opening, undo, transactions, save, observers) and
// session_commands.cpp (the edit commands) share.
#include <atomic>
#include <memory>
#include <string>

#include "labels.hpp"
#include "pcanno/plugin/session.hpp"

namespace pcanno::python {

class Held;

/// The Python Session: the engine's session, and the state of the Python-side transactions.
struct PySession {
  /// Shared so that a call under way keeps the engine session alive (see Held); reset by close().
  std::shared_ptr<plugin::Session> session;
  /// Engine calls under way (Held objects alive). close() refuses while above 0: the call may be
  /// notifying an observer or a progress callback, or running on another thread with the GIL
  /// released, and the engine session must not go away under it.
  mutable std::atomic<int> calls{0};
  /// `with session.transaction(...)` blocks open; only the outermost one talks to the engine.
  int transaction_depth = 0;
  /// Why the open transaction can only roll back: an inner block raised ("" while it can commit).
  std::string transaction_doomed;

  /// The engine session for one binding's engine call; raises ValueError once closed.
  Held hold() const;
};

/// One binding's hold on the engine session for the length of its engine call: a copy of the
/// shared pointer (the engine session outlives the call whatever Python code runs meanwhile) and
/// a count in PySession::calls, which close() reads. Every binding reaches the engine through
/// one; made and destroyed with the GIL held.
class Held {
 public:
  explicit Held(const PySession& owner);
  ~Held() { --owner_.calls; }
  Held(const Held&) = delete;
  Held& operator=(const Held&) = delete;
  plugin::Session& operator*() const { return *session_; }
  plugin::Session* operator->() const { return session_.get(); }

 private:
  const PySession& owner_;
  std::shared_ptr<plugin::Session> session_;
};

/// unwrap() of a Status temporary (the template overload would take it otherwise).
inline void check(const formats::Status& status) { unwrap(status); }

/// begin_job() .. end_job() around a binding's GIL-released engine call: until it ends, edits,
/// undo, redo and save from other threads, and from the call's own callbacks unless a JobScope
/// lets them through, get BusyError. BusyError when a job already holds the session.
class JobClaim {
 public:
  JobClaim(plugin::Session& session, const std::string& name) : session_(session) {
    check(session.begin_job(name));
  }
  ~JobClaim() { session_.end_job(); }
  JobClaim(const JobClaim&) = delete;
  JobClaim& operator=(const JobClaim&) = delete;

 private:
  plugin::Session& session_;
};

/// Applies `command` to the session, raising the pcanno.Error of a refusal.
void apply(PySession& s, formats::Expected<plugin::Command> command);

void bind_session_commands(py::class_<PySession, std::shared_ptr<PySession>>& cls);

}  // namespace pcanno::python
