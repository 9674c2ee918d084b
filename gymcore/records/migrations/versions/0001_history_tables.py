"""The history's tables and indexes as gymcore made them before it had migrations (commit c59d9a5:
``metadata.create_all`` and the indexes added on open).

A database that gymcore made then has no version table. gymcore.records.migrations records it as
this revision when its tables have exactly the columns in COLUMNS, after adding the INDEXES it lacks
(as that gymcore did on every open).

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

COLUMNS: dict[str, tuple[str, ...]] = {
    "assessments": ("id", "created_at", "athlete", "exercise", "exercise_confidence", "n_reps", "score",
                    "front_clip", "front_sha256", "side_clip", "side_sha256", "models", "weights", "notes",
                    "record"),
    "verdicts": ("id", "assessment_id", "rep", "criterion", "model", "status", "prob"),
}
# name: (table, columns)
INDEXES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ix_assessments_created_at": ("assessments", ("created_at",)),
    # The list is filtered by athlete or exercise and shown newest first.
    "ix_assessments_athlete_created_at": ("assessments", ("athlete", "created_at")),
    "ix_assessments_exercise_created_at": ("assessments", ("exercise", "created_at")),
    "ix_verdicts_criterion": ("verdicts", ("criterion",)),
    # The CSV export's order within an assessment, so that it streams without a sort.
    "ix_verdicts_assessment_rep_criterion_model": ("verdicts", ("assessment_id", "rep", "criterion", "model")),
}


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("athlete", sa.String(200), nullable=False),
        sa.Column("exercise", sa.String(40), nullable=False),
        sa.Column("exercise_confidence", sa.Float(), nullable=True),
        sa.Column("n_reps", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("front_clip", sa.String(400), nullable=True),
        sa.Column("front_sha256", sa.String(64), nullable=True),
        sa.Column("side_clip", sa.String(400), nullable=True),
        sa.Column("side_sha256", sa.String(64), nullable=True),
        sa.Column("models", sa.String(200), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("notes", sa.String(2000), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "verdicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("rep", sa.Integer(), nullable=False),
        sa.Column("criterion", sa.String(60), nullable=False),
        sa.Column("model", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("prob", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, list(columns))


def downgrade() -> None:
    op.drop_table("verdicts")
    op.drop_table("assessments")
