"""The object store as a kine-style append-only log in SQLite.

Every write appends one row to `log`; the row id is the global revision (the API's
resourceVersion). A key's state is its newest row; a deletion appends a tombstone row that
carries the last value, so a DELETED event needs no older row. Compaction drops superseded
rows and tombstones older than the most recent `keep_revisions` revisions.

Watches are fed in-process: each write, once committed, is pushed to every watcher of a
matching prefix, so only writes made through this object are seen live (one control-plane
process owns the database). The store is not thread-safe: call it from the event loop's thread.
"""

from __future__ import annotations

import asyncio
import builtins
import collections
import json
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any, Literal

from minicube.store.base import Compacted, Event, KeyExists, KeyNotFound, Record, RevisionMismatch

log = logging.getLogger(__name__)

EventType = Literal["ADDED", "MODIFIED", "DELETED"]
# (type, key, value as JSON, revision, previous value as JSON for MODIFIED)
_Pushed = tuple[EventType, str, str, int, str | None]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- the global revision; AUTOINCREMENT never reuses one
    name TEXT NOT NULL,
    created INTEGER NOT NULL,
    deleted INTEGER NOT NULL,
    create_revision INTEGER NOT NULL,
    prev_revision INTEGER NOT NULL,        -- the key's previous row, 0 for a fresh key
    value TEXT NOT NULL                    -- JSON; for a tombstone, the last value
);
CREATE INDEX IF NOT EXISTS log_name_id ON log (name, id);
-- two writers that read the same latest row cannot both append after it (kine's guard)
CREATE UNIQUE INDEX IF NOT EXISTS log_name_prev ON log (name, prev_revision);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""
_COLUMNS = "id, name, created, deleted, create_revision, value"
_REPLAY_PAGE = 1000
_DECODED_EVENTS = 4096


def _key_range(prefix: str) -> tuple[str, str]:
    """[prefix, prefix + U+10FFFF): every key starting with prefix, and an index range (not LIKE)."""
    return prefix, prefix + "\U0010ffff"


def _event_type(created: int, deleted: int) -> EventType:
    return "ADDED" if created else "DELETED" if deleted else "MODIFIED"


class SqliteStore:
    """The Store protocol (base.py) over one SQLite file."""

    def __init__(
        self, path: str | os.PathLike[str], *, keep_revisions: int = 10_000, max_queue: int = 10_000
    ) -> None:
        if keep_revisions < 0:
            raise ValueError("keep_revisions must be >= 0")
        self._keep = keep_revisions
        self._max_queue = max_queue
        # Decoded events by revision: watchers that replay or receive the same change share
        # one decoding (100 watchers replaying 1000 changes decoded them 100 times each).
        self._decoded: collections.OrderedDict[int, Event] = collections.OrderedDict()
        # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE for writes).
        self._db = sqlite3.connect(os.fspath(path), isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a write is on disk before the API answers
        self._db.execute("PRAGMA busy_timeout=5000")  # wait for another connection's lock
        self._db.executescript(_SCHEMA)
        row = self._db.execute("SELECT value FROM meta WHERE name = 'compact_rev'").fetchone()
        self._compact_rev: int = row[0] if row else 0
        self._watches: set[Watch] = set()
        self._closed = False

    # -- reads ---------------------------------------------------------------------------

    def current_revision(self) -> int:
        # sqlite_sequence, not MAX(id): compaction may delete the newest row (a tombstone).
        row = self._db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'log'").fetchone()
        return int(row[0]) if row else 0

    def get(self, key: str) -> Record | None:
        row = self._latest(key)
        return None if row is None or row[3] else self._record(row)

    def list(self, prefix: str) -> tuple[builtins.list[Record], int]:
        """Live records whose key starts with prefix, sorted by key, and the current revision."""
        records, revision, _ = self.list_page(prefix)
        return records, revision

    def list_page(self, prefix: str, revision: int = 0, start: str = "",
                  limit: int = 0) -> tuple[builtins.list[Record], int, int]:
        """One page of a consistent list: the records live at `revision` (0: now) whose key
        starts with prefix and is >= start, sorted by key, at most `limit` (0: all); the
        revision read; and how many live keys follow the page.

        Raises Compacted when revision is older than the compaction point (its rows are gone).
        """
        with self._transaction("BEGIN"):  # one snapshot for the rows and the revision
            current = self.current_revision()
            if revision > current:
                raise ValueError(f"revision {revision} is in the future (current {current})")
            revision = revision or current
            self._check_not_compacted(revision)
            low, high = _key_range(prefix)
            live = (" FROM log WHERE id IN (SELECT MAX(id) FROM log WHERE name >= ? AND name < ?"
                    " AND id <= ? GROUP BY name) AND deleted = 0")
            args = (max(low, start), high, revision)
            rows = self._db.execute(
                f"SELECT {_COLUMNS}{live} ORDER BY name LIMIT ?", (*args, limit or -1)).fetchall()
            remaining = 0
            if limit and len(rows) == limit:
                after = (rows[-1][1] + "\0", high, revision)
                remaining = self._db.execute(f"SELECT COUNT(*){live}", after).fetchone()[0]
            return [self._record(r) for r in rows], revision, remaining

    # -- writes --------------------------------------------------------------------------

    def create(self, key: str, value: dict[str, Any]) -> int:
        text = json.dumps(value)
        with self._transaction("BEGIN IMMEDIATE"):
            latest = self._latest(key)
            if latest is not None and not latest[3]:
                raise KeyExists(key)
            # A re-created key links to its tombstone so (name, prev_revision) stays unique.
            rev = self._append(key, 1, 0, 0, latest[0] if latest else 0, text)
            self._db.execute("UPDATE log SET create_revision = id WHERE id = ?", (rev,))
        self._publish(("ADDED", key, text, rev, None))
        return rev

    def update(self, key: str, value: dict[str, Any], expect_revision: int) -> int:
        text = json.dumps(value)
        with self._transaction("BEGIN IMMEDIATE"):
            latest = self._live_at(key, expect_revision)
            rev = self._append(key, 0, 0, latest[4], latest[0], text)
        self._publish(("MODIFIED", key, text, rev, latest[5]))
        return rev

    def delete(self, key: str, expect_revision: int | None = None) -> int:
        with self._transaction("BEGIN IMMEDIATE"):
            latest = self._live_at(key, expect_revision)
            text = latest[5]  # the tombstone keeps the last value for the DELETED event
            rev = self._append(key, 0, 1, latest[4], latest[0], text)
        self._publish(("DELETED", key, text, rev, None))
        return rev

    def compact(self) -> None:
        """Drop history older than the newest keep_revisions revisions, except live values."""
        target = self.current_revision() - self._keep
        if target <= self._compact_rev:
            return
        with self._transaction("BEGIN IMMEDIATE"):
            # Superseded rows (the prev of a row within the window) and tombstones in it.
            deleted = self._db.execute(
                "DELETE FROM log WHERE id <= :t AND (deleted = 1 OR id IN ("
                " SELECT prev_revision FROM log WHERE id <= :t AND prev_revision != 0))",
                {"t": target},
            ).rowcount
            self._db.execute(
                "INSERT INTO meta (name, value) VALUES ('compact_rev', ?)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (target,),
            )
        self._compact_rev = target
        log.info("compacted to revision %d: %d rows removed", target, deleted)

    # -- watch ---------------------------------------------------------------------------

    def watch(self, prefix: str, after_revision: int) -> Watch:
        """Events for keys under prefix with revision > after_revision, then live ones.

        Raises Compacted here, before any streaming, when after_revision is older than the
        compaction point. The iterator raises Compacted later if it falls more than
        max_queue events behind; it stops when the store closes; aclose() unsubscribes.
        """
        self._check_not_compacted(after_revision)
        return Watch(self, prefix, after_revision)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for w in builtins.list(self._watches):
            w._end(None)
        self._db.close()

    # -- internals -----------------------------------------------------------------------

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[None]:
        self._db.execute(begin)
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _latest(self, key: str) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._db.execute(
            f"SELECT {_COLUMNS} FROM log WHERE name = ? ORDER BY id DESC LIMIT 1", (key,)
        ).fetchone()
        return row

    def _live_at(self, key: str, expect_revision: int | None) -> tuple[Any, ...]:
        """The key's newest row, checked to be live and (if given) at expect_revision."""
        latest = self._latest(key)
        if latest is None or latest[3]:
            raise KeyNotFound(key)
        if expect_revision is not None and latest[0] != expect_revision:
            raise RevisionMismatch(f"{key}: expected revision {expect_revision}, latest is {latest[0]}")
        return latest

    def _append(self, key: str, created: int, deleted: int, create_rev: int, prev: int, text: str) -> int:
        cur = self._db.execute(
            "INSERT INTO log (name, created, deleted, create_revision, prev_revision, value)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (key, created, deleted, create_rev, prev, text),
        )
        assert cur.lastrowid is not None
        log.debug("%s %s -> revision %d", _event_type(created, deleted), key, cur.lastrowid)
        return cur.lastrowid

    @staticmethod
    def _record(row: tuple[Any, ...]) -> Record:
        return Record(key=row[1], value=json.loads(row[5]), revision=row[0], create_revision=row[4])

    def _check_not_compacted(self, revision: int) -> None:
        if revision < self._compact_rev:
            raise Compacted(f"revision {revision} is older than the compaction point {self._compact_rev}")

    def _replay(self, prefix: str, after: int, upto: int) -> builtins.list[_Pushed]:
        """The next page of history for prefix in (after, upto], oldest first."""
        self._check_not_compacted(after)  # compaction may have run between two pages
        # Compaction keeps the previous row of every row after its point, so the join holds.
        rows = self._db.execute(
            "SELECT l.id, l.name, l.created, l.deleted, l.value, p.value FROM log l"
            " LEFT JOIN log p ON p.id = l.prev_revision"
            " WHERE l.id > ? AND l.id <= ? AND l.name >= ? AND l.name < ? ORDER BY l.id LIMIT ?",
            (after, upto, *_key_range(prefix), _REPLAY_PAGE),
        ).fetchall()
        out: builtins.list[_Pushed] = []
        for rev, key, created, deleted, value, prev in rows:
            type_ = _event_type(created, deleted)
            out.append((type_, key, value, rev, prev if type_ == "MODIFIED" else None))
        return out

    def _event(self, item: _Pushed) -> Event:
        event = self._decoded.get(item[3])
        if event is None:
            event = Event(type=item[0], key=item[1], value=json.loads(item[2]), revision=item[3],
                          prev_value=json.loads(item[4]) if item[4] is not None else None)
            self._decoded[item[3]] = event
            if len(self._decoded) > _DECODED_EVENTS:
                self._decoded.popitem(last=False)
        return event

    def _publish(self, item: _Pushed) -> None:
        for w in builtins.list(self._watches):
            if item[1].startswith(w.prefix):
                w._push(item)


class Watch(AsyncIterator[Event]):
    """One watcher: history from the table, then events pushed by the store's writes.

    Events come one by one (`async for`) or as everything available at once (`next_batch`),
    which lets a consumer handle a page of history without one wake-up per event.
    """

    def __init__(self, store: SqliteStore, prefix: str, after_revision: int) -> None:
        self.prefix = prefix
        self._store = store
        self._queue: asyncio.Queue[_Pushed | None] = asyncio.Queue()
        self._ready: collections.deque[Event] = collections.deque()
        # Subscribe and fix the replay's end in one synchronous step: every write after this
        # point lands in the queue with a larger revision, so the seam has no gap or duplicate.
        store._watches.add(self)
        self._snapshot = store.current_revision()
        self._last = after_revision  # the revision of the last event handed out
        self._error: Exception | None = None
        self._done = False

    async def __anext__(self) -> Event:
        if not self._ready:
            self._ready.extend(await self.next_batch())
        return self._ready.popleft()

    async def next_batch(self) -> builtins.list[Event]:
        """The events available now, oldest first and at least one (waiting for it): the
        next page of history, else every live event queued since the last call. Values are
        shared with other watchers: read them, do not change them."""
        if self._error is not None:
            raise self._error
        if self._done:
            raise StopAsyncIteration
        if self._last < self._snapshot:
            page = self._store._replay(self.prefix, self._last, self._snapshot)
            self._last = page[-1][3] if page else self._snapshot
            if page:
                return [self._store._event(item) for item in page]
        items = [await self._next_live()]
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if item is None:
                break  # the watch ended: the next call says so
            if item[3] > self._last:
                items.append(item)
        self._last = items[-1][3]
        return [self._store._event(item) for item in items]

    async def _next_live(self) -> _Pushed:
        while True:
            item = await self._queue.get()
            if self._error is not None:
                raise self._error
            if item is None or self._done:
                raise StopAsyncIteration
            if item[3] > self._last:  # writes at or before after_revision were asked to be skipped
                return item

    async def aclose(self) -> None:
        self._end(None)

    def _push(self, item: _Pushed) -> None:
        if self._queue.qsize() >= self._store._max_queue:
            log.warning("watch on %r fell %d events behind; closing it", self.prefix, self._queue.qsize())
            self._end(Compacted("watch fell too far behind; re-list and watch again"))
        else:
            self._queue.put_nowait(item)

    def _end(self, error: Exception | None) -> None:
        self._store._watches.discard(self)
        self._done = True
        self._error = error
        self._queue.put_nowait(None)  # wake a consumer blocked in get()
