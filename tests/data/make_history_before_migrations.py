"""Write the two histories of tests/data that gymcore made before its migrations (commit c59d9a5):
a SQLite file and a PostgreSQL dump, both gzip-compressed. test_history_migrations.py checks that
today's gymcore opens them and keeps every record.

They must be written by that gymcore, not by today's, so its tree comes first on the path:

    mkdir /tmp/before-migrations && git archive c59d9a5 gymcore | tar -x -C /tmp/before-migrations
    PYTHONPATH=/tmp/before-migrations:tests python tests/data/make_history_before_migrations.py tests/data
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from history_records import make_record
from postgres import SUPERUSER, running_server

from gymcore.pipeline.record import AssessmentRecord
from gymcore.records.history import History

SQLITE_NAME = "history_before_migrations.sqlite.gz"
POSTGRES_NAME = "history_before_migrations.postgresql.sql.gz"
REAL_RECORD = Path(__file__).resolve().parent / "assessment_record_v1.json"


def fill(history: History) -> None:
    """A few athletes and exercises, a record from a real assessment, and a gap in the ids."""
    day = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    history.save(make_record([True, False]), "Ana", notes="first session", created_at=day)
    history.save(make_record([False, False, True]), "Ben", created_at=day.replace(day=3))
    dropped = history.save(make_record([True]), "Deleted later", created_at=day.replace(day=4))
    history.save(make_record([True], exercise="lunges"), "Ana", notes="knees in → cue ½ way down",
                 created_at=day.replace(day=9, hour=18, minute=5))
    history.delete(dropped)
    history.save(AssessmentRecord.from_dict(json.loads(REAL_RECORD.read_text())), "Chloé",
                 created_at=datetime(2026, 12, 1, 15, 34, tzinfo=UTC))


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "history.sqlite"
        fill(History(f"sqlite:///{database}"))
        with sqlite3.connect(database) as connection:
            tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        connection.close()
        assert tables == {"assessments", "verdicts"}, f"{tables}: run it with the gymcore from before the migrations"
        (out / SQLITE_NAME).write_bytes(gzip.compress(database.read_bytes(), mtime=0))
    with running_server() as server:
        server.execute("CREATE DATABASE gymform")
        fill(History(server.url("gymform")))
        dump = subprocess.run(
            [str(server.programs / "pg_dump"), "--host", str(server.socket_dir), "--port", str(server.port),
             "--username", SUPERUSER, "--no-owner", "--no-privileges", "--inserts", "gymform"],
            capture_output=True, check=True)
        (out / POSTGRES_NAME).write_bytes(gzip.compress(dump.stdout, mtime=0))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
