"""What each process of the concurrency test in test_history_migrations.py runs. It lives in a module
of its own because processes started with ``spawn`` import their target by name."""

from __future__ import annotations

from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from threading import BrokenBarrierError

from history_records import make_record

from gymcore.records.history import History

RECORD_REPS = [True, False]


def open_and_save(new_urls: list[str], url: str, worker: int, saves: int, start: Barrier, results: Queue) -> None:
    """Open each new database in ``new_urls`` and then ``url`` together with the other workers, save
    ``saves`` assessments into ``url``, and report their ids (or the error that stopped it) on ``results``."""
    try:
        for new_url in [*new_urls, url]:
            # Every worker opens the new database at the same moment, so they race to create its tables.
            start.wait(timeout=120)
            history = History(new_url)
        ids = [history.save(make_record(RECORD_REPS), f"Worker {worker}", notes=f"{worker}-{index}")
               for index in range(saves)]
        results.put((worker, ids, None))
    except BrokenBarrierError:
        results.put((worker, [], "stopped because another worker failed"))
    except Exception as error:  # reported to the test, which fails showing it
        start.abort()  # the others stop at their next wait instead of timing out
        results.put((worker, [], f"{type(error).__name__}: {error}"))
