"""SQLAlchemy models, database set-up, migrations and the one service API.

Nothing here knows about Textual; the UI and the CLI call `PipelineService`.
"""

from pipeline_tui.store.database import Database, open_database
from pipeline_tui.store.errors import ConflictError, NotFoundError, StoreError
from pipeline_tui.store.service import PipelineService

__all__ = [
    "ConflictError",
    "Database",
    "NotFoundError",
    "PipelineService",
    "StoreError",
    "open_database",
]
