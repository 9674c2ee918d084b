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
    """What a clip may be before it is refused (2 min, 500 MB, 160 px on the short side by default)."""

    max_duration_s: float = 120.0
    max_file_bytes: int = 500 * 1024 * 1024
    min_short_side_px: int = 160
    # Timelines use every frame up to this rate; faster clips are thinned to it.
    timeline_max_fps: float = 30.0
    # MediaPipe resizes its input to 256 px anyway; decoding at this long side saves time.
    pose_long_side_px: int | None = 640


DEFAULT_LIMITS = ClipLimits()

# A SynthGym dataset's default size (gymcore.synth.dataset.plan), in the published proportions: 295
# squat, 106 lunge and 269 deadlift repetitions over 45 participants.
SYNTH_PARTICIPANTS = 45
SYNTH_REPS_PER_PARTICIPANT = {"squat": 6.5, "lunges": 2.4, "deadlift": 6.0}
