#!/usr/bin/env python3
"""A small LiDAR object detector for pcanno's external-process protocol (docs/detector_protocol.md).

Python 3 and numpy only, no learning: the ground is removed by a height percentile per 8 m patch,
the remaining points are clustered in a 0.3 m bird's-eye-view grid (8-connected cells), each
cluster gets its minimum-area rectangle (an angle search) and a class from its size. It is an
example of the protocol that works on real KITTI scans, not a competitive detector; a team would
put its model where detect() is.

Protocol in brief: one JSON object per line on stdin and stdout; logs go to stderr only.
  <- {"type": "hello", "protocol": 1, "parameters": {...}}
  -> {"type": "hello", "protocol": 1, "name": ..., "classes": [...]}
  <- {"type": "detect", "id": N, "frame": F, "points": {"count", "format", "encoding", "data"},
      "pose": ..., "calibration": {"T_ego_lidar", "cameras": [{"name", "T_cam_lidar", "K"}]}}
      ("calibration" only when the sequence has one)
  -> {"type": "detections", "id": N, "boxes": [{"class", "center", "size", "yaw", "score"}]}
  <- {"type": "shutdown"}   (then stdin closes; exit 0)
"""
import base64
import json
import sys

import numpy as np

PROTOCOL = 1
CLASSES = ["Car", "Van", "Pedestrian", "Cyclist"]

PATCH = 8.0  # [m] side of the ground patches
GROUND_PERCENTILE = 5.0  # the ground is this percentile of a patch's heights
MIN_HEIGHT = 0.3  # [m] above the ground: lower points are ground
MAX_HEIGHT = 3.0  # [m] above the ground: higher points are trees, signs
CELL = 0.3  # [m] clustering grid
MAX_RANGE = 50.0  # [m]


def log(*args):
    print("numpy_detector:", *args, file=sys.stderr, flush=True)


def remove_ground(xyz):
    """The points between MIN_HEIGHT and MAX_HEIGHT above their patch's ground percentile."""
    keys = np.floor(xyz[:, :2] / PATCH).astype(np.int64)
    _, patch, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    patch = patch.reshape(-1)
    ground = np.empty(len(counts))
    order = np.argsort(patch, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)))
    z = xyz[order, 2]
    for p in range(len(counts)):
        ground[p] = np.percentile(z[starts[p]:starts[p + 1]], GROUND_PERCENTILE)
    height = xyz[:, 2] - ground[patch]
    keep = (height > MIN_HEIGHT) & (height < MAX_HEIGHT)
    return xyz[keep], height[keep], ground[patch][keep]


def clusters(xy):
    """Lists of point indices, one per 8-connected component of occupied CELL cells."""
    cells = np.floor(xy / CELL).astype(np.int64)
    uniq, cell_of = np.unique(cells, axis=0, return_inverse=True)
    cell_of = cell_of.reshape(-1)
    index = {(int(a), int(b)): i for i, (a, b) in enumerate(uniq)}
    label = np.full(len(uniq), -1, dtype=np.int64)
    n_labels = 0
    for start in range(len(uniq)):
        if label[start] >= 0:
            continue
        label[start] = n_labels
        stack = [start]
        while stack:
            c = stack.pop()
            cx, cy = int(uniq[c, 0]), int(uniq[c, 1])
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    n = index.get((cx + dx, cy + dy))
                    if n is not None and label[n] < 0:
                        label[n] = n_labels
                        stack.append(n)
        n_labels += 1
    point_label = label[cell_of]
    order = np.argsort(point_label, kind="stable")
    bounds = np.searchsorted(point_label[order], np.arange(n_labels + 1))
    return [order[bounds[i]:bounds[i + 1]] for i in range(n_labels)]


def min_area_box(xy):
    """(centre, length, width, yaw) of the minimum-area rectangle over 1-degree steps."""
    best = None
    for deg in range(0, 90):
        a = np.radians(deg)
        u = np.array([np.cos(a), np.sin(a)])
        v = np.array([-u[1], u[0]])
        pu, pv = xy @ u, xy @ v
        lo_u, hi_u, lo_v, hi_v = pu.min(), pu.max(), pv.min(), pv.max()
        area = (hi_u - lo_u) * (hi_v - lo_v)
        if best is None or area < best[0]:
            centre = u * (lo_u + hi_u) / 2 + v * (lo_v + hi_v) / 2
            best = (area, centre, hi_u - lo_u, hi_v - lo_v, a)
    _, centre, du, dv, a = best
    if du >= dv:
        return centre, du, dv, a
    return centre, dv, du, a + np.pi / 2


def classify(length, width, height):
    if 2.5 <= length <= 6.0 and 1.2 <= width <= 2.6 and 1.2 <= height <= 2.8:
        return "Van" if height > 2.0 else "Car"
    if length <= 1.2 and width <= 1.0 and 1.0 <= height <= 2.1:
        return "Pedestrian"
    if 1.2 < length <= 2.2 and width <= 1.0 and 1.2 <= height <= 2.1:
        return "Cyclist"
    return None


def detect(points, min_points):
    xyz = points[:, :3].astype(np.float64)
    xyz = xyz[np.isfinite(xyz).all(axis=1)]
    xyz = xyz[np.hypot(xyz[:, 0], xyz[:, 1]) <= MAX_RANGE]
    if len(xyz) == 0:
        return []
    above, height, ground = remove_ground(xyz)
    boxes = []
    for ids in clusters(above[:, :2]):
        if len(ids) < min_points:
            continue
        centre, length, width, yaw = min_area_box(above[ids, :2])
        top = float(np.percentile(height[ids], 98))
        cls = classify(length, width, top)
        if cls is None:
            continue
        base = float(np.median(ground[ids]))
        rng = float(np.hypot(*centre))
        expected = 3.0e5 / max(rng, 4.0) ** 2 * (0.2 if cls in ("Pedestrian", "Cyclist") else 1.0)
        score = min(1.0, 0.3 + 0.7 * len(ids) / (0.2 * expected))
        boxes.append({"class": cls,
                      "center": [float(centre[0]), float(centre[1]), base + top / 2],
                      "size": [float(length), float(width), top],
                      "yaw": float(yaw),
                      "score": round(score, 4)})
    return boxes


def parse_calibration(calibration):
    """{camera name: (T_cam_lidar 4x4, K 3x3)} from a request's optional "calibration"."""
    cameras = {}
    for cam in (calibration or {}).get("cameras", []):
        T = np.asarray(cam["T_cam_lidar"], dtype=np.float64).reshape(4, 4)
        K = np.asarray(cam["K"], dtype=np.float64).reshape(3, 3)
        cameras[cam["name"]] = (T, K)
    return cameras


def in_camera_view(boxes, camera):
    """The boxes whose centre is in front of `camera` (T_cam_lidar, K) and inside its image,
    taken as [0, 2 cx] x [0, 2 cy] px: the calibration carries no image size."""
    T, K = camera
    kept = []
    for box in boxes:
        p = T @ np.append(np.asarray(box["center"], dtype=np.float64), 1.0)
        if p[2] <= 0.1:  # [m] behind or at the camera
            continue
        u, v, w = K @ p[:3]
        if 0.0 <= u / w <= 2.0 * K[0, 2] and 0.0 <= v / w <= 2.0 * K[1, 2]:
            kept.append(box)
    return kept


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main():
    min_points = 15
    camera = ""  # parameter "camera" (e.g. P2): keep only boxes in that camera's view
    for raw in sys.stdin.buffer:
        request = json.loads(raw)
        kind = request.get("type")
        if kind == "hello":
            if request.get("protocol") != PROTOCOL:
                send({"error": "protocol %r not supported; this detector speaks %d"
                      % (request.get("protocol"), PROTOCOL)})
                return 1
            parameters = request.get("parameters", {})
            min_points = int(parameters.get("min_points", min_points))
            camera = parameters.get("camera", camera)
            send({"type": "hello", "protocol": PROTOCOL, "name": "numpy-example",
                  "classes": CLASSES})
        elif kind == "detect":
            try:
                pts = request["points"]
                if pts["format"] != "float32le-xyzi" or pts["encoding"] != "base64":
                    raise ValueError("unsupported points format %s/%s"
                                     % (pts["format"], pts["encoding"]))
                data = np.frombuffer(base64.b64decode(pts["data"]), dtype="<f4")
                points = data.reshape(int(pts["count"]), 4)
                boxes = detect(points, min_points)
                if camera:
                    cameras = parse_calibration(request.get("calibration"))
                    if camera not in cameras:
                        raise ValueError("no camera %r in this frame's calibration (it has: %s)"
                                         % (camera, ", ".join(sorted(cameras)) or "none"))
                    boxes = in_camera_view(boxes, cameras[camera])
                send({"type": "detections", "id": request["id"], "boxes": boxes})
            except Exception as e:  # one bad frame is reported, not a crash
                send({"type": "error", "id": request.get("id"), "error": "%s: %s"
                      % (type(e).__name__, e)})
        elif kind == "shutdown":
            return 0
        else:
            log("unknown request type", kind)
            send({"error": "unknown request type %r" % kind})
    return 0


if __name__ == "__main__":
    sys.exit(main())
