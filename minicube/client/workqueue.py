"""A work queue of keys with client-go's guarantees, for level-triggered reconcilers.

A key is queued at most once however often it is added; a key being processed is never
handed to a second worker, and one added meanwhile is queued again when `done()` is called.
So every change is reconciled at least once after it happened, and never concurrently.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Hashable

from minicube.client.backoff import Backoff


class WorkQueue:
    def __init__(self, *, backoff: Backoff | None = None) -> None:
        self._queue: deque[Hashable] = deque()
        self._dirty: set[Hashable] = set()       # queued, or added again while processing
        self._processing: set[Hashable] = set()
        self._wakeup = asyncio.Event()
        self._backoff = backoff or Backoff(0.005, 60.0)
        self._timers: set[asyncio.TimerHandle] = set()

    def __len__(self) -> int:
        return len(self._queue)

    def add(self, key: Hashable) -> None:
        if key in self._dirty:
            return
        self._dirty.add(key)
        if key not in self._processing:
            self._queue.append(key)
            self._wakeup.set()

    def add_after(self, key: Hashable, delay: float) -> None:
        if delay <= 0:
            self.add(key)
            return
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle

        def fire() -> None:
            self._timers.discard(handle)
            self.add(key)

        handle = loop.call_later(delay, fire)
        self._timers.add(handle)

    def add_rate_limited(self, key: Hashable) -> None:
        """Requeue after this key's next back-off delay (a failed reconcile)."""
        self.add_after(key, self._backoff.next(key))

    def forget(self, key: Hashable) -> None:
        """The key reconciled cleanly: its back-off starts over."""
        self._backoff.reset(key)

    async def get(self) -> Hashable:
        """The next key to process; call `done(key)` when finished with it."""
        while not self._queue:
            self._wakeup.clear()
            await self._wakeup.wait()
        key = self._queue.popleft()
        self._dirty.discard(key)
        self._processing.add(key)
        return key

    def done(self, key: Hashable) -> None:
        self._processing.discard(key)
        if key in self._dirty:
            self._queue.append(key)
            self._wakeup.set()

    def close(self) -> None:
        """Cancel pending delayed adds."""
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
