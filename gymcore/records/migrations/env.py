"""Alembic's environment for the history: it runs on the connection gymcore.records.migrations has
opened, locked and begun a transaction on, so the whole upgrade commits or rolls back as one."""

from alembic import context

from gymcore.records.migrations import VERSION_TABLE

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("The history's migrations run when gymcore opens the history (History() in"
                       " gymcore.records.history); they have no alembic.ini to run from the alembic command.")
context.configure(
    connection=connection,
    target_metadata=context.config.attributes.get("target_metadata"),
    version_table=VERSION_TABLE,
    # SQLite alters a table by copying it; batch mode writes future migrations that way.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
