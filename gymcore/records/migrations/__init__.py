"""The history's schema, kept up to date by Alembic whenever a history is opened.

The revisions are in ``versions/`` (revision 1 is the schema gymcore made before it had
migrations); the Alembic configuration is built here, so nothing but this folder is needed at run
time. ``bring_up_to_date`` runs on every open:

- a database already at the newest revision is left alone after one query;
- a new database gets its tables from the revisions;
- a database made before the migrations (its tables, no version table) is checked to have revision
  1's columns, given the indexes that gymcore added on open, recorded as revision 1 and upgraded, so
  every record it holds is kept;
- a database at a revision this gymcore does not know (a newer gymcore wrote it) is left untouched
  and refused.

Several processes may open one history at once: the upgrade holds a lock for its whole transaction
(PostgreSQL: an advisory lock; SQLite: the write lock, from BEGIN IMMEDIATE), and whoever gets it
second finds the work done.

A new revision: ``alembic.command.revision(alembic_config(), message="...")`` writes its file into
``versions/``; name it with the next number, as the others are.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from types import ModuleType

from alembic import command
from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Inspector, MetaData, inspect, text

from gymcore.records.database import writing

FOLDER = Path(__file__).resolve().parent
FIRST_REVISION = "0001"
# Not Alembic's default name: a database shared with another Alembic-managed program keeps both versions.
VERSION_TABLE = "gymcore_alembic_version"
# pg_advisory_xact_lock's key for the upgrade: any number no other program locks on the same server.
POSTGRES_LOCK_KEY = 0x67796D636F7265  # "gymcore"


class SchemaError(Exception):
    """The database's schema cannot be brought up to date; the message ends a sentence for a person
    ("The history database at ... <message>")."""


def alembic_config(connection: Connection | None = None, metadata: MetaData | None = None) -> Config:
    """Alembic's configuration for the history's migrations; env.py runs them on ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(FOLDER))
    config.attributes["connection"] = connection
    config.attributes["target_metadata"] = metadata
    return config


def head() -> str:
    """The newest revision this gymcore knows."""
    revision = _scripts().get_current_head()
    assert revision is not None, f"no revisions in {FOLDER / 'versions'}"
    return revision


def bring_up_to_date(engine: Engine) -> None:
    """Upgrade the database behind ``engine`` to ``head()``, adopting one made before the migrations;
    raises SchemaError when it is at a revision this gymcore does not know."""
    with engine.connect() as connection:
        current = _revisions(connection)
    if current == (head(),):
        return
    _refuse_unknown(current)
    with writing(engine).begin() as connection:
        _lock(connection)
        # Read again under the lock: another process may have upgraded it meanwhile.
        current = _revisions(connection)
        _refuse_unknown(current)
        if not current and _has_history_tables(connection):
            _adopt(connection)
        command.upgrade(alembic_config(connection), "head")


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def _first_revision() -> ModuleType:
    module = _scripts().get_revision(FIRST_REVISION).module
    assert module is not None
    return module


def _revisions(connection: Connection) -> tuple[str, ...]:
    return MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE}).get_current_heads()


def _lock(connection: Connection) -> None:
    """Serialise upgrades between processes until the transaction ends (SQLite's BEGIN IMMEDIATE already has)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": POSTGRES_LOCK_KEY})


def _refuse_unknown(current: tuple[str, ...]) -> None:
    known = {script.revision for script in _scripts().walk_revisions()}
    unknown = [revision for revision in current if revision not in known]
    if unknown:
        raise SchemaError(
            f"was written by a newer gymcore: its schema is at revision {', '.join(unknown)}, and this gymcore"
            f" knows revisions up to {head()}. Update gymcore to open it; nothing in it was changed.")


def _has_history_tables(connection: Connection) -> bool:
    tables = set(inspect(connection).get_table_names())
    return bool(tables & set(_first_revision().COLUMNS))


def _adopt(connection: Connection) -> None:
    """Record a database made before the migrations as revision 1, once its tables are revision 1's."""
    first = _first_revision()
    inspector = inspect(connection)
    for table, expected in first.COLUMNS.items():
        mismatch = _mismatch(inspector, table, set(expected))
        if mismatch:
            raise SchemaError(f"{mismatch}, so gymcore did not make it. Give the history a database of its own;"
                              " nothing in this one was changed.")
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    operations = Operations(context)
    for name, (table, columns) in first.INDEXES.items():
        if name not in {index["name"] for index in inspector.get_indexes(table)}:
            operations.create_index(name, table, list(columns))
    context.stamp(_scripts(), FIRST_REVISION)


def _mismatch(inspector: Inspector, table: str, expected: set[str]) -> str | None:
    """How ``table`` differs from revision 1's, in words, or None."""
    if not inspector.has_table(table):
        return f"has some of a gymcore history's tables but no {table!r} table"
    found = {column["name"] for column in inspector.get_columns(table)}
    if found == expected:
        return None
    missing, others = sorted(expected - found), sorted(found - expected)
    return (f"has a table {table!r} without the columns of a gymcore history (missing: {', '.join(missing) or 'none'};"
            f" others: {', '.join(others) or 'none'})")
