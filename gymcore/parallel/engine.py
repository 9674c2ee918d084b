"""Run independent items through one task, in this process or on Ray workers, and hand back each
item's outcome as soon as it is done.

A ``WorkerTask`` is set up once per worker (``setup``: building MediaPipe graphs, loading models)
and then runs item after item (``run``); the task object itself travels to the workers, so it
holds only what it needs to set up (settings, paths, model names), never the built state before
``setup``. An item that fails is an outcome carrying a sentence (a ``GymError``'s own, or one
naming the item and the exception), and the other items go on.

``workers == 1`` without an address runs in this process, without Ray: the reference the
parallel runs are compared with, and no start-up cost for small jobs. Otherwise a local Ray
instance sized to ``workers`` (default: the machine's cores) is started for the run and stopped
after it, or ``address`` (or the ``RAY_ADDRESS`` environment variable), e.g.
``ray://host:10001``, connects to a running cluster, whose workers must be able to import this
gymcore and read the paths the items name (a shared file system). Ray is imported only here and
only for a run that uses it, so commands that never run in parallel do not load it.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from gymcore.errors import GymError

Item = TypeVar("Item")
Result = TypeVar("Result")
ItemIn = TypeVar("ItemIn", contravariant=True)
ResultOut = TypeVar("ResultOut", covariant=True)
# The folder holding the gymcore package that this process imported.
PACKAGE_PARENT = Path(__file__).resolve().parents[2]
CONNECT_TIMEOUT_S = 5.0


class WorkerTask(Protocol[ItemIn, ResultOut]):
    # The cores one item keeps busy: an assessment tracks its two views (or one clip's two halves)
    # on two threads at once, so a worker per core would only make them compete.
    cpus: int

    def setup(self) -> None:
        """Build what every item needs, once per worker."""

    def run(self, item: ItemIn) -> ResultOut:
        """One item's result; a GymError's sentence is what the item's outcome reports."""

    def label(self, item: ItemIn) -> str:
        """The item's name in a sentence, e.g. "participant P003"."""


@dataclass(frozen=True)
class JobOutcome(Generic[Result]):
    """One item's result, or the sentence saying why it has none."""

    index: int  # the item's position in the items given
    label: str
    result: Result | None = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def run_jobs(task: WorkerTask[Item, Result], items: Sequence[Item], *, workers: int | None = None,
             address: str | None = None, progress: str | None = None) -> Iterator[JobOutcome[Result]]:
    """Each item's outcome, in the order they finish; ``progress`` labels a bar on stderr (none
    without it). ``workers`` None means one per ``task.cpus`` cores (of this machine, or of the cluster)."""
    from tqdm import tqdm

    if workers is not None and workers < 1:
        raise GymError(f"Use at least one worker, not {workers}.")
    address = address or os.environ.get("RAY_ADDRESS") or None
    with tqdm(total=len(items), desc=progress, unit="item", file=sys.stderr, disable=progress is None) as bar:
        for outcome in _outcomes(task, items, workers, address):
            bar.update()
            yield outcome


def _outcomes(task: WorkerTask[Item, Result], items: Sequence[Item], workers: int | None,
              address: str | None) -> Iterator[JobOutcome[Result]]:
    if not items:
        return
    if address is None and min(workers or worker_count(task, os.cpu_count() or 1), len(items)) == 1:
        task.setup()
        for index, item in enumerate(items):
            yield attempt(task, index, item)
        return
    with cluster(workers, address):
        yield from _on_ray(task, items, workers)


def worker_count(task: WorkerTask, cpus: float) -> int:
    """Workers for ``cpus`` cores when none are asked for: one per ``task.cpus`` cores."""
    return max(1, int(cpus // task.cpus))


def attempt(task: WorkerTask[Item, Result], index: int, item: Item) -> JobOutcome[Result]:
    """The item's outcome: its result, or the sentence saying why it failed."""
    label = task.label(item)
    started = time.perf_counter()
    try:
        result = task.run(item)
    except GymError as error:
        return JobOutcome(index, label, error=str(error), seconds=time.perf_counter() - started)
    except Exception as error:  # a bug or a broken worker, not the user's input: named, and the others go on
        return JobOutcome(index, label, error=f"{label} failed: {type(error).__name__}: {error}",
                          seconds=time.perf_counter() - started)
    return JobOutcome(index, label, result=result, seconds=time.perf_counter() - started)


@contextmanager
def cluster(workers: int | None = None, address: str | None = None) -> Iterator[None]:
    """Ray for the block: the one already connected, or a cluster at ``address``, or a local
    instance with ``workers`` CPUs (default: the machine's) stopped when the block ends."""
    import ray

    if ray.is_initialized():
        yield
        return
    # No usage report is sent (nothing leaves the machine) and Ray's own log lines stay off the terminal.
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    options = {"log_to_driver": False, "logging_level": logging.ERROR, "runtime_env": _runtime_env()}
    if address is None:
        options |= {"num_cpus": workers or os.cpu_count() or 1, "include_dashboard": False}
    else:
        _check_reachable(address)
    try:
        # "local": a new instance of our own; without an address Ray would join the last cluster that
        # `ray start` left on this machine, someone else's perhaps.
        ray.init(address=address or "local", **options)
    except (ConnectionError, ValueError) as error:  # ValueError: e.g. ray:// without Ray Client's packages
        where = f"connect to the Ray cluster at {address}" if address else "start a local Ray instance"
        raise GymError(f"Could not {where}: {_last_line(error)}") from None
    try:
        yield
    finally:
        ray.shutdown()


def _last_line(error: Exception) -> str:
    """The error's last line: a Ray server's refusal carries the server's whole traceback before it."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__


def _check_reachable(address: str) -> None:
    """Refuse a host:port nobody answers at in seconds: Ray itself retries for minutes, logging each try."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not (host and port.isdigit()):
        return  # "auto" and other forms Ray resolves itself
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as error:
        raise GymError(f"Nothing answers at the Ray cluster address {address} ({error.strerror or error}): check the"
                       " address (ray://host:10001 for a cluster's client port) and that the cluster is running.") from None


def _runtime_env() -> dict[str, object]:
    """Workers import the gymcore this process imported: its folder comes first on their path (an
    installed gymcore elsewhere, e.g. an editable install of another checkout, would otherwise win)."""
    path = os.pathsep.join(filter(None, [str(PACKAGE_PARENT), os.environ.get("PYTHONPATH")]))
    return {"env_vars": {"PYTHONPATH": path}}


class _Worker:
    """One Ray actor: the task set up once, then item after item."""

    def __init__(self, task: WorkerTask) -> None:
        self.task = task

    def setup(self) -> GymError | None:
        # Returned rather than raised: Ray would wrap a raised error in its traceback.
        try:
            self.task.setup()
        except GymError as error:
            return error
        return None

    def run(self, index: int, item: object) -> JobOutcome:
        return attempt(self.task, index, item)


def _on_ray(task: WorkerTask[Item, Result], items: Sequence[Item], workers: int | None) -> Iterator[JobOutcome[Result]]:
    """Every item on a pool of actors, one per worker, each given its next item as it finishes one.
    An actor that dies (a crash in native code, memory) fails its item and is replaced."""
    import ray
    from ray.exceptions import RayActorError

    cpus = float(ray.cluster_resources().get("CPU", 1))
    count = min(workers or worker_count(task, cpus), len(items))
    # Asked for more workers than the cores allow them, they share the cores rather than wait for
    # cores that do not exist (Ray would leave such an actor unscheduled for ever).
    remote = ray.remote(num_cpus=min(task.cpus, cpus / count))(_Worker)
    queue = deque(enumerate(items))
    pending: dict[object, tuple[object, int]] = {}  # result reference -> (actor, item index)
    actors = _started(remote, task, count)
    try:
        for actor in actors:
            _submit(actor, queue, pending)
        while pending:
            (done,), _ = ray.wait(list(pending), num_returns=1)
            actor, index = pending.pop(done)
            try:
                outcome = ray.get(done)
            except RayActorError as error:
                label = task.label(items[index])
                outcome = JobOutcome(index, label, error=f"The worker running {label} stopped: {error}")
                actors.remove(actor)
                actor = _started(remote, task, 1)[0]
                actors.append(actor)
            yield outcome
            _submit(actor, queue, pending)
    finally:
        for actor in actors:
            ray.kill(actor)


def _started(remote: object, task: WorkerTask, count: int) -> list[object]:
    """``count`` actors with the task set up; a set-up's GymError is raised here, as it is in-process."""
    import ray

    actors = [remote.remote(task) for _ in range(count)]  # type: ignore[attr-defined]
    errors = [error for error in ray.get([actor.setup.remote() for actor in actors]) if error is not None]
    if errors:
        for actor in actors:
            ray.kill(actor)
        raise errors[0]
    return actors


def _submit(actor: object, queue: deque, pending: dict[object, tuple[object, int]]) -> None:
    if queue:
        index, item = queue.popleft()
        pending[actor.run.remote(index, item)] = (actor, index)  # type: ignore[attr-defined]
