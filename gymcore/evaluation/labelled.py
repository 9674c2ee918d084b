"""Labelled clips: the manifest of real clips labelled by a person (``benchmarks/real/clips.json``,
docs/real-benchmark.md) read into ``LabelledClip`` entries, each checked before anything runs.

An entry names its clip one of three ways:

- ``source`` {repo, commit, path, blob}: a file of a public repository, staged by
  ``benchmarks/real/stage.py`` at ``ROOT/OWNER+NAME/PATH`` (the ``--root`` of ``evaluate --clips``);
- ``file``: a clip beside the manifest (its path relative to the manifest's folder);
- ``front`` and ``side``: a frontal and a lateral clip of one performance, relative to the
  manifest's folder, assessed as a pair.

A single clip goes where a user uploading it would put it: a ``lateral`` or ``oblique`` clip in the
lateral (side) slot, which most criteria are judged from, a ``frontal`` one in the frontal slot.
Times are seconds from the clip's start; for a pair, from the lateral clip's start (the two are of
one performance, filmed together). The exercise is not handed to ``assess``: recognising it is
part of what is measured.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from gymcore.criteria import EXERCISES, criteria_for
from gymcore.errors import InputError
from gymcore.pipeline.batch import BatchItem, check_unique_ids, clip_path
from gymcore.serialize import atomic_output

SCHEMA_VERSION = 1
OTHER = "other"  # a set of none of the three exercises: the product must say so
LABELLED_EXERCISES = (*EXERCISES, OTHER)
LABELS = ("pass", "fail", "not_visible")
VIEWS = ("lateral", "frontal", "oblique")
PAIR = "pair"  # the view of an entry giving a frontal and a lateral clip
SPLITS = ("tuning", "held_out")
HELD_OUT = "held_out"
MOVEMENT_KINDS = ("walk", "floor", "pick_up", "rack", "other_exercise", "partial")


@dataclass(frozen=True)
class LabelledRep:
    """One repetition as the labeller saw it: its span and a label per criterion of its exercise."""

    start_s: float
    end_s: float
    labels: dict[str, str]  # criterion id -> pass, fail or not_visible; none for an ``other`` clip
    notes: str = ""


@dataclass(frozen=True)
class OtherMovement:
    """A movement like a repetition that is not one (walking in, a partial repetition...)."""

    start_s: float
    end_s: float
    kind: str  # one of MOVEMENT_KINDS


@dataclass(frozen=True)
class LabelledClip:
    """One entry of the manifest: a clip (or a pair) and what the labeller saw in it."""

    id: str
    split: str  # tuning or held_out
    view: str  # lateral, frontal, oblique, or pair
    exercise: str  # squat, lunges, deadlift, or other
    reps: tuple[LabelledRep, ...]
    other_movements: tuple[OtherMovement, ...]
    front: Path | None  # absolute; the slot each file goes to in ``assess``
    side: Path | None
    camera_angle_deg: float | None = None  # 0 facing the athlete, 90 side-on
    people: int | None = None

    @property
    def item(self) -> BatchItem:
        """The assessment to run: the clip in its slot, the exercise left to recognition."""
        return BatchItem(self.id, self.front, self.side, None)

    @property
    def clock_view(self) -> str:
        """The view whose clip the labelled times are measured on."""
        return "lateral" if self.side is not None else "frontal"


@dataclass(frozen=True)
class LabelledSet:
    path: Path
    clips: list[LabelledClip]
    # What the manifest says of its data (its "name", "about" and "protocol"), for every figure
    # measured on it to say.
    name: str = ""
    about: str = ""
    protocol: str = ""

    def split(self, split: str) -> list[LabelledClip]:
        """The clips of one split, or of both for ``all``."""
        return [clip for clip in self.clips if split in ("all", clip.split)]


def read_labelled(path: str | Path, root: str | Path | None = None) -> LabelledSet:
    """Every entry of the manifest at ``path``, checked; clips named by ``source`` are looked for under
    ``root``. An InputError names the entry and what is wrong with it. Whether the files exist is
    checked by ``check_files``, for the clips a run takes."""
    path = Path(path)
    data = _manifest_json(path)
    clips = [_clip(path, root, number, entry) for number, entry in enumerate(data["clips"], start=1)]
    check_unique_ids([clip.id for clip in clips], path)
    described = {key: data[key] for key in ("name", "about", "protocol") if isinstance(data.get(key), str)}
    return LabelledSet(path, clips, **described)


def check_files(clips: list[LabelledClip], path: Path) -> None:
    """An InputError naming the first entry whose clip is not there."""
    for clip in clips:
        for file in (clip.front, clip.side):
            if file is not None and not file.is_file():
                raise InputError(f"{path} clip {clip.id}: its file {file} is not there; stage the clips with"
                                 " `python benchmarks/real/stage.py --root DIR` or fix the entry's path.")


def count_held_out_run(path: Path) -> int:
    """Add one to the manifest's ``held_out_runs`` (docs/real-benchmark.md: every run of the held-out half
    is counted) and give the new count. The rest of the file is written back as it was read."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data["held_out_runs"] = int(data.get("held_out_runs", 0)) + 1
    with atomic_output(path) as temporary:
        temporary.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return data["held_out_runs"]


def _manifest_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:  # ValueError: not JSON, or not UTF-8 text
        raise InputError(f"{path} is not a readable labelled-clips manifest ({error}).") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA_VERSION:
        raise InputError(f"{path} is not a labelled-clips manifest of schema {SCHEMA_VERSION} (docs/real-benchmark.md):"
                         " it needs \"schema\": 1 and a list of clips.")
    if not isinstance(data.get("clips"), list) or not data["clips"]:
        raise InputError(f"{path} lists no clips: add an entry per clip under \"clips\".")
    return data


def _clip(path: Path, root: str | Path | None, number: int, entry: object) -> LabelledClip:
    if not isinstance(entry, dict):
        raise InputError(f"{path} clip {number} is not an object: write each clip as {{\"id\": ..., ...}}.")
    clip_id = entry.get("id")
    if not isinstance(clip_id, str) or not clip_id.strip():
        raise InputError(f"{path} clip {number} has no id: give every clip an \"id\".")
    where = f"{path} clip {clip_id}"
    exercise = _choice(entry, "exercise", LABELLED_EXERCISES, where)
    split = _choice(entry, "split", SPLITS, where)
    front, side, view = _files(path, root, entry, where)
    criteria = {item.id for item in criteria_for(exercise)} if exercise != OTHER else set()
    reps = tuple(_rep(rep, criteria, exercise, f"{where} repetition {index}")
                 for index, rep in enumerate(_list(entry, "reps", where), start=1))
    movements = tuple(_movement(item, f"{where} other movement {index}")
                      for index, item in enumerate(_list(entry, "other_movements", where), start=1))
    angle = entry.get("camera_angle_deg")
    people = entry.get("people")
    return LabelledClip(clip_id, split, view, exercise, reps, movements, front, side,
                        float(angle) if _is_number(angle) else None, people if isinstance(people, int) else None)


def _files(path: Path, root: str | Path | None, entry: dict, where: str) -> tuple[Path | None, Path | None, str]:
    """The entry's clips by slot (front, side) and its view."""
    ways = [key for key in ("source", "file") if key in entry]
    ways += ["front/side"] if "front" in entry or "side" in entry else []
    if len(ways) != 1:
        raise InputError(f"{where} names its clip {' and '.join(ways) or 'nowhere'}: give one of \"source\" (a"
                         " staged repository file), \"file\" (beside the manifest), or \"front\" and \"side\" (a pair).")
    if ways[0] == "front/side":
        if not all(isinstance(entry.get(key), str) and entry[key] for key in ("front", "side")):
            raise InputError(f"{where} gives a pair without both files: name the frontal clip under \"front\" and"
                             " the lateral one under \"side\".")
        view = entry.get("view", PAIR)
        if view not in (*VIEWS, PAIR):
            raise InputError(f"{where} has the view {view!r}: a pair's view may be left out, or one of {', '.join(VIEWS)}.")
        return clip_path(path.parent, entry["front"]), clip_path(path.parent, entry["side"]), view
    view = _choice(entry, "view", VIEWS, where)
    file = _source_path(root, entry["source"], where) if ways[0] == "source" else _file_path(path, entry["file"], where)
    # Where a user would put it: lateral and oblique clips show most criteria, and go to the side slot.
    return (file, None, view) if view == "frontal" else (None, file, view)


def _source_path(root: str | Path | None, source: object, where: str) -> Path:
    """Where ``benchmarks/real/stage.py`` stages the source: ROOT/OWNER+NAME/PATH."""
    if not (isinstance(source, dict) and all(isinstance(source.get(key), str) and source[key] for key in ("repo", "path"))
            and source["repo"].count("/") == 1):
        raise InputError(f"{where} has a source without its repository (\"owner/name\") and path: give both.")
    if root is None:
        raise InputError(f"{where} names its clip by repository: give --root, the folder"
                         " `python benchmarks/real/stage.py --root DIR` staged the clips in.")
    return staged_path(root, source["repo"], source["path"])


def repository_folder(repo: str) -> str:
    """The folder a repository's clips are staged in: "owner/name" as OWNER+NAME."""
    return repo.replace("/", "+")


def staged_path(root: str | Path, repo: str, path: str) -> Path:
    """Where ``benchmarks/real/stage.py`` stages a repository's file: ROOT/OWNER+NAME/PATH."""
    return Path(os.path.abspath(Path(root) / repository_folder(repo) / path))


def _file_path(path: Path, file: object, where: str) -> Path:
    if not isinstance(file, str) or not file:
        raise InputError(f"{where} has an empty \"file\": give the clip's path relative to the manifest's folder.")
    return clip_path(path.parent, file)


def _rep(rep: object, criteria: set[str], exercise: str, where: str) -> LabelledRep:
    if not isinstance(rep, dict):
        raise InputError(f"{where} is not an object with start_s, end_s and labels.")
    start_s, end_s = _span(rep, where)
    labels = rep.get("labels", {})
    if not isinstance(labels, dict):
        raise InputError(f"{where} has labels that are not an object of criterion: label.")
    foreign = sorted(set(labels) - criteria)
    if foreign:
        known = f"those of {exercise}: {', '.join(sorted(criteria))}" if criteria else f"none for an {OTHER} clip"
        raise InputError(f"{where} labels {', '.join(foreign)}, which are not criteria of {exercise} ({known}).")
    missing = sorted(criteria - set(labels))
    if missing:
        raise InputError(f"{where} has no label for {', '.join(missing)}: label every criterion of {exercise}"
                         f" as one of {', '.join(LABELS)}.")
    wrong = sorted(cid for cid, label in labels.items() if label not in LABELS)
    if wrong:
        raise InputError(f"{where} labels {', '.join(f'{cid} {labels[cid]!r}' for cid in wrong)}: a label is one of"
                         f" {', '.join(LABELS)}.")
    return LabelledRep(start_s, end_s, dict(labels), str(rep.get("notes", "")))


def _movement(item: object, where: str) -> OtherMovement:
    if not isinstance(item, dict):
        raise InputError(f"{where} is not an object with start_s, end_s and kind.")
    start_s, end_s = _span(item, where)
    return OtherMovement(start_s, end_s, _choice(item, "kind", MOVEMENT_KINDS, where))


def _span(data: dict, where: str) -> tuple[float, float]:
    start_s, end_s = data.get("start_s"), data.get("end_s")
    if not (_is_number(start_s) and _is_number(end_s)) or start_s < 0:
        raise InputError(f"{where} needs start_s and end_s in seconds from the clip's start.")
    if end_s <= start_s:
        raise InputError(f"{where} ends at {end_s} s, not after its start at {start_s} s.")
    return float(start_s), float(end_s)


def _choice(data: dict, key: str, allowed: tuple[str, ...], where: str) -> str:
    value = data.get(key)
    if value not in allowed:
        raise InputError(f"{where} has the {key} {value!r}: use one of {', '.join(allowed)}.")
    return value


def _list(data: dict, key: str, where: str) -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise InputError(f"{where} has {key} that are not a list.")
    return value


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
