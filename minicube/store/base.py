"""The store contract (after kine's Backend): keys map to JSON values, every write gets the
next global revision, and watchers receive every change after a revision they name.

The revision is what the API calls `resourceVersion`. Values are stored as given; the API
server stamps `metadata.resourceVersion` from the record's revision when it reads them.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Any, AsyncIterator, Literal, Protocol


class KeyExists(Exception):
    """create() of a key that is live."""


class KeyNotFound(Exception):
    """update()/delete() of a key that is absent or deleted."""


class RevisionMismatch(Exception):
    """update()/delete() expected a revision that is no longer the key's latest."""


class Compacted(Exception):
    """watch() from a revision older than what compaction kept (the API answers 410 Gone)."""


@dataclass(frozen=True)
class Record:
    key: str
    value: dict[str, Any]
    revision: int          # the revision of the write that produced this value
    create_revision: int   # the revision that created the key


@dataclass(frozen=True)
class Event:
    """One change. Its values may be shared by every watcher that sees it: read only."""

    type: Literal["ADDED", "MODIFIED", "DELETED"]
    key: str
    value: dict[str, Any]  # for DELETED: the last value the key had
    revision: int          # the revision of this change (for DELETED: of the deletion)
    # for MODIFIED: the value before the change, so a filtered watch can tell an object
    # entering or leaving its filter (upstream's prevObject); None otherwise
    prev_value: dict[str, Any] | None = None


class WatchStream(Protocol):
    """What watch() returns: events one by one (`async for`), or all those available at once."""

    def __aiter__(self) -> AsyncIterator[Event]: ...

    async def __anext__(self) -> Event: ...

    async def next_batch(self) -> builtins.list[Event]:
        """The events available now, oldest first, at least one (waiting for it); raises
        StopAsyncIteration when the watch has ended."""
        ...

    async def aclose(self) -> None:
        """Unsubscribe."""
        ...


class Store(Protocol):
    def current_revision(self) -> int: ...

    def get(self, key: str) -> Record | None: ...

    def list(self, prefix: str) -> tuple[list[Record], int]:
        """Live records whose key starts with prefix, sorted by key, and the current revision."""
        ...

    def list_page(self, prefix: str, revision: int = 0, start: str = "",
                  limit: int = 0) -> tuple[builtins.list[Record], int, int]:
        """Records live at revision (0: now) with keys >= start under prefix, at most limit
        (0: all), the revision read, and the count of live keys after the page. Raises
        Compacted for a revision older than the compaction point."""
        ...

    def create(self, key: str, value: dict[str, Any]) -> int: ...

    def update(self, key: str, value: dict[str, Any], expect_revision: int) -> int: ...

    def delete(self, key: str, expect_revision: int | None = None) -> int: ...

    def watch(self, prefix: str, after_revision: int) -> WatchStream:
        """Events for keys under prefix with revision > after_revision, then live ones.

        Raises Compacted at once when after_revision is older than the compaction point.
        The iterator ends when the store closes; closing it unsubscribes.
        """
        ...

    def compact(self) -> None: ...

    def close(self) -> None: ...
