
# sequences: src/sequences.cpp, src/sequences_records.cpp. `Sequence` below is pcanno.Sequence;
# the typing one is `_typing.Sequence`.

class CameraImage:
    """One camera image of a LiDAR frame; P @ T_cam_lidar projects LiDAR points into it."""
    channel: str
    path: str
    timestamp_us: Optional[int]
    width: int
    height: int
    P: npt.NDArray[np.float64]
    K: npt.NDArray[np.float64]
    T_cam_lidar: npt.NDArray[np.float64]
    T_ego_camera: Optional[npt.NDArray[np.float64]]
    T_world_ego: Optional[npt.NDArray[np.float64]]
    sample_data_token: str

class FrameInfo:
    """One frame's file, time, pose and images, without reading its cloud."""
    index: int
    name: str
    cloud_path: str
    format: str
    timestamp_us: Optional[int]
    is_keyframe: bool
    sample_token: str
    calibration: Optional[int]
    T_world_lidar: Optional[npt.NDArray[np.float64]]
    images: Dict[str, CameraImage]

class KittiCalib:
    """KITTI calibration as stored in the file (matrices are float64 copies)."""
    P: npt.NDArray[np.float64]
    has_P: List[bool]
    R0_rect: npt.NDArray[np.float64]
    Tr_velo_to_cam: npt.NDArray[np.float64]
    T_cam_lidar: npt.NDArray[np.float64]
    T_rect_velo: npt.NDArray[np.float64]
    Tr_imu_to_velo: Optional[npt.NDArray[np.float64]]

class Calibration:
    """A sequence's sensor calibration (KITTI matrices, LiDAR mount)."""
    kitti: Optional[KittiCalib]
    T_ego_lidar: Optional[npt.NDArray[np.float64]]
    source: str

class FrameIterator:
    """Iterates a Sequence's clouds through its frame cache."""
    def __iter__(self) -> FrameIterator: ...
    def __next__(self) -> Cloud: ...

class Sequence:
    """A dataset's LiDAR frames with times, poses, calibration and cameras; clouds via a cache."""
    layout: str
    name: str
    root: str
    labels: Optional[str]
    warnings: List[str]
    cameras: List[str]
    frame_names: List[str]
    cloud_paths: List[str]
    timestamps_us: npt.NDArray[np.int64]
    has_timestamps: bool
    has_poses: bool
    has_pose: npt.NDArray[np.bool_]
    T_world_lidar: npt.NDArray[np.float64]
    has_calibration: bool
    calibrations: List[Calibration]
    def __len__(self) -> int: ...
    def __getitem__(self, i: int) -> Cloud: ...
    def __iter__(self) -> FrameIterator: ...
    def __reversed__(self) -> FrameIterator: ...
    def frame(self, i: int) -> Cloud: ...
    def pose(self, i: int) -> Optional[npt.NDArray[np.float64]]: ...
    def calibration_of(self, i: int) -> Optional[Calibration]: ...
    def frame_info(self, i: int) -> FrameInfo: ...
    def camera_image(self, camera: str, i: int) -> Optional[CameraImage]: ...
    def image_paths(self, camera: str) -> List[Optional[str]]: ...
    def image(self, camera: str, i: int) -> npt.NDArray[np.uint8]: ...
    def cached(self, i: int) -> bool: ...
    def cache_stats(self) -> Dict[str, int]: ...

def open_sequence(path: _Path, name: Union[str, int, None] = None, *,
                  layout: Optional[str] = None,
                  version: Optional[str] = None, sweeps: bool = False,
                  cache_bytes: int = 1073741824, prefetch_ahead: int = 3,
                  prefetch_behind: int = 1, threads: int = 1,
                  images: Union[bool, _typing.Sequence[str]] = False,
                  drop_non_finite: bool = False) -> Sequence: ...
def list_sequences(path: _Path, *, layout: Optional[str] = None, version: Optional[str] = None,
                   sweeps: bool = False) -> List[Dict[str, Any]]: ...
def detect_layout(path: _Path) -> Optional[str]: ...
def read_kitti_calib(path: _Path) -> KittiCalib: ...
def read_image(path: _Path) -> npt.NDArray[np.uint8]: ...
