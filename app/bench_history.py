"""``python -m app.bench_history --records 2000``: the history at scale, as a table with its targets.

Fills a fresh SQLite history with realistic assessments: a 2-minute clip's angle timelines at 30 fps
in both views (the record's five angles, 5% of frames without a body), 8 repetitions judged by the
four models: about 476 KB of JSON each. The first ``--distinct`` are made and saved through
``History.save``; the rest are copies of their rows made in SQL with new ids and earlier dates, so
that thousands fill in a minute rather than hours. Then, each in a fresh process so that its memory
is its own, it measures a page of the list, a filtered page, one record opened, a trend, every
assessment exported to a CSV and a JSON file and the page's CSV download, and the History page
rendered and clicked (Streamlit's AppTest, as the tests drive it).

Targets: the History page answers a click in under 1 s, and an export of everything raises the
process's peak memory by less than 300 MB. A benchmark, not a test: timings depend on the machine.
It lives in app/ because it drives the dashboard, which gymcore may not import.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path

from sqlalchemy import Connection, create_engine, func, select, text

from gymcore.criteria import EXERCISES, criteria_for
from gymcore.judging.registry import ASSESS_MODELS
from gymcore.pipeline.record import TIMELINE_ANGLES, AssessmentRecord
from gymcore.records.history import AssessmentRow, History

PAGE = Path(__file__).resolve().parent.parent / "pages" / "history.py"
CLIP_SECONDS = 120
TIMELINE_FPS = 30
REPETITIONS = 8
HIDDEN_SHARE = 0.05  # frames where nobody was found: null angles
ATHLETES = 25
PAGE_TARGET_S = 1.0
EXPORT_TARGET_MB = 300.0
_COPIED_COLUMNS = ("exercise_confidence, n_reps, score, front_clip, front_sha256, side_clip, side_sha256, models,"
                   " weights, notes, record")


@dataclass(frozen=True)
class Measure:
    """One row of the table."""

    name: str
    seconds: float
    cpu_s: float  # the process's CPU time in it: the machine may be shared
    base_mb: float  # the process's peak memory before the measured work (imports, the store opened)
    peak_mb: float  # ... and after it
    target: str = ""
    met: bool | None = None

    @property
    def rise_mb(self) -> float:
        return self.peak_mb - self.base_mb


def realistic_record(index: int, rng: random.Random) -> AssessmentRecord:
    """A 2-minute assessment in the ``assess --json`` shape, of the exercise ``index`` picks."""
    exercise = EXERCISES[index % len(EXERCISES)]
    frames = CLIP_SECONDS * TIMELINE_FPS
    time_s = [t / TIMELINE_FPS for t in range(frames)]
    timeline = {"time_s": time_s, "angles_deg": {angle: _angle_curve(frames, rng) for angle in TIMELINE_ANGLES}}
    rep_s = CLIP_SECONDS / REPETITIONS
    reps = [_repetition(rep, rep * rep_s, rep_s, exercise, rng) for rep in range(REPETITIONS)]
    clip = {"sha256": f"{index:064x}", "fps": float(TIMELINE_FPS), "duration_s": float(CLIP_SECONDS),
            "width": 1920, "height": 1080}
    return AssessmentRecord.from_dict({
        "exercise": {"name": exercise, "confidence": 0.97, "method": "pose rule", "evidence": {}},
        "reps": reps,
        "summary": {"repetitions": REPETITIONS, "mean_score": statistics.mean(rep["score"] for rep in reps),
                    "most_failed": [], "worst_rep": 0, "model": "rules"},
        "timing_s": {"perception": 41.0, "total": 45.0},
        "weights": {"rules": {"status": "loaded"},
                    **{model: {"status": "loaded", "file": f"{model}_{exercise}.safetensors", "sha256": "ab" * 32,
                               "trained_on": "SynthGym 1.0", "synthetic": True} for model in ASSESS_MODELS[1:]}},
        "views": {},
        "segmentation": {"view": "lateral", "signal": "knee flexion", "segmented": True, "offset_s": 0.1},
        "pair_flags": [],
        "clips": {"frontal": {"name": f"front-{index}.mp4", **clip}, "lateral": {"name": f"side-{index}.mp4", **clip}},
        "timelines": {"frontal": timeline, "lateral": timeline},
    })


def _angle_curve(frames: int, rng: random.Random) -> list[float | None]:
    """A joint angle going down and up once per repetition, with noise, and hidden now and then."""
    low, high = rng.uniform(60, 100), rng.uniform(160, 178)
    return [None if rng.random() < HIDDEN_SHARE else
            low + (high - low) * (0.5 + 0.5 * math.cos(2 * math.pi * REPETITIONS * t / frames)) + rng.gauss(0, 1.5)
            for t in range(frames)]


def _repetition(index: int, start_s: float, length_s: float, exercise: str, rng: random.Random) -> dict:
    times = {"start_s": start_s, "bottom_s": start_s + length_s / 2, "end_s": start_s + length_s}
    criteria = {}
    for item in criteria_for(exercise):
        criteria[item.id] = {}
        for model in ASSESS_MODELS:
            prob = rng.random()
            criteria[item.id][model] = {"prob": prob, "pass": prob >= 0.5}
    scores = {model: statistics.mean(criteria[item][model]["pass"] for item in criteria) for model in ASSESS_MODELS}
    return {"index": index, **times, "score": scores["rules"], "scores": scores,
            "views": {"frontal": times, "lateral": times}, "criteria": criteria}


def fill_history(path: Path, records: int, distinct: int, seed: int = 0) -> None:
    """A fresh history at ``path`` with ``records`` assessments, ``distinct`` of them saved one by one."""
    rng = random.Random(seed)
    store = History(f"sqlite:///{path}")
    newest = datetime(2026, 12, 1, tzinfo=UTC)
    for index in range(min(distinct, records)):
        store.save(realistic_record(index, rng), f"Athlete {index % ATHLETES:02d}", notes=f"session {index}",
                   created_at=newest - timedelta(hours=index))
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        while (have := connection.scalar(select(func.count()).select_from(AssessmentRow))) < records:
            _copy_rows(connection, have, min(have, records - have))
    engine.dispose()


def _copy_rows(connection: Connection, have: int, count: int) -> None:
    """Rows 1..count again as rows have+1..have+count, dated ``have`` hours earlier, verdicts included."""
    shift = f"-{have} hours"
    connection.execute(text(
        f"INSERT INTO assessments (id, created_at, athlete, exercise, {_COPIED_COLUMNS})"
        f" SELECT id + :have, datetime(created_at, :shift), athlete, exercise, {_COPIED_COLUMNS}"
        " FROM assessments WHERE id <= :count"), {"have": have, "shift": shift, "count": count})
    connection.execute(text(
        "INSERT INTO verdicts (assessment_id, rep, criterion, model, status, prob)"
        " SELECT assessment_id + :have, rep, criterion, model, status, prob FROM verdicts"
        " WHERE assessment_id <= :count"),
        {"have": have, "count": count})


def peak_mb() -> float:
    """The process's peak resident memory so far."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB on Linux


def in_fresh_process(work: Callable[..., list[Measure]], *args: object) -> list[Measure]:
    """``work(*args)`` in a new Python process, whose peak memory is then the work's own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(work, *args).result()


def measure_store(path: Path, task: str, out: Path) -> list[Measure]:
    """One library measurement (``STORE_TASKS``) in this process, a fresh one."""
    store = History(f"sqlite:///{path}")
    base = peak_mb()
    start, cpu = time.perf_counter(), time.process_time()
    name = STORE_TASKS[task](store, out)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = peak_mb()
    if task not in EXPORTS:
        return [Measure(name, seconds, cpu, base, peak)]
    rise_met = peak - base < EXPORT_TARGET_MB
    return [Measure(name, seconds, cpu, base, peak, f"rise < {EXPORT_TARGET_MB:.0f} MB", rise_met)]


def _list_page(store: History, out: Path) -> str:
    store.count()
    store.entries(limit=50)
    return "list: count + first page of 50"


def _filtered_page(store: History, out: Path) -> str:
    store.count(athlete="Athlete 03", exercise="lunges")
    store.entries(athlete="Athlete 03", exercise="lunges", limit=50, offset=50)
    return "filter: athlete + exercise, count + page 2"


def _open_one(store: History, out: Path) -> str:
    store.saved(store.entries(limit=1)[0].id)
    return "open one assessment (its record)"


def _trend(store: History, out: Path) -> str:
    store.trend("Athlete 03", criteria_for("squat")[0].id, "rules")
    return "trend: one athlete, criterion, model"


def _csv_file(store: History, out: Path) -> str:
    path = out / "history.csv"
    with open(path, "w", newline="", encoding="utf-8") as file:
        lines = store.write_csv(file)
    return f"export CSV of all to a file ({lines:,} lines, {path.stat().st_size / 2**20:,.0f} MB)"


def _json_file(store: History, out: Path) -> str:
    path = out / "history.json"
    with open(path, "w", encoding="utf-8") as file:
        written = store.write_json(file)
    return f"export JSON of all to a file ({written:,} records, {path.stat().st_size / 2**20:,.0f} MB)"


def _csv_download(store: History, out: Path) -> str:
    size = len(store.export_csv())
    return f"the page's CSV download of all, in memory ({size / 2**20:,.0f} MB)"


STORE_TASKS: dict[str, Callable[[History, Path], str]] = {
    "list": _list_page, "filter": _filtered_page, "open": _open_one, "trend": _trend,
    "csv": _csv_file, "json": _json_file, "csv-download": _csv_download,
}
EXPORTS = ("csv", "json", "csv-download")


def measure_page(home: Path) -> list[Measure]:
    """The History page as the server runs it: the first render, then clicks (median of each kind)."""
    os.environ["GYMFORM_HOME"] = str(home)
    os.environ.pop("GYMFORM_DATABASE_URL", None)
    # Imported here, so that the store's measurements run without Streamlit loaded.
    from streamlit.testing.v1 import AppTest

    base = peak_mb()
    app = AppTest.from_file(str(PAGE), default_timeout=600)
    first = _timed(app.run)
    if app.exception or len(app.selectbox(key="history_report").options) != 50:
        raise RuntimeError(f"The History page did not list 50 assessments: {app.exception or app.error}")
    clicks = {
        "next page": [_timed(app.number_input[0].set_value(page).run) for page in (2, 3, 4)],
        "filter by athlete": [_timed(app.selectbox(key="history_athlete").set_value(f"Athlete {n:02d}").run)
                              for n in (1, 2, 3)],
        "open another assessment": [_timed(app.selectbox(key="history_report").set_value(_listed_id(app, position)).run)
                                    for position in (1, 2, 3)],
    }
    if app.exception:
        raise RuntimeError(f"The History page failed while clicked through: {app.exception}")
    peak = peak_mb()
    measures = [Measure("page: first render (imports included)", *first, base, peak)]
    for name, timings in clicks.items():
        seconds, cpu = (statistics.median(values) for values in zip(*timings))
        measures.append(Measure(f"page: {name} (median of {len(timings)})", seconds, cpu, base, peak,
                                f"< {PAGE_TARGET_S:.0f} s", seconds < PAGE_TARGET_S))
    return measures


def _listed_id(app, position: int) -> int:
    """The id of the assessment at ``position`` in the report's list ("#12 · date · athlete · exercise")."""
    return int(app.selectbox(key="history_report").options[position].split(" ")[0].lstrip("#"))


def _timed(action: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of ``action``."""
    start, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - start, time.process_time() - cpu


def table(records: int, record_kb: float, fill_s: float, database_mb: float, measures: list[Measure]) -> str:
    lines = [f"### History with {records:,} assessments (SQLite, {database_mb:,.0f} MB on disk;"
             f" a record is {record_kb:,.0f} KB of JSON; filled in {fill_s:,.0f} s)", "",
             "| measurement | seconds | CPU s | peak memory MB (rise) | target | met |", "|---|---:|---:|---:|---|---|"]
    for item in measures:
        met = "" if item.met is None else ("yes" if item.met else "NO")
        lines.append(f"| {item.name} | {item.seconds:.3f} | {item.cpu_s:.3f} |"
                     f" {item.peak_mb:,.0f} ({item.rise_mb:+,.0f}) |"
                     f" {item.target} | {met} |")
    return "\n".join(lines + ["", "Each row ran in a fresh process; peak memory is its maximum resident set,"
                                  " the rise is over its peak before the measured work (imports, the store opened);"
                                  " the page rows share one process."])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.bench_history", description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000, help="assessments in the history")
    parser.add_argument("--distinct", type=int, default=40, help="of which saved one by one; the rest are copies")
    parser.add_argument("--folder", type=Path, help="where the history and exports go (default: a temporary folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gymbench-history-") as scratch:
        folder = args.folder or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        database = folder / "history.sqlite"
        database.unlink(missing_ok=True)
        start = time.perf_counter()
        fill_history(database, args.records, args.distinct)
        fill_s = time.perf_counter() - start
        record_kb = len(json.dumps(realistic_record(0, random.Random(0)).to_dict())) / 1024
        measures = [m for task in STORE_TASKS
                    for m in in_fresh_process(measure_store, database, task, folder)]
        measures += in_fresh_process(measure_page, folder)
        print(table(args.records, record_kb, fill_s, database.stat().st_size / 2**20, measures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
