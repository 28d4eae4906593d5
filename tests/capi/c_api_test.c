/* The C ABI from plain C99: open the KITTI tracking excerpt in sample_data/, edit, undo, save,
 * reopen, recover from the journal and export. Exits non-zero after printing every failed check.
 * Usage: pcanno_c_api_test <sample_data dir> */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcanno_c.h"

static int g_failures = 0;

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      ++g_failures;                                                                                \
      fprintf(stderr, "%s:%d: CHECK failed: %s (last error: \"%s\")\n", __FILE__, __LINE__, #cond, \
              pcanno_last_error());                                                                \
    }                                                                                              \
  } while (0)

/* A call expected to give `expected`; prints what it gave otherwise. */
#define EXPECT_STATUS(expected, call)                                                              \
  do {                                                                                             \
    const pcanno_status got_ = (call);                                                             \
    if (got_ != (expected)) {                                                                      \
      ++g_failures;                                                                                \
      fprintf(stderr, "%s:%d: %s gave %s, expected %s (last error: \"%s\")\n", __FILE__, __LINE__, \
              #call, pcanno_status_name(got_), pcanno_status_name(expected), pcanno_last_error()); \
    }                                                                                              \
  } while (0)

#define EXPECT_OK(call) EXPECT_STATUS(PCANNO_OK, call)

/* The last error mentions `needle`. */
static void expect_error_mentions(const char* needle, int line) {
  if (strstr(pcanno_last_error(), needle) == NULL) {
    ++g_failures;
    fprintf(stderr, "%s:%d: last error \"%s\" does not mention \"%s\"\n", __FILE__, line,
            pcanno_last_error(), needle);
  }
}
#define EXPECT_ERROR_MENTIONS(needle) expect_error_mentions(needle, __LINE__)

/* Field by field, exactly: the ABI must hand back the very doubles it was given. */
static int same_box(const pcanno_box* a, const pcanno_box* b) {
  int i;
  if (a->track_id != b->track_id || a->frame != b->frame) return 0;
  for (i = 0; i < 3; ++i) {
    if (a->center[i] != b->center[i] || a->size[i] != b->size[i]) return 0;
  }
  for (i = 0; i < 4; ++i) {
    if (a->rotation_wxyz[i] != b->rotation_wxyz[i]) return 0;
  }
  return a->frame_of_reference == b->frame_of_reference && a->provenance == b->provenance &&
         a->keyframe == b->keyframe;
}

static pcanno_box make_box(int64_t frame, double x, double yaw) {
  pcanno_box b;
  memset(&b, 0, sizeof b);
  b.track_id = -1;
  b.frame = frame;
  b.center[0] = x;
  b.center[1] = -2.5;
  b.center[2] = -0.75;
  b.size[0] = 4.2;
  b.size[1] = 1.8;
  b.size[2] = 1.6;
  b.rotation_wxyz[0] = cos(yaw / 2);
  b.rotation_wxyz[3] = sin(yaw / 2);
  b.frame_of_reference = PCANNO_FRAME_LIDAR;
  b.provenance = PCANNO_PROVENANCE_MODEL;
  b.keyframe = 0;
  return b;
}

static int remove_entry(const char* path, const struct stat* st, int flag, struct FTW* ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static int file_exists(const char* path) {
  struct stat st;
  return stat(path, &st) == 0;
}

static void check_errors_and_null_arguments(pcanno_session* s, int64_t id) {
  pcanno_box box;
  size_t count = 0;
  EXPECT_STATUS(PCANNO_ERR_NOT_FOUND, pcanno_session_get_box(s, 999, 2, &box));
  EXPECT_ERROR_MENTIONS("no track 999");
  EXPECT_STATUS(PCANNO_ERR_NOT_FOUND, pcanno_session_get_box(s, id, 4, &box));
  EXPECT_ERROR_MENTIONS("has no box in frame 4");
  EXPECT_STATUS(PCANNO_ERR_NOT_FOUND, pcanno_session_delete_box(s, 999, 0));
  EXPECT_STATUS(PCANNO_ERR_NOT_FOUND, pcanno_session_set_track_label(s, 999, "Car"));
  EXPECT_STATUS(PCANNO_ERR_INVALID_ARGUMENT, pcanno_session_get_box(NULL, id, 2, &box));
  EXPECT_ERROR_MENTIONS("`session` must not be NULL");
  EXPECT_STATUS(PCANNO_ERR_INVALID_ARGUMENT, pcanno_session_get_box(s, id, 2, NULL));
  EXPECT_ERROR_MENTIONS("`box`");
  EXPECT_STATUS(PCANNO_ERR_INVALID_ARGUMENT, pcanno_session_add_track(s, NULL, &box, NULL));
  EXPECT_STATUS(PCANNO_ERR_INVALID_ARGUMENT, pcanno_session_track_count(s, NULL));
  EXPECT_STATUS(PCANNO_ERR_INVALID_ARGUMENT, pcanno_session_open(NULL, NULL, NULL));
  EXPECT_STATUS(PCANNO_ERR_INVALID_ARGUMENT, pcanno_session_undo(NULL));
  CHECK(pcanno_session_can_undo(NULL) == 0);
  pcanno_session_close(NULL); /* allowed, like free(NULL) */

  box = make_box(7, 5.0, 0.0); /* the excerpt has frames 0..4 */
  EXPECT_STATUS(PCANNO_ERR_NOT_FOUND, pcanno_session_add_track(s, "Car", &box, NULL));
  EXPECT_ERROR_MENTIONS("frame 7 is outside 0..4");
  box = make_box(1, 5.0, 0.0);
  box.provenance = 42;
  EXPECT_STATUS(PCANNO_ERR_INVALID_ARGUMENT, pcanno_session_add_track(s, "Car", &box, NULL));
  box = make_box(1, 5.0, 0.0);
  box.size[2] = 0.0;
  EXPECT_STATUS(PCANNO_ERR_INVALID_ARGUMENT, pcanno_session_add_track(s, "Car", &box, NULL));
  EXPECT_ERROR_MENTIONS("positive length, width and height");
  box = make_box(1, 5.0, 0.0);
  box.rotation_wxyz[0] = 2.0;
  EXPECT_STATUS(PCANNO_ERR_INVALID_ARGUMENT, pcanno_session_add_track(s, "Car", &box, NULL));
  box = make_box(1, 5.0, 0.0);
  box.track_id = id; /* in use */
  EXPECT_STATUS(PCANNO_ERR_CONFLICT, pcanno_session_add_track(s, "Car", &box, NULL));
  {
    pcanno_session* none = (pcanno_session*)&count; /* must be reset to NULL on failure */
    EXPECT_STATUS(PCANNO_ERR_NOT_FOUND, pcanno_session_open("/nonexistent/pcanno", NULL, &none));
    CHECK(none == NULL);
  }
  /* A success clears the last error. */
  EXPECT_OK(pcanno_session_track_count(s, &count));
  CHECK(strcmp(pcanno_last_error(), "") == 0);
}

static void check_transaction(pcanno_session* s) {
  size_t before = 0, count = 0;
  pcanno_box a = make_box(0, 20.0, 0.1), b = make_box(1, 30.0, -0.1);
  EXPECT_OK(pcanno_session_track_count(s, &before));
  EXPECT_OK(pcanno_session_begin_transaction(s, "Add two"));
  EXPECT_OK(pcanno_session_add_track(s, "Pedestrian", &a, NULL));
  EXPECT_OK(pcanno_session_add_track(s, "Cyclist", &b, NULL));
  EXPECT_STATUS(PCANNO_ERR_CONFLICT, pcanno_session_undo(s)); /* not inside a transaction */
  EXPECT_OK(pcanno_session_commit_transaction(s));
  EXPECT_OK(pcanno_session_track_count(s, &count));
  CHECK(count == before + 2);
  EXPECT_OK(pcanno_session_undo(s)); /* one step takes both */
  EXPECT_OK(pcanno_session_track_count(s, &count));
  CHECK(count == before);
  EXPECT_STATUS(PCANNO_ERR_CONFLICT, pcanno_session_commit_transaction(s));
}

/* Adds, reads, edits and deletes polylines; leaves one (a closed 3-vertex area in frame 1, edited
 * to 4 vertices) for the saved document. */
static const double kArea[12] = {1.125, -2.5, -1.75, 6.0,   -2.5, -1.75,
                                 6.0,   1.5,  -1.7,  1.125, 1.5,  -1.7};

static void check_polylines(pcanno_session* s) {
  const double lane[6] = {0.5, 1.0, -1.7, 20.25, 1.25, -1.7};
  double xyz[12] = {0};
  int64_t id = -1, lane_id = -1, ids[4] = {0}, frames[4] = {0};
  size_t count = 0, required = 0;
  int32_t closed = -1, frame_of_reference = -1;
  char label[64];
  int i;

  EXPECT_OK(pcanno_session_polyline_count(s, &count));
  CHECK(count == 0);
  EXPECT_OK(
      pcanno_session_add_polyline(s, "Crosswalk area", 1, kArea, 3, 1, PCANNO_FRAME_LIDAR, &id));
  EXPECT_OK(pcanno_session_add_polyline(s, NULL, 2, lane, 2, 0, PCANNO_FRAME_LIDAR, &lane_id));
  CHECK(id >= 0 && lane_id != id);
  EXPECT_OK(pcanno_session_polyline_ids(s, ids, 4, &count));
  CHECK(count == 2 && ids[0] == id && ids[1] == lane_id);
  EXPECT_OK(pcanno_session_polyline_label(s, id, label, sizeof label, &required));
  CHECK(strcmp(label, "Crosswalk area") == 0 && required == 15);
  EXPECT_OK(pcanno_session_polyline_label(s, lane_id, label, sizeof label, NULL));
  CHECK(strlen(label) > 0); /* the document's default polyline class */
  EXPECT_OK(pcanno_session_polyline_frames(s, id, frames, 4, &count));
  CHECK(count == 1 && frames[0] == 1);

  /* Sizing call, then the vertices bit for bit. */
  EXPECT_STATUS(
      PCANNO_ERR_BUFFER_TOO_SMALL,
      pcanno_session_get_polyline(s, id, 1, NULL, 0, &count, &closed, &frame_of_reference));
  CHECK(count == 3 && closed == 1 && frame_of_reference == PCANNO_FRAME_LIDAR);
  EXPECT_OK(pcanno_session_get_polyline(s, id, 1, xyz, 4, &count, NULL, NULL));
  CHECK(count == 3);
  for (i = 0; i < 9; ++i) CHECK(xyz[i] == kArea[i]);

  /* Replace the line (4 vertices): one undo step each way. */
  EXPECT_OK(pcanno_session_set_polyline_vertices(s, id, 1, kArea, 4, 1));
  EXPECT_OK(pcanno_session_get_polyline(s, id, 1, xyz, 4, &count, &closed, NULL));
  CHECK(count == 4 && closed == 1 && xyz[11] == kArea[11]);
  EXPECT_OK(pcanno_session_undo(s));
  EXPECT_OK(pcanno_session_get_polyline(s, id, 1, xyz, 4, &count, NULL, NULL));
  CHECK(count == 3);
  EXPECT_OK(pcanno_session_redo(s));
  EXPECT_OK(pcanno_session_get_polyline(s, id, 1, xyz, 4, &count, NULL, NULL));
  CHECK(count == 4);

  /* Errors name what was wrong. */
  EXPECT_STATUS(PCANNO_ERR_NOT_FOUND,
                pcanno_session_get_polyline(s, id, 3, xyz, 4, &count, NULL, NULL));
  EXPECT_ERROR_MENTIONS("no line in frame 3");
  EXPECT_STATUS(PCANNO_ERR_NOT_FOUND, pcanno_session_polyline_frames(s, 999, frames, 4, &count));
  EXPECT_ERROR_MENTIONS("no polyline 999");
  EXPECT_STATUS(PCANNO_ERR_INVALID_ARGUMENT,
                pcanno_session_add_polyline(s, NULL, 1, kArea, 0, 0, PCANNO_FRAME_LIDAR, NULL));
  EXPECT_ERROR_MENTIONS("at least one vertex");
  EXPECT_STATUS(PCANNO_ERR_INVALID_ARGUMENT,
                pcanno_session_add_polyline(s, NULL, 1, NULL, 2, 0, PCANNO_FRAME_LIDAR, NULL));
  EXPECT_STATUS(PCANNO_ERR_INVALID_ARGUMENT,
                pcanno_session_add_polyline(s, NULL, 1, kArea, 2, 0, 7, NULL));
  EXPECT_STATUS(PCANNO_ERR_NOT_FOUND,
                pcanno_session_add_polyline(s, NULL, 99, kArea, 2, 0, PCANNO_FRAME_LIDAR, NULL));
  EXPECT_STATUS(PCANNO_ERR_NOT_FOUND, pcanno_session_set_polyline_vertices(s, 999, 1, kArea, 2, 0));
  EXPECT_STATUS(PCANNO_ERR_INVALID_ARGUMENT, pcanno_session_polyline_count(NULL, &count));

  EXPECT_OK(pcanno_session_delete_polyline(s, lane_id));
  EXPECT_STATUS(PCANNO_ERR_NOT_FOUND, pcanno_session_delete_polyline(s, lane_id));
  EXPECT_OK(pcanno_session_polyline_count(s, &count));
  CHECK(count == 1);
}

/* Track repair on a session of its own (no journal): merge (and the refused merge naming every
 * shared frame), split, relink, frame ranges; each one undo step. */
static int64_t add_on(pcanno_session* s, const char* label, const int64_t* frames, int n, double x) {
  int64_t id = -1;
  int i;
  pcanno_box b = make_box(frames[0], x, 0.2);
  EXPECT_OK(pcanno_session_add_track(s, label, &b, &id));
  for (i = 1; i < n; ++i) {
    b = make_box(frames[i], x + i, 0.2);
    b.track_id = id;
    EXPECT_OK(pcanno_session_add_box(s, &b));
  }
  return id;
}

static void check_repair(const char* sequence) {
  pcanno_open_options options;
  pcanno_session* s = NULL;
  const int64_t f_a[3] = {0, 1, 2}, f_b[3] = {1, 2, 4}, f_c[2] = {3, 4};
  int64_t a, b, c, tail = -1, fresh = -1, frames[8] = {0};
  size_t count = 0, tracks = 0;
  pcanno_box box, flipped;

  pcanno_open_options_init(&options);
  options.sequence_path = sequence;
  options.journal = 0;
  options.load_plugins = 0;
  EXPECT_OK(pcanno_session_open_ex(&options, &s));
  if (s == NULL) return;
  a = add_on(s, "Car", f_a, 3, 10.0);
  b = add_on(s, "Car", f_b, 3, 20.0);
  c = add_on(s, "Car", f_c, 2, 30.0);

  /* Refused: a and b share frames 1 and 2, both named. Nothing changes. */
  EXPECT_STATUS(PCANNO_ERR_CONFLICT, pcanno_session_merge_tracks(s, a, b));
  EXPECT_ERROR_MENTIONS("both have boxes at frames 1, 2");
  EXPECT_OK(pcanno_session_track_count(s, &tracks));
  CHECK(tracks == 3);

  /* Merge a and c: one track with frames 0-4, one undo step. */
  EXPECT_OK(pcanno_session_merge_tracks(s, a, c));
  EXPECT_OK(pcanno_session_track_frames(s, a, frames, 8, &count));
  CHECK(count == 5 && frames[0] == 0 && frames[3] == 3 && frames[4] == 4);
  EXPECT_STATUS(PCANNO_ERR_NOT_FOUND, pcanno_session_track_frames(s, c, frames, 8, &count));
  EXPECT_OK(pcanno_session_undo(s));
  EXPECT_OK(pcanno_session_track_frames(s, c, frames, 8, &count));
  CHECK(count == 2);
  EXPECT_OK(pcanno_session_redo(s));

  /* Split a at frame 3: frames 3 and 4 go to a new track. */
  EXPECT_OK(pcanno_session_split_track(s, a, 3, -1, &tail));
  CHECK(tail >= 0 && tail != a);
  EXPECT_OK(pcanno_session_track_frames(s, tail, frames, 8, &count));
  CHECK(count == 2 && frames[0] == 3);
  EXPECT_STATUS(PCANNO_ERR_INVALID_ARGUMENT, pcanno_session_split_track(s, a, 0, -1, NULL));
  EXPECT_ERROR_MENTIONS("without boxes");

  /* Relink: b's box at 4 is refused into tail (which has one there), taken by a. */
  EXPECT_STATUS(PCANNO_ERR_CONFLICT, pcanno_session_relink_box(s, b, 4, tail, NULL));
  EXPECT_ERROR_MENTIONS("at frame 4");
  EXPECT_OK(pcanno_session_get_box(s, b, 4, &box));
  EXPECT_OK(pcanno_session_relink_box(s, b, 4, a, NULL));
  EXPECT_OK(pcanno_session_get_box(s, a, 4, &flipped));
  box.track_id = a;
  CHECK(same_box(&box, &flipped));
  EXPECT_OK(pcanno_session_relink_box(s, b, 1, -1, &fresh));
  CHECK(fresh >= 0 && fresh != b && fresh != a && fresh != tail);
  EXPECT_OK(pcanno_session_track_frames(s, fresh, frames, 8, &count));
  CHECK(count == 1 && frames[0] == 1);

  /* Ranges: flip the heading, apply a size, delete frames. */
  EXPECT_OK(pcanno_session_get_box(s, a, 1, &box));
  EXPECT_OK(pcanno_session_flip_heading(s, a, 0, 1));
  EXPECT_OK(pcanno_session_get_box(s, a, 1, &flipped));
  CHECK(fabs(fabs(box.rotation_wxyz[0] * flipped.rotation_wxyz[3] -
                  box.rotation_wxyz[3] * flipped.rotation_wxyz[0]) - 1.0) < 1e-12);
  CHECK(box.center[0] == flipped.center[0]);
  EXPECT_OK(pcanno_session_undo(s));
  EXPECT_OK(pcanno_session_get_box(s, a, 1, &flipped));
  CHECK(same_box(&box, &flipped));
  EXPECT_OK(pcanno_session_delete_frames(s, a, 0, 1));
  EXPECT_OK(pcanno_session_track_frames(s, a, frames, 8, &count));
  CHECK(count == 2 && frames[0] == 2);
  EXPECT_STATUS(PCANNO_ERR_NOT_FOUND, pcanno_session_delete_frames(s, a, 0, 1));
  EXPECT_OK(pcanno_session_apply_size(s, tail, 3, 3, 4));
  EXPECT_STATUS(PCANNO_ERR_INVALID_ARGUMENT, pcanno_session_merge_tracks(NULL, a, b));
  pcanno_session_close(s);
}

/* Opens, edits, undoes, saves; returns the id of the box left in the saved document. */
static int64_t edit_and_save(const char* sequence, const char* document, pcanno_box* saved) {
  pcanno_session* s = NULL;
  int64_t frames = 0, id = -1, ids[4] = {0}, track_frames[4] = {0};
  size_t count = 0, required = 0;
  char label[16];
  pcanno_box original = make_box(2, 10.125, 0.3), got, moved;

  EXPECT_OK(pcanno_session_open(sequence, document, &s));
  if (s == NULL) return -1;
  EXPECT_OK(pcanno_session_frame_count(s, &frames));
  CHECK(frames == 5);
  EXPECT_OK(pcanno_session_track_count(s, &count));
  CHECK(count == 0); /* opening a sequence does not import its labels */
  CHECK(pcanno_session_can_undo(s) == 0);

  EXPECT_OK(pcanno_session_add_track(s, "Car", &original, &id));
  CHECK(id == 0);
  original.track_id = id;
  EXPECT_OK(pcanno_session_track_ids(s, ids, 4, &count));
  CHECK(count == 1 && ids[0] == id);
  EXPECT_STATUS(PCANNO_ERR_BUFFER_TOO_SMALL, pcanno_session_track_ids(s, NULL, 0, &count));
  CHECK(count == 1);
  EXPECT_OK(pcanno_session_get_box(s, id, 2, &got));
  CHECK(same_box(&got, &original));
  EXPECT_OK(pcanno_session_track_label(s, id, label, sizeof label, &required));
  CHECK(strcmp(label, "Car") == 0 && required == 4);
  EXPECT_STATUS(PCANNO_ERR_BUFFER_TOO_SMALL,
                pcanno_session_track_label(s, id, label, 2, &required));
  CHECK(strcmp(label, "C") == 0 && required == 4);

  /* Modify: the geometry changes, and an edited box becomes a manual keyframe. */
  moved = original;
  moved.center[0] += 1.5;
  moved.size[0] = 4.5;
  moved.rotation_wxyz[0] = cos(0.2);
  moved.rotation_wxyz[3] = sin(0.2);
  EXPECT_OK(pcanno_session_modify_box(s, &moved));
  moved.provenance = PCANNO_PROVENANCE_MANUAL;
  moved.keyframe = 1;
  EXPECT_OK(pcanno_session_get_box(s, id, 2, &got));
  CHECK(same_box(&got, &moved));
  CHECK(pcanno_session_is_dirty(s) == 1);

  EXPECT_OK(pcanno_session_undo(s));
  EXPECT_OK(pcanno_session_get_box(s, id, 2, &got));
  CHECK(same_box(&got, &original)); /* bit for bit */
  CHECK(pcanno_session_can_redo(s) == 1);
  EXPECT_OK(pcanno_session_redo(s));
  EXPECT_OK(pcanno_session_get_box(s, id, 2, &got));
  CHECK(same_box(&got, &moved));
  CHECK(pcanno_session_can_redo(s) == 0);

  /* A second box on the track, then delete it again. */
  got = make_box(3, 11.0, 0.3);
  got.track_id = id;
  EXPECT_OK(pcanno_session_add_box(s, &got));
  EXPECT_STATUS(PCANNO_ERR_CONFLICT, pcanno_session_add_box(s, &got));
  EXPECT_ERROR_MENTIONS("pcanno_session_modify_box");
  EXPECT_OK(pcanno_session_track_frames(s, id, track_frames, 4, &count));
  CHECK(count == 2 && track_frames[0] == 2 && track_frames[1] == 3);
  EXPECT_OK(pcanno_session_delete_box(s, id, 3));
  EXPECT_STATUS(PCANNO_ERR_NOT_FOUND, pcanno_session_get_box(s, id, 3, &got));
  EXPECT_OK(pcanno_session_set_track_label(s, id, "Van"));

  check_errors_and_null_arguments(s, id);
  check_transaction(s);
  check_polylines(s);

  EXPECT_OK(pcanno_session_save(s, NULL));
  CHECK(pcanno_session_is_dirty(s) == 0);
  pcanno_session_close(s);
  *saved = moved;
  return id;
}

/* Reopens the saved document, then leaves an unsaved edit for the journal to recover. */
static void reopen_and_recover(const char* sequence, const char* document, int64_t id,
                               const pcanno_box* saved) {
  pcanno_session* s = NULL;
  pcanno_box got, nudged;
  char text[512];
  size_t count = 0;

  EXPECT_OK(pcanno_session_open(sequence, document, &s));
  if (s == NULL) return;
  EXPECT_OK(pcanno_session_track_count(s, &count));
  CHECK(count == 1);
  EXPECT_OK(pcanno_session_get_box(s, id, 2, &got));
  CHECK(same_box(&got, saved));
  EXPECT_OK(pcanno_session_track_label(s, id, text, sizeof text, NULL));
  CHECK(strcmp(text, "Van") == 0);
  {
    /* The polyline area came back from the file exactly. */
    double xyz[12] = {0};
    int64_t pid = -1;
    int32_t closed = 0;
    int i;
    EXPECT_OK(pcanno_session_polyline_ids(s, &pid, 1, &count));
    CHECK(count == 1);
    EXPECT_OK(pcanno_session_get_polyline(s, pid, 1, xyz, 4, &count, &closed, NULL));
    CHECK(count == 4 && closed == 1);
    for (i = 0; i < 12; ++i) CHECK(xyz[i] == kArea[i]);
  }
  EXPECT_OK(pcanno_session_warnings(s, text, sizeof text, NULL));
  CHECK(strcmp(text, "") == 0);
  nudged = got;
  nudged.center[1] += 0.25;
  EXPECT_OK(pcanno_session_modify_box(s, &nudged));
  pcanno_session_close(s); /* without saving */

  s = NULL;
  EXPECT_OK(pcanno_session_open(sequence, document, &s));
  if (s == NULL) return;
  EXPECT_OK(pcanno_session_warnings(s, text, sizeof text, NULL));
  CHECK(strstr(text, "recovered 1 unsaved edit") != NULL);
  CHECK(pcanno_session_is_dirty(s) == 1);
  EXPECT_OK(pcanno_session_get_box(s, id, 2, &got));
  CHECK(same_box(&got, &nudged));
  pcanno_session_close(s);
}

static void export_labels(const char* sequence, const char* document, const char* dir) {
  pcanno_session* s = NULL;
  char path[4096], ids[256];
  size_t required = 0;

  EXPECT_OK(pcanno_session_open(sequence, document, &s));
  if (s == NULL) return;
  EXPECT_OK(pcanno_session_codec_ids(s, ids, sizeof ids, &required));
  CHECK(strstr(ids, "kitti-tracking") != NULL && strstr(ids, "pcanno") != NULL);

  /* The folder does not exist yet: the export makes it. */
  snprintf(path, sizeof path, "%s/kitti/0000.txt", dir);
  EXPECT_OK(pcanno_session_export(s, "kitti-tracking", path, 0));
  CHECK(file_exists(path));
  EXPECT_STATUS(PCANNO_ERR_PERMISSION, pcanno_session_export(s, "kitti-tracking", path, 0));
  EXPECT_ERROR_MENTIONS("exists already");
  EXPECT_OK(pcanno_session_export(s, "kitti-tracking", path, 1));
  {
    /* The one box, a Van in frame 2 of track 0, in front of the camera. */
    char line[512] = "";
    FILE* f = fopen(path, "r");
    CHECK(f != NULL);
    if (f != NULL) {
      CHECK(fgets(line, sizeof line, f) != NULL);
      CHECK(strncmp(line, "2 0 Van ", 8) == 0);
      fclose(f);
    }
  }
  snprintf(path, sizeof path, "%s/export.json", dir);
  EXPECT_OK(pcanno_session_export(s, "pcanno", path, 0));
  CHECK(file_exists(path));
  EXPECT_STATUS(PCANNO_ERR_NOT_FOUND, pcanno_session_export(s, "no-such-codec", path, 1));
  EXPECT_ERROR_MENTIONS("known: ");
  EXPECT_ERROR_MENTIONS("kitti-tracking");
  EXPECT_STATUS(PCANNO_ERR_INVALID_ARGUMENT, pcanno_session_export(s, "pcanno", NULL, 1));
  pcanno_session_close(s);
}

int main(int argc, char** argv) {
  char dir[] = "/tmp/pcanno_c_api_test_XXXXXX";
  char sequence[4096], document[4096];
  pcanno_box saved;
  int64_t id;

  if (argc != 2) {
    fprintf(stderr, "usage: %s <sample_data dir>\n", argv[0]);
    return 2;
  }
  if (mkdtemp(dir) == NULL) {
    perror("mkdtemp");
    return 2;
  }
  snprintf(sequence, sizeof sequence, "%s/kitti_tracking", argv[1]);
  snprintf(document, sizeof document, "%s/doc.json", dir);
  CHECK(pcanno_abi_version() == PCANNO_C_ABI_VERSION);
  CHECK(strlen(pcanno_version()) > 0);
  CHECK(strcmp(pcanno_status_name(PCANNO_ERR_NOT_FOUND), "not_found") == 0);
  CHECK(strcmp(pcanno_status_name(PCANNO_ERR_BUSY), "busy") == 0);
  CHECK(strcmp(pcanno_status_name(PCANNO_ERR_CONFLICT), "conflict") == 0);

  check_repair(sequence);
  id = edit_and_save(sequence, document, &saved);
  CHECK(file_exists(document));
  if (id >= 0) {
    reopen_and_recover(sequence, document, id, &saved);
    export_labels(sequence, document, dir);
  }
  nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  if (g_failures != 0) {
    fprintf(stderr, "c_api_test: %d check(s) failed\n", g_failures);
    return 1;
  }
  printf("c_api_test: all checks passed (pcanno %s)\n", pcanno_version());
  return 0;
}
