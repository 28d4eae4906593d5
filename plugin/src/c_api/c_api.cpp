// The C ABI: sessions, errors, undo, save and export. Boxes and tracks are in c_api_box.cpp.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "c_api_internal.hpp"
#include "pcanno/formats/labels/label_codec.hpp"

#ifndef PCANNO_VERSION_STRING
#error "the build defines PCANNO_VERSION_STRING (plugin/CMakeLists.txt)"
#endif

namespace pcanno::plugin::capi {
namespace {

// The message lives in a thread_local string; `g_error_text` points at it, or at a literal when
// the message could not be stored, so pcanno_last_error() itself never fails.
thread_local std::string g_error;
thread_local const char* g_error_text = "";
// What the last successful export on this thread wrote and dropped (formats::summarize()).
thread_local std::string g_export_summary;

}  // namespace

pcanno_status fail(pcanno_status status, const std::string& message) noexcept {
  try {
    g_error = message;
    g_error_text = g_error.c_str();
  } catch (...) {
    g_error_text = "out of memory while recording an error";
  }
  return status;
}

pcanno_status fail(pcanno_status status, const char* function, const char* what) noexcept {
  try {
    return fail(status, std::string(function) + ": " + what);
  } catch (...) {
    g_error_text = "out of memory while recording an error";
    return status;
  }
}

pcanno_status to_c(formats::ErrorCode code) noexcept {
  switch (code) {
    case formats::ErrorCode::kNotFound:
      return PCANNO_ERR_NOT_FOUND;
    case formats::ErrorCode::kPermission:
      return PCANNO_ERR_PERMISSION;
    case formats::ErrorCode::kUnknownFormat:
      return PCANNO_ERR_UNKNOWN_FORMAT;
    case formats::ErrorCode::kMalformed:
      return PCANNO_ERR_MALFORMED;
    case formats::ErrorCode::kTruncated:
      return PCANNO_ERR_TRUNCATED;
    case formats::ErrorCode::kUnsupported:
      return PCANNO_ERR_UNSUPPORTED;
    case formats::ErrorCode::kIo:
      return PCANNO_ERR_IO;
    case formats::ErrorCode::kCancelled:
      return PCANNO_ERR_CANCELLED;
    case formats::ErrorCode::kOutOfMemory:
      return PCANNO_ERR_OUT_OF_MEMORY;
    case formats::ErrorCode::kInvalidArgument:
      return PCANNO_ERR_INVALID_ARGUMENT;
    case formats::ErrorCode::kBusy:
      return PCANNO_ERR_BUSY;
    case formats::ErrorCode::kConflict:
      return PCANNO_ERR_CONFLICT;
  }
  return PCANNO_ERR_INTERNAL;
}

pcanno_status fail(const formats::Error& error) noexcept {
  try {
    return fail(to_c(error.code), error.describe());
  } catch (...) {
    return fail(to_c(error.code), "");
  }
}

pcanno_status fail_status(const formats::Status& status) noexcept {
  if (status) return fail(PCANNO_ERR_INTERNAL, "an operation failed without an error");
  return fail(status.error());
}

void clear_error() noexcept {
  g_error.clear();
  g_error_text = "";
}

pcanno_status null_argument(const char* function, const char* parameter) noexcept {
  try {
    return fail(PCANNO_ERR_INVALID_ARGUMENT,
                std::string(function) + ": `" + parameter + "` must not be NULL");
  } catch (...) {
    return fail(PCANNO_ERR_INVALID_ARGUMENT, "an argument must not be NULL");
  }
}

Session* session_of(const pcanno_session* handle, const char* function) noexcept {
  if (handle == nullptr || !handle->session) {
    null_argument(function, "session");
    return nullptr;
  }
  return handle->session.get();
}

pcanno_status copy_out(const std::string& text, char* buffer, std::size_t size,
                       std::size_t* required, const char* function) {
  if (buffer == nullptr && size > 0) return null_argument(function, "buffer");
  if (required != nullptr) *required = text.size() + 1;
  if (size > 0) {
    const std::size_t n = std::min(text.size(), size - 1);
    std::memcpy(buffer, text.data(), n);
    buffer[n] = '\0';
  }
  if (size < text.size() + 1) {
    return fail(PCANNO_ERR_BUFFER_TOO_SMALL, std::string(function) + ": the buffer holds " +
                                                 std::to_string(size) + " bytes, " +
                                                 std::to_string(text.size() + 1) + " are needed");
  }
  return PCANNO_OK;
}

namespace {

/// Ids of the codecs that can write, in registry order.
std::vector<std::string> writer_ids(const Session& s) {
  std::vector<std::string> ids;
  for (const formats::LabelCodec& c : s.registry().codecs().codecs()) {
    if (c.write) ids.push_back(c.id);
  }
  return ids;
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

pcanno_status open_session(const pcanno_open_options& o, pcanno_session** out) {
  SessionOptions options;
  options.sequence = optional_string(o.sequence_path);
  options.sequence_options.name = optional_string(o.sequence_name);
  options.document = optional_string(o.document_path);
  options.journal = o.journal != 0;
  if (o.journal_sync != PCANNO_JOURNAL_SYNC_NONE && o.journal_sync != PCANNO_JOURNAL_SYNC_DATA) {
    return fail(PCANNO_ERR_INVALID_ARGUMENT,
                "pcanno_session_open_ex: journal_sync " + std::to_string(o.journal_sync) +
                    " is neither PCANNO_JOURNAL_SYNC_NONE nor PCANNO_JOURNAL_SYNC_DATA");
  }
  options.journal_sync =
      o.journal_sync == PCANNO_JOURNAL_SYNC_NONE ? JournalSync::kNone : JournalSync::kData;
  options.load_plugins = o.load_plugins != 0;
  switch (o.recovery) {
    case PCANNO_RECOVERY_RECOVER:
      options.recovery = RecoveryPolicy::kRecover;
      break;
    case PCANNO_RECOVERY_OFFER:
      options.recovery = RecoveryPolicy::kOffer;
      break;
    case PCANNO_RECOVERY_DISCARD:
      options.recovery = RecoveryPolicy::kDiscard;
      break;
    default:
      return fail(PCANNO_ERR_INVALID_ARGUMENT,
                  "pcanno_session_open_ex: recovery " + std::to_string(o.recovery) +
                      " is not a pcanno_recovery_policy (0 recover, 1 offer, 2 discard)");
  }
  options.recovery_folder = optional_string(o.recovery_folder);
  Expected<std::unique_ptr<Session>> session = Session::open(options);
  if (!session) return fail(session.error());
  const bool pending = (*session)->pending_recovery().has_value();
  auto handle = std::make_unique<pcanno_session>();
  handle->session = std::move(*session);
  *out = handle.release();
  if (pending) {
    return fail(PCANNO_RECOVERY_PENDING,
                "unsaved edits of an earlier session await pcanno_session_recover() or "
                "pcanno_session_discard_recovery()");
  }
  return PCANNO_OK;
}

/// The fields of pcanno_open_options that the first release had: callers built against it pass
/// this struct_size, and the later fields take their defaults.
constexpr std::size_t kFirstOpenOptionsSize = offsetof(pcanno_open_options, recovery);

}  // namespace
}  // namespace pcanno::plugin::capi

using namespace pcanno::plugin;
using namespace pcanno::plugin::capi;

extern "C" {

const char* pcanno_version(void) { return PCANNO_VERSION_STRING; }
int pcanno_abi_version(void) { return PCANNO_C_ABI_VERSION; }
const char* pcanno_last_error(void) { return g_error_text; }

const char* pcanno_status_name(pcanno_status status) {
  switch (status) {
    case PCANNO_OK:
      return "ok";
    case PCANNO_ERR_NOT_FOUND:
      return "not_found";
    case PCANNO_ERR_INVALID_ARGUMENT:
      return "invalid_argument";
    case PCANNO_ERR_MALFORMED:
      return "malformed";
    case PCANNO_ERR_IO:
      return "io";
    case PCANNO_ERR_UNSUPPORTED:
      return "unsupported";
    case PCANNO_ERR_CANCELLED:
      return "cancelled";
    case PCANNO_ERR_OUT_OF_MEMORY:
      return "out_of_memory";
    case PCANNO_ERR_PERMISSION:
      return "permission";
    case PCANNO_ERR_UNKNOWN_FORMAT:
      return "unknown_format";
    case PCANNO_ERR_TRUNCATED:
      return "truncated";
    case PCANNO_ERR_BUFFER_TOO_SMALL:
      return "buffer_too_small";
    case PCANNO_RECOVERY_PENDING:
      return "recovery_pending";
    case PCANNO_ERR_BUSY:
      return "busy";
    case PCANNO_ERR_CONFLICT:
      return "conflict";
    case PCANNO_ERR_INTERNAL:
      return "internal";
  }
  return "unknown";
}

void pcanno_open_options_init(pcanno_open_options* options) {
  if (options == nullptr) return;
  *options = pcanno_open_options{};
  options->struct_size = sizeof(pcanno_open_options);
  options->journal = 1;
  options->journal_sync = PCANNO_JOURNAL_SYNC_DATA;
  options->load_plugins = 1;
}

pcanno_status pcanno_session_open_ex(const pcanno_open_options* options, pcanno_session** out) {
  return guarded(__func__, [&](const char* fn) {
    if (out == nullptr) return null_argument(fn, "out");
    *out = nullptr;
    if (options == nullptr) return null_argument(fn, "options");
    if (options->struct_size < kFirstOpenOptionsSize) {
      return fail(PCANNO_ERR_INVALID_ARGUMENT, "pcanno_session_open_ex: options->struct_size is " +
                                                   std::to_string(options->struct_size) +
                                                   ", expected at least " +
                                                   std::to_string(kFirstOpenOptionsSize) +
                                                   " (initialise with pcanno_open_options_init)");
    }
    pcanno_open_options full;
    pcanno_open_options_init(&full);
    std::memcpy(&full, options, std::min(options->struct_size, sizeof(pcanno_open_options)));
    return open_session(full, out);
  });
}

pcanno_status pcanno_session_open(const char* sequence_path, const char* document_path,
                                  pcanno_session** out) {
  return guarded(__func__, [&](const char* fn) {
    if (out == nullptr) return null_argument(fn, "out");
    *out = nullptr;
    pcanno_open_options options;
    pcanno_open_options_init(&options);
    options.sequence_path = sequence_path;
    options.document_path = document_path;
    return open_session(options, out);
  });
}

void pcanno_session_close(pcanno_session* session) {
  // Destruction only closes files and frees memory; nothing here is expected to throw, but no
  // exception may reach C whatever happens.
  try {
    delete session;
  } catch (...) {
  }
}

pcanno_status pcanno_session_close_discarding(pcanno_session* session) {
  return guarded(__func__, [&](const char* fn) {
    std::unique_ptr<pcanno_session> owned(session);
    Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    const pcanno::formats::Status ok = s->abandon();
    return ok ? PCANNO_OK : fail_status(ok);
  });
}

pcanno_status pcanno_session_pending_recovery(const pcanno_session* session, size_t* edits,
                                              int64_t* modified_unix_s) {
  return guarded(__func__, [&](const char* fn) {
    const Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    const std::optional<PendingRecovery>& p = s->pending_recovery();
    if (edits != nullptr) *edits = p ? p->edits : 0;
    if (modified_unix_s != nullptr) *modified_unix_s = p ? p->modified_unix_s : 0;
    return PCANNO_OK;
  });
}

pcanno_status pcanno_session_recover(pcanno_session* session) {
  return guarded(__func__, [&](const char* fn) {
    Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    const pcanno::formats::Status ok = s->recover();
    return ok ? PCANNO_OK : fail_status(ok);
  });
}

pcanno_status pcanno_session_discard_recovery(pcanno_session* session) {
  return guarded(__func__, [&](const char* fn) {
    Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    const pcanno::formats::Status ok = s->discard_recovery();
    return ok ? PCANNO_OK : fail_status(ok);
  });
}

pcanno_status pcanno_session_journal_path(const pcanno_session* session, char* buffer, size_t size,
                                          size_t* required) {
  return guarded(__func__, [&](const char* fn) {
    const Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    return copy_out(s->journal_path().string(), buffer, size, required, fn);
  });
}

pcanno_status pcanno_session_warnings(const pcanno_session* session, char* buffer, size_t size,
                                      size_t* required) {
  return guarded(__func__, [&](const char* fn) {
    const Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    return copy_out(join(s->warnings(), "\n"), buffer, size, required, fn);
  });
}

pcanno_status pcanno_session_frame_count(const pcanno_session* session, int64_t* count) {
  return guarded(__func__, [&](const char* fn) {
    const Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    if (count == nullptr) return null_argument(fn, "count");
    *count = static_cast<int64_t>(s->frame_count());
    return PCANNO_OK;
  });
}

pcanno_status pcanno_session_begin_transaction(pcanno_session* session, const char* name) {
  return guarded(__func__, [&](const char* fn) {
    Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    if (name == nullptr) return null_argument(fn, "name");
    s->begin_transaction(name);
    return PCANNO_OK;
  });
}

pcanno_status pcanno_session_commit_transaction(pcanno_session* session) {
  return guarded(__func__, [&](const char* fn) {
    Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    const pcanno::formats::Status ok = s->commit_transaction();
    return ok ? PCANNO_OK : fail_status(ok);
  });
}

pcanno_status pcanno_session_cancel_transaction(pcanno_session* session) {
  return guarded(__func__, [&](const char* fn) {
    Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    const pcanno::formats::Status ok = s->cancel_transaction();
    return ok ? PCANNO_OK : fail_status(ok);
  });
}

pcanno_status pcanno_session_undo(pcanno_session* session) {
  return guarded(__func__, [&](const char* fn) {
    Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    const pcanno::formats::Status ok = s->undo();
    return ok ? PCANNO_OK : fail_status(ok);
  });
}

pcanno_status pcanno_session_redo(pcanno_session* session) {
  return guarded(__func__, [&](const char* fn) {
    Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    const pcanno::formats::Status ok = s->redo();
    return ok ? PCANNO_OK : fail_status(ok);
  });
}

int pcanno_session_can_undo(const pcanno_session* session) {
  const Session* s = session_of(session, __func__);
  if (s == nullptr) return 0;
  clear_error();
  return s->can_undo() ? 1 : 0;
}

int pcanno_session_can_redo(const pcanno_session* session) {
  const Session* s = session_of(session, __func__);
  if (s == nullptr) return 0;
  clear_error();
  return s->can_redo() ? 1 : 0;
}

int pcanno_session_is_dirty(const pcanno_session* session) {
  const Session* s = session_of(session, __func__);
  if (s == nullptr) return 0;
  clear_error();
  return s->dirty() ? 1 : 0;
}

pcanno_status pcanno_session_save(pcanno_session* session, const char* path) {
  return guarded(__func__, [&](const char* fn) {
    Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    const pcanno::formats::Status ok = s->save(optional_string(path));
    return ok ? PCANNO_OK : fail_status(ok);
  });
}

pcanno_status pcanno_last_export_summary(char* buffer, size_t size, size_t* required) {
  return guarded(__func__, [&](const char* fn) {
    return copy_out(g_export_summary, buffer, size, required, fn);
  });
}

pcanno_status pcanno_session_export(pcanno_session* session, const char* codec_id,
                                    const char* out_path, int overwrite) {
  return guarded(__func__, [&](const char* fn) {
    Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    if (codec_id == nullptr) return null_argument(fn, "codec_id");
    if (out_path == nullptr) return null_argument(fn, "out_path");
    if (*out_path == '\0')
      return fail(PCANNO_ERR_INVALID_ARGUMENT, std::string(fn) + ": `out_path` is empty");
    const pcanno::formats::LabelCodec* codec = s->registry().codecs().find(codec_id);
    if (codec == nullptr || !codec->write) {
      return fail(PCANNO_ERR_NOT_FOUND,
                  std::string("no label codec '") + codec_id +
                      "' that can write; known: " + join(writer_ids(*s), ", "));
    }
    pcanno::formats::LabelContext context;
    context.sequence = s->sequence();
    context.overwrite = overwrite != 0;
    pcanno::formats::Expected<pcanno::formats::WriteReport> report =
        codec->write(s->document(), out_path, context);
    if (!report) return fail(report.error());
    g_export_summary = pcanno::formats::summarize(*report);
    return PCANNO_OK;
  });
}

pcanno_status pcanno_session_codec_ids(const pcanno_session* session, char* buffer, size_t size,
                                       size_t* required) {
  return guarded(__func__, [&](const char* fn) {
    const Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    return copy_out(join(writer_ids(*s), ","), buffer, size, required, fn);
  });
}

}  // extern "C"
