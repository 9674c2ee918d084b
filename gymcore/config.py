"""Limits and settings a deployment may change, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MODEL_FRAMES = 16  # the paper's fixed number of frames per view
# The bundled sample clips (their manifest: gymcore.data.samples).
SAMPLES_DIR = Path(__file__).resolve().parent / "samples"

CACHE_ENV = "GYMCORE_CACHE"
DATA_ROOT_ENV = "GYMFORM_DATA_ROOT"


def cache_root() -> Path:
    """Where gymcore keeps what it can compute again (converted models, dataset features and frames):
    ``$GYMCORE_CACHE``, else ``~/.cache/gymcore``. Read at each call, so a changed environment counts."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "gymcore").expanduser()


def data_root() -> Path:
    """The one folder (with its subfolders) whose datasets and clips the dashboard may read and where it
    writes the sets it generates: ``$GYMFORM_DATA_ROOT``, else ``~/gymform-data``."""
    return Path(os.environ.get(DATA_ROOT_ENV) or Path.home() / "gymform-data").expanduser()


@dataclass(frozen=True)
class ClipLimits:
    """What a clip may be before it is refused (2 min, 500 MB, 160 px on the short side by default).

    The caps on duration, frame rate, frame count and frame size are checked from the container's
    header as soon as the file is open, before its packets are read or its bytes hashed, and again
    from the packets, which a header cannot fake.
    """

    max_duration_s: float = 120.0
    max_file_bytes: int = 500 * 1024 * 1024
    min_short_side_px: int = 160
    # Phones film slow motion at up to 240 fps; more than that is thousands of frames a second to
    # decode for nothing the 30 fps timeline uses.
    max_fps: float = 240.0
    # 4K DCI (4096x2160): larger frames cost seconds of decoding each for a pose read at 640 px.
    max_long_side_px: int = 4096
    max_frame_pixels: int = 4096 * 2160
    # Too short to show a repetition: below this many frames a way down and up is a few frames each,
    # and the shortest repetition segmentation accepts (gymcore.repetitions.types.RepConfig
    # .min_duration_s, which tests/test_silent.py keeps equal to this).
    min_frames: int = 8
    min_duration_s: float = 0.5
    # A file holding less than this share of the duration its header announces was cut short (a copy
    # or an upload broken off); what decodes is still assessed, with a warning.
    min_announced_share: float = 0.9
    # Timelines use every frame up to this rate; faster clips are thinned to it.
    timeline_max_fps: float = 30.0
    # MediaPipe resizes its input to 256 px anyway; decoding at this long side saves time.
    pose_long_side_px: int | None = 640

    @property
    def max_frames(self) -> int:
        """The most frames a clip may hold: the longest clip at the fastest rate."""
        return int(self.max_duration_s * self.max_fps)


DEFAULT_LIMITS = ClipLimits()

# A SynthGym dataset's default size (gymcore.synth.dataset.plan), in the published proportions: 295
# squat, 106 lunge and 269 deadlift repetitions over 45 participants.
SYNTH_PARTICIPANTS = 45
SYNTH_REPS_PER_PARTICIPANT = {"squat": 6.5, "lunges": 2.4, "deadlift": 6.0}
# Where a SynthGym set's landmarks come from: MediaPipe run over the rendered frames, or MediaPipe's
# errors drawn by the fitted noise model (gymcore.synth.noise) around the true joints.
SYNTH_LANDMARK_SOURCES = ("mediapipe", "noise-model")
