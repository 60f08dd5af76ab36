"""Per-key exponential back-off, with client-go's flowcontrol.Backoff semantics.

`next(key)` records an attempt and doubles the key's delay (up to `maximum`); a key left
alone for longer than `maximum` starts again from `initial`. The kubelet uses it for
CrashLoopBackOff and image pulls, the work queue for requeues.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Hashable


@dataclass
class _Entry:
    delay: float
    last_update: float


class Backoff:
    def __init__(self, initial: float, maximum: float, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.initial = initial
        self.maximum = maximum
        self.clock = clock
        self._entries: dict[Hashable, _Entry] = {}

    def _expired(self, event_time: float, entry: _Entry) -> bool:
        return event_time - entry.last_update > self.maximum

    def next(self, key: Hashable) -> float:
        """Record an attempt now; return the delay that now applies to the key."""
        now = self.clock()
        entry = self._entries.get(key)
        if entry is None or self._expired(now, entry):
            entry = self._entries[key] = _Entry(self.initial, now)
        else:
            entry.delay = min(entry.delay * 2, self.maximum)
            entry.last_update = now
        return entry.delay

    def get(self, key: Hashable) -> float:
        entry = self._entries.get(key)
        return entry.delay if entry else 0.0

    def remaining_since(self, key: Hashable, event_time: float) -> float:
        """Seconds left before a retry is due, counting the delay from event_time (0: due)."""
        entry = self._entries.get(key)
        if entry is None or self._expired(event_time, entry):
            return 0.0
        return max(0.0, entry.delay - (self.clock() - event_time))

    def remaining_since_update(self, key: Hashable) -> float:
        """Seconds left counting from the last attempt (image pulls)."""
        entry = self._entries.get(key)
        return self.remaining_since(key, entry.last_update) if entry else 0.0

    def reset(self, key: Hashable) -> None:
        self._entries.pop(key, None)

    def gc(self) -> None:
        """Drop entries idle for twice the maximum (they would restart from initial anyway)."""
        now = self.clock()
        for key in [k for k, e in self._entries.items() if now - e.last_update > 2 * self.maximum]:
            del self._entries[key]
