#!/bin/sh
# A detector behind a shell wrapper, as teams write them: the wrapper starts a helper in the
# background (it keeps the wrapper's stdout) and runs the detector without exec, so the detector
# proper is a grandchild of pcanno. Each writes its pid in the working folder, so that a test can
# check that none survives the run. MODE is the first argument (see group_detector.py).
if [ "$1" = stubborn ]; then
  trap '' TERM  # inherited by both: only SIGKILL ends them
fi
sleep 1000 &
echo $! > helper.pid
echo $$ > wrapper.pid
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
"$PY" "$(dirname "$0")/group_detector.py" "$@"
