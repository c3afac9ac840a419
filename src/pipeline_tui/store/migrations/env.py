"""Alembic environment: always run with a connection handed in by pipeline_tui.store."""

from alembic import context

from pipeline_tui.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("pipeline-tui migrations run from the application, not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
