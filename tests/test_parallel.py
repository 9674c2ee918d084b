"""The parallel engine (gymcore.parallel.engine) in this process: outcomes, sentences, set-up once.
The runs on Ray, compared with these, are in tests/test_parallel_ray.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import pytest

from gymcore.errors import GymError, InputError
from gymcore.parallel.engine import run_jobs, worker_count


@dataclass
class Squares:
    """Squares numbers; 3 is bad input, 4 is a bug."""

    setups: list[int] = field(default_factory=list)
    cpus: ClassVar[int] = 1

    def setup(self) -> None:
        self.setups.append(1)

    def run(self, item: int) -> int:
        if item == 3:
            raise InputError("Three is not allowed: give another number.")
        if item == 4:
            raise ZeroDivisionError("division by zero")
        return item * item

    def label(self, item: int) -> str:
        return f"number {item}"


def test_one_worker_runs_every_item_here_after_one_set_up() -> None:
    task = Squares()
    outcomes = list(run_jobs(task, [1, 2, 3, 4, 5], workers=1))
    assert task.setups == [1]
    assert [outcome.index for outcome in outcomes] == [0, 1, 2, 3, 4]
    assert [outcome.result for outcome in outcomes if outcome.ok] == [1, 4, 25]
    assert outcomes[2].error == "Three is not allowed: give another number."  # the GymError's own sentence
    assert outcomes[3].error == "number 4 failed: ZeroDivisionError: division by zero"
    assert not outcomes[3].ok and outcomes[3].result is None and outcomes[3].label == "number 4"


def test_a_single_item_runs_here_whatever_the_workers() -> None:
    # Nothing to share out: no Ray start-up for it.
    assert [outcome.result for outcome in run_jobs(Squares(), [6], workers=None)] == [36]
    assert list(run_jobs(Squares(), [], workers=4)) == []


def test_fewer_than_one_worker_is_refused() -> None:
    with pytest.raises(GymError, match="at least one worker"):
        list(run_jobs(Squares(), [1], workers=0))


def test_a_cluster_address_nobody_answers_at_is_one_sentence() -> None:
    # Refused at once, not after Ray's minutes of retries.
    with pytest.raises(GymError, match=r"^Nothing answers at the Ray cluster address ray://127.0.0.1:1 "):
        list(run_jobs(Squares(), [1, 2], address="ray://127.0.0.1:1"))


def test_workers_by_default_get_the_cores_an_item_keeps_busy() -> None:
    from gymcore.pipeline.batch import AssessTask
    from gymcore.synth.dataset.writer import RenderTask

    assert worker_count(AssessTask(("rules",), None, "torch"), 16) == 8  # two views tracked at once
    assert worker_count(AssessTask(("rules",), None, "torch"), 2) == 1  # in this process, no Ray
    assert worker_count(RenderTask.__new__(RenderTask), 16) == 16
    assert worker_count(Squares(), 1) == 1
