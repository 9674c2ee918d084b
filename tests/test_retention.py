"""Clips are not kept: session folders unused for the retention time are deleted, replaced and refused
uploads at once."""

import os
import time
from pathlib import Path

import pytest
from app_helpers import button, open_page, upload
from streamlit.testing.v1 import AppTest

from gymcore.config import SAMPLES_DIR
from gymcore.errors import InputError
from gymcore.records.retention import USED_MARKER, Retention, Sweeper, last_used, mark_used

MAIN = Path(__file__).resolve().parent.parent / "app" / "main.py"
HOUR = 3600.0


def age(folder: Path, seconds: float) -> None:
    """Make ``folder`` look last used ``seconds`` ago."""
    then = time.time() - seconds
    for path in (folder / USED_MARKER, folder):
        if path.exists():
            os.utime(path, (then, then))


def session_with_clip(retention: Retention) -> Path:
    folder = retention.new_session_folder()
    (folder / "lateral-0123").mkdir()
    (folder / "lateral-0123" / "set.mp4").write_bytes(b"clip")
    return folder


def test_sweep_deletes_unused_session_folders_and_keeps_fresh_ones(tmp_path):
    retention = Retention(seconds=HOUR, root=tmp_path)
    stale, fresh, recent = session_with_clip(retention), session_with_clip(retention), session_with_clip(retention)
    age(stale, HOUR + 5)
    age(recent, HOUR - 60)
    legacy = tmp_path / "gymform-left-by-an-old-version"  # no marker: its own time counts
    legacy.mkdir()
    (legacy / "annotated-frontal-1.mp4").write_bytes(b"clip")
    os.utime(legacy, (time.time() - 2 * HOUR,) * 2)
    unrelated = tmp_path / "someone-elses"
    unrelated.mkdir()
    os.utime(unrelated, (time.time() - 2 * HOUR,) * 2)

    assert sorted(retention.sweep()) == sorted([stale, legacy])
    assert not stale.exists() and not legacy.exists()
    assert (fresh / "lateral-0123" / "set.mp4").exists() and (recent / "lateral-0123" / "set.mp4").exists()
    assert unrelated.exists()


def test_using_a_folder_postpones_its_deletion(tmp_path):
    retention = Retention(seconds=HOUR, root=tmp_path)
    folder = session_with_clip(retention)
    age(folder, HOUR + 5)
    mark_used(folder)
    assert retention.sweep() == [] and folder.exists()
    assert retention.sweep(now=last_used(folder) + HOUR + 1) == [folder] and not folder.exists()


def test_the_sweeper_thread_deletes_without_any_page_being_opened(tmp_path):
    retention = Retention(seconds=2.0, root=tmp_path)
    stale, fresh = session_with_clip(retention), session_with_clip(retention)
    age(stale, 60)
    sweeper = Sweeper(retention).start()
    try:
        deadline = time.monotonic() + 10
        while stale.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        sweeper.stop()
    assert not stale.exists() and fresh.exists()


def test_retention_time_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("GYMFORM_RETENTION_S", raising=False)
    assert Retention.from_environment().seconds == HOUR
    monkeypatch.setenv("GYMFORM_RETENTION_S", "600")
    assert Retention.from_environment().seconds == 600.0
    for wrong in ("an hour", "0", "-5", "nan", "inf"):
        monkeypatch.setenv("GYMFORM_RETENTION_S", wrong)
        with pytest.raises(InputError, match="GYMFORM_RETENTION_S is"):
            Retention.from_environment()


def test_a_wrong_retention_setting_stops_the_dashboard_with_a_sentence(monkeypatch):
    monkeypatch.setenv("GYMFORM_RETENTION_S", "an hour")
    app = AppTest.from_file(str(MAIN), default_timeout=60).run()
    assert not app.exception and not app.title
    assert len(app.error) == 1 and "GYMFORM_RETENTION_S is 'an hour'" in app.error[0].value


def test_every_page_run_marks_the_session_folder_as_used(tmp_path, monkeypatch):
    monkeypatch.delenv("GYMFORM_RETENTION_S", raising=False)
    monkeypatch.delenv("GYMFORM_PASSWORD", raising=False)
    folder = session_with_clip(Retention(root=tmp_path))
    age(folder, HOUR - 10)
    app = AppTest.from_file(str(MAIN), default_timeout=60)
    app.session_state["upload_dir"] = str(folder)
    app.run()
    assert not app.exception
    assert time.time() - last_used(folder) < 60


def files_in(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()
                  and path.name != USED_MARKER)


def test_a_refused_upload_is_deleted_at_once_and_not_written_again(tmp_path):
    notes = tmp_path / "notes.mp4"
    notes.write_text("not a video at all")
    app = open_page("assess")
    upload(app, "Lateral clip", notes)
    app.run()
    assert not app.exception
    assert len(app.error) == 1 and app.error[0].value.startswith("Lateral clip refused: notes.mp4 is not a readable")
    folder = Path(app.session_state["upload_dir"])
    assert files_in(folder) == []
    app.run()  # the file stays in the uploader: refused again, never written again
    assert len(app.error) == 1 and files_in(folder) == []


def test_a_replaced_or_removed_upload_is_deleted():
    first, second = SAMPLES_DIR / "squat_clean_frontal.mp4", SAMPLES_DIR / "squat_faulty_frontal.mp4"
    app = open_page("assess")
    upload(app, "Frontal clip", first)
    app.run()
    folder = Path(app.session_state["upload_dir"])
    assert [Path(name).name for name in files_in(folder)] == [first.name]
    upload(app, "Frontal clip", second)
    app.run()
    assert not app.error and [Path(name).name for name in files_in(folder)] == [second.name]
    next(u for u in app.file_uploader if u.label == "Frontal clip").set_value(None)
    app.run()
    assert not app.exception and files_in(folder) == []


@pytest.mark.slow  # assesses a sample twice (MediaPipe and four models)
def test_annotated_clips_of_an_earlier_assessment_are_deleted_and_drawn_again_when_swept(monkeypatch):
    monkeypatch.delenv("GYMFORM_RETENTION_S", raising=False)
    app = open_page("assess", timeout=180)
    app.selectbox(key="exercise").set_value("squat").run()
    button(app, "Squat · faulty").click().run()
    folder = Path(app.session_state["upload_dir"])
    first = sorted(folder.glob("annotated-*.mp4"))
    assert not app.exception and len(first) == 2 and len(app.get("video")) == 2
    button(app, "Assess").click().run()
    second = sorted(folder.glob("annotated-*.mp4"))
    assert len(second) == 2 and not set(first) & set(second)
    for clip in second:  # as the sweeper would after the retention time
        clip.unlink()
    app.run()
    # The page draws them again from the tracked poses (the bundled sample clips are still there).
    third = sorted(folder.glob("annotated-*.mp4"))
    assert not app.exception and len(app.get("video")) == 2 and len(third) == 2 and not set(third) & set(second)
