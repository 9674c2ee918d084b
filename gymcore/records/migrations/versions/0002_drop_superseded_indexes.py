"""Drop the single-column indexes that histories made before the two-column ones still carry.

gymcore indexed athlete, exercise and verdicts.assessment_id alone until the list and the CSV
export got the indexes of revision 1, which begin with those columns and serve every query the old
ones served. Databases made before that kept the old indexes, which every save still updated (one
more index entry per verdict row). Databases made since never had them; for those this does nothing.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# name: (table, the revision-1 index that serves its queries)
SUPERSEDED = {
    "ix_assessments_athlete": ("assessments", "ix_assessments_athlete_created_at"),
    "ix_assessments_exercise": ("assessments", "ix_assessments_exercise_created_at"),
    "ix_verdicts_assessment_id": ("verdicts", "ix_verdicts_assessment_rep_criterion_model"),
}


def upgrade() -> None:
    # Looked up rather than DROP INDEX IF EXISTS, which not every database has.
    inspector = sa.inspect(op.get_bind())
    for name, (table, _) in SUPERSEDED.items():
        if name in {index["name"] for index in inspector.get_indexes(table)}:
            op.drop_index(name, table_name=table)


def downgrade() -> None:
    # Revision 1 databases may or may not carry them and nothing needs them: going back leaves them out.
    pass
