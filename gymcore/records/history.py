"""Assessment history: every assessment a coach keeps, in SQLite by default or any SQLAlchemy URL.

Each assessment is kept as its record's JSON (gymcore.pipeline.record, the ``assess --json`` shape,
timelines included so that its report can be made again); its verdicts are also stored one row per
repetition, criterion and model so that trends per athlete and criterion are one query. Saving is
one transaction: a failure leaves what was saved before untouched.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, create_engine, delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from gymcore.errors import GymError
from gymcore.judging.types import Verdict
from gymcore.pipeline.record import AssessmentRecord

DATABASE_URL_ENV = "GYMFORM_DATABASE_URL"
HOME_ENV = "GYMFORM_HOME"


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


class _Base(DeclarativeBase):
    pass


class AssessmentRow(_Base):
    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    athlete: Mapped[str] = mapped_column(String(200), index=True)
    exercise: Mapped[str] = mapped_column(String(40), index=True)
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
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    verdicts: Mapped[list[VerdictRow]] = relationship(back_populates="assessment", cascade="all, delete-orphan")


class VerdictRow(_Base):
    __tablename__ = "verdicts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    rep: Mapped[int] = mapped_column(Integer)
    criterion: Mapped[str] = mapped_column(String(60), index=True)
    model: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))  # pass, fail or not_assessable
    prob: Mapped[float | None] = mapped_column(Float, nullable=True)
    assessment: Mapped[AssessmentRow] = relationship(back_populates="verdicts")


@dataclass(frozen=True)
class HistoryEntry:
    """One saved assessment, as the history list shows it."""

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


@dataclass(frozen=True)
class SavedAssessment:
    """One saved assessment: who and when, and its record."""

    id: int
    athlete: str
    notes: str
    created_at: datetime
    record: AssessmentRecord

    def to_dict(self) -> dict[str, Any]:
        """The record's JSON with who it was saved for (the JSON export)."""
        return {**self.record.to_dict(), "history": {"id": self.id, "athlete": self.athlete, "notes": self.notes,
                                                     "created_at": self.created_at.isoformat()}}


class History:
    """The store. ``History()`` opens the default database, creating its tables if needed."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_database_url()
        try:
            self._engine = create_engine(self.url)
            _Base.metadata.create_all(self._engine)
        except SQLAlchemyError as error:
            raise HistoryError(
                f"The history database at {self.url} cannot be opened ({type(error).__name__}): check"
                f" the {DATABASE_URL_ENV} setting or the folder's permissions."
            ) from None

    def save(self, record: AssessmentRecord, athlete: str, notes: str = "",
             created_at: datetime | None = None) -> int:
        """Store an assessment for an athlete, dated ``created_at`` or else when it was made; returns its id."""
        athlete = athlete.strip()
        if not athlete:
            raise HistoryError("Give the athlete's name (or a code) before saving the assessment.")
        data = record.to_dict()
        front, side = record.clips.get("frontal"), record.clips.get("lateral")
        row = AssessmentRow(
            created_at=created_at or record.created_at or datetime.now(timezone.utc),
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
        with self._session() as session:
            session.add(row)
            session.commit()
            return row.id

    def entries(self, athlete: str | None = None, exercise: str | None = None,
                since: datetime | None = None, until: datetime | None = None) -> list[HistoryEntry]:
        """Saved assessments, newest first, filtered by whatever is given."""
        query = select(AssessmentRow).order_by(AssessmentRow.created_at.desc())
        if athlete:
            query = query.where(AssessmentRow.athlete == athlete)
        if exercise:
            query = query.where(AssessmentRow.exercise == exercise)
        if since:
            query = query.where(AssessmentRow.created_at >= since)
        if until:
            query = query.where(AssessmentRow.created_at <= until)
        with self._session() as session:
            return [_entry(row) for row in session.scalars(query)]

    def saved(self, assessment_id: int) -> SavedAssessment:
        """A saved assessment with its record, whichever gymcore version saved it."""
        with self._session() as session:
            row = session.get(AssessmentRow, assessment_id)
            if row is None:
                raise HistoryError(f"No saved assessment has id {assessment_id}.")
            return SavedAssessment(row.id, row.athlete, row.notes, row.created_at,
                                   AssessmentRecord.from_dict(row.record))

    def athletes(self) -> list[str]:
        with self._session() as session:
            return list(session.scalars(select(AssessmentRow.athlete).distinct().order_by(AssessmentRow.athlete)))

    def delete(self, assessment_id: int) -> None:
        with self._session() as session:
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
        with self._session() as session:
            rows = session.execute(query).all()
        frame = pd.DataFrame(rows, columns=["assessment_id", "created_at", "status"])
        if frame.empty:
            return pd.DataFrame(columns=["assessment_id", "created_at", "pass_rate", "reps"])
        frame["passed"] = frame["status"] == "pass"
        grouped = frame.groupby(["assessment_id", "created_at"], as_index=False).agg(
            pass_rate=("passed", "mean"), reps=("passed", "size"))
        return grouped.sort_values("created_at").reset_index(drop=True)

    def export_csv(self, entries: list[HistoryEntry]) -> str:
        """One line per repetition, criterion and model of the given assessments."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["assessment_id", "created_at", "athlete", "exercise", "rep", "criterion", "model",
                         "status", "prob"])
        ids = [entry.id for entry in entries]
        with self._session() as session:
            rows = session.execute(
                select(AssessmentRow, VerdictRow).join(VerdictRow)
                .where(AssessmentRow.id.in_(ids))
                .order_by(AssessmentRow.created_at, VerdictRow.rep, VerdictRow.criterion, VerdictRow.model)
            ).all()
            for assessment, verdict in rows:
                writer.writerow([assessment.id, assessment.created_at.isoformat(), assessment.athlete,
                                 assessment.exercise, verdict.rep, verdict.criterion, verdict.model,
                                 verdict.status, "" if verdict.prob is None else f"{verdict.prob:.4f}"])
        return buffer.getvalue()

    def export_json(self, entries: list[HistoryEntry]) -> str:
        return json.dumps([self.saved(entry.id).to_dict() for entry in entries], indent=1)

    def _session(self) -> Session:
        return Session(self._engine, expire_on_commit=False)


def _entry(row: AssessmentRow) -> HistoryEntry:
    return HistoryEntry(id=row.id, created_at=row.created_at, athlete=row.athlete, exercise=row.exercise,
                        n_reps=row.n_reps, score=row.score, front_clip=row.front_clip, side_clip=row.side_clip,
                        models=row.models, notes=row.notes)


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
