import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from gymcore.records.history import AssessmentRow, History, HistoryError
from gymcore.pipeline.record import AssessmentRecord

LEGACY = Path(__file__).resolve().parent / "data" / "assessment_record_v1.json"


def make_record(feet_flat: list[bool], exercise: str = "squat") -> AssessmentRecord:
    """An assessment read from the `assess --json` shape: one repetition per entry of feet_flat."""
    reps = []
    for index, passed in enumerate(feet_flat):
        times = {"start_s": index * 3.0, "bottom_s": index * 3.0 + 1.2, "end_s": index * 3.0 + 2.5}
        reps.append({
            "index": index, **times, "score": 1.0 if passed else 0.5, "scores": {"rules": 1.0 if passed else 0.5},
            "views": {"lateral": times},
            "criteria": {
                "feet_flat": {"rules": {"prob": 1.0 if passed else 0.0, "pass": passed},
                              "pose": {"prob": 0.8, "pass": True}},
                "feet_angled": {"rules": {"status": "not_assessable", "reason": "no frontal clip"}},
            },
        })
    return AssessmentRecord.from_dict({
        "exercise": {"name": exercise, "confidence": 1.0, "method": "given", "evidence": {}}, "reps": reps,
        "summary": {"repetitions": len(reps), "mean_score": None, "most_failed": [], "worst_rep": None,
                    "model": "rules"},
        "timing_s": {"total": 1.0},
        "weights": {"rules": {"status": "loaded"},
                    "pose": {"status": "loaded", "file": "pose_squat.safetensors", "sha256": "ab"}},
        "views": {}, "segmentation": {"view": "lateral", "signal": "knee flexion", "segmented": True},
        "pair_flags": [], "clips": {"lateral": {"name": "side.mp4", "sha256": "cd" * 32, "fps": 30.0,
                                                 "duration_s": 6.0, "width": 640, "height": 480}},
    })


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
    assert history.saved(first).record.reps[1].verdicts["feet_flat"]["rules"].passed is False
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
    exported = json.loads(history.export_json(history.entries()))
    assert [item["history"]["id"] for item in exported] == [kept]
    assert AssessmentRecord.from_dict(exported[0]).reps[0].verdicts["feet_flat"]["rules"].passed is True


def test_records_survive_a_reopen_and_a_failed_save(tmp_path):
    url = f"sqlite:///{tmp_path / 'h.sqlite'}"
    History(url).save(make_record([True]), "Ana")
    reopened = History(url)
    with pytest.raises(HistoryError, match="athlete's name"):
        reopened.save(make_record([True]), "   ")
    assert len(reopened.entries()) == 1


def test_rows_saved_before_records_had_a_schema_still_open(tmp_path):
    """A database written by the previous gymcore: same tables, the record JSON without a schema."""
    url = f"sqlite:///{tmp_path / 'h.sqlite'}"
    History(url)
    legacy = json.loads(LEGACY.read_text())
    with Session(create_engine(url)) as session:
        session.add(AssessmentRow(
            created_at=datetime(2026, 12, 1, 15, 34, tzinfo=timezone.utc), athlete="Ana", exercise="squat",
            exercise_confidence=1.0, n_reps=1, score=0.8, models="pose,rules,vision", weights=legacy["weights"],
            notes="", record=legacy))
        session.commit()
    history = History(url)
    saved = history.saved(history.entries(athlete="Ana")[0].id)
    assert saved.record.schema == 1 and saved.record.clips["lateral"].name == "squat_lateral_3.mp4"
    assert saved.record.weights["pose"].synthetic
    assert json.loads(history.export_json(history.entries()))[0]["schema"] == 1


def test_unreachable_database_is_a_sentence(tmp_path):
    with pytest.raises(HistoryError, match="cannot be opened"):
        History(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'h.sqlite'}")
