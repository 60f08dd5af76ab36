from __future__ import annotations

import asyncio

import pytest

from minicube.client import resync
from minicube.client.resync import sync_loop


def test_syncs_at_once_on_every_change_and_retries_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resync, "RETRY_SECONDS", 0.01)
    calls: list[int] = []

    async def scenario() -> None:
        dirty = asyncio.Event()

        async def sync() -> None:
            calls.append(len(calls))
            if len(calls) == 2:
                raise OSError("iptables-restore: resource busy")

        loop = asyncio.create_task(sync_loop(sync, dirty, 60, what="test", retry_on=(OSError,)))
        await asyncio.sleep(0.02)
        assert calls == [0]  # at once, then it waits for a change
        dirty.set()
        await asyncio.sleep(0.05)
        assert calls == [0, 1, 2]  # the change, its failure retried
        loop.cancel()

    asyncio.run(scenario())


def test_other_errors_end_the_loop() -> None:
    async def sync() -> None:
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        asyncio.run(sync_loop(sync, asyncio.Event(), 60, what="test", retry_on=(OSError,)))
