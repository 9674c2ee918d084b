"""Many assessments at once: ``gymcore assess --batch`` and ``assess_batch``.

The items come from a manifest or a folder (``batch_items``). A manifest is a CSV file whose header
names at least ``id,front,side,exercise``: one row per item, the clips' paths relative to the
manifest's folder, either clip may be empty, an empty exercise (or auto) is recognised from the
pose. Columns after these are left for later formats (labelled clips) to add. In a folder every
video file is an item named after it, and ``NAME_front`` with ``NAME_side`` (or ``_frontal`` and
``_lateral``) are paired into one item ``NAME``; a clip whose name names no view is taken as the
lateral view, which most criteria are judged from (the view check says so when it is not one).

Each item is assessed as ``gymcore.assess`` does, on the parallel engine (gymcore.parallel.engine),
every worker building its pose estimators and loading the models once. ``OUT/ID.json`` is the
record ``gymcore assess --json`` writes; ``OUT/summary.csv`` has a row per item, failed ones with
the sentence saying why. A rerun keeps every item whose JSON is there and readable.
"""

from __future__ import annotations

import csv
import json
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from gymcore.criteria import EXERCISES
from gymcore.errors import GymError, InputError
from gymcore.judging.registry import check_model_name, load_criteria_models
from gymcore.models.names import ASSESS_MODELS, ENGINES
from gymcore.parallel.engine import run_jobs
from gymcore.perception.analysis import build_estimators
from gymcore.perception.video import VIDEO_EXTENSIONS
from gymcore.pipeline.assess import assess, checked_exercise
from gymcore.pipeline.record import AssessmentRecord
from gymcore.serialize import atomic_output, check_output_folder, write_json

MANIFEST_COLUMNS = ("id", "front", "side", "exercise")
SUMMARY_NAME = "summary.csv"
SUMMARY_COLUMNS = ("id", "status", "exercise", "repetitions", "mean_score", "failed_criteria", "error", "seconds")
# NAME_front.mp4 and NAME_side.mp4 (or _frontal, _lateral) are one item NAME.
PAIRED_NAME = re.compile(r"^(?P<name>.+)_(?P<view>front|frontal|side|lateral)$", re.IGNORECASE)
FRONT_WORDS = ("front", "frontal")
# An item's id names its output file: no folders, no hidden files.
SAFE_ID = re.compile(r"^[^./\\][^/\\]*$")


@dataclass(frozen=True)
class BatchItem:
    """One assessment of a batch: its clips (absolute paths, either may be missing) and exercise."""

    id: str
    front: Path | None
    side: Path | None
    exercise: str | None = None  # None: recognised from the pose


@dataclass(frozen=True)
class BatchRow:
    """One line of summary.csv."""

    id: str
    ok: bool
    exercise: str = ""
    repetitions: int | None = None
    mean_score: float | None = None
    failed_criteria: int | None = None  # criteria the first model failed in at least one repetition
    error: str = ""
    seconds: float | None = None

    @classmethod
    def of(cls, item_id: str, record: AssessmentRecord) -> BatchRow:
        summary = record.summary
        return cls(item_id, True, record.exercise.exercise, summary.repetitions, summary.mean_score,
                   len(summary.most_failed), seconds=record.timing_s.get("total"))

    def cells(self) -> list[object]:
        score = "" if self.mean_score is None else round(self.mean_score, 4)
        seconds = "" if self.seconds is None else round(self.seconds, 1)
        return [self.id, "ok" if self.ok else "failed", self.exercise, _blank(self.repetitions), score,
                _blank(self.failed_criteria), self.error, seconds]


@dataclass(frozen=True)
class BatchReport:
    out: Path
    rows: list[BatchRow]
    assessed: int  # items assessed by this run
    kept: int  # items whose JSON an earlier run wrote
    wall_s: float

    @property
    def failed(self) -> list[BatchRow]:
        return [row for row in self.rows if not row.ok]


def _blank(value: object) -> object:
    return "" if value is None else value


# --- the items --------------------------------------------------------------------------------


def batch_items(source: str | Path) -> list[BatchItem]:
    """The items of a manifest (a CSV file) or of a folder of clips."""
    source = Path(source)
    if source.is_dir():
        return folder_items(source)
    if source.is_file():
        return read_manifest(source)
    raise InputError(f"No folder or manifest at {source}: give a folder of clips, or a CSV file with the columns"
                     f" {','.join(MANIFEST_COLUMNS)}.")


def read_manifest(path: Path) -> list[BatchItem]:
    """The manifest's items in its order; an InputError names the line and what is wrong with it."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            lines = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InputError(f"{path} is not a readable CSV manifest ({error}).") from None
    header = [name.strip().lower() for name in lines[0]] if lines else []
    if header[:len(MANIFEST_COLUMNS)] != list(MANIFEST_COLUMNS):
        raise InputError(f"{path} does not start with the header {','.join(MANIFEST_COLUMNS)}: write that line first,"
                         " then one line per item.")
    items = [_manifest_item(path, number, cells) for number, cells in enumerate(lines[1:], start=2)
             if any(cell.strip() for cell in cells)]
    if not items:
        raise InputError(f"{path} lists no items: add a line per assessment under its header.")
    check_unique_ids([item.id for item in items], path)
    return items


def _manifest_item(path: Path, number: int, cells: list[str]) -> BatchItem:
    cells = [cell.strip() for cell in cells] + [""] * len(MANIFEST_COLUMNS)
    item_id, front, side, exercise = cells[:len(MANIFEST_COLUMNS)]
    where = f"{path} line {number}"
    _check_id(item_id, where)
    if not front and not side:
        raise InputError(f"{where} names no clip: give a frontal clip, a lateral clip or both.")
    try:
        exercise = checked_exercise(exercise or None)
    except InputError as error:
        raise InputError(f"{where}: {error}") from None
    return BatchItem(item_id, clip_path(path.parent, front), clip_path(path.parent, side), exercise)


def clip_path(folder: Path, text: str) -> Path | None:
    """A manifest's clip path (relative to the manifest's folder) as an absolute path; None for an empty one."""
    # abspath, not resolve: a link keeps its own name, the one the record shows.
    return Path(os.path.abspath(folder / text)) if text else None


def _check_id(item_id: str, where: str) -> None:
    if not SAFE_ID.match(item_id):
        raise InputError(f"{where}: the id {item_id!r} cannot name an output file; use letters, digits, '-' or"
                         " '_', not starting with a dot.")


def folder_items(folder: Path) -> list[BatchItem]:
    """Every clip in the folder (not its subfolders) as an item, the views of one name paired."""
    clips: dict[str, dict[str, Path]] = {}
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith(".") or path.suffix.lower() not in VIDEO_EXTENSIONS:
            continue
        paired = PAIRED_NAME.match(path.stem)
        name, view = (paired["name"], _view(paired["view"])) if paired else (path.stem, "side")
        views = clips.setdefault(name, {})
        if view in views:
            raise InputError(f"{views[view].name} and {path.name} in {folder} are both the {view} clip of {name}:"
                             " rename or move one of them.")
        views[view] = Path(os.path.abspath(path))
    if not clips:
        raise InputError(f"{folder} holds no clip ({', '.join(VIDEO_EXTENSIONS)}): give the folder of the clips to"
                         " assess.")
    return [BatchItem(name, views.get("front"), views.get("side")) for name, views in sorted(clips.items())]


def _view(word: str) -> str:
    return "front" if word.lower() in FRONT_WORDS else "side"


def check_unique_ids(ids: Sequence[str], path: Path) -> None:
    """An InputError for the first id the manifest at ``path`` lists twice."""
    seen: set[str] = set()
    for item_id in ids:
        if item_id in seen:
            raise InputError(f"{path} lists the id {item_id!r} twice: give every item its own id.")
        seen.add(item_id)


# --- assessing them ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessTask:
    """Assesses one item per call; each worker builds its estimators and loads the models once."""

    cpus: ClassVar[int] = 2  # an item's two views (or one clip's halves) are tracked at once

    models: tuple[str, ...]
    exercise: str | None  # for the items that name none
    engine: str
    exercises: tuple[str, ...] = EXERCISES  # those the items may turn out to be, whose models are loaded

    def setup(self) -> None:
        build_estimators()
        for exercise in self.exercises:
            load_criteria_models(self.models, exercise, self.engine)

    def run(self, item: BatchItem) -> AssessmentRecord:
        return assess(front=item.front, side=item.side, exercise=item.exercise or self.exercise,
                      models=self.models, engine=self.engine).record()

    def label(self, item: BatchItem) -> str:
        return f"item {item.id}"


def assess_batch(source: str | Path, out: str | Path, *, models: Sequence[str] = ("rules",),
                 exercise: str | None = None, engine: str = "torch", workers: int | None = None,
                 address: str | None = None, progress: str | None = None) -> BatchReport:
    """Assess every item of ``source`` (a manifest or a folder, ``batch_items``) into ``out``, on
    ``workers`` workers (default: one per two cores, each item's views being tracked at once; 1
    runs in this process) or the Ray cluster at ``address``. ``exercise`` applies to items that
    name none. Items whose JSON is already in ``out`` are kept; an item that fails is a row of
    summary.csv with its sentence, and the others go on."""
    started = time.perf_counter()
    models, exercise = tuple(check_model_name(name, ASSESS_MODELS) for name in models), checked_exercise(exercise)
    engine = _checked_engine(engine)
    out = check_output_folder(out, "the assessments")
    items = batch_items(source)
    rows = {item.id: BatchRow.of(item.id, record) for item in items if (record := kept_record(out, item))}
    todo = [item for item in items if item.id not in rows]
    named = {item.exercise or exercise for item in todo}
    # Any exercise may be recognised in an item that names none.
    task = AssessTask(models, exercise, engine, EXERCISES if None in named else tuple(sorted(named)))
    for outcome in run_jobs(task, todo, workers=workers, address=address, progress=progress):
        item = todo[outcome.index]
        if outcome.ok:
            write_json(out / f"{item.id}.json", outcome.result.to_dict())
            rows[item.id] = BatchRow.of(item.id, outcome.result)
        else:
            rows[item.id] = BatchRow(item.id, False, item.exercise or "", error=outcome.error or "",
                                     seconds=outcome.seconds)
    report = BatchReport(out, [rows[item.id] for item in items], len(todo), len(items) - len(todo),
                         time.perf_counter() - started)
    write_summary(report)
    return report


def _checked_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise InputError(f"Unknown engine {engine!r}: choose {' or '.join(ENGINES)}.")
    return engine


def kept_record(out: Path, item: BatchItem) -> AssessmentRecord | None:
    """The record an earlier run wrote for the item, if it is there and readable."""
    try:
        return AssessmentRecord.from_dict(json.loads((out / f"{item.id}.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, AttributeError, GymError):  # none, or not a record: assess it again
        return None


def write_summary(report: BatchReport) -> Path:
    path = report.out / SUMMARY_NAME
    with atomic_output(path) as temporary, temporary.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(SUMMARY_COLUMNS)
        writer.writerows(row.cells() for row in report.rows)
    return path
