"""Errors the store raises; each message is one sentence a rep can act on."""


class StoreError(Exception):
    """The database could not be opened or a change could not be saved."""


class NotFoundError(StoreError):
    """The card no longer exists (deleted, or never there)."""


class ConflictError(StoreError):
    """Someone else changed the card since it was read; nothing was overwritten."""
