"""The schema revision this version of pipeline-tui works with.

The newest revision in migrations/versions. Kept as a constant so that an up-to-date
database costs one query at start-up and Alembic is imported only when there is work
to do; a test checks it against Alembic's own idea of the head. It lives apart from
migrate.py so that reading it does not import SQLAlchemy.
"""

HEAD_REVISION = "0020"
VERSION_TABLE = "alembic_version"
