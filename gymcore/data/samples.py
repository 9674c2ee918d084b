"""The bundled sample clips (gymcore/samples/manifest.json), offered on Assess in one click."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from gymcore.config import SAMPLES_DIR

# Short enough for a button; the page says that the deadlift is the single-leg Romanian one.
SHORT_NAMES = {"squat": "Squat", "lunges": "Lunge", "deadlift": "SL deadlift"}


@dataclass(frozen=True)
class Sample:
    key: str
    exercise: str
    kind: str  # "clean" or "faulty"
    clips: dict[str, Path]  # view -> file
    labels: list[dict[str, int]]  # per repetition: criterion id -> 1 (satisfied) or 0

    @property
    def title(self) -> str:
        return f"{SHORT_NAMES.get(self.exercise, self.exercise)} · {self.kind}"


def bundled_samples(folder: Path = SAMPLES_DIR) -> list[Sample]:
    """Every sample whose clips are all present; none when the folder has no manifest."""
    manifest = folder / "manifest.json"
    if not manifest.exists():
        return []
    samples = []
    for entry in json.loads(manifest.read_text(encoding="utf-8")).get("clips", []):
        clips = {view: folder / name for view, name in entry["files"].items()}
        if all(path.exists() for path in clips.values()):
            samples.append(Sample(
                key=f"{entry['exercise']}_{entry['kind']}", exercise=entry["exercise"], kind=entry["kind"],
                clips=clips, labels=[rep["labels"] for rep in entry.get("reps", [])],
            ))
    return samples
