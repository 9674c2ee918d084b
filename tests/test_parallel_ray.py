"""The same work on two local Ray workers as in this process, with the same results: batch
assessment (with a broken clip among the items, and a rerun), SynthGym generation byte for byte,
and dataset evaluation. One local Ray instance serves the module (starting one takes 5-10 s)."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest

from gymcore.data import layout
from gymcore.evaluation.engine import run_evaluation
from gymcore.parallel.engine import cluster
from gymcore.pipeline.batch import SUMMARY_NAME, assess_batch
from gymcore.synth.dataset.plan import Settings
from gymcore.synth.dataset.writer import generate_dataset

pytestmark = pytest.mark.slow  # Ray start-up, MediaPipe over clips, rendering

SAMPLES = Path(__file__).resolve().parent.parent / "gymcore" / "samples"
# What may differ between two runs of the same work: the time it took and when it was done.
TIMING = ("timing_s", "created_at", "seconds")


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    # Ray's workers inherit the environment it starts with: the test run's dataset cache (conftest).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GYMCORE_CACHE", str(tmp_path_factory.getbasetemp() / "gymcore-cache"))
        with cluster(workers=2):
            yield 2


def without_timing(data: dict) -> dict:
    return {key: value for key, value in data.items() if key not in TIMING}


def test_batch_on_ray_gives_the_verdicts_of_one_process(two_workers, tmp_path) -> None:
    clips = tmp_path / "clips"
    clips.mkdir()
    for name, sample in (("sq", "squat_clean"), ("lu", "lunges_faulty")):
        (clips / f"{name}_front.mp4").symlink_to(SAMPLES / f"{sample}_frontal.mp4")
        (clips / f"{name}_side.mp4").symlink_to(SAMPLES / f"{sample}_lateral.mp4")
    (clips / "x_front.mp4").write_text("not a video")
    alone = assess_batch(clips, tmp_path / "one", workers=1)
    shared = assess_batch(clips, tmp_path / "two", workers=two_workers)
    for report in (alone, shared):
        assert [(row.id, row.ok) for row in report.rows] == [("lu", True), ("sq", True), ("x", False)]
        assert [row.exercise for row in report.rows] == ["lunges", "squat", ""]
        with (report.out / SUMMARY_NAME).open() as handle:
            summary = list(csv.DictReader(handle))
        assert [line["status"] for line in summary] == ["ok", "ok", "failed"]
        assert summary[2]["error"].startswith("x_front.mp4 is not a readable video")
    for item in ("lu", "sq"):
        one, two = (json.loads((tmp_path / run / f"{item}.json").read_text()) for run in ("one", "two"))
        assert without_timing(one) == without_timing(two)
        assert one["reps"], item

    written = (tmp_path / "two" / "sq.json").stat().st_mtime_ns
    again = assess_batch(clips, tmp_path / "two", workers=two_workers)
    assert (again.kept, again.assessed) == (2, 1)  # only the broken item is tried again
    assert [(row.id, row.ok) for row in again.rows] == [("lu", True), ("sq", True), ("x", False)]
    assert (tmp_path / "two" / "sq.json").stat().st_mtime_ns == written


def dataset_files(root: Path) -> dict[str, object]:
    """Every file's content; workbooks and archives by member, without the workbook's creation
    time; the dataset card without its timings and the number of workers."""
    contents: dict[str, object] = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if not path.is_file() or name.startswith(layout.DONE_FOLDER):
            continue
        if path.suffix in (".xlsx", ".npz"):
            with zipfile.ZipFile(path) as archive:
                contents[name] = {member: archive.read(member) for member in archive.namelist()
                                  if member != "docProps/core.xml"}
        elif name == layout.DATASET_CARD:
            card = json.loads(path.read_text())
            card["generator"].pop("workers")
            contents[name] = without_timing(card)
        else:
            contents[name] = path.read_bytes()
    return contents


def test_synthgym_and_its_evaluation_on_ray_equal_one_process(two_workers, tmp_path) -> None:
    settings = Settings(seed=5, participants=2, exercises=("squat",), reps_per_participant={"squat": 1}, fps=10.0,
                        width=480, height=360, clips=False, walk_in=False, workers=1)
    generate_dataset(settings, tmp_path / "one")
    generate_dataset(Settings(**{**settings.to_dict(), "workers": two_workers}), tmp_path / "two")
    one, two = dataset_files(tmp_path / "one"), dataset_files(tmp_path / "two")
    assert len(one) > 60 and one == two

    runs = [run_evaluation(tmp_path / "one", "all", ["rules", "pose"], workers=workers) for workers in (1, two_workers)]
    reports = [run.report() for run in runs]
    assert reports[0] == reports[1]
    assert set(reports[0]["results"]["squat"]) == {"rules", "pose"}
    decisions = [[{cid: (v.assessable, v.passed) for cid, v in rep.items()} for rep in run.runs["squat"].verdicts["pose"]]
                 for run in runs]
    assert decisions[0] == decisions[1]
