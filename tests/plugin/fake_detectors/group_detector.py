"""The detector proper behind group_detector.sh; standard library only.

MODE (argv[1]):
  ok        answers every frame with one Car and exits 0 on shutdown
  exit      exits with status 3 at the first frame
  hang      never answers a frame (a timeout or a cancel ends it)
  stubborn  never answers a frame, and ignores SIGTERM, the shutdown request and end of stdin
It writes detector.pid at the hello and detecting.txt when it has a frame's request.
"""
import json
import os
import signal
import sys
import time

mode = sys.argv[1]
if mode == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
with open("detector.pid", "w") as f:
    f.write(str(os.getpid()))


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


json.loads(sys.stdin.readline())
send({"type": "hello", "protocol": 1, "name": "group", "classes": ["Car"]})
for line in sys.stdin:
    request = json.loads(line)
    if request["type"] == "shutdown":
        if mode == "stubborn":
            break
        sys.exit(0)
    with open("detecting.txt", "w") as f:
        f.write(str(request["frame"]))
    if mode == "ok":
        send({"type": "detections", "id": request["id"], "boxes": [
            {"class": "Car", "center": [10, 0, -1], "size": [4, 2, 1.5], "yaw": 0, "score": 0.9}]})
    elif mode == "exit":
        sys.stderr.write("giving up\n")
        sys.exit(3)
    else:
        time.sleep(1000)
while True:  # stubborn: outlive the end of stdin
    time.sleep(1000)
