from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest

from minicube.store import Compacted, Event, KeyExists, KeyNotFound, RevisionMismatch, SqliteStore, Store, Watch


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "state.db")
    yield s
    s.close()


def pod(name: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "Pod", "metadata": {"name": name}, **extra}


def run_async(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test in one event loop (no pytest-asyncio here); fixtures pass through."""

    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return wrapper


async def take(w: Watch, n: int, timeout: float = 1.0) -> list[tuple[str, str, int]]:
    """The next n events as (type, key, revision); fails rather than hangs."""
    events = [await asyncio.wait_for(anext(w), timeout) for _ in range(n)]
    return [(e.type, e.key, e.revision) for e in events]


async def alist(w: Watch) -> list[Event]:
    return [e async for e in w]


async def nothing_pending(w: Watch) -> bool:
    try:
        await take(w, 1, timeout=0.05)
    except TimeoutError:
        return True
    return False


def test_satisfies_the_store_protocol(store: SqliteStore) -> None:
    s: Store = store
    assert s.current_revision() == 0


def test_create_then_get_returns_value_and_revisions(store: SqliteStore) -> None:
    rev = store.create("/core/pods/default/a", pod("a"))
    rec = store.get("/core/pods/default/a")
    assert rec is not None
    assert (rec.value, rec.revision, rec.create_revision) == (pod("a"), rev, rev)
    assert store.get("/core/pods/default/missing") is None


def test_create_of_live_key_raises_key_exists(store: SqliteStore) -> None:
    store.create("/k", pod("a"))
    with pytest.raises(KeyExists):
        store.create("/k", pod("b"))
    assert store.get("/k").value == pod("a")  # type: ignore[union-attr]


def test_update_keeps_create_revision_and_moves_revision(store: SqliteStore) -> None:
    created = store.create("/k", pod("a"))
    rev = store.update("/k", pod("a", spec={"x": 1}), expect_revision=created)
    rec = store.get("/k")
    assert rec is not None
    assert (rec.value["spec"], rec.revision, rec.create_revision) == ({"x": 1}, rev, created)


def test_update_with_stale_revision_raises_revision_mismatch(store: SqliteStore) -> None:
    first = store.create("/k", pod("a"))
    store.update("/k", pod("b"), expect_revision=first)
    with pytest.raises(RevisionMismatch):
        store.update("/k", pod("c"), expect_revision=first)
    with pytest.raises(RevisionMismatch):
        store.delete("/k", expect_revision=first)
    assert store.get("/k").value == pod("b")  # type: ignore[union-attr]


def test_update_or_delete_of_absent_or_deleted_key_raises_key_not_found(store: SqliteStore) -> None:
    with pytest.raises(KeyNotFound):
        store.update("/k", pod("a"), expect_revision=1)
    rev = store.create("/k", pod("a"))
    store.delete("/k")
    with pytest.raises(KeyNotFound):
        store.update("/k", pod("b"), expect_revision=rev)
    with pytest.raises(KeyNotFound):
        store.delete("/k")


def test_delete_hides_key_and_allows_recreate(store: SqliteStore) -> None:
    first = store.create("/k", pod("a"))
    deleted = store.delete("/k", expect_revision=first)
    assert store.get("/k") is None and store.list("/")[0] == []
    again = store.create("/k", pod("b"))
    assert again > deleted and store.get("/k").create_revision == again  # type: ignore[union-attr]


def test_revisions_strictly_increase_across_keys_and_operations(store: SqliteStore) -> None:
    a = store.create("/a", pod("a"))
    b = store.create("/b", pod("b"))
    c = store.update("/a", pod("a2"), expect_revision=a)
    d = store.delete("/b")
    assert a < b < c < d == store.current_revision()


def test_list_is_sorted_live_and_isolated_by_prefix(store: SqliteStore) -> None:
    for key in ("/core/pods/a/z", "/core/pods/ab/x", "/core/pods/a/y", "/core/pods/a/gone"):
        store.create(key, pod(key))
    store.delete("/core/pods/a/gone")
    records, rev = store.list("/core/pods/a/")
    assert [r.key for r in records] == ["/core/pods/a/y", "/core/pods/a/z"]
    assert rev == store.current_revision()


def test_list_shows_latest_value_per_key(store: SqliteStore) -> None:
    rev = store.create("/p/k", pod("old"))
    store.update("/p/k", pod("new"), expect_revision=rev)
    records, _ = store.list("/p/")
    assert [r.value for r in records] == [pod("new")]


@run_async
async def test_watch_replays_history_after_revision(store: SqliteStore) -> None:
    a = store.create("/p/a", pod("a"))
    b = store.update("/p/a", pod("a2"), expect_revision=a)
    store.create("/other/x", pod("x"))
    c = store.delete("/p/a")
    w = store.watch("/p/", after_revision=a)
    assert await take(w, 2) == [("MODIFIED", "/p/a", b), ("DELETED", "/p/a", c)]
    assert await nothing_pending(w)


@run_async
async def test_watch_delivers_live_events_for_its_prefix_only(store: SqliteStore) -> None:
    w = store.watch("/core/pods/a/", after_revision=store.current_revision())
    store.create("/core/pods/ab/x", pod("x"))
    rev = store.create("/core/pods/a/x", pod("x"))
    assert await take(w, 1) == [("ADDED", "/core/pods/a/x", rev)]
    assert await nothing_pending(w)


@run_async
async def test_watch_has_no_gap_or_duplicate_at_replay_live_seam(store: SqliteStore) -> None:
    a = store.create("/p/a", pod("a"))
    a2 = store.create("/p/a2", pod("a2"))
    w = store.watch("/p/", after_revision=0)
    b = store.create("/p/b", pod("b"))  # after subscribing, before the replay is read
    assert await take(w, 1) == [("ADDED", "/p/a", a)]
    c = store.create("/p/c", pod("c"))  # mid-replay
    assert await take(w, 3) == [("ADDED", "/p/a2", a2), ("ADDED", "/p/b", b), ("ADDED", "/p/c", c)]
    assert await nothing_pending(w)


@run_async
async def test_deleted_event_carries_last_value(store: SqliteStore) -> None:
    rev = store.create("/p/a", pod("a"))
    store.update("/p/a", pod("last"), expect_revision=rev)
    w = store.watch("/p/", after_revision=store.current_revision())
    store.delete("/p/a")
    event: Event = await asyncio.wait_for(anext(w), 1)
    assert (event.type, event.value) == ("DELETED", pod("last"))


@run_async
async def test_watch_from_before_compaction_raises_compacted(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "state.db", keep_revisions=2)
    rev = store.create("/p/a", pod("a"))
    for _ in range(4):
        rev = store.update("/p/a", pod("a"), expect_revision=rev)
    store.compact()  # compaction point: 5 - 2 = 3
    with pytest.raises(Compacted):
        store.watch("/p/", after_revision=2)
    assert [e[2] for e in await take(store.watch("/p/", after_revision=3), 2)] == [4, 5]


def test_compaction_keeps_live_values_and_drops_dead_history(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "state.db", keep_revisions=0)
    rev = store.create("/p/a", pod("a"))
    store.update("/p/a", pod("a2"), expect_revision=rev)
    store.create("/p/gone", pod("g"))
    last = store.delete("/p/gone")
    store.compact()
    assert [(r.key, r.value) for r in store.list("/p/")[0]] == [("/p/a", pod("a2"))]
    assert store._db.execute("SELECT COUNT(*) FROM log").fetchone()[0] == 1
    assert store.current_revision() == last and store.create("/p/gone", pod("g")) == last + 1


def test_data_and_compaction_point_survive_reopening(tmp_path: Path) -> None:
    first = SqliteStore(tmp_path / "state.db", keep_revisions=1)
    rev = first.create("/p/a", pod("a"))
    rev = first.update("/p/a", pod("a2"), expect_revision=rev)
    first.compact()
    first.close()
    again = SqliteStore(tmp_path / "state.db")
    assert again.get("/p/a").value == pod("a2") and again.current_revision() == rev  # type: ignore[union-attr]
    with pytest.raises(Compacted):
        again.watch("/p/", after_revision=0)


@run_async
async def test_close_ends_watch_iteration(store: SqliteStore) -> None:
    w = store.watch("/", after_revision=0)
    asyncio.get_running_loop().call_later(0.05, store.close)
    assert await asyncio.wait_for(alist(w), 1) == []


@run_async
async def test_aclose_unsubscribes(store: SqliteStore) -> None:
    w = store.watch("/", after_revision=0)
    await w.aclose()
    store.create("/a", pod("a"))
    assert store._watches == set()
    with pytest.raises(StopAsyncIteration):
        await anext(w)


@run_async
async def test_watcher_far_behind_is_closed_with_compacted(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "state.db", max_queue=3)
    w = store.watch("/", after_revision=0)
    for i in range(4):
        store.create(f"/k{i}", pod("a"))
    with pytest.raises(Compacted):
        await take(w, 1)


@run_async
async def test_watch_from_a_future_revision_skips_events_up_to_it(store: SqliteStore) -> None:
    w = store.watch("/", after_revision=store.current_revision() + 1)
    store.create("/a", pod("a"))
    rev = store.create("/b", pod("b"))
    assert await take(w, 1) == [("ADDED", "/b", rev)]


@run_async
async def test_modified_events_carry_the_previous_value_replayed_and_live(store: SqliteStore) -> None:
    store.create("/core/pods/default/a", pod("a", spec={"v": 1}))
    rev = store.update("/core/pods/default/a", pod("a", spec={"v": 2}), 1)
    w = store.watch("/core/pods/", 0)
    replayed = [await anext(w) for _ in range(2)]
    store.update("/core/pods/default/a", pod("a", spec={"v": 3}), rev)
    live = await anext(w)
    assert replayed[0].prev_value is None and replayed[0].type == "ADDED"
    assert replayed[1].prev_value == pod("a", spec={"v": 1})
    assert live.prev_value == pod("a", spec={"v": 2})
    await w.aclose()
