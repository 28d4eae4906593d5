#!/usr/bin/env bash
# Runs the whole test suite of the build in build/ (made by ./setup.sh). Tests that need a display run
# under a virtual X server.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -f build/CTestTestfile.cmake ]; then
  echo "run-tests: no build found in build/; run ./setup.sh first" >&2
  exit 2
fi
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake --build build --parallel "$(nproc)"
# Sessions without a document journal unsaved edits under $XDG_STATE_HOME: keep the tests' out of
# the user's own state folder (tests that reopen sessions isolate themselves further).
XDG_STATE_HOME="$(mktemp -d -t pcanno-test-state.XXXXXX)"
export XDG_STATE_HOME
trap 'rm -rf "$XDG_STATE_HOME"' EXIT
# -noreset: by default Xvfb restarts whenever its last client leaves, and a test starting at that
# moment cannot connect. The programs wait such a restart out too (viewer::DisplayConnection).
runner=()
if command -v xvfb-run >/dev/null 2>&1; then
  runner=(xvfb-run -a -s "-screen 0 1600x1000x24 -noreset")
fi
"${runner[@]}" ctest --test-dir build --output-on-failure --parallel "$(nproc)" "$@"
