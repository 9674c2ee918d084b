from datetime import datetime, timedelta

import pytest

from gymcore.records.history import History, HistoryError


def make_record(feet_flat: list[bool], exercise: str = "squat") -> dict:
    """An assessment in the `assess --json` shape: one repetition per entry of feet_flat."""
    reps = []
    for index, passed in enumerate(feet_flat):
        reps.append({
            "start_s": index * 3.0, "end_s": index * 3.0 + 2.5, "score": 1.0 if passed else 0.5,
            "criteria": {
                "feet_flat": {"rules": {"prob": 1.0 if passed else 0.0, "pass": passed},
                              "pose": {"prob": 0.8, "pass": True}},
                "feet_angled": {"rules": {"status": "not_assessable", "reason": "no frontal clip"}},
            },
        })
    return {"exercise": {"name": exercise, "confidence": 1.0}, "reps": reps, "timing_s": {"total": 1.0},
            "weights": {"pose": {"file": "pose_squat.safetensors", "sha256": "ab"}},
            "clips": {"lateral": {"name": "side.mp4", "sha256": "cd" * 32}}}


@pytest.fixture
def history(tmp_path) -> History:
    return History(f"sqlite:///{tmp_path / 'h.sqlite'}")


def test_saved_assessments_come_back_filtered(history):
    start = datetime(2026, 11, 1, 9)
    first = history.save(make_record([True, False]), "Ana", created_at=start)
    history.save(make_record([True], exercise="lunges"), "Ana", created_at=start + timedelta(days=1))
    history.save(make_record([False]), "Ben", created_at=start + timedelta(days=2))
    assert [e.athlete for e in history.entries()] == ["Ben", "Ana", "Ana"]
    assert [e.exercise for e in history.entries(athlete="Ana")] == ["lunges", "squat"]
    assert len(history.entries(since=start + timedelta(hours=12))) == 2
    entry = history.entries(exercise="squat", athlete="Ana")[0]
    assert (entry.id, entry.n_reps, entry.score, entry.side_clip, entry.models) == (first, 2, 0.75, "side.mp4", "pose,rules")
    assert history.record(first)["reps"][1]["criteria"]["feet_flat"]["rules"]["pass"] is False
    assert history.athletes() == ["Ana", "Ben"]


def test_trend_per_athlete_and_criterion(history):
    day = datetime(2026, 10, 1)
    history.save(make_record([False, False]), "Ana", created_at=day)
    history.save(make_record([True, False]), "Ana", created_at=day + timedelta(days=7))
    history.save(make_record([True, True]), "Ana", created_at=day + timedelta(days=14))
    trend = history.trend("Ana", "feet_flat", "rules")
    assert trend["pass_rate"].tolist() == [0.0, 0.5, 1.0]
    assert trend["reps"].tolist() == [2, 2, 2]
    assert history.trend("Ana", "feet_angled", "rules").empty  # never assessable


def test_exports_and_delete(history):
    kept = history.save(make_record([True]), "Ana")
    dropped = history.save(make_record([False]), "Ana")
    csv_text = history.export_csv(history.entries())
    assert csv_text.splitlines()[0].startswith("assessment_id,created_at,athlete")
    assert "not_assessable" in csv_text and len(csv_text.splitlines()) == 1 + 2 * 3
    history.delete(dropped)
    assert [e.id for e in history.entries()] == [kept]
    assert '"feet_flat"' in history.export_json(history.entries())


def test_records_survive_a_reopen_and_a_failed_save(tmp_path):
    url = f"sqlite:///{tmp_path / 'h.sqlite'}"
    History(url).save(make_record([True]), "Ana")
    reopened = History(url)
    with pytest.raises(HistoryError, match="athlete's name"):
        reopened.save(make_record([True]), "   ")
    with pytest.raises(KeyError):
        reopened.save({"reps": []}, "Ana")
    assert len(reopened.entries()) == 1


def test_unreachable_database_is_a_sentence(tmp_path):
    with pytest.raises(HistoryError, match="cannot be opened"):
        History(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'h.sqlite'}")
