"""The object store: a kine-style append-only log in SQLite (see sqlite.py)."""

from minicube.store.base import Compacted, Event, KeyExists, KeyNotFound, Record, RevisionMismatch, Store
from minicube.store.sqlite import SqliteStore, Watch

__all__ = [
    "Compacted",
    "Event",
    "KeyExists",
    "KeyNotFound",
    "Record",
    "RevisionMismatch",
    "SqliteStore",
    "Store",
    "Watch",
]
