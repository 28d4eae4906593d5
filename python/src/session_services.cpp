// Session.services and Session.run_service: the registry's automation services (fit, propagate,
// interpolate, trace, check, and plugins' own) run on the session as the workstation runs them,
// each applying its result as one undo step.
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include <pybind11/stl.h>

#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/services/automation_services.hpp"
#include "session.hpp"

namespace pcanno::python {
namespace {

py::dict outcome_dict(const plugin::ServiceOutcome* outcome) {
  py::dict out;
  if (outcome == nullptr) return out;
  out["boxes"] = outcome->boxes;
  out["track"] = outcome->track ? py::object(py::int_(*outcome->track)) : py::object(py::none());
  out["polyline"] =
      outcome->polyline ? py::object(py::int_(*outcome->polyline)) : py::object(py::none());
  out["polyline_states"] = outcome->polyline_states;
  out["notes"] = outcome->notes;
  return out;
}

py::dict run_service(PySession& s, const std::string& id, const py::object& parameters,
                     const py::object& progress) {
  const Held session = s.hold();
  const plugin::AutomationService* service = session->registry().service(id);
  if (service == nullptr) {
    std::string known;
    for (const plugin::AutomationService& a : session->registry().services())
      known += (known.empty() ? "" : ", ") + a.info.id;
    raise_error(formats::Error{formats::ErrorCode::kNotFound,
                               "no automation service '" + id + "'; services: " + known, ""});
  }
  formats::AttributeMap map;
  if (!parameters.is_none()) {
    for (const auto& [key, value] : parameters.cast<py::dict>()) {
      // The services' own spelling of booleans, not Python's "True".
      map[py::str(key).cast<std::string>()] =
          py::isinstance<py::bool_>(value) ? (value.cast<bool>() ? "true" : "false")
                                           : py::str(value).cast<std::string>();
    }
  }
  ProgressBridge bridge(progress);
  formats::Status ran;
  {
    // As the workstation's jobs: the service runs on a worker thread that holds the session (the
    // JobScope lets its own edits through), and its progress reaches Python on this thread, which
    // has none: edits from the progress callable and from other threads get BusyError until the
    // service ends (observers of the service's own edits run on the worker, inside its scope). This thread also sees Ctrl+C (Python delivers
    // signals to the main thread only).
    const JobClaim job(*session, id);
    const std::function<bool(double)> callback = bridge.callback();
    std::mutex mutex;
    std::condition_variable changed;
    std::optional<double> reported;  // a fraction the worker waits to have answered
    bool answer = true;
    bool done = false;
    bool cancel = false;  // Ctrl+C seen, or the callable said stop: every later report says so
    py::gil_scoped_release release;
    std::thread worker([&] {
      // Each report waits for the callable's answer on the calling thread, so that returning
      // False cancels exactly as it does for the calls that run on the calling thread.
      const auto progress_of_worker = [&](double fraction) {
        std::unique_lock<std::mutex> lock(mutex);
        if (cancel) return false;
        reported = fraction;
        changed.notify_all();
        changed.wait(lock, [&] { return !reported; });
        return answer;
      };
      formats::Status status;
      try {
        const plugin::Session::JobScope scope(*session);
        status = service->run(*session, map, progress_of_worker);
      } catch (const std::exception& e) {  // a plugin's service: nothing may end the process
        status = formats::Error{formats::ErrorCode::kIo,
                                "service '" + id + "' failed: " + e.what(), ""};
      }
      const std::lock_guard<std::mutex> lock(mutex);
      ran = std::move(status);
      done = true;
      changed.notify_all();
    });
    std::unique_lock<std::mutex> lock(mutex);
    while (!done) {
      changed.wait_for(lock, std::chrono::milliseconds(50), [&] { return done || reported; });
      if (reported) {
        const double fraction = *reported;
        lock.unlock();
        const bool keep_going = callback(fraction);
        lock.lock();
        cancel = cancel || !keep_going;
        answer = !cancel;
        reported.reset();
        changed.notify_all();
      } else if (!done) {
        lock.unlock();
        bool interrupted = false;
        {
          py::gil_scoped_acquire gil;
          interrupted = bridge.poll_signals();
        }
        lock.lock();
        cancel = cancel || interrupted;
      }
    }
    lock.unlock();
    worker.join();
  }
  bridge.unwrap(ran);
  return outcome_dict(plugin::last_service_outcome(session->registry(), id));
}

}  // namespace

void bind_session_services(py::class_<PySession, std::shared_ptr<PySession>>& cls) {
  cls.def_property_readonly(
         "services",
         [](const PySession& s) {
           py::list out;
           for (const plugin::AutomationService& a : s.hold()->registry().services())
             out.append(py::dict(py::arg("id") = a.info.id,
                                 py::arg("description") = a.info.description,
                                 py::arg("origin") = a.info.origin,
                                 py::arg("version") = a.info.version));
           return out;
         },
         "The automation services the session can run: [{'id', 'description', 'origin', "
         "'version'}], built-ins and plugins'.")
      .def("run_service", &run_service, py::arg("id"), py::arg("parameters") = py::none(),
           py::kw_only(), py::arg("progress") = py::none(), R"doc(
Runs the automation service `id` on the session as the workstation does ('interpolate' with
{'track': 3}, 'propagate' with {'track': 3, 'from': 0, 'to': 40}, 'fit' with {'seed': 'x,y,z',
'frame': 0, 'class': 'Car'}, 'trace', 'check', or a plugin's): its result is one undo step.
Parameter values are turned into strings (True and False as 'true' and 'false'). The GIL is released while it runs; progress(fraction)
returning False cancels it (CancelledError) with the document unchanged. Returns what it did:
{'boxes', 'track', 'polyline', 'polyline_states', 'notes'} ({} for a service that does not say).
NotFoundError names the services there are.)doc");
}

}  // namespace pcanno::python
