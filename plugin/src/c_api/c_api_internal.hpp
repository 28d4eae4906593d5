#pragma once
#include <algorithm>
#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "pcanno/formats/support/error.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/plugin/command.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno_c.h"

// Shared by the C ABI's translation units. The opaque handle is a C++ struct in the global
// namespace, because the header declares it there.
struct pcanno_session {
  std::unique_ptr<pcanno::plugin::Session> session;
};

namespace pcanno::plugin::capi {

/// Records `message` as this thread's last error and returns `status`. Never throws: when even
/// the message cannot be stored, a fixed text stands in for it.
pcanno_status fail(pcanno_status status, const std::string& message) noexcept;
/// `<function>: <what>`, built without letting an allocation failure escape.
pcanno_status fail(pcanno_status status, const char* function, const char* what) noexcept;
pcanno_status fail(const formats::Error& error) noexcept;
pcanno_status fail_status(const formats::Status& status) noexcept;  ///< requires !status
/// Clears the last error.
void clear_error() noexcept;

pcanno_status to_c(formats::ErrorCode code) noexcept;

/// Runs `body(function)` (returning pcanno_status) so that nothing unwinds into C: std::bad_alloc
/// becomes PCANNO_ERR_OUT_OF_MEMORY, anything else PCANNO_ERR_INTERNAL naming `function`. A success
/// clears the last error.
template <typename Body>
pcanno_status guarded(const char* function, Body&& body) noexcept {
  try {
    const pcanno_status status = body(function);
    if (status == PCANNO_OK) clear_error();
    return status;
  } catch (const std::bad_alloc&) {
    return fail(PCANNO_ERR_OUT_OF_MEMORY, function, "out of memory");
  } catch (const std::exception& e) {
    return fail(PCANNO_ERR_INTERNAL, function, e.what());  // the status says it is internal
  } catch (...) {
    return fail(PCANNO_ERR_INTERNAL, function, "unknown exception");
  }
}

/// PCANNO_ERR_INVALID_ARGUMENT naming the parameter, for NULL pointers.
pcanno_status null_argument(const char* function, const char* parameter) noexcept;

/// The session behind a handle, or nullptr (with the error recorded) for a NULL handle or one
/// whose session is gone.
Session* session_of(const pcanno_session* handle, const char* function) noexcept;

/// Copies `text` into a caller buffer (see "Strings out" in pcanno_c.h).
pcanno_status copy_out(const std::string& text, char* buffer, std::size_t size,
                       std::size_t* required, const char* function);

/// NOT_FOUND unless `frame` is one of the session's frames (any frame >= 0 without frames), so
/// that a document edited through the C ABI always saves and loads.
pcanno_status check_frame(const Session& s, std::int64_t frame, const char* fn);

/// Applies a command made by one of the command functions; their errors pass through.
pcanno_status apply_command(Session& s, Expected<Command> command);

/// Copies `items` into a caller array (see "Arrays out" in pcanno_c.h).
template <typename T>
pcanno_status copy_array(const std::vector<T>& items, T* out, std::size_t capacity,
                         std::size_t* count, const char* fn) {
  if (count == nullptr) return null_argument(fn, "count");
  if (out == nullptr && capacity > 0) return null_argument(fn, "out array");
  *count = items.size();
  std::copy_n(items.begin(), std::min(capacity, items.size()), out);
  if (capacity < items.size()) {
    return fail(PCANNO_ERR_BUFFER_TOO_SMALL, std::string(fn) + ": room for " +
                                                 std::to_string(capacity) + " items, " +
                                                 std::to_string(items.size()) + " are needed");
  }
  return PCANNO_OK;
}

/// A C string argument that may be NULL, as a std::string ("" for NULL).
inline std::string optional_string(const char* s) { return s != nullptr ? std::string(s) : ""; }

}  // namespace pcanno::plugin::capi
