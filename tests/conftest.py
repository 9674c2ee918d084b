from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


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
