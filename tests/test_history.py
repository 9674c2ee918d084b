import csv
import io
import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from history_records import make_record
from sqlalchemy import event, inspect

from gymcore.pipeline.record import SCHEMA_VERSION, AssessmentRecord
from gymcore.records import history as history_module
from gymcore.records.history import History, HistoryError, HistoryFilter, masked_url, neutral_cell

LEGACY = Path(__file__).resolve().parent / "data" / "assessment_record_v1.json"

# The tables and indexes as the gymcore before summary-only listing created them in SQLite
# (printed from its SQLAlchemy models), to check that such a database still opens.
SCHEMA_BEFORE_INDEXES = """
CREATE TABLE assessments (
    id INTEGER NOT NULL, created_at DATETIME NOT NULL, athlete VARCHAR(200) NOT NULL,
    exercise VARCHAR(40) NOT NULL, exercise_confidence FLOAT, n_reps INTEGER NOT NULL, score FLOAT,
    front_clip VARCHAR(400), front_sha256 VARCHAR(64), side_clip VARCHAR(400), side_sha256 VARCHAR(64),
    models VARCHAR(200) NOT NULL, weights JSON NOT NULL, notes VARCHAR(2000) NOT NULL, record JSON NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX ix_assessments_athlete ON assessments (athlete);
CREATE INDEX ix_assessments_created_at ON assessments (created_at);
CREATE INDEX ix_assessments_exercise ON assessments (exercise);
CREATE TABLE verdicts (
    id INTEGER NOT NULL, assessment_id INTEGER NOT NULL, rep INTEGER NOT NULL, criterion VARCHAR(60) NOT NULL,
    model VARCHAR(40) NOT NULL, status VARCHAR(20) NOT NULL, prob FLOAT, PRIMARY KEY (id),
    FOREIGN KEY(assessment_id) REFERENCES assessments (id) ON DELETE CASCADE
);
CREATE INDEX ix_verdicts_assessment_id ON verdicts (assessment_id);
CREATE INDEX ix_verdicts_criterion ON verdicts (criterion);
"""


@pytest.fixture
def history(history_url) -> History:
    """An empty history, once in SQLite and once in PostgreSQL (conftest.py's history_url)."""
    return History(history_url)


def statements_while(history: History, action) -> list[str]:
    """The SQL the store sends while ``action`` runs."""
    sent: list[str] = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(history._engine, "before_cursor_execute", remember)
    try:
        action()
    finally:
        event.remove(history._engine, "before_cursor_execute", remember)
    return sent


def no_repeated_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [key for key, _ in pairs]
    assert len(keys) == len(set(keys)), keys
    return dict(pairs)


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(), newline="")))


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


def test_pages_of_the_list_and_their_count(history):
    start = datetime(2026, 11, 1, 9)
    ids = [history.save(make_record([True]), "Ana" if day % 2 else "Ben", created_at=start + timedelta(days=day))
           for day in range(7)]
    newest_first = ids[::-1]
    assert [e.id for e in history.entries(limit=3)] == newest_first[:3]
    assert [e.id for e in history.entries(limit=3, offset=6)] == newest_first[6:]
    assert [e.id for e in history.entries(athlete="Ana", limit=2, offset=1)] == [ids[3], ids[1]]
    assert history.count() == 7 and history.count(athlete="Ana") == 3
    assert history.count(since=start + timedelta(days=5)) == 2 and history.count(exercise="lunges") == 0


def test_listing_counting_trends_and_csv_never_read_a_record(history):
    """Records are ~435 KB each: everything but opening one and the JSON export reads summaries."""
    history.save(make_record([True, False]), "Ana", created_at=datetime(2026, 11, 1))
    listing = statements_while(history, lambda: (history.entries(), history.entries(athlete="Ana", limit=1),
                                                 history.count(), history.athletes(),
                                                 history.trend("Ana", "feet_flat", "rules"), history.export_csv()))
    assert listing and not [s for s in listing if "assessments.record" in s]
    opening = statements_while(history, lambda: history.saved(history.entries()[0].id))
    assert any("assessments.record" in s for s in opening)


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
    csv_data = history.export_csv(history.entries())
    assert csv_data.splitlines()[0].startswith(b"assessment_id,created_at,athlete")
    assert b"not_assessable" in csv_data and len(csv_data.splitlines()) == 1 + 2 * 3
    assert history.export_csv(HistoryFilter()) == csv_data
    history.delete(dropped)
    assert [e.id for e in history.entries()] == [kept]
    exported = json.loads(history.export_json(history.entries()), object_pairs_hook=no_repeated_keys)
    assert [item["history"]["id"] for item in exported] == [kept] and exported[0]["schema"] == SCHEMA_VERSION
    assert AssessmentRecord.from_dict(exported[0]).reps[0].verdicts["feet_flat"]["rules"].passed is True
    assert json.loads(history.export_json(HistoryFilter(athlete="Nobody"))) == []


def test_exports_stream_oldest_first_in_batches(history, monkeypatch):
    monkeypatch.setattr(history_module, "ID_CHUNK", 2)
    monkeypatch.setattr(history_module, "RECORD_BATCH", 2)
    start = datetime(2026, 11, 1)
    ids = [history.save(make_record([True] * (day + 1)), "Ana", notes=f"day {day}",
                        created_at=start + timedelta(days=day)) for day in range(5)]
    for selection in (HistoryFilter(athlete="Ana"), history.entries()):
        out = io.StringIO()
        assert history.write_json(out, selection) == 5
        records = json.loads(out.getvalue())
        assert [r["history"]["id"] for r in records] == ids
        assert [r["history"]["notes"] for r in records] == [f"day {day}" for day in range(5)]
        assert [len(AssessmentRecord.from_dict(r).reps) for r in records] == [1, 2, 3, 4, 5]
        out = io.StringIO()
        assert history.write_csv(out, selection) == 3 * (1 + 2 + 3 + 4 + 5)
        assert list(dict.fromkeys(int(row[0]) for row in csv_rows(out.getvalue().encode())[1:])) == ids


def test_csv_cells_cannot_start_a_spreadsheet_formula(history):
    names = ["=HYPERLINK(\"http://e.invalid\",\"x\")", "+1+1", "-2", "@SUM(A1)", "Ana-Maria"]
    for name in names:
        history.save(make_record([True]), name)
    athletes = {row[2] for row in csv_rows(history.export_csv())[1:]}
    assert athletes == {"'" + name for name in names[:-1]} | {"Ana-Maria"}
    # Names are saved stripped; the other cells are checked the same way.
    assert [neutral_cell(text) for text in ("\tx", "\rx", "0.5", "")] == ["'\tx", "'\rx", "0.5", ""]


def test_records_survive_a_reopen_and_a_failed_save(history_url):
    History(history_url).save(make_record([True]), "Ana")
    reopened = History(history_url)
    with pytest.raises(HistoryError, match="athlete's name"):
        reopened.save(make_record([True]), "   ")
    assert len(reopened.entries()) == 1


def test_a_database_made_before_the_new_indexes_opens_and_reads(tmp_path):
    """A history written by the previous gymcore (its DDL, its rows, a record without a schema)."""
    path = tmp_path / "h.sqlite"
    legacy = LEGACY.read_text()
    with sqlite3.connect(path) as connection:
        connection.executescript(SCHEMA_BEFORE_INDEXES)
        connection.execute(
            "INSERT INTO assessments (id, created_at, athlete, exercise, exercise_confidence, n_reps, score,"
            " side_clip, models, weights, notes, record) VALUES (7, '2026-12-01 15:34:00.000000', 'Ana', 'squat',"
            " 1.0, 1, 0.8, 'squat_lateral_3.mp4', 'pose,rules,vision', ?, 'old', ?)",
            (json.dumps(json.loads(legacy)["weights"]), legacy))
        connection.executemany(
            "INSERT INTO verdicts (assessment_id, rep, criterion, model, status, prob) VALUES (7, 0, ?, ?, ?, ?)",
            [("neutral_back", "rules", "fail", 0.2), ("feet_flat", "pose", "pass", 0.94)])
    history = History(f"sqlite:///{path}")
    # Its indexes are a new database's: the two-column ones added, those they supersede dropped.
    fresh = History(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    for table in ("assessments", "verdicts"):
        assert ({index["name"] for index in inspect(history._engine).get_indexes(table)}
                == {index["name"] for index in inspect(fresh._engine).get_indexes(table)})
    assert "ix_verdicts_assessment_rep_criterion_model" in {
        index["name"] for index in inspect(history._engine).get_indexes("verdicts")}
    [entry] = history.entries(athlete="Ana", limit=50)
    assert (entry.id, entry.n_reps, entry.score, entry.side_clip, entry.notes) == (
        7, 1, 0.8, "squat_lateral_3.mp4", "old")
    saved = history.saved(7)
    assert saved.record.schema == 1 and saved.record.clips["lateral"].name == "squat_lateral_3.mp4"
    assert saved.record.weights["pose"].synthetic
    assert [row[5:8] for row in csv_rows(history.export_csv())[1:]] == [
        ["feet_flat", "pose", "pass"], ["neutral_back", "rules", "fail"]]
    assert json.loads(history.export_json(history.entries()), object_pairs_hook=no_repeated_keys)[0]["schema"] == 1
    added = history.save(make_record([True]), "Ana", created_at=datetime(2026, 12, 2))
    assert [e.id for e in History(f"sqlite:///{path}").entries()] == [added, 7]


def test_unreachable_database_is_a_sentence(tmp_path):
    with pytest.raises(HistoryError, match="cannot be opened"):
        History(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'h.sqlite'}")


def test_a_database_password_is_never_shown():
    assert (masked_url("postgresql+psycopg://coach:s3cret@db.example/gym")
            == "postgresql+psycopg://coach:***@db.example/gym")
    assert masked_url("sqlite:////data/history.sqlite") == "sqlite:////data/history.sqlite"
    assert "s3cret" not in masked_url("not a url s3cret")
    # A driver that is not installed, and a server that refuses the connection.
    for url in ("mysql+nosuchdriver://coach:s3cret@127.0.0.1:1/gym",
                "postgresql+psycopg://coach:s3cret@127.0.0.1:1/gym"):
        with pytest.raises(HistoryError) as raised:
            History(url)
        assert "s3cret" not in str(raised.value) and "coach:***@127.0.0.1:1/gym" in str(raised.value)
    with pytest.raises(HistoryError, match="cannot be read") as raised:
        History("no url s3cret")
    assert "s3cret" not in str(raised.value)


def test_a_missing_driver_names_the_package(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def without_psycopg(name, *args, **kwargs):
        if name.split(".")[0] == "psycopg":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_psycopg)
    with pytest.raises(HistoryError, match="needs the Python package 'psycopg'") as raised:
        History("postgresql+psycopg://coach:s3cret@127.0.0.1:1/gym")
    assert "s3cret" not in str(raised.value)


def test_a_failure_after_opening_is_a_sentence(tmp_path):
    history = History(f"sqlite:///{tmp_path / 'h.sqlite'}")
    database = Path(str(history._engine.url.database))
    history._engine.dispose()
    database.unlink()
    database.mkdir()  # the file replaced by a folder: SQLite cannot open it
    with pytest.raises(HistoryError, match="could not be read") as raised:
        history.entries()
    assert history.display_url in str(raised.value)
