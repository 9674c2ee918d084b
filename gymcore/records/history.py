"""Assessment history: every assessment a coach keeps, in SQLite by default or any SQLAlchemy URL.

Each assessment is kept as its record's JSON (gymcore.pipeline.record, the ``assess --json`` shape,
timelines included so that its report can be made again) beside summary columns (who, when, which
exercise, how many repetitions, the mean score, the models, the clips); its verdicts are also stored
one row per repetition, criterion and model so that trends per athlete and criterion are one query.
Saving is one transaction: a failure leaves what was saved before untouched.

A record's JSON is large (about 435 KB for a 2-minute clip, mostly angle timelines), so listing,
counting, filtering, trends and the CSV export read only the summary columns and the verdict table;
a record is read for the one assessment opened, and the JSON export reads records a few at a time
and writes each as it comes, so its memory does not grow with the history.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import pandas as pd
from sqlalchemy import (
    JSON,
    ColumnElement,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    cast,
    delete,
    func,
    select,
    true,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from gymcore.errors import GymError
from gymcore.judging.types import Verdict
from gymcore.pipeline.record import AssessmentRecord
from gymcore.records import migrations
from gymcore.records.database import history_engine, writing

DATABASE_URL_ENV = "GYMFORM_DATABASE_URL"
HOME_ENV = "GYMFORM_HOME"
CSV_COLUMNS = ("assessment_id", "created_at", "athlete", "exercise", "rep", "criterion", "model", "status", "prob")
# Spreadsheets read a cell starting with one of these as a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Records read at once by the JSON export, as text: ~0.5 MB each.
RECORD_BATCH = 16
VERDICT_BATCH = 2000
# Ids per query when a list of entries is exported; stays under every database's limit on parameters.
ID_CHUNK = 500
# What AssessmentRecord.from_dict assumes of a record saved before records carried a schema.
UNVERSIONED_SCHEMA = 1
# AssessmentRecord.to_dict writes "schema" first, and the JSON column keeps the text as written.
_SCHEMA_FIRST = re.compile(r'\{\s*"schema"\s*:')


class HistoryError(GymError):
    """The history database cannot be opened, read or written."""


def default_database_url() -> str:
    """``$GYMFORM_DATABASE_URL`` if set (any SQLAlchemy URL, e.g. a shared PostgreSQL server),
    otherwise a SQLite file in ``$GYMFORM_HOME`` (default ``~/.gymform``)."""
    if os.environ.get(DATABASE_URL_ENV):
        return os.environ[DATABASE_URL_ENV]
    home = Path(os.environ.get(HOME_ENV, Path.home() / ".gymform")).expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{home / 'history.sqlite'}"


def masked_url(url: str) -> str:
    """``url`` as it may be shown to anyone: its password, if it has one, replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(a database URL that cannot be read)"


def neutral_cell(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows as text: a leading ' when it would start a formula."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Base(DeclarativeBase):
    """The tables as the code reads and writes them. The database gets them from the revisions in
    gymcore/records/migrations/versions: a change here needs a new revision there
    (tests/test_history_migrations.py checks that they agree)."""


class AssessmentRow(_Base):
    __tablename__ = "assessments"
    # The list is filtered by athlete or exercise and shown newest first.
    __table_args__ = (Index("ix_assessments_athlete_created_at", "athlete", "created_at"),
                      Index("ix_assessments_exercise_created_at", "exercise", "created_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    athlete: Mapped[str] = mapped_column(String(200))
    exercise: Mapped[str] = mapped_column(String(40))
    exercise_confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    n_reps: Mapped[int] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    front_clip: Mapped[str | None] = mapped_column(String(400), nullable=True)
    front_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    side_clip: Mapped[str | None] = mapped_column(String(400), nullable=True)
    side_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    models: Mapped[str] = mapped_column(String(200))
    weights: Mapped[dict[str, Any]] = mapped_column(JSON)
    notes: Mapped[str] = mapped_column(String(2000), default="")
    # Last, so that SQLite reads the summary columns without the record's overflow pages.
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    verdicts: Mapped[list[VerdictRow]] = relationship(back_populates="assessment", cascade="all, delete-orphan")


class VerdictRow(_Base):
    __tablename__ = "verdicts"
    # The CSV export's order within an assessment, so that it streams without a sort.
    __table_args__ = (
        Index("ix_verdicts_assessment_rep_criterion_model", "assessment_id", "rep", "criterion", "model"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    rep: Mapped[int] = mapped_column(Integer)
    criterion: Mapped[str] = mapped_column(String(60), index=True)
    model: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))  # pass, fail or not_assessable
    prob: Mapped[float | None] = mapped_column(Float, nullable=True)
    assessment: Mapped[AssessmentRow] = relationship(back_populates="verdicts")


@dataclass(frozen=True)
class HistoryEntry:
    """One saved assessment, as the history list shows it (its summary columns, no record)."""

    id: int
    created_at: datetime
    athlete: str
    exercise: str
    n_reps: int
    score: float | None
    front_clip: str | None
    side_clip: str | None
    models: str
    notes: str


_ENTRY_COLUMNS = tuple(getattr(AssessmentRow, item.name) for item in fields(HistoryEntry))


@dataclass(frozen=True)
class HistoryFilter:
    """Which saved assessments: those matching every field given (None matches any)."""

    athlete: str | None = None
    exercise: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def condition(self) -> ColumnElement[bool]:
        conditions = []
        if self.athlete:
            conditions.append(AssessmentRow.athlete == self.athlete)
        if self.exercise:
            conditions.append(AssessmentRow.exercise == self.exercise)
        if self.since:
            conditions.append(AssessmentRow.created_at >= self.since)
        if self.until:
            conditions.append(AssessmentRow.created_at <= self.until)
        return and_(true(), *conditions)


# What an export covers: every assessment a filter matches, or the entries given (a page of the list).
Selection = HistoryFilter | Sequence[HistoryEntry]


@dataclass(frozen=True)
class SavedAssessment:
    """One saved assessment: who and when, and its record."""

    id: int
    athlete: str
    notes: str
    created_at: datetime
    record: AssessmentRecord


class History:
    """The store. ``History()`` opens the default database and brings its schema up to date
    (gymcore.records.migrations): a new database gets its tables, one written by an earlier gymcore
    is upgraded with every record kept, one written by a newer gymcore is refused.

    ``display_url`` is the database's URL with its password hidden: the one to show people.
    """

    def __init__(self, url: str | None = None) -> None:
        url = url or default_database_url()
        self.display_url = masked_url(url)
        self._engine = self._open(url)

    def save(self, record: AssessmentRecord, athlete: str, notes: str = "",
             created_at: datetime | None = None) -> int:
        """Store an assessment for an athlete, dated ``created_at`` or else when it was made; returns its id."""
        athlete = athlete.strip()
        if not athlete:
            raise HistoryError("Give the athlete's name (or a code) before saving the assessment.")
        data = record.to_dict()
        front, side = record.clips.get("frontal"), record.clips.get("lateral")
        row = AssessmentRow(
            created_at=created_at or record.created_at or datetime.now(UTC),
            athlete=athlete,
            exercise=record.exercise.exercise,
            exercise_confidence=record.exercise.confidence,
            n_reps=len(record.reps),
            score=_mean([rep.score for rep in record.reps]),
            front_clip=front.name if front else None,
            front_sha256=front.sha256 if front else None,
            side_clip=side.name if side else None,
            side_sha256=side.sha256 if side else None,
            models=",".join(sorted(record.models)),
            weights=data["weights"],
            notes=notes,
            record=data,
            verdicts=_verdict_rows(record),
        )
        with self._session("written to", write=True) as session:
            session.add(row)
            session.commit()
            return row.id

    def entries(self, athlete: str | None = None, exercise: str | None = None, since: datetime | None = None,
                until: datetime | None = None, *, limit: int | None = None, offset: int = 0) -> list[HistoryEntry]:
        """Saved assessments, newest first, filtered by whatever is given; ``limit`` and ``offset``
        take one page of them."""
        query = (select(*_ENTRY_COLUMNS).where(HistoryFilter(athlete, exercise, since, until).condition())
                 .order_by(AssessmentRow.created_at.desc(), AssessmentRow.id.desc()).offset(offset).limit(limit))
        with self._session("read") as session:
            return [HistoryEntry(*row) for row in session.execute(query)]

    def count(self, athlete: str | None = None, exercise: str | None = None, since: datetime | None = None,
              until: datetime | None = None) -> int:
        """How many saved assessments the filter matches."""
        query = select(func.count()).select_from(AssessmentRow).where(
            HistoryFilter(athlete, exercise, since, until).condition())
        with self._session("read") as session:
            return session.scalar(query) or 0

    def saved(self, assessment_id: int) -> SavedAssessment:
        """A saved assessment with its record, whichever gymcore version saved it."""
        with self._session("read") as session:
            row = session.get(AssessmentRow, assessment_id)
            if row is None:
                raise HistoryError(f"No saved assessment has id {assessment_id}.")
            return SavedAssessment(row.id, row.athlete, row.notes, row.created_at,
                                   AssessmentRecord.from_dict(row.record))

    def athletes(self) -> list[str]:
        with self._session("read") as session:
            return list(session.scalars(select(AssessmentRow.athlete).distinct().order_by(AssessmentRow.athlete)))

    def delete(self, assessment_id: int) -> None:
        with self._session("written to", write=True) as session:
            session.execute(delete(VerdictRow).where(VerdictRow.assessment_id == assessment_id))
            session.execute(delete(AssessmentRow).where(AssessmentRow.id == assessment_id))
            session.commit()

    def trend(self, athlete: str, criterion: str, model: str) -> pd.DataFrame:
        """Per assessment: date and the share of assessable repetitions that passed the criterion."""
        query = (
            select(AssessmentRow.id, AssessmentRow.created_at, VerdictRow.status)
            .join(VerdictRow)
            .where(AssessmentRow.athlete == athlete, VerdictRow.criterion == criterion,
                   VerdictRow.model == model, VerdictRow.status != "not_assessable")
            .order_by(AssessmentRow.created_at)
        )
        with self._session("read") as session:
            rows = session.execute(query).all()
        frame = pd.DataFrame(rows, columns=["assessment_id", "created_at", "status"])
        if frame.empty:
            return pd.DataFrame(columns=["assessment_id", "created_at", "pass_rate", "reps"])
        frame["passed"] = frame["status"] == "pass"
        grouped = frame.groupby(["assessment_id", "created_at"], as_index=False).agg(
            pass_rate=("passed", "mean"), reps=("passed", "size"))
        return grouped.sort_values("created_at").reset_index(drop=True)

    def write_csv(self, out: TextIO, selection: Selection = HistoryFilter()) -> int:
        """One line per repetition, criterion and model of the selected assessments, oldest first,
        written to ``out`` as they are read; returns the number of lines after the header."""
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        lines = 0
        for condition in _conditions(selection):
            query = (select(AssessmentRow.id, AssessmentRow.created_at, AssessmentRow.athlete, AssessmentRow.exercise,
                            VerdictRow.rep, VerdictRow.criterion, VerdictRow.model, VerdictRow.status, VerdictRow.prob)
                     .join(VerdictRow).where(condition)
                     .order_by(AssessmentRow.created_at, AssessmentRow.id, VerdictRow.rep, VerdictRow.criterion,
                               VerdictRow.model)
                     .execution_options(yield_per=VERDICT_BATCH))
            with self._session("read") as session:
                for row in session.execute(query):
                    writer.writerow(_csv_line(*row))
                    lines += 1
        return lines

    def write_json(self, out: TextIO, selection: Selection = HistoryFilter()) -> int:
        """The selected assessments' records, oldest first, as one JSON list written to ``out`` a
        record at a time; each record carries who it was saved for under "history". Returns how
        many were written."""
        written = 0
        out.write("[")
        for condition in _conditions(selection):
            # The record's text as stored: parsing and writing again ~0.5 MB of numbers costs 0.1 s a record.
            query = (select(AssessmentRow.id, AssessmentRow.athlete, AssessmentRow.notes, AssessmentRow.created_at,
                            cast(AssessmentRow.record, Text))
                     .where(condition).order_by(AssessmentRow.created_at, AssessmentRow.id)
                     .execution_options(yield_per=RECORD_BATCH))
            with self._session("read") as session:
                for assessment_id, athlete, notes, created_at, record in session.execute(query):
                    out.write(",\n" if written else "\n")
                    out.write(_exported(record, {"id": assessment_id, "athlete": athlete, "notes": notes,
                                                 "created_at": created_at.isoformat()}))
                    written += 1
        out.write("\n]\n" if written else "]\n")
        return written

    def export_csv(self, selection: Selection = HistoryFilter()) -> bytes:
        """``write_csv`` into UTF-8 bytes, for a download: about 75 bytes a verdict, 14 KB a 2-minute
        assessment."""
        return _written(self.write_csv, selection)

    def export_json(self, selection: Selection = HistoryFilter()) -> bytes:
        """``write_json`` into UTF-8 bytes, for a download: keep the selection small, a record is ~0.5 MB."""
        return _written(self.write_json, selection)

    def _open(self, url: str) -> Engine:
        where = f"The history database at {self.display_url}"
        try:
            engine = history_engine(url)
            migrations.bring_up_to_date(engine)
            return engine
        except migrations.SchemaError as error:
            raise HistoryError(f"{where} {error}") from None
        except NoSuchModuleError:
            raise HistoryError(
                f"{where} names a kind of database SQLAlchemy does not know: write the URL as in the README,"
                f" e.g. postgresql+psycopg://user:password@host/gymform, in {DATABASE_URL_ENV}."
            ) from None
        except ArgumentError:
            raise HistoryError(
                f"The history database URL cannot be read: set {DATABASE_URL_ENV} to an SQLAlchemy URL,"
                " e.g. postgresql+psycopg://user:password@host/gymform."
            ) from None
        except ImportError as error:
            raise HistoryError(
                f"{where} needs the Python package {error.name!r}, which is not installed: install the"
                " requirements (requirements.txt lists psycopg for PostgreSQL) or use another URL."
            ) from None
        except SQLAlchemyError as error:
            raise HistoryError(
                f"{where} cannot be opened ({type(error).__name__}): check the {DATABASE_URL_ENV} setting,"
                " that the server is reachable, or the folder's permissions."
            ) from None

    @contextmanager
    def _session(self, action: str, write: bool = False) -> Iterator[Session]:
        """A session whose database errors become a sentence that shows no password; one that
        will ``write`` holds SQLite's write lock from its start (gymcore.records.database)."""
        try:
            with Session(writing(self._engine) if write else self._engine, expire_on_commit=False) as session:
                yield session
        except SQLAlchemyError as error:
            raise HistoryError(
                f"The history database at {self.display_url} could not be {action} ({type(error).__name__}):"
                " check that it is reachable and that nothing else holds it locked."
            ) from None


def _written(write: Callable[[TextIO, Selection], int], selection: Selection) -> bytes:
    """What ``write`` writes, encoded as it goes: one copy in memory, not a string and its bytes."""
    buffer = io.BytesIO()
    text = io.TextIOWrapper(buffer, encoding="utf-8", newline="", write_through=True)
    write(text, selection)
    text.detach()  # leaves the buffer open
    return buffer.getvalue()


def _conditions(selection: Selection) -> list[ColumnElement[bool]]:
    """One query condition per batch of the selection, batches in the exports' order (oldest first)."""
    if isinstance(selection, HistoryFilter):
        return [selection.condition()]
    ordered = sorted(selection, key=lambda entry: (entry.created_at, entry.id))
    return [AssessmentRow.id.in_([entry.id for entry in ordered[start:start + ID_CHUNK]])
            for start in range(0, len(ordered), ID_CHUNK)]


def _csv_line(assessment_id: int, created_at: datetime, athlete: str, exercise: str, rep: int, criterion: str,
              model: str, status: str, prob: float | None) -> list[object]:
    return [assessment_id, created_at.isoformat(), *map(neutral_cell, (athlete, exercise)), rep,
            *map(neutral_cell, (criterion, model, status)), "" if prob is None else f"{prob:.4f}"]


def _exported(record: str, history: dict[str, Any]) -> str:
    """A record's JSON as the export writes it: as saved, with who it was saved for under "history"
    and, saved before records carried one, its schema version (what AssessmentRecord.from_dict reads)."""
    body = record.strip()
    if not (body.startswith("{") and body.endswith("}")):
        raise HistoryError(f"Saved assessment #{history['id']} is not a JSON object; it was not saved by gymcore.")
    schema = "" if _SCHEMA_FIRST.match(body) else f'"schema": {UNVERSIONED_SCHEMA}, '
    return f'{{{schema}{body[1:-1]}, "history": {json.dumps(history)}}}'


def _verdict_rows(record: AssessmentRecord) -> list[VerdictRow]:
    return [VerdictRow(rep=rep_index, criterion=criterion, model=model, status=_status(verdict),
                       prob=verdict.prob if verdict.assessable else None)
            for rep_index, rep in enumerate(record.reps)
            for criterion, by_model in rep.verdicts.items()
            for model, verdict in by_model.items()]


def _status(verdict: Verdict) -> str:
    if not verdict.assessable:
        return "not_assessable"
    return "pass" if verdict.passed else "fail"


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None
