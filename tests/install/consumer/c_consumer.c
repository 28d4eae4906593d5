/* A C host of an installed pcanno: proves find_package(pcanno) with pcanno::c, the installed
 * pcanno_c.h and libpcanno_c. Exits 0 only if a box goes in and comes back out unchanged. */
#include <stdio.h>
#include <string.h>

#include <pcanno_c.h>

int main(void) {
  pcanno_session* s = NULL;
  pcanno_box box, back;
  int64_t id = -1;
  if (pcanno_abi_version() != PCANNO_C_ABI_VERSION) return 1;
  if (pcanno_session_open(NULL, NULL, &s) != PCANNO_OK) {
    fprintf(stderr, "open: %s\n", pcanno_last_error());
    return 1;
  }
  memset(&box, 0, sizeof box);
  box.track_id = -1;
  box.size[0] = 4.0;
  box.size[1] = 1.8;
  box.size[2] = 1.5;
  box.center[0] = 7.25;
  box.rotation_wxyz[0] = 1.0;
  box.keyframe = 1;
  if (pcanno_session_add_track(s, "Car", &box, &id) != PCANNO_OK ||
      pcanno_session_get_box(s, id, 0, &back) != PCANNO_OK) {
    fprintf(stderr, "edit: %s\n", pcanno_last_error());
    pcanno_session_close(s);
    return 1;
  }
  /* Nothing to keep: drop the edit's recovery journal with the session. */
  if (pcanno_session_close_discarding(s) != PCANNO_OK) {
    fprintf(stderr, "close: %s\n", pcanno_last_error());
    return 1;
  }
  printf("pcanno %s: track %lld at x = %.2f\n", pcanno_version(), (long long)id, back.center[0]);
  return back.center[0] == 7.25 ? 0 : 1;
}
