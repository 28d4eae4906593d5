/* pcanno C ABI: open a sequence and its annotation document, read and edit tracks, undo, save and
 * export, from any language that can call C (Python ctypes, Rust, C#, ...).
 *
 * Conventions
 * - Every function that can fail returns a pcanno_status; PCANNO_OK is 0. After a failure,
 *   pcanno_last_error() describes it; after a success it returns "". The text is per thread and
 *   stays valid until the next pcanno_* call on that thread.
 * - Handles are opaque. A session is single-threaded: call it from one thread at a time.
 * - No C++ exception ever leaves this library.
 * - Strings in are UTF-8, NUL-terminated, and copied. Strings out are copied into a caller buffer
 * of `size` bytes and always NUL-terminated when size > 0; `required` (optional) receives the size
 *   needed including the NUL. A buffer that is too small gets the truncated text and
 *   PCANNO_ERR_BUFFER_TOO_SMALL, so call once with (NULL, 0, &required) to size it.
 * - Arrays out work the same way: `count` receives how many items there are; a smaller `capacity`
 *   gets the first `capacity` items and PCANNO_ERR_BUFFER_TOO_SMALL.
 * - Every edit is one undo step, journaled before the call returns (beside the document, or in
 *   the recovery folder without one; unless the journal is switched off), so a crash loses no
 *   edit that was acknowledged.
 */
#ifndef PCANNO_C_H
#define PCANNO_C_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#if defined(PCANNO_C_BUILDING)
#define PCANNO_C_API __declspec(dllexport)
#else
#define PCANNO_C_API __declspec(dllimport)
#endif
#elif defined(__GNUC__)
#define PCANNO_C_API __attribute__((visibility("default")))
#else
#define PCANNO_C_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Raised whenever a struct or a function changes incompatibly; see pcanno_abi_version(). */
#define PCANNO_C_ABI_VERSION 2 /* 2: session states return BUSY, CONFLICT, INVALID_ARGUMENT */

typedef enum pcanno_status {
  PCANNO_OK = 0,
  PCANNO_ERR_NOT_FOUND = 1,        /* no such file, track, box, frame or codec */
  PCANNO_ERR_INVALID_ARGUMENT = 2, /* NULL where a value is needed, a value out of range */
  PCANNO_ERR_MALFORMED = 3,        /* the content of a file or a buffer breaks its format */
  PCANNO_ERR_IO = 4,               /* the operating system reported a failure */
  PCANNO_ERR_UNSUPPORTED = 5,      /* valid, but not possible here (e.g. no calibration) */
  PCANNO_ERR_CANCELLED = 6,
  PCANNO_ERR_OUT_OF_MEMORY = 7,
  PCANNO_ERR_PERMISSION = 8, /* may not be opened, or exists already without `overwrite` */
  PCANNO_ERR_UNKNOWN_FORMAT = 9,
  PCANNO_ERR_TRUNCATED = 10,
  PCANNO_ERR_BUFFER_TOO_SMALL = 11,
  /* Not a failure: pcanno_session_open_ex() opened the session (*out is set), and unsaved edits
   * of an earlier session await pcanno_session_recover() or pcanno_session_discard_recovery().
   * Returned only when the options ask for PCANNO_RECOVERY_OFFER. */
  PCANNO_RECOVERY_PENDING = 12,
  PCANNO_ERR_BUSY = 13,     /* a long job owns the session; try again when it has ended */
  PCANNO_ERR_CONFLICT = 14, /* contradicts the session's state: nothing to undo, id in use */
  PCANNO_ERR_INTERNAL = 100 /* a bug in pcanno; the message says what was caught */
} pcanno_status;

/* The frame a box or a polyline's line is expressed in. LIDAR: the sensor frame of the box's own
 * frame. WORLD: the sequence's world frame, which needs poses. */
typedef enum pcanno_frame_of_reference {
  PCANNO_FRAME_LIDAR = 0,
  PCANNO_FRAME_WORLD = 1
} pcanno_frame_of_reference;

/* How a box or a polyline's line came to be. */
typedef enum pcanno_provenance {
  PCANNO_PROVENANCE_MANUAL = 0,
  PCANNO_PROVENANCE_INTERPOLATED = 1,
  PCANNO_PROVENANCE_TRACKED = 2,
  PCANNO_PROVENANCE_FITTED = 3,
  PCANNO_PROVENANCE_IMPORTED = 4,
  PCANNO_PROVENANCE_MODEL = 5
} pcanno_provenance;

typedef enum pcanno_journal_sync {
  PCANNO_JOURNAL_SYNC_NONE = 0, /* survives the process dying, not the machine losing power */
  PCANNO_JOURNAL_SYNC_DATA = 1  /* fdatasync per edit: survives power loss (default) */
} pcanno_journal_sync;

/* What opening does with unsaved edits found in a journal (a crash, or a session closed without
 * saving). Sessions without a document journal to a recovery file under $XDG_STATE_HOME/pcanno/
 * recovery (else ~/.local/state/pcanno/recovery), keyed by the dataset and sequence; see
 * docs/journal.md. */
typedef enum pcanno_recovery_policy {
  PCANNO_RECOVERY_RECOVER = 0, /* replay them (default) */
  PCANNO_RECOVERY_OFFER = 1,   /* open without them and return PCANNO_RECOVERY_PENDING */
  PCANNO_RECOVERY_DISCARD = 2  /* set them aside (<journal>.discarded) and open the saved state */
} pcanno_recovery_policy;

/* One box of a track at one frame. Box frame: origin at the centre, +x forward (length), +y left
 * (width), +z up (height). Fixed-width fields give every caller the same layout. */
typedef struct pcanno_box {
  int64_t track_id;
  int64_t frame;              /* index into the sequence's frames, from 0 */
  double center[3];           /* [m] in frame_of_reference */
  double size[3];             /* length, width, height [m], each > 0 */
  double rotation_wxyz[4];    /* unit quaternion w, x, y, z: box frame -> frame_of_reference */
  int32_t frame_of_reference; /* pcanno_frame_of_reference */
  int32_t provenance;         /* pcanno_provenance */
  int32_t keyframe;           /* 1: set by a person (or imported ground truth), 0: derived */
} pcanno_box;

typedef struct pcanno_session pcanno_session;

/* What pcanno_session_open_ex() opens. Initialise with pcanno_open_options_init(). */
typedef struct pcanno_open_options {
  size_t struct_size;        /* sizeof(pcanno_open_options), so that the struct can grow */
  const char* sequence_path; /* dataset root or folder; NULL or "": a document without points */
  const char* sequence_name; /* KITTI tracking "0003", nuScenes "scene-0061"; NULL/"": the first */
  const char* document_path; /* native .json, loaded when it exists; NULL/"": none until saved */
  int32_t journal;           /* 1 (default): journal each edit (beside the document, if any) */
  int32_t journal_sync;      /* pcanno_journal_sync, default PCANNO_JOURNAL_SYNC_DATA */
  int32_t load_plugins;      /* 1 (default): load plugins found on PCANNO_PLUGIN_PATH */
  /* Added after the first release: a struct_size that ends before them gives the defaults. */
  int32_t recovery;            /* pcanno_recovery_policy, default PCANNO_RECOVERY_RECOVER */
  const char* recovery_folder; /* NULL/"": the default folder above */
} pcanno_open_options;

/* Library version ("0.1.0") and PCANNO_C_ABI_VERSION of the library actually loaded. */
PCANNO_C_API const char* pcanno_version(void);
PCANNO_C_API int pcanno_abi_version(void);

/* The last failure on this thread ("" after a success); never NULL. */
PCANNO_C_API const char* pcanno_last_error(void);
/* "ok", "not_found", "invalid_argument", ...; "unknown" for other values. Never NULL. */
PCANNO_C_API const char* pcanno_status_name(pcanno_status status);

/* ---- Sessions ---------------------------------------------------------------------------- */

PCANNO_C_API void pcanno_open_options_init(pcanno_open_options* options);
PCANNO_C_API pcanno_status pcanno_session_open_ex(const pcanno_open_options* options,
                                                  pcanno_session** out);
/* Opens a sequence and/or a document with the default options; either path may be NULL or "".
 * Unsaved edits left by a crash are replayed; pcanno_session_warnings() says what was recovered. */
PCANNO_C_API pcanno_status pcanno_session_open(const char* sequence_path, const char* document_path,
                                               pcanno_session** out);
/* Closes without saving (the journal keeps unsaved edits for the next open). NULL is ignored. */
PCANNO_C_API void pcanno_session_close(pcanno_session* session);
/* Closes and drops the unsaved edits with their journal: the next open starts from the saved
 * state. The handle is freed even when removing the journal fails (then PCANNO_ERR_IO). */
PCANNO_C_API pcanno_status pcanno_session_close_discarding(pcanno_session* session);

/* Unsaved edits awaiting a decision after PCANNO_RECOVERY_PENDING: *edits gets their count (0
 * when none wait) and *modified_unix_s when they were last written (either may be NULL). */
PCANNO_C_API pcanno_status pcanno_session_pending_recovery(const pcanno_session* session,
                                                           size_t* edits, int64_t* modified_unix_s);
/* Replays the pending edits, or sets them aside; CONFLICT when none wait. Until one of these is
 * called, edits, undo, redo and save are refused with CONFLICT. */
PCANNO_C_API pcanno_status pcanno_session_recover(pcanno_session* session);
PCANNO_C_API pcanno_status pcanno_session_discard_recovery(pcanno_session* session);
/* The file unsaved edits are journaled to ("" with journaling off). */
PCANNO_C_API pcanno_status pcanno_session_journal_path(const pcanno_session* session, char* buffer,
                                                       size_t size, size_t* required);

/* What opening recovered or set aside, one message per line; "" when nothing happened. */
PCANNO_C_API pcanno_status pcanno_session_warnings(const pcanno_session* session, char* buffer,
                                                   size_t size, size_t* required);

/* Frames of the sequence, else of the document. */
PCANNO_C_API pcanno_status pcanno_session_frame_count(const pcanno_session* session,
                                                      int64_t* count);

/* ---- Reading tracks and boxes ------------------------------------------------------------ */

PCANNO_C_API pcanno_status pcanno_session_track_count(const pcanno_session* session, size_t* count);
/* Track ids in increasing order. */
PCANNO_C_API pcanno_status pcanno_session_track_ids(const pcanno_session* session, int64_t* ids,
                                                    size_t capacity, size_t* count);
/* Frames at which the track has a box, in increasing order. */
PCANNO_C_API pcanno_status pcanno_session_track_frames(const pcanno_session* session,
                                                       int64_t track_id, int64_t* frames,
                                                       size_t capacity, size_t* count);
/* The track's class ("Car"). */
PCANNO_C_API pcanno_status pcanno_session_track_label(const pcanno_session* session,
                                                      int64_t track_id, char* buffer, size_t size,
                                                      size_t* required);
/* The box of `track_id` at `frame`, as stored (its frame_of_reference says in which frame). */
PCANNO_C_API pcanno_status pcanno_session_get_box(const pcanno_session* session, int64_t track_id,
                                                  int64_t frame, pcanno_box* box);

/* ---- Editing (each call is one undo step) ------------------------------------------------- */

/* A new track of class `label` holding `box`. box->track_id < 0 takes the next free id, else that
 * id (PCANNO_ERR_CONFLICT when in use). The new id goes to *track_id (may be NULL). */
PCANNO_C_API pcanno_status pcanno_session_add_track(pcanno_session* session, const char* label,
                                                    const pcanno_box* box, int64_t* track_id);
/* Adds `box` to the existing track box->track_id at box->frame, which must have no box yet. */
PCANNO_C_API pcanno_status pcanno_session_add_box(pcanno_session* session, const pcanno_box* box);
/* Replaces the centre, size and rotation of the box of box->track_id at box->frame, keeping its
 * attributes. As any edit by a person, the box becomes a manual keyframe: box->provenance and
 * box->keyframe are ignored. box->frame_of_reference must be the stored one. */
PCANNO_C_API pcanno_status pcanno_session_modify_box(pcanno_session* session,
                                                     const pcanno_box* box);
/* Removes one box; removing a track's last box removes the track. */
PCANNO_C_API pcanno_status pcanno_session_delete_box(pcanno_session* session, int64_t track_id,
                                                     int64_t frame);
PCANNO_C_API pcanno_status pcanno_session_delete_track(pcanno_session* session, int64_t track_id);
/* Changes a track's class (added to the schema when missing). */
PCANNO_C_API pcanno_status pcanno_session_set_track_label(pcanno_session* session, int64_t track_id,
                                                          const char* label);

/* ---- Track repair (each call is one undo step) ------------------------------------------- */

/* Moves every box of `absorbed_id` into `kept_id` and removes `absorbed_id`. When both tracks have
 * a box at the same frame the merge is refused with PCANNO_ERR_CONFLICT, and pcanno_last_error()
 * names every such frame ("tracks 3 and 7 both have boxes at frames 4, 5, 9; ..."). */
PCANNO_C_API pcanno_status pcanno_session_merge_tracks(pcanno_session* session, int64_t kept_id,
                                                       int64_t absorbed_id);
/* Moves the boxes of `track_id` from `first_frame` on into a new track of the same class and
 * attributes: id `new_id`, or the next free id when new_id < 0 (CONFLICT when in use). Both parts
 * must keep a box (else INVALID_ARGUMENT). The new id goes to *out_new_id (may be NULL). */
PCANNO_C_API pcanno_status pcanno_session_split_track(pcanno_session* session, int64_t track_id,
                                                      int64_t first_frame, int64_t new_id,
                                                      int64_t* out_new_id);
/* Moves the box of `track_id` at `frame` into track `target_id`, or into a new track of the same
 * class when target_id < 0 or no track has that id (its id goes to *out_target_id, may be NULL).
 * CONFLICT, naming the frame, when the target has a box there already. A track whose only box
 * this was goes with it. */
PCANNO_C_API pcanno_status pcanno_session_relink_box(pcanno_session* session, int64_t track_id,
                                                     int64_t frame, int64_t target_id,
                                                     int64_t* out_target_id);
/* Removes the boxes of `track_id` at frames first..last (inclusive); the track when none is
 * left. NOT_FOUND when it has none there. */
PCANNO_C_API pcanno_status pcanno_session_delete_frames(pcanno_session* session, int64_t track_id,
                                                        int64_t first, int64_t last);
/* Turns the boxes of `track_id` at frames first..last by 180 degrees about their own z axis. */
PCANNO_C_API pcanno_status pcanno_session_flip_heading(pcanno_session* session, int64_t track_id,
                                                       int64_t first, int64_t last);
/* Gives the boxes of `track_id` at frames first..last the size of its box at `from_frame`, each
 * keeping its centre and rotation. */
PCANNO_C_API pcanno_status pcanno_session_apply_size(pcanno_session* session, int64_t track_id,
                                                     int64_t from_frame, int64_t first,
                                                     int64_t last);

/* Groups the edits until commit into one undo step; cancel reverts them. Nested begins join the
 * outer group. Undo and redo are refused while a group is open. */
PCANNO_C_API pcanno_status pcanno_session_begin_transaction(pcanno_session* session,
                                                            const char* name);
PCANNO_C_API pcanno_status pcanno_session_commit_transaction(pcanno_session* session);
PCANNO_C_API pcanno_status pcanno_session_cancel_transaction(pcanno_session* session);

/* ---- Polylines (lane lines, curbs, areas) ------------------------------------------------- */
/* A polyline track has an id, a class and at most one line per frame. A line's vertices are x, y, z
 * triples [m] in its frame_of_reference, in drawing order; a closed line (an area) has a segment
 * from the last vertex back to the first. Vertex arrays: `xyz` holds 3 * `capacity` doubles, and
 * `count` receives the number of vertices (see "Arrays out" above). */

PCANNO_C_API pcanno_status pcanno_session_polyline_count(const pcanno_session* session,
                                                         size_t* count);
/* Polyline ids in increasing order. */
PCANNO_C_API pcanno_status pcanno_session_polyline_ids(const pcanno_session* session, int64_t* ids,
                                                       size_t capacity, size_t* count);
/* Frames at which the polyline has a line, in increasing order. */
PCANNO_C_API pcanno_status pcanno_session_polyline_frames(const pcanno_session* session,
                                                          int64_t polyline_id, int64_t* frames,
                                                          size_t capacity, size_t* count);
/* The polyline's class ("Lane marking"). */
PCANNO_C_API pcanno_status pcanno_session_polyline_label(const pcanno_session* session,
                                                         int64_t polyline_id, char* buffer,
                                                         size_t size, size_t* required);
/* The line of `polyline_id` at `frame`, as stored. *closed gets 1 for an area, else 0;
 * *frame_of_reference a pcanno_frame_of_reference (either may be NULL; both are set also when the
 * vertex array is too small). */
PCANNO_C_API pcanno_status pcanno_session_get_polyline(const pcanno_session* session,
                                                       int64_t polyline_id, int64_t frame,
                                                       double* xyz, size_t capacity, size_t* count,
                                                       int32_t* closed,
                                                       int32_t* frame_of_reference);
/* A new polyline of class `label` (NULL or "": the document's default polyline class) holding one
 * line at `frame`: `vertex_count` (>= 1) vertices from `xyz`, in `frame_of_reference`, closed
 * when `closed` is non-zero. It is a manual keyframe. The new id goes to *polyline_id (may be
 * NULL). */
PCANNO_C_API pcanno_status pcanno_session_add_polyline(pcanno_session* session, const char* label,
                                                       int64_t frame, const double* xyz,
                                                       size_t vertex_count, int32_t closed,
                                                       int32_t frame_of_reference,
                                                       int64_t* polyline_id);
/* Replaces the line of `polyline_id` at `frame` (adding one when it has none there) with
 * `vertex_count` (>= 1) vertices from `xyz`. The vertices are in the frame_of_reference the line
 * is stored in at that frame (pcanno_session_get_polyline() says which; PCANNO_FRAME_LIDAR for a
 * frame without a line yet). As any edit by a person, the line becomes a manual keyframe. */
PCANNO_C_API pcanno_status pcanno_session_set_polyline_vertices(pcanno_session* session,
                                                                int64_t polyline_id, int64_t frame,
                                                                const double* xyz,
                                                                size_t vertex_count,
                                                                int32_t closed);
/* Removes the polyline at every frame. */
PCANNO_C_API pcanno_status pcanno_session_delete_polyline(pcanno_session* session,
                                                          int64_t polyline_id);

/* ---- Undo, save, export ------------------------------------------------------------------- */

/* CONFLICT: nothing to undo or redo, or a transaction is open; BUSY: a long job owns the session. */
PCANNO_C_API pcanno_status pcanno_session_undo(pcanno_session* session);
PCANNO_C_API pcanno_status pcanno_session_redo(pcanno_session* session);
/* 1 or 0; 0 for a NULL session. */
PCANNO_C_API int pcanno_session_can_undo(const pcanno_session* session);
PCANNO_C_API int pcanno_session_can_redo(const pcanno_session* session);
/* 1 when there are edits since the last save or open. */
PCANNO_C_API int pcanno_session_is_dirty(const pcanno_session* session);

/* Writes the document atomically to `path`, or to the document it was opened with when `path` is
 * NULL or "" (NOT_FOUND when there is none). Saving to a new path makes it the session's
 * document, and the journal follows it. */
PCANNO_C_API pcanno_status pcanno_session_save(pcanno_session* session, const char* path);

/* Writes the annotations with the registered label codec `codec_id` ("kitti-tracking",
 * "nuscenes", "openlabel", "pcanno", or a plugin's) to `out_path`, with the session's sequence
 * for calibration. Missing folders of `out_path` are made. Existing output is replaced only when
 * `overwrite` is non-zero. An unknown id is PCANNO_ERR_NOT_FOUND naming the known ones. */
PCANNO_C_API pcanno_status pcanno_session_export(pcanno_session* session, const char* codec_id,
                                                 const char* out_path, int overwrite);
/* What the last successful pcanno_session_export on this thread wrote and what the format could
 * not hold: "wrote 15 boxes, 10 ignore regions; dropped 2 polyline states: KITTI labels hold
 * boxes only" ("" before any export). Copied out as described at the top. */
PCANNO_C_API pcanno_status pcanno_last_export_summary(char* buffer, size_t size, size_t* required);
/* Ids of the codecs that can write, comma-separated ("kitti-object,kitti-tracking,..."). */
PCANNO_C_API pcanno_status pcanno_session_codec_ids(const pcanno_session* session, char* buffer,
                                                    size_t size, size_t* required);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* PCANNO_C_H */
