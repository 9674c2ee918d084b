import itertools
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from postgres import PostgresServer, PostgresUnavailable, running_server

ROOT = Path(__file__).resolve().parent.parent
_DATABASE_NUMBERS = itertools.count()


@pytest.fixture(scope="session")
def published_dir() -> Path:
    return ROOT / "gymcore" / "published"


@pytest.fixture(scope="session")
def squat_pair(tmp_path_factory) -> tuple[Path, Path]:
    """A short frontal and lateral clip of a synthetic participant squatting (MediaPipe sees them)."""
    from gymcore.evaluation.bench import render_squat_pair

    return render_squat_pair(tmp_path_factory.mktemp("clips"), seconds=3.0, fps=15, size=(640, 480), seed=3)


@pytest.fixture(scope="session")
def squat_perception(squat_pair):
    """MediaPipe's analysis of ``squat_pair`` (``analyse_clips``), done once for the tests that only read
    it: about 7 s of pose tracking each time otherwise. Treat it as read-only."""
    from gymcore.perception.analysis import analyse_clips

    return analyse_clips(front=squat_pair[0], side=squat_pair[1])


@pytest.fixture(scope="session")
def empty_room_clip(tmp_path_factory) -> Path:
    """A clip of a room with nobody in it."""
    import numpy as np

    from gymcore.perception.video import write_video

    rng = np.random.default_rng(0)
    frames = [np.clip(rng.normal(120, 8, (480, 640, 3)), 0, 255).astype(np.uint8) for _ in range(12)]
    return write_video(tmp_path_factory.mktemp("empty") / "empty_room.mp4", frames, fps=12)


@pytest.fixture(autouse=True)
def gymcore_cache(tmp_path_factory, monkeypatch) -> Path:
    """Dataset caches in the test run's temporary folder, not in the user's ~/.cache/gymcore."""
    folder = tmp_path_factory.getbasetemp() / "gymcore-cache"
    monkeypatch.setenv("GYMCORE_CACHE", str(folder))
    return folder


@pytest.fixture
def history_home(tmp_path, monkeypatch) -> Path:
    """The history database in a temporary folder, for the tests of pages that save or list assessments."""
    monkeypatch.setenv("GYMFORM_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("GYMFORM_DATABASE_URL", raising=False)
    return tmp_path / "home"


@pytest.fixture(scope="session")
def lunge_demo_clips(tmp_path_factory) -> Path:
    """A clean and a faulty paired clip of two forward lunges each, with walking in (SynthGym demo clips)."""
    from gymcore.synth.dataset.demo import write_demo_clips
    from gymcore.synth.dataset.plan import Settings

    folder = tmp_path_factory.mktemp("demo")
    write_demo_clips(folder, Settings(seed=11, exercises=("lunges",)), reps=2)
    return folder


@pytest.fixture(scope="session")
def lunge_demo_count(lunge_demo_clips):
    """``count_repetitions`` over the lunge demo clips, run once for the session: MediaPipe over four
    clips (20-30 s here), which the repetition test and the Evaluate page test both read."""
    from gymcore.evaluation.repcount import count_repetitions

    return count_repetitions([lunge_demo_clips])


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server for the whole test run (tests/postgres.py); the tests that need it
    are skipped, saying why, where PostgreSQL is not installed or does not start."""
    with ExitStack() as stack:
        try:
            server = stack.enter_context(running_server())
        except PostgresUnavailable as reason:
            pytest.skip(f"PostgreSQL unavailable: {reason}")
        yield server


@pytest.fixture
def new_postgres_url(postgres_server) -> Iterator[Callable[[], str]]:
    """Makes new, empty databases on the test server and gives their URLs; they are dropped after the test."""
    names: list[str] = []

    def new() -> str:
        names.append(f"gymcore_test_{next(_DATABASE_NUMBERS)}")
        postgres_server.execute(f"CREATE DATABASE {names[-1]}")
        return postgres_server.url(names[-1])

    yield new
    for name in names:
        # FORCE: the test's engines may still hold pooled connections to it.
        postgres_server.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def new_history_url(request, history_url, tmp_path) -> Callable[[], str]:
    """Makes more new, empty history databases on ``history_url``'s backend and gives their URLs."""
    if history_url.startswith("postgresql"):
        return request.getfixturevalue("new_postgres_url")
    numbers = itertools.count()
    return lambda: f"sqlite:///{tmp_path / f'history-{next(numbers)}.sqlite'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def history_url(request, tmp_path) -> str:
    """An empty history database on each backend the history supports: a SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.sqlite'}"
    return request.getfixturevalue("new_postgres_url")()
