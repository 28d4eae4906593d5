
# ---- automation and QA (src/automation*.cpp): the CLI's fit, track, prelabel, check and eval ----
from typing import Literal, Protocol, overload

class _HasPath(Protocol):
    """A pcanno.Sequence or any object naming a dataset by `path` (and `name`)."""
    path: Any

_SequenceArg = Union[str, PathLike, _HasPath]

_Labels = Union[str, PathLike, "Annotations"]
_TrackMethod = Literal["linear", "interpolate", "propagate", "auto"]
_Frames = Union[None, int, str, Tuple[int, int]]

def fit(sequence: _SequenceArg, frame: int, seed: _typing.Sequence[float], *, label: Optional[str] = None,
        heading: Optional[float] = None, sequence_name: str = "") -> Dict[str, Any]:
    """The box fitted to the object around `seed` [m, LiDAR frame]: `pcanno fit --json`'s keys."""
    ...

@overload
def track(sequence: _SequenceArg, labels: _Labels, *, out: Optional[_Path] = None,
          to: Optional[str] = None, format: Optional[str] = None, sequence_name: str = "",
          method: _TrackMethod = "auto", keyframes_every: int = 0,
          first_keyframe_only: bool = False, refine: bool = False, force: bool = False,
          cache: bool = True, progress: _Progress = None,
          with_report: Literal[False] = False) -> "Annotations":
    """Complete tracks between keyframes (`pcanno track`)."""
    ...
@overload
def track(sequence: _SequenceArg, labels: _Labels, *, out: Optional[_Path] = None,
          to: Optional[str] = None, format: Optional[str] = None, sequence_name: str = "",
          method: _TrackMethod = "auto", keyframes_every: int = 0,
          first_keyframe_only: bool = False, refine: bool = False, force: bool = False,
          cache: bool = True, progress: _Progress = None,
          with_report: Literal[True] = ...) -> Tuple["Annotations", Dict[str, Any]]:
    """Complete tracks between keyframes (`pcanno track`), with the run's report."""
    ...

@overload
def prelabel(sequence: _SequenceArg, *, detector: str = "classical", frames: _Frames = None,
             min_score: float = 0.0, min_hits: int = 3,
             detector_params: Optional[Dict[str, Any]] = None, sequence_name: str = "",
             out: Optional[_Path] = None, to: Optional[str] = None, force: bool = False,
             cache: bool = True, progress: _Progress = None,
             with_report: Literal[False] = False) -> "Annotations":
    """Pre-label a sequence with a detector (`pcanno prelabel`)."""
    ...
@overload
def prelabel(sequence: _SequenceArg, *, detector: str = "classical", frames: _Frames = None,
             min_score: float = 0.0, min_hits: int = 3,
             detector_params: Optional[Dict[str, Any]] = None, sequence_name: str = "",
             out: Optional[_Path] = None, to: Optional[str] = None, force: bool = False,
             cache: bool = True, progress: _Progress = None,
             with_report: Literal[True] = ...) -> Tuple["Annotations", Dict[str, Any]]:
    """Pre-label a sequence with a detector (`pcanno prelabel`), with the run's report."""
    ...

def check(labels: _Labels, *, format: Optional[str] = None, sequence: Optional[_SequenceArg] = None,
          sequence_name: str = "", schema: Optional[_Path] = None, min_points: int = 5,
          points: bool = True, progress: _Progress = None) -> Dict[str, Any]:
    """Quality checks on labels: `pcanno check --json`'s keys."""
    ...

def eval(pred: _Labels, gt: _Labels, *, pred_format: Optional[str] = None,
         gt_format: Optional[str] = None, sequence: Optional[_SequenceArg] = None,
         sequence_name: str = "", frames: Union[None, str, _typing.Sequence[int]] = None,
         exclude_keyframes: bool = False, exclude_derived_gt: bool = False,
         detection: bool = False, min_score: Optional[float] = None,
         max_range: Optional[float] = None, classes: Union[None, str, _typing.Sequence[str]] = None,
         min_points: int = 0, dont_care: bool = True,
         progress: _Progress = None) -> Dict[str, Any]:
    """Score predictions against ground truth: `pcanno eval --json`'s keys."""
    ...
