"""The history's connections: SQLite set up for several processes writing at once, and a way to
begin a transaction that writes.

SQLite keeps one writer at a time. In WAL mode readers and the writer do not block each other, and
a writer that finds another at work waits (the busy timeout) instead of failing at once. WAL works
for processes on one machine; a history shared between machines belongs on a server (PostgreSQL). Python's
sqlite3 driver begins its transactions itself, late and without DDL; it is told to leave them to
SQLAlchemy here, whose BEGIN then covers every statement, schema changes included, so a migration is
one transaction. A transaction begun ``writing`` takes SQLite's write lock at BEGIN (BEGIN
IMMEDIATE): one that read first and wrote later could otherwise find another writer's commit in
between and fail without waiting.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event

# How long a writer waits for another's transaction: a save takes milliseconds, a migration of a
# large history some seconds.
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Between two tries of the switch to WAL that another connection's lock refused.
WAL_RETRY_S = 0.05
_WRITING = "gymcore_writing"


def history_engine(url: str) -> Engine:
    """An engine for ``url``; for SQLite, with WAL, a busy timeout and SQLAlchemy beginning transactions."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connected)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def writing(engine: Engine) -> Engine:
    """``engine`` for transactions that write: on SQLite they hold the write lock from BEGIN."""
    return engine.execution_options(**{_WRITING: True})


def _sqlite_connected(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # the driver begins nothing; _sqlite_begin does
    cursor = dbapi_connection.cursor()
    try:
        # The timeout first: switching to WAL waits for other connections too.
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        _enter_wal(cursor)
    finally:
        cursor.close()


def _enter_wal(cursor: sqlite3.Cursor) -> None:
    """Switch the database to WAL, waiting for other connections as long as the busy timeout.

    SQLite answers the switch with "database is locked" at once, without its busy handler, when
    another connection holds the file at that moment: several processes opening one new history
    together (tests/test_history_migrations.py caught it). Any other error, or one that outlasts
    the timeout, is raised.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(WAL_RETRY_S)


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.get_execution_options().get(_WRITING) else "BEGIN")
