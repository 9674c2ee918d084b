"""The check of a tracked view: quality flags for a reviewer (missed frames, a jump of the tracked
person, poorly visible joints) and whether the view can be trusted for a criterion (orientation,
framing, the person found and not jumping).

Both use one jump detector, ``jump_times``, so the warning a page shows about a jump and the view
being refused for it always go together. The view gate checks each repetition's 16 frames with it
too (gymcore.judging.gate), as samples: see ``jump_times``.

A lateral camera sees the shoulders and hips edge on: their horizontal widths shrink toward zero
while the torso keeps its length (what it shows instead is the torso's depth). A frontal camera
sees them at full width, about 0.55 torso lengths. Between the two bands the view is oblique: its
repetitions are judged through MediaPipe's 3D landmarks turned to the view the clip was given as
(gymcore.perception.turned), as are those of a clip given as lateral that reads frontal; the check
says so (``turned_flag``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from gymcore.perception.angles import lean_from_vertical
from gymcore.perception.pose import LANDMARK, PoseTrack
from gymcore.perception.turned import turns
from gymcore.perception.video import ClipInfo

# Shoulder and hip widths over the torso length facing the camera (shoulders ~0.36 m, hip joints
# ~0.2 m, torso ~0.5 m).
FRONTAL_WIDTH_RATIO = 0.55
# The body centre stepping faster than this many torso lengths per second between two frames (7 m/s
# for an adult, half a torso between two frames at 30 fps) is not a person exercising: the tracker
# lost the athlete and found someone else. SynthGym's clips reach 11 (a lunge at 25 fps).
JUMP_STEP_TORSOS_PER_SECOND = 15.0
# Frames closer than this are treated as this far apart, so that duplicated timestamps cannot turn a
# small move into an impossible speed.
MIN_FRAME_INTERVAL_S = 1 / 60
# When MediaPipe keeps tracking through a switch, its smoothing slides the landmarks to the other
# person over about 0.3 s (at 12 fps) instead of stepping there: moves and changes of size are then
# also rated over at least this long.
JUMP_WINDOW_S = 0.35
# Sliding faster than this over the window (2 m/s for an adult) is not a person exercising either;
# SynthGym's squats, lunges, deadlifts and walking in reach 3.2.
JUMP_SLIDE_TORSOS_PER_SECOND = 4.0
# The body's apparent size changing by more than this factor within the window would take walking a
# third of the way to the camera at once: the track switched to a person at another distance.
# SynthGym's clips reach 1.26.
JUMP_SIZE_RATIO = 1.4
MIN_MEAN_VISIBILITY = 0.5
_KEY_JOINTS = [LANDMARK[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip",
                                     "left_knee", "right_knee", "left_ankle", "right_ankle")]
# What "the whole body" means: head, shoulders, hips, knees, ankles and feet.
WHOLE_BODY = ("nose", "left_shoulder", "right_shoulder", "left_hip", "right_hip", "left_knee",
              "right_knee", "left_ankle", "right_ankle", "left_heel", "right_heel")
# A trunk (hip centre to shoulder centre, in MediaPipe's 3D landmarks) further than this from upright
# is a body read upside down: no squat, lunge or hinge tips it past about 100 degrees (a back flat
# over the floor is 90; a burpee's floor phase reached 142 on the real-clip benchmark's tuning half),
# while the tracker's misreads there read 161-179 (a split squat whose head left the top of the frame,
# two squats), docs/real-benchmark.md.
UPSIDE_DOWN_DEG = 150.0
_WORLD_UP = np.array([0.0, -1.0, 0.0])  # MediaPipe's world y axis points down
# A landmark may sit this far outside the picture (fraction of the frame) and still count as in it:
# MediaPipe puts heels and toes on the bottom edge when the feet touch it.
FRAME_MARGIN = 0.02


@dataclass(frozen=True)
class QualityFlag:
    code: str
    message: str
    times_s: tuple[float, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "times_s": list(self.times_s)}


@dataclass
class QualityReport:
    """What a reviewer should know about one view before trusting the numbers."""

    detection_rate: float
    mean_visibility: float
    flags: list[QualityFlag] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        report = asdict(self)
        report["flags"] = [flag.to_dict() for flag in self.flags]
        return report


@dataclass(frozen=True)
class ViewCheckLimits:
    """When a view is trusted (gymcore.perception.trackcheck)."""

    # Horizontal shoulder and hip widths over the torso length: about 0.55 facing the camera
    # (FRONTAL_WIDTH_RATIO), near 0 side on.
    lateral_max_width_ratio: float = 0.30
    frontal_min_width_ratio: float = 0.38
    # Share of frames with the person found, and with the whole body inside the picture.
    min_detected_share: float = 0.75
    min_in_frame_share: float = 0.75
    # MediaPipe's own visibility score below which a landmark is taken as hidden.
    min_visibility: float = 0.5


@dataclass
class ViewCheck:
    """What was found about one view; ``problems`` are sentences for a person."""

    view: str
    width_ratio: float  # horizontal shoulder and hip widths over torso length (median)
    orientation: str  # "frontal", "lateral" or "oblique"
    detected_share: float
    in_frame_share: float
    jump_times_s: list[float]
    visibility: dict[str, float]  # landmark name -> median visibility
    problems: list[str] = field(default_factory=list)
    limits: ViewCheckLimits = field(default_factory=ViewCheckLimits)
    # What a reviewer should know about the clip that does not refuse the view (its QualityReport's
    # flags: cut short, someone else in view, missed frames...).
    flags: list[QualityFlag] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return not self.problems

    def hidden(self, joints: tuple[str, ...]) -> list[str]:
        """The joints (names without side, e.g. "knee") seen on neither side."""
        def seen(joint: str) -> bool:
            names = [joint] if joint in LANDMARK else [f"left_{joint}", f"right_{joint}"]
            return max(self.visibility[name] for name in names) >= self.limits.min_visibility

        return [joint for joint in joints if not seen(joint)]

    def to_dict(self) -> dict[str, object]:
        check: dict[str, object] = {
            "view": self.view, "orientation": self.orientation, "width_ratio": self.width_ratio,
            "detected_share": self.detected_share, "in_frame_share": self.in_frame_share,
            "jump_times_s": self.jump_times_s, "problems": self.problems,
        }
        # Only when there are any, as records written before flags were kept read back unchanged.
        return check | ({"flags": [flag.to_dict() for flag in self.flags]} if self.flags else {})


def upside_down(track: PoseTrack) -> np.ndarray:
    """(N,) bool: frames whose body MediaPipe read upside down (``UPSIDE_DOWN_DEG``), a misread."""
    world = np.asarray(track.world, dtype=np.float64)
    hips = (world[:, LANDMARK["left_hip"]] + world[:, LANDMARK["right_hip"]]) / 2
    shoulders = (world[:, LANDMARK["left_shoulder"]] + world[:, LANDMARK["right_shoulder"]]) / 2
    with np.errstate(invalid="ignore"):
        return track.detected & (lean_from_vertical(hips, shoulders, _WORLD_UP) > UPSIDE_DOWN_DEG)


def quality_report(track: PoseTrack, image_size: tuple[int, int], misread: np.ndarray | None = None) -> QualityReport:
    """Missed frames, frames read upside down (``misread``, already taken as missed in ``track``),
    jumps of the tracked person and poorly visible joints in one view."""
    misread = np.zeros(len(track), dtype=bool) if misread is None else misread
    missed = ~track.detected & ~misread
    flags = [
        *_frames_flag("missed_frames", f"Nobody was found in {missed.sum()} of {len(track)} frames; those frames are"
                      " left out of the curves.", track, missed),
        *_frames_flag("upside_down", f"In {misread.sum()} of {len(track)} frames the tracker read the body upside down"
                      " (shoulders below the hips), a misread: those frames are left out like frames where nobody was"
                      " found.", track, misread),
    ]
    jumps = jump_times(track.landmarks, track.time_s, image_size, every_frame=True)
    if jumps:
        flags.append(QualityFlag(
            "person_jump",
            "The tracked person jumps between frames (another person in view, or the track was"
            " lost): check that only the athlete is in frame.",
            tuple(jumps),
        ))
    visibility = float(np.nanmean(track.visibility[track.detected][:, _KEY_JOINTS])) if track.detected.any() else 0.0
    if track.detected.any() and visibility < MIN_MEAN_VISIBILITY:
        flags.append(QualityFlag(
            "low_visibility",
            f"Hips, knees, ankles or shoulders are often hidden or out of frame (mean visibility"
            f" {visibility:.2f}): film the whole body from further away.",
        ))
    return QualityReport(detection_rate=track.detection_rate, mean_visibility=round(visibility, 3), flags=flags)


def _frames_flag(code: str, message: str, track: PoseTrack, frames: np.ndarray) -> list[QualityFlag]:
    """A flag naming the times of the given frames (a boolean mask); none when there are none."""
    return [QualityFlag(code, message, tuple(np.round(track.time_s[frames], 2).tolist()))] if frames.any() else []


def truncation_flags(info: ClipInfo, min_share: float) -> list[QualityFlag]:
    """A warning when the clip holds less than ``min_share`` of the duration its header announces:
    the file was cut short, and what is assessed is only its beginning."""
    announced = info.announced_duration_s
    if announced is None or info.duration_s >= min_share * announced:
        return []
    return [QualityFlag(
        "truncated",
        f"{Path(info.path).name} holds {info.duration_s:.1f} s of the {announced:.1f} s its header announces:"
        " the file looks cut short, and only what it holds is assessed. Copy or export the clip again to"
        " assess all of it.",
        (round(info.duration_s, 2),),
    )]


def second_person_flags(times_s: list[float], searched: int) -> list[QualityFlag]:
    """A warning when someone besides the tracked athlete was found in ``times_s`` of the
    ``searched`` frames (gymcore.perception.people): the tracker follows one person and may switch
    to another."""
    if not times_s:
        return []
    return [QualityFlag(
        "second_person",
        f"Someone besides the athlete is in view in {len(times_s)} of the {searched} frames searched (first at"
        f" {min(times_s):.1f} s): the tracker follows one person and may switch to the other. Film with only"
        " the athlete in frame.",
        tuple(round(t, 2) for t in times_s),
    )]


def check_track(view: str, track: PoseTrack, image_size: tuple[int, int],
                limits: ViewCheckLimits = ViewCheckLimits()) -> ViewCheck:
    """The check of a whole clip's timeline, as the product uses the clip: one whose repetitions are
    turned to its view (``turns``) has no orientation problem, but a flag saying so (``turned_flag``)."""
    check = check_poses(view, track.landmarks, track.visibility, track.time_s, image_size, limits, every_frame=True)
    if turns(view, check.orientation):
        check.problems = _problems(check, limits, turned=True)
    return check


def check_poses(
    view: str, landmarks: np.ndarray, visibility: np.ndarray, time_s: np.ndarray,
    image_size: tuple[int, int], limits: ViewCheckLimits, every_frame: bool = False, turned: bool = False,
) -> ViewCheck:
    """The check of poses sampled from a clip, or of every frame of it (see ``jump_times``); ``turned``
    poses were turned to ``view`` (gymcore.perception.turned), whatever their width reads."""
    landmarks = np.asarray(landmarks, dtype=np.float64)
    detected = np.isfinite(landmarks[:, :, :2]).all(axis=(1, 2))
    ratio = width_ratio(landmarks[detected], image_size)
    check = ViewCheck(
        view=view, width_ratio=round(ratio, 3), orientation=orientation(ratio, limits),
        detected_share=float(detected.mean()) if len(detected) else 0.0,
        in_frame_share=in_frame_share(landmarks[detected]),
        jump_times_s=jump_times(landmarks, time_s, image_size, every_frame=every_frame),
        visibility={name: _median_visibility(visibility[detected], index) for name, index in LANDMARK.items()},
        limits=limits,
    )
    check.problems = _problems(check, limits, turned)
    return check


def turned_flag(check: ViewCheck) -> list[QualityFlag]:
    """The sentence a reviewer needs when a view is judged through turned landmarks, as a flag."""
    if not turns(check.view, check.orientation):
        return []
    return [QualityFlag("turned", (
        f"the {check.view} clip looks {check.orientation} (shoulders and hips {check.width_ratio:.2f} torso lengths"
        f" wide): its repetitions are judged from MediaPipe's 3D landmarks turned to a {check.view} view, less"
        f" precise than a {check.view} clip; the criteria resting on the depth of the feet, the arms, the head or"
        " the free leg are not judged from it."))]


def jump_times(landmarks: np.ndarray, time_s: np.ndarray, image_size: tuple[int, int], *,
               every_frame: bool) -> list[float]:
    """Times (s) at which the tracked body steps, slides or changes its apparent size faster than a
    person can: the track switched to someone else. One time per jump, where it starts.

    Slides and changes of size are rated only on ``every_frame`` of a clip as tracked (a timeline),
    where MediaPipe's smoothing spreads a switch over several frames and times are real. Frames
    sampled from a clip lie further apart than that spread, and a dataset's times are nominal (16
    frames one sixteenth apart, however long the repetition): there only sudden steps are rated.

    Distances are in the clip's median body size (``body_sizes``), not each frame's: a hinge toward
    the camera shortens the torso in the picture, which frame-to-frame scales would take for a
    switch of person.
    """
    landmarks = np.asarray(landmarks, dtype=np.float64)
    seen = np.flatnonzero(np.isfinite(landmarks[:, :, :2]).all(axis=(1, 2)))
    if len(seen) < 2:
        return []
    points = landmarks[seen, :, :2] * np.asarray(image_size, dtype=np.float64)
    sizes = body_sizes(points)
    times = np.asarray(time_s, dtype=np.float64)[seen]
    centres = _body_centres(points) / np.median(sizes)
    jumped = _sudden_steps(times, centres)
    if every_frame:
        jumped |= _fast_slides_or_resizes(times, centres, np.log(sizes))
    return _first_of_each_jump(times[jumped])


def body_sizes(points: np.ndarray) -> np.ndarray:
    """Per frame, the torso length in pixels, or what the shoulder and hip widths imply when that is
    longer: a hinge toward the camera foreshortens the torso but not the widths, and a side view
    hides the widths but shows the torso whole."""
    torso = np.linalg.norm(_centre(points, "shoulder") - _centre(points, "hip"), axis=1)
    widths = (_width(points, "shoulder") + _width(points, "hip")) / 2
    return np.maximum.reduce([torso, widths / FRONTAL_WIDTH_RATIO, np.ones(len(points))])


def _sudden_steps(times: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Which frames end a step from the previous one faster than a person can move."""
    jumped = np.zeros(len(times), dtype=bool)
    elapsed = np.maximum(np.diff(times), MIN_FRAME_INTERVAL_S)
    jumped[1:] = np.linalg.norm(np.diff(centres, axis=0), axis=1) / elapsed > JUMP_STEP_TORSOS_PER_SECOND
    return jumped


def _fast_slides_or_resizes(times: np.ndarray, centres: np.ndarray, log_sizes: np.ndarray) -> np.ndarray:
    """Which frames end a slide or a change of size too fast for a person, comparing each frame with
    the earlier ones within ``JUMP_WINDOW_S``; moves within less than the window are rated over the
    whole window, since MediaPipe's smoothing may hide part of them."""
    jumped = np.zeros(len(times), dtype=bool)
    max_slide = JUMP_SLIDE_TORSOS_PER_SECOND * JUMP_WINDOW_S
    max_log_resize = np.log(JUMP_SIZE_RATIO)
    for lag in range(1, len(times)):
        compared = times[lag:] - times[:-lag] <= JUMP_WINDOW_S
        if not compared.any():
            break
        slid = np.linalg.norm(centres[lag:] - centres[:-lag], axis=1) > max_slide
        resized = np.abs(log_sizes[lag:] - log_sizes[:-lag]) > max_log_resize
        jumped[lag:] |= compared & (slid | resized)
    return jumped


def _first_of_each_jump(times: np.ndarray) -> list[float]:
    """The first of each run of flagged times; a jump flags every frame compared across it."""
    starts = np.ones(len(times), dtype=bool)
    starts[1:] = np.diff(times) > JUMP_WINDOW_S
    return [round(float(t), 2) for t in times[starts]]


def _body_centres(points: np.ndarray) -> np.ndarray:
    return (_centre(points, "shoulder") + _centre(points, "hip")) / 2


def _centre(points: np.ndarray, joint: str) -> np.ndarray:
    return (points[:, LANDMARK[f"left_{joint}"]] + points[:, LANDMARK[f"right_{joint}"]]) / 2


def _width(points: np.ndarray, joint: str) -> np.ndarray:
    return np.linalg.norm(points[:, LANDMARK[f"left_{joint}"]] - points[:, LANDMARK[f"right_{joint}"]], axis=1)


def width_ratio(landmarks: np.ndarray, image_size: tuple[int, int]) -> float:
    """Median over frames of (shoulder width + hip width) / 2 / torso length, widths horizontal."""
    if not len(landmarks):
        return float("nan")
    points = landmarks[..., :2] * np.asarray(image_size, dtype=np.float64)
    shoulders = np.abs(points[:, LANDMARK["left_shoulder"], 0] - points[:, LANDMARK["right_shoulder"], 0])
    hips = np.abs(points[:, LANDMARK["left_hip"], 0] - points[:, LANDMARK["right_hip"], 0])
    torso = np.maximum(np.linalg.norm(_centre(points, "shoulder") - _centre(points, "hip"), axis=1), 1e-6)
    return float(np.median((shoulders + hips) / 2 / torso))


def orientation(ratio: float, limits: ViewCheckLimits) -> str:
    if not np.isfinite(ratio):
        return "unknown"
    if ratio <= limits.lateral_max_width_ratio:
        return "lateral"
    return "frontal" if ratio >= limits.frontal_min_width_ratio else "oblique"


def in_frame_share(landmarks: np.ndarray) -> float:
    """Share of frames whose head, shoulders, hips, knees, ankles and heels are all in the picture."""
    if not len(landmarks):
        return 0.0
    body = landmarks[:, [LANDMARK[name] for name in WHOLE_BODY], :2]
    inside = ((body >= -FRAME_MARGIN) & (body <= 1 + FRAME_MARGIN)).all(axis=(1, 2))
    return float(inside.mean())


def _median_visibility(visibility: np.ndarray, index: int) -> float:
    return float(np.median(visibility[:, index])) if len(visibility) else 0.0


def _problems(check: ViewCheck, limits: ViewCheckLimits, turned: bool = False) -> list[str]:
    """Why this view cannot be used to judge the criteria it is meant for; ``turned``: its poses are
    judged turned to its view, whatever way the clip shows the body."""
    problems = []
    name = check.view
    if check.detected_share < limits.min_detected_share:
        problems.append(f"the person was found in only {check.detected_share:.0%} of the {name} frames")
    if check.orientation not in (name, "unknown") and not turned:
        problems.append(
            f"the {name} clip looks {check.orientation} (shoulders and hips {check.width_ratio:.2f} torso"
            f" lengths wide; a {name} view shows "
            + (f"at most {limits.lateral_max_width_ratio:g})" if name == "lateral"
               else f"at least {limits.frontal_min_width_ratio:g})")
        )
    if check.in_frame_share < limits.min_in_frame_share:
        problems.append(f"the whole body is in the {name} picture in only {check.in_frame_share:.0%} of the frames")
    if check.jump_times_s:
        problems.append(f"the tracked person jumps in the {name} clip (at {check.jump_times_s[0]:.1f} s)")
    return problems
