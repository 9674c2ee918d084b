"""Repetition counting, exercise recognition and the rules' verdicts, measured on multi-repetition
demo clips.

``python -m gymcore evaluate --demo-clips DIR [DIR ...] --json OUT`` reads folders written by
``python -m gymcore synth --demo-clips`` (their manifest says where every repetition starts and
ends, and its true labels), analyses each paired clip as ``assess`` does, and reports per clip the
repetitions found against the true count, the exercise the pose rule names against the true one,
and, where the count is right, how many of the rules model's verdicts on the segmented
repetitions disagree with the truth (a criterion it declines to judge counts as wrong). The clips
are analysed one per worker on the parallel engine (gymcore.parallel.engine).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from gymcore.criteria import EXERCISES, criteria_for
from gymcore.errors import GymError, InputError
from gymcore.evaluation.metrics import predictions
from gymcore.judging.rules.model import DEFAULT_RULES_MODEL
from gymcore.judging.sampling import rep_sample
from gymcore.parallel.engine import run_jobs
from gymcore.perception.analysis import analyse_clips, build_estimators
from gymcore.recognition.pose_rule import recognise
from gymcore.repetitions.windows import repetitions


@dataclass(frozen=True)
class ClipCount:
    folder: str
    exercise: str
    kind: str  # "clean" or "faulty"
    true_reps: int
    found_reps: int
    recognised: str
    bottoms_s: list[float]
    verdicts: int = 0  # rules verdicts compared with the truth (clips counted exactly)
    wrong_verdicts: int = 0

    @property
    def exact(self) -> bool:
        return self.true_reps == self.found_reps


@dataclass(frozen=True)
class CountReport:
    clips: list[ClipCount]

    def share_exact(self, exercise: str | None = None) -> float:
        chosen = [clip for clip in self.clips if exercise in (None, clip.exercise)]
        return sum(clip.exact for clip in chosen) / len(chosen) if chosen else 0.0

    def rules_hamming_loss(self, exercise: str | None = None) -> float | None:
        chosen = [clip for clip in self.clips if exercise in (None, clip.exercise)]
        verdicts = sum(clip.verdicts for clip in chosen)
        return sum(clip.wrong_verdicts for clip in chosen) / verdicts if verdicts else None

    def share_recognised(self) -> float:
        return sum(clip.recognised == clip.exercise for clip in self.clips) / len(self.clips) if self.clips else 0.0

    def to_dict(self) -> dict[str, object]:
        exercises = sorted({clip.exercise for clip in self.clips})
        return {
            "clips": [asdict(clip) | {"exact": clip.exact} for clip in self.clips],
            "count_exact": {"all": self.share_exact(), **{e: self.share_exact(e) for e in exercises}},
            "recognised": self.share_recognised(),
            "rules_hamming_loss": {"all": self.rules_hamming_loss(),
                                   **{e: self.rules_hamming_loss(e) for e in exercises}},
            "n_clips": len(self.clips),
        }


def demo_manifests(folders: list[str | Path]) -> list[tuple[Path, dict[str, object]]]:
    """Every demo folder's manifest (a folder of demo folders is searched one level down)."""
    found = []
    for folder in map(Path, folders):
        candidates = [folder] if (folder / "manifest.json").exists() else sorted(folder.glob("*/"))
        for candidate in candidates:
            manifest = candidate / "manifest.json"
            if manifest.exists():
                found.append((candidate, read_manifest(manifest)))
    if not found:
        raise InputError(f"No demo clips (manifest.json) in {', '.join(map(str, folders))}: write some with"
                         " `python -m gymcore synth --demo-clips --out DIR`.")
    return found


def read_manifest(path: Path) -> dict[str, object]:
    """A demo folder's manifest, checked for what ``count_repetitions`` reads; an InputError names the
    file and the first thing wrong in it."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:  # ValueError: not JSON, or not UTF-8 text
        raise InputError(f"{path} is not readable JSON ({error}): write the demo clips again with"
                         " `python -m gymcore synth --demo-clips`.") from None
    problem = _manifest_problem(manifest)
    if problem:
        raise InputError(f"{path} is not a demo clips manifest: {problem}.")
    return manifest


def _manifest_problem(manifest: object) -> str | None:
    """What is wrong with a manifest's structure, in words, or None."""
    if not isinstance(manifest, dict) or not isinstance(manifest.get("clips"), list) or not manifest["clips"]:
        return "it needs a non-empty list of clips under \"clips\""
    for number, clip in enumerate(manifest["clips"], start=1):
        problem = _clip_problem(clip)
        if problem:
            return f"clip {number} {problem}"
    return None


def _clip_problem(clip: object) -> str | None:
    if not isinstance(clip, dict):
        return "is not an object"
    if clip.get("exercise") not in EXERCISES:
        return f"names the exercise {clip.get('exercise')!r}, not one of {', '.join(EXERCISES)}"
    files = clip.get("files")
    if not isinstance(files, dict) or not all(isinstance(files.get(view), str) for view in ("frontal", "lateral")):
        return "lacks the file names of its frontal and lateral views under \"files\""
    if not isinstance(clip.get("kind"), str):
        return "lacks its kind (clean or faulty)"
    reps = clip.get("reps")
    if not isinstance(reps, list) or not reps:
        return "lacks its list of repetitions under \"reps\""
    ids = {criterion.id for criterion in criteria_for(clip["exercise"])}
    for rep in reps:
        labels = rep.get("labels") if isinstance(rep, dict) else None
        if not isinstance(labels, dict) or set(labels) != ids or \
                not all(isinstance(value, (int, float)) for value in labels.values()):
            return f"has a repetition without a 0/1 label for each of {', '.join(sorted(ids))}"
    return None


@dataclass(frozen=True)
class DemoClip:
    """One paired clip of a demo folder, as ``count_repetitions`` hands it to a worker."""

    name: str  # the folder's name, as the report shows it
    folder: Path  # absolute: a Ray worker does not start in this process's folder
    clip: dict  # its manifest entry, checked by read_manifest


class CountTask:
    """Counts one demo clip per call; each worker builds its pose estimators once."""

    cpus = 2  # the clip's two views are tracked at once

    def setup(self) -> None:
        build_estimators()

    def run(self, item: DemoClip) -> ClipCount:
        return count_clip(item)

    def label(self, item: DemoClip) -> str:
        return f"the {item.clip['kind']} {item.clip['exercise']} clip in {item.folder}"


def count_repetitions(folders: list[str | Path], *, workers: int | None = 1, address: str | None = None,
                      progress: str | None = None) -> CountReport:
    """Segment every demo clip (given its true exercise, as a user naming it would), recognise it,
    and judge its repetitions with the rules model; the clips shared out among ``workers`` (one:
    in this process) or on the Ray cluster at ``address``. A clip that cannot be analysed is a
    GymError with its sentence, once the others are done."""
    clips = [DemoClip(folder.name, folder.resolve(), clip)
             for folder, manifest in demo_manifests(folders) for clip in manifest["clips"]]
    outcomes = sorted(run_jobs(CountTask(), clips, workers=workers, address=address, progress=progress),
                      key=lambda outcome: outcome.index)
    failed = [outcome.error for outcome in outcomes if not outcome.ok]
    if failed:
        raise GymError(failed[0] if len(failed) == 1 else f"{len(failed)} demo clips could not be counted; the"
                       f" first: {failed[0]}")
    return CountReport([outcome.result for outcome in outcomes])


def count_clip(item: DemoClip) -> ClipCount:
    clip, files = item.clip, item.clip["files"]
    perception = analyse_clips(front=item.folder / files["frontal"], side=item.folder / files["lateral"])
    found, segmentation = repetitions(perception, clip["exercise"])
    wrong = verdicts = 0
    if len(found) == len(clip["reps"]):
        judged = DEFAULT_RULES_MODEL.judge(clip["exercise"], [rep_sample(perception, window, False) for window in found])
        ids = list(clip["reps"][0]["labels"])
        truth = np.array([[rep["labels"][cid] for cid in ids] for rep in clip["reps"]])
        verdicts, wrong = truth.size, int((predictions(truth, ids, judged) != truth).sum())
    return ClipCount(
        folder=item.name, exercise=clip["exercise"], kind=clip["kind"], true_reps=len(clip["reps"]),
        found_reps=len(found), recognised=recognise(perception).exercise,
        bottoms_s=[round(window[segmentation.view].bottom_s, 2) for window in found],
        verdicts=verdicts, wrong_verdicts=wrong,
    )


def describe(report: CountReport) -> str:
    lines = [f"{clip.folder:<10} {clip.exercise:<9} {clip.kind:<7} true {clip.true_reps} found {clip.found_reps}"
             f"{'' if clip.exact else '  <- wrong'}   recognised {clip.recognised}" for clip in report.clips]
    exercises = sorted({clip.exercise for clip in report.clips})
    lines.append("count exact: " + ", ".join(
        f"{e} {sum(c.exact for c in report.clips if c.exercise == e)}/{sum(c.exercise == e for c in report.clips)}"
        for e in exercises) + f"; all {sum(c.exact for c in report.clips)}/{len(report.clips)}")
    lines.append(f"recognised: {sum(c.recognised == c.exercise for c in report.clips)}/{len(report.clips)}")
    losses = {e: report.rules_hamming_loss(e) for e in exercises}
    lines.append("rules Hamming loss on the segmented repetitions: " + ", ".join(
        f"{e} {loss:.3f}" for e, loss in losses.items() if loss is not None))
    return "\n".join(lines)
