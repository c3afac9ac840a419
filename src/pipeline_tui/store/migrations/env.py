"""Alembic environment.

The app hands in its own connection (store/migrate.py), so migrations run with the
same SQLite settings as everything else. From Alembic's command line (run in the
project folder; the settings are in pyproject.toml's [tool.alembic]) the database is
`-x db=PATH_OR_URL`, else the one pipeline-tui itself would open:

    .venv/bin/alembic -x db=/tmp/try.db upgrade head
    .venv/bin/alembic -x db=/tmp/try.db check     # do the models and migrations agree?
"""

import os

from alembic import context
from sqlalchemy import Connection

from pipeline_tui.store.models import Base
from pipeline_tui.store.schema import include_object


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def command_line_target() -> str:
    given = context.get_x_argument(as_dictionary=True).get("db")
    if given:
        return given
    from pipeline_tui.config import DB_ENV, default_database_path, load_config

    return os.environ.get(DB_ENV) or load_config().database or str(default_database_path())


if context.is_offline_mode():
    raise SystemExit(
        "pipeline-tui's migrations look at the database they change; run them online "
        "(without --sql)."
    )

handed_in = context.config.attributes.get("connection")
if handed_in is not None:
    run_migrations(handed_in)
else:
    from pipeline_tui.store.database import open_database
    from pipeline_tui.store.migrate import schema_change

    database = open_database(command_line_target(), run_migrations=False)
    try:
        with schema_change(database.engine) as connection:
            run_migrations(connection)
    finally:
        database.close()
