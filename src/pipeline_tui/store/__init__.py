"""The store: SQLAlchemy models, database set-up, migrations, and the front door the UI
and the command line use (this package's names; its modules are the store's own).

Nothing here knows about Textual. The names below are imported when first used:
SQLAlchemy takes about as long to import as Textual, and the board's first screenful
does not need it (see store/peek.py).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from pipeline_tui.store.errors import (
    AmbiguousCardError,
    ConflictError,
    DuplicateCardError,
    NotFoundError,
    StoreError,
)

if TYPE_CHECKING:
    from pipeline_tui.store.backup import backup_database
    from pipeline_tui.store.daily import AlreadyLogged, NoNextAction, QualificationNeeded
    from pipeline_tui.store.database import (
        Database,
        open_database,
        remove_if_unused,
        sqlite_file,
    )
    from pipeline_tui.store.deferred import DeferredService
    from pipeline_tui.store.exchange import (
        CHUNK,
        ImportReport,
        safe_rows,
        write_csv,
        write_json,
        write_vcards,
    )
    from pipeline_tui.store.peek import (
        BoardPeek,
        CardPeek,
        peek_board,
        peek_card,
        peek_source,
        sqlite_file_named,
        sqlite_in_memory,
    )
    from pipeline_tui.store.read_model import BoardView
    from pipeline_tui.store.search import SearchHit
    from pipeline_tui.store.service import PipelineService

_LAZY = {
    "Database": "pipeline_tui.store.database",
    "open_database": "pipeline_tui.store.database",
    "PipelineService": "pipeline_tui.store.service",
    "DeferredService": "pipeline_tui.store.deferred",
    "BoardPeek": "pipeline_tui.store.peek",
    "peek_board": "pipeline_tui.store.peek",
    "CardPeek": "pipeline_tui.store.peek",
    "peek_card": "pipeline_tui.store.peek",
    "peek_source": "pipeline_tui.store.peek",
    "sqlite_in_memory": "pipeline_tui.store.peek",
    "sqlite_file_named": "pipeline_tui.store.peek",
    "is_sqlite_file": "pipeline_tui.store.database",
    "remove_if_unused": "pipeline_tui.store.database",
    "sqlite_file": "pipeline_tui.store.database",
    "BoardView": "pipeline_tui.store.read_model",
    "SearchHit": "pipeline_tui.store.search",
    "backup_database": "pipeline_tui.store.backup",
    "CHUNK": "pipeline_tui.store.exchange",
    "ImportReport": "pipeline_tui.store.exchange",
    "safe_rows": "pipeline_tui.store.exchange",
    "write_csv": "pipeline_tui.store.exchange",
    "write_json": "pipeline_tui.store.exchange",
    "write_vcards": "pipeline_tui.store.exchange",
    "AlreadyLogged": "pipeline_tui.store.daily",
    "NoNextAction": "pipeline_tui.store.daily",
    "QualificationNeeded": "pipeline_tui.store.daily",
}

__all__ = [
    "CHUNK",
    "AlreadyLogged",
    "AmbiguousCardError",
    "BoardPeek",
    "BoardView",
    "CardPeek",
    "ConflictError",
    "Database",
    "DeferredService",
    "DuplicateCardError",
    "ImportReport",
    "NoNextAction",
    "NotFoundError",
    "PipelineService",
    "QualificationNeeded",
    "SearchHit",
    "StoreError",
    "backup_database",
    "is_sqlite_file",
    "open_database",
    "peek_board",
    "peek_card",
    "peek_source",
    "remove_if_unused",
    "safe_rows",
    "sqlite_file",
    "sqlite_file_named",
    "sqlite_in_memory",
    "write_csv",
    "write_json",
    "write_vcards",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
