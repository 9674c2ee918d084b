"""Every name of the ALEX-GYM-1 dataset layout (docs/architecture.md), in one place for writer and loader.

SynthGym writes these names and the dataset loader reads them; the published data follows the
same pattern (frames ``{video}_idx_{rep}_{frame}.jpg``, odd video numbers frontal, even lateral,
repetition indices from 0, frame numbers from 1). The side folders (ground truth, clips,
demographics, dataset card, completion records) are SynthGym's own additions.
"""

from __future__ import annotations

import re

from gymcore.config import MODEL_FRAMES
from gymcore.criteria import VIEWS as VIEWS  # re-exported: the layout's two views
from gymcore.criteria import criteria_for

FRAME_FOLDERS = {"squat": "Squat_frames", "deadlift": "Deadlift_frames", "lunges": "Lunges_frames"}
SHEETS = {"squat": "squat.xlsx", "deadlift": "deadlift.xlsx", "lunges": "lunges.xlsx"}
POSE_FILES = {"frontal": "front_pose_{exercise}.json", "lateral": "lat_pose_{exercise}.json"}
FRAME_NAME = "{video}_idx_{rep}_{frame}.jpg"
FRAME_PATTERN = re.compile(r"^(?P<video>\d+)_idx_(?P<rep>\d+)_(?P<frame>\d+)\.jpg$")
FIRST_FRAME = 1
FIRST_REP = 0
FRAMES_PER_REP = MODEL_FRAMES

COLUMN_PARTICIPANT = "participant"
COLUMN_VIDEO = {"frontal": "frontal_video", "lateral": "lateral_video"}
COLUMN_REP = "rep"
COLUMN_EXERCISE = "exercise"
LABEL_THRESHOLD = 0.5  # the paper's ratings are thresholded at 0.5

DEMOGRAPHICS_SHEET = "demographics.xlsx"
DEMOGRAPHIC_COLUMNS: tuple[str, ...] = (
    COLUMN_PARTICIPANT, "height_m", "sex", "age_group", "skin_tone", "build",
)
DATASET_CARD = "dataset.json"
GROUND_TRUTH_FOLDER = "ground_truth"
GROUND_TRUTH_NAME = "{exercise}_{frontal}_{lateral}"  # + ".npz" (arrays) and ".json" (parameters)
CLIPS_FOLDER = "clips"
# One completion record per participant whose files are all written: what lets a run be resumed.
DONE_FOLDER = ".participants_done"
CLIP_NAME = "{exercise}_{video}.mp4"


def frame_name(video: int, rep: int, frame: int) -> str:
    return FRAME_NAME.format(video=video, rep=rep, frame=frame)


def sheet_columns(exercise: str) -> list[str]:
    """Columns of an exercise sheet, in order: identifiers, then one 0/1 column per criterion."""
    return [COLUMN_PARTICIPANT, COLUMN_VIDEO["frontal"], COLUMN_VIDEO["lateral"], COLUMN_REP, COLUMN_EXERCISE,
            *label_columns(exercise)]


def label_columns(exercise: str) -> list[str]:
    return [criterion.id for criterion in criteria_for(exercise)]


def video_numbers(pair: int) -> dict[str, int]:
    """The frontal (odd) and lateral (even) video numbers of the pair-th recording, from 1."""
    return {"frontal": 2 * pair - 1, "lateral": 2 * pair}


def ground_truth_stem(exercise: str, frontal: int, lateral: int) -> str:
    return GROUND_TRUTH_NAME.format(exercise=exercise, frontal=frontal, lateral=lateral)


def clip_name(exercise: str, video: int) -> str:
    return CLIP_NAME.format(exercise=exercise, video=video)
