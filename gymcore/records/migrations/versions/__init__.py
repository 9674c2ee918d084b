"""The history's schema revisions, oldest first by their number; Alembic reads them from this folder."""
