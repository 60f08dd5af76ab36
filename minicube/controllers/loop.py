"""Running a queue-driven controller: its informers, then (once every cache has synced, so
no decision is made on a partial view) its workers."""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable, Sequence

from minicube.client import EventRecorder, Informer, WorkQueue
from minicube.controllers.workers import work


async def run_controller(informers: Sequence[Informer], queue: WorkQueue,
                         reconcile: Callable[[str], Awaitable[None]], what: str, *,
                         workers: int = 2, recorder: EventRecorder | None = None) -> None:
    """Run until cancelled."""
    try:
        async with asyncio.TaskGroup() as tg:
            for informer in informers:
                tg.create_task(informer.run())
            await asyncio.gather(*(i.wait_synced() for i in informers))
            for _ in range(workers):
                tg.create_task(work(queue, reconcile, what))
    finally:
        queue.close()
        if recorder is not None:
            await recorder.close()
