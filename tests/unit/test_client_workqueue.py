"""The work queue: dedup, no concurrent processing of a key, delayed adds."""

from __future__ import annotations

import asyncio

from minicube.client.workqueue import WorkQueue


def test_a_key_added_twice_is_queued_once() -> None:
    async def main() -> None:
        q = WorkQueue()
        q.add("a"), q.add("a"), q.add("b")
        assert len(q) == 2 and await q.get() == "a"
    asyncio.run(main())


def test_a_key_added_while_processing_comes_back_after_done() -> None:
    async def main() -> None:
        q = WorkQueue()
        q.add("a")
        key = await q.get()
        q.add("a")
        assert len(q) == 0  # not handed to a second worker meanwhile
        q.done(key)
        assert await q.get() == "a"
    asyncio.run(main())


def test_add_after_delivers_later() -> None:
    async def main() -> None:
        q = WorkQueue()
        q.add_after("a", 0.05)
        assert len(q) == 0
        assert await asyncio.wait_for(q.get(), 1) == "a"
    asyncio.run(main())


def test_get_waits_for_an_add() -> None:
    async def main() -> None:
        q = WorkQueue()
        getter = asyncio.create_task(q.get())
        await asyncio.sleep(0.01)
        q.add("x")
        assert await asyncio.wait_for(getter, 1) == "x"
    asyncio.run(main())
