"""The history's schema on SQLite and PostgreSQL: made by the migrations, histories written before them
adopted and upgraded with every record kept, a newer schema refused, several processes at once."""

from __future__ import annotations

import gzip
import multiprocessing
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from history_records import make_record
from history_workers import RECORD_REPS, open_and_save
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from gymcore.pipeline.record import AssessmentRecord
from gymcore.records import migrations
from gymcore.records.history import AssessmentRow, History, HistoryError, VerdictRow, _Base

DATA = Path(__file__).resolve().parent / "data"
# Written by gymcore at c59d9a5, before the migrations: tests/data/make_history_before_migrations.py.
BEFORE_SQLITE = DATA / "history_before_migrations.sqlite.gz"
BEFORE_POSTGRES = DATA / "history_before_migrations.postgresql.sql.gz"
BEFORE_IDS = [1, 2, 4, 5]  # 3 was deleted
WORKERS, SAVES = 4, 25
# New databases the workers open together before saving: a race to create the tables each time.
RACES = 5


def rows(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of the history's tables, read without gymcore: what must survive an upgrade."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {table.name: [dict(row._mapping) for row in connection.execute(select(table).order_by(table.c.id))]
                    for table in (AssessmentRow.__table__, VerdictRow.__table__)}
    finally:
        engine.dispose()


def revisions(history: History) -> tuple[str, ...]:
    with history._engine.connect() as connection:
        return MigrationContext.configure(
            connection, opts={"version_table": migrations.VERSION_TABLE}).get_current_heads()


def index_names(history: History) -> dict[str, set[str]]:
    inspector = inspect(history._engine)
    return {table: {index["name"] for index in inspector.get_indexes(table)} for table in ("assessments", "verdicts")}


@pytest.fixture
def history_before_migrations(request, history_url, tmp_path) -> str:
    """The URL of a history that gymcore wrote before it had migrations, on ``history_url``'s backend."""
    if history_url.startswith("sqlite"):
        Path(history_url.removeprefix("sqlite:///")).write_bytes(gzip.decompress(BEFORE_SQLITE.read_bytes()))
    else:
        server = request.getfixturevalue("postgres_server")
        # pg_dump 15.14 and later write \restrict lines that older psql does not know; the dump is ours.
        script = b"\n".join(line for line in gzip.decompress(BEFORE_POSTGRES.read_bytes()).splitlines()
                            if not line.startswith((b"\\restrict", b"\\unrestrict")))
        server.restore(make_url(history_url).database, script)
    return history_url


def test_the_migrations_make_the_tables_the_code_uses(history_url):
    history = History(history_url)
    assert revisions(history) == (migrations.head(),)
    with history._engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": migrations.VERSION_TABLE})
        assert compare_metadata(context, _Base.metadata) == []


def test_a_history_written_before_the_migrations_keeps_every_record(history_before_migrations, tmp_path):
    url = history_before_migrations
    before = rows(url)
    assert [row["id"] for row in before["assessments"]] == BEFORE_IDS and len(before["verdicts"]) == 39 - 3

    history = History(url)
    assert revisions(history) == (migrations.head(),)
    assert rows(url) == before
    assert index_names(history) == index_names(History(f"sqlite:///{tmp_path / 'new.sqlite'}"))
    assert [entry.id for entry in history.entries()] == BEFORE_IDS[::-1]
    for row in before["assessments"]:
        saved = history.saved(row["id"])
        assert (saved.athlete, saved.notes) == (row["athlete"], row["notes"])
        assert saved.record.to_dict() == AssessmentRecord.from_dict(row["record"]).to_dict()
    assert history.saved(5).record.clips["lateral"].name == "squat_lateral_3.mp4"
    # Ids go on from where that gymcore left them (PostgreSQL: its sequences came along).
    assert history.save(make_record([True]), "Ana") == 6
    assert rows(url)["verdicts"][-1]["id"] == 39 + 3


def test_tables_gymcore_did_not_make_are_left_alone(tmp_path):
    url = f"sqlite:///{tmp_path / 'other.sqlite'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE assessments (id INTEGER PRIMARY KEY, grade TEXT)"))
    with pytest.raises(HistoryError, match=r"missing: athlete, .*others: grade.*nothing in this one was changed"):
        History(url)
    assert set(inspect(engine).get_table_names()) == {"assessments"}


def test_a_history_from_a_newer_gymcore_is_refused_untouched(history_url):
    history = History(history_url)
    history.save(make_record([True]), "Ana")
    with history._engine.begin() as connection:
        connection.execute(text(f"UPDATE {migrations.VERSION_TABLE} SET version_num = '9999'"))
    with pytest.raises(HistoryError, match="newer gymcore.*revision 9999.*Update gymcore") as raised:
        History(history_url)
    assert str(raised.value).startswith(f"The history database at {history.display_url} was written by")
    assert revisions(history) == ("9999",) and history.count() == 1


@pytest.mark.slow  # four processes that import gymcore: 10-30 s a backend on two busy cores
def test_concurrent_writers_lose_nothing(history_url, new_history_url):
    """Four processes open new histories at the same moment (so they race to create them) and then save
    25 assessments each into one: every one is there afterwards, with its verdicts, under its own id."""
    raced = [new_history_url() for _ in range(RACES)]
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(WORKERS), context.Queue()
    processes = [context.Process(target=open_and_save, args=(raced, history_url, worker, SAVES, start, results))
                 for worker in range(WORKERS)]
    for process in processes:
        process.start()
    try:
        outcomes = [results.get(timeout=240) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=60)
    # The worker that failed first, before those it stopped.
    assert sorted((error for _, _, error in outcomes if error), key=lambda error: error.startswith("stopped")) == []
    ids = [saved_id for _, saved, _ in outcomes for saved_id in saved]
    assert len(ids) == len(set(ids)) == WORKERS * SAVES

    history = History(history_url)
    entries = history.entries()
    assert sorted(entry.id for entry in entries) == sorted(ids)
    assert sorted(entry.notes for entry in entries) == sorted(
        f"{worker}-{index}" for worker in range(WORKERS) for index in range(SAVES))
    verdicts = rows(history_url)["verdicts"]
    per_assessment = len(make_record(RECORD_REPS).reps) * 3  # feet_flat by rules and pose, feet_angled by rules
    assert sorted(row["assessment_id"] for row in verdicts) == sorted(ids * per_assessment)
    assert len({row["id"] for row in verdicts}) == len(verdicts)
    assert all(revisions(History(url)) == (migrations.head(),) for url in raced)
