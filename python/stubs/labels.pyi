
# labels: src/labels.cpp, labels_tracks.cpp, labels_arrays.cpp, labels_io.cpp

class ClassSpec:
    """One class of a schema (a copy)."""
    name: str
    color: Tuple[int, int, int]
    default_size: npt.NDArray[np.float64]
    shape: str
    closed: bool
    evidence: str
    upright: bool
    motion: Dict[str, Any]
    attributes: List[Dict[str, Any]]

def default_class_schema() -> List[ClassSpec]: ...

class ClassSchema:
    """The classes of a document, plus its scene and frame tags."""
    names: List[str]
    scene_tags: List[Dict[str, Any]]
    frame_tags: List[Dict[str, Any]]
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[ClassSpec]: ...
    def __getitem__(self, key: Union[int, str]) -> ClassSpec: ...
    def __contains__(self, name: str) -> bool: ...
    def get(self, name: str) -> ClassSpec: ...
    def default_class(self, shape: str = "box") -> str: ...
    def add(self, name: str) -> ClassSpec: ...

class Frame:
    """Per-frame facts of a labelled sequence (a copy)."""
    name: str
    timestamp_us: int
    attributes: Dict[str, str]
    source_token: str

class IgnoreRegion:
    """An image region marked not labelled (KITTI DontCare), a copy."""
    frame: int
    label: str
    bbox: npt.NDArray[np.float64]

class Box:
    """A track's box at one frame (a handle into its Annotations)."""
    frame: int
    track_id: int
    label: str
    center: npt.NDArray[np.float64]
    size: npt.NDArray[np.float64]
    rotation: npt.NDArray[np.float64]
    yaw: float
    frame_of_reference: str
    provenance: str
    keyframe: bool
    score: Optional[float]
    attributes: Dict[str, str]
    kitti: Optional[Dict[str, Any]]
    nuscenes: Optional[Dict[str, Any]]
    def to_array(self, columns: int = 7) -> npt.NDArray[np.float64]: ...

class Track:
    """One object over time (a handle into its Annotations)."""
    id: int
    label: str
    attributes: Dict[str, str]
    source_id: str
    free_tilt: bool
    frames: npt.NDArray[np.int64]
    boxes: List[Box]
    def __len__(self) -> int: ...
    def box(self, frame: int) -> Optional[Box]: ...
    def set_box(self, frame: int, box: npt.ArrayLike, *, frame_of_reference: str = "lidar",
                provenance: str = "manual", keyframe: bool = True, score: Optional[float] = None,
                attributes: Optional[Dict[str, str]] = None) -> Box: ...
    def remove_box(self, frame: int) -> bool: ...
    def boxes_array(self, columns: int = 7, frame_of_reference: str = "lidar",
                    sequence: Any = None, *,
                    sequence_name: str = "") -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]: ...

class PolylineState:
    """A polyline track's line at one frame (a handle)."""
    frame: int
    polyline_id: int
    vertices: npt.NDArray[np.float64]
    closed: bool
    frame_of_reference: str
    provenance: str
    keyframe: bool
    attributes: Dict[str, str]

class Polyline:
    """A polyline track (a handle)."""
    id: int
    label: str
    attributes: Dict[str, str]
    frames: npt.NDArray[np.int64]
    states: List[PolylineState]
    def state(self, frame: int) -> Optional[PolylineState]: ...
    def __len__(self) -> int: ...

class FrameBoxes:
    """All boxes of one frame as parallel arrays."""
    frame: int
    frame_of_reference: str
    columns: Tuple[str, ...]
    boxes: npt.NDArray[np.float64]
    track_ids: npt.NDArray[np.int64]
    labels: npt.NDArray[np.str_]
    scores: npt.NDArray[np.float64]
    keyframe: npt.NDArray[np.bool_]
    provenance: npt.NDArray[np.str_]
    def __len__(self) -> int: ...

class Annotations:
    """An annotation document: schema, frames, tracks, polylines, ignore regions."""
    schema: ClassSchema
    classes: List[str]
    frames: List[Frame]
    frame_count: int
    ignore_regions: List[IgnoreRegion]
    attributes: Dict[str, str]
    sequence: Dict[str, str]
    box_count: int
    tracks: List[Track]
    polylines: List[Polyline]
    def __init__(self) -> None: ...
    def copy(self) -> Annotations: ...
    def add_frame(self, name: str, timestamp_us: int = -1) -> int: ...
    def normalize(self) -> None: ...
    def track(self, id: int) -> Track: ...
    def add_track(self, label: str, id: Optional[int] = None) -> Track: ...
    def remove_track(self, id: int) -> bool: ...
    def polyline(self, id: int) -> Polyline: ...
    def add_polyline(self, label: str, frame: int, vertices: npt.ArrayLike, *,
                     closed: bool = False, frame_of_reference: str = "lidar",
                     id: Optional[int] = None) -> Polyline: ...
    def boxes(self, frame: int, columns: int = 7, frame_of_reference: str = "lidar",
              sequence: Any = None, *, sequence_name: str = "") -> FrameBoxes: ...

def read_labels(path: _Path, format: str = "", sequence: Any = None, *, sequence_name: str = "",
                class_map: Union[None, _Path, Dict[str, Any]] = None,
                frames_beyond_sequence: bool = False, progress: _Progress = None) -> Annotations: ...
def write_labels(annotations: Annotations, path: _Path, format: str, *, sequence: Any = None,
                 sequence_name: str = "", class_map: Union[None, _Path, Dict[str, Any]] = None,
                 overwrite: bool = False, include_outside_fov: bool = False,
                 all_frames: bool = False, progress: _Progress = None) -> Dict[str, Any]: ...
def convert(input: _Path, out: _Path, *, to: str, from_format: str = "", sequence: Any = None,
            sequence_name: str = "", class_map: Union[None, _Path, Dict[str, Any]] = None,
            overwrite: bool = False, include_outside_fov: bool = False, all_frames: bool = False,
            progress: _Progress = None) -> Dict[str, Any]: ...
def label_formats() -> List[Dict[str, Any]]: ...
